"""The municipal moderators' page of the agreements both parties share with
the municipality, with this season's figures; each links to the agreement's
page, which municipal staff read without any of its forms. 404 for anyone
else, as the moderation pages refuse."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from communities.selectors import is_municipal_staff

from .. import shared_selectors


@login_required
@require_safe
def shared_list(request: HttpRequest) -> HttpResponse:
    if not is_municipal_staff(request.user):
        raise Http404
    today = timezone.localdate()
    context = {
        "rows": shared_selectors.shared_agreements(request.user, today=today),
        "season": today.year,
    }
    return render(request, "tasks/shared_list.html", context)
