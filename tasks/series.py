"""Series that make tasks, and tasks that follow their fixtures.

A series makes its tasks up to ``HORIZON_DAYS`` ahead: by its recurrence rule
(one window per date the rule gives), or one per event at its site (the
association's own events there, of the series' category when it names one):
done no later than ``offset`` before the event starts, or begun no sooner
than ``offset`` after it ends. Each date or event gets its task once.

When an event moves, its tasks move with it: the window moves by the same
time, and an agreed slot too when the site is free then; otherwise the task
goes back to planned for a new time. Both sides are told. A cancelled event
cancels its tasks.
"""

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from agenda import recurrence
from agenda.errors import BookingConflict
from agenda.models import Occurrence
from agenda.services import bookings
from hub.errors import ApplicationError
from hub.oncommit import on_commit

from . import notify
from .models import Agreement, Task, TaskSeries, TaskSlot
from .services import lifecycle, work

S = Task.State


def _horizon(now: datetime) -> datetime:
    return now + timedelta(days=settings.NABOLAG_TASKS["HORIZON_DAYS"])


def window_for(series: TaskSeries, occurrence: Occurrence) -> tuple[datetime, datetime]:
    """The window a series gives the task of ``occurrence``."""
    if series.mode == TaskSeries.Mode.BEFORE_EVENTS:
        until = occurrence.starts_at - series.offset
        return until - series.window, until
    since = occurrence.ends_at + series.offset
    return since, since + series.window


def _new_task(series: TaskSeries, since: datetime, until: datetime, **keys) -> Task:
    template = series.template
    return Task(
        agreement_id=series.agreement_id,
        series=series,
        template=template,
        site_id=series.site_id,
        crew_id=series.crew_id,
        title=template.title,
        kind=template.kind,
        instructions=template.instructions,
        checklist=list(template.checklist),
        duration=template.duration,
        blocks_site=template.blocks_site,
        window_from=since,
        window_until=until,
        **keys,
    )


def series_events(series: TaskSeries, since: datetime, until: datetime):
    """The scheduled event dates at the series' site that it makes tasks for."""
    found = Occurrence.objects.filter(
        event__facility_id=series.site_id,
        event__community_id=series.agreement.client_id,
        event__cancelled_at__isnull=True,
        state=Occurrence.State.SCHEDULED,
        starts_at__gte=since,
        starts_at__lt=until,
    )
    if series.event_id is not None:
        found = found.filter(event_id=series.event_id)
    elif series.event_category:
        found = found.filter(event__category=series.event_category)
    return found.order_by("starts_at")


def series_generate(series: TaskSeries, now: datetime | None = None) -> list[Task]:
    """Make the series' tasks still missing up to the horizon; returns them."""
    now = now or timezone.now()
    if not series.active or series.agreement.state != Agreement.State.ACTIVE:
        return []
    horizon = _horizon(now)
    rows: list[Task] = []
    if series.mode == TaskSeries.Mode.RULE:
        have = set(series.tasks.values_list("series_key", flat=True))
        for start in recurrence.expand(series.starts_at, series.rrule):
            if start >= horizon:
                break
            until = start + series.window
            if until <= now or start in have:
                continue
            rows.append(_new_task(series, start, until, series_key=start))
    else:
        have = set(series.tasks.values_list("occurrence_id", flat=True))
        # An event up to a window away may still have its task to do.
        reach = series.offset + series.window
        for occurrence in series_events(series, now - reach, horizon + reach):
            if occurrence.pk in have:
                continue
            since, until = window_for(series, occurrence)
            if until <= now or since >= horizon:
                continue
            rows.append(_new_task(series, since, until, occurrence=occurrence))
    made = []
    for task in rows:
        try:
            with transaction.atomic():
                task.save()
                work.record_created(task, actor=None, side="")
        except IntegrityError:
            continue  # made meanwhile by another run
        made.append(task)
    return made


def generate_all(now: datetime | None = None) -> int:
    """Every active series, up to the horizon (the daily tick)."""
    count = 0
    for series in TaskSeries.objects.filter(
        active=True, agreement__state=Agreement.State.ACTIVE
    ).select_related("agreement", "template"):
        count += len(series_generate(series, now))
    return count


# --- following the fixtures ---------------------------------------------------


def _people_ids(task: Task) -> list[int]:
    return [u.pk for u in work.thread_people(task)]


def _moved(task: Task, occurrence: Occurrence) -> None:
    task = lifecycle.lock_task(task, None)
    if task.state not in Task.OPEN_STATES or task.state == S.IN_PROGRESS:
        return
    if task.series_id is not None and task.series.mode != TaskSeries.Mode.RULE:
        since, until = window_for(task.series, occurrence)
    else:
        return
    delta = until - task.window_until
    if not delta:
        return
    old_start = task.starts_at or task.window_until
    task.window_from, task.window_until = since, until
    fields = ["window_from", "window_until"]
    to = task.state
    note = _("The event moved; the task moved with it.")
    if task.state in (S.PROPOSED, S.DISPUTED):
        lifecycle.withdraw_open_slots(task)
        if task.state == S.PROPOSED:
            to = S.PLANNED
    elif task.state == S.CONFIRMED:
        new_start = task.starts_at + delta
        # The site is held again in the name of whoever held it before.
        holder = (
            task.booking.requested_by if task.booking_id else None
        ) or task.agreement.invited_by
        held = task.booking_id
        try:
            with transaction.atomic():
                lifecycle.release_site(task)
                task.window_from, task.window_until = since, until
                lifecycle.check_slots(task, [new_start])
                if task.blocks_site:
                    (booking,) = bookings.place_bookings(
                        actor=holder,
                        facility=task.site,
                        community=task.agreement.client,
                        title=task.title,
                        times=[bookings.Slot(new_start, new_start + task.duration)],
                    )
                    task.booking = booking
            task.starts_at, task.ends_at = new_start, new_start + task.duration
        except (ApplicationError, BookingConflict):
            # The savepoint's rollback undid the release too: free the old
            # time here, or the site stays held for a slot no task has.
            if held is not None:
                bookings.bookings_release([held])
            task.booking = None
            task.starts_at = task.ends_at = None
            to = S.PLANNED
            note = _(
                "The event moved and the agreed time no longer fits: please agree "
                "a new one."
            )
        fields += ["starts_at", "ends_at", "booking"]
        # The agreed slot says what the task now says.
        agreed = task.slots.filter(state=TaskSlot.State.CONFIRMED)
        if to == S.PLANNED:
            agreed.update(state=TaskSlot.State.WITHDRAWN)
        else:
            agreed.update(starts_at=task.starts_at, ends_at=task.ends_at)
    lifecycle.write_step(
        task, actor=None, side="", action="moved", to=to, note=note, fields=fields
    )
    ids = _people_ids(task)
    when = old_start.isoformat()
    on_commit(
        lambda: notify.task_moved.enqueue(task.pk, ids, when),
        what=f"task {task.pk} moved",
    )


def _cancelled(task: Task) -> None:
    task = lifecycle.lock_task(task, None)
    if task.state not in lifecycle.NOT_UNDER_WAY:
        return
    lifecycle.end_task(
        task,
        actor=None,
        side="",
        action="event_cancelled",
        to=S.CANCELLED,
        note=_("The event was cancelled, and the task with it."),
    )


def follow_occurrences(occurrences: Sequence[Occurrence], change: str) -> None:
    """The calendar moved, cancelled or added event dates (agenda's
    ``occurrences_changed`` signal, inside its transaction)."""
    ids = [o.pk for o in occurrences]
    if change in ("moved", "cancelled"):
        tasks = Task.objects.filter(occurrence_id__in=ids).select_related(
            "series", "occurrence"
        )
        by_pk = {o.pk: o for o in occurrences}
        for task in tasks:
            if change == "cancelled":
                _cancelled(task)
            else:
                _moved(task, by_pk[task.occurrence_id])
    if change in ("created", "moved", "restored"):
        sites = {o.event.facility_id for o in occurrences if o.event.facility_id}
        for series in TaskSeries.objects.filter(
            Q(mode=TaskSeries.Mode.BEFORE_EVENTS)
            | Q(mode=TaskSeries.Mode.AFTER_EVENTS),
            site_id__in=sites,
            active=True,
        ).select_related("agreement", "template"):
            series_generate(series)
