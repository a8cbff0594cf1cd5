"""Browsing: the list and map of listings, and tag suggestions while typing."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from communities.selectors import communities_visible_to
from hub import geo

from .. import selectors
from ..forms import SearchForm


def listing_list(request: HttpRequest) -> HttpResponse:
    """Browse and search: the accessible list by default, a map with ?view=map."""
    form = SearchForm(
        request.GET or None,
        communities=communities_visible_to(request.user),
        viewer=request.user,
    )
    filters = form.search_filters()
    centre = filters.pop("centre")
    result = selectors.listing_search(viewer=request.user, **filters)
    map_view = request.GET.get("view") == "map"
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "result": result,
        "centre": centre,
        "map_view": map_view,
        "query": query.urlencode(),
        "tag_options": selectors.tag_suggestions(""),
        "alert_count": selectors.unseen_alert_count(request.user),
    }
    if map_view:
        context["map_config"] = _map_config(result, centre)
    return render(request, "marketplace/list.html", context)


def _map_config(result: selectors.SearchResult, centre: geo.GeoPoint | None) -> dict:
    """Only public points go to the map: grid-cell centres, never the exact ones."""
    return {
        "tiles": settings.NABOLAG_MAP_TILE_URL,
        "attribution": settings.NABOLAG_MAP_TILE_ATTRIBUTION,
        "cell_m": geo.grid_cell_m(),
        "centre": [centre.latitude, centre.longitude] if centre else None,
        "radius_km": result.radius_km,
        "points": [
            {
                "lat": hit.listing.public_latitude,
                "lon": hit.listing.public_longitude,
                "title": hit.listing.title,
                "kind": hit.listing.get_kind_display(),
                "url": hit.listing.get_absolute_url(),
            }
            for hit in result.hits
        ],
    }


def tag_suggest(request: HttpRequest) -> HttpResponse:
    """Tags starting with ?q=: JSON, or <option>s for htmx to put in a datalist."""
    typed = (
        request.GET.get("q") or request.GET.get("tag") or request.GET.get("tags", "")
    )
    # In a comma-separated list only the last piece is being typed.
    head, _sep, last = typed[:300].rpartition(",")
    names = selectors.tag_suggestions(last.strip()[:50])
    if request.headers.get("HX-Request") or request.GET.get("format") == "options":
        prefix = f"{head}, " if head else ""
        options = [prefix + name for name in names]
        return render(
            request, "marketplace/includes/tag_options.html", {"names": options}
        )
    return JsonResponse({"tags": names})
