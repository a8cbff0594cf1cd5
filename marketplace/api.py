"""JSON API for listings, radius search and responses (mounted at /api/marketplace/).

The same services and selectors as the pages. Only public points and rounded
distances leave this module: the exact point and address are never serialised.
"""

import dataclasses
from collections.abc import Sequence
from datetime import datetime

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError, ValidationError
from pydantic import model_validator

from communities.models import Community
from communities.selectors import communities_visible_to
from hub import geo

from . import selectors, services
from .models import Category, Listing, Response

router = Router(tags=["marketplace"])


class ListingOut(Schema):
    id: int
    kind: str
    title: str
    description: str
    category: str
    state: str
    tags: list[str]
    area: str = Field(description="A nearby place name, never the address")
    public_latitude: float = Field(description="Centre of the listing's grid cell")
    public_longitude: float
    distance_km: float | None = Field(
        None, description="Rounded, from the search centre"
    )
    author: str
    published_at: datetime | None
    expires_at: datetime | None
    starts_at: datetime | None
    ends_at: datetime | None
    helpers_needed: int
    url: str


class SearchOut(Schema):
    total: int
    page: int
    pages: int
    results: list[ListingOut]


class SearchQuery(Schema):
    q: str = Field("", max_length=100)
    kind: str = ""
    category: str = ""
    tag: str = Field("", max_length=50)
    community: str = ""
    near: str = Field("", max_length=120, description="An address or a place name")
    lat: float | None = Field(None, ge=-90, le=90, allow_inf_nan=False)
    lon: float | None = Field(
        None,
        ge=-180,
        le=180,
        allow_inf_nan=False,
        description="With lat, the centre of the search; wins over near",
    )
    radius_km: float = Field(10, gt=0, le=100, allow_inf_nan=False)
    sort: str = "distance"
    page: int = Field(1, ge=1)

    @model_validator(mode="after")
    def _whole_point(self) -> "SearchQuery":
        if (self.lat is None) != (self.lon is None):
            raise ValueError(str(_("Give both latitude and longitude, or neither.")))
        return self


# The names ListingIn shares with ListingFields: copied from the payload as they are.
AS_TYPED = {f.name for f in dataclasses.fields(services.ListingFields)} - {
    "communities",
    "place",
}


class ListingIn(Schema):
    kind: str = Field(description="One of: " + ", ".join(Listing.Kind.values))
    title: str = Field(max_length=120)
    description: str = Field(max_length=4000)
    category: str = Field(description="One of: " + ", ".join(Category.values))
    tags: list[str] = []
    communities: list[str] = Field([], description="Slugs of the author's communities")
    everyone_nearby: bool = False
    address: str = Field("", description="Private: shown only to a matched counterpart")
    latitude: float | None = Field(None, ge=-90, le=90, allow_inf_nan=False)
    longitude: float | None = Field(
        None,
        ge=-180,
        le=180,
        allow_inf_nan=False,
        description="With latitude, the private point; wins over the address",
    )
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    helpers_needed: int = 1
    publish: bool = True
    client_id: str = Field(
        "",
        max_length=64,
        description="Your own id for this listing: a retry with the same id "
        "returns the first listing instead of creating another",
    )

    @model_validator(mode="after")
    def _whole_point(self) -> "ListingIn":
        if (self.latitude is None) != (self.longitude is None):
            raise ValueError(str(_("Give both latitude and longitude, or neither.")))
        return self

    def listing_fields(
        self, communities: Sequence[Community]
    ) -> services.ListingFields:
        """The payload as the services' input, the dataclass the form builds:
        the slugs become ``communities`` (found by the caller), the address and
        the point the place."""
        same = self.model_dump(include=AS_TYPED)
        place = services.Place(self.address, self.latitude, self.longitude)
        return services.ListingFields(**same, communities=communities, place=place)


class ResponseIn(Schema):
    message: str = Field(max_length=1000)


class ReplyIn(Schema):
    reply: str = Field("", max_length=1000)


class ResponseOut(Schema):
    id: int
    listing_id: int
    responder: str
    message: str
    state: str
    reply: str
    match_id: int | None


class MatchOut(Schema):
    id: int
    listing_id: int
    state: str
    url: str


def _tag_names(listing: Listing) -> list[str]:
    names = getattr(listing, "tag_names", None)
    return names if names is not None else [t.name for t in listing.tags.all()]


def _listing_out(listing: Listing, distance_km: float | None = None) -> dict:
    return {
        "id": listing.pk,
        "kind": listing.kind,
        "title": listing.title,
        "description": listing.description,
        "category": listing.category,
        "state": listing.state,
        "tags": _tag_names(listing),
        "area": listing.place_name,
        "public_latitude": listing.public_latitude,
        "public_longitude": listing.public_longitude,
        "distance_km": distance_km,
        "author": listing.author.public_name,
        "published_at": listing.published_at,
        "expires_at": listing.expires_at,
        "starts_at": listing.starts_at,
        "ends_at": listing.ends_at,
        "helpers_needed": listing.helpers_needed,
        "url": listing.get_absolute_url(),
    }


def _response_out(response: Response) -> dict:
    match = getattr(response, "match", None) if response.state == "accepted" else None
    return {
        "id": response.pk,
        "listing_id": response.listing_id,
        "responder": response.responder.public_name,
        "message": response.message,
        "state": response.state,
        "reply": response.reply,
        "match_id": match.pk if match else None,
    }


def _invalid(errors: dict[str, list], *where: str) -> ValidationError:
    """A 422 in the shape of the schema's own validation errors, one per problem."""
    return ValidationError(
        [
            {"type": "value_error", "loc": [*where, field], "msg": str(message)}
            for field, messages in errors.items()
            for message in messages
        ]
    )


@router.get("/listings", response=SearchOut, auth=None)
def listing_search(request: HttpRequest, filters: Query[SearchQuery]):
    """Open listings the caller may see; near a point or place when given."""
    centre = None
    if filters.lat is not None and filters.lon is not None:
        centre = geo.GeoPoint(filters.lat, filters.lon)
    elif filters.near.strip():
        centre = geo.geocode(filters.near, extra_places=selectors.community_places())
        if centre is None:
            near = filters.near.strip()
            raise _invalid({"near": [services.PlaceUnknown(near).message]}, "query")
    else:
        centre = selectors.user_centre(request.user)
    community = None
    if filters.community:
        community = get_object_or_404(
            communities_visible_to(request.user), slug=filters.community
        )
    result = selectors.listing_search(
        viewer=request.user,
        latitude=centre.latitude if centre else None,
        longitude=centre.longitude if centre else None,
        radius_km=filters.radius_km,
        text=filters.q,
        kind=filters.kind,
        category=filters.category,
        tag=filters.tag,
        community=community,
        sort=filters.sort,
        page=filters.page,
    )
    return {
        "total": result.total,
        "page": result.page,
        "pages": result.pages,
        "results": [_listing_out(h.listing, h.distance_km) for h in result.hits],
    }


def _visible(request: HttpRequest, pk: int) -> Listing:
    listing = selectors.listing_for_viewer(viewer=request.user, pk=pk)
    if listing is None:
        raise HttpError(404, "Not found")
    return listing


@router.get("/listings/{pk}", response=ListingOut, auth=None)
def listing_detail(request: HttpRequest, pk: int):
    return _listing_out(_visible(request, pk))


@router.post("/listings", response={201: ListingOut})
def listing_create(request: HttpRequest, payload: ListingIn):
    """Create a listing (published unless ``publish`` is false).

    Checked exactly like the listing form: a 422 names each wrong field.
    """
    communities = list(Community.objects.filter(slug__in=payload.communities))
    unknown = set(payload.communities) - {c.slug for c in communities}
    if unknown:
        message = _("There is no community “%(slug)s”.")
        errors = {"communities": [message % {"slug": slug} for slug in sorted(unknown)]}
        raise _invalid(errors, "body", "payload")
    listing = services.listing_create(
        author=request.user,
        fields=payload.listing_fields(communities),
        publish=payload.publish,
        client_id=payload.client_id,
    )
    # A retry gets the answer the first try got: the same listing, 201.
    return Status(201, _listing_out(listing))


@router.get("/listings/{pk}/responses", response=list[ResponseOut])
def response_list(request: HttpRequest, pk: int):
    """Every response for the author; the caller's own for anyone else."""
    listing = _visible(request, pk)
    responses = selectors.responses_for_listing(viewer=request.user, listing=listing)
    return [_response_out(r) for r in responses]


@router.post("/listings/{pk}/responses", response={201: ResponseOut})
def response_create(request: HttpRequest, pk: int, payload: ResponseIn):
    listing = _visible(request, pk)
    response = services.response_create(
        responder=request.user, listing=listing, message=payload.message
    )
    return Status(201, _response_out(response))


def _response(pk: int) -> Response:
    return get_object_or_404(Response.objects.select_related("responder"), pk=pk)


@router.post("/responses/{pk}/accept", response=MatchOut)
def response_accept(request: HttpRequest, pk: int, payload: ReplyIn):
    """The author accepts: a match. The address is read on the match page only."""
    match = services.response_accept(
        actor=request.user, response=_response(pk), reply=payload.reply
    )
    return {
        "id": match.pk,
        "listing_id": match.listing_id,
        "state": match.state,
        "url": match.get_absolute_url(),
    }


@router.post("/responses/{pk}/decline", response=ResponseOut)
def response_decline(request: HttpRequest, pk: int, payload: ReplyIn):
    response = services.response_decline(
        actor=request.user, response=_response(pk), reply=payload.reply
    )
    return _response_out(response)
