"""Pictures for the demo portals, news and events (seed_demo). Dev data only.

Each picture is painted by hub.demo_pictures from a motif, a seed and the portal's
colour, stored as a Wagtail image in the portal's collection with a Danish
description, and set on the page with that description as its alt text.
"""

import logging

from django.db.models import Model
from wagtail.images import get_image_model
from wagtail.models import Collection, Page

from hub.demo_pictures import Scene, demo_image_file

from .models import EventPage, NewsPage, PortalPage

logger = logging.getLogger(__name__)

# portal slug -> (motif, alt text)
PORTALS = {
    "skovby": (
        "village",
        "Tegning af landsbyen Skovby: farvede huse og en hvid kirke mellem grønne "
        "bakker, med træer i forgrunden.",
    ),
    "havrum": (
        "harbour",
        "Tegning af Havrum set fra fjorden: sejlbåde på vandet, en træbro og byens "
        "huse og hvide kirke på kysten.",
    ),
    "linda": (
        "river",
        "Tegning af Lindå: en vindmølle og landsbyens huse ved åen, der snor sig "
        "gennem de grønne enge.",
    ),
    "skovby-if": (
        "football",
        "Tegning af Skovby IF's fodboldbane: spillere på en stribet græsbane, et "
        "mål og klubhuset med klubbens flag.",
    ),
    "havrum-borgerforening": (
        "hall",
        "Tegning af et gult forsamlingshus i skumringen, med lys i vinduerne og "
        "lyskæder langs vejen.",
    ),
    "linda-seniorklub": (
        "parsonage",
        "Tegning af den hvide kirke og husene i Lindå i eftermiddagssol, med en "
        "bænk i forgrunden.",
    ),
    "egekaer-spejderne": (
        "forest",
        "Tegning af en spejderlejr: et telt og et lejrbål foran en tæt granskov.",
    ),
}

# news or event title -> (motif, alt text); pages not named here have no picture
PAGES = {
    "Nabolag er åbent for alle borgere": (
        "townhall",
        "Tegning af Egekær Rådhus med uret på gavlen, omgivet af byens huse og træer.",
    ),
    "Vinterens snerydning: sådan prioriterer vi": (
        "winter",
        "Tegning af en landsby i sne om aftenen, med hvide tage og lys i vinduerne.",
    ),
    "Forsamlingshuset får nye vinduer": (
        "hall",
        "Tegning af Skovby Forsamlingshus, et gult hus med mange vinduer, i aftenlys.",
    ),
    "Juletræet tændes på pladsen": (
        "winter",
        "Tegning af et stort juletræ med lys og en stjerne på pladsen foran "
        "sneklædte huse.",
    ),
    "Badebroen er taget ind for vinteren": (
        "harbour",
        "Tegning af havnen i Havrum med træbroen og sejlbåde på fjorden.",
    ),
    "Ny bænk ved havnen": (
        "parsonage",
        "Tegning af en træbænk på en græsplæne med udsigt til kirken og husene.",
    ),
    "Friskolen holder åbent hus": (
        "school",
        "Tegning af Lindå Friskole, en lang rød bygning mellem landsbyens huse.",
    ),
    "Vintertræning flytter indendørs": (
        "football",
        "Tegning af børn, der spiller fodbold på den stribede græsbane ved klubhuset.",
    ),
    "Græsset på bane 2 bliver slået oftere": (
        "football",
        "Tegning af en nyslået fodboldbane med hvide kridtstreger og et mål.",
    ),
    "Tur til Den Gamle By": (
        "village",
        "Tegning af gamle huse med røde og sorte tage og en hvid kirke i "
        "eftermiddagssol.",
    ),
    "Sommerlejren er booket": (
        "forest",
        "Tegning af et telt og et lejrbål i en lysning ved granskoven.",
    ),
    "Borgermøde om den nye kommuneplan": (
        "townhall",
        "Tegning af Egekær Rådhus, hvor borgermødet holdes.",
    ),
    "Fællesspisning i forsamlingshuset": (
        "hall",
        "Tegning af forsamlingshuset i skumringen med lys i vinduerne.",
    ),
    "Arbejdsdag i skoven": (
        "forest",
        "Tegning af Skovby Skov: høje graner, et telt og et bål til frokostpausen.",
    ),
    "Julemarked på havnen": (
        "market",
        "Tegning af boder med stribede markiser under lyskæder en vinteraften.",
    ),
    "Naturpleje ved åen": (
        "river",
        "Tegning af åen ved Lindå Mølle, der snor sig gennem engen.",
    ),
    "Juleafslutning for børneholdene": (
        "winter",
        "Tegning af et juletræ med lys foran sneklædte huse.",
    ),
    "Nattergaletur": (
        "forest",
        "Tegning af spejdernes telt og lejrbål i skumringen ved skoven.",
    ),
}


def seed_pictures() -> int:
    """Give every demo portal and most news and events a picture; how many were
    added (none on a second run: pages that have one are left alone)."""
    added = 0
    for portal in PortalPage.objects.select_related("community").filter(
        image__isnull=True, community__slug__in=PORTALS
    ):
        motif, alt = PORTALS[portal.community.slug]
        _set(portal, motif, alt, portal.theme_colour, portal.documents_collection)
        added += 1
    portals = {p.path: p for p in PortalPage.objects.all()}
    for model in (NewsPage, EventPage):
        for page in model.objects.filter(image__isnull=True, title__in=PAGES):
            portal = portals.get(page.path[: -Page.steplen])
            colour = portal.theme_colour if portal else "#1d4e89"
            collection = portal.documents_collection if portal else None
            _set(page, *PAGES[page.title], colour, collection)
            added += 1
    logger.info("demo pictures: %s added", added)
    return added


def _set(page: Model, motif: str, alt: str, colour: str, collection) -> None:
    title = page.title
    image_model = get_image_model()
    image = image_model.objects.filter(title=title).first()
    if image is None:
        image = image_model(
            title=title,
            description=alt,
            file=demo_image_file(Scene(motif, seed=title, colour=colour or "#1d4e89")),
            collection=collection or Collection.get_first_root_node(),
        )
        image.save()
    page.image = image
    page.image_alt = alt
    page.save_revision(log_action=False).publish(skip_permission_checks=True)
