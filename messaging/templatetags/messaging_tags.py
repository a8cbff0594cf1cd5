from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from messaging.selectors import display_title, unread_notification_count
from messaging.text import WORDS, render_body, reply_to_label, time_attr
from messaging.text import reaction_groups as _reaction_groups

from . import chat

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_messages(context) -> int:
    """Unread direct messages and mentions of the signed-in user (one query)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return unread_notification_count(user) if user is not None else 0


@register.filter
def message_html(body: str) -> SafeString:
    """A message body escaped, with links made clickable."""
    return mark_safe(render_body(body))  # noqa: S308 (render_body escapes first)


@register.simple_tag(takes_context=True)
def message_time(context, moment, message_id) -> SafeString:
    """A message's ``<time>``: the clock time alone, which the day separator
    above it completes (templatetags.chat.clock), the same on the page and in a
    live event. Its id names the message's menu with its author."""
    later = context.get("later")
    return format_html(
        '<time class="message-time" id="mt-{}" datetime="{}">{}</time>',
        message_id,
        time_attr(moment),
        chat.clock(moment, later),
    )


@register.simple_tag(takes_context=True)
def word(context, key: str) -> str:
    """One of the words of a message's frame (messaging.text.WORDS), in the
    page's language, or marked for each language of a live event."""
    later = context.get("later")
    return later.mark(key) if later else str(WORDS[key])


@register.simple_tag(takes_context=True)
def reply_label(context, message) -> str:
    """'Reply to <name>' for a reply, as ``word`` shows words."""
    later = context.get("later")
    return later.mark("reply_to") if later else reply_to_label(message)


@register.simple_tag
def conversation_title(conversation, user) -> str:
    return display_title(conversation, user)


@register.filter
def reaction_groups(message) -> list[dict]:
    """A message's reactions by emoji, for the message partial."""
    return _reaction_groups(message)


@register.filter
def is_reader(author_id, me) -> bool:
    """Whether the message's author is the person reading the page (``me``);
    never for a deleted author or a page for no one in particular."""
    return author_id is not None and author_id == me


# --- the conversation as a chat: days, groups of one author, avatars ----------


@register.simple_tag
def chat_rows(timeline) -> list[chat.Row]:
    """The conversation page's timeline (("message" | "note", item) pairs) as
    rows: each with the day separator it follows, if any, and whether a
    message joins the group of the one before it (templatetags.chat)."""
    return chat.rows(timeline)


@register.simple_tag
def chat_today() -> chat.Day:
    """Today's day separator, which live.js copies for a live message."""
    return chat.today()


@register.simple_tag
def chat_group_seconds() -> int:
    """How close in time one person's messages group (for live.js)."""
    return chat.GROUP_SECONDS


@register.filter
def day_key(moment) -> str:
    """The local day of ``moment``, as YYYY-MM-DD (a message's data-day)."""
    return chat.day_key(moment)


@register.filter
def epoch(moment) -> int:
    """``moment`` in whole seconds since 1970 (a message's data-at)."""
    return int(moment.timestamp())


@register.filter
def initials(name: str) -> str:
    """The initials an avatar shows: the first letters of the first and last
    word of ``name`` ("Karen Nielsen": "KN"), one for a one-word name."""
    return chat.initials(name)


@register.filter
def avatar_colour(author_id) -> str:
    """The avatar colour of a person, the same on every page: one of
    chat.AVATAR_COLOURS by their id, "none" for a deleted account."""
    return chat.avatar_colour(author_id)


@register.filter
def composer_field(field) -> SafeString:
    """The composer's text field with a hint in it, which says what it is for
    where the label makes way for the messages (a phone)."""
    return field.as_widget(attrs={"placeholder": _("Write a message…")})
