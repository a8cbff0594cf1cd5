"""What the two boards hear when a task changes.

Each community's board is a live topic of the socket (messaging.topics):
``board.<community id>`` for the association and for the contractor alike,
heard by the community's active members. Each agreement is a topic too,
``agreement.<id>``, for those who see it without being a member of either
party: the people the agreement names, and municipal staff once both parties
share it. They never hear a whole board, whose other agreements are not
theirs to follow.

A step is sent to both parties' boards and to its agreement after commit; a
board that missed it
(a dropped socket) catches up by asking for the steps after the last one it
saw (``selectors.steps_after``): every step has a stable, increasing id.
"""

from messaging import events as live

from .models import Task, TaskStep


def board_topic(community_id: int) -> str:
    return f"board.{community_id}"


def agreement_topic(agreement_id: int) -> str:
    return f"agreement.{agreement_id}"


def step_payload(task: Task, step: TaskStep) -> dict:
    return {
        "type": "task",
        "step": step.pk,
        "task": task.pk,
        "version": task.version,
        "state": task.state,
        "action": step.action,
        "starts_at": task.starts_at.isoformat() if task.starts_at else None,
    }


def task_changed(task: Task, step: TaskStep) -> None:
    """Tell both parties' boards and the agreement's own topic; sent after
    commit, a failure only logged."""
    payload = step_payload(task, step)
    agreement = task.agreement
    for topic in (
        board_topic(agreement.client_id),
        board_topic(agreement.contractor_id),
        agreement_topic(agreement.pk),
    ):
        live.topic_send(topic, payload)
