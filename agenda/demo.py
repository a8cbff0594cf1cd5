"""The demo calendar for ``manage.py seed_demo``: a season of training and home
matches for Skovby IF, the senior club's weekly coffee, Lindå's village hall
shared by three associations, a booking waiting for approval and one clash to
see. Dev data only; running it again changes nothing.

Everything goes through the services, so the demo obeys the same rules as people
(the season starts after today, so no date is in the past)."""

import logging
from dataclasses import replace
from datetime import date, datetime, time, timedelta

from django.core.cache import cache
from django.utils import timezone

from . import recurrence
from .models import Booking, Event, Facility, Occurrence, OpeningHours
from .services import bookings, events, signups
from .services.events import EventFields

logger = logging.getLogger(__name__)

# slug, name, kind, owner slug (None: the municipality), village slug, address,
# (lat, lon), policy, set-up and clean-up minutes, opening hours (weekdays, from, to)
FACILITIES = [
    (
        "skovby-kunstgraes",
        "Skovby Stadion, kunstgræsbanen",
        Facility.Kind.ARTIFICIAL_PITCH,
        None,
        "skovby",
        "Stadionvej 2, Skovby",
        (56.1728, 9.5436),
        Facility.Policy.MUNICIPALITY,
        (0, 15),
        (range(7), time(7), time(22)),
    ),
    (
        "skovby-graesbane",
        "Skovby Stadion, græsbane 1",
        Facility.Kind.NATURAL_GRASS,
        "skovby-if",
        "skovby",
        "Stadionvej 2, Skovby",
        (56.1731, 9.5446),
        Facility.Policy.OWNER,
        (0, 0),
        (range(7), time(8), time(21)),
    ),
    (
        "linda-forsamlingshus",
        "Lindå Forsamlingshus",
        Facility.Kind.HALL,
        "linda",
        "linda",
        "Møllevej 1, Lindå",
        (56.2031, 9.4884),
        Facility.Policy.OWNER,
        (15, 30),
        (range(7), time(8), time(23)),
    ),
    (
        "raadhus-moedelokale",
        "Rådhuset, mødelokale 2",
        Facility.Kind.MEETING_ROOM,
        None,
        None,
        "Torvet 1, Egekær",
        (56.1580, 9.5590),
        Facility.Policy.AUTOMATIC,
        (0, 0),
        (range(5), time(8), time(21)),
    ),
]


def _facilities(communities) -> dict[str, Facility]:
    found = {}
    for (
        slug,
        name,
        kind,
        owner,
        village,
        address,
        point,
        policy,
        buffers,
        hours,
    ) in FACILITIES:
        facility, created = Facility.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "kind": kind,
                "owner": communities[owner] if owner else None,
                "village": communities[village] if village else None,
                "address": address,
                "latitude": point[0],
                "longitude": point[1],
                "policy": policy,
                "setup_minutes": buffers[0],
                "cleanup_minutes": buffers[1],
            },
        )
        if created:
            days, opens, closes = hours
            OpeningHours.objects.bulk_create(
                OpeningHours(facility=facility, weekday=d, opens=opens, closes=closes)
                for d in days
            )
        found[slug] = facility
    return found


def _next(weekday: int, *, after: date) -> date:
    """The first ``weekday`` (0 Monday) after ``after``."""
    return after + timedelta(days=(weekday - after.weekday() - 1) % 7 + 1)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=recurrence.zone())


def _event(actor, community, **values) -> Event:
    existing = Event.objects.filter(community=community, title=values["title"]).first()
    if existing is not None:
        return existing
    return events.event_create(
        actor=actor, community=community, fields=EventFields(**values)
    )


def _football(c, people, places, today, moderator) -> None:
    """Winter training twice a week on the artificial pitch, with the Christmas
    break left out and one frosty evening cancelled; home matches every other
    Saturday, one moved to the Sunday."""
    club, lars = c["skovby-if"], people["lars"]
    tuesday = _next(1, after=today)
    until = tuesday + timedelta(days=26 * 7)
    pitch = places["skovby-kunstgraes"]
    for title, audience, start, end in [
        ("Træning U10 og U12", "children", (16, 30), (18, 0)),
        ("Træning, seniorholdet", "adults", (18, 15), (19, 45)),
    ]:
        fresh = not Event.objects.filter(community=club, title=title).exists()
        training = _event(
            lars,
            club,
            title=title,
            starts_at=_at(tuesday, *start),
            ends_at=_at(tuesday, *end),
            category="sport",
            audience=audience,
            facility=pitch,
            village=c["skovby"],
            rrule=recurrence.Simple(
                freq="WEEKLY", weekdays=("TU", "TH"), until=until
            ).to_rule(_at(tuesday, 16)),
            description="Vi træner på kunstgræs hele vinteren. Husk vand og "
            "varmt tøj. Nye spillere er velkomne: kom bare.",
            capacity=30 if audience == "children" else None,
        )
        if not fresh:
            continue
        for occurrence in training.occurrences.all():
            day = recurrence.local(occurrence.starts_at).date()
            if (day.month, day.day) >= (12, 22) or (day.month, day.day) <= (1, 2):
                events.occurrence_exclude(actor=lars, occurrence=occurrence)
        frosty = training.occurrences.filter(state=Occurrence.State.SCHEDULED)[3]
        events.occurrence_cancel(
            actor=lars, occurrence=frosty, note="Banen er lukket på grund af frost."
        )
    saturday = _next(5, after=today + timedelta(days=3))
    fresh = not Event.objects.filter(community=club, title="Hjemmekamp").exists()
    matches = _event(
        lars,
        club,
        title="Hjemmekamp",
        starts_at=_at(saturday, 13),
        ends_at=_at(saturday, 15),
        category="sport",
        audience="everyone",
        facility=pitch,
        village=c["skovby"],
        expected_attendance=150,
        signup_open=False,
        rrule="FREQ=WEEKLY;INTERVAL=2;BYDAY=SA;COUNT=10",
        description="Skovby IF's førstehold i vinterturneringen. Kaffe og "
        "kage i klubhuset. Gratis adgang.",
    )
    if fresh:
        third = matches.occurrences.order_by("starts_at")[2]
        sunday = third.starts_at + timedelta(days=1)
        events.event_update(
            actor=lars,
            event=matches,
            fields=replace(
                EventFields.of(matches, third),
                starts_at=recurrence.local(sunday),
                ends_at=recurrence.local(sunday + timedelta(hours=2)),
            ),
            scope=events.Scope.THIS,
            occurrence=third,
        )
    _approve_all(pitch, moderator)


def _approve_all(facility: Facility, moderator) -> None:
    """The municipality approves what waits at its facility, a season at a time."""
    while True:
        waiting = facility.bookings.filter(state=Booking.State.PENDING).first()
        if waiting is None:
            return
        bookings.booking_approve(actor=moderator, booking=waiting)


def _village_hall(c, people, places, today) -> None:
    """Lindå Forsamlingshus, used every week by the senior club, the scouts and
    the village; a request for a Saturday waits for Lindå's approval."""
    hall = places["linda-forsamlingshus"]
    wednesday = _next(2, after=today)
    coffee = _event(
        people["grethe"],
        c["linda-seniorklub"],
        title="Formiddagskaffe",
        starts_at=_at(wednesday, 10),
        ends_at=_at(wednesday, 12),
        category="social",
        audience="seniors",
        facility=hall,
        village=c["linda"],
        capacity=30,
        rrule=recurrence.Simple(
            freq="WEEKLY", until=wednesday + timedelta(days=30 * 7)
        ).to_rule(_at(wednesday, 10)),
        description="Kaffe, rundstykker og en god snak hver onsdag. 20 kr.",
    )
    first = coffee.occurrences.order_by("starts_at").first()
    for name in ("erik", "niels", "lene", "inge"):
        if not first.signups.filter(user=people[name]).exists():
            signups.signup_answer(user=people[name], occurrence=first, response="going")
    friday = _next(4, after=today)
    _event(
        people["anne"],
        c["linda"],
        title="Fællesspisning",
        starts_at=_at(friday, 18),
        ends_at=_at(friday, 21),
        category="social",
        audience="everyone",
        facility=hall,
        village=c["linda"],
        capacity=80,
        expected_attendance=80,
        rrule="FREQ=MONTHLY;BYDAY=1FR;COUNT=6",
        description="Første fredag i måneden laver vi mad sammen. Tag en ret "
        "med, eller betal 50 kr.",
    )
    scouts, thomas = c["egekaer-spejderne"], people["thomas"]
    if not hall.bookings.filter(community=scouts).exists():
        monday = _next(0, after=today)
        bookings.booking_request(
            actor=thomas,
            facility=hall,
            community=scouts,
            title="Spejdermøde",
            starts_at=_at(monday, 18, 30),
            ends_at=_at(monday, 20, 30),
            rrule=recurrence.Simple(
                freq="WEEKLY", until=monday + timedelta(days=24 * 7)
            ).to_rule(_at(monday, 18, 30)),
        )
        saturday = _next(5, after=today + timedelta(days=7))
        bookings.booking_request(
            actor=thomas,
            facility=hall,
            community=scouts,
            title="Spejdernes julemarked",
            starts_at=_at(saturday, 10),
            ends_at=_at(saturday, 15),
        )


def _clash(c, people, today) -> None:
    """The senior club's Christmas lunch and the village's bingo for seniors on
    the same afternoon in Lindå: created anyway, and warned about."""
    day = _next(3, after=today + timedelta(days=10))
    lunch = _event(
        people["grethe"],
        c["linda-seniorklub"],
        title="Julefrokost",
        starts_at=_at(day, 12),
        ends_at=_at(day, 15),
        category="social",
        audience="seniors",
        village=c["linda"],
        place="Lindå Præstegård",
        capacity=4,
        description="Seniorklubbens julefrokost med sild, flæskesteg og risalamande.",
    )
    occurrence = lunch.occurrences.get()
    for name in ("erik", "niels", "lene", "inge", "grethe"):
        if not occurrence.signups.filter(user=people[name]).exists():
            signups.signup_answer(
                user=people[name], occurrence=occurrence, response="going"
            )
    _event(
        people["anne"],
        c["linda"],
        title="Banko for seniorer",
        starts_at=_at(day, 14),
        ends_at=_at(day, 16),
        category="social",
        audience="seniors",
        village=c["linda"],
        place="Lindå Skole, gymnastiksalen",
        description="Hyggebanko med kaffe. Gevinster fra byens butikker.",
    )


def seed_agenda(context: dict) -> None:
    """The calendar of the demo municipality."""
    c, people = context["communities"], context["people"]
    today = timezone.localdate()
    places = _facilities(c)
    _football(c, people, places, today, context["moderator"])
    _village_hall(c, people, places, today)
    _clash(c, people, today)
    # The demo's writes counted against the demo people's rate limits.
    cache.clear()
    logger.info(
        "agenda demo: %s events, %s dates, %s bookings",
        Event.objects.count(),
        Occurrence.objects.count(),
        sum(f.bookings.count() for f in places.values()),
    )
