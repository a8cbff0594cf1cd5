"""Reads of communities and memberships, scoped by what the viewer may see."""

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from accounts.models import User

from .models import Community, Invitation, Membership

AnyUser = User | AnonymousUser


def is_municipal_staff(user: AnyUser) -> bool:
    """Municipal staff manage every community and moderate the platform."""
    return bool(
        user.is_authenticated
        and user.is_active
        and (user.is_superuser or user.has_perm("communities.manage_all"))
    )


def municipal_staff_ids() -> list[int]:
    """The active accounts ``is_municipal_staff`` holds true for (one query)."""
    granted = Q(
        user_permissions__codename="manage_all",
        user_permissions__content_type__app_label="communities",
    ) | Q(
        groups__permissions__codename="manage_all",
        groups__permissions__content_type__app_label="communities",
    )
    return list(
        User.objects.filter(Q(is_superuser=True) | granted, is_active=True)
        .values_list("pk", flat=True)
        .distinct()
    )


def membership_get(*, user: AnyUser, community: Community) -> Membership | None:
    """The user's membership in ``community`` in any state, or None."""
    if not user.is_authenticated:
        return None
    return Membership.objects.filter(user=user, community=community).first()


def is_active_member(*, user: AnyUser, community: Community) -> bool:
    if not user.is_authenticated:
        return False
    return Membership.objects.filter(
        user=user, community=community, state=Membership.State.ACTIVE
    ).exists()


def can_manage_members(*, user: AnyUser, community: Community) -> bool:
    """Active organisers of the community, and municipal staff."""
    if is_municipal_staff(user):
        return True
    if not user.is_authenticated:
        return False
    return Membership.objects.filter(
        user=user,
        community=community,
        state=Membership.State.ACTIVE,
        role=Membership.Role.ORGANISER,
    ).exists()


def can_view_community(*, user: AnyUser, community: Community) -> bool:
    """Public communities are open to all; members-only ones to their members."""
    if community.is_public or is_municipal_staff(user):
        return True
    return is_active_member(user=user, community=community)


def communities_visible_to(user: AnyUser) -> QuerySet[Community]:
    """Communities whose pages and members ``user`` may see."""
    qs = Community.objects.all()
    if is_municipal_staff(user):
        return qs
    visible = Q(visibility=Community.Visibility.PUBLIC)
    if user.is_authenticated:
        visible |= Q(memberships__user=user, memberships__state=Membership.State.ACTIVE)
    return qs.filter(visible).distinct()


def with_member_counts(qs: QuerySet[Community]) -> QuerySet[Community]:
    return qs.annotate(
        members_count=Count(
            "memberships",
            filter=Q(memberships__state=Membership.State.ACTIVE),
            distinct=True,
        )
    )


def can_see_members(*, user: AnyUser, community: Community) -> bool:
    """Who is a member is for the community's own active members (its organisers
    among them) and municipal staff; everyone else may see how many there are."""
    if is_municipal_staff(user):
        return True
    return is_active_member(user=user, community=community)


def community_member_count(*, viewer: AnyUser, community: Community) -> int:
    """How many active members ``community`` has; 0 for a viewer who may not see
    the community at all."""
    if not can_view_community(user=viewer, community=community):
        return 0
    return Membership.objects.filter(
        community=community, state=Membership.State.ACTIVE
    ).count()


def community_members(*, viewer: AnyUser, community: Community) -> QuerySet[Membership]:
    """Active members of ``community``; empty when the viewer may not see who they
    are (see can_see_members)."""
    if not can_see_members(user=viewer, community=community):
        return Membership.objects.none()
    return (
        Membership.objects.filter(community=community, state=Membership.State.ACTIVE)
        .select_related("user")
        .order_by("-role", "user__display_name")
    )


def pending_requests(*, viewer: AnyUser, community: Community) -> QuerySet[Membership]:
    """Join requests waiting for an organiser; empty for anyone else."""
    if not can_manage_members(user=viewer, community=community):
        return Membership.objects.none()
    return (
        Membership.objects.filter(community=community, state=Membership.State.REQUESTED)
        .select_related("user")
        .order_by("created_at")
    )


def user_memberships(user: AnyUser) -> QuerySet[Membership]:
    """The user's own current memberships, invitations and requests."""
    if not user.is_authenticated:
        return Membership.objects.none()
    return (
        Membership.objects.filter(
            user=user,
            state__in=[
                Membership.State.ACTIVE,
                Membership.State.INVITED,
                Membership.State.REQUESTED,
            ],
        )
        .select_related("community")
        .order_by("community__name")
    )


def active_community_ids(user: AnyUser) -> set[int]:
    if not user.is_authenticated:
        return set()
    return set(
        Membership.objects.filter(user=user, state=Membership.State.ACTIVE).values_list(
            "community_id", flat=True
        )
    )


def join_requests_waiting(user: AnyUser) -> list[Community]:
    """The communities ``user`` organises (an active organiser's membership) that
    have requests to join waiting for an answer, by name, each with
    ``requests_count``; one query. Municipal staff answer in their own tools, so
    only their own organiser memberships count here."""
    if not user.is_authenticated:
        return []
    organised = Membership.objects.filter(
        user=user, state=Membership.State.ACTIVE, role=Membership.Role.ORGANISER
    ).values("community_id")
    return list(
        Community.objects.filter(pk__in=organised)
        .annotate(
            requests_count=Count(
                "memberships",
                filter=Q(memberships__state=Membership.State.REQUESTED),
            )
        )
        .filter(requests_count__gt=0)
        .order_by("name")
    )


def invitations_sent(*, viewer: AnyUser, community: Community) -> QuerySet[Invitation]:
    """The community's invitations that still work (neither revoked, expired nor
    used up), newest first, for its organisers; empty for anyone else."""
    if not can_manage_members(user=viewer, community=community):
        return Invitation.objects.none()
    return Invitation.objects.filter(
        community=community,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
        uses__lt=F("max_uses"),
    ).order_by("-created_at")
