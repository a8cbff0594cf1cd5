"""How a message shows: its text escaped, with links made clickable and
mentions found, and its time in each language's one format."""

import functools
import re
from datetime import UTC, datetime

from django.conf import settings
from django.utils import formats, timezone, translation
from django.utils.html import urlize

# The format a message's time shows in, the same on the page and in a live
# event: each language's short date and time (settings.FORMAT_MODULE_PATH).
TIME_SHOWN = "SHORT_DATETIME_FORMAT"

MENTION_RE = re.compile(r"(?<![\w@])@([\w][\w.\-]{0,40})", re.UNICODE)


def render_body(body: str) -> str:
    """HTML for a message body: everything escaped, http(s) links clickable."""
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
