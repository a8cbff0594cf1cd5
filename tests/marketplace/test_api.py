from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from marketplace.models import Listing, Match, Response
from tests.helpers import make_listing

API = "/api/marketplace"


def test_the_openapi_schema_lists_the_marketplace_endpoints(client):
    schema = client.get("/api/openapi.json").json()

    assert f"{API}/listings" in schema["paths"]
    assert f"{API}/responses/{{pk}}/accept" in schema["paths"]


def test_search_by_place_returns_rounded_distances(client, listing):
    body = client.get(f"{API}/listings", {"near": "Skovby", "radius_km": 5}).json()

    assert body["total"] == 1
    hit = body["results"][0]
    assert hit["id"] == listing.pk
    assert (hit["distance_km"] * 2).is_integer()
    assert hit["area"] == "Skovby"


def test_search_for_an_unknown_place_is_a_422(client, listing):
    response = client.get(f"{API}/listings", {"near": "Qwertyville"})

    assert response.status_code == 422


def test_a_members_only_listing_is_a_404_for_outsiders(
    client, author, private_club, stranger
):
    from tests.factories import MembershipFactory

    MembershipFactory(community=private_club, user=author)
    hidden = make_listing(author, communities=[private_club])
    client.force_login(stranger)

    assert client.get(f"{API}/listings/{hidden.pk}").status_code == 404
    assert client.get(f"{API}/listings").json()["total"] == 0


def test_creating_needs_a_login(client, village):
    response = client.post(f"{API}/listings", {}, content_type="application/json")

    assert response.status_code == 401


def test_an_unknown_address_is_a_422_with_the_message(client, author, village):
    client.force_login(author)

    response = client.post(
        f"{API}/listings",
        {
            "kind": "request",
            "title": "Hjælp",
            "description": "Tak",
            "category": "other",
            "communities": [village.slug],
            "address": "Ingenvej 1, Ukendtby",
        },
        content_type="application/json",
    )

    assert response.status_code == 422
    [problem] = response.json()["detail"]
    assert problem["loc"] == ["body", "payload", "address"]
    assert "could not find this address" in problem["msg"]


def test_respond_accept_and_decline_through_the_api(
    client, listing, author, neighbour, stranger
):
    client.force_login(neighbour)
    first = client.post(
        f"{API}/listings/{listing.pk}/responses",
        {"message": "Jeg kan"},
        content_type="application/json",
    )
    client.force_login(stranger)
    second = client.post(
        f"{API}/listings/{listing.pk}/responses",
        {"message": "Også mig"},
        content_type="application/json",
    )
    client.force_login(author)

    accepted = client.post(
        f"{API}/responses/{first.json()['id']}/accept",
        {},
        content_type="application/json",
    )
    declined = client.post(
        f"{API}/responses/{second.json()['id']}/decline",
        {},
        content_type="application/json",
    )

    assert (first.status_code, second.status_code) == (201, 201)
    assert accepted.status_code == 200
    assert Match.objects.get().pk == accepted.json()["id"]
    assert declined.json()["state"] == Response.State.DECLINED
    assert declined.json()["reply"]
    assert Listing.objects.get().state == Listing.State.MATCHED


@pytest.mark.parametrize(("who", "status"), [("author", 403), ("neighbour", 403)])
def test_refusals_map_to_http_status_codes(
    client, listing, author, neighbour, who, status
):
    client.force_login(neighbour)
    response_id = client.post(
        f"{API}/listings/{listing.pk}/responses",
        {"message": "Jeg kan"},
        content_type="application/json",
    ).json()["id"]
    client.force_login({"author": author, "neighbour": neighbour}[who])

    if who == "author":
        reply = client.post(
            f"{API}/listings/{listing.pk}/responses",
            {"message": "Mig selv"},
            content_type="application/json",
        )
    else:
        reply = client.post(
            f"{API}/responses/{response_id}/accept", {}, content_type="application/json"
        )

    assert reply.status_code == status


def test_the_author_lists_every_response(client, listing, author, neighbour):
    client.force_login(neighbour)
    client.post(
        f"{API}/listings/{listing.pk}/responses",
        {"message": "Jeg kan"},
        content_type="application/json",
    )
    client.force_login(author)

    body = client.get(f"{API}/listings/{listing.pk}/responses").json()

    assert [r["message"] for r in body] == ["Jeg kan"]


@pytest.mark.parametrize(
    "query",
    [
        {"lat": "inf", "lon": "9"},
        {"lat": "-inf", "lon": "9"},
        {"lat": "nan", "lon": "9"},
        {"lat": "56", "lon": "inf"},
        {"lat": "91", "lon": "9"},
        {"lat": "-90.5", "lon": "9"},
        {"lat": "56", "lon": "180.1"},
        {"lat": "56"},
        {"lon": "9"},
        {"near": "Skovby", "radius_km": "inf"},
        {"near": "Skovby", "radius_km": "nan"},
        {"near": "Skovby", "radius_km": "0"},
        {"near": "Skovby", "radius_km": "101"},
        {"near": "Skovby", "page": "0"},
        {"near": "Skovby", "page": "1e400"},
    ],
)
def test_search_with_a_point_or_radius_off_the_map_is_a_422_saying_why(
    client, listing, query
):
    response = client.get(f"{API}/listings", query)

    assert response.status_code == 422
    problems = response.json()["detail"]
    assert problems
    assert all(p["msg"] for p in problems)


def test_search_with_a_point_on_the_map_still_answers(client, listing):
    response = client.get(f"{API}/listings", {"lat": "56.171", "lon": "9.547"})

    assert response.status_code == 200
    assert response.json()["total"] == 1


def test_search_for_an_unknown_place_names_it_in_the_422(client, listing):
    response = client.get(f"{API}/listings", {"near": "Qwertyville", "kind": "request"})

    assert response.status_code == 422
    assert "We could not find the place “Qwertyville”" in str(response.json())


def _new_listing(village, **changes) -> dict:
    payload = {
        "kind": "request",
        "title": "Hjælp til at bære en sofa",
        "description": "Tredje sal, ingen elevator.",
        "category": "errands",
        "communities": [village.slug],
        "address": "Skovby",
    }
    payload.update(changes)
    return payload


def _ago(**delta) -> str:
    return (timezone.now() - timedelta(**delta)).isoformat()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"kind": "sell"}, "kind"),
        ({"category": "weapons"}, "category"),
        ({"title": "   "}, "title"),
        ({"description": ""}, "description"),
        ({"starts_at": _ago(days=3), "ends_at": _ago(days=2)}, "ends_at"),
        ({"ends_at": _ago(minutes=1)}, "ends_at"),
        ({"ends_at": "2020-05-01T10:00:00"}, "ends_at"),  # no time zone: local
        ({"helpers_needed": 3}, "helpers_needed"),
        ({"kind": "volunteer", "helpers_needed": 1000}, "helpers_needed"),
        ({"communities": [], "everyone_nearby": False}, "communities"),
    ],
)
def test_creating_what_the_form_refuses_is_a_422_naming_the_field(
    client, author, village, changes, field
):
    client.force_login(author)

    response = client.post(
        f"{API}/listings",
        _new_listing(village, **changes),
        content_type="application/json",
    )

    assert response.status_code == 422
    problems = response.json()["detail"]
    assert [p["loc"] for p in problems] == [["body", "payload", field]]
    assert problems[0]["msg"]
    assert not Listing.objects.exists()


def test_the_api_and_the_form_refuse_an_ended_window_with_the_same_words(
    client, author, village
):
    client.force_login(author)
    ended = timezone.localtime() - timedelta(days=1)

    api = client.post(
        f"{API}/listings",
        _new_listing(village, ends_at=ended.isoformat()),
        content_type="application/json",
    )
    form = client.post(
        reverse("marketplace:create"),
        {
            **_new_listing(village, communities=[village.pk], helpers_needed=1),
            "ends_at": ended.strftime("%Y-%m-%dT%H:%M"),
        },
    )

    message = api.json()["detail"][0]["msg"]
    assert message == "The end has passed. Choose a later end, or none."
    assert form.status_code == 400
    assert form.context["form"].errors["ends_at"] == [message]
    assert not Listing.objects.exists()


def test_a_listing_created_through_the_api_with_a_future_window_is_open(
    client, author, village
):
    client.force_login(author)
    ends = (timezone.localtime() + timedelta(days=2)).replace(tzinfo=None)

    response = client.post(
        f"{API}/listings",
        _new_listing(village, ends_at=ends.isoformat()),
        content_type="application/json",
    )

    assert response.status_code == 201
    assert response.json()["state"] == "open"
    assert Listing.objects.get().ends_at == timezone.make_aware(ends)


def test_a_retried_create_with_the_same_client_id_returns_the_first_listing(
    client, author, village
):
    client.force_login(author)
    payload = _new_listing(village, client_id="9b2f1c0e-retry")

    first = client.post(f"{API}/listings", payload, content_type="application/json")
    second = client.post(f"{API}/listings", payload, content_type="application/json")

    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["id"] == second.json()["id"]
    assert Listing.objects.count() == 1


@pytest.mark.parametrize(
    "point",
    [
        {"latitude": "inf", "longitude": 9.5},
        {"latitude": 56.1, "longitude": "nan"},
        {"latitude": 95, "longitude": 9.5},
        {"latitude": 56.1},
        {"longitude": 9.5},
    ],
)
def test_creating_at_a_point_off_the_map_or_half_a_point_is_a_422(
    client, author, village, point
):
    client.force_login(author)

    response = client.post(
        f"{API}/listings",
        _new_listing(village, address="Skovby", **point),
        content_type="application/json",
    )

    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"]
    assert not Listing.objects.exists()


def _stored(listing) -> dict:
    location = listing.location
    return {
        "kind": listing.kind,
        "title": listing.title,
        "description": listing.description,
        "category": listing.category,
        "state": listing.state,
        "starts_at": listing.starts_at,
        "ends_at": listing.ends_at,
        "expires_at": listing.expires_at,
        "helpers_needed": listing.helpers_needed,
        "everyone_nearby": listing.everyone_nearby,
        "communities": [c.slug for c in listing.communities.all()],
        "tags": sorted(t.name for t in listing.tags.all()),
        "place": (location.address, location.latitude, location.longitude),
    }


def test_the_api_and_the_form_store_the_same_listing_from_the_same_input(
    client, author, village
):
    starts = (timezone.localtime() + timedelta(days=2)).replace(second=0, microsecond=0)
    ends = starts + timedelta(hours=3)
    same = {
        "kind": "volunteer",
        "title": "  Hjælpere til høstmarkedet ",
        "description": "Opstilling og kagebod.",
        "category": "other",
        "everyone_nearby": True,
        "address": "Torvet 1, Skovby",
        "latitude": 56.171,
        "longitude": 9.547,
        "helpers_needed": 4,
    }
    client.force_login(author)

    api = client.post(
        f"{API}/listings",
        {
            **same,
            "communities": [village.slug],
            "tags": ["Høst", "kage bod"],
            "starts_at": starts.isoformat(),
            "ends_at": ends.isoformat(),
        },
        content_type="application/json",
    )
    form = client.post(
        reverse("marketplace:create"),
        {
            **same,
            "communities": [village.pk],
            "tags": "Høst, kage bod",
            "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": ends.strftime("%Y-%m-%dT%H:%M"),
        },
    )

    assert (api.status_code, form.status_code) == (201, 302)
    by_api, by_form = Listing.objects.order_by("pk")
    assert _stored(by_api) == _stored(by_form)
    assert _stored(by_api)["expires_at"] == ends
    assert _stored(by_api)["tags"] == ["høst", "kage bod"]
