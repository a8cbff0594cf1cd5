"""One task's life: planned, proposed, confirmed, in progress, done, accepted
or disputed; also cancelled, and missed when its window passes.

Every function takes the acting user and the task, locks the task's row,
checks the state it is in and who may take the step, writes one ``TaskStep``
and bumps the task's ``version``. A caller that read the task at an older
version (a form, the API) passes it as ``version``; when the task has moved
on meanwhile the step is refused with ``TaskConflict``, so two people never
confirm two different slots.

    planned ──propose──▶ proposed ──confirm──▶ confirmed ──start──▶ in progress
       ▲                 │  ▲  (counter-propose)  │                    │
       └─── (a moved ────┘  └────propose──────────┘                 complete
             event)                                                     ▼
    accepted ◀──accept── disputed ◀──dispute── done ──accept (or 48 h)──▶ accepted

Any open task may be cancelled; a planned, proposed or confirmed task whose
window has passed is missed.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from agenda import recurrence
from agenda.errors import AgendaError, BookingConflict
from agenda.services import bookings
from hub import ratelimit
from hub.images import PhotoInvalid, check_photo, clean_photo

from .. import events, permissions
from ..errors import TaskConflict, TaskError, TaskNotPermitted
from ..models import PreapprovedWindow, Side, Task, TaskPhoto, TaskSlot, TaskStep

S = Task.State
# A task no one has begun: it may still be cancelled, or be missed.
NOT_UNDER_WAY = (S.PLANNED, S.PROPOSED, S.CONFIRMED)


@dataclass(frozen=True)
class Completion:
    """What the contractor reports when the work is done."""

    checked: Sequence[int] = ()
    note: str = ""
    minutes_on_site: int | None = None
    photos: Sequence[UploadedFile] = ()
    photo_description: str = ""


def _when(moment: datetime) -> str:
    return f"{recurrence.local(moment):%d.%m.%Y %H:%M}"


def lock_task(task: Task, version: int | None) -> Task:
    locked = (
        Task.objects.select_for_update(of=("self",))
        .select_related("agreement", "site")
        .get(pk=task.pk)
    )
    if version is not None and locked.version != version:
        raise TaskConflict(task=locked)
    return locked


def _side(actor: User, task: Task, wanted: str | None = None) -> str:
    """The side ``actor`` takes this step for; refused when none (or not the
    ``wanted`` one)."""
    sides = permissions.sides_of(actor, task.agreement)
    if wanted is not None:
        if wanted not in sides:
            raise TaskNotPermitted(
                _("Only the association can do this.")
                if wanted == Side.CLIENT
                else _("Only the contractor can do this.")
            )
        return wanted
    if not sides:
        raise TaskNotPermitted(_("You are not a party to this task."))
    return sorted(sides)[0]


def _require_state(task: Task, *states: str) -> None:
    if task.state not in states:
        raise TaskConflict(
            _("This task is %(state)s: that step is no longer possible.")
            % {"state": task.get_state_display().lower()},
            task=task,
        )


def _require_active(task: Task) -> None:
    if not task.agreement.is_active:
        raise TaskError(_("The agreement behind this task is not in force."))


def write_step(
    task: Task,
    *,
    actor: User | None,
    side: str,
    action: str,
    to: str,
    note: str = "",
    fields: Iterable[str] = (),
) -> TaskStep:
    """Move ``task`` to ``to`` and write down who did it; the board is told
    after commit."""
    before = task.state
    task.state = to
    task.version += 1
    task.save(update_fields=["state", "version", "updated_at", *fields])
    step = TaskStep.objects.create(
        task=task,
        actor=actor,
        side=side,
        action=action,
        from_state=before,
        to_state=to,
        note=note,
    )
    events.task_changed(task, step)
    if to in Task.ENDED_STATES and task.report_id is not None:
        from .work import report_outcome

        report_outcome(task)
    return step


def release_site(task: Task) -> None:
    """Free the site again: the booking that blocked it is cancelled."""
    if task.booking_id is not None:
        bookings.bookings_release([task.booking_id])
        task.booking = None


def withdraw_open_slots(task: Task) -> None:
    task.slots.filter(state=TaskSlot.State.OPEN).update(state=TaskSlot.State.WITHDRAWN)


# --- checking a slot ---------------------------------------------------------


def check_slots(
    task: Task, starts: Sequence[datetime], *, exclude: Sequence[int] = ()
) -> None:
    """Refuse a time in the past, outside the task's window or across an
    event at the site (and, for work that blocks the site, outside its
    opening hours or across any booking there). All the times are checked
    against the site's bookings in one query."""
    now = timezone.now()
    for starts_at in starts:
        ends_at = starts_at + task.duration
        if starts_at < now:
            raise TaskError(
                _("%(when)s is in the past: please offer a time still to come.")
                % {"when": _when(starts_at)},
                field="slots",
            )
        if starts_at < task.window_from or ends_at > task.window_until:
            raise TaskError(
                _(
                    "%(when)s is outside the time this task must be done in "
                    "(%(from)s to %(until)s)."
                )
                % {
                    "when": _when(starts_at),
                    "from": _when(task.window_from),
                    "until": _when(task.window_until),
                },
                field="slots",
            )
    if task.blocks_site:
        # Its booking must keep to the site's opening hours (place_bookings
        # checks them on confirming): refused now, while the times are typed.
        prefetch_related_objects([task.site], "opening_hours")
        for starts_at in starts:
            try:
                bookings.check_open(task.site, starts_at, starts_at + task.duration)
            except AgendaError as exc:
                raise TaskError(exc.message, field="slots") from exc
    ranges = [
        bookings.blocked_range(task.site, s, s + task.duration)
        if task.blocks_site
        else bookings.Slot(s, s + task.duration)
        for s in starts
    ]
    taken = bookings.live_bookings(task.site, ranges, exclude=exclude)
    # Work that leaves the site usable may share it with a booking, never
    # with an event (a match, a training).
    in_the_way = [b for b in taken if task.blocks_site or b.occurrence_id is not None]
    for starts_at, held in zip(starts, ranges, strict=True):
        other = next(
            (
                b
                for b in in_the_way
                if b.blocked_from < held.ends_at and b.blocked_until > held.starts_at
            ),
            None,
        )
        if other is not None:
            raise TaskError(
                _("%(when)s is across %(other)s at %(site)s.")
                % {
                    "when": _when(starts_at),
                    "other": other.title if other.is_public else _("a booking"),
                    "site": task.site.name,
                },
                field="slots",
            )


def _in_window(task: Task, starts_at: datetime) -> bool:
    """Whether the association pre-approved work at this time: the whole slot
    inside one weekly window for the task's site (or for every site)."""
    start = recurrence.local(starts_at)
    end = recurrence.local(starts_at + task.duration)
    if end.date() != start.date():
        return False
    windows = PreapprovedWindow.objects.filter(
        Q(site__isnull=True) | Q(site_id=task.site_id),
        agreement_id=task.agreement_id,
        weekday=start.weekday(),
    )
    return any(w.opens <= start.time() and end.time() <= w.closes for w in windows)


# --- the steps ----------------------------------------------------------------


@transaction.atomic
def task_propose(
    *,
    actor: User,
    task: Task,
    starts: Sequence[datetime],
    note: str = "",
    version: int | None = None,
) -> Task:
    """Offer up to three times for the task (a new offer replaces the open
    ones; a confirmed task offered new times is rescheduled). A time the
    contractor offers inside a window the association pre-approved is
    confirmed at once."""
    task = lock_task(task, version)
    _require_active(task)
    side = _side(actor, task)
    _require_state(task, S.PLANNED, S.PROPOSED, S.CONFIRMED)
    limit = settings.NABOLAG_TASKS["MAX_SLOTS"]
    starts = sorted(set(starts))
    if not starts:
        raise TaskError(_("Please offer at least one time."), field="slots")
    if len(starts) > limit:
        raise TaskError(
            ngettext(
                "Please offer at most %(count)s time.",
                "Please offer at most %(count)s times.",
                limit,
            )
            % {"count": limit},
            field="slots",
        )
    own = [task.booking_id] if task.booking_id else []
    check_slots(task, starts, exclude=own)
    ratelimit.hit("task-step", key=actor.pk)
    rescheduled = task.state == S.CONFIRMED
    withdraw_open_slots(task)
    if rescheduled:
        # The time agreed before is no longer the task's.
        task.slots.filter(state=TaskSlot.State.CONFIRMED).update(
            state=TaskSlot.State.WITHDRAWN
        )
    slots = TaskSlot.objects.bulk_create(
        TaskSlot(
            task=task,
            starts_at=s,
            ends_at=s + task.duration,
            side=side,
            proposed_by=actor,
        )
        for s in starts
    )
    if side == Side.CONTRACTOR:
        preapproved = next((s for s in slots if _in_window(task, s.starts_at)), None)
        if preapproved is not None:
            _confirm(task, preapproved, actor=actor, side=side, action="preapproved")
            return task
    if rescheduled:
        release_site(task)
        task.starts_at = task.ends_at = None
    write_step(
        task,
        actor=actor,
        side=side,
        action="rescheduled" if rescheduled else "proposed",
        to=S.PROPOSED,
        note=note.strip(),
        fields=["starts_at", "ends_at", "booking"],
    )
    return task


def _confirm(
    task: Task, slot: TaskSlot, *, actor: User, side: str, action: str
) -> None:
    own = [task.booking_id] if task.booking_id else []
    check_slots(task, [slot.starts_at], exclude=own)
    if task.blocks_site:
        try:
            with transaction.atomic():
                release_site(task)
                (booking,) = bookings.place_bookings(
                    actor=actor,
                    facility=task.site,
                    community=task.agreement.client,
                    title=task.title,
                    times=[bookings.Slot(slot.starts_at, slot.ends_at)],
                )
        except BookingConflict as error:
            raise TaskError(error.message, field="slots", **error.extra) from None
        task.booking = booking
    slot.state = TaskSlot.State.CONFIRMED
    slot.save(update_fields=["state"])
    task.slots.filter(state=TaskSlot.State.OPEN).exclude(pk=slot.pk).update(
        state=TaskSlot.State.WITHDRAWN
    )
    task.starts_at, task.ends_at = slot.starts_at, slot.ends_at
    write_step(
        task,
        actor=actor,
        side=side,
        action=action,
        to=S.CONFIRMED,
        note=_when(slot.starts_at),
        fields=["starts_at", "ends_at", "booking"],
    )


@transaction.atomic
def task_confirm(
    *, actor: User, task: Task, slot: TaskSlot, version: int | None = None
) -> Task:
    """Take one of the times the other side offered."""
    task = lock_task(task, version)
    _require_active(task)
    slot = TaskSlot.objects.select_for_update().get(pk=slot.pk, task=task)
    if slot.state != TaskSlot.State.OPEN or task.state != S.PROPOSED:
        raise TaskConflict(
            _(
                "This time can no longer be confirmed: the task was changed "
                "a moment ago. Here is how it stands now."
            ),
            task=task,
        )
    other = Side.CLIENT if slot.side == Side.CONTRACTOR else Side.CONTRACTOR
    side = _side(actor, task, other)
    ratelimit.hit("task-step", key=actor.pk)
    _confirm(task, slot, actor=actor, side=side, action="confirmed")
    return task


@transaction.atomic
def task_start(*, actor: User, task: Task, version: int | None = None) -> Task:
    task = lock_task(task, version)
    side = _side(actor, task, Side.CONTRACTOR)
    _require_state(task, S.CONFIRMED, S.DISPUTED)
    ratelimit.hit("task-step", key=actor.pk)
    write_step(task, actor=actor, side=side, action="started", to=S.IN_PROGRESS)
    return task


def _checked(task: Task, checked: Sequence[int]) -> list[int]:
    ticked = sorted(set(checked))
    if any(i < 0 or i >= len(task.checklist) for i in ticked):
        raise TaskError(_("That checklist item is not on this task."), field="checked")
    return ticked


def _photos(task: Task, uploads: Sequence[UploadedFile]) -> list:
    limit = settings.NABOLAG_TASKS["MAX_PHOTOS"]
    if task.photos.count() + len(uploads) > limit:
        raise TaskError(
            ngettext(
                "A task can have at most %(count)s photo.",
                "A task can have at most %(count)s photos.",
                limit,
            )
            % {"count": limit},
            field="photos",
        )
    cleaned = []
    for upload in uploads:
        try:
            check_photo(upload)
            cleaned.append(clean_photo(upload))
        except PhotoInvalid as exc:
            # Which of the files chosen, since the form cannot keep them.
            raise TaskError(
                _("%(name)s: %(problem)s Please choose the photos again.")
                % {"name": upload.name, "problem": exc.message},
                field="photos",
            ) from exc
    return cleaned


@transaction.atomic
def task_complete(
    *,
    actor: User,
    task: Task,
    report: Completion,
    version: int | None = None,
) -> Task:
    """Report the work done: the checklist ticked, a note, photos (re-encoded
    without their location), the time on site. Nothing is kept when any
    photo is refused."""
    task = lock_task(task, version)
    side = _side(actor, task, Side.CONTRACTOR)
    _require_state(task, S.CONFIRMED, S.IN_PROGRESS, S.DISPUTED)
    checked = _checked(task, report.checked)
    minutes = report.minutes_on_site
    if minutes is not None and not 1 <= minutes <= 24 * 60:
        raise TaskError(
            _("Time on site must be between 1 minute and 24 hours."),
            field="minutes_on_site",
        )
    cleaned = _photos(task, report.photos)
    ratelimit.hit("task-step", key=actor.pk)
    written = []
    try:
        for content in cleaned:
            photo = TaskPhoto.objects.create(
                task=task,
                image=content,
                description=" ".join(report.photo_description.split())[:200],
                added_by=actor,
            )
            written.append(photo.image.name)
        task.checked = checked
        task.completion_note = report.note.strip()
        task.minutes_on_site = minutes
        task.done_at = timezone.now()
        write_step(
            task,
            actor=actor,
            side=side,
            action="completed",
            to=S.DONE,
            note=task.completion_note,
            fields=["checked", "completion_note", "minutes_on_site", "done_at"],
        )
    except BaseException:
        storage = TaskPhoto._meta.get_field("image").storage
        for name in written:
            storage.delete(name)
        raise
    return task


@transaction.atomic
def task_accept(*, actor: User, task: Task, version: int | None = None) -> Task:
    task = lock_task(task, version)
    side = _side(actor, task, Side.CLIENT)
    _require_state(task, S.DONE, S.DISPUTED)
    ratelimit.hit("task-step", key=actor.pk)
    write_step(task, actor=actor, side=side, action="accepted", to=S.ACCEPTED)
    return task


@transaction.atomic
def task_dispute(
    *, actor: User, task: Task, reason: str, version: int | None = None
) -> Task:
    task = lock_task(task, version)
    side = _side(actor, task, Side.CLIENT)
    _require_state(task, S.DONE)
    reason = reason.strip()
    if not reason:
        raise TaskError(
            _("Please say what is not right, so the contractor can put it right."),
            field="reason",
        )
    ratelimit.hit("task-step", key=actor.pk)
    write_step(
        task, actor=actor, side=side, action="disputed", to=S.DISPUTED, note=reason
    )
    return task


def end_task(
    task: Task, *, actor: User | None, side: str, action: str, to: str, note: str = ""
) -> TaskStep:
    """End a locked task that is not under way (cancelled or missed): its
    open offers are withdrawn and the site it held is freed."""
    withdraw_open_slots(task)
    release_site(task)
    return write_step(
        task,
        actor=actor,
        side=side,
        action=action,
        to=to,
        note=note.strip(),
        fields=["booking"],
    )


@transaction.atomic
def task_cancel(
    *, actor: User, task: Task, reason: str = "", version: int | None = None
) -> Task:
    """Either side calls the task off while it is not under way."""
    task = lock_task(task, version)
    side = _side(actor, task)
    _require_state(task, *NOT_UNDER_WAY)
    ratelimit.hit("task-step", key=actor.pk)
    end_task(
        task, actor=actor, side=side, action="cancelled", to=S.CANCELLED, note=reason
    )
    return task


def task_cancel_for_end(task: Task, *, actor: User, reason: str = "") -> None:
    """Cancel an open task because its agreement ends (agreements.agreement_end,
    which has checked who may)."""
    task = lock_task(task, None)
    if task.state not in Task.OPEN_STATES:
        return
    end_task(
        task,
        actor=actor,
        side="",
        action="agreement_ended",
        to=S.CANCELLED,
        note=reason,
    )


# --- what the platform does by itself ---------------------------------------


def _sweep(due, states: Sequence[str], apply: Callable[[Task], object]) -> int:
    """Lock each task of ``due`` in its own transaction and ``apply`` the
    step when it is still in one of ``states``. Returns how many."""
    count = 0
    for pk in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            task = lock_task(Task(pk=pk), None)
            if task.state in states:
                apply(task)
                count += 1
    return count


def tasks_auto_accept(now: datetime | None = None) -> int:
    """Accept work reported done ``AUTO_ACCEPT_HOURS`` ago that nobody
    accepted or disputed. Returns how many."""
    now = now or timezone.now()
    hours = settings.NABOLAG_TASKS["AUTO_ACCEPT_HOURS"]
    due = Task.objects.filter(state=S.DONE, done_at__lte=now - timedelta(hours=hours))
    note = _("Accepted by itself after %(hours)s hours.") % {"hours": hours}
    return _sweep(
        due,
        [S.DONE],
        lambda task: write_step(
            task,
            actor=None,
            side="",
            action="auto_accepted",
            to=S.ACCEPTED,
            note=note,
        ),
    )


def tasks_mark_missed(now: datetime | None = None) -> int:
    """A task whose window has passed while it was still planned, proposed or
    confirmed (never started) is missed. Returns how many."""
    now = now or timezone.now()
    due = Task.objects.filter(state__in=NOT_UNDER_WAY, window_until__lt=now)
    return _sweep(
        due,
        NOT_UNDER_WAY,
        lambda task: end_task(task, actor=None, side="", action="missed", to=S.MISSED),
    )


# --- what the calendar does to a task ----------------------------------------


@transaction.atomic
def site_declined(task: Task, *, actor: User | None) -> Task | None:
    """The site's manager declined the (pending) booking that held the site
    for ``task`` (agenda's ``bookings_declined`` signal, inside its
    transaction): the agreed time is gone, the task is planned again and both
    sides are told after commit. A task no longer confirmed is left as it is.
    Returns the task when it was sent back."""
    from hub.oncommit import on_commit

    from .. import notify

    task = lock_task(task, None)
    if task.state != S.CONFIRMED:
        return None
    old_start = task.starts_at
    note = _("%(site)s was not approved for %(when)s.") % {
        "site": task.site.name,
        "when": _when(old_start) if old_start else "",
    }
    task.slots.filter(state=TaskSlot.State.CONFIRMED).update(
        state=TaskSlot.State.WITHDRAWN
    )
    task.starts_at = task.ends_at = None
    task.booking = None
    # The facility's manager is neither party: the step is the client's
    # side, whose booking it was.
    write_step(
        task,
        actor=actor,
        side=Side.CLIENT,
        action="site_declined",
        to=S.PLANNED,
        note=note,
        fields=["starts_at", "ends_at", "booking"],
    )
    when = old_start.isoformat() if old_start else ""
    on_commit(
        lambda: notify.site_declined.enqueue(task.pk, when),
        what=f"task {task.pk}: its site was declined",
    )
    return task
