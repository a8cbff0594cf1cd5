from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.utils import timezone

from marketplace import selectors, services
from marketplace.models import Listing, ListingPhoto
from tests.factories import MembershipFactory, UserFactory
from tests.helpers import make_listing, nearest_walk_queries

SKOVBY = (56.1710, 9.5470)


def _at(author, village, lat, lon, **kw):
    return make_listing(
        author, communities=[village], place=services.Place("", lat, lon), **kw
    )


def test_a_non_member_cannot_see_a_members_only_listing(author, private_club, stranger):
    MembershipFactory(community=private_club, user=author)
    hidden = make_listing(author, communities=[private_club])
    member = UserFactory()
    MembershipFactory(community=private_club, user=member)

    assert not selectors.can_view_listing(user=stranger, listing=hidden)
    assert selectors.listing_for_viewer(viewer=stranger, pk=hidden.pk) is None
    assert selectors.can_view_listing(user=member, listing=hidden)


def test_drafts_are_seen_only_by_their_author(author, neighbour, village):
    draft = make_listing(author, communities=[village], publish=False)

    assert selectors.can_view_listing(user=author, listing=draft)
    assert not selectors.can_view_listing(user=neighbour, listing=draft)


def test_everyone_nearby_listings_are_public(author, stranger):
    listing = make_listing(author, communities=[], everyone_nearby=True)

    assert selectors.can_view_listing(user=stranger, listing=listing)


def test_the_private_location_is_for_the_author_and_the_matched_helper_only(
    listing, author, neighbour, stranger
):
    response = services.response_create(
        responder=neighbour, listing=listing, message="Jeg kan"
    )
    assert selectors.private_location(viewer=neighbour, listing=listing) is None

    services.response_accept(actor=author, response=response)

    assert selectors.private_location(viewer=author, listing=listing) is not None
    assert selectors.private_location(viewer=neighbour, listing=listing) is not None
    assert selectors.private_location(viewer=stranger, listing=listing) is None


def test_radius_search_finds_only_listings_within_the_radius_nearest_first(
    author, neighbour, village
):
    near = _at(author, village, 56.1750, 9.5470, title="Tæt på")  # ~0.4 km
    middle = _at(author, village, 56.2000, 9.5470, title="Lidt væk")  # ~3.2 km
    _at(author, village, 56.3500, 9.5470, title="Langt væk")  # ~20 km

    result = selectors.listing_search(
        viewer=neighbour, latitude=SKOVBY[0], longitude=SKOVBY[1], radius_km=5
    )

    assert [h.listing for h in result.hits] == [near, middle]
    assert [h.distance_km for h in result.hits] == [0.5, 3.5]


def test_radius_search_sorts_by_newest_when_asked(author, neighbour, village):
    older = _at(author, village, 56.1750, 9.5470, title="Først")
    newer = _at(author, village, 56.2000, 9.5470, title="Sidst")

    result = selectors.listing_search(
        viewer=neighbour, latitude=SKOVBY[0], longitude=SKOVBY[1], sort="newest"
    )

    assert [h.listing for h in result.hits] == [newer, older]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"text": "trailer"}, ["Trailer til udlån"]),
        ({"kind": Listing.Kind.GIVE}, ["Gratis æbler"]),
        ({"category": "garden"}, ["Gratis æbler"]),
        ({"tag": "E-BOKS"}, ["Hjælp til digital post"]),
    ],
)
def test_search_combines_text_kind_category_and_tag_filters(
    author, neighbour, village, filters, expected
):
    make_listing(author, communities=[village])
    make_listing(
        author,
        communities=[village],
        kind=Listing.Kind.LEND,
        title="Trailer til udlån",
        category="transport",
        tags=["trailer"],
    )
    make_listing(
        author,
        communities=[village],
        kind=Listing.Kind.GIVE,
        title="Gratis æbler",
        category="garden",
        tags=[],
    )

    result = selectors.listing_search(
        viewer=neighbour, latitude=SKOVBY[0], longitude=SKOVBY[1], **filters
    )

    assert [h.listing.title for h in result.hits] == expected


def test_search_filters_by_community(author, neighbour, village, private_club):
    MembershipFactory(community=private_club, user=author)
    MembershipFactory(community=private_club, user=neighbour)
    in_club = make_listing(author, communities=[private_club], title="Klubben")
    make_listing(author, communities=[village], title="Landsbyen")

    result = selectors.listing_search(viewer=neighbour, community=private_club)

    assert [h.listing for h in result.hits] == [in_club]


def test_search_pages_by_twenty(author, neighbour, village, settings):
    for n in range(23):
        Listing.objects.create(
            author=author,
            kind="offer",
            title=f"Tilbud {n}",
            description="x",
            category="other",
            everyone_nearby=True,
            state=Listing.State.OPEN,
            public_latitude=56.17 + n / 10_000,
            public_longitude=9.547,
        )

    first = selectors.listing_search(
        viewer=neighbour, latitude=SKOVBY[0], longitude=SKOVBY[1]
    )
    second = selectors.listing_search(
        viewer=neighbour, latitude=SKOVBY[0], longitude=SKOVBY[1], page=2
    )

    assert (first.total, first.pages, len(first.hits), len(second.hits)) == (
        23,
        2,
        20,
        3,
    )
    assert first.has_next
    assert not second.has_next


def test_radius_search_runs_a_fixed_number_of_queries(
    author, neighbour, village, django_assert_num_queries
):
    for n in range(15):
        _at(author, village, 56.17 + n / 1000, 9.547, title=f"Nummer {n}")
        cache.clear()  # the hourly posting limit is not what this test is about

    # two permission look-ups (is the viewer staff?), the bounding-box candidates
    # (memberships are a subquery), the page's rows with their authors, tags and
    # first photos: none per listing.
    with django_assert_num_queries(4 + nearest_walk_queries()):
        result = selectors.listing_search(
            viewer=neighbour, latitude=SKOVBY[0], longitude=SKOVBY[1], radius_km=10
        )
        for hit in result.hits:
            assert hit.listing.tag_names == ["e-boks"]
            assert hit.listing.first_photo is None
            assert hit.listing.author.public_name

    assert result.total == 15


def test_search_results_show_the_first_photo_and_the_tags_in_order(
    author, neighbour, village
):
    listing = _at(author, village, 56.172, 9.547, tags=["trailer", "anhænger"])
    for position, name in [(2, "back.jpg"), (1, "front.jpg")]:
        ListingPhoto.objects.create(
            listing=listing,
            image=f"marketplace/{listing.pk}/{name}",
            width=640,
            height=480,
            alt_text=f"Trailer, {name}",
            position=position,
        )

    for result in (
        selectors.listing_search(
            viewer=neighbour, latitude=SKOVBY[0], longitude=SKOVBY[1]
        ),
        selectors.listing_search(viewer=neighbour),
    ):
        shown = result.hits[0].listing
        assert shown.tag_names == ["anhænger", "trailer"]
        assert shown.first_photo.image.url.endswith("front.jpg")
        assert (shown.first_photo.width, shown.first_photo.alt_text) == (
            640,
            "Trailer, front.jpg",
        )


def test_free_ranges_leave_out_booked_days(author, neighbour, village):
    from datetime import timedelta

    from django.utils import timezone

    trailer = make_listing(author, communities=[village], kind=Listing.Kind.LEND)
    today = timezone.localdate()
    services.booking_request(
        borrower=neighbour,
        listing=trailer,
        starts_on=today + timedelta(days=3),
        ends_on=today + timedelta(days=5),
    )

    free = selectors.free_ranges(trailer, start=today, days=10)

    assert free == [
        (today, today + timedelta(days=2)),
        (today + timedelta(days=6), today + timedelta(days=9)),
    ]


def test_tag_suggestions_start_with_what_was_typed(author, village):
    make_listing(author, communities=[village], tags=["trailer", "trappe", "have"])

    assert selectors.tag_suggestions("tra") == ["trailer", "trappe"]


def test_a_stranger_only_sees_their_own_response(listing, neighbour, stranger, author):
    services.response_create(responder=neighbour, listing=listing, message="Jeg kan")
    services.response_create(responder=stranger, listing=listing, message="Også mig")

    seen_by_stranger = selectors.responses_for_listing(viewer=stranger, listing=listing)
    seen_by_author = selectors.responses_for_listing(viewer=author, listing=listing)

    assert [r.responder for r in seen_by_stranger] == [stranger]
    assert seen_by_author.count() == 2


def _ended(listing):
    """The end passes while the listing is open (the expiry job has not run)."""
    past = timezone.now() - timedelta(minutes=5)
    Listing.objects.filter(pk=listing.pk).update(ends_at=past)
    return listing


def test_a_listing_whose_end_has_passed_is_no_longer_found_by_search(
    author, neighbour, village
):
    soon = timezone.now() + timedelta(hours=1)
    ended = _ended(_at(author, village, *SKOVBY, title="Sluttet", ends_at=soon))
    running = _at(author, village, *SKOVBY, title="Kører", ends_at=soon)

    near = selectors.listing_search(
        viewer=neighbour, latitude=SKOVBY[0], longitude=SKOVBY[1], radius_km=5
    )
    newest = selectors.listing_search(viewer=neighbour)

    assert [h.listing.pk for h in near.hits] == [running.pk]
    assert [h.listing.pk for h in newest.hits] == [running.pk]
    assert ended.pk not in [h.listing.pk for h in newest.hits]


def test_a_listing_whose_end_has_passed_shows_as_expired_not_open(
    author, neighbour, village
):
    soon = timezone.now() + timedelta(hours=1)
    listing = _ended(_at(author, village, *SKOVBY, ends_at=soon))

    seen = selectors.listing_for_viewer(viewer=neighbour, pk=listing.pk)
    own = selectors.listing_for_viewer(viewer=author, pk=listing.pk)
    mine = list(selectors.my_listings(author))

    assert seen.state == own.state == Listing.State.EXPIRED
    assert not seen.is_open
    assert [m.state for m in mine] == [Listing.State.EXPIRED]


# --- where a viewer stands with a listing or a match ------------------------------


def test_a_neighbour_sees_a_rounded_distance_from_home_and_may_answer_once(
    listing, author, neighbour, village
):
    neighbour.home_community = village
    neighbour.save()
    before = selectors.listing_standing(viewer=neighbour, listing=listing)
    response = services.response_create(
        responder=neighbour, listing=listing, message="Jeg kan"
    )

    after = selectors.listing_standing(viewer=neighbour, listing=listing)
    services.response_withdraw(actor=neighbour, response=response)
    withdrawn = selectors.listing_standing(viewer=neighbour, listing=listing)

    assert before.centre.label == "Skovby"
    assert before.distance_km == 0.5  # a few hundred metres, shown as 500 m
    assert (before.is_author, before.can_respond, before.my_response) == (
        False,
        True,
        None,
    )
    assert (after.can_respond, after.my_response) == (False, response)
    assert withdrawn.can_respond is True


def test_the_author_sees_every_answer_and_the_matches_but_no_distance(
    listing, author, neighbour, village
):
    author.home_community = village
    author.save()
    response = services.response_create(
        responder=neighbour, listing=listing, message="Jeg kan"
    )
    match = services.response_accept(actor=author, response=response)

    standing = selectors.listing_standing(viewer=author, listing=listing)

    assert standing.is_author is True
    assert standing.can_respond is False
    assert standing.distance_km is None
    assert standing.responses == [response]
    assert standing.matches == [match]


def test_a_visitor_sees_no_answers_and_may_not_answer(listing):
    standing = selectors.listing_standing(viewer=AnonymousUser(), listing=listing)

    assert standing == selectors.ListingStanding(
        is_author=False,
        responses=[],
        my_response=None,
        can_respond=False,
        centre=None,
        distance_km=None,
        matches=[],
    )


def test_only_the_author_gets_their_own_listing_to_change(listing, author, neighbour):
    assert selectors.own_listing(viewer=author, pk=listing.pk) == listing
    assert selectors.own_listing(viewer=neighbour, pk=listing.pk) is None
    assert selectors.own_listing(viewer=AnonymousUser(), pk=listing.pk) is None


def test_each_side_of_a_match_sees_the_other_as_the_counterpart(
    listing, author, neighbour
):
    response = services.response_create(
        responder=neighbour, listing=listing, message="Jeg kan"
    )
    match = services.response_accept(actor=author, response=response)

    mine = selectors.match_standing(viewer=author, match=match)
    theirs = selectors.match_standing(viewer=neighbour, match=match)

    assert (mine.is_author, mine.counterpart) == (True, neighbour)
    assert (theirs.is_author, theirs.counterpart) == (False, author)
