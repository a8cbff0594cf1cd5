"""Every marketplace page makes a fixed number of queries: the same with one item
as with many, so an N+1 fails here. Counts are exact; a change to them is
deliberate."""

import pytest
from django.urls import reverse

from marketplace import services
from tests.factories import MembershipFactory
from tests.helpers import make_listing, nearest_walk_queries, session_queries

pytestmark = pytest.mark.django_db

SIZES = [1, 4]


def _listings(author, village, size: int) -> list:
    return [
        make_listing(author, communities=[village], title=f"Opslag {n}", tags=[f"t{n}"])
        for n in range(size)
    ]


def _answered(listing, village, size: int) -> None:
    for n in range(size):
        helper = MembershipFactory(community=village, user__display_name=f"Nabo {n}")
        services.response_create(
            responder=helper.user, listing=listing, message=f"Jeg kan {n}"
        )


@pytest.mark.parametrize("size", SIZES)
def test_the_list_page_makes_the_same_queries_for_a_visitor_however_many_listings(
    client, author, village, size, django_assert_num_queries
):
    _listings(author, village, size)

    with django_assert_num_queries(5):
        response = client.get(reverse("marketplace:list"))

    assert response.status_code == 200


@pytest.mark.parametrize("size", SIZES)
def test_a_search_near_a_place_makes_the_same_queries_however_many_listings(
    client, author, neighbour, village, size, django_assert_num_queries
):
    _listings(author, village, size)
    client.force_login(neighbour)

    with django_assert_num_queries(12 + session_queries() + nearest_walk_queries()):
        response = client.get(
            reverse("marketplace:list"), {"near": "Skovby", "radius": 5}
        )

    assert response.context["result"].total == size


@pytest.mark.parametrize("size", SIZES)
def test_the_detail_page_makes_the_same_queries_for_the_author_however_many_answers(
    client, author, village, listing, size, django_assert_num_queries
):
    _answered(listing, village, size)
    client.force_login(author)

    with django_assert_num_queries(12 + session_queries()):
        response = client.get(reverse("marketplace:detail", args=[listing.pk]))

    assert response.status_code == 200
    assert "Jeg kan 0" in response.text


@pytest.mark.parametrize("size", SIZES)
def test_the_detail_page_makes_the_same_queries_for_a_neighbour(
    client, neighbour, village, listing, size, django_assert_num_queries
):
    _answered(listing, village, size)
    client.force_login(neighbour)

    with django_assert_num_queries(11 + session_queries()):
        response = client.get(reverse("marketplace:detail", args=[listing.pk]))

    assert response.status_code == 200


def test_the_detail_page_makes_few_queries_for_a_visitor(
    client, listing, django_assert_num_queries
):
    with django_assert_num_queries(4):
        response = client.get(reverse("marketplace:detail", args=[listing.pk]))

    assert response.status_code == 200


@pytest.mark.parametrize("size", SIZES)
def test_my_page_makes_the_same_queries_however_many_listings_and_answers(
    client, author, neighbour, village, size, django_assert_num_queries
):
    for listing in _listings(author, village, size):
        services.response_create(responder=neighbour, listing=listing, message="Ja")
    for listing in _listings(neighbour, village, size):
        services.response_create(responder=author, listing=listing, message="Ja")
    client.force_login(neighbour)

    with django_assert_num_queries(10 + session_queries()):
        response = client.get(reverse("marketplace:mine"))

    assert len(response.context["responses"]) == size


@pytest.mark.parametrize("size", SIZES)
def test_the_watches_page_makes_the_same_queries_however_many_watches(
    client, neighbour, size, django_assert_num_queries
):
    for n in range(size):
        services.watch_create(
            user=neighbour,
            categories=["digital"],
            radius_km=n + 1,
            place=services.Place("Skovby"),
        )
    client.force_login(neighbour)

    with django_assert_num_queries(7 + session_queries()):
        response = client.get(reverse("marketplace:watches"))

    assert response.status_code == 200


@pytest.mark.parametrize("size", SIZES)
def test_the_alerts_page_makes_the_same_queries_however_many_alerts(
    client,
    author,
    neighbour,
    village,
    size,
    django_assert_num_queries,
):
    services.watch_create(
        user=neighbour, categories=["digital"], place=services.Place("Skovby")
    )
    for listing in _listings(author, village, size):
        services.watch_match_listing(listing=listing)
    client.force_login(neighbour)

    with django_assert_num_queries(7 + session_queries()):
        response = client.get(reverse("marketplace:alerts"))

    assert len(response.context["hits"]) == size
