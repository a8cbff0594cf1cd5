"""How a message shows: its text escaped, with links made clickable and
mentions found, its time in each language's one format, and the message as a
whole as the one partial renders it."""

import functools
import re
import secrets
from collections.abc import Iterable
from datetime import UTC, datetime

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.html import escape, urlize
from django.utils.translation import gettext_lazy as _

from .models import Message, Reaction

MESSAGE_TEMPLATE = "messaging/includes/message.html"

# The words of a message's frame, which the partial shows with {% word %}.
WORDS = {
    "deleted_account": _("Deleted account"),
    "edited": _("(edited)"),
    "removed": _("This message was removed by its author."),
    "hidden": _("This message was hidden by a moderator."),
    "reactions": _("Reactions"),
    "react": _("React"),
    "reply": _("Reply"),
    "edit": _("Edit"),
    "remove": _("Remove"),
    "report": _("Report"),
    "why_hidden": _("See what you wrote and why it was hidden"),
}
REPLY_TO = _("Reply to %(name)s")

# The format a message's time shows in, the same on the page and in a live
# event: each language's short date and time (settings.FORMAT_MODULE_PATH).
TIME_SHOWN = "SHORT_DATETIME_FORMAT"

MENTION_RE = re.compile(r"(?<![\w@])@([\w][\w.\-]{0,40})", re.UNICODE)


@functools.lru_cache(maxsize=256)
def render_body(body: str) -> str:
    """HTML for a message body: everything escaped, http(s) links clickable.

    The same text renders once: a message is rendered for its live event, its
    partial and the answer to the write that sent it."""
    html = urlize(body, trim_url_limit=60, nofollow=True, autoescape=True)
    html = html.replace(' rel="nofollow"', ' rel="nofollow ugc noopener"')
    return html.replace("\n", "<br>")


def mention_handles(body: str) -> set[str]:
    """The lower-cased ``@handles`` in ``body`` (without the @)."""
    return {m.group(1).rstrip(".-").casefold() for m in MENTION_RE.finditer(body)}


def handles_of(*, display_name: str, email: str) -> set[str]:
    """The ways one may mention a person: @Karen, @KarenJensen, @karen.jensen
    (the e-mail's local part)."""
    handles = {email.split("@", 1)[0].casefold()}
    words = display_name.split()
    if words:
        handles.add(words[0].casefold())
        handles.add("".join(words).casefold())
    return handles


def time_attr(moment: datetime) -> str:
    """``moment`` for a ``<time datetime>`` attribute: local time with its
    offset, to the second (a validator refuses the microseconds)."""
    return timezone.localtime(moment).isoformat(timespec="seconds")


def time_shown(moment: datetime) -> str:
    """``moment`` as people read it, in the active language's format."""
    return formats.date_format(timezone.localtime(moment), TIME_SHOWN)


def times_shown(moment: datetime) -> dict[str, str]:
    """``time_shown`` in every language of the platform, by language code: a
    live event reaches sockets of people reading in different languages, and
    each shows the string of its page's language."""
    minute = moment.astimezone(UTC).replace(second=0, microsecond=0)
    return dict(_times_shown_at(minute))


@functools.lru_cache(maxsize=1024)
def _times_shown_at(minute: datetime) -> dict[str, str]:
    # Shown to the minute: the messages of one minute, which a busy channel
    # sends many of, share one rendering (four languages cost ~0.2 ms).
    local = timezone.localtime(minute)
    shown = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            shown[code] = formats.date_format(local, TIME_SHOWN)
    return shown


def reaction_groups(message: Message) -> list[dict]:
    """A message's reactions by emoji, in emoji order: the count and who
    reacted (``users`` holds them for a ``data-users`` attribute)."""
    by_emoji: dict[str, list[int]] = {}
    for reaction in message.reactions.all():
        by_emoji.setdefault(reaction.emoji, []).append(reaction.user_id)
    return [
        {
            "emoji": emoji,
            "count": len(users),
            "user_ids": users,
            "users": " ".join(map(str, users)),
        }
        for emoji, users in sorted(by_emoji.items())
    ]


def reply_to_label(message: Message) -> str:
    reply = message.reply_to
    name = reply.author.public_name if reply is not None and reply.author else ""
    return REPLY_TO % {"name": name}


class Later:
    """Renders a message once for every language: the partial leaves a mark
    where a word or the time goes (``{% word %}``, ``{% message_time %}``), and
    ``localise`` puts each language's in. The marks carry a secret of this
    rendering, so text a person wrote can never pass for one."""

    def __init__(self, message: Message) -> None:
        self.message = message
        self.opening = f"\ue000{secrets.token_hex(8)}"

    def mark(self, key: str) -> str:
        return f"{self.opening}{key}\ue001"

    def split(self, html: str) -> list[str]:
        """``html`` cut at its marks: text, a mark's key, text, ..., text.
        (A key never holds the closing character, so a mark ends at the first
        one after its opening.)"""
        first, *marked = html.split(self.opening)
        parts = [first]
        for piece in marked:
            key, _closing, text = piece.partition("\ue001")
            parts += (key, text)
        return parts

    def localise(self, parts: list[str], language: str) -> str:
        """``parts`` (from ``split``) with each mark in ``language``, escaped."""
        words = _words_in(language)
        own: dict[str, str] = {}
        out = parts[:]
        for i in range(1, len(out), 2):
            key = out[i]
            said = words.get(key)
            if said is None:
                said = own.get(key)
                if said is None:
                    said = own[key] = self._says(key, language)
            out[i] = said
        return "".join(out)

    def _says(self, key: str, language: str) -> str:
        # What depends on the message: its time and whom it replies to.
        if key == "time":
            return escape(times_shown(self.message.created_at)[language])
        if key == "reply_to":
            with translation.override(language):
                return escape(reply_to_label(self.message))
        raise KeyError(key)


@functools.lru_cache(maxsize=32)
def _words_in(language: str) -> dict[str, str]:
    """The marks that say the same for every message, escaped, in ``language``:
    the frame's words and the reactions' names (looked up once per language,
    not once per mark and message)."""
    with translation.override(language):
        words = {key: escape(str(word)) for key, word in WORDS.items()}
        for emoji in Reaction.Emoji:
            words[f"emoji.{emoji.value}"] = escape(str(emoji.label))
    return words


def message_item_html(
    message: Message,
    *,
    languages: Iterable[str],
    reactions: list[dict] | None = None,
) -> dict[str, str]:
    """The message as the conversation page shows it, by language code, for no
    reader in particular: a live event reaches many readers at once, and each
    page shows its reader's own tools by the partial's data attributes (the
    page itself renders the partial for its reader, ``me`` and ``can_write``).

    The template is rendered once, whatever the number of languages. Hidden
    and removed messages render as tombstones, without their text.
    ``reactions`` (from ``reaction_groups``) spares the query for a message
    known to have none."""
    if reactions is None:
        reactions = [] if _gone(message) else reaction_groups(message)
    later, parts = _rendered(message, reactions)
    return {code: later.localise(parts, code) for code in languages}


def _rendered(message: Message, reactions: list[dict]) -> tuple[Later, list[str]]:
    # A write renders its message for the live event and then for its answer:
    # the same state renders once (a copy without its reply_to renders anew).
    state = (
        message.seq,
        message.reply_to is None,
        message.edited_at,
        message.removed_at,
        message.visibility,
        [(r["emoji"], r["users"]) for r in reactions],
    )
    memo = message.__dict__.get("_rendered_html")
    if memo is not None and memo[0] == state:
        return memo[1], memo[2]
    later = Later(message)
    context = {
        "m": message,
        "reactions": reactions,
        "emoji_choices": [
            (value, later.mark(f"emoji.{value}")) for value in Reaction.Emoji.values
        ],
        "me": None,
        "can_write": False,
        # The browser joins a live message to its author's group (chat.js).
        "continued": False,
        # No reader's token (the page puts its own in): empty rather than
        # missing, which costs the template a failed lookup per form.
        "csrf_token": "",
        "later": later,
    }
    parts = later.split(render_to_string(MESSAGE_TEMPLATE, context))
    message.__dict__["_rendered_html"] = (state, later, parts)
    return later, parts


def all_languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def _gone(message: Message) -> bool:
    return message.is_removed or message.is_hidden
