"""What the two boards hear when a task changes.

Each community's board is a live topic of the socket (messaging.topics):
``board.<community id>`` for the association and for the contractor alike.
A step is sent to both parties' boards after commit; a board that missed it
(a dropped socket) catches up by asking for the steps after the last one it
saw (``selectors.steps_after``): every step has a stable, increasing id.
"""

from messaging import events as live

from .models import Task, TaskStep


def board_topic(community_id: int) -> str:
    return f"board.{community_id}"


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
    """Tell both parties' boards; sent after commit, a failure only logged."""
    payload = step_payload(task, step)
    agreement = task.agreement
    for community_id in (agreement.client_id, agreement.contractor_id):
        live.topic_send(board_topic(community_id), payload)
