"""iCalendar feeds (RFC 5545) of a portal, a facility and a person.

A series is written as calendar apps expect it: one VEVENT with the rule
(RRULE), the dates left out (EXDATE), and one more VEVENT with the same UID and
a RECURRENCE-ID for each date that was moved or cancelled, so an app shows the
same dates as the site. Times are local (TZID = settings.TIME_ZONE) with the
zone's VTIMEZONE, so 17:00 stays 17:00 across summer time, as the site expands
it (agenda.recurrence).

What a feed holds is read by agenda.feed_selectors, scoped by what the feed's
owner may see *now*, not when the address was made: an organiser who steps
down stops getting the members-only events.
"""

import logging
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.models import User
from communities.models import Community
from communities.selectors import AnyUser, can_view_community

from . import feed_selectors as reads
from . import recurrence
from .errors import AgendaError
from .models import Booking, Event, Facility, Feed, Occurrence, Signup

logger = logging.getLogger(__name__)

# How often calendar apps are asked to fetch the feed again.
REFRESH = timedelta(hours=1)
PRODID = "-//Nabolag//Agenda//EN"


def absolute(path: str) -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def _domain() -> str:
    return urlsplit(settings.WAGTAILADMIN_BASE_URL).hostname or "nabolag"


def _location(place: str, facility: Facility | None) -> str:
    parts = [place.strip()]
    if facility is not None:
        parts += [facility.name, facility.address.strip()]
    seen: list[str] = []
    for part in parts:
        if part and part not in seen:
            seen.append(part)
    return ", ".join(seen)


def _when(moment: datetime) -> datetime:
    """``moment`` as the feed writes it: local time (TZID), except the second
    pass of the hour the clocks go back (02:30 exists twice then), which local
    time cannot say (RFC 5545 reads it as the first); that one in UTC."""
    there = recurrence.local(moment)
    if there.fold and there.replace(fold=0).utcoffset() != there.utcoffset():
        return moment.astimezone(UTC)
    return there


class Writer:
    """Builds one calendar; ``stamp`` (DTSTAMP) is when it was written."""

    def __init__(self, name: str) -> None:
        self.stamp = timezone.now().replace(microsecond=0)
        self.domain = _domain()
        calendar = icalendar.Calendar()
        calendar.add("prodid", PRODID)
        calendar.add("version", "2.0")
        calendar.add("calscale", "GREGORIAN")
        calendar.add("method", "PUBLISH")
        calendar.calendar_name = name
        calendar.add("x-wr-timezone", settings.TIME_ZONE)
        calendar.refresh_interval = REFRESH
        calendar.add("x-published-ttl", icalendar.vDuration(REFRESH))
        self.calendar = calendar

    def finish(self) -> icalendar.Calendar:
        self.calendar.add_missing_timezones()
        return self.calendar

    def component(
        self, uid: str, starts_at: datetime, ends_at: datetime, *, local=False
    ):
        component = icalendar.Event()
        component.add("uid", uid)
        component.add("dtstamp", self.stamp)
        start = recurrence.local(starts_at) if local else _when(starts_at)
        component.add("dtstart", start)
        component.add("dtend", _when(ends_at))
        return component

    def _describe(self, component, event: Event, *, url: str, note: str = "") -> None:
        """What every VEVENT of ``event`` says about it (an override repeats it:
        it replaces its date whole)."""
        component.add("sequence", event.sequence)
        component.add("summary", event.title)
        text = "\n\n".join(p for p in (note, event.description.strip(), url) if p)
        component.add("description", text)
        self.where(component, event.place, event.facility)
        categories = [str(event.get_category_display())]
        if event.audience != "everyone":
            categories.append(str(event.get_audience_display()))
        component.add("categories", categories)
        component.add("organizer", self.organizer(event.community))
        component.add("url", url)
        component.add("class", "PUBLIC" if event.is_public else "PRIVATE")

    def where(self, component, place: str, facility: Facility | None) -> None:
        """LOCATION from ``place`` and the facility's name and address, and GEO
        where the facility has coordinates."""
        location = _location(place, facility)
        if location:
            component.add("location", location)
        if facility is not None and None not in (facility.latitude, facility.longitude):
            component.add("geo", (facility.latitude, facility.longitude))

    def organizer(self, community: Community | None) -> icalendar.vCalAddress:
        # The community, by its page: never a person's e-mail address.
        if community is None:
            address = icalendar.vCalAddress(absolute("/"))
            address.params["CN"] = settings.WAGTAIL_SITE_NAME
            return address
        address = icalendar.vCalAddress(
            absolute(reverse("communities:detail", args=[community.slug]))
        )
        address.params["CN"] = community.name
        return address

    # events

    def event(self, event: Event) -> None:
        """``event`` as a VEVENT, with its rule and changed dates if a series."""
        dates: list[Occurrence] = event.feed_dates
        uid = f"{event.uid}@{self.domain}"
        if not event.is_series:
            if dates and dates[0].state != Occurrence.State.EXCLUDED:
                self._date(uid, event, dates[0], recurrence_id=False)
            return
        # The rule repeats DTSTART's local time of day, so that is local even
        # where _when would write UTC; the end is the site's own sum.
        first = recurrence.local(event.starts_at)
        master = self.component(uid, first, first + event.duration, local=True)
        self._describe(master, event, url=absolute(event.get_absolute_url()))
        master.add("rrule", icalendar.vRecur.from_ical(event.rrule))
        left_out = [
            _when(o.original_start)
            for o in dates
            if o.state == Occurrence.State.EXCLUDED
        ]
        local = [moment for moment in left_out if moment.tzinfo is not UTC]
        if local:
            master.add("exdate", local)
        for moment in left_out:
            if moment.tzinfo is UTC:
                master.add("exdate", moment)
        master.add("status", "CANCELLED" if event.is_cancelled else "CONFIRMED")
        self.calendar.add_component(master)
        for o in dates:
            if o.state == Occurrence.State.EXCLUDED:
                continue
            if event.is_cancelled and not o.moved and o.starts_at == o.original_start:
                continue  # the cancelled master says it already
            self._date(uid, event, o, recurrence_id=True)
        self._gap_dates(uid, event, {o.original_start for o in dates})

    def _date(
        self, uid: str, event: Event, o: Occurrence, *, recurrence_id: bool
    ) -> None:
        component = self.component(uid, o.starts_at, o.ends_at)
        if recurrence_id:
            component.add("recurrence-id", _when(o.original_start))
        cancelled = o.state == Occurrence.State.CANCELLED or event.is_cancelled
        note = ""
        if cancelled:
            note = _("Cancelled.")
        elif o.moved:
            note = _("Moved.")
        if o.note:
            note = f"{note} {o.note}".strip()
        self._describe(component, event, url=absolute(o.get_absolute_url()), note=note)
        component.add("status", "CANCELLED" if cancelled else "CONFIRMED")
        self.calendar.add_component(component)

    def _gap_dates(self, uid: str, event: Event, changed: set[datetime]) -> None:
        """Say outright each date whose time the rule gives on the night summer
        time begins, when that time does not exist (02:30): the site starts it
        an hour on (03:30, as RFC 5545 asks) and keeps its length, but apps
        that add the length to the missing time end it an hour early."""
        first = recurrence.local(event.starts_at)
        if first.hour >= 5:  # zones move their clocks at night
            return
        try:
            starts = recurrence.expand(event.starts_at, event.rrule)
        except AgendaError:
            logger.warning("event %s: its stored rule no longer expands", event.pk)
            return
        for start in starts:
            if start.time() == first.time() or start in changed:
                continue
            component = self.component(uid, start, start + event.duration)
            component.add("recurrence-id", _when(start))
            self._describe(component, event, url=absolute(event.get_absolute_url()))
            status = "CANCELLED" if event.is_cancelled else "CONFIRMED"
            component.add("status", status)
            self.calendar.add_component(component)

    # a person's dates

    def signup(self, signup: Signup) -> None:
        """One date a person answered going or maybe to, on its own."""
        o = signup.occurrence
        event = o.event
        component = self.component(
            f"{event.uid}-{o.pk}@{self.domain}", o.starts_at, o.ends_at
        )
        if o.is_cancelled:
            status, note = "CANCELLED", _("Cancelled.")
        elif signup.response == Signup.Response.MAYBE:
            status, note = "TENTATIVE", _("You answered maybe.")
        elif signup.waiting:
            status, note = "TENTATIVE", _("You are on the waiting list.")
        else:
            status, note = "CONFIRMED", ""
        if o.note:
            note = f"{note} {o.note}".strip()
        self._describe(component, event, url=absolute(o.get_absolute_url()), note=note)
        component.add("status", status)
        self.calendar.add_component(component)

    # bookings

    def booking(self, booking: Booking) -> None:
        facility = booking.facility
        component = self.component(
            f"booking-{booking.pk}@{self.domain}", booking.starts_at, booking.ends_at
        )
        component.add("sequence", 0)
        component.add("summary", booking.title)
        url = absolute(reverse("agenda:facility", args=[facility.slug]))
        note = _("Awaiting approval.") if booking.state == Booking.State.PENDING else ""
        component.add("description", "\n\n".join(p for p in (note, url) if p))
        component.add("location", _location("", facility))
        component.add("organizer", self.organizer(booking.community))
        component.add("url", url)
        component.add("class", "PUBLIC" if booking.is_public else "PRIVATE")
        pending = booking.state == Booking.State.PENDING
        component.add("status", "TENTATIVE" if pending else "CONFIRMED")
        self.calendar.add_component(component)


# What the apps above agenda add to a person's calendar: each is called with the
# writer and the person and adds its components (the task board registers its
# tasks in TasksConfig.ready; agenda never imports it: DESIGN.md, "Layers").
PERSON_FEED_PARTS: list[Callable[[Writer, User], None]] = []


def calendar_name(subject: str) -> str:
    return _("%(name)s · %(site)s") % {
        "name": subject,
        "site": settings.WAGTAIL_SITE_NAME,
    }


def _write(name: str, events: Iterable[Event], bookings: Iterable[Booking]):
    writer = Writer(name)
    for event in events:
        writer.event(event)
    for booking in bookings:
        writer.booking(booking)
    return writer.finish()


def community_calendar(*, community: Community, viewer: AnyUser) -> icalendar.Calendar:
    """The portal's calendar as ``viewer`` may see it: its events and the
    bookings made for it without an event."""
    return _write(
        calendar_name(community.name),
        reads.community_events(community=community, viewer=viewer),
        reads.community_bookings(community=community, viewer=viewer),
    )


def facility_calendar(*, facility: Facility, viewer: AnyUser) -> icalendar.Calendar:
    """Everything at ``facility``: its events ``viewer`` may see, and its
    bookings (facility_bookings)."""
    return _write(
        calendar_name(facility.name),
        reads.facility_events(facility=facility, viewer=viewer),
        reads.facility_bookings(facility=facility, viewer=viewer),
    )


def person_calendar(*, user: User) -> icalendar.Calendar:
    """A person's own calendar: each date they answered going or maybe to, as a
    VEVENT of its own (UID ``<event uid>-<occurrence id>``: they may have
    answered only some dates of a series), the bookings they asked for, and
    what the apps above add (``PERSON_FEED_PARTS``: the task board's work)."""
    writer = Writer(calendar_name(_("My calendar")))
    for signup in reads.person_signups(user=user):
        writer.signup(signup)
    for booking in reads.person_bookings(user=user):
        writer.booking(booking)
    for add_part in PERSON_FEED_PARTS:
        add_part(writer, user)
    return writer.finish()


def feed_calendar(feed: Feed) -> icalendar.Calendar | None:
    """The calendar behind a live ``feed`` (feed_selectors.feed_by_token), in
    its owner's language; None when the owner may no longer see its subject."""
    owner = reads.feed_owner(feed)
    if owner is None:
        return None
    language = owner.preferred_language or settings.LANGUAGE_CODE
    with translation.override(language):
        if feed.kind == Feed.Kind.PERSON:
            return person_calendar(user=owner)
        if feed.kind == Feed.Kind.COMMUNITY:
            if not can_view_community(user=owner, community=feed.community):
                return None
            return community_calendar(community=feed.community, viewer=owner)
        return facility_calendar(facility=feed.facility, viewer=owner)


def feed_filename(feed: Feed) -> str:
    if feed.kind == Feed.Kind.COMMUNITY:
        name = feed.community.slug
    elif feed.kind == Feed.Kind.FACILITY:
        name = feed.facility.slug
    else:
        name = slugify(settings.WAGTAIL_SITE_NAME) or "calendar"
    return f"{name}.ics"
