"""A task's photos, for those who may see the task only.

Photos are stored below MEDIA_ROOT/tasks/, a folder hub.media never serves:
a photo of a club's site is the two parties' business, so each request is
checked against the task like its page."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe

from .. import selectors
from ..models import TaskPhoto


@require_safe
@login_required
def task_photo(request: HttpRequest, pk: int, photo: int) -> FileResponse:
    task = get_object_or_404(selectors.tasks_visible(request.user), pk=pk)
    row = get_object_or_404(TaskPhoto, pk=photo, task=task)
    try:
        handle = row.image.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
