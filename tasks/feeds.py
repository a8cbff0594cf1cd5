"""The task board in calendar feeds, written by agenda's feed writer
(``agenda.feeds.Writer``): a crew's own feed, whose secret address is the
crew's ``feed_token``, and the tasks in a person's own calendar
(``person_tasks``, which TasksConfig.ready adds to
``agenda.feeds.PERSON_FEED_PARTS``). Which tasks each holds is read by
tasks.crew_selectors.

A task is one VEVENT with the same UID in every feed (``task-<id>@<domain>``)
and its ``version`` as SEQUENCE, so an app that has it from two feeds shows it
once and takes each change as newer.
"""

from datetime import UTC

import icalendar
from django.conf import settings
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.models import User
from agenda.feeds import Writer, absolute, calendar_name

from . import crew_selectors as reads
from .models import Crew, Task


def _description(task: Task, url: str) -> str:
    parts = []
    if task.state == Task.State.CANCELLED:
        parts.append(_("Cancelled."))
    elif task.state == Task.State.MISSED:
        parts.append(_("Missed: the work was not done in its time."))
    if task.crew is not None:
        parts.append(_("Crew: %(crew)s") % {"crew": task.crew.name})
    if task.instructions.strip():
        parts.append(task.instructions.strip())
    if task.checklist:
        lines = [f"- {line}" for line in task.checklist]
        parts.append("\n".join([_("Checklist:"), *lines]))
    parts.append(url)
    return "\n\n".join(parts)


def add_task(writer: Writer, task: Task) -> None:
    """``task`` (read by crew_selectors, with its club, site and crew) as a
    VEVENT of its agreed time."""
    club = task.agreement.client
    component = writer.component(
        f"task-{task.pk}@{writer.domain}", task.starts_at, task.ends_at
    )
    url = absolute(task.get_absolute_url())
    component.add("sequence", task.version)
    component.add(
        "last-modified", task.updated_at.astimezone(UTC).replace(microsecond=0)
    )
    component.add(
        "summary", _("%(task)s · %(club)s") % {"task": task.title, "club": club.name}
    )
    component.add("description", _description(task, url))
    writer.where(component, "", task.site)
    component.add("categories", [str(task.get_kind_display())])
    component.add("organizer", writer.organizer(club))
    component.add("url", url)
    component.add("class", "PRIVATE")
    called_off = task.state in reads.CALLED_OFF_STATES
    component.add("status", "CANCELLED" if called_off else "CONFIRMED")
    writer.calendar.add_component(component)


def crew_calendar(crew: Crew) -> icalendar.Calendar:
    """The crew's feed: its timed tasks (crew_selectors.crew_tasks), in the
    platform's first language (the address has no owner to take one from)."""
    with translation.override(settings.LANGUAGE_CODE):
        name = _("%(crew)s, %(contractor)s") % {
            "crew": crew.name,
            "contractor": crew.contractor.name,
        }
        writer = Writer(calendar_name(name))
        for task in reads.crew_tasks(crew):
            add_task(writer, task)
        return writer.finish()


def crew_filename(crew: Crew) -> str:
    return f"{slugify(crew.name) or 'crew'}.ics"


def person_tasks(writer: Writer, user: User) -> None:
    """The part of a person's own calendar that is the task board's: the
    tasks they go out to do (crew_selectors.person_tasks)."""
    for task in reads.person_tasks(user):
        add_task(writer, task)
