"""Links a facility's page shows to the pages of apps above the calendar
(the task board's form to report a problem at the site).

The calendar imports none of those apps (DESIGN.md, "Layers"): each registers
a function here at start-up, in its ``AppConfig.ready``, the way
``services.bookings.BOOKING_KEEPERS`` is filled. Given the facility and the
viewer, it returns the links to show as (label, address) pairs. It must not
query the database: the facility page reads in a counted number of queries.
"""

from collections.abc import Callable

from communities.selectors import AnyUser

from .models import Facility

FacilityLinks = Callable[[Facility, AnyUser], list[tuple[str, str]]]

FACILITY_LINKS: list[FacilityLinks] = []


def facility_links(facility: Facility, user: AnyUser) -> list[tuple[str, str]]:
    """Every registered app's links for ``facility`` as ``user`` sees it, in
    the order the apps registered."""
    return [link for links in FACILITY_LINKS for link in links(facility, user)]
