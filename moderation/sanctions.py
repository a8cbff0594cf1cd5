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
from hub import ratelimit
from hub.errors import ApplicationError

from . import trust
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


def _standing(user: User, now: datetime) -> list[Sanction]:
    """In one query: the sanctions that restrict ``user`` now or count as
    strikes."""
    return list(
        Sanction.objects.filter(user=user, lifted_at__isnull=True).filter(
            _in_force(now) | Q(strike_expires_at__gt=now)
        )
    )


def _covering(standing: list[Sanction], space_ids, now: datetime) -> Sanction | None:
    """The silence or suspension in force among ``standing`` that covers
    ``space_ids`` (one everywhere covers every space and all outside them)."""
    ids = {pk for pk in space_ids if pk is not None}
    covering = [
        s
        for s in standing
        if s.kind in RESTRICTING
        and s.ends_at is not None
        and s.ends_at > now
        and (s.space_id is None or s.space_id in ids)
    ]
    return max(covering, key=lambda s: s.ends_at, default=None)


def silence_for(user: AnyUser, *, space_ids=()) -> Sanction | None:
    if not user.is_authenticated:
        return None
    now = timezone.now()
    return _covering(_standing(user, now), space_ids, now)


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


def require_may_write(
    user: AnyUser, *, space_ids=(), text: str = "", action: str = ""
) -> None:
    """Refuse a write by a silenced person in one of ``space_ids`` (or anywhere,
    for a silence everywhere); empty ``space_ids``: a write outside any space (a
    direct message, a listing shared with everyone nearby). For a new account
    (``moderation.trust``), also refuse links in ``text`` and count ``action``
    against its daily limit (``<action>-new-account`` in ``hub.limits``)."""
    if not user.is_authenticated:
        return
    now = timezone.now()
    standing = _standing(user, now)
    sanction = _covering(standing, space_ids, now)
    if sanction is not None:
        raise _refusal(sanction)
    if not text and not action:
        return
    strikes = any(s.strike_expires_at > now for s in standing)
    if trust.level(user, strikes=strikes, now=now) == trust.Level.MEMBER:
        return
    if text and trust.has_link(text):
        raise Restricted(trust.link_refusal(), field="body")
    if action:
        ratelimit.hit(f"{action}-new-account", key=user.pk)


def require_may_start_direct(user: AnyUser, others=()) -> None:
    """Any silence in force stops a person starting direct conversations; a new
    account starts them only with organisers and municipal staff."""
    if not user.is_authenticated:
        return
    now = timezone.now()
    standing = _standing(user, now)
    silences = [
        s
        for s in standing
        if s.kind == Sanction.Kind.SILENCE and s.ends_at and s.ends_at > now
    ]
    if silences:
        raise _refusal(silences[0])
    strikes = any(s.strike_expires_at > now for s in standing)
    if trust.level(user, strikes=strikes, now=now) == trust.Level.MEMBER:
        return
    if not trust.may_be_written_to_by_newcomers(others):
        raise Restricted(trust.strangers_refusal())


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
