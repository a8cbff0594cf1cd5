"""The boards: the association's four weeks by site, the contractor's week by
day, and the steps a board missed while its socket was down."""

from datetime import date, timedelta

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from agenda.facility_selectors import organised_communities, week_start
from communities.models import Community

from .. import permissions, selectors
from ..events import board_topic
from ..models import Side


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value or "")
    except ValueError:
        return None


@login_required
@require_safe
def board_index(request: HttpRequest) -> HttpResponse:
    """The viewer's board; a list when they have several, a word when none."""
    boards = selectors.boards_of(request.user)
    if len(boards) == 1:
        return redirect("tasks:board", slug=boards[0].slug)
    # Where a first agreement starts: the associations and villages the
    # viewer organises may invite a contractor.
    inviters = [
        c
        for c in organised_communities(request.user)
        if c.kind != Community.Kind.CONTRACTOR
    ]
    context = {"boards": boards, "inviters": inviters}
    return render(request, "tasks/board_list.html", context)


def _board_url(community: Community, key: str, day: date | None) -> str:
    url = reverse("tasks:board", args=[community.slug])
    return f"{url}?{key}={day.isoformat()}" if day else url


@login_required
@require_safe
def board(request: HttpRequest, slug: str) -> HttpResponse:
    """A community's board: the association's (``?week=`` moves its four
    weeks) or, for a contractor, the contractor's (``?day=`` moves its week).
    404 for whoever the board is not for."""
    community = get_object_or_404(Community, slug=slug)
    today = timezone.localdate()
    if selectors.board_side(community) == Side.CONTRACTOR:
        key, template, step = "day", "tasks/board_contractor.html", 7
        starts = _day(request.GET.get("day")) or today
        shown = selectors.contractor_board(request.user, community, day=starts)
        home = today
    else:
        key, template, step = "week", "tasks/board_client.html", 28
        starts = week_start(_day(request.GET.get("week")) or today)
        shown = selectors.client_board(request.user, community, week_start=starts)
        home = week_start(today)
    if shown is None:
        raise Http404
    can_invite = shown.side == Side.CLIENT and permissions._organiser_of(
        request.user, community.pk
    )
    context = {
        "board": shown,
        "community": community,
        "today": today,
        "last_day": shown.ends - timedelta(days=1),
        "topic": board_topic(community.pk),
        "earlier": _board_url(community, key, starts - timedelta(days=step)),
        "later": _board_url(community, key, starts + timedelta(days=step)),
        "now_url": _board_url(community, key, None) if starts != home else "",
        "can_invite": can_invite,
    }
    return render(request, template, context)


@require_safe
def board_steps(request: HttpRequest, slug: str) -> JsonResponse:
    """The steps on the board newer than ``?after=`` (a step id), oldest
    first: what a board missed while its socket was down. 404 for whoever
    the board is not for."""
    community = get_object_or_404(Community, slug=slug)
    try:
        after = int(request.GET.get("after", "0"))
    except ValueError:
        return JsonResponse(
            {"detail": _("“after” must be the id of a step.")}, status=400
        )
    steps = selectors.steps_after(request.user, community, after)
    if steps is None:
        return JsonResponse({"detail": _("Not found.")}, status=404)
    rows = [
        {
            "id": step.pk,
            "task": step.task_id,
            "state": step.to_state,
            "action": step.action,
            "version": step.task.version,
        }
        for step in steps
    ]
    return JsonResponse(rows, safe=False)
