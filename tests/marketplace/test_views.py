from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from marketplace.models import AddressReveal, Listing, Match, Response
from tests.helpers import (
    ADDRESS,
    bomb_png,
    make_listing,
    nearest_walk_queries,
    photo_upload,
    session_queries,
    stored_files,
)


@pytest.fixture
def listings(author, village):
    return [
        make_listing(author, communities=[village], title=f"Opslag {n}", tags=[f"t{n}"])
        for n in range(5)
    ]


def test_the_list_page_shows_open_listings_to_anonymous_visitors(client, listing):
    response = client.get(reverse("marketplace:list"))

    assert response.status_code == 200
    assert listing.title in response.content.decode()


def test_the_list_page_runs_a_fixed_number_of_queries(
    client, neighbour, listings, django_assert_num_queries
):
    client.force_login(neighbour)

    # session, user, permissions, header, places, memberships, candidates, page,
    # tags, photos, tag list, alerts, the search form's communities: never per row.
    with django_assert_num_queries(12 + session_queries() + nearest_walk_queries()):
        response = client.get(
            reverse("marketplace:list"), {"near": "Skovby", "radius": 5}
        )

    assert response.status_code == 200
    assert response.context["result"].total == 5


def test_the_map_view_renders_public_points_for_leaflet(client, listing):
    response = client.get(
        reverse("marketplace:list"), {"near": "Skovby", "view": "map"}
    )

    config = response.context["map_config"]
    assert config["points"][0]["lat"] == listing.public_latitude
    assert 'id="listing-map-config"' in response.content.decode()


def test_an_unknown_place_in_search_gets_a_translated_error(client, listing):
    response = client.get(reverse("marketplace:list"), {"near": "Qwertyville"})

    assert response.status_code == 200
    assert "We could not find the place “Qwertyville”" in response.content.decode()


def test_creating_a_listing_through_the_form_publishes_it(client, author, village):
    client.force_login(author)

    response = client.post(
        reverse("marketplace:create"),
        {
            "kind": "offer",
            "title": "Jeg går gerne med hunde",
            "description": "Studerende med god tid om eftermiddagen.",
            "category": "children",
            "tags": "hunde, gåtur",
            "communities": [village.pk],
            "address": "Skovvej 2, Skovby",
            "helpers_needed": 1,
            "publish": "1",
        },
    )

    listing = Listing.objects.get()
    assert response.status_code == 302
    assert listing.state == Listing.State.OPEN
    assert sorted(t.name for t in listing.tags.all()) == ["gåtur", "hunde"]


def test_an_address_that_cannot_be_found_keeps_the_form_and_offers_the_map(
    client, author, village
):
    client.force_login(author)

    response = client.post(
        reverse("marketplace:create"),
        {
            "kind": "request",
            "title": "Hjælp med haven",
            "description": "Hækken skal klippes.",
            "category": "garden",
            "communities": [village.pk],
            "address": "Ukendtvej 99, Intetsteds",
            "helpers_needed": 1,
        },
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert "We could not find this address" in page
    assert 'value="Hjælp med haven"' in page
    assert "You can also pick the point on the map below." in page
    assert not Listing.objects.exists()


def test_a_wrong_photo_file_gets_an_error_and_the_form_is_kept(client, author, village):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(author)

    response = client.post(
        reverse("marketplace:create"),
        {
            "kind": "give",
            "title": "Gratis sofa",
            "description": "Hentes.",
            "category": "other",
            "communities": [village.pk],
            "address": "Skovby",
            "helpers_needed": 1,
            "photos": [SimpleUploadedFile("sofa.jpg", b"not an image", "image/jpeg")],
        },
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert "sofa.jpg" in page
    assert 'value="Gratis sofa"' in page


def test_photo_descriptions_are_edited_kept_on_error_and_used_as_alt_text(
    client, author, village
):
    listing = make_listing(
        author,
        communities=[village],
        photos=[photo_upload(gps=False)],
        photo_description="Sofa",
    )
    photo = listing.photos.get()
    client.force_login(author)
    form = {
        "title": "",  # an error: the whole form comes back
        "description": listing.description,
        "category": listing.category,
        "communities": [village.pk],
        "address": "Skovby",
        "helpers_needed": 1,
        f"photo_alt_{photo.pk}": "Grøn sofa med tre puder",
    }

    failed = client.post(reverse("marketplace:edit", args=[listing.pk]), form)
    assert failed.status_code == 400
    assert 'value="Grøn sofa med tre puder"' in failed.content.decode()

    form["title"] = "Gratis sofa"
    client.post(reverse("marketplace:edit", args=[listing.pk]), form)
    page = client.get(listing.get_absolute_url()).content.decode()

    assert 'alt="Grøn sofa med tre puder"' in page


def test_responding_accepting_and_the_match_page_reveal_the_address_to_both(
    client, listing, author, neighbour
):
    client.force_login(neighbour)
    client.post(
        reverse("marketplace:respond", args=[listing.pk]), {"message": "Jeg kan"}
    )
    response_obj = Response.objects.get()
    client.force_login(author)

    accepted = client.post(
        reverse("marketplace:response", args=[response_obj.pk, "accept"])
    )
    match = Match.objects.get()
    author_page = client.get(accepted.url)
    client.force_login(neighbour)
    helper_page = client.get(reverse("marketplace:match", args=[match.pk]))

    assert ADDRESS in author_page.content.decode()
    assert ADDRESS in helper_page.content.decode()
    assert AddressReveal.objects.filter(match=match).count() == 2


def test_the_match_page_is_hidden_from_everyone_else(
    client, listing, author, neighbour, stranger
):
    client.force_login(neighbour)
    client.post(
        reverse("marketplace:respond", args=[listing.pk]), {"message": "Jeg kan"}
    )
    client.force_login(author)
    client.post(
        reverse("marketplace:response", args=[Response.objects.get().pk, "accept"])
    )
    client.force_login(stranger)

    response = client.get(reverse("marketplace:match", args=[Match.objects.get().pk]))

    assert response.status_code == 404
    assert not AddressReveal.objects.filter(viewer=stranger).exists()


def test_the_author_sees_responses_and_the_decline_default_text(
    client, listing, author, neighbour
):
    client.force_login(neighbour)
    client.post(
        reverse("marketplace:respond", args=[listing.pk]), {"message": "Jeg kan"}
    )
    client.force_login(author)

    page = client.get(listing.get_absolute_url()).content.decode()

    assert "Jeg kan" in page
    assert "Decline kindly" in page


def test_my_page_lists_my_listings_and_answers(
    client, listing, neighbour, django_assert_num_queries
):
    client.force_login(neighbour)
    client.post(
        reverse("marketplace:respond", args=[listing.pk]), {"message": "Jeg kan"}
    )

    with django_assert_num_queries(10 + session_queries()):
        page = client.get(reverse("marketplace:mine"))

    assert listing.title in page.content.decode()


def test_tag_suggestions_answer_json_and_datalist_options(client, listing):
    json_reply = client.get(reverse("marketplace:tags"), {"q": "e-"})
    options = client.get(
        reverse("marketplace:tags"), {"tags": "hund, e-"}, HTTP_HX_REQUEST="true"
    )

    assert json_reply.json() == {"tags": ["e-boks"]}
    assert '<option value="hund, e-boks">' in options.content.decode()


def test_a_watch_is_saved_around_the_home_village(client, neighbour, village):
    neighbour.home_community = village
    neighbour.save()
    client.force_login(neighbour)

    response = client.post(
        reverse("marketplace:watches"), {"categories": ["garden"], "radius_km": 5}
    )

    assert response.status_code == 302
    assert neighbour.watches.get().centre_label == "Skovby"


def test_the_less_used_filters_fold_away_until_one_is_used(client, listing):
    folded = client.get(reverse("marketplace:list"), {"near": "Skovby", "radius": 10})
    unfolded = client.get(
        reverse("marketplace:list"), {"near": "Skovby", "category": "digital"}
    )

    assert '<details class="more-filters">' in folded.content.decode()
    assert '<details class="more-filters" open>' in unfolded.content.decode()
    assert 'name="category"' in folded.content.decode()  # still there, folded


@pytest.mark.parametrize(
    ("query", "problem"),
    [
        ({"lat": "inf", "lon": "9"}, "latitude must be a number from -90 to 90"),
        ({"lat": "nan", "lon": "9"}, "latitude must be a number from -90 to 90"),
        ({"lat": "-inf", "lon": "9"}, "latitude must be a number from -90 to 90"),
        ({"lat": "91", "lon": "9"}, "latitude must be a number from -90 to 90"),
        ({"lat": "56", "lon": "-181"}, "longitude must be a number from -180 to 180"),
        ({"lat": "56"}, "Give both latitude and longitude"),
        ({"near": "Skovby", "radius": "inf"}, "Select a valid choice"),
        ({"near": "Skovby", "page": "0"}, "page number"),
        ({"near": "Skovby", "page": "x"}, "page number"),
    ],
)
def test_the_search_page_explains_a_point_or_radius_off_the_map(
    client, listing, query, problem
):
    response = client.get(reverse("marketplace:list"), query)

    assert response.status_code == 200
    assert problem in response.content.decode()
    assert response.context["form"].errors
    if "near" not in query:  # a point that failed is no centre at all
        assert response.context["centre"] is None


def test_an_unknown_place_is_named_in_an_error_and_the_other_filters_still_apply(
    client, author, village, listing
):
    make_listing(author, communities=[village], title="Hækklipning", category="garden")

    response = client.get(
        reverse("marketplace:list"), {"near": "Qwertyville", "category": "digital"}
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "We could not find the place “Qwertyville”" in page
    assert response.context["form"].has_error("near")
    assert response.context["centre"] is None
    assert [h.listing for h in response.context["result"].hits] == [listing]
    assert '<option value="digital" selected>' in page


def test_a_photo_with_too_many_pixels_is_refused_on_the_edit_form_keeping_the_typing(
    client, author, village, listing, settings
):
    client.force_login(author)
    form = {
        "title": "Hjælp til e-Boks, gerne i weekenden",
        "description": "Jeg har fået et nyt NemID.",
        "category": "digital",
        "tags": "e-boks, mitid",
        "communities": [village.pk],
        "address": ADDRESS,
        "helpers_needed": 1,
        "photo_description": "Skærmbillede",
        "photos": [bomb_png("skaerm.png")],
    }

    response = client.post(reverse("marketplace:edit", args=[listing.pk]), form)

    page = response.content.decode()
    listing.refresh_from_db()
    assert response.status_code == 400
    assert "skaerm.png: This photo has too many pixels." in page
    assert 'value="Hjælp til e-Boks, gerne i weekenden"' in page
    assert "Jeg har fået et nyt NemID." in page
    assert 'value="e-boks, mitid"' in page
    assert 'value="Skærmbillede"' in page
    assert listing.title == "Hjælp til digital post"
    assert stored_files(settings) == []


def test_a_photo_claiming_too_many_pixels_is_refused_on_the_create_form_in_danish(
    client, author, village, settings
):
    client.force_login(author)

    response = client.post(
        reverse("marketplace:create"),
        {
            "kind": "give",
            "title": "Gratis sofa",
            "description": "Hentes.",
            "category": "other",
            "communities": [village.pk],
            "address": "Skovby",
            "helpers_needed": 1,
            "photos": [bomb_png("sofa.png")],
        },
        HTTP_ACCEPT_LANGUAGE="da",
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert "sofa.png: Billedet har for mange pixels." in page
    assert 'value="Gratis sofa"' in page
    assert not Listing.objects.exists()
    assert stored_files(settings) == []


def test_an_end_in_the_past_is_refused_by_the_form_keeping_the_typing(
    client, author, village
):
    client.force_login(author)
    yesterday = timezone.localtime() - timedelta(days=1)

    response = client.post(
        reverse("marketplace:create"),
        {
            "kind": "request",
            "title": "Hjælp med haven",
            "description": "Hækken skal klippes.",
            "category": "garden",
            "communities": [village.pk],
            "address": "Skovby",
            "ends_at": yesterday.strftime("%Y-%m-%dT%H:%M"),
            "helpers_needed": 1,
        },
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert "The end has passed. Choose a later end, or none." in page
    assert 'value="Hjælp med haven"' in page
    assert not Listing.objects.exists()


def test_a_listing_whose_end_has_passed_is_shown_as_expired_and_takes_no_answers(
    client, author, neighbour, village
):
    listing = make_listing(
        author, communities=[village], ends_at=timezone.now() + timedelta(hours=1)
    )
    Listing.objects.filter(pk=listing.pk).update(
        ends_at=timezone.now() - timedelta(minutes=1)
    )
    client.force_login(neighbour)

    detail = client.get(listing.get_absolute_url())
    listed = client.get(reverse("marketplace:list"))
    client.force_login(author)
    mine = client.get(reverse("marketplace:mine"))

    assert 'class="ds-tag" data-color="warning">Expired<' in detail.content.decode()
    assert f'action="/help/{listing.pk}/respond/"' not in detail.content.decode()
    assert listed.context["result"].total == 0
    assert (
        '<span class="ds-tag" data-color="neutral">Expired</span>'
        in mine.content.decode()
    )


def test_submitting_the_same_listing_form_twice_creates_one_listing(
    client, author, village
):
    client.force_login(author)
    empty = client.get(reverse("marketplace:create"), {"kind": "offer"})
    client_id = empty.context["form"]["client_id"].value()
    form = {
        "kind": "offer",
        "title": "Jeg slår gerne græs",
        "description": "Har egen plæneklipper.",
        "category": "garden",
        "communities": [village.pk],
        "address": "Skovby",
        "helpers_needed": 1,
        "client_id": client_id,
        "publish": "1",
    }

    first = client.post(reverse("marketplace:create"), form)
    second = client.post(reverse("marketplace:create"), form)

    listing = Listing.objects.get()
    assert f'name="client_id" value="{client_id}"' in empty.content.decode()
    assert len(client_id) == 32
    assert first.url == second.url == listing.get_absolute_url()
    assert listing.client_id == client_id


def test_each_empty_listing_form_gets_its_own_client_id(client, author):
    client.force_login(author)

    first = client.get(reverse("marketplace:create"), {"kind": "offer"}).context["form"]
    second = client.get(reverse("marketplace:create"), {"kind": "offer"}).context[
        "form"
    ]

    assert first["client_id"].value() != second["client_id"].value()


def test_the_edit_form_starts_from_what_the_listing_says_and_where_it_is(
    client, author, village
):
    starts = timezone.localtime() + timedelta(days=2)
    listing = make_listing(
        author,
        communities=[village],
        title="Hjælp til e-Boks",
        tags=["e-boks", "mitid"],
        starts_at=starts,
    )
    client.force_login(author)

    page = client.get(reverse("marketplace:edit", args=[listing.pk]))

    form, html = page.context["form"], page.content.decode()
    assert 'value="Hjælp til e-Boks"' in html
    assert 'value="e-boks, mitid"' in html
    assert f'value="{ADDRESS}"' in html
    assert f'value="{starts.strftime("%Y-%m-%dT%H:%M")}"' in html
    assert form["communities"].value() == [village.pk]
    assert "kind" not in form.fields


def test_an_edit_that_changes_nothing_leaves_the_listing_and_its_place_as_they_were(
    client, author, village, listing
):
    before = (listing.title, listing.public_latitude, listing.expires_at)
    client.force_login(author)
    form = client.get(reverse("marketplace:edit", args=[listing.pk])).context["form"]
    unchanged = {name: form[name].value() for name in form.fields}
    unchanged = {name: value for name, value in unchanged.items() if value is not None}

    response = client.post(reverse("marketplace:edit", args=[listing.pk]), unchanged)

    listing.refresh_from_db()
    assert response.status_code == 302
    assert (listing.title, listing.public_latitude, listing.expires_at) == before
    assert [t.name for t in listing.tags.all()] == ["e-boks"]
