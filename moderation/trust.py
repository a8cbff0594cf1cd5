"""Trust levels: what a new account may not do yet.

An account is *new* for ``NEW_ACCOUNT_DAYS`` after it was made, unless an
organiser vouched for it or it organises a space; strikes in force make it new
again. A new account posts no links, starts direct conversations only with
organisers and municipal staff, and has daily limits on messages, listings and
answers (``hub.limits``: the ``*-new-account`` entries). The numbers are settings.
"""

import re
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, TextChoices
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from communities.models import Membership
from communities.selectors import is_municipal_staff

from .models import Sanction, Vouch

AnyUser = User | AnonymousUser
LINK_RE = re.compile(
    r"(https?://|www\.)\S+|\b[\w-]+\.(dk|no|nl|com|net|org|io)\b", re.I
)


class Level(TextChoices):
    NEW = "new", _("New account")
    LOWERED = "lowered", _("Lowered by strikes")
    MEMBER = "member", _("Established")


def has_link(text: str) -> bool:
    return LINK_RE.search(text or "") is not None


def new_account_days() -> int:
    return settings.NABOLAG_MODERATION["NEW_ACCOUNT_DAYS"]


def _vouched_or_organiser(user: User) -> bool:
    if Vouch.objects.filter(user=user).exists():
        return True
    return Membership.objects.filter(
        user=user, state=Membership.State.ACTIVE, role=Membership.Role.ORGANISER
    ).exists()


def level(user: User, *, strikes: bool, now: datetime | None = None) -> str:
    """``user``'s trust level, given whether strikes are in force."""
    if strikes:
        return Level.MEMBER if is_municipal_staff(user) else Level.LOWERED
    since = (now or timezone.now()) - timedelta(days=new_account_days())
    if user.date_joined <= since:  # the usual case, with no query
        return Level.MEMBER
    if is_municipal_staff(user) or _vouched_or_organiser(user):
        return Level.MEMBER
    return Level.NEW


def link_refusal() -> str:
    return _(
        "New accounts cannot post links yet: they can after %(days)s days, or "
        "once an organiser vouches for them."
    ) % {"days": new_account_days()}


def strangers_refusal() -> str:
    return _(
        "New accounts can write directly to organisers and the municipality; to "
        "others after %(days)s days, or once an organiser vouches for them."
    ) % {"days": new_account_days()}


def may_be_written_to_by_newcomers(others) -> bool:
    """Whether every one of ``others`` organises a space or is municipal staff:
    the people a new account may start a direct conversation with."""
    others = list(others)
    organisers = set(
        Membership.objects.filter(
            user__in=others,
            state=Membership.State.ACTIVE,
            role=Membership.Role.ORGANISER,
        ).values_list("user_id", flat=True)
    )
    return all(u.pk in organisers or is_municipal_staff(u) for u in others)


def standing_of_members(community, users) -> dict[int, dict]:
    """communities' adapter: for the organisers' members page, which of
    ``users`` are new accounts, which were vouched for here, and their strikes
    in force. Two queries, whatever the number of members."""
    now = timezone.now()
    since = now - timedelta(days=new_account_days())
    ids = [u.pk for u in users]
    vouched = set(
        Vouch.objects.filter(user_id__in=ids).values_list("user_id", flat=True)
    )
    struck = dict(
        Sanction.objects.filter(
            user_id__in=ids, lifted_at__isnull=True, strike_expires_at__gt=now
        )
        .values_list("user_id")
        .annotate(n=Count("pk"))
    )
    return {
        u.pk: {
            "new": u.date_joined > since and u.pk not in vouched,
            "vouched": u.pk in vouched,
            "strikes": struck.get(u.pk, 0),
        }
        for u in users
    }
