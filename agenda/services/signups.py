"""Sign-up: going, maybe or not going, with guests; a waiting list when full.

Every answer to one occurrence is written under a lock on that occurrence's
row, so concurrent answers are counted one after another and the places are
never overfilled. When a place frees up (someone cancels or brings fewer
guests, the organiser adds places), the first on the waiting list whose party
fits is promoted and told.
"""

from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from hub import ratelimit
from hub.errors import NotPermitted
from hub.oncommit import on_commit

from .. import selectors
from ..errors import AgendaError
from ..models import Event, Occurrence, Signup

MAX_GUESTS = 20


def heads_confirmed(occurrence: Occurrence) -> int:
    """People with a place at ``occurrence``, guests counted."""
    row = Signup.objects.filter(
        occurrence=occurrence, response=Signup.Response.GOING, waiting=False
    ).aggregate(people=Count("pk"), guests=Sum("guests"))
    return row["people"] + (row["guests"] or 0)


def _open(occurrence: Occurrence, event: Event) -> bool:
    """Whether ``occurrence`` still takes people: not cancelled, left out or
    over."""
    return (
        occurrence.state == Occurrence.State.SCHEDULED
        and event.cancelled_at is None
        and occurrence.ends_at > timezone.now()
    )


def _promote(
    occurrence: Occurrence, event: Event, *, answering: Signup | None = None
) -> list[Signup]:
    """Give freed places to the waiting list, first come first, skipping a
    party too big for what is free. Runs under the occurrence's lock.

    Nobody is promoted on a date that is cancelled, left out or over (a place
    there is worth nothing, and the e-mail would say otherwise). ``answering``
    is the sign-up being answered now: when it gets a place here it is not told
    by e-mail, the page tells them."""
    if not _open(occurrence, event):
        return []
    if event.capacity is None:
        waiting = list(
            Signup.objects.filter(occurrence=occurrence, waiting=True).order_by(
                "queued_at", "pk"
            )
        )
    else:
        free = event.capacity - heads_confirmed(occurrence)
        waiting = []
        for signup in Signup.objects.filter(
            occurrence=occurrence, waiting=True
        ).order_by("queued_at", "pk"):
            if signup.heads <= free:
                waiting.append(signup)
                free -= signup.heads
            if free <= 0:
                break
    now = timezone.now()
    for signup in waiting:
        signup.waiting = False
        if answering is None or signup.pk != answering.pk:
            signup.promoted_at = now
    Signup.objects.bulk_update(waiting, ["waiting", "promoted_at"])
    for signup in waiting:
        if answering is None or signup.pk != answering.pk:
            _tell_promoted(signup)
    return waiting


def _tell_promoted(signup: Signup) -> None:
    from ..tasks import signup_promoted

    on_commit(
        lambda: signup_promoted.enqueue(signup.pk),
        what=f"tell sign-up {signup.pk} it has a place",
    )


def signup_answer(
    *, user: User, occurrence: Occurrence, response: str, guests: int = 0
) -> Signup:
    """Answer for ``occurrence``. Going takes a place when enough are free
    (the person and their guests), otherwise a place on the waiting list."""
    if response not in Signup.Response.values:
        raise AgendaError(_("Choose going, maybe or not going."), field="response")
    if not 0 <= guests <= MAX_GUESTS:
        raise AgendaError(
            _("You can bring at most %(count)s guests.") % {"count": MAX_GUESTS},
            field="guests",
        )
    if response != Signup.Response.GOING:
        guests = 0
    ratelimit.hit("signup-answer", key=user.pk)
    with transaction.atomic():
        occurrence = (
            # Only the occurrence's row: its event's organiser may be none (an
            # outer join, which PostgreSQL cannot lock).
            Occurrence.objects.select_for_update(of=("self",))
            .select_related("event__community")
            .get(pk=occurrence.pk)
        )
        event = occurrence.event
        if not selectors.can_see_event(user, event):
            raise NotPermitted(_("This event is not open to you."))
        if not event.signup_open:
            raise AgendaError(_("This event takes no sign-ups."))
        if occurrence.is_cancelled or occurrence.state == Occurrence.State.EXCLUDED:
            raise AgendaError(_("This date is cancelled."))
        if occurrence.ends_at <= timezone.now():
            raise AgendaError(_("This date is over."))
        signup = (
            Signup.objects.select_for_update()
            .filter(occurrence=occurrence, user=user)
            .first()
        )
        holds_place = (
            signup is not None
            and signup.response == Signup.Response.GOING
            and not signup.waiting
        )
        if signup is None:
            signup = Signup(occurrence=occurrence, user=user)
        held = signup.heads if holds_place else 0
        going_before = signup.response == Signup.Response.GOING
        signup.response = response
        signup.guests = guests
        if response != Signup.Response.GOING:
            signup.waiting = False
            signup.queued_at = None
        elif event.capacity is None:
            signup.waiting = False
            signup.queued_at = signup.queued_at or timezone.now()
        else:
            free = event.capacity - (heads_confirmed(occurrence) - held)
            if holds_place:
                if signup.heads > free:
                    raise AgendaError(
                        _(
                            "Only %(free)s places are free, you included: bring "
                            "fewer guests."
                        )
                        % {"free": free},
                        field="guests",
                    )
            else:
                if not going_before or signup.queued_at is None:
                    signup.queued_at = timezone.now()
                others_waiting = (
                    Signup.objects.filter(occurrence=occurrence, waiting=True)
                    .exclude(pk=signup.pk)
                    .exists()
                )
                signup.waiting = others_waiting or signup.heads > free
        signup.save()
        _promote(occurrence, event, answering=signup)
    signup.refresh_from_db()
    return signup


def signup_withdraw(*, user: User, occurrence: Occurrence) -> None:
    """Take back one's answer altogether; a place it held goes to the waiting
    list. Once the date is over, the answer stays as the record of who came."""
    ratelimit.hit("signup-answer", key=user.pk)
    with transaction.atomic():
        occurrence = (
            Occurrence.objects.select_for_update(of=("self",))
            .select_related("event")
            .get(pk=occurrence.pk)
        )
        if occurrence.ends_at <= timezone.now():
            raise AgendaError(_("This date is over."))
        deleted, _rows = Signup.objects.filter(
            occurrence=occurrence, user=user
        ).delete()
        if deleted:
            _promote(occurrence, occurrence.event)


def capacity_changed(event: Event) -> None:
    """After the organiser adds places: promote on every coming date."""
    for occurrence in event.occurrences.filter(ends_at__gte=timezone.now()):
        with transaction.atomic():
            locked = Occurrence.objects.select_for_update().get(pk=occurrence.pk)
            _promote(locked, event)
