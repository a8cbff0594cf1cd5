"""Demo listings for ``manage.py seed_demo``: every kind in every demo village, some
matched, some done. Dev data only; running it again changes nothing.

Everything goes through the services, so the demo obeys the same rules as people.
"""

import logging
from datetime import timedelta

from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import User
from communities.models import Community
from hub.demo_pictures import Scene, paint

from . import services
from .models import Listing, Response

logger = logging.getLogger(__name__)

REQ, OFF, LEND, GIVE, VOL = (
    Listing.Kind.REQUEST,
    Listing.Kind.OFFER,
    Listing.Kind.LEND,
    Listing.Kind.GIVE,
    Listing.Kind.VOLUNTEER,
)

# village, author, kind, category, title, description, tags, street, (dlat, dlon),
# then what happened: [(responder, message, outcome)] with outcome
# "pending", "accepted", "done" or "declined".
LISTINGS = [
    (
        "skovby",
        "karen",
        REQ,
        "digital",
        "Hjælp til digital post (e-Boks)",
        "Jeg får breve i e-Boks, som jeg ikke kan finde igen. Er der en, der har en halv time og tålmodighed?",
        ["e-boks", "mitid"],
        "Bøgevej 4",
        (0.002, 0.003),
        [("lars", "Jeg kan komme forbi på torsdag efter kl. 16.", "accepted")],
    ),
    (
        "skovby",
        "lars",
        LEND,
        "transport",
        "Trailer til udlån (750 kg)",
        "Lille trailer med net. Kan lånes til havaffald og flytning. Husk at aflevere den tom.",
        ["trailer", "flytning"],
        "Skovvej 12",
        (-0.001, 0.004),
        [],
    ),
    (
        "skovby",
        "hanne",
        OFF,
        "children",
        "Jeg lufter gerne hunde",
        "Jeg er studerende og hjemme de fleste eftermiddage. Store og små hunde er velkomne.",
        ["hunde", "gåtur"],
        "Kirkestien 2",
        (0.003, -0.002),
        [
            (
                "bente",
                "Min labrador Bella ville elske det. Tirsdag og torsdag?",
                "pending",
            )
        ],
    ),
    (
        "skovby",
        "soren",
        GIVE,
        "food",
        "Æbler fra haven, gratis",
        "Tre kasser Ingrid Marie. Tag en pose med.",
        ["æbler", "frugt"],
        "Engvej 7",
        (-0.003, -0.001),
        [("inge", "Jeg vil meget gerne have en kasse til æblemost!", "done")],
    ),
    (
        "skovby",
        "inge",
        VOL,
        "garden",
        "Forårsrengøring af legepladsen",
        "Vi rydder op, maler bænke og fylder sand i sandkassen. Kaffe og kage bagefter.",
        ["legeplads", "fællesskab"],
        "Skolevej 1",
        (0.001, 0.001),
        [
            ("michael", "Jeg kommer med en trillebør.", "accepted"),
            ("emma", "Jeg kan male!", "accepted"),
        ],
    ),
    (
        "havrum",
        "mette",
        REQ,
        "transport",
        "Kørsel til sygehuset torsdag",
        "Jeg skal til kontrol i Silkeborg kl. 10 og kan ikke selv køre. Jeg betaler gerne benzinen.",
        ["kørsel", "sygehus"],
        "Havnevej 3",
        (0.002, -0.002),
        [("jens", "Jeg kører dig gerne, jeg skal alligevel den vej.", "done")],
    ),
    (
        "havrum",
        "jens",
        OFF,
        "repairs",
        "Cykelreparationer i min garage",
        "Punkteringer, bremser og gear. Kom forbi lørdag formiddag.",
        ["cykel", "reparation"],
        "Fjordvej 18",
        (-0.002, 0.003),
        [],
    ),
    (
        "havrum",
        "kirsten",
        LEND,
        "repairs",
        "Stige og boremaskine til udlån",
        "Aluminiumsstige (4 m) og en slagboremaskine med bor.",
        ["stige", "værktøj"],
        "Mågevej 5",
        (0.001, 0.004),
        [],
    ),
    (
        "havrum",
        "henrik",
        GIVE,
        "food",
        "Overskud af kartofler",
        "Ca. 20 kg nye kartofler fra køkkenhaven.",
        ["kartofler"],
        "Strandvejen 22",
        (-0.001, -0.003),
        [("ole", "Jeg henter gerne 5 kg.", "pending")],
    ),
    (
        "havrum",
        "susanne",
        REQ,
        "company",
        "Besøgsven søges til min mor",
        "Min mor på 86 bor alene og vil gerne have besøg til en kop kaffe en gang om ugen.",
        ["besøgsven", "kaffe"],
        "Kirkebakken 9",
        (0.003, 0.001),
        [
            ("ida", "Jeg besøger hende gerne om onsdagen.", "pending"),
            ("poul", "Jeg kan også godt, men kun i weekenden.", "declined"),
        ],
    ),
    (
        "linda",
        "anne",
        REQ,
        "garden",
        "Hjælp til at klippe hæk",
        "Bøgehækken er blevet for høj til mig. Jeg har selv hækkeklipper.",
        ["hæk", "have"],
        "Møllevej 6",
        (0.002, 0.002),
        [("peter", "Jeg kan lørdag formiddag.", "pending")],
    ),
    (
        "linda",
        "peter",
        OFF,
        "digital",
        "Hjælp med MitID og smartphone",
        "Jeg hjælper gerne med at komme i gang med MitID-appen, netbank og billeder.",
        ["mitid", "smartphone"],
        "Åvej 11",
        (-0.002, -0.002),
        [],
    ),
    (
        "linda",
        "niels",
        LEND,
        "transport",
        "Ladcykel til udlån i weekenden",
        "Christiania-cykel med regnslag. Plads til to børn.",
        ["ladcykel", "cykel"],
        "Friskolevej 3",
        (0.001, -0.003),
        [],
    ),
    (
        "linda",
        "lene",
        GIVE,
        "children",
        "Børnetøj str. 98-110",
        "En stor pose vintertøj og gummistøvler.",
        ["børnetøj"],
        "Lindevej 14",
        (-0.003, 0.001),
        [],
    ),
    (
        "linda",
        "thomas",
        VOL,
        "other",
        "Hjælpere til høstmarkedet",
        "Vi mangler hænder til opstilling, kagebod og oprydning.",
        ["høstmarked", "fællesskab"],
        "Torvet 1",
        (0.0, 0.0),
        [("sofie", "Jeg tager kagebod om eftermiddagen.", "accepted")],
    ),
]


# listing title -> (motif, description of the photo); the others have no photo
PHOTOS = {
    "Trailer til udlån (750 kg)": (
        "trailer",
        "Tegning af en grøn trailer med ét hjul parkeret på en grusvej foran en hæk.",
    ),
    "Ladcykel til udlån i weekenden": (
        "bike",
        "Tegning af en ladcykel med en stor kasse foran, parkeret ved en hæk.",
    ),
    "Børnetøj str. 98-110": (
        "clothes",
        "Tegning af stakke af foldet børnetøj og et par røde gummistøvler på et bord.",
    ),
    "Hjælpere til høstmarkedet": (
        "market",
        "Tegning af markedsboder med stribede markiser under lyskæder.",
    ),
}
# The demo villages' portal colours (cms.demo), for the photos' accents.
VILLAGE_COLOURS = {"skovby": "#1f6f43", "havrum": "#1d4e89", "linda": "#7a3b69"}
# 16:9 like the cards, and small enough for one; the listing page shows the same file.
PHOTO_SIZE = (1280, 720)


def _photos(title: str, colour: str) -> dict:
    if title not in PHOTOS:
        return {}
    motif, alt = PHOTOS[title]
    scene = Scene(motif, seed=title, colour=colour or "#1f6f43", size=PHOTO_SIZE)
    upload = SimpleUploadedFile(f"{motif}.jpg", paint(scene), "image/jpeg")
    return {"photos": [upload], "photo_description": alt}


def _create(author: User, village: Community, row: tuple, now) -> Listing:
    _v, _a, kind, category, title, text, tags, street, (dlat, dlon), _r = row
    starts = now + timedelta(days=10) if kind == VOL else None
    fields = services.ListingFields(
        kind=kind,
        title=title,
        description=text,
        category=category,
        starts_at=starts,
        ends_at=starts + timedelta(hours=4) if starts else None,
        helpers_needed=4 if kind == VOL else 1,
        communities=[village],
        everyone_nearby=kind in (GIVE, LEND),
        tags=tags,
        place=services.Place(
            f"{street}, {village.name}",
            village.latitude + dlat,
            village.longitude + dlon,
        ),
    )
    listing = services.listing_create(
        author=author,
        fields=fields,
        publish=True,
        **_photos(title, VILLAGE_COLOURS.get(village.slug, "")),
    )
    cache.clear()  # the hourly posting limits are for people, not for the seeder
    return listing


def _respond(listing: Listing, people: dict, outcomes: list) -> None:
    for local, message, outcome in outcomes:
        response = services.response_create(
            responder=people[local], listing=listing, message=message
        )
        if outcome in ("accepted", "done"):
            match = services.response_accept(actor=listing.author, response=response)
            if outcome == "done":
                services.match_done(
                    actor=listing.author, match=match, thanks="Tusind tak for hjælpen!"
                )
        elif outcome == "declined":
            services.response_decline(actor=listing.author, response=response)


def _book_trailer(people: dict) -> None:
    trailer = Listing.objects.filter(title__startswith="Trailer til udlån").first()
    if trailer is None or trailer.bookings.exists():
        return
    today = timezone.localdate()
    booking = services.booking_request(
        borrower=people["hanne"],
        listing=trailer,
        starts_on=today + timedelta(days=2),
        ends_on=today + timedelta(days=3),
        message="Til haveaffald, tak!",
    )
    services.booking_confirm(actor=trailer.author, booking=booking)
    services.booking_request(
        borrower=people["emma"],
        listing=trailer,
        starts_on=today + timedelta(days=8),
        ends_on=today + timedelta(days=8),
    )


def seed_marketplace(context: dict) -> None:
    """Listings of every kind across the demo villages, with answers and matches."""
    communities, people = context["communities"], context["people"]
    now = timezone.now()
    created = 0
    if not people["lars"].watches.exists():
        # Lars hears about new requests for company and digital help near him.
        services.watch_create(
            user=people["lars"],
            categories=["digital", "company", "errands"],
            radius_km=10,
            place=services.Place("Skovby"),
        )
    for row in LISTINGS:
        village, author = communities[row[0]], people[row[1]]
        if Listing.objects.filter(author=author, title=row[4]).exists():
            continue
        listing = _create(author, village, row, now)
        _respond(listing, people, row[9])
        created += 1
    _book_trailer(people)
    cache.clear()
    logger.info(
        "marketplace demo: %s new listings, %s responses",
        created,
        Response.objects.count(),
    )
