"""Reads of a contractor's crews: the crews page and one crew, for the
contractor's organisers only (None for anyone else, which the pages answer
with 404); a crew by its secret feed address; and the timed tasks the feeds
carry (tasks/feeds.py writes them), a crew's and a person's.

A feed holds the tasks whose time is agreed (confirmed, under way, done,
accepted or disputed) and, so calendar apps take them off, those called off
after their time was agreed (cancelled or missed) for ``FEED_PAST`` after
that; each from ``FEED_PAST`` ago onward. Times only offered are not in it:
they are not times yet. Each read is one query, however many tasks.
"""

from datetime import timedelta

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from accounts.models import User
from communities.models import Community, Membership
from communities.selectors import AnyUser

from .models import AgreementActor, Crew, Side, Task

S = Task.State
FEED_PAST = timedelta(days=30)
AGREED_STATES = (S.CONFIRMED, S.IN_PROGRESS, S.DONE, S.ACCEPTED, S.DISPUTED)
CALLED_OFF_STATES = (S.CANCELLED, S.MISSED)


def _organises(viewer: AnyUser, community_field: str) -> Exists:
    return Exists(
        Membership.objects.filter(
            user=viewer,
            community_id=OuterRef(community_field),
            state=Membership.State.ACTIVE,
            role=Membership.Role.ORGANISER,
        )
    )


def _signed_in(viewer: AnyUser) -> bool:
    return viewer.is_authenticated and viewer.is_active


def managed_contractor(viewer: AnyUser, slug: str) -> Community | None:
    """The contractor ``slug`` when ``viewer`` is one of its organisers."""
    if not _signed_in(viewer):
        return None
    return (
        Community.objects.filter(slug=slug, kind=Community.Kind.CONTRACTOR)
        .filter(_organises(viewer, "pk"))
        .first()
    )


def contractor_crews(contractor: Community) -> list[Crew]:
    """The contractor's crews by name, each with its members (two queries)."""
    people = User.objects.order_by("display_name", "pk")
    return list(
        Crew.objects.filter(contractor=contractor).prefetch_related(
            Prefetch("members", queryset=people)
        )
    )


def managed_crew(viewer: AnyUser, pk: int) -> Crew | None:
    """Crew ``pk``, with its contractor, when ``viewer`` organises that."""
    if not _signed_in(viewer):
        return None
    return (
        Crew.objects.filter(pk=pk)
        .filter(_organises(viewer, "contractor_id"))
        .select_related("contractor")
        .first()
    )


def crew_by_token(token: str) -> Crew | None:
    """The crew whose feed address ends in ``token``; None once renewed."""
    return Crew.objects.filter(feed_token=token).select_related("contractor").first()


def _in_feed(tasks: QuerySet[Task]) -> QuerySet[Task]:
    since = timezone.now() - FEED_PAST
    return (
        tasks.filter(starts_at__isnull=False, ends_at__gte=since)
        .filter(
            Q(state__in=AGREED_STATES)
            | Q(state__in=CALLED_OFF_STATES, updated_at__gte=since)
        )
        .select_related("agreement__client", "site", "crew")
        .order_by("starts_at", "pk")
    )


def crew_tasks(crew: Crew) -> QuerySet[Task]:
    """The crew's timed tasks, of its own contractor's agreements only."""
    return _in_feed(
        Task.objects.filter(crew=crew, agreement__contractor_id=crew.contractor_id)
    )


def person_tasks(user: User) -> QuerySet[Task]:
    """The timed tasks ``user`` goes out to do: those given to a crew they are
    in, and every task of an agreement that names them to act for the
    contractor (``AgreementActor``), while they are still an active member of
    that contractor. Not the contractor's organisers' as such: they run the
    work, the crews do it; an organiser who goes out joins a crew or is named.
    Nothing of the association's side: it does not do the work."""
    if not _signed_in(user):
        return Task.objects.none()
    staff = Membership.objects.filter(
        user=user,
        community_id=OuterRef("agreement__contractor_id"),
        state=Membership.State.ACTIVE,
    )
    in_crew = Crew.members.through.objects.filter(
        crew_id=OuterRef("crew_id"), user_id=user.pk
    )
    named = AgreementActor.objects.filter(
        agreement_id=OuterRef("agreement_id"), user=user, side=Side.CONTRACTOR
    )
    return _in_feed(
        Task.objects.filter(Exists(staff)).filter(Exists(in_crew) | Exists(named))
    )
