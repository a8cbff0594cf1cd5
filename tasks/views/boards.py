"""The boards: the association's four weeks by site, the contractor's week by
day (or by site on a map, ``?view=map``), and the steps a board missed while
its socket was down."""

from datetime import date, timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_safe

from agenda.facility_selectors import organised_communities, week_start
from communities.models import Community

from .. import permissions, selectors
from ..events import agreement_topic, board_topic
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


def _board_url(community: Community, key: str, day: date | None, view: str = "") -> str:
    url = reverse("tasks:board", args=[community.slug])
    query = urlencode(
        {**({key: day.isoformat()} if day else {}), **({"view": view} if view else {})}
    )
    return f"{url}?{query}" if query else url


def _map_config(board: selectors.Board, groups: list[selectors.SiteGroup]) -> dict:
    """The board's map: the sites with a position, each with its tasks (the
    words their cards say) and how many wait for the contractor."""
    sites = []
    for group in groups:
        count, yours = len(group.tasks), group.yours
        label = ngettext(
            "%(site)s: %(count)s task", "%(site)s: %(count)s tasks", count
        ) % {"site": group.site.name, "count": count}
        if yours:
            label += ngettext(
                ", %(yours)s waits for you", ", %(yours)s wait for you", yours
            ) % {"yours": yours}
        sites.append(
            {
                "id": group.site.pk,
                "name": group.site.name,
                "address": group.site.address,
                "lat": group.site.latitude,
                "lon": group.site.longitude,
                "count": count,
                "yours": yours,
                "label": label,
                "tasks": [
                    {
                        "title": item.task.title,
                        "url": item.url,
                        "club": item.task.agreement.client.name,
                        "when": item.when_text,
                        "state": item.state_label,
                        "waiting": item.waiting_label,
                        "yours": item.is_yours,
                    }
                    for item in group.tasks
                ],
            }
        )
    return {
        "tiles": settings.NABOLAG_MAP_TILE_URL,
        "attribution": settings.NABOLAG_MAP_TILE_ATTRIBUTION,
        "sites": sites,
    }


@login_required
@require_safe
def board(request: HttpRequest, slug: str) -> HttpResponse:
    """A community's board: the association's (``?week=`` moves its four
    weeks) or, for a contractor, the contractor's (``?day=`` moves its week).
    404 for whoever the board is not for."""
    community = get_object_or_404(Community, slug=slug)
    today = timezone.localdate()
    view = ""
    if selectors.board_side(community) == Side.CONTRACTOR:
        # Only the contractor's board has a map (?view=map): the club's is by
        # site already, and its sites are its own.
        view = "map" if request.GET.get("view") == "map" else ""
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
    can_invite = shown.side == Side.CLIENT and permissions.organiser_of(
        request.user, community.pk
    )
    context = {
        "board": shown,
        "community": community,
        "today": today,
        "last_day": shown.ends - timedelta(days=1),
        "topic": board_topic(community.pk),
        # A socket hears the agreements' topics only where the viewer is
        # municipal staff and both parties share the agreement (hooks.board_topics).
        "live_topics": " ".join(
            [
                board_topic(community.pk),
                *(agreement_topic(a.pk) for a in shown.agreements),
            ]
        ),
        "earlier": _board_url(community, key, starts - timedelta(days=step), view),
        "later": _board_url(community, key, starts + timedelta(days=step), view),
        "now_url": _board_url(community, key, None, view) if starts != home else "",
        "can_invite": can_invite,
    }
    if shown.side == Side.CONTRACTOR:
        shown_day = starts if starts != home else None
        context["list_url"] = _board_url(community, key, shown_day)
        context["map_url"] = _board_url(community, key, shown_day, "map")
    if view == "map":
        groups = shown.by_site()
        context["map_view"] = True
        context["on_map"] = [g for g in groups if g.on_map]
        context["off_map"] = [g for g in groups if not g.on_map]
        context["map_config"] = _map_config(shown, context["on_map"])
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
