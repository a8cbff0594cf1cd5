"""Who may see and who may act on an agreement and its tasks. Services refuse
by these; selectors and templates offer by them.

- **Acting** for a side: the active organisers of that side's community and
  the people the agreement names for that side (``AgreementActor``) while
  they are still active members of it: someone who leaves the firm stops
  acting for it, named or not.
- **Seeing**: the active members of either community (a contractor's staff
  see the agreements of their own firm, never another firm's), which takes
  in everyone who may act. Municipal staff see an agreement only once both
  parties share it with the municipality; they never act on it.
"""

from django.db.models import Q

from communities.models import Membership
from communities.selectors import AnyUser, is_municipal_staff

from .models import Agreement, AgreementActor, Side, Task


def organiser_of(user: AnyUser, community_id: int) -> bool:
    return Membership.objects.filter(
        user=user,
        community_id=community_id,
        state=Membership.State.ACTIVE,
        role=Membership.Role.ORGANISER,
    ).exists()


def sides_of(user: AnyUser, agreement: Agreement) -> set[str]:
    """The sides ``user`` may act for on ``agreement`` (none, one, or both when
    one person runs both communities)."""
    if not user.is_authenticated or not user.is_active:
        return set()
    named = set(
        AgreementActor.objects.filter(agreement=agreement, user=user).values_list(
            "side", flat=True
        )
    )
    roles = dict(
        Membership.objects.filter(
            user=user,
            community_id__in=[agreement.client_id, agreement.contractor_id],
            state=Membership.State.ACTIVE,
        ).values_list("community_id", "role")
    )
    sides = set()
    for side, community_id in (
        (Side.CLIENT, agreement.client_id),
        (Side.CONTRACTOR, agreement.contractor_id),
    ):
        if community_id in roles and (
            side in named or roles[community_id] == Membership.Role.ORGANISER
        ):
            sides.add(side)
    return sides


def side_of(user: AnyUser, agreement: Agreement, *, prefer: str | None = None) -> str:
    """The one side ``user`` acts for, "" when none (``prefer`` breaks a tie)."""
    sides = sides_of(user, agreement)
    if prefer in sides:
        return prefer
    return next(iter(sorted(sides)), "")


def can_act(user: AnyUser, agreement: Agreement, side: str | None = None) -> bool:
    sides = sides_of(user, agreement)
    return bool(sides) if side is None else side in sides


def can_manage_agreement(user: AnyUser, agreement: Agreement, side: str) -> bool:
    """Changing the agreement itself (its sites, kinds, people, windows) is for
    the organisers of that side's community only."""
    if not user.is_authenticated or not user.is_active:
        return False
    community_id = (
        agreement.client_id if side == Side.CLIENT else agreement.contractor_id
    )
    return organiser_of(user, community_id)


def visible_agreements_q(user: AnyUser, prefix: str = "") -> Q:
    """The agreements ``user`` may see, as a filter (``prefix`` "agreement__"
    for tasks)."""
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    mine = Membership.objects.filter(user=user, state=Membership.State.ACTIVE)
    community_ids = mine.values("community_id")
    seen = Q(**{f"{prefix}client_id__in": community_ids}) | Q(
        **{f"{prefix}contractor_id__in": community_ids}
    )
    if is_municipal_staff(user):
        seen |= Q(
            **{f"{prefix}shared_by_client": True, f"{prefix}shared_by_contractor": True}
        )
    return seen


def can_see(user: AnyUser, agreement: Agreement) -> bool:
    return Agreement.objects.filter(
        visible_agreements_q(user), pk=agreement.pk
    ).exists()


def can_see_task(user: AnyUser, task: Task) -> bool:
    return can_see(user, task.agreement)
