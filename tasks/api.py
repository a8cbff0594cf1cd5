"""JSON API of the task board, under /api/tasks/: the tasks one may see, and
every step of their lives, so a contractor's own planning system can work
the board (with a personal access token, or a session).

Thin adapters over tasks.services: every refusal is the service's, answered
once for all endpoints by hub.api. Steps carry the ``version`` the caller
last read; when the task has moved on meanwhile (someone else confirmed a
slot) the answer is 409 and the task is unchanged.
"""

from datetime import date, datetime

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, File, Form, Router, Schema, UploadedFile
from ninja.responses import Status
from pydantic import AwareDatetime

from . import selectors
from .models import Task
from .services import lifecycle

router = Router(tags=["tasks"])


class SlotOut(Schema):
    id: int
    starts_at: datetime
    ends_at: datetime
    side: str = Field(description='"client" (the association) or "contractor"')
    state: str


class StepOut(Schema):
    id: int
    action: str
    from_state: str
    to_state: str
    side: str
    actor: str | None
    note: str
    at: datetime


class TaskOut(Schema):
    id: int
    version: int = Field(description="Pass it back with a step")
    title: str
    kind: str
    state: str
    client: str
    contractor: str
    site: str
    site_id: int
    window_from: datetime
    window_until: datetime = Field(description="The work is done no later than")
    duration_minutes: int
    blocks_site: bool
    starts_at: datetime | None
    ends_at: datetime | None
    checklist: list[str]
    crew: str | None
    url: str


class TaskDetailOut(TaskOut):
    instructions: str
    checked: list[int]
    completion_note: str
    minutes_on_site: int | None
    slots: list[SlotOut]
    steps: list[StepOut]


class ProposeIn(Schema):
    starts: list[AwareDatetime] = Field(
        ...,
        min_length=1,
        description="Up to three start times to offer, each with its UTC "
        'offset ("2027-05-07T08:00:00+02:00")',
    )
    note: str = Field("", max_length=2000)
    version: int | None = None


class ConfirmIn(Schema):
    slot: int
    version: int | None = None


class StepIn(Schema):
    version: int | None = None


class ReasonIn(Schema):
    reason: str = Field("", max_length=2000)
    version: int | None = None


class CompleteIn(Schema):
    checked: list[int] = []
    note: str = Field("", max_length=4000)
    minutes_on_site: int | None = None
    photo_description: str = Field("", max_length=200)
    version: int | None = None


def _task(request: HttpRequest, pk: int) -> Task:
    return get_object_or_404(selectors.tasks_visible(request.user), pk=pk)


def _out(task: Task) -> dict:
    return {
        "id": task.pk,
        "version": task.version,
        "title": task.title,
        "kind": task.kind,
        "state": task.state,
        "client": task.agreement.client.name,
        "contractor": task.agreement.contractor.name,
        "site": task.site.name,
        "site_id": task.site_id,
        "window_from": task.window_from,
        "window_until": task.window_until,
        "duration_minutes": int(task.duration.total_seconds() // 60),
        "blocks_site": task.blocks_site,
        "starts_at": task.starts_at,
        "ends_at": task.ends_at,
        "checklist": task.checklist,
        "crew": task.crew.name if task.crew else None,
        "url": task.get_absolute_url(),
    }


def _detail(task: Task) -> dict:
    task = (
        Task.objects.select_related(
            "agreement__client", "agreement__contractor", "site", "crew"
        )
        .prefetch_related("slots", "steps__actor")
        .get(pk=task.pk)
    )
    return {
        **_out(task),
        "instructions": task.instructions,
        "checked": task.checked,
        "completion_note": task.completion_note,
        "minutes_on_site": task.minutes_on_site,
        "slots": [
            {
                "id": s.pk,
                "starts_at": s.starts_at,
                "ends_at": s.ends_at,
                "side": s.side,
                "state": s.state,
            }
            for s in task.slots.all()
        ],
        "steps": [
            {
                "id": s.pk,
                "action": s.action,
                "from_state": s.from_state,
                "to_state": s.to_state,
                "side": s.side,
                "actor": s.actor.public_name if s.actor else None,
                "note": s.note,
                "at": s.at,
            }
            for s in task.steps.all()
        ],
    }


@router.get("/tasks", response=list[TaskOut])
def list_tasks(
    request: HttpRequest,
    state: str = "",
    since: date | None = None,
    until: date | None = None,
    open_only: bool = False,
    limit: int = 200,
    offset: int = 0,
):
    """The tasks of every agreement you may see, by when they are due. Filter
    by ``state``, by a due date between ``since`` and ``until``, or with
    ``open_only`` to those not yet ended."""
    rows = selectors.tasks_visible(request.user).order_by("window_until", "pk")
    if state:
        rows = rows.filter(state=state)
    if open_only:
        rows = rows.filter(state__in=Task.OPEN_STATES)
    if since:
        rows = rows.filter(window_until__date__gte=since)
    if until:
        rows = rows.filter(window_from__date__lte=until)
    limit = max(1, min(limit, 500))
    return [_out(t) for t in rows[max(0, offset) : max(0, offset) + limit]]


@router.get("/tasks/{int:pk}", response=TaskDetailOut)
def get_task(request: HttpRequest, pk: int):
    """One task with the times offered and every step so far."""
    return _detail(_task(request, pk))


@router.post("/tasks/{int:pk}/propose", response={200: TaskDetailOut})
def propose(request: HttpRequest, pk: int, payload: ProposeIn):
    """Offer up to three times. A time the contractor offers inside a window
    the association pre-approved is confirmed at once."""
    task = lifecycle.task_propose(
        actor=request.user,
        task=_task(request, pk),
        starts=payload.starts,
        note=payload.note,
        version=payload.version,
    )
    return Status(200, _detail(task))


@router.post("/tasks/{int:pk}/confirm", response={200: TaskDetailOut})
def confirm(request: HttpRequest, pk: int, payload: ConfirmIn):
    """Take one of the times the other side offered."""
    task = _task(request, pk)
    slot = get_object_or_404(task.slots, pk=payload.slot)
    task = lifecycle.task_confirm(
        actor=request.user, task=task, slot=slot, version=payload.version
    )
    return Status(200, _detail(task))


@router.post("/tasks/{int:pk}/start", response={200: TaskDetailOut})
def start(request: HttpRequest, pk: int, payload: StepIn):
    """The contractor is on site."""
    task = lifecycle.task_start(
        actor=request.user, task=_task(request, pk), version=payload.version
    )
    return Status(200, _detail(task))


@router.post("/tasks/{int:pk}/complete", response={200: TaskDetailOut})
def complete(
    request: HttpRequest,
    pk: int,
    payload: Form[CompleteIn],
    photos: File[list[UploadedFile]] = None,
):
    """Report the work done (multipart form): the checklist items ticked (by
    index), a note, the minutes on site and photos (JPEG, PNG or WebP; their
    location data is removed)."""
    task = lifecycle.task_complete(
        actor=request.user,
        task=_task(request, pk),
        report=lifecycle.Completion(
            checked=payload.checked,
            note=payload.note,
            minutes_on_site=payload.minutes_on_site,
            photos=photos or [],
            photo_description=payload.photo_description,
        ),
        version=payload.version,
    )
    return Status(200, _detail(task))


@router.post("/tasks/{int:pk}/accept", response={200: TaskDetailOut})
def accept(request: HttpRequest, pk: int, payload: StepIn):
    """The association accepts the work done."""
    task = lifecycle.task_accept(
        actor=request.user, task=_task(request, pk), version=payload.version
    )
    return Status(200, _detail(task))


@router.post("/tasks/{int:pk}/dispute", response={200: TaskDetailOut})
def dispute(request: HttpRequest, pk: int, payload: ReasonIn):
    """The association says what is not right with the work done."""
    task = lifecycle.task_dispute(
        actor=request.user,
        task=_task(request, pk),
        reason=payload.reason,
        version=payload.version,
    )
    return Status(200, _detail(task))


@router.post("/tasks/{int:pk}/cancel", response={200: TaskDetailOut})
def cancel(request: HttpRequest, pk: int, payload: ReasonIn):
    """Either side calls the task off while it is not under way."""
    task = lifecycle.task_cancel(
        actor=request.user,
        task=_task(request, pk),
        reason=payload.reason,
        version=payload.version,
    )
    return Status(200, _detail(task))
