"""The demo data: the ONE place where tests build it (everywhere else: factories).

seed_demo must be idempotent, because `make run` calls it on every start.
"""

import io

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from PIL import Image
from wagtail.models import Site

from accounts.models import User
from cms.demo import MODERATOR_EMAIL
from cms.models import EventPage, NewsPage, PortalPage
from hub.demo_pictures import Scene, paint
from marketplace.models import ListingPhoto
from moderation import audit, selectors
from moderation.models import Appeal, Case

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """The demo's pictures and photos go to a temporary folder, not var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"


def _row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if not model._meta.proxy
    }


def test_seed_demo_twice_creates_nothing_new(mailoutbox):
    call_command("seed_demo", "--force", verbosity=0)
    after_first = _row_counts()

    call_command("seed_demo", "--force", verbosity=0)

    assert after_first["communities.Community"] >= 9
    assert after_first["accounts.User"] >= 30
    changed = {
        label: (count, after_first[label])
        for label, count in _row_counts().items()
        if count != after_first[label]
    }
    assert changed == {}


def test_seed_demo_refuses_to_run_without_debug():
    with pytest.raises(CommandError):
        call_command("seed_demo", verbosity=0)


def test_seed_demo_serves_the_hub_and_its_links_on_the_port_it_is_given(
    client, mailoutbox
):
    call_command("seed_demo", "--force", verbosity=0)

    call_command("seed_demo", "--force", "--port", "8101", verbosity=0)
    on_portal_host = client.get("/", HTTP_HOST="skovby.localhost:8101")

    hub_site = Site.objects.get(is_default_site=True)
    assert hub_site.root_url == "http://127.0.0.1:8101"
    assert Site.objects.get(hostname="skovby.localhost").port == 8101
    assert on_portal_host.context["page"].title == "Skovby"
    assert 'class="hub-link" href="http://127.0.0.1:8101/"' in on_portal_host.text


def test_seed_demo_gives_every_portal_and_most_news_and_events_a_described_picture(
    mailoutbox,
):
    call_command("seed_demo", "--force", verbosity=0)

    portals = list(PortalPage.objects.select_related("image"))
    assert len(portals) >= 7
    assert all(p.image is not None and p.image_alt for p in portals)
    assert {(p.image.width, p.image.height) for p in portals} == {(1600, 900)}
    for model in (NewsPage, EventPage):
        pictured = model.objects.filter(image__isnull=False).exclude(image_alt="")
        assert pictured.count() > model.objects.count() / 2
    assert ListingPhoto.objects.exclude(alt_text="").count() >= 3


def test_the_demo_pictures_are_the_same_on_every_run_and_differ_by_seed():
    harbour = paint(Scene("harbour", seed="Havrum", colour="#1d4e89"))

    again = paint(Scene("harbour", seed="Havrum", colour="#1d4e89"))
    other = paint(Scene("harbour", seed="Ny bænk ved havnen", colour="#1d4e89"))

    assert harbour == again
    assert harbour != other
    assert Image.open(io.BytesIO(harbour)).size == (1600, 900)


def test_the_demo_gives_the_moderator_and_an_organiser_real_work(mailoutbox):
    call_command("seed_demo", "--force", verbosity=0)

    moderator = User.objects.get(email=MODERATOR_EMAIL)
    lars = User.objects.get(email="lars@demo.example")
    assert selectors.queue_count(lars) == 2  # the advert, and one screened
    assert Case.objects.filter(flagged="words").count() == 1
    assert selectors.queue_count(moderator) == 4
    assert Case.objects.filter(escalation=Case.Escalation.ILLEGAL).count() == 1
    assert Case.objects.filter(space=None, state=Case.State.OPEN).count() == 1
    upheld = Appeal.objects.get()
    assert upheld.outcome == Appeal.Outcome.UPHELD
    assert upheld.resolution.moderator == moderator
    assert audit.verify().intact
