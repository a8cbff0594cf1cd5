"""User media served by the app itself: listing photos and CMS images.
The task board's photos are not among them (tasks.views.photos).

WhiteNoise serves static files only (it indexes them at start-up), so uploads need
their own view. It serves regular files below MEDIA_ROOT and nothing else: no
folder listings, no paths outside, and never Wagtail's documents folder, whose
files are served by Wagtail's view after the members-only check. Set
NABOLAG_SERVE_MEDIA=0 to let a reverse proxy serve MEDIA_ROOT instead (it must
then refuse /media/documents/ and /media/tasks/ too).
"""

import mimetypes
from pathlib import Path

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.http import FileResponse, Http404, HttpRequest, HttpResponseNotModified
from django.utils._os import safe_join
from django.utils.http import http_date
from django.views.decorators.http import require_safe
from django.views.static import was_modified_since

# Wagtail stores documents under this folder (AbstractDocument.file upload_to),
# served by Wagtail's view; the task board's photos under "tasks", served by
# tasks.views.photos to the parties of the task only.
PRIVATE_FOLDERS = frozenset({"documents", "tasks"})
# Shown in the browser; anything else is offered as a download only.
INLINE_TYPES = frozenset(
    {"image/jpeg", "image/png", "image/gif", "image/webp", "image/avif"}
)


def _media_file(path: str) -> Path:
    """The regular, public file below MEDIA_ROOT that ``path`` names, or Http404."""
    root = Path(settings.MEDIA_ROOT).resolve()
    try:
        full = Path(safe_join(root, path)).resolve()
        relative = full.relative_to(root)
    except (SuspiciousFileOperation, ValueError) as exc:
        raise Http404 from exc
    parts = relative.parts
    if (
        not parts
        or parts[0].casefold() in PRIVATE_FOLDERS
        or any(part.startswith(".") for part in parts)
        or not full.is_file()
    ):
        raise Http404
    return full


@require_safe
def serve_media(request: HttpRequest, path: str) -> FileResponse:
    """One uploaded file with its type, caching headers and no content sniffing."""
    full = _media_file(path)
    stat = full.stat()
    if not was_modified_since(
        request.META.get("HTTP_IF_MODIFIED_SINCE"), stat.st_mtime
    ):
        return HttpResponseNotModified()
    content_type, encoding = mimetypes.guess_type(full.name)
    inline = content_type in INLINE_TYPES and encoding is None
    response = FileResponse(
        full.open("rb"),
        content_type=content_type if inline else "application/octet-stream",
        as_attachment=not inline,
        filename=full.name,
    )
    response["Last-Modified"] = http_date(stat.st_mtime)
    response["Cache-Control"] = f"public, max-age={settings.NABOLAG_MEDIA_MAX_AGE}"
    response["X-Content-Type-Options"] = "nosniff"
    # Opened on its own, a file may run nothing and load nothing.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
