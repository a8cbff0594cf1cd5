"""The fictional municipality that ``manage.py seed_demo`` builds. Dev data only.

Everything is looked up by a natural key first, so running it again changes nothing.
"""

import logging
from datetime import datetime, time, timedelta

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone, translation
from wagtail.models import (
    Site,
)

from accounts.models import User
from agenda.demo import seed_agenda
from communities.models import Community, Membership
from communities.services import community_create
from marketplace.demo import seed_marketplace
from messaging.demo import seed_messaging
from tasks.demo import seed_tasks

from . import services
from .demo_moderation import seed_moderation
from .demo_pictures import seed_pictures
from .models import (
    EventPage,
    HubHomePage,
    MunicipalitySettings,
    NewsPage,
    PortalIndexPage,
    PortalPage,
)

logger = logging.getLogger(__name__)

DEMO_PASSWORD = "nabolag-demo"  # noqa: S105 (dev data only; seed_demo refuses production)
MUNICIPALITY = "Egekær Kommune"
MODERATOR_EMAIL = "moderator@egekaer.example"
DEMO_DOMAIN = "demo.example"
DEMO_HOST = "127.0.0.1"

V, A, C = Community.Kind.VILLAGE, Community.Kind.ASSOCIATION, Community.Kind.CONTRACTOR
OPEN, APPROVAL, INVITE = (
    Community.JoinPolicy.OPEN,
    Community.JoinPolicy.APPROVAL,
    Community.JoinPolicy.INVITATION,
)
PUBLIC, MEMBERS = Community.Visibility.PUBLIC, Community.Visibility.MEMBERS

# slug, name, kind, lat, lon, radius, policy, visibility, colour, hostname, description
COMMUNITIES = [
    (
        "skovby",
        "Skovby",
        V,
        56.1710,
        9.5470,
        3,
        OPEN,
        PUBLIC,
        "#1f6f43",
        "skovby.localhost",
        "Landsbyen ved skoven: 600 indbyggere, forsamlingshus, købmand og en aktiv borgerforening.",
    ),
    (
        "havrum",
        "Havrum",
        V,
        56.1420,
        9.6210,
        3,
        OPEN,
        PUBLIC,
        "#1d4e89",
        "",
        "Havrum ligger ved fjorden med havn, badebro og en af kommunens ældste kirker.",
    ),
    (
        "linda",
        "Lindå",
        V,
        56.2030,
        9.4880,
        4,
        OPEN,
        PUBLIC,
        "#7a3b69",
        "",
        "Lindå er åens landsby: friskole, mølle og et stort fællesskab om naturplejen.",
    ),
    (
        "skovby-if",
        "Skovby IF",
        A,
        56.1725,
        9.5440,
        5,
        OPEN,
        PUBLIC,
        "#a4262c",
        "",
        "Fodbold for alle aldre: børnehold, damehold, old boys og motionsfodbold.",
    ),
    (
        "havrum-borgerforening",
        "Havrum Borgerforening",
        A,
        56.1425,
        9.6200,
        3,
        APPROVAL,
        PUBLIC,
        "#005a70",
        "",
        "Landsbyrådet i Havrum: vi samler byens ønsker og taler med kommunen.",
    ),
    (
        "linda-seniorklub",
        "Lindå Seniorklub",
        A,
        56.2040,
        9.4900,
        6,
        APPROVAL,
        MEMBERS,
        "#6b4e16",
        "",
        "Hygge, ture og foredrag for seniorer i Lindå og omegn. Onsdage i præstegården.",
    ),
    (
        "egekaer-spejderne",
        "1. Egekær Spejdergruppe",
        A,
        56.1600,
        9.5600,
        8,
        INVITE,
        PUBLIC,
        "#2b5b2b",
        "",
        "Spejdere fra 6 til 17 år. Vi mødes hver tirsdag ved hytten i Skovby Skov.",
    ),
    (
        "gron-plaene",
        "Grøn Plæne ApS",
        C,
        56.1500,
        9.5200,
        25,
        INVITE,
        MEMBERS,
        "",
        "",
        "Græsslåning, hækklipning og pleje af boldbaner.",
    ),
    (
        "egekaer-vej-park",
        "Egekær Vej & Park",
        C,
        56.1650,
        9.5500,
        30,
        INVITE,
        MEMBERS,
        "",
        "",
        "Kommunens entreprenør for veje, stier, snerydning og grønne områder.",
    ),
]

# e-mail local part, display name, home village slug
RESIDENTS = [
    ("karen", "Karen Nielsen", "skovby"),
    ("lars", "Lars Jensen", "skovby"),
    ("mette", "Mette Hansen", "havrum"),
    ("jens", "Jens Pedersen", "havrum"),
    ("anne", "Anne Andersen", "linda"),
    ("peter", "Peter Christensen", "linda"),
    ("hanne", "Hanne Larsen", "skovby"),
    ("soren", "Søren Sørensen", "skovby"),
    ("kirsten", "Kirsten Rasmussen", "havrum"),
    ("niels", "Niels Jørgensen", "linda"),
    ("inge", "Inge Petersen", "skovby"),
    ("henrik", "Henrik Madsen", "havrum"),
    ("lene", "Lene Kristensen", "linda"),
    ("michael", "Michael Olsen", "skovby"),
    ("susanne", "Susanne Thomsen", "havrum"),
    ("thomas", "Thomas Christiansen", "linda"),
    ("birgit", "Birgit Poulsen", "skovby"),
    ("ole", "Ole Johansen", "havrum"),
    ("camilla", "Camilla Møller", "linda"),
    ("rasmus", "Rasmus Mortensen", "skovby"),
    ("ida", "Ida Knudsen", "havrum"),
    ("frederik", "Frederik Jakobsen", "linda"),
    ("emma", "Emma Mikkelsen", "skovby"),
    ("mads", "Mads Frederiksen", "havrum"),
    ("sofie", "Sofie Laursen", "linda"),
    ("jonas", "Jonas Henriksen", "skovby"),
    ("grethe", "Grethe Vestergaard", "linda"),
    ("poul", "Poul Nissen", "havrum"),
    ("bente", "Bente Lund", "skovby"),
    ("erik", "Erik Holm", "linda"),
]

CONTRACTOR_STAFF = [
    ("bo@gron-plaene.example", "Bo Græsted", "gron-plaene"),
    ("tina@gron-plaene.example", "Tina Kjær", "gron-plaene"),
    ("allan@vej-park.example", "Allan Bruun", "egekaer-vej-park"),
]

# community slug -> (organisers, members) by e-mail local part
MEMBERSHIPS = {
    "skovby": (
        ["lars"],
        [
            "karen",
            "hanne",
            "soren",
            "inge",
            "michael",
            "birgit",
            "rasmus",
            "emma",
            "jonas",
            "bente",
        ],
    ),
    "havrum": (
        ["mette"],
        ["jens", "kirsten", "henrik", "susanne", "ole", "ida", "mads", "poul"],
    ),
    "linda": (
        ["anne"],
        [
            "peter",
            "niels",
            "lene",
            "thomas",
            "camilla",
            "frederik",
            "sofie",
            "grethe",
            "erik",
        ],
    ),
    "skovby-if": (["lars", "michael"], ["rasmus", "jonas", "emma", "mads", "karen"]),
    "havrum-borgerforening": (["jens"], ["mette", "kirsten", "poul", "ole"]),
    "linda-seniorklub": (["grethe"], ["erik", "niels", "lene", "inge"]),
    "egekaer-spejderne": (["thomas"], ["sofie", "frederik", "camilla"]),
    "gron-plaene": ([], []),
    "egekaer-vej-park": ([], []),
}

NEWS = {
    None: [
        (
            "Nabolag er åbent for alle borgere",
            "Kommunens nye fællesskabsplatform samler landsbyer, foreninger og naboer.",
        ),
        (
            "Vinterens snerydning: sådan prioriterer vi",
            "Stier til skoler og busstoppesteder ryddes først. Se planen for din landsby.",
        ),
    ],
    "skovby": [
        (
            "Forsamlingshuset får nye vinduer",
            "Arbejdet starter i næste uge og tager tre uger.",
        ),
        (
            "Juletræet tændes på pladsen",
            "Kom og syng med, når træet tændes søndag kl. 16.",
        ),
    ],
    "havrum": [
        ("Badebroen er taget ind for vinteren", "Tak til de 14 frivillige, der hjalp."),
        ("Ny bænk ved havnen", "Borgerforeningen har fået tilskud til to nye bænke."),
    ],
    "linda": [
        (
            "Friskolen holder åbent hus",
            "Kom og se skolen og mød lærerne lørdag formiddag.",
        ),
    ],
    "skovby-if": [
        (
            "Vintertræning flytter indendørs",
            "U10 og U12 træner i hallen fra 1. december.",
        ),
        (
            "Græsset på bane 2 bliver slået oftere",
            "Vi har aftalt en ny plan med Grøn Plæne.",
        ),
    ],
    "havrum-borgerforening": [
        ("Referat fra borgermødet", "Stor opbakning til en trafiksikker skolevej."),
    ],
    "linda-seniorklub": [
        ("Tur til Den Gamle By", "Bussen kører fra præstegården kl. 9. Husk madpakke."),
    ],
    "egekaer-spejderne": [
        (
            "Sommerlejren er booket",
            "I år går turen til Bornholm. Tilmelding åbner i marts.",
        ),
    ],
}

# community slug -> (title, days from now, start hour, hours, place)
EVENTS = {
    None: [("Borgermøde om den nye kommuneplan", 12, 19, 2, "Rådhuset, Egekær")],
    "skovby": [
        ("Fællesspisning i forsamlingshuset", 5, 18, 3, "Skovby Forsamlingshus"),
        ("Arbejdsdag i skoven", 16, 9, 4, "P-pladsen ved Skovby Skov"),
    ],
    "havrum": [("Julemarked på havnen", 9, 11, 5, "Havrum Havn")],
    "linda": [("Naturpleje ved åen", 7, 10, 3, "Lindå Mølle")],
    "skovby-if": [
        ("Generalforsamling", 21, 19, 2, "Klubhuset, Skovby Stadion"),
        ("Juleafslutning for børneholdene", 14, 16, 2, "Skovby Hallen"),
    ],
    "havrum-borgerforening": [("Bestyrelsesmøde", 6, 19, 2, "Havrum Kro")],
    "linda-seniorklub": [("Foredrag: Lindå før og nu", 3, 14, 2, "Lindå Præstegård")],
    "egekaer-spejderne": [("Nattergaletur", 10, 20, 3, "Spejderhytten, Skovby Skov")],
}


def _user(email: str, name: str, home: Community | None, **extra) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        # Demo people have been here a while (moderation.trust: not new).
        joined = timezone.now() - timedelta(days=120)
        user = User(
            email=email,
            display_name=name,
            home_community=home,
            date_joined=joined,
            **extra,
        )
        user.set_password(DEMO_PASSWORD)
        user.save()
        _verify_email(user)
    return user


def _verify_email(user: User) -> None:
    EmailAddress.objects.get_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )


def _moderator(hub: HubHomePage) -> User:
    group = services.municipal_staff_group_ensure()
    moderator = _user(
        MODERATOR_EMAIL, "Birthe Moderator (Egekær Kommune)", None, is_staff=True
    )
    moderator.groups.add(group)
    return moderator


def _portals(moderator: User, port: int) -> dict[str, Community]:
    sections = {
        V: PortalIndexPage.objects.get(slug="villages"),
        A: PortalIndexPage.objects.get(slug="associations"),
    }
    communities = {}
    for (
        slug,
        name,
        kind,
        lat,
        lon,
        radius,
        policy,
        vis,
        colour,
        host,
        text,
    ) in COMMUNITIES:
        community = Community.objects.filter(slug=slug).first()
        if community is None and kind in sections:
            services.portal_create(
                actor=moderator,
                parent=sections[kind],
                name=name,
                slug=slug,
                kind=kind,
                description=text,
                latitude=lat,
                longitude=lon,
                radius_km=radius,
                join_policy=policy,
                visibility=vis,
                theme_colour=colour,
                hostname=host,
                port=port,
            )
            community = Community.objects.get(slug=slug)
        elif community is None:
            community = community_create(
                actor=moderator,
                name=name,
                slug=slug,
                kind=kind,
                description=text,
                latitude=lat,
                longitude=lon,
                radius_km=radius,
                join_policy=policy,
                visibility=vis,
            )
        communities[slug] = community
    return communities


def _membership(user: User, community: Community, role: str) -> None:
    Membership.objects.get_or_create(
        user=user,
        community=community,
        defaults={"role": role, "state": Membership.State.ACTIVE},
    )
    if role == Membership.Role.ORGANISER and community.editors_group:
        user.groups.add(community.editors_group)


def _people(communities: dict[str, Community]) -> dict[str, User]:
    people = {}
    for local, name, home in RESIDENTS:
        people[local] = _user(f"{local}@{DEMO_DOMAIN}", name, communities[home])
    for slug, (organisers, members) in MEMBERSHIPS.items():
        for local in organisers:
            _membership(people[local], communities[slug], Membership.Role.ORGANISER)
        for local in members:
            _membership(people[local], communities[slug], Membership.Role.MEMBER)
    for email, name, slug in CONTRACTOR_STAFF:
        staff = _user(email, name, None)
        role = (
            Membership.Role.ORGANISER
            if email.startswith(("bo@", "allan@"))
            else (Membership.Role.STAFF)
        )
        _membership(staff, communities[slug], role)
    # a pending request and an invitation, so organisers see both
    Membership.objects.get_or_create(
        user=people["susanne"],
        community=communities["havrum-borgerforening"],
        defaults={
            "state": Membership.State.REQUESTED,
            "message": "Jeg er lige flyttet til Havrum og vil gerne hjælpe.",
        },
    )
    return people


def _pages(hub: HubHomePage) -> None:
    today = timezone.localdate()
    parents = {None: hub}
    parents.update(
        {p.community.slug: p for p in PortalPage.objects.select_related("community")}
    )
    for slug, items in NEWS.items():
        parent = parents[slug]
        for days_ago, (title, intro) in enumerate(items):
            if not NewsPage.objects.child_of(parent).filter(title=title).exists():
                parent.add_child(
                    instance=NewsPage(
                        title=title,
                        intro=intro,
                        date=today - timedelta(days=days_ago * 3 + 1),
                        body=[("paragraph", f"<p>{intro}</p>")],
                    )
                )
    tz = timezone.get_current_timezone()
    for slug, items in EVENTS.items():
        parent = parents[slug]
        for title, days, hour, hours, place in items:
            if EventPage.objects.child_of(parent).filter(title=title).exists():
                continue
            start = datetime.combine(
                today + timedelta(days=days), time(hour), tzinfo=tz
            )
            parent.add_child(
                instance=EventPage(
                    title=title,
                    start_at=start,
                    end_at=start + timedelta(hours=hours),
                    place=place,
                    description=f"<p>{title}. Alle er velkomne.</p>",
                )
            )


@transaction.atomic
def seed(*, port: int = 8000) -> dict[str, int]:
    """Build the demo municipality; return how many of each thing exist."""
    # The platform pages' default texts in Danish, the demo's language.
    with translation.override("da"):
        hub = services.hub_ensure(
            title=f"Velkommen til Nabolag i {MUNICIPALITY}",
            hostname=DEMO_HOST,
            port=port,
        )
    _contact_details()
    if not hub.intro:
        hub.intro = (
            "<p>Her mødes naboer, landsbyer og foreninger i Egekær Kommune. "
            "Spørg om hjælp, tilbyd en hånd, og følg med i livet, hvor du bor.</p>"
        )
        hub.save_revision().publish()
    # The hub's site is the address `make run` prints and e-mails link to (dev
    # settings: WAGTAILADMIN_BASE_URL), so a portal's link back to the hub lands
    # where the visitor is logged in.
    Site.objects.filter(is_default_site=True).update(hostname=DEMO_HOST, port=port)
    # The demo portals' own host names (skovby.localhost) follow the served port.
    Site.objects.filter(hostname__endswith=".localhost").update(port=port)
    moderator = _moderator(hub)
    communities = _portals(moderator, port)
    people = _people(communities)
    _pages(hub)
    seed_pictures()
    context = {
        "hub": hub,
        "communities": communities,
        "people": people,
        "moderator": moderator,
    }
    for extra in _extra_seeders():
        extra(context)
    return {
        "communities": Community.objects.count(),
        "users": User.objects.count(),
        "memberships": Membership.objects.count(),
        "news": NewsPage.objects.count(),
        "events": EventPage.objects.count(),
    }


def _contact_details() -> None:
    """The fictional town hall's address, e-mail and phone, unless set."""
    contact = MunicipalitySettings.load()
    if contact.email:
        return
    contact.address = "Egekær Rådhus\nTorvet 1\n8600 Egekær"
    contact.email = "nabolag@egekaer.example"
    contact.phone = "+45 70 10 20 30"
    contact.phone_hours = "mandag-fredag 9-15"
    contact.dpo_email = "databeskyttelse@egekaer.example"
    contact.save()


def _extra_seeders() -> list:
    """Demo data of the domain apps (listings, conversations, the calendar,
    the task board, moderation), in order."""
    seeders = [
        seed_marketplace,
        seed_messaging,
        seed_agenda,
        seed_tasks,
        seed_moderation,
    ]
    return seeders
