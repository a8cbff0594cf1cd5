"""Sanctions: who may not write where, and the strikes on a person's record.

Every app's writes ask ``require_may_write`` (messages, reactions, listings,
answers, bookings: pages, API and socket alike), and the live socket asks
``silenced_spaces`` whenever it re-checks its subscriptions, so a silence or a
suspension takes effect on the next write and the next frame. A silence in a
space makes that space read only; a silence everywhere makes the whole platform
read only; any silence also stops the person starting direct conversations. A
suspension deactivates the account until it ends (``expire``).
"""

from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from hub.errors import ApplicationError

from .models import Sanction

AnyUser = User | AnonymousUser
RESTRICTING = (Sanction.Kind.SILENCE, Sanction.Kind.SUSPENSION)


class Restricted(ApplicationError):
    status = 403
    default_message = _("You cannot write here while a sanction is in force.")


def _in_force(now: datetime | None = None) -> Q:
    return Q(
        lifted_at__isnull=True, kind__in=RESTRICTING, ends_at__gt=now or timezone.now()
    )


def silence_for(user: AnyUser, *, space_ids=()) -> Sanction | None:
    """The silence or suspension in force that covers ``space_ids`` (a silence
    everywhere covers every space and everything outside one), if any."""
    if not user.is_authenticated:
        return None
    scope = Q(space__isnull=True)
    ids = [pk for pk in space_ids if pk is not None]
    if ids:
        scope |= Q(space_id__in=ids)
    found = Sanction.objects.filter(_in_force(), scope, user=user)
    return found.order_by("-ends_at").first()


def _refusal(sanction: Sanction) -> Restricted:
    until = formats.date_format(
        timezone.localtime(sanction.ends_at), "SHORT_DATETIME_FORMAT"
    )
    if sanction.space_id is None:
        text = _("You are silenced until %(until)s: you can read, but not write.")
    else:
        text = _(
            "You are silenced in this space until %(until)s: you can read, "
            "but not write."
        )
    return Restricted(text % {"until": until})


def require_may_write(user: AnyUser, *, space_ids=()) -> None:
    """Refuse a write by a silenced person in one of ``space_ids`` (or anywhere,
    for a silence everywhere). Empty ``space_ids``: a write outside any space
    (a direct message, a listing shared with everyone nearby)."""
    sanction = silence_for(user, space_ids=space_ids)
    if sanction is not None:
        raise _refusal(sanction)


def require_may_start_direct(user: AnyUser) -> None:
    """Any silence in force stops a person starting direct conversations."""
    if not user.is_authenticated:
        return
    sanction = Sanction.objects.filter(
        _in_force(), user=user, kind=Sanction.Kind.SILENCE
    ).first()
    if sanction is not None:
        raise _refusal(sanction)


def silenced_spaces(user_id: int) -> tuple[bool, set[int]]:
    """(silenced everywhere, the spaces silenced in) for the live socket."""
    rows = Sanction.objects.filter(_in_force(), user_id=user_id).values_list(
        "space_id", flat=True
    )
    spaces = set(rows)
    return None in spaces, {pk for pk in spaces if pk is not None}


def strikes(user: User, now: datetime | None = None) -> QuerySet[Sanction]:
    """The sanctions that count against ``user`` now (not lifted, not expired)."""
    return Sanction.objects.filter(
        user=user, lifted_at__isnull=True, strike_expires_at__gt=now or timezone.now()
    )


def strike_days() -> int:
    return settings.NABOLAG_MODERATION["STRIKE_DAYS"]


def expire(now: datetime | None = None) -> int:
    """Reactivate the accounts whose suspension has ended (and no other holds);
    returns how many. Run by ``manage.py moderation_maintenance``."""
    now = now or timezone.now()
    ended = Sanction.objects.filter(
        kind=Sanction.Kind.SUSPENSION, lifted_at__isnull=True, ends_at__lte=now
    ).values("user_id")
    still = Sanction.objects.filter(_in_force(now), kind=Sanction.Kind.SUSPENSION)
    users = User.objects.filter(pk__in=ended, is_active=False).exclude(
        pk__in=still.values("user_id")
    )
    count = 0
    for user in users:
        user.is_active = True
        user.save(update_fields=["is_active"])
        count += 1
    return count
