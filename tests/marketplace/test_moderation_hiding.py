"""What moderation hides leaves every page, list, alert and JSON answer of the
people it is hidden from, and comes back when it is restored.

Pages are scanned for the hidden listing's title, as the privacy tests scan for
the address: a title anywhere in a neighbour's answer is a leak.
"""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation

from marketplace import selectors, services
from marketplace.models import Listing, ListingPhoto, WatchHit
from marketplace.tasks import send_watch_digests
from moderation import registry
from tests.helpers import make_listing

TITLE = "Hemmelig plaeneklipper"
NOTICE = "Hidden by moderation: only you and the moderators can see this listing."
HIDDEN_TAG = "Hidden by moderation"


@pytest.fixture
def mower(author, village):
    return make_listing(
        author,
        communities=[village],
        title=TITLE,
        description="Byttes mod en trailer.",
        category="garden",
        tags=["have"],
    )


@pytest.fixture
def watching(neighbour):
    return services.watch_create(
        user=neighbour, categories=["garden"], place=services.Place("Skovby")
    )


def _pages_of_others_listings() -> list[str]:
    return [
        reverse("marketplace:list"),
        reverse("marketplace:list") + "?near=Skovby&radius=2",
        reverse("marketplace:list") + "?near=Skovby&sort=newest",
        reverse("marketplace:list") + "?q=plaeneklipper",
        reverse("marketplace:list") + "?near=Skovby&view=map",
        "/api/marketplace/listings",
        "/api/marketplace/listings?near=Skovby&radius_km=2",
        "/api/marketplace/listings?q=plaeneklipper",
    ]


def _photo(listing, name="mower.jpg", **fields) -> ListingPhoto:
    return ListingPhoto.objects.create(
        listing=listing,
        image=f"marketplace/{listing.pk}/{name}",
        width=640,
        height=480,
        alt_text=fields.pop("alt_text", "Den røde plæneklipper"),
        **fields,
    )


# --- a hidden listing ---------------------------------------------------------------


def test_a_neighbour_no_longer_finds_a_hidden_listing_anywhere(
    client, mower, neighbour
):
    client.force_login(neighbour)
    assert TITLE in client.get(reverse("marketplace:list")).text  # seen before

    services.listing_hide(mower)

    for url in _pages_of_others_listings():
        response = client.get(url)
        assert response.status_code == 200, url
        assert TITLE not in response.text, url
    assert client.get(mower.get_absolute_url()).status_code == 404
    assert client.get(f"/api/marketplace/listings/{mower.pk}").status_code == 404
    responses_url = f"/api/marketplace/listings/{mower.pk}/responses"
    assert client.get(responses_url).status_code == 404


def test_a_visitor_no_longer_finds_a_hidden_listing(client, mower):
    services.listing_hide(mower)

    for url in _pages_of_others_listings():
        assert TITLE not in client.get(url).text, url
    assert client.get(mower.get_absolute_url()).status_code == 404


def test_the_author_still_sees_her_hidden_listing_marked_with_the_way_to_appeal(
    client, mower, author
):
    services.listing_hide(mower)
    client.force_login(author)

    page = client.get(mower.get_absolute_url())
    search = client.get(reverse("marketplace:list"), {"near": "Skovby", "radius": 2})
    mine = client.get(reverse("marketplace:mine"))
    api = client.get(f"/api/marketplace/listings/{mower.pk}")

    assert page.status_code == 200
    assert NOTICE in page.text
    assert 'href="/moderation/mine/"' in page.text
    assert TITLE in search.text
    assert HIDDEN_TAG in search.text
    assert TITLE in mine.text
    assert HIDDEN_TAG in mine.text
    assert api.json()["title"] == TITLE


def test_municipal_staff_still_see_a_hidden_listing_marked(client, mower, staff):
    services.listing_hide(mower)
    client.force_login(staff)

    page = client.get(mower.get_absolute_url())
    search = client.get(reverse("marketplace:list"), {"q": "plaeneklipper"})

    assert page.status_code == 200
    assert "only its author and the moderators can see this listing" in page.text
    assert NOTICE not in page.text  # the author's words are for the author
    assert TITLE in search.text


def test_a_restored_listing_is_found_again(client, mower, neighbour):
    services.listing_hide(mower)

    services.listing_restore(mower)

    mower.refresh_from_db()
    assert mower.hidden_at is None
    client.force_login(neighbour)
    assert client.get(mower.get_absolute_url()).status_code == 200
    assert TITLE in client.get(reverse("marketplace:list"), {"q": "plaeneklipper"}).text
    api = client.get("/api/marketplace/listings", {"q": "plaeneklipper"}).json()
    assert [hit["id"] for hit in api["results"]] == [mower.pk]


def test_hiding_touches_only_the_mark_of_moderation(mower):
    before = Listing.objects.get(pk=mower.pk)

    services.listing_hide(mower)
    first = Listing.objects.get(pk=mower.pk).hidden_at
    services.listing_hide(mower)

    after = Listing.objects.get(pk=mower.pk)
    assert first is not None
    assert after.hidden_at == first  # hidden twice keeps the first time
    assert after.updated_at == before.updated_at  # not an edit by the author
    assert after.state == before.state


def test_the_radius_search_leaves_out_a_hidden_listing_but_not_for_its_author(
    mower, author, neighbour, village
):
    kept = make_listing(author, communities=[village], title="Synlig stige")
    services.listing_hide(mower)
    near = {"latitude": village.latitude, "longitude": village.longitude}

    for sort in ("distance", "newest"):
        seen = selectors.listing_search(viewer=neighbour, sort=sort, **near)
        own = selectors.listing_search(viewer=author, sort=sort, **near)

        assert [hit.listing.pk for hit in seen.hits] == [kept.pk]
        assert seen.total == 1
        assert {hit.listing.pk for hit in own.hits} == {kept.pk, mower.pk}


def test_a_hidden_listing_leaves_the_personal_pages_of_those_it_was_shared_with(
    client, mower, trailer, author, neighbour
):
    answer = services.response_create(
        responder=neighbour, listing=mower, message="Jeg tager den"
    )
    match = services.response_accept(actor=author, response=answer)
    start = timezone.localdate() + timedelta(days=3)
    services.booking_request(
        borrower=neighbour, listing=trailer, starts_on=start, ends_on=start
    )
    client.force_login(neighbour)
    assert TITLE in client.get(reverse("marketplace:mine")).text  # seen before

    services.listing_hide(mower)
    services.listing_hide(trailer)

    mine = client.get(reverse("marketplace:mine"))
    assert TITLE not in mine.text
    assert "Trailer" not in mine.text
    assert client.get(match.get_absolute_url()).status_code == 404
    assert client.get(trailer.get_absolute_url()).status_code == 404


def test_a_hidden_listing_alerts_no_watch(mower, watching, staff):
    services.watch_create(
        user=staff, categories=["garden"], place=services.Place("Skovby")
    )
    services.listing_hide(mower)

    created = services.watch_match_listing(listing=mower)

    assert created == []
    assert not WatchHit.objects.filter(listing=mower).exists()


def test_hiding_drops_the_alerts_not_yet_sent_and_the_page_shows_none(
    client, mower, neighbour, watching
):
    services.watch_match_listing(listing=mower)
    client.force_login(neighbour)
    assert TITLE in client.get(reverse("marketplace:alerts")).text  # seen before

    services.listing_hide(mower)
    send_watch_digests.call()

    assert not WatchHit.objects.filter(listing=mower).exists()
    assert mail.outbox == []
    alerts = client.get(reverse("marketplace:alerts"))
    assert TITLE not in alerts.text
    assert selectors.unseen_alert_count(neighbour) == 0


def test_an_alert_already_mailed_is_kept_but_not_shown(
    client, mower, neighbour, watching
):
    services.watch_match_listing(listing=mower)
    send_watch_digests.call()
    assert len(mail.outbox) == 1

    services.listing_hide(mower)

    assert WatchHit.objects.filter(listing=mower, emailed_at__isnull=False).exists()
    assert selectors.unseen_alert_count(neighbour) == 0
    client.force_login(neighbour)
    assert TITLE not in client.get(reverse("marketplace:alerts")).text


def test_the_digest_leaves_out_an_alert_made_while_the_listing_was_hidden(
    mower, watching
):
    services.listing_hide(mower)
    # A match that had read the listing before it was hidden, saved after.
    WatchHit.objects.create(watch=watching, listing=mower)

    send_watch_digests.call()

    assert mail.outbox == []


# --- a hidden answer ----------------------------------------------------------------


@pytest.fixture
def answer(mower, neighbour):
    return services.response_create(
        responder=neighbour, listing=mower, message="Jeg kan hente den i aften"
    )


def test_a_hidden_answer_is_not_shown_to_the_listings_author(
    client, mower, author, answer
):
    client.force_login(author)
    assert answer.message in client.get(mower.get_absolute_url()).text

    services.response_hide(answer)

    page = client.get(mower.get_absolute_url())
    api = client.get(f"/api/marketplace/listings/{mower.pk}/responses")
    assert answer.message not in page.text
    assert "No answers yet." in page.text
    assert api.json() == []
    assert selectors.answers_waiting(author).responses == 0
    assert "answer waiting" not in client.get(reverse("marketplace:mine")).text


def test_the_author_cannot_accept_a_hidden_answer(author, answer):
    services.response_hide(answer)

    with pytest.raises(services.NotVisible):
        services.response_accept(actor=author, response=answer)

    answer.refresh_from_db()
    assert answer.state == answer.State.PENDING
    assert not hasattr(answer, "match")


def test_the_responder_still_sees_her_hidden_answer_marked(
    client, mower, neighbour, answer
):
    services.response_hide(answer)
    client.force_login(neighbour)

    page = client.get(mower.get_absolute_url())
    mine = client.get(reverse("marketplace:mine"))

    assert answer.message in page.text
    assert "The author of the listing does not see this answer." in page.text
    assert HIDDEN_TAG in mine.text


def test_a_restored_answer_is_shown_to_the_author_again(client, mower, author, answer):
    services.response_hide(answer)

    services.response_restore(answer)

    client.force_login(author)
    assert answer.message in client.get(mower.get_absolute_url()).text


# --- a hidden photo -----------------------------------------------------------------


def test_a_hidden_photo_is_shown_to_nobody_but_the_author(
    client, mower, author, neighbour, staff
):
    shown = _photo(mower, "shown.jpg", position=1)
    hidden = _photo(mower, "hidden.jpg", position=0, alt_text="Skjult billede")

    services.photo_hide(hidden)

    for viewer in (None, neighbour, staff):
        if viewer is None:
            client.logout()
        else:
            client.force_login(viewer)
        page = client.get(mower.get_absolute_url())
        search = client.get(reverse("marketplace:list"), {"q": "plaeneklipper"})
        assert shown.image.url in page.text, viewer
        assert hidden.image.url not in page.text, viewer
        assert "Skjult billede" not in page.text + search.text, viewer
        assert shown.image.url in search.text, viewer  # the card's photo
    client.force_login(author)
    own = client.get(mower.get_absolute_url())
    assert hidden.image.url in own.text
    assert "Only you and the moderators can see this photo." in own.text


def test_a_restored_photo_is_shown_again(client, mower, neighbour):
    photo = _photo(mower)
    services.photo_hide(photo)

    services.photo_restore(photo)

    client.force_login(neighbour)
    assert photo.image.url in client.get(mower.get_absolute_url()).text


# --- report links -------------------------------------------------------------------


def test_a_neighbour_gets_report_links_and_the_author_only_for_others_answers(
    client, mower, author, neighbour, answer
):
    photo = _photo(mower)
    listing_link = f'href="/moderation/report/listing/{mower.pk}/"'
    photo_link = f'href="/moderation/report/photo/{photo.pk}/"'
    answer_link = f'href="/moderation/report/response/{answer.pk}/"'

    client.force_login(neighbour)
    theirs = client.get(mower.get_absolute_url()).text
    client.force_login(author)
    own = client.get(mower.get_absolute_url()).text
    client.logout()
    visitor = client.get(mower.get_absolute_url()).text

    assert listing_link in theirs
    language = re.search(r'<html lang="([\w-]+)"', theirs)[1]
    with translation.override(language):  # in the page's own language
        assert translation.gettext("Report this listing") in theirs
    assert photo_link in theirs
    assert answer_link not in theirs  # her own answer
    assert listing_link not in own
    assert photo_link not in own
    assert answer_link in own
    # A visitor may report the listing as illegal (moderation's visitor form),
    # nothing else on it.
    assert listing_link in visitor
    assert photo_link not in visitor
    assert answer_link not in visitor


# --- the registration ---------------------------------------------------------------


def test_listings_answers_and_photos_are_registered_for_moderation(
    mower, author, neighbour, stranger, village, answer
):
    photo = _photo(mower)
    listing_kind = registry.by_kind("listing")
    response_kind = registry.by_kind("response")
    photo_kind = registry.by_kind("photo")

    assert registry.for_model(Listing) is listing_kind
    assert all(k.hideable for k in (listing_kind, response_kind, photo_kind))
    assert str(response_kind.label) == "response to a listing"
    assert listing_kind.author(mower) == author
    assert response_kind.author(answer) == neighbour
    assert photo_kind.author(photo) == author
    assert listing_kind.space(mower) == village
    assert photo_kind.space(photo) == village
    assert listing_kind.excerpt(mower) == f"{TITLE}\n\nByttes mod en trailer."
    assert response_kind.excerpt(answer) == answer.message
    assert photo_kind.excerpt(photo) == "Den røde plæneklipper"
    assert response_kind.url(answer) == mower.get_absolute_url()
    assert len(listing_kind.revision(mower)) == 16
    assert listing_kind.revision(mower) == listing_kind.revision(mower)
    assert response_kind.can_see(author, answer)
    assert not response_kind.can_see(stranger, answer)
    assert listing_kind.can_see(neighbour, mower)


def test_a_listing_for_everyone_nearby_has_no_space(author):
    listing = make_listing(author, title="Til alle")

    assert registry.by_kind("listing").space(listing) is None


def test_an_edit_gives_a_new_revision(mower):
    reportable = registry.by_kind("listing")
    before = reportable.revision(mower)

    mower.description = "Byttes mod en stige."

    assert reportable.revision(mower) != before


def test_the_registered_hide_and_restore_act_on_the_listing(mower, neighbour, stranger):
    reportable = registry.by_kind("listing")

    reportable.hide(mower)
    assert not reportable.can_see(neighbour, mower)
    assert not selectors.can_view_listing(user=neighbour, listing=mower)
    reportable.restore(mower)

    assert reportable.can_see(neighbour, mower)


def test_a_hidden_answer_or_photo_cannot_be_seen_to_be_reported_by_others(
    mower, author, neighbour, staff, answer
):
    photo = _photo(mower)
    responses, photos = registry.by_kind("response"), registry.by_kind("photo")

    responses.hide(answer)
    photos.hide(photo)

    assert not responses.can_see(author, answer)
    assert responses.can_see(neighbour, answer)
    assert responses.can_see(staff, answer)
    assert not photos.can_see(neighbour, photo)
    assert photos.can_see(author, photo)
