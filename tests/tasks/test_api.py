"""The task board's JSON API (/api/tasks/), as a contractor's own planning
system uses it: with a personal access token (no session, no CSRF token), it
lists the tasks it may see, offers times, takes the club's, starts, reports
the work done with photos; the club accepts or disputes; either side cancels.
Every refusal is the service's, with its message and status: a time without
its offset (422), in the past (400), a stale version (409, nothing changed),
someone not party to it (404), a side's step taken by the other (403), photos
of the wrong type (400, nothing changed), too many steps (429). The list
reads in a fixed number of queries."""

from datetime import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from accounts import tokens
from communities.models import Community, Membership
from hub.limits import HOUR, LIMITS, Limit
from tasks.models import Task, TaskPhoto, TaskSlot
from tasks.services import agreements, lifecycle
from tests.factories import CommunityFactory, member_of, organiser_of
from tests.helpers import session_queries
from tests.tasks.conftest import (
    CHECKLIST,
    at,
    confirmed,
    da,
    done,
    open_slot,
    proposed,
    small_photo,
    when,
)

pytestmark = pytest.mark.django_db

API = "/api/tasks/tasks"
S = Task.State


def _url(task: Task, step: str = "") -> str:
    return f"{API}/{task.pk}" + (f"/{step}" if step else "")


def _bearer(user) -> dict:
    _token, secret = tokens.token_create(user=user, name="Planlægning")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.fixture
def api():
    """A client like a program's: no session, and CSRF checks enforced."""
    return Client(enforce_csrf_checks=True)


@pytest.fixture
def firm_key(firm_organiser) -> dict:
    return _bearer(firm_organiser)


@pytest.fixture
def club_key(club_organiser) -> dict:
    return _bearer(club_organiser)


def _post(api, task, step, key, body=None):
    return api.post(
        _url(task, step), body or {}, content_type="application/json", **key
    )


def _iso(moment) -> str:
    return moment.isoformat()


def _unchanged(task: Task) -> tuple:
    task.refresh_from_db()
    return (task.state, task.version, task.starts_at, task.steps.count())


def test_the_schema_lists_every_step_of_a_tasks_life(client):
    paths = client.get("/api/openapi.json").json()["paths"]

    assert f"{API}" in paths
    assert f"{API}/{{pk}}" in paths
    for step in ("propose", "confirm", "start", "complete", "accept", "dispute"):
        assert f"{API}/{{pk}}/{step}" in paths, step
    assert f"{API}/{{pk}}/cancel" in paths


# --- a task's whole life over the API


def test_a_planning_system_takes_a_task_from_offered_times_to_accepted(
    api, firm_key, club_key, task, club_organiser, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    task = proposed(task, club_organiser, at(2, 8))

    listed = api.get(API, **firm_key)
    (row,) = listed.json()
    assert listed.status_code == 200
    assert (row["id"], row["state"], row["version"]) == (task.pk, S.PROPOSED, 2)
    assert row["checklist"] == CHECKLIST
    detail = api.get(_url(task), **firm_key).json()
    (slot,) = detail["slots"]
    assert slot["side"] == "client"

    confirmed_ = _post(
        api, task, "confirm", firm_key, {"slot": slot["id"], "version": row["version"]}
    )
    assert confirmed_.status_code == 200
    body = confirmed_.json()
    assert body["state"] == S.CONFIRMED
    assert datetime.fromisoformat(body["starts_at"]) == at(2, 8)

    started = _post(api, task, "start", firm_key, {"version": body["version"]})
    assert started.json()["state"] == S.IN_PROGRESS

    completed = api.post(
        _url(task, "complete"),
        {
            "checked": [0, 2],
            "note": "Slået og ryddet.",
            "minutes_on_site": "95",
            "photo_description": "Bane 1 bagefter",
            "version": str(started.json()["version"]),
            "photos": [small_photo()],
        },
        **firm_key,
    )
    assert completed.status_code == 200, completed.content
    body = completed.json()
    assert body["state"] == S.DONE
    assert (body["checked"], body["minutes_on_site"]) == ([0, 2], 95)
    assert body["completion_note"] == "Slået og ryddet."
    (photo,) = TaskPhoto.objects.filter(task=task)
    with Image.open(photo.image.path) as image:
        assert not image.getexif().get_ifd(0x8825)

    accepted = _post(api, task, "accept", club_key, {"version": body["version"]})
    assert accepted.status_code == 200
    body = accepted.json()
    assert body["state"] == S.ACCEPTED
    assert [s["action"] for s in body["steps"]] == [
        "created",
        "proposed",
        "confirmed",
        "started",
        "completed",
        "accepted",
    ]


def test_the_contractor_offers_times_with_their_offset(api, firm_key, task):
    starts = [_iso(at(2, 8)), _iso(at(3, 10))]

    response = _post(
        api, task, "propose", firm_key, {"starts": starts, "note": "Tidligt"}
    )

    assert response.status_code == 200
    body = response.json()
    assert body["state"] == S.PROPOSED
    assert [s["side"] for s in body["slots"]] == ["contractor", "contractor"]
    assert body["steps"][-1]["note"] == "Tidligt"


def test_the_club_disputes_the_work_with_a_reason(
    api, club_key, task, club_organiser, firm_organiser
):
    task = done(task, club_organiser, firm_organiser)

    response = _post(api, task, "dispute", club_key, {"reason": "Kanterne mangler"})

    assert response.status_code == 200
    assert response.json()["state"] == S.DISPUTED
    assert response.json()["steps"][-1]["note"] == "Kanterne mangler"


def test_either_side_cancels_with_a_reason(api, firm_key, task):
    response = _post(api, task, "cancel", firm_key, {"reason": "Maskinen er i stykker"})

    assert response.status_code == 200
    assert response.json()["state"] == S.CANCELLED


# --- refusals


def test_a_time_without_its_offset_is_a_422_and_nothing_is_offered(api, firm_key, task):
    before = _unchanged(task)
    naive = at(2, 8).replace(tzinfo=None).isoformat()

    response = _post(api, task, "propose", firm_key, {"starts": [naive]})

    assert response.status_code == 422
    (problem,) = response.json()["detail"]
    assert problem["loc"][-2:] == ["starts", 0]
    assert _unchanged(task) == before


def test_a_time_in_the_past_is_refused_with_the_services_message(api, firm_key, task):
    before = _unchanged(task)
    past = at(-1, 8)

    response = _post(api, task, "propose", firm_key, {"starts": [_iso(past)]})

    assert response.status_code == 400
    assert response.json() == {
        "detail": da(
            "%(when)s is in the past: please offer a time still to come.",
            when=when(past),
        )
    }
    assert _unchanged(task) == before


def test_a_stale_version_is_a_409_and_the_task_is_unchanged(
    api, firm_key, task, club_organiser
):
    task = proposed(task, club_organiser, at(2, 8))
    slot = open_slot(task)
    before = _unchanged(task)

    response = _post(
        api, task, "confirm", firm_key, {"slot": slot.pk, "version": task.version - 1}
    )

    assert response.status_code == 409
    assert response.json() == {
        "detail": da(
            "Someone else changed this task a moment ago. Here is how it stands now."
        )
    }
    assert _unchanged(task) == before


def test_confirming_a_time_already_taken_is_refused(
    api, club_key, task, firm_organiser, club_organiser
):
    task = proposed(task, firm_organiser, at(2, 8))
    slot = open_slot(task)
    lifecycle.task_confirm(actor=club_organiser, task=task, slot=slot)
    before = _unchanged(task)

    response = _post(api, task, "confirm", club_key, {"slot": slot.pk})

    assert response.status_code in (400, 409)
    assert response.json()["detail"]
    assert _unchanged(task) == before


def test_a_slot_of_another_task_is_not_found(
    api, firm_key, task, make_task, club_organiser
):
    other = proposed(make_task(title="Anden"), club_organiser, at(2, 8))
    task = proposed(task, club_organiser, at(3, 8))

    response = _post(api, task, "confirm", firm_key, {"slot": open_slot(other).pk})

    assert response.status_code == 404
    assert task.slots.filter(state=TaskSlot.State.CONFIRMED).count() == 0


def test_photos_of_the_wrong_type_are_refused_and_nothing_is_reported(
    api, firm_key, task, club_organiser, firm_organiser
):
    task = confirmed(task, club_organiser, firm_organiser)
    task = lifecycle.task_start(actor=firm_organiser, task=task)
    before = _unchanged(task)
    text = SimpleUploadedFile("rapport.txt", b"ikke et billede", "text/plain")

    response = api.post(
        _url(task, "complete"), {"note": "Færdig", "photos": [text]}, **firm_key
    )

    assert response.status_code == 400
    assert response.json()["detail"]
    assert _unchanged(task) == before
    assert not TaskPhoto.objects.filter(task=task).exists()


def test_the_contractors_step_taken_by_the_club_is_a_403(
    api, club_key, task, club_organiser, firm_organiser
):
    task = confirmed(task, club_organiser, firm_organiser)
    before = _unchanged(task)

    response = _post(api, task, "start", club_key)

    assert response.status_code == 403
    assert _unchanged(task) == before


def test_the_firms_staff_not_named_on_the_agreement_cannot_step_it(
    api, firm_staff, task
):
    before = _unchanged(task)

    response = _post(
        api, task, "propose", _bearer(firm_staff), {"starts": [_iso(at(2, 8))]}
    )

    assert response.status_code == 403
    assert _unchanged(task) == before


def test_someone_not_party_to_the_task_does_not_find_it(api, stranger, task):
    key = _bearer(stranger)
    before = _unchanged(task)

    assert api.get(API, **key).json() == []
    assert api.get(_url(task), **key).status_code == 404
    response = _post(api, task, "propose", key, {"starts": [_iso(at(2, 8))]})
    assert response.status_code == 404
    assert _unchanged(task) == before


def test_another_firm_does_not_see_or_step_the_task(api, task):
    rival = CommunityFactory(kind=Community.Kind.CONTRACTOR)
    key = _bearer(organiser_of(rival))

    assert api.get(API, **key).json() == []
    assert _post(api, task, "cancel", key).status_code == 404


def test_the_api_needs_a_token_or_a_session(api, task):
    assert api.get(API).status_code == 401
    response = _post(api, task, "propose", {}, {"starts": [_iso(at(2, 8))]})
    assert response.status_code in (401, 403)
    task.refresh_from_db()
    assert task.state == S.PLANNED


def test_steps_are_rate_limited(api, firm_key, task, monkeypatch):
    monkeypatch.setitem(LIMITS, "task-step", Limit(0, HOUR))
    before = _unchanged(task)

    response = _post(api, task, "propose", firm_key, {"starts": [_iso(at(2, 8))]})

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert _unchanged(task) == before


# --- the list


def test_the_list_filters_by_state_openness_and_dates(
    api, firm_key, make_task, club_organiser, firm_organiser
):
    soon = make_task(title="Snart")
    later = make_task(title="Senere", window_from=at(20, 6), window_until=at(25, 20))
    gone = lifecycle.task_cancel(actor=firm_organiser, task=make_task(title="Aflyst"))

    def ids(**query) -> list[int]:
        return [t["id"] for t in api.get(API, query, **firm_key).json()]

    assert ids() == [soon.pk, gone.pk, later.pk]
    assert ids(state="cancelled") == [gone.pk]
    assert ids(open_only="true") == [soon.pk, later.pk]
    assert ids(since=at(10, 0).date().isoformat()) == [later.pk]
    assert ids(until=at(10, 0).date().isoformat()) == [soon.pk, gone.pk]
    assert ids(limit=1, offset=1) == [gone.pk]


def test_a_member_named_for_the_contractor_sees_the_tasks(
    api, firm, agreement, firm_organiser, task
):
    named = member_of(firm, role=Membership.Role.STAFF)
    agreements.actor_add(
        actor=firm_organiser, agreement=agreement, user=named, side="contractor"
    )

    assert [t["id"] for t in api.get(API, **_bearer(named)).json()] == [task.pk]


@pytest.mark.parametrize("n", [2, 12])
def test_the_list_reads_in_a_fixed_number_of_queries(
    client, firm_organiser, make_task, n, django_assert_num_queries
):
    for i in range(n):
        make_task(title=f"Opgave {i}")
    client.force_login(firm_organiser)

    # The user and their permissions (two: is this municipal staff?); the
    # tasks with their club, contractor, site and crew; and the session.
    with django_assert_num_queries(4 + session_queries()):
        response = client.get(API)

    assert len(response.json()) == n
