"""Portals, news and events carry a picture with the words that describe it, in
sizes for phones and wide screens, and lists of them cost the same queries
however many cards have one."""

import io
import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.loader import render_to_string
from django.utils import timezone
from PIL import Image as PILImage
from wagtail.images import get_image_model

from cms.models import EventPage, NewsPage, PortalPage
from tests.factories import MembershipFactory

from .test_pages import HUB_HOME_QUERIES, PAGE_IN_PORTAL_QUERIES, PORTAL_QUERIES

pytestmark = pytest.mark.django_db

ALT = "Tegning af havnen med sejlbåde"
WIDTHS = ("320w", "640w", "960w", "1280w")


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Images and renditions go to a temporary folder, never var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"


def _image(title="Havnen", *, description=""):
    out = io.BytesIO()
    PILImage.new("RGB", (1600, 900), (40, 100, 160)).save(out, format="JPEG")
    return get_image_model().objects.create(
        title=title,
        description=description,
        file=ContentFile(out.getvalue(), name=f"{title.lower()}.jpg"),
    )


def _news(parent, title, **kwargs) -> NewsPage:
    return parent.add_child(instance=NewsPage(title=title, **kwargs))


def _event(parent, title, *, in_days=3, **kwargs) -> EventPage:
    start = timezone.now() + timedelta(days=in_days)
    return parent.add_child(
        instance=EventPage(
            title=title,
            start_at=start,
            end_at=start + timedelta(hours=2),
            place="Havnen",
            description="<p>Alle er velkomne.</p>",
            **kwargs,
        )
    )


def _pictured(page, image=None, alt=ALT):
    page.image = image or _image(f"Billede {page.pk}")
    page.image_alt = alt
    page.save_revision().publish()
    return page


def _img_tags(html: str) -> list[str]:
    return re.findall(r"<img [^>]*>", html)


# --- the editor must describe the picture


@pytest.mark.parametrize("kind", ["portal", "news", "event"])
def test_a_picture_without_a_description_is_refused_by_the_editor(
    hub, make_portal, kind
):
    portal = make_portal("havrum")
    page = {"portal": portal, "news": _news(portal, "Ny bænk"), "event": None}[kind]
    if page is None:
        page = _event(portal, "Julemarked")
    page.image = _image()
    page.image_alt = "   "

    with pytest.raises(ValidationError) as error:
        page.full_clean()

    assert "image_alt" in error.value.message_dict
    assert "Beskriv billedet" in error.value.message_dict["image_alt"][0]
    stored = type(page).objects.get(pk=page.pk)
    assert stored.image_id is None
    assert stored.image_alt == ""


def test_the_image_librarys_description_is_taken_when_the_page_has_none(
    hub, make_portal
):
    page = _news(make_portal("havrum"), "Ny bænk")
    page.image = _image(description="En bænk ved havnen")

    page.full_clean()

    assert page.image_alt == "En bænk ved havnen"


def test_a_page_without_a_picture_needs_no_description(hub, make_portal):
    page = _news(make_portal("havrum"), "Ny bænk")

    page.full_clean()

    assert page.image is None


# --- pages and cards show it, sized for phones


def test_a_news_page_leads_with_its_picture_in_every_width(client, hub, make_portal):
    page = _pictured(_news(make_portal("havrum"), "Ny bænk ved havnen"))

    html = client.get(page.url).text

    [img] = [tag for tag in _img_tags(html) if "srcset=" in tag]
    assert f'alt="{ALT}"' in img
    assert all(width in img for width in WIDTHS)
    assert 'width="320"' in img
    assert 'height="180"' in img
    assert ".webp" in img
    # The first picture on the page is fetched at once, not when scrolled to.
    assert 'loading="lazy"' not in img


@pytest.mark.parametrize("kind", ["portal", "event"])
def test_portal_and_event_pages_show_their_picture(client, hub, make_portal, kind):
    portal = make_portal("havrum")
    page = _pictured(portal if kind == "portal" else _event(portal, "Julemarked"))

    html = client.get(page.url).text

    assert any(f'alt="{ALT}"' in tag and "1280w" in tag for tag in _img_tags(html))


def test_the_hub_homes_cards_show_pictures_that_load_when_scrolled_to(
    client, hub, make_portal
):
    portal = _pictured(make_portal("havrum"), alt="Havrum set fra fjorden")
    _pictured(_news(portal, "Ny bænk"), alt="En ny bænk")

    tags = _img_tags(client.get("/").text)

    for alt in ("Havrum set fra fjorden", "En ny bænk"):
        [img] = [tag for tag in tags if f'alt="{alt}"' in tag]
        assert 'loading="lazy"' in img
        assert all(width in img for width in WIDTHS)
        assert "sizes=" in img


def test_an_event_card_shows_its_picture(hub, make_portal):
    event = _pictured(_event(make_portal("havrum"), "Julemarked"), alt="Boder")

    html = render_to_string("includes/event_card.html", {"item": event})

    [img] = _img_tags(html)
    assert 'alt="Boder"' in img
    assert 'loading="lazy"' in img


# --- the same queries however many cards have a picture

# Measured: each list of cards with pictures adds one query for their renditions
# (the images come with the pages); portals, news and events are three lists. The
# warm-up request makes the renditions, as the first visitor does.
LISTS_WITH_PICTURES = 3


def _pictured_hub(hub, make_portal, portals: int) -> list[PortalPage]:
    made = []
    for n in range(portals):
        portal = _pictured(make_portal(f"landsby-{n}", name=f"Landsby {n}"))
        MembershipFactory(community=portal.community)
        _pictured(_news(portal, f"Nyhed {n}"))
        _pictured(_event(portal, f"Begivenhed {n}", in_days=n + 1))
        made.append(portal)
    return made


@pytest.mark.parametrize("portals", [1, 6])
def test_the_hub_home_makes_the_same_queries_however_many_cards_have_pictures(
    client, hub, make_portal, django_assert_num_queries, portals
):
    _pictured_hub(hub, make_portal, portals)
    client.get("/")

    with django_assert_num_queries(HUB_HOME_QUERIES + LISTS_WITH_PICTURES):
        response = client.get("/")

    assert response.text.count('loading="lazy"') >= 2 * portals


@pytest.mark.parametrize("items", [1, 5])
def test_a_portal_with_pictures_makes_the_same_queries_however_much_it_holds(
    client, hub, make_portal, django_assert_num_queries, items
):
    portal = _pictured(make_portal("havrum"))
    MembershipFactory.create_batch(items, community=portal.community)
    for i in range(items):
        _pictured(_news(portal, f"Nyhed {i}"))
        _pictured(_event(portal, f"Begivenhed {i}", in_days=i + 1))
    client.get(portal.url)

    # The portal's own picture's and its news' renditions (its coming dates come
    # from the calendar, one query with or without pictures).
    with django_assert_num_queries(PORTAL_QUERIES + 2):
        response = client.get(portal.url)

    assert len(response.context["news"]) == items


@pytest.mark.parametrize("make", [_news, _event])
def test_a_page_with_a_picture_makes_one_query_more(
    client, hub, make_portal, django_assert_num_queries, make
):
    portal = make_portal("havrum")
    for i in range(3):
        make(portal, f"Andet {i}")
    page = _pictured(make(portal, "Læs mere"))
    client.get(page.url)

    # Its image. Its renditions come from Wagtail's rendition cache (Django's
    # default cache, where the warm-up request left them).
    with django_assert_num_queries(PAGE_IN_PORTAL_QUERIES + 1):
        client.get(page.url)
