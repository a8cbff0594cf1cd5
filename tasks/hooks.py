"""What the task board registers with the apps below it at start-up."""

from django.contrib.auth.models import Permission
from django.db.models import Exists, OuterRef, Q, Value
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from agenda.models import Booking, Facility
from communities.models import Membership

from .events import agreement_topic, board_topic
from .models import Agreement, Task


def occurrences_changed(sender, *, occurrences, change, **kwargs) -> None:
    from .series import follow_occurrences

    follow_occurrences(list(occurrences), change)


def bookings_declined(sender, *, bookings, actor, **kwargs) -> None:
    """The site's manager declined bookings (agenda's ``bookings_declined``,
    inside its transaction): a confirmed task that held the site by one of
    them loses its time and is planned again."""
    from .services.lifecycle import site_declined

    held = Task.objects.filter(
        booking_id__in=[b.pk for b in bookings], state=Task.State.CONFIRMED
    ).order_by("pk")
    for task in held:
        site_declined(task, actor=actor)


def booking_keeper(booking: Booking) -> str | None:
    """A booking that holds a site for a task is the task's: it is freed by
    moving or cancelling the task on the board."""
    if Task.objects.filter(booking=booking).exists():
        return _(
            "This booking holds the site for work on the task board. To free the "
            "site, move or cancel the task there."
        )
    return None


def facility_links(facility: Facility, user) -> list[tuple[str, str]]:
    """The facility page's link to the form to report a problem at the site;
    a visitor is offered the log-in first (the form needs it). No query."""
    url = reverse("tasks:report", args=[facility.slug])
    if user.is_authenticated:
        return [(_("Report a problem here"), url)]
    login = reverse("account_login")
    return [(_("Log in to report a problem"), f"{login}?{urlencode({'next': url})}")]


def _staff(user) -> Exists | Value:
    """Whether ``user`` is municipal staff, as a column (the test of
    ``communities.selectors.is_municipal_staff``, asked inside the query
    instead of loading the user's permissions on every resubscribe)."""
    if user.is_superuser:
        return Value(True)
    return Exists(
        Permission.objects.filter(
            codename="manage_all", content_type__app_label="communities"
        ).filter(Q(user=user) | Q(group__user=user))
    )


def board_topics(user) -> set[str]:
    """The live topics a socket of ``user`` hears, in one query over the live
    agreements (invited or in force) the user has a part in: the board of each
    party the user is an active member of (everyone an agreement names is a
    member of its side), and the agreement itself where the user is municipal
    staff and both parties share it."""
    live = [Agreement.State.ACTIVE, Agreement.State.INVITED]
    mine = Membership.objects.filter(user=user, state=Membership.State.ACTIVE)
    communities = mine.values("community_id")
    rows = (
        Agreement.objects.annotate(
            staff=_staff(user),
            client_member=Exists(mine.filter(community_id=OuterRef("client_id"))),
            contractor_member=Exists(
                mine.filter(community_id=OuterRef("contractor_id"))
            ),
        )
        .filter(
            Q(client_id__in=communities)
            | Q(contractor_id__in=communities)
            | Q(staff=True, shared_by_client=True, shared_by_contractor=True),
            state__in=live,
        )
        .values_list(
            "pk", "client_id", "contractor_id", "client_member", "contractor_member"
        )
    )
    topics: set[str] = set()
    for pk, client, contractor, in_client, in_contractor in rows:
        if in_client:
            topics.add(board_topic(client))
        if in_contractor:
            topics.add(board_topic(contractor))
        if not (in_client or in_contractor):
            topics.add(agreement_topic(pk))
    return topics
