"""What the task board registers with the apps below it at start-up."""

from django.db.models import Q
from django.utils.translation import gettext as _

from agenda.models import Booking
from communities.models import Membership

from .events import board_topic
from .models import Agreement, Task


def occurrences_changed(sender, *, occurrences, change, **kwargs) -> None:
    from .series import follow_occurrences

    follow_occurrences(list(occurrences), change)


def booking_keeper(booking: Booking) -> str | None:
    """A booking that holds a site for a task is the task's: it is freed by
    moving or cancelling the task on the board."""
    if Task.objects.filter(booking=booking).exists():
        return _(
            "This booking holds the site for work on the task board. To free the "
            "site, move or cancel the task there."
        )
    return None


def board_topics(user) -> set[str]:
    """The boards a socket of ``user`` hears: those of the communities they
    are an active member of that are party to a live agreement (one query)."""
    live = [Agreement.State.ACTIVE, Agreement.State.INVITED]
    ids = (
        Membership.objects.filter(user=user, state=Membership.State.ACTIVE)
        .filter(
            Q(community__agreements_as_client__state__in=live)
            | Q(community__agreements_as_contractor__state__in=live)
        )
        .values_list("community_id", flat=True)
        .distinct()
    )
    return {board_topic(i) for i in ids}
