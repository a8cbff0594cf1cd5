"""What a board's card says, worked out once per board.

The card (templates/tasks/includes/task_card.html) prints these words as they
are: at 600 cards, the state, time and whose-move logic run in Python once per
card instead of as four included templates, the translated words are looked
up once per board, and the task links come from one URL reversal. The task's
page keeps tasks/includes/state.html and waiting.html, which say the same
(tests/tasks/test_board_map.py holds the two together).
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.translation import gettext, pgettext

from .models import Side, Task, TaskSlot

S = Task.State

# A state's tag colour; the word says it, the colour only repeats it.
STATE_COLOUR = {
    S.DONE: "success",
    S.ACCEPTED: "success",
    S.DISPUTED: "danger",
    S.MISSED: "danger",
    S.CANCELLED: "neutral",
    S.CONFIRMED: "info",
    S.IN_PROGRESS: "info",
}
OTHER_COLOUR = "warning"
SHOWN = "D j. M H:i"


class Waiting:
    """Whose move it is on a task (``BoardTask.waiting_for``)."""

    EITHER = "either"
    CLIENT = Side.CLIENT.value
    CONTRACTOR = Side.CONTRACTOR.value
    NOBODY = ""


def waiting_words(side: str) -> dict[str, str]:
    """What "whose move" says on the board of ``side`` ("you" for its own)."""
    return {
        Waiting.EITHER: gettext("Waiting for: either side to propose a time"),
        Waiting.CLIENT: gettext("Waiting for: your association")
        if side == Side.CLIENT
        else gettext("Waiting for: the association"),
        Waiting.CONTRACTOR: gettext("Waiting for: you, the contractor")
        if side == Side.CONTRACTOR
        else gettext("Waiting for: the contractor"),
        Waiting.NOBODY: pgettext("task", "Nothing more to do"),
    }


@dataclass
class BoardTask:
    """One task as a board lists it, with what its card says."""

    task: Task
    waiting_for: str
    # The task's id and version as text (a number printed in a template is
    # localised first, four times a card).
    id: str = ""
    version: str = ""
    url: str = ""
    state_label: str = ""
    state_colour: str = OTHER_COLOUR
    waiting_label: str = ""
    # Whether the move is the board's side's (its own or either side's).
    is_yours: bool = False
    # The site's position as the card's data-lat/data-lon say it, or "".
    lat: str = ""
    lon: str = ""
    # The agreed time (ISO and as shown), or the sentence of when it is due.
    starts_iso: str = ""
    starts_text: str = ""
    ends_iso: str = ""
    ends_text: str = ""
    due_text: str = ""
    # The times offered: (ISO, as shown).
    offered: list[tuple[str, str]] = field(default_factory=list)

    @property
    def when_text(self) -> str:
        if self.starts_iso:
            return f"{self.starts_text}\N{EN DASH}{self.ends_text}"
        return self.due_text


class CardWords:
    """The words of one board's cards, in the language active when made, for
    the board of ``side``."""

    def __init__(self, side: str) -> None:
        self.side = side
        self.waiting = waiting_words(side)
        self.states = {value: str(label) for value, label in S.choices}
        # The pk is the task URL's last part: one reversal serves every card.
        self.url_head, _pk, self.url_tail = reverse("tasks:task", args=[1]).rpartition(
            "1"
        )
        self._shown: dict[tuple[datetime, str], str] = {}

    def shown(self, moment: datetime, fmt: str = SHOWN) -> str:
        """``moment`` as the ``date`` filter shows it; many cards share one."""
        key = (moment, fmt)
        if key not in self._shown:
            self._shown[key] = dateformat.format(timezone.localtime(moment), fmt)
        return self._shown[key]

    @staticmethod
    def iso(moment: datetime) -> str:
        """As ``date:'Y-m-d\\TH:i:sO'`` writes it, for a <time> element."""
        return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M:%S%z")

    def card(self, task: Task, waiting: str, open_slots: list[TaskSlot]) -> BoardTask:
        item = BoardTask(
            task=task,
            waiting_for=waiting,
            id=str(task.pk),
            version=str(task.version),
            url=f"{self.url_head}{task.pk}{self.url_tail}",
            state_label=self.states.get(task.state, task.state),
            state_colour=STATE_COLOUR.get(task.state, OTHER_COLOUR),
            waiting_label=self.waiting.get(waiting, ""),
            is_yours=waiting in (self.side, Waiting.EITHER),
            offered=[
                (self.iso(s.starts_at), self.shown(s.starts_at)) for s in open_slots
            ],
        )
        site = task.site
        if site.latitude is not None and site.longitude is not None:
            item.lat, item.lon = f"{site.latitude:f}", f"{site.longitude:f}"
        if task.starts_at:
            item.starts_iso = self.iso(task.starts_at)
            item.starts_text = self.shown(task.starts_at)
            if task.ends_at:
                item.ends_iso = self.iso(task.ends_at)
                item.ends_text = self.shown(task.ends_at, "H:i")
        else:
            item.due_text = gettext("No time agreed yet, to be done by %(until)s") % {
                "until": self.shown(task.window_until)
            }
        return item
