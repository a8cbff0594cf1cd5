"""The API's schema documents every answer it gives: schemathesis generates
requests for each operation from /api/openapi.json and sends them through the
Django app in this process, logged in as a member with data to act on."""

import json

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from hub.api import api
from marketplace import services as marketplace
from messaging import services as messaging
from tests.factories import CommunityFactory, MembershipFactory

CSRF = "nabolagschemacsrfsecret000000000"  # 32 characters: a valid CSRF secret

schema = schemathesis.openapi.from_dict(
    json.loads(json.dumps(api.get_openapi_schema()))
)
# Django's own WSGI handler, CSRF checks included, run in this thread and in the
# test's transaction (see _keep_the_test_connection).
schema.app = WSGIHandler()


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Django closes the database connection after each request; in a test that
    would close the test's transaction (Django's test client does the same)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _listing(author, community, title):
    fields = marketplace.ListingFields(
        kind="request",
        title=title,
        description="Jeg kan ikke finde ud af e-Boks.",
        category="digital",
        communities=[community],
        tags=["e-boks"],
        place=marketplace.Place("Bøgevej 17, Skovby", 56.1723, 9.5512),
    )
    return marketplace.listing_create(author=author, fields=fields, publish=True)


@pytest.fixture
def world(db, client):
    """Karen, logged in, with a channel, messages, listings and responses."""
    village = CommunityFactory(
        name="Skovby", slug="skovby-api", latitude=56.1710, longitude=9.5470
    )
    karen = MembershipFactory(community=village, user__display_name="Karen").user
    lars = MembershipFactory(community=village, user__display_name="Lars").user
    general = messaging.channel_ensure_general(community=village)
    own, _created = messaging.message_send(
        author=karen, conversation=general, body="Hej", client_id="schema-1"
    )
    theirs, _created = messaging.message_send(
        author=lars, conversation=general, body="Hej Karen", client_id="schema-2"
    )
    karens = _listing(karen, village, "Hjælp til digital post")
    lars_listing = _listing(lars, village, "Hjælp til at bære")
    response = marketplace.response_create(
        responder=lars, listing=karens, message="Jeg kan hjælpe"
    )
    client.force_login(karen)
    return {
        "cookies": {"sessionid": client.cookies["sessionid"].value, "csrftoken": CSRF},
        # Ids of real objects by the path they appear in, so that generated
        # requests reach the endpoints' work and not only their 404s.
        "ids": {
            "/api/messaging/conversations/": [general.pk],
            "/api/messaging/messages/": [own.pk, theirs.pk],
            "/api/marketplace/listings/": [karens.pk, lars_listing.pk],
            "/api/marketplace/responses/": [response.pk],
        },
    }


def _aim_at_real_objects(case, world) -> None:
    pk = (case.path_parameters or {}).get("pk")
    if not isinstance(pk, int) or pk % 3 == 0:
        return  # a third keep their generated id: the not-found answers
    for prefix, ids in world["ids"].items():
        if case.operation.path.startswith(prefix):
            case.path_parameters["pk"] = ids[pk % len(ids)]


@schema.parametrize()
@settings(
    max_examples=25,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_the_api_gives_no_server_error_and_only_documented_answers(case, world):
    _aim_at_real_objects(case, world)

    response = case.call(cookies=world["cookies"], headers={"X-CSRFToken": CSRF})

    case.validate_response(
        response,
        checks=[
            not_a_server_error,
            status_code_conformance,
            response_schema_conformance,
        ],
    )


def _served_schema(client) -> dict:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    return response.json()


@pytest.mark.django_db
def test_every_operation_documents_the_errors_it_can_answer(client):
    paths = _served_schema(client)["paths"]

    send = paths["/api/messaging/conversations/{pk}/messages"]["post"]["responses"]
    search = paths["/api/marketplace/listings"]["get"]["responses"]
    inbox = paths["/api/messaging/conversations"]["get"]["responses"]
    assert {"400", "401", "403", "404", "409", "422", "429"} <= set(send)
    assert "Retry-After" in send["429"]["headers"]
    assert {"401", "403"} <= set(inbox)
    assert "404" not in inbox
    assert "422" in search
    assert "401" not in search  # open to visitors


@pytest.mark.django_db
def test_errors_are_documented_in_their_real_shapes(client):
    served = _served_schema(client)
    schemas = served["components"]["schemas"]
    unprocessable = served["paths"]["/api/marketplace/listings"]["get"]["responses"][
        "422"
    ]["content"]["application/json"]["schema"]

    assert schemas["Error"]["properties"]["detail"]["type"] == "string"
    assert schemas["ValidationError"]["properties"]["detail"]["type"] == "array"
    assert {"$ref": "#/components/schemas/ValidationError"} in unprocessable["anyOf"]


@pytest.mark.django_db
def test_an_unknown_api_path_answers_the_apis_own_404(client):
    response = client.get("/api/messaging/conversations/abc/messages")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found"}


@pytest.mark.django_db
def test_a_visitor_gets_the_documented_401_from_every_operation_that_needs_a_login(
    client,
):
    paths = _served_schema(client)["paths"]
    secured = [
        (method, path)
        for path, operations in paths.items()
        for method, operation in operations.items()
        if operation.get("security")
    ]

    answers = {
        (method, path): client.generic(
            method.upper(), path.replace("{pk}", "1"), "{}", "application/json"
        )
        for method, path in secured
    }

    assert secured
    for (method, path), response in answers.items():
        assert response.status_code == 401, (method, path)
        assert "401" in paths[path][method]["responses"]
        assert response.json() == {"detail": "Unauthorized"}
