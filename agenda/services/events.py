"""Events and series: created and edited by organisers from the portal.

A series is expanded once, on write, into its occurrences. Editing keeps what
people did with the dates (their sign-ups, a moved or cancelled date) wherever
the date is still in the series: occurrences are matched by their local date.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Count, F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from communities.models import Community
from hub import ratelimit
from hub.errors import NotPermitted
from hub.oncommit import on_commit
from moderation.sanctions import require_may_write

from .. import permissions, recurrence
from ..errors import AgendaError
from ..models import Booking, Event, Facility, Occurrence, Signup
from ..signals import occurrences_changed
from . import bookings, signups


class Scope:
    """Which dates an edit of a series applies to."""

    THIS = "this"
    FOLLOWING = "following"
    ALL = "all"
    CHOICES = (THIS, FOLLOWING, ALL)


@dataclass(frozen=True)
class EventFields:
    """What an organiser types for an event; the form builds it, the services
    take it."""

    title: str
    starts_at: datetime
    ends_at: datetime
    description: str = ""
    place: str = ""
    category: str = "other"
    audience: str = "everyone"
    expected_attendance: int | None = None
    is_public: bool = True
    rrule: str = ""
    capacity: int | None = None
    signup_open: bool = True
    facility: Facility | None = None
    village: Community | None = None

    @classmethod
    def of(cls, event: Event, occurrence: Occurrence | None = None) -> "EventFields":
        """The fields as they stand, for a form that edits ``event`` (at
        ``occurrence``, when one date is edited)."""
        starts_at = occurrence.starts_at if occurrence else event.starts_at
        ends_at = occurrence.ends_at if occurrence else event.starts_at + event.duration
        return cls(
            title=event.title,
            starts_at=recurrence.local(starts_at),
            ends_at=recurrence.local(ends_at),
            description=event.description,
            place=event.place,
            category=event.category,
            audience=event.audience,
            expected_attendance=event.expected_attendance,
            is_public=event.is_public,
            rrule=event.rrule,
            capacity=event.capacity,
            signup_open=event.signup_open,
            facility=event.facility,
            village=event.village,
        )


def _check(fields: EventFields) -> EventFields:
    title = fields.title.strip()
    errors: dict[str, list] = {}
    if not title:
        errors["title"] = [_("Give the event a title.")]
    if fields.ends_at <= fields.starts_at:
        errors["ends_at"] = [_("An event must end after it starts.")]
    elif fields.ends_at - fields.starts_at > timedelta(days=14):
        errors["ends_at"] = [_("One date of an event can last at most 14 days.")]
    if fields.village is not None and fields.village.kind != Community.Kind.VILLAGE:
        errors["village"] = [_("Choose a village.")]
    if errors:
        raise AgendaError(next(iter(errors.values()))[0], errors=errors)
    return replace(fields, title=title, rrule=recurrence.normalise(fields.rrule))


def _event_values(fields: EventFields) -> dict:
    return {
        "title": fields.title,
        "description": fields.description.strip(),
        "place": fields.place.strip(),
        "category": fields.category,
        "audience": fields.audience,
        "expected_attendance": fields.expected_attendance,
        "is_public": fields.is_public,
        "capacity": fields.capacity,
        "signup_open": fields.signup_open,
        "facility": fields.facility,
        "village": fields.village,
    }


def _require_organiser(actor: User, community: Community | None) -> None:
    if not permissions.can_organise(actor, community):
        raise NotPermitted(_("Only the organisers can create and change its events."))


def _book(
    actor: User, event: Event, occurrences: Sequence[Occurrence], *, exclude=()
) -> None:
    """Hold the event's facility for each live occurrence."""
    live = [o for o in occurrences if o.state == Occurrence.State.SCHEDULED]
    if event.facility is None or not live:
        return
    bookings.place_bookings(
        actor=actor,
        facility=event.facility,
        community=event.community,
        title=event.title,
        times=[bookings.Slot(o.starts_at, o.ends_at) for o in live],
        occurrences=live,
        is_public=event.is_public,
        exclude=exclude,
        allow_past=True,
        # A series' dates are decided together, as a season's are.
        season=uuid.uuid4() if len(live) > 1 else None,
    )


def _release(occurrences: Sequence[Occurrence]) -> list[int]:
    """Cancel the bookings of ``occurrences``; their ids, for a later check to
    skip."""
    ids = list(
        Booking.objects.filter(
            occurrence__in=list(occurrences), state__in=Booking.LIVE_STATES
        ).values_list("pk", flat=True)
    )
    Booking.objects.filter(pk__in=ids).delete()
    return ids


def event_create(
    *, actor: User, community: Community | None, fields: EventFields
) -> Event:
    """Create an event, or a series by its rule, with every occurrence and the
    facility held for each. Nothing is saved when any date cannot be booked."""
    _require_organiser(actor, community)
    require_may_write(
        actor, space_ids=[community.pk] if community else [], text=fields.description
    )
    fields = _check(fields)
    if fields.starts_at < timezone.now() - timedelta(days=1):
        raise AgendaError(_("An event cannot start in the past."), field="starts_at")
    ratelimit.hit("event-create", key=actor.pk)
    starts = recurrence.expand(fields.starts_at, fields.rrule)
    duration = fields.ends_at - fields.starts_at
    with transaction.atomic():
        if fields.facility is not None:
            Facility.objects.select_for_update().filter(pk=fields.facility.pk).first()
        event = Event.objects.create(
            community=community,
            created_by=actor,
            starts_at=starts[0],
            duration=duration,
            rrule=fields.rrule,
            **_event_values(fields),
        )
        created = _new_occurrences(event, starts)
        _book(actor, event, created)
        _changed(created, "created")
    return event


def _new_occurrences(event: Event, starts: Sequence[datetime]) -> list[Occurrence]:
    """The occurrences of ``event`` at ``starts`` (local), saved."""
    return Occurrence.objects.bulk_create(
        Occurrence(
            event=event, original_start=s, starts_at=s, ends_at=s + event.duration
        )
        for s in starts
    )


def _heads_signed_up(occurrences) -> int:
    """The most people (guests counted) confirmed for any one of ``occurrences``."""
    rows = (
        Signup.objects.filter(
            occurrence__in=occurrences, response=Signup.Response.GOING, waiting=False
        )
        .values("occurrence")
        .annotate(people=Count("pk"), guests=Sum("guests"))
        .values_list("people", "guests")
    )
    return max((people + (guests or 0) for people, guests in rows), default=0)


def _check_capacity(event: Event, capacity: int | None, occurrences) -> None:
    if capacity is None:
        return
    signed_up = _heads_signed_up(occurrences)
    if capacity < signed_up:
        raise AgendaError(
            _(
                "%(signed)s people have already signed up for one date: the "
                "places cannot be fewer."
            )
            % {"signed": signed_up},
            field="capacity",
        )


def _lock(event: Event) -> Event:
    return Event.objects.select_for_update().get(pk=event.pk)


def _regenerate(
    actor: User, event: Event, starts: list[datetime], *, since=None
) -> None:
    """Make the event's occurrences (from ``since`` on) those of ``starts``,
    keeping the row, sign-ups and changes of every local date still there."""
    current = Occurrence.objects.filter(event=event)
    if since is not None:
        current = current.filter(original_start__gte=since)
    by_day = {recurrence.local(o.original_start).date(): o for o in current}
    if not event.rrule and len(starts) == 1 and len(by_day) == 1:
        # An event that happens once moves with its sign-ups to its new date.
        by_day = {starts[0].date(): next(iter(by_day.values()))}
    keep: list[Occurrence] = []
    new: list[datetime] = []
    changed: list[Occurrence] = []
    for start in starts:
        found = by_day.pop(start.date(), None)
        if found is None:
            new.append(start)
            continue
        found.original_start = start
        if not found.moved:
            before = (found.starts_at, found.ends_at)
            found.starts_at = start
            found.ends_at = start + event.duration
            if before != (found.starts_at, found.ends_at):
                changed.append(found)
        keep.append(found)
    released = [*_release(keep), *_leave(list(by_day.values()))]
    # Two passes: a kept date whose start moves onto another kept date's old
    # start would break the unique (event, original_start) on the way.
    for o in keep:
        o.original_start = o.original_start + timedelta(days=36500)
    Occurrence.objects.bulk_update(keep, ["original_start"])
    for o in keep:
        o.original_start = o.original_start - timedelta(days=36500)
    Occurrence.objects.bulk_update(keep, ["original_start", "starts_at", "ends_at"])
    created = _new_occurrences(event, new)
    _book(actor, event, [*keep, *created], exclude=released)
    _tell_moved(changed)
    _changed(changed, "moved")
    _changed(created, "created")


def _leave(gone: Sequence[Occurrence]) -> list[int]:
    """Take out the dates a new rule no longer gives, releasing their bookings
    (their ids). A date somebody answered going or maybe for is not deleted
    under them: still to come, it is cancelled (shown so, and they are told
    after commit); past, it stays as it was. The others are deleted."""
    answered = _answered(gone)
    now = timezone.now()
    stays = [
        o for o in gone if o.pk in answered and o.state != Occurrence.State.EXCLUDED
    ]
    past = [o for o in stays if o.ends_at <= now]
    cancel = [
        o for o in stays if o not in past and o.state == Occurrence.State.SCHEDULED
    ]
    released = _release([o for o in gone if o not in past])
    _changed([o for o in gone if o not in past], "cancelled")
    Occurrence.objects.filter(pk__in=[o.pk for o in gone if o not in stays]).delete()
    Occurrence.objects.filter(pk__in=[o.pk for o in cancel]).update(
        state=Occurrence.State.CANCELLED
    )
    for occurrence in cancel:
        _tell(occurrence, "cancelled")
    return released


def _answered(occurrences: Sequence[Occurrence]) -> set[int]:
    """The ids of those of ``occurrences`` somebody answered going or maybe for
    (waiting included): the people told when a date changes."""
    if not occurrences:
        return set()
    return set(
        Signup.objects.filter(
            occurrence__in=list(occurrences),
            response__in=[Signup.Response.GOING, Signup.Response.MAYBE],
        ).values_list("occurrence_id", flat=True)
    )


def _tell_moved(occurrences: Sequence[Occurrence]) -> None:
    """Tell those signed up for the coming ``occurrences`` that their time
    changed (one task per date somebody answered for, not per date)."""
    coming = [
        o
        for o in occurrences
        if o.state == Occurrence.State.SCHEDULED and o.ends_at > timezone.now()
    ]
    answered = _answered(coming)
    for occurrence in coming:
        if occurrence.pk in answered:
            _tell(occurrence, "moved")


def series_first(
    *, event: Event, starts_at: datetime, scope: str, occurrence: Occurrence | None
) -> datetime:
    """Where the series starts when a form showing ``occurrence`` says
    ``starts_at`` for ``scope``: for all dates, the change of that date and
    time applies to the series' own first date (its original one, whichever
    dates were moved; in local wall-clock time, across summer time), which
    also gives a rule its weekday and day of the month."""
    if occurrence is None or scope != Scope.ALL:
        return starts_at
    wall = recurrence.local(starts_at).replace(tzinfo=None)
    shift = wall - recurrence.local(occurrence.starts_at).replace(tzinfo=None)
    first = recurrence.local(event.starts_at).replace(tzinfo=None) + shift
    return first.replace(tzinfo=recurrence.zone())


def _following_rule(event: Event, rule: str, later: int) -> str:
    """The new series' rule from a split: an unchanged COUNT counts only the
    ``later`` dates it takes over."""
    if rule == event.rrule and "COUNT=" in rule:
        return recurrence.with_count(rule, later)
    return rule


def _splits(event: Event, scope: str, occurrence: Occurrence | None) -> bool:
    return (
        scope == Scope.FOLLOWING
        and occurrence is not None
        and occurrence.original_start > event.starts_at
    )


def planned_starts(
    *,
    event: Event,
    fields: EventFields,
    scope: str = Scope.ALL,
    occurrence: Occurrence | None = None,
) -> list[datetime]:
    """The starts (local) of the dates ``event_update`` with these arguments
    writes: what a clash check looks at before it. Raises AgendaError for a
    rule that cannot be expanded."""
    rule = recurrence.normalise(fields.rrule)
    if scope == Scope.THIS:
        return [recurrence.local(fields.starts_at)]
    if _splits(event, scope, occurrence):
        later = event.occurrences.filter(
            original_start__gte=occurrence.original_start
        ).count()
        return recurrence.expand(fields.starts_at, _following_rule(event, rule, later))
    first = series_first(
        event=event, starts_at=fields.starts_at, scope=scope, occurrence=occurrence
    )
    return recurrence.expand(first, rule)


def event_update(
    *,
    actor: User,
    event: Event,
    fields: EventFields,
    scope: str = Scope.ALL,
    occurrence: Occurrence | None = None,
) -> Event:
    """Change an event: ``scope`` THIS changes only ``occurrence`` (moving it
    when its time changes), FOLLOWING splits the series there into a new one,
    ALL changes the series. Returns the event that now holds the dates (the new
    one for FOLLOWING)."""
    _require_organiser(actor, event.community)
    require_may_write(
        actor,
        space_ids=[event.community_id] if event.community_id else [],
        text=fields.description,
    )
    if scope not in Scope.CHOICES:
        raise AgendaError(_("Choose which dates to change."), field="scope")
    if scope != Scope.ALL and (occurrence is None or occurrence.event_id != event.pk):
        raise AgendaError(_("Choose the date to change."), field="scope")
    fields = _check(fields)
    ratelimit.hit("event-update", key=actor.pk)
    with transaction.atomic():
        event = _lock(event)
        if fields.facility is not None:
            Facility.objects.select_for_update().filter(pk=fields.facility.pk).first()
        if scope == Scope.THIS:
            occurrence = Occurrence.objects.get(pk=occurrence.pk)
            _require_only_times(event, fields)
            return _update_one(actor, event, occurrence, fields)
        if _splits(event, scope, occurrence):
            occurrence = Occurrence.objects.get(pk=occurrence.pk)
            return _split(actor, event, occurrence, fields)
        _check_capacity(event, fields.capacity, event.occurrences.all())
        duration = fields.ends_at - fields.starts_at
        first = series_first(
            event=event, starts_at=fields.starts_at, scope=scope, occurrence=occurrence
        )
        starts = recurrence.expand(first, fields.rrule)
        more_places = event.capacity is not None and (
            fields.capacity is None or fields.capacity > event.capacity
        )
        for name, value in _event_values(fields).items():
            setattr(event, name, value)
        event.starts_at = starts[0]
        event.duration = duration
        event.rrule = fields.rrule
        event.sequence += 1
        event.save()
        _regenerate(actor, event, starts)
        if more_places:
            # The places added go to those waiting, first come first.
            signups.capacity_changed(event)
    return event


def _require_only_times(event: Event, fields: EventFields) -> None:
    """One date of a series keeps the series' title, place, places and the
    rest: only its date and times are its own."""
    now = _event_values(_check(EventFields.of(event)))
    if _event_values(fields) != now or fields.rrule != event.rrule:
        raise AgendaError(
            _(
                "Only the date and times of one date can be changed. To change "
                "anything else, choose this and following dates, or all dates."
            ),
            field="scope",
        )


def _update_one(
    actor: User, event: Event, occurrence: Occurrence, fields: EventFields
) -> Event:
    if occurrence.state == Occurrence.State.EXCLUDED:
        raise AgendaError(_("This date is no longer part of the series."))
    moved = (fields.starts_at, fields.ends_at) != (
        occurrence.starts_at,
        occurrence.ends_at,
    )
    if moved:
        released = _release([occurrence])
        occurrence.starts_at = fields.starts_at
        occurrence.ends_at = fields.ends_at
        occurrence.moved = (
            occurrence.starts_at != occurrence.original_start
            or occurrence.ends_at != occurrence.original_start + event.duration
        )
        occurrence.save(update_fields=["starts_at", "ends_at", "moved"])
        _book(actor, event, [occurrence], exclude=released)
        Event.objects.filter(pk=event.pk).update(sequence=F("sequence") + 1)
        _tell(occurrence, "moved")
        _changed([occurrence], "moved")
    return event


def _split(
    actor: User, event: Event, occurrence: Occurrence, fields: EventFields
) -> Event:
    """End ``event`` before ``occurrence`` and carry on from there as a new
    event with ``fields``."""
    later = list(
        event.occurrences.filter(original_start__gte=occurrence.original_start)
    )
    _check_capacity(event, fields.capacity, later)
    rule = _following_rule(event, fields.rrule, len(later))
    old_rule = recurrence.with_until(event.rrule, occurrence.original_start)
    starts = recurrence.expand(fields.starts_at, rule)
    new = Event.objects.create(
        community=event.community,
        created_by=actor,
        starts_at=starts[0],
        duration=fields.ends_at - fields.starts_at,
        rrule=rule,
        **_event_values(fields),
    )
    # The later dates move to the new series (their bookings released and
    # placed again there); those it keeps are matched by local date in
    # _regenerate.
    Occurrence.objects.filter(pk__in=[o.pk for o in later]).update(event=new)
    event.rrule = old_rule
    event.sequence += 1
    event.save(update_fields=["rrule", "sequence", "updated_at"])
    _regenerate(actor, new, starts)
    return new


def _changed(occurrences: Sequence[Occurrence], change: str) -> None:
    """Let the apps above the calendar follow (the task board moves the work
    tied to a match), inside this transaction: see agenda.signals."""
    if occurrences:
        occurrences_changed.send(
            sender=Occurrence, occurrences=list(occurrences), change=change
        )


def _tell(occurrence: Occurrence, change: str) -> None:
    """Tell the people signed up for ``occurrence`` that it moved or was
    cancelled, after commit."""
    from ..tasks import occurrence_changed

    on_commit(
        lambda: occurrence_changed.enqueue(occurrence.pk, change),
        what=f"tell sign-ups of occurrence {occurrence.pk} it {change}",
    )


def occurrence_cancel(
    *, actor: User, occurrence: Occurrence, note: str = ""
) -> Occurrence:
    """Cancel one date; it stays in the calendar, marked cancelled, and its
    facility is free again."""
    _require_organiser(actor, occurrence.event.community)
    ratelimit.hit("event-update", key=actor.pk)
    with transaction.atomic():
        occurrence = Occurrence.objects.select_for_update().get(pk=occurrence.pk)
        if occurrence.state != Occurrence.State.SCHEDULED:
            raise AgendaError(_("This date is already cancelled."))
        _release([occurrence])
        occurrence.state = Occurrence.State.CANCELLED
        occurrence.note = note.strip()[:300]
        occurrence.save(update_fields=["state", "note"])
        Event.objects.filter(pk=occurrence.event_id).update(sequence=F("sequence") + 1)
        _tell(occurrence, "cancelled")
        _changed([occurrence], "cancelled")
    return occurrence


def occurrence_restore(*, actor: User, occurrence: Occurrence) -> Occurrence:
    """Bring back a cancelled or left-out date, booking its facility again."""
    event = occurrence.event
    _require_organiser(actor, event.community)
    ratelimit.hit("event-update", key=actor.pk)
    with transaction.atomic():
        occurrence = Occurrence.objects.select_for_update().get(pk=occurrence.pk)
        if occurrence.state == Occurrence.State.SCHEDULED:
            raise AgendaError(_("This date is not cancelled."))
        occurrence.state = Occurrence.State.SCHEDULED
        occurrence.note = ""
        occurrence.save(update_fields=["state", "note"])
        _book(actor, event, [occurrence])
        Event.objects.filter(pk=event.pk).update(
            sequence=F("sequence") + 1, cancelled_at=None
        )
        _changed([occurrence], "restored")
    return occurrence


def occurrence_exclude(*, actor: User, occurrence: Occurrence) -> Occurrence:
    """Leave a date out of the series (an exception: the autumn holiday). It is
    shown nowhere, and feeds list it as an EXDATE; nobody may be signed up."""
    event = occurrence.event
    _require_organiser(actor, event.community)
    if not event.is_series:
        raise AgendaError(_("Only a date of a series can be left out."))
    if occurrence.signups.filter(response=Signup.Response.GOING).exists():
        raise AgendaError(
            _("People have signed up for this date: cancel it instead, so they see it.")
        )
    ratelimit.hit("event-update", key=actor.pk)
    with transaction.atomic():
        _release([occurrence])
        occurrence.state = Occurrence.State.EXCLUDED
        occurrence.save(update_fields=["state"])
        Event.objects.filter(pk=event.pk).update(sequence=F("sequence") + 1)
        _changed([occurrence], "cancelled")
    return occurrence


def event_cancel(*, actor: User, event: Event, note: str = "") -> Event:
    """Cancel a whole event or what is left of a series: past dates stay as they
    were, the coming ones are cancelled and their facility freed."""
    _require_organiser(actor, event.community)
    ratelimit.hit("event-update", key=actor.pk)
    now = timezone.now()
    with transaction.atomic():
        event = _lock(event)
        coming = list(
            event.occurrences.filter(state=Occurrence.State.SCHEDULED, ends_at__gte=now)
        )
        _release(coming)
        Occurrence.objects.filter(pk__in=[o.pk for o in coming]).update(
            state=Occurrence.State.CANCELLED, note=note.strip()[:300]
        )
        if (
            len(coming)
            == event.occurrences.exclude(state=Occurrence.State.EXCLUDED).count()
        ):
            event.cancelled_at = now
        event.sequence += 1
        event.save(update_fields=["cancelled_at", "sequence", "updated_at"])
        for occurrence in coming:
            _tell(occurrence, "cancelled")
        _changed(coming, "cancelled")
    return event


def page_event_sync(
    *,
    community: Community | None,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    place: str = "",
    description: str = "",
    uid: uuid.UUID,
) -> Event:
    """Keep the calendar's event of an editorial event page (a Wagtail page,
    published by an editor Wagtail already allowed) in step with the page: one
    date, no facility. ``uid`` is the page's own, stable across its revisions.
    Sign-ups on that date stay."""
    if ends_at <= starts_at:
        raise AgendaError(_("An event must end after it starts."), field="end_at")
    values = {
        "community": community,
        "title": title[:140],
        "place": place[:200],
        "description": description[:5000],
        "starts_at": starts_at,
        "duration": ends_at - starts_at,
        "rrule": "",
    }
    with transaction.atomic():
        event = Event.objects.select_for_update().filter(uid=uid).first()
        if event is None:
            event = Event.objects.create(uid=uid, **values)
            moved = False
        else:
            moved = (event.starts_at, event.duration) != (
                values["starts_at"],
                values["duration"],
            )
            for name, value in values.items():
                setattr(event, name, value)
            event.cancelled_at = None
            event.sequence += 1
            event.save()
        _page_date(event, moved=moved)
    return event


def _page_date(event: Event, *, moved: bool) -> None:
    """Give the event of a page its one date, ``event.starts_at``: made when it
    has none, otherwise its first date moved there (with its sign-ups; those
    answered are told) when ``moved``, any others deleted."""
    occurrence = event.occurrences.order_by("original_start").first()
    if occurrence is None:
        _new_occurrences(event, [event.starts_at])
    elif moved:
        Occurrence.objects.filter(pk=occurrence.pk).update(
            original_start=event.starts_at,
            starts_at=event.starts_at,
            ends_at=event.starts_at + event.duration,
            moved=False,
        )
        event.occurrences.exclude(pk=occurrence.pk).delete()
        _tell(occurrence, "moved")


def page_event_withdraw(event: Event) -> None:
    """The event page was unpublished or deleted: its date is cancelled, so
    those signed up see it and are told."""
    coming = list(
        event.occurrences.filter(
            state=Occurrence.State.SCHEDULED, ends_at__gte=timezone.now()
        )
    )
    Occurrence.objects.filter(pk__in=[o.pk for o in coming]).update(
        state=Occurrence.State.CANCELLED
    )
    Event.objects.filter(pk=event.pk).update(
        cancelled_at=timezone.now(), sequence=F("sequence") + 1
    )
    for occurrence in coming:
        _tell(occurrence, "cancelled")
