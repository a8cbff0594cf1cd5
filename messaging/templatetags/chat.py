"""How the conversation page reads as a chat: a separator where a day begins,
the messages one person sends in a row grouped under one name and avatar, and
each message's clock time.

The page decides all of it here, once, from what it has loaded (no query);
live messages carry what live.js needs to decide the same by the same rules
(``data-author``, ``data-at``, ``data-day`` on the message partial, and
``GROUP_SECONDS`` on the page), so a live message groups as it would after a
reload. Helpers of messaging_tags, which exposes them to the templates.
"""

import functools
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.conf import settings
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from messaging.text import time_shown

# A message joins the one before it when the same person sent it within this
# many seconds (and on the same day, with nothing between them).
GROUP_SECONDS = 5 * 60

# Avatar colours (static/css/chat.css, .avatar-0 ... .avatar-7): a person's is
# their id modulo this.
AVATAR_COLOURS = 8


@dataclass(frozen=True)
class Day:
    key: str  # YYYY-MM-DD, local
    label: str  # "I dag", "I går", "mandag 3. marts"


@dataclass(frozen=True)
class Row:
    kind: str  # "message" or "note"
    item: object
    day: Day | None  # the separator shown before this row
    continued: bool  # a message that joins the group of the one before


def rows(timeline) -> list[Row]:
    """``timeline``'s ("message" | "note", item) pairs with the day separators
    and groups (see the module's docstring)."""
    today = timezone.localdate()
    out: list[Row] = []
    shown_day = None
    previous = None  # the message a next one may join
    for kind, item in timeline:
        if kind != "message":
            out.append(Row(kind, item, None, False))
            previous = None
            continue
        key = day_key(item.created_at)
        day = None
        if key != shown_day:
            day = Day(key, day_label(date.fromisoformat(key), today))
            shown_day = key
            previous = None
        out.append(Row(kind, item, day, joins(previous, item)))
        previous = item
    return out


def joins(previous, message) -> bool:
    """Whether ``message`` continues the group of ``previous`` (live.js has the
    same rule, in whole seconds as the partial's data-at)."""
    if previous is None or message.author_id is None:
        return False
    if previous.author_id != message.author_id:
        return False
    gap = int(message.created_at.timestamp()) - int(previous.created_at.timestamp())
    return 0 <= gap <= GROUP_SECONDS


def today() -> Day:
    """Today as its separator shows it (the one live.js copies for a live
    message that begins a day)."""
    day = timezone.localdate()
    return Day(day.isoformat(), day_label(day, day))


def day_key(moment: datetime) -> str:
    return timezone.localtime(moment).date().isoformat()


def day_label(day: date, today: date) -> str:
    """ "Today", "Yesterday", or the weekday and date (with the year when it is
    not this year's), in the active language."""
    if day == today:
        return _("Today")
    if day == today - timedelta(days=1):
        return _("Yesterday")
    weekday = formats.date_format(day, "l")
    rest = "MONTH_DAY_FORMAT" if day.year == today.year else "DATE_FORMAT"
    return f"{weekday} {formats.date_format(day, rest)}"


def clock(moment: datetime, later) -> str:
    """A message's clock time, 14:05. Every language of the platform writes it
    the same way, so a live event carries it as it is; were one to differ, the
    message would show its full time in each language (messaging.text)."""
    minute = moment.astimezone(UTC).replace(second=0, microsecond=0)
    shown = set(_clocks_at(minute).values())
    if len(shown) == 1:
        return shown.pop()
    return later.mark("time") if later else time_shown(moment)


@functools.lru_cache(maxsize=1024)
def _clocks_at(minute: datetime) -> dict[str, str]:
    local = timezone.localtime(minute)
    clocks = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            clocks[code] = formats.time_format(local, "TIME_FORMAT")
    return clocks


def initials(name: str) -> str:
    firsts = [c for word in name.split() if (c := _first_letter(word))]
    if not firsts:
        return "?"
    picked = firsts[:1] + firsts[-1:] if len(firsts) > 1 else firsts
    return "".join(c.upper()[:1] for c in picked)


def _first_letter(word: str) -> str:
    return next((c for c in word if c.isalnum()), "")


def avatar_colour(author_id) -> str:
    return "none" if author_id is None else str(author_id % AVATAR_COLOURS)
