"""Watch alerts reach the watcher's open tabs at once, over the live socket."""

import json

import pytest
from channels.db import database_sync_to_async
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from marketplace import services
from marketplace.models import Listing, WatchHit
from tests.factories import MembershipFactory, UserFactory
from tests.helpers import (
    ADDRESS,
    EXACT_LAT,
    EXACT_LON,
    make_listing,
    next_of_type,
    socket_for,
)


def _watch(user, *, place="Skovby", categories=("digital",)):
    return services.watch_create(
        user=user, categories=list(categories), radius_km=5, place=services.Place(place)
    )


def test_a_watcher_is_alerted_live_once_with_public_facts_only(
    author, neighbour, village, layer, django_capture_on_commit_callbacks
):
    _watch(neighbour)
    far_away = UserFactory()
    _watch(far_away, place="Oslo")

    with django_capture_on_commit_callbacks(execute=True):
        listing = make_listing(author, communities=[village])
    with django_capture_on_commit_callbacks(execute=True):
        services.watch_match_listing(listing=listing)  # run twice: alerted once

    alerts = layer.events(f"user.{neighbour.pk}")
    assert [a["type"] for a in alerts] == ["alert"]
    assert alerts[0]["listing"] == listing.pk
    assert alerts[0]["url"] == reverse("marketplace:detail", args=[listing.pk])
    assert alerts[0]["text"].startswith("New near you: Hjælp til digital post")
    assert "km" in alerts[0]["text"] or "m)" in alerts[0]["text"]
    sent = json.dumps(layer.sent, ensure_ascii=False)
    for secret in (ADDRESS, str(EXACT_LAT), str(EXACT_LON)):
        assert secret not in sent
    assert not layer.events(f"user.{far_away.pk}")
    assert not layer.events(f"user.{author.pk}")
    assert WatchHit.objects.filter(listing=listing).count() == 1


def test_the_alerts_tab_counts_unseen_alerts_with_the_one_badge_partial(
    client, author, neighbour, village, django_capture_on_commit_callbacks
):
    _watch(neighbour)
    with django_capture_on_commit_callbacks(execute=True):
        listing = make_listing(author, communities=[village])
    services.watch_match_listing(listing=listing)
    client.force_login(neighbour)

    response = client.get(
        reverse("marketplace:list"), headers={"accept-language": "da"}
    )

    html = response.content.decode()
    alerts_tab = f'href="{reverse("marketplace:alerts")}"'
    tab = html[html.index(alerts_tab) :].split("</li>")[0]
    assert (
        '<span class="badge"><span class="ds-badge" data-color="danger" data-count="1">'
        '<span class="visually-hidden">1</span></span>'
        '<span class="visually-hidden"> ikke set</span></span>'
    ) in tab


def test_the_alert_is_written_in_the_watchers_language(
    author, neighbour, village, layer, django_capture_on_commit_callbacks
):
    neighbour.preferred_language = "da"
    neighbour.save(update_fields=["preferred_language"])
    _watch(neighbour)

    with django_capture_on_commit_callbacks(execute=True):
        make_listing(author, communities=[village])

    [alert] = layer.events(f"user.{neighbour.pk}")
    texts = {}
    for language in ("da", "en"):
        with translation.override(language):
            texts[language] = gettext(
                "New near you: %(title)s (%(kind)s, %(distance)s)"
            ) % {
                "title": "Hjælp til digital post",
                "kind": Listing.Kind.REQUEST.label,
                "distance": gettext("about 500 m"),
            }
    assert texts["da"] != texts["en"]  # the Danish catalogue has it
    assert alert["text"] == texts["da"]


def test_a_listing_the_watcher_may_not_see_raises_no_alert(
    author, private_club, layer, django_capture_on_commit_callbacks
):
    MembershipFactory(community=private_club, user=author)
    outsider = UserFactory()
    _watch(outsider)

    with django_capture_on_commit_callbacks(execute=True):
        make_listing(author, communities=[private_club])

    assert not layer.events(f"user.{outsider.pk}")


@pytest.mark.django_db(transaction=True)
async def test_an_open_socket_receives_the_alert_when_a_listing_is_published(
    village,
):
    author, watcher = await database_sync_to_async(_two_neighbours)(village)
    socket = await socket_for(watcher)
    try:
        listing = await database_sync_to_async(make_listing)(
            author, communities=[village]
        )
        frame = await next_of_type(socket, "alert")
        assert frame["listing"] == listing.pk
        assert ADDRESS not in json.dumps(frame, ensure_ascii=False)
    finally:
        await socket.disconnect()


def _two_neighbours(village):
    author = MembershipFactory(community=village, user__display_name="Karen").user
    watcher = MembershipFactory(community=village, user__display_name="Lars").user
    _watch(watcher)
    return author, watcher
