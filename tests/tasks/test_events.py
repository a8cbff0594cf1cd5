"""What the two boards hear: every step of a task goes to the association's
board and the contractor's, after commit, carrying only what both may read;
and who hears which board."""

from datetime import datetime

import pytest

from messaging import topics
from tasks import hooks
from tasks.errors import TaskError
from tasks.events import agreement_topic, board_topic
from tasks.services import agreements, lifecycle
from tests.factories import member_of
from tests.tasks.conftest import at, open_slot, proposed


@pytest.fixture
def sent(monkeypatch) -> list[tuple[str, dict]]:
    """Every (topic, payload) the board hands to messaging.events.topic_send."""
    calls: list[tuple[str, dict]] = []

    def record(topic: str, payload: dict) -> None:
        calls.append((topic, payload))

    monkeypatch.setattr("messaging.events.topic_send", record, raising=False)
    return calls


def test_a_step_is_sent_to_both_parties_boards(task, firm_organiser, club, firm, sent):
    lifecycle.task_propose(actor=firm_organiser, task=task, starts=[at(2, 8)])

    step = task.steps.last()
    payload = {
        "type": "task",
        "step": step.pk,
        "task": task.pk,
        "version": 2,
        "state": "proposed",
        "action": "proposed",
        "starts_at": None,
    }
    assert sent == [
        (f"board.{club.pk}", payload),
        (f"board.{firm.pk}", payload),
        (f"agreement.{task.agreement_id}", payload),
    ]


def test_a_confirmed_step_carries_the_agreed_time(
    task, firm_organiser, club_organiser, sent
):
    task = proposed(task, firm_organiser)
    sent.clear()

    lifecycle.task_confirm(actor=club_organiser, task=task, slot=open_slot(task))

    assert [p["action"] for _topic, p in sent] == ["confirmed"] * 3
    assert {datetime.fromisoformat(p["starts_at"]) for _topic, p in sent} == {at(2, 8)}
    assert {p["version"] for _topic, p in sent} == {3}


def test_a_new_task_and_the_platforms_own_steps_are_sent_too(
    make_task, firm_organiser, club_organiser, club, firm, sent
):
    task = make_task()
    created = list(sent)
    sent.clear()

    lifecycle.tasks_mark_missed(now=task.window_until.replace(year=2100))

    own = f"agreement.{task.agreement_id}"
    assert [(t, p["action"]) for t, p in created] == [
        (f"board.{club.pk}", "created"),
        (f"board.{firm.pk}", "created"),
        (own, "created"),
    ]
    assert [(t, p["action"], p["state"]) for t, p in sent] == [
        (f"board.{club.pk}", "missed", "missed"),
        (f"board.{firm.pk}", "missed", "missed"),
        (own, "missed", "missed"),
    ]


def test_a_refused_step_sends_nothing(task, firm_organiser, sent):
    sent.clear()

    with pytest.raises(TaskError):
        lifecycle.task_propose(actor=firm_organiser, task=task, starts=[])

    assert sent == []


def test_the_boards_hear_a_step_only_once_it_is_committed(
    task, firm_organiser, club, firm, layer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        lifecycle.task_propose(actor=firm_organiser, task=task, starts=[at(2, 8)])
    before = list(layer.sent)
    for callback in callbacks:
        callback()

    assert before == []
    assert layer.groups("task") == [
        f"topic.board.{club.pk}",
        f"topic.board.{firm.pk}",
        f"topic.agreement.{task.agreement_id}",
    ]
    assert {p["topic"] for p in layer.events()} == {
        f"board.{club.pk}",
        f"board.{firm.pk}",
        f"agreement.{task.agreement_id}",
    }


# --- who hears which board ----------------------------------------------------


def test_the_board_registers_its_topics_with_the_socket():
    assert hooks.board_topics in topics._providers


def test_members_of_either_party_hear_their_own_board(
    agreement, club, firm, club_organiser, firm_staff, stranger
):
    player = member_of(club)

    assert hooks.board_topics(club_organiser) == {board_topic(club.pk)}
    assert hooks.board_topics(player) == {board_topic(club.pk)}
    assert hooks.board_topics(firm_staff) == {board_topic(firm.pk)}
    assert hooks.board_topics(stranger) == set()


def test_an_invitation_already_opens_both_boards(invited, club, firm, firm_staff):
    assert hooks.board_topics(firm_staff) == {board_topic(firm.pk)}


def test_nobody_hears_the_board_of_an_agreement_that_ended(
    agreement, club_organiser, firm_staff
):
    agreements.agreement_end(actor=club_organiser, agreement=agreement)

    assert hooks.board_topics(club_organiser) == set()
    assert hooks.board_topics(firm_staff) == set()


def test_municipal_staff_hear_an_agreement_once_both_parties_share_it(
    agreement, club_organiser, firm_organiser, staff
):
    assert hooks.board_topics(staff) == set()

    agreements.agreement_share(actor=club_organiser, agreement=agreement, shared=True)
    assert hooks.board_topics(staff) == set()

    agreements.agreement_share(actor=firm_organiser, agreement=agreement, shared=True)
    assert hooks.board_topics(staff) == {agreement_topic(agreement.pk)}


@pytest.mark.parametrize("who", ["firm_staff", "staff", "stranger"])
def test_the_topics_of_a_socket_cost_one_query(
    agreement, who, request, django_assert_num_queries
):
    user = request.getfixturevalue(who)
    with django_assert_num_queries(1):
        hooks.board_topics(user)
