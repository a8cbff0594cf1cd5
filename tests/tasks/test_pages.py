"""The task board's pages: the association's board and the contractor's, a
task's page with its steps as plain form posts, an agreement's page and the
steps a board catches up on. Who sees what (a contractor's staff never
another firm's tasks, a stranger nothing), exact query counts that do not
grow with the number of tasks, typed values kept on a refusal, and the
conflict message when the page was out of date."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from communities.models import Community, Membership
from tasks.errors import TaskConflict
from tasks.models import Task, TaskPhoto, TaskSlot, TaskStep
from tasks.services import agreements, lifecycle, work
from tests.factories import CommunityFactory, UserFactory, member_of, organiser_of
from tests.helpers import session_queries
from tests.tasks.conftest import (
    CHECKLIST,
    at,
    confirmed,
    da,
    da_in,
    done,
    open_slot,
    proposed,
    small_photo,
)

pytestmark = pytest.mark.django_db

S = Task.State


def _board_url(community: Community, **query) -> str:
    url = reverse("tasks:board", args=[community.slug])
    return url + "".join(f"?{k}={v}" for k, v in query.items())


def _steps_url(community: Community, after: int = 0) -> str:
    return reverse("tasks:board_steps", args=[community.slug]) + f"?after={after}"


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _post(client, task: Task, step: str, data: dict | None = None, **kwargs):
    values = {f"{step}-version": task.version, **(data or {})}
    return client.post(reverse(f"tasks:{step}", args=[task.pk]), values, **kwargs)


def _local(moment) -> str:
    """``moment`` as a datetime-local input sends it."""
    from agenda import recurrence

    return f"{recurrence.local(moment):%Y-%m-%dT%H:%M}"


@pytest.fixture
def other_firm(db) -> Community:
    return CommunityFactory(
        name="Park og Vej A/S", slug="park-og-vej", kind=Community.Kind.CONTRACTOR
    )


@pytest.fixture
def other_firm_staff(other_firm):
    return member_of(other_firm, role=Membership.Role.STAFF)


@pytest.fixture
def other_task(club_organiser, club, other_firm, pitch):
    """A task of the club's agreement with another firm."""
    invited = agreements.agreement_invite(
        actor=club_organiser,
        client=club,
        contractor=other_firm,
        title="Snerydning",
        sites=[pitch],
        work_kinds=["snow_clearing"],
    )
    agreement = agreements.agreement_answer(
        actor=organiser_of(other_firm), agreement=invited, accept=True
    )
    return work.task_create(
        actor=club_organiser,
        agreement=agreement,
        fields=work.TaskFields(
            title="Ryd sne ved banen",
            kind="snow_clearing",
            site=pitch,
            window_from=at(1, 6),
            window_until=at(3, 20),
        ),
    )


# --- /tasks/: to one's board


def test_one_board_sends_its_viewer_straight_there(client, club_organiser, club, task):
    client.force_login(club_organiser)

    response = client.get(reverse("tasks:boards"))

    assert response.status_code == 302
    assert response["Location"] == _board_url(club)


def test_someone_with_two_boards_chooses_between_them(
    client, club_organiser, firm, club, task
):
    Membership.objects.create(
        user=club_organiser, community=firm, state="active", role="member"
    )
    client.force_login(club_organiser)

    page = _page(client, reverse("tasks:boards"))

    assert f'href="{_board_url(club)}"' in page
    assert f'href="{_board_url(firm)}"' in page


def test_someone_without_agreements_is_told_there_is_no_board(client, stranger):
    client.force_login(stranger)

    page = _page(client, reverse("tasks:boards"))

    assert (
        da("None of your associations or firms has an agreement on the task board yet.")
        in page
    )


def test_the_boards_need_a_login(client, club, task):
    response = client.get(_board_url(club))

    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


# --- the association's board


def test_the_club_board_groups_tasks_by_site_with_whose_move_it_is(
    client, club_organiser, club, firm_organiser, make_task
):
    planned = make_task(title="Slå bane 1")
    offered = proposed(make_task(title="Slå bane 2"), firm_organiser)
    client.force_login(club_organiser)

    page = _page(client, _board_url(club))

    assert '<h3 class="task-site">Stadion, bane 1</h3>' in page
    assert planned.title in page
    assert offered.title in page
    assert da("Waiting for: either side to propose a time") in page
    # The contractor offered a time: the club answers.
    assert da("Waiting for: your association") in page
    assert str(da_in("task", "Times proposed")) in page
    assert f'data-board-topic="board.{club.pk}"' in page
    assert f'data-steps-url="{reverse("tasks:board_steps", args=[club.slug])}"' in page
    newest = TaskStep.objects.order_by("-pk").first().pk
    assert f'data-last-step="{newest}"' in page


def test_the_club_board_shows_four_weeks_and_moves_by_them(
    client, club_organiser, club, make_task
):
    make_task(title="Snart", window_from=at(1, 6), window_until=at(5, 20))
    make_task(title="Senere", window_from=at(40, 6), window_until=at(42, 20))
    client.force_login(club_organiser)

    now = _page(client, _board_url(club))
    later = client.get(_board_url(club), {"week": at(40, 6).date().isoformat()})

    assert "Snart" in now
    assert "Senere" not in now
    page = later.content.decode()
    assert "Senere" in page
    assert "Snart" not in page


def test_a_contractors_staff_does_not_see_the_club_board(
    client, firm_staff, club, task
):
    client.force_login(firm_staff)

    response = client.get(_board_url(club))

    assert response.status_code == 404


def test_a_stranger_sees_no_board(client, stranger, club, firm, task):
    client.force_login(stranger)

    assert client.get(_board_url(club)).status_code == 404
    assert client.get(_board_url(firm)).status_code == 404


def _many_tasks(make_task, firm_organiser, n: int) -> None:
    for i in range(n):
        task = make_task(title=f"Opgave {i}")
        if i % 3 == 1:
            proposed(task, firm_organiser)


@pytest.mark.parametrize("n", [3, 30])
def test_the_club_board_reads_in_a_fixed_number_of_queries(
    client,
    club_organiser,
    club,
    firm_organiser,
    make_task,
    n,
    django_assert_num_queries,
):
    _many_tasks(make_task, firm_organiser, n)
    client.force_login(club_organiser)

    # The user and the header's three; the community; whether the viewer is
    # municipal staff (two permission queries); the viewer's membership; the
    # agreements (with both parties); the tasks (with site and crew) and
    # their open slots; the newest step; whether the viewer organises the
    # club (the link to invite a contractor).
    with django_assert_num_queries(13 + session_queries()):
        response = client.get(_board_url(club))

    assert response.status_code == 200
    assert len(response.context["board"].sites[0].tasks) == n


# --- the contractor's board


def test_the_firm_board_lists_every_club_by_day_with_site_and_position(
    client, firm_organiser, firm, club_organiser, make_task, pitch
):
    pitch.latitude, pitch.longitude = 56.17, 9.55
    pitch.save()
    agreed = confirmed(make_task(title="Slå bane 1"), club_organiser, firm_organiser)
    make_task(title="Kridt linjer")
    client.force_login(firm_organiser)

    response = client.get(_board_url(firm))

    assert response.status_code == 200
    board = response.context["board"]
    day = next(g for g in board.days if g.tasks)
    assert day.day == at(2, 8).date()
    assert day.tasks[0].task == agreed
    assert [b.task.title for b in board.unscheduled] == ["Kridt linjer"]
    page = response.content.decode()
    assert "Skovby IF · Stadion, bane 1" in page
    assert 'data-lat="56.170000"' in page
    assert 'data-lon="9.550000"' in page
    assert da("Waiting for: you, the contractor") in page


def test_a_firms_staff_sees_its_own_board_but_not_another_firms_tasks(
    client, firm_staff, firm, other_firm, task, other_task
):
    client.force_login(firm_staff)

    page = _page(client, _board_url(firm))
    other = client.get(_board_url(other_firm))
    other_page = client.get(other_task.get_absolute_url())

    assert task.title in page
    assert other_task.title not in page
    assert other.status_code == 404
    assert other_page.status_code == 404


def _to_the_past(task: Task, days: int) -> Task:
    """``task`` as if its time had been agreed ``days`` days ago (the services
    refuse a time in the past)."""
    Task.objects.filter(pk=task.pk).update(
        starts_at=task.starts_at - timedelta(days=days),
        ends_at=task.ends_at - timedelta(days=days),
        window_from=task.window_from - timedelta(days=days + 2),
        window_until=task.window_until - timedelta(days=days - 1),
    )
    task.refresh_from_db()
    return task


@pytest.mark.parametrize("state", ["confirmed", "in_progress", "disputed"])
def test_work_agreed_for_a_past_day_and_not_finished_stays_on_the_firm_board(
    client, firm_organiser, firm, club_organiser, make_task, state
):
    task = confirmed(make_task(), club_organiser, firm_organiser)
    if state != "confirmed":
        task = lifecycle.task_start(actor=firm_organiser, task=task)
    if state == "disputed":
        task = lifecycle.task_complete(
            actor=firm_organiser, task=task, report=lifecycle.Completion()
        )
        task = lifecycle.task_dispute(actor=club_organiser, task=task, reason="Nej")
    task = _to_the_past(task, days=3)
    client.force_login(firm_organiser)

    response = client.get(_board_url(firm))

    board = response.context["board"]
    assert [b.task for b in board.earlier] == [task]
    assert all(not g.tasks for g in board.days)
    page = response.content.decode()
    assert da("Still open from earlier days") in page
    assert f'id="task-{task.pk}"' in page
    # On the map too, and not on a board of another week.
    assert task in [b.task for g in board.by_site() for b in g.tasks]
    later = client.get(_board_url(firm, day=at(7, 0).date().isoformat()))
    assert later.context["board"].earlier == []


@pytest.mark.parametrize("state", ["accepted", "cancelled"])
def test_work_finished_or_called_off_leaves_the_board_after_its_day(
    client, firm_organiser, firm, club_organiser, make_task, state
):
    task = confirmed(make_task(), club_organiser, firm_organiser)
    if state == "accepted":
        task = lifecycle.task_start(actor=firm_organiser, task=task)
        task = lifecycle.task_complete(
            actor=firm_organiser, task=task, report=lifecycle.Completion()
        )
        task = lifecycle.task_accept(actor=club_organiser, task=task)
    else:
        task = lifecycle.task_cancel(actor=club_organiser, task=task)
    _to_the_past(task, days=3)
    client.force_login(firm_organiser)

    response = client.get(_board_url(firm))

    assert response.context["board"].earlier == []
    assert response.context["board"].task_count == 0
    assert da("Still open from earlier days") not in response.content.decode()


def test_the_club_board_keeps_work_done_and_waiting_for_its_answer(
    client, club_organiser, club, firm_organiser, make_task
):
    task = confirmed(make_task(), club_organiser, firm_organiser)
    task = lifecycle.task_start(actor=firm_organiser, task=task)
    task = lifecycle.task_complete(
        actor=firm_organiser, task=task, report=lifecycle.Completion()
    )
    _to_the_past(task, days=10)
    client.force_login(club_organiser)

    response = client.get(_board_url(club))

    shown = [b.task for g in response.context["board"].sites for b in g.tasks]
    assert shown == [task]
    assert da("Waiting for: your association") in response.content.decode()


@pytest.mark.parametrize("n", [3, 30])
def test_the_firm_board_reads_in_a_fixed_number_of_queries(
    client,
    firm_organiser,
    firm,
    club_organiser,
    firm_staff,
    make_task,
    n,
    django_assert_num_queries,
):
    _many_tasks(make_task, firm_organiser, n)
    for task in Task.objects.filter(state=S.PROPOSED)[:1]:
        lifecycle.task_confirm(actor=club_organiser, task=task, slot=open_slot(task))
    client.force_login(firm_staff)

    # As the club's board.
    with django_assert_num_queries(12 + session_queries()):
        response = client.get(_board_url(firm))

    assert response.status_code == 200
    assert response.context["board"].task_count == n


# --- a task's page


def test_the_task_page_shows_facts_checklist_slots_and_history(
    client, club_organiser, firm_organiser, task
):
    task = proposed(task, firm_organiser)
    client.force_login(club_organiser)

    page = _page(client, task.get_absolute_url())

    assert f"<h1>{task.title}</h1>" in page
    for line in CHECKLIST:
        assert line in page
    slot = open_slot(task)
    assert f'name="confirm-slot" value="{slot.pk}"' in page
    assert firm_organiser.public_name in page
    assert da_in("task", "Times proposed") in page
    assert 'name="propose-start_1"' in page
    # The club cannot report the work done.
    assert 'name="complete-note"' not in page


def test_the_side_that_offered_gets_no_button_to_confirm_its_own_time(
    client, firm_organiser, task
):
    task = proposed(task, firm_organiser)
    client.force_login(firm_organiser)

    page = _page(client, task.get_absolute_url())

    assert 'name="confirm-slot"' not in page
    assert 'name="propose-start_1"' in page


def test_staff_of_the_firm_see_the_task_but_get_no_forms(client, firm_staff, task):
    client.force_login(firm_staff)

    page = _page(client, task.get_absolute_url())

    assert task.title in page
    assert '<form method="post" action="/tasks/' not in page
    assert da("There is nothing for you to do on this task now.") in page


def test_a_stranger_cannot_open_a_task(client, stranger, task):
    client.force_login(stranger)

    assert client.get(task.get_absolute_url()).status_code == 404


def test_the_task_page_reads_in_a_fixed_number_of_queries(
    client, club_organiser, firm_organiser, make_task, django_assert_num_queries
):
    task = done(make_task(), club_organiser, firm_organiser, checked=[0])
    client.force_login(club_organiser)

    # The user and the header's three; whether the viewer is municipal staff
    # (two); the task (with its agreement, parties, site and crew); its steps
    # (with their actors), photos and open slots; the viewer's sides (named
    # people, organiser memberships).
    with django_assert_num_queries(12 + session_queries()):
        response = client.get(task.get_absolute_url())

    assert response.status_code == 200


# --- the steps as form posts


def test_proposing_times_offers_them_and_goes_back_to_the_task(
    client, club_organiser, task
):
    client.force_login(club_organiser)

    response = _post(
        client,
        task,
        "propose",
        {"propose-start_1": _local(at(2, 8)), "propose-start_2": _local(at(3, 9))},
    )

    assert response.status_code == 302
    assert response["Location"] == task.get_absolute_url()
    task.refresh_from_db()
    assert task.state == S.PROPOSED
    assert task.slots.filter(state=TaskSlot.State.OPEN).count() == 2


def test_a_refused_proposal_keeps_what_was_typed(client, club_organiser, task):
    client.force_login(club_organiser)
    outside = _local(at(9, 8))

    response = _post(
        client,
        task,
        "propose",
        {"propose-start_1": outside, "propose-note": "Helst om morgenen"},
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert f'value="{outside}"' in page
    assert "Helst om morgenen" in page
    said = da(
        "%(when)s is outside the time this task must be done in "
        "(%(from)s to %(until)s)."
    )
    assert max(re.split(r"%\(\w+\)s", said), key=len) in page
    task.refresh_from_db()
    assert task.state == S.PLANNED


def test_a_proposal_without_a_time_is_refused_by_the_form(client, club_organiser, task):
    client.force_login(club_organiser)

    response = _post(client, task, "propose", {"propose-note": "Hvornår?"})

    assert response.status_code == 400
    page = response.content.decode()
    assert da("Please offer at least one time.") in page
    assert "Hvornår?" in page


def test_the_club_confirms_the_time_the_firm_offered(
    client, club_organiser, firm_organiser, task
):
    task = proposed(task, firm_organiser)
    slot = open_slot(task)
    client.force_login(club_organiser)

    response = _post(client, task, "confirm", {"confirm-slot": slot.pk})

    assert response.status_code == 302
    task.refresh_from_db()
    assert task.state == S.CONFIRMED
    assert task.starts_at == slot.starts_at


def test_a_stale_version_gives_the_conflict_message_and_the_current_state(
    client, club_organiser, firm_organiser, task
):
    task = proposed(task, firm_organiser)
    stale = task.version
    lifecycle.task_propose(
        actor=firm_organiser, task=task, starts=[at(3, 10)], note="Hellere torsdag"
    )
    client.force_login(club_organiser)

    response = client.post(
        reverse("tasks:propose", args=[task.pk]),
        {
            "propose-version": stale,
            "propose-start_1": _local(at(4, 8)),
            "propose-note": "Fredag passer os",
        },
    )

    assert response.status_code == 409
    page = response.content.decode()
    assert da(str(TaskConflict.default_message)) in page
    # Typed values kept, the version brought up to date, the new offer shown.
    assert "Fredag passer os" in page
    task.refresh_from_db()
    assert f'name="propose-version" value="{task.version}"' in page
    assert "Hellere torsdag" in page
    assert task.slots.filter(state=TaskSlot.State.OPEN).get().starts_at == at(3, 10)


def test_confirming_a_time_withdrawn_meanwhile_is_a_conflict(
    client, club_organiser, firm_organiser, task
):
    task = proposed(task, firm_organiser)
    slot = open_slot(task)
    version = task.version
    lifecycle.task_cancel(actor=firm_organiser, task=task)
    client.force_login(club_organiser)

    response = client.post(
        reverse("tasks:confirm", args=[task.pk]),
        {"confirm-version": version, "confirm-slot": slot.pk},
    )

    assert response.status_code == 409
    assert da(str(TaskConflict.default_message)) in response.content.decode()
    task.refresh_from_db()
    assert task.state == S.CANCELLED


def test_the_firm_starts_and_reports_the_work_done_with_photos(
    client, club_organiser, firm_organiser, task, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    task = confirmed(task, club_organiser, firm_organiser)
    client.force_login(firm_organiser)

    started = _post(client, task, "start")
    task.refresh_from_db()
    response = _post(
        client,
        task,
        "complete",
        {
            "complete-checked": ["0", "2"],
            "complete-note": "Alt i orden",
            "complete-minutes_on_site": "95",
            "complete-photos": [small_photo("a.jpg"), small_photo("b.jpg")],
        },
    )

    assert started.status_code == 302
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.state == S.DONE
    assert task.checked == [0, 2]
    assert task.minutes_on_site == 95
    assert TaskPhoto.objects.filter(task=task).count() == 2
    page = _page(client, task.get_absolute_url())
    assert "Alt i orden" in page
    photos = list(TaskPhoto.objects.filter(task=task))
    for photo in photos:
        assert f'<img src="{photo.get_absolute_url()}"' in page
    # The photos are for the parties: their own address, never /media/.
    assert "/media/tasks/" not in page
    shown = client.get(photos[0].get_absolute_url())
    assert shown.status_code == 200
    assert shown["Content-Type"] == "image/jpeg"
    assert shown["Cache-Control"] == "private, max-age=3600"
    assert b"".join(shown.streaming_content)[:2] == b"\xff\xd8"
    assert client.get(f"/media/{photos[0].image.name}").status_code == 404
    client.force_login(UserFactory())
    assert client.get(photos[0].get_absolute_url()).status_code == 404
    client.logout()
    assert client.get(photos[0].get_absolute_url()).status_code == 302


def test_a_refused_report_keeps_the_note_and_the_ticks(
    client, club_organiser, firm_organiser, task
):
    task = confirmed(task, club_organiser, firm_organiser)
    client.force_login(firm_organiser)

    response = _post(
        client,
        task,
        "complete",
        {
            "complete-checked": ["1"],
            "complete-note": "Maskinen drillede",
            "complete-minutes_on_site": "5000",
        },
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "Maskinen drillede" in page
    assert 'id="id_complete-checked_1" checked>' in page
    assert 'id="id_complete-checked_0" checked' not in page
    task.refresh_from_db()
    assert task.state == S.CONFIRMED


def test_the_club_accepts_the_work(client, club_organiser, firm_organiser, task):
    task = done(task, club_organiser, firm_organiser)
    client.force_login(club_organiser)

    response = _post(client, task, "accept")

    assert response.status_code == 302
    task.refresh_from_db()
    assert task.state == S.ACCEPTED


def test_a_dispute_needs_a_reason_and_keeps_the_page(
    client, club_organiser, firm_organiser, task
):
    task = done(task, club_organiser, firm_organiser)
    client.force_login(club_organiser)

    empty = _post(client, task, "dispute", {"dispute-reason": "  "})
    sent = _post(client, task, "dispute", {"dispute-reason": "Hjørnet er ikke slået"})

    assert empty.status_code == 400
    assert (
        da("Please say what is not right, so the contractor can put it right.")
        in empty.content.decode()
    )
    assert sent.status_code == 302
    task.refresh_from_db()
    assert task.state == S.DISPUTED
    assert task.steps.last().note == "Hjørnet er ikke slået"


def test_either_side_cancels_with_a_reason(client, firm_organiser, task):
    client.force_login(firm_organiser)

    response = _post(client, task, "cancel", {"cancel-reason": "Maskinen er i stykker"})

    assert response.status_code == 302
    task.refresh_from_db()
    assert task.state == S.CANCELLED
    assert task.steps.last().note == "Maskinen er i stykker"


def test_the_club_cannot_take_the_contractors_step(
    client, club_organiser, firm_organiser, task
):
    task = confirmed(task, club_organiser, firm_organiser)
    client.force_login(club_organiser)

    response = _post(client, task, "start")

    assert response.status_code == 403
    assert da("Only the contractor can do this.") in response.content.decode()
    task.refresh_from_db()
    assert task.state == S.CONFIRMED


def test_a_refused_step_the_page_does_not_offer_gives_back_what_was_typed(
    client, club_organiser, firm_organiser, task
):
    task = done(task, club_organiser, firm_organiser)
    client.force_login(firm_organiser)

    response = _post(
        client, task, "dispute", {"dispute-reason": "Kanten mod vejen mangler"}
    )

    assert response.status_code == 403
    page = response.content.decode()
    assert da("What you wrote was not sent:") in page
    assert "<blockquote>Kanten mod vejen mangler</blockquote>" in page
    task.refresh_from_db()
    assert task.state == S.DONE


def test_a_firms_staff_cannot_step_a_task(client, firm_staff, task):
    client.force_login(firm_staff)
    before = task.version

    response = _post(client, task, "cancel", {"cancel-reason": "Nej"})

    assert response.status_code == 403
    task.refresh_from_db()
    assert task.state == S.PLANNED
    assert task.version == before


def test_a_stranger_cannot_step_a_task(client, stranger, task):
    client.force_login(stranger)

    response = _post(client, task, "cancel")

    assert response.status_code == 404
    task.refresh_from_db()
    assert task.state == S.PLANNED


# --- catching up


def test_steps_json_returns_only_the_newer_steps(
    client, club_organiser, firm_organiser, club, task
):
    seen = TaskStep.objects.filter(task=task).order_by("-pk").first().pk
    task = proposed(task, firm_organiser)
    client.force_login(club_organiser)

    response = client.get(_steps_url(club, seen))

    assert response.status_code == 200
    step = TaskStep.objects.get(task=task, action="proposed")
    assert response.json() == [
        {
            "id": step.pk,
            "task": task.pk,
            "state": "proposed",
            "action": "proposed",
            "version": task.version,
        }
    ]


def test_steps_json_is_for_the_boards_own_people_only(
    client, stranger, firm_staff, other_firm_staff, club, firm, task
):
    client.force_login(stranger)
    by_stranger = client.get(_steps_url(firm))
    client.force_login(other_firm_staff)
    by_other_firm = client.get(_steps_url(firm))
    client.force_login(firm_staff)
    by_staff = client.get(_steps_url(firm))
    on_club_board = client.get(_steps_url(club))

    assert by_stranger.status_code == 404
    assert by_other_firm.status_code == 404
    assert by_staff.status_code == 200
    assert [s["task"] for s in by_staff.json()] == [task.pk]
    assert on_club_board.status_code == 404


def test_steps_json_refuses_an_after_that_is_no_id(client, club_organiser, club, task):
    client.force_login(club_organiser)

    response = client.get(reverse("tasks:board_steps", args=[club.slug]) + "?after=x")

    assert response.status_code == 400


# --- an agreement's page


def test_the_agreement_page_shows_parties_sites_kinds_and_templates(
    client, firm_staff, agreement, template
):
    client.force_login(firm_staff)

    page = _page(client, agreement.get_absolute_url())

    assert f"<h1>{agreement.title}</h1>" in page
    assert "Skovby IF" in page
    assert "Grøn Service ApS" in page
    assert "Stadion, bane 1" in page
    assert da("Mowing") in page
    assert template.title in page
    for line in CHECKLIST:
        assert line in page


def test_another_firm_cannot_open_the_agreement(client, other_firm_staff, agreement):
    client.force_login(other_firm_staff)

    assert client.get(agreement.get_absolute_url()).status_code == 404


def test_the_agreement_page_reads_in_a_fixed_number_of_queries(
    client, club_organiser, agreement, template, django_assert_num_queries
):
    client.force_login(club_organiser)

    # The user and the header's three; whether the viewer is municipal staff
    # (two); the agreement with its parties; its sites, people, pre-approved
    # times, templates and series; which sides the viewer organises (two);
    # the club's members to name as people who may act.
    with django_assert_num_queries(15 + session_queries()):
        response = client.get(agreement.get_absolute_url())

    assert response.status_code == 200
