from dataclasses import replace
from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from hub import geo
from hub.ratelimit import RateLimited
from marketplace import services
from marketplace.models import (
    AddressReveal,
    Booking,
    Listing,
    ListingLocation,
    Match,
    Response,
    Watch,
    WatchHit,
)
from moderation.models import AuditEntry
from tests.factories import MembershipFactory, UserFactory
from tests.helpers import (
    ADDRESS,
    EXACT_LAT,
    EXACT_LON,
    bomb_png,
    make_listing,
    photo_upload,
    stored_files,
)

# --- listings ------------------------------------------------------------------------


def _as_it_is(listing, **changes):
    """What ``listing`` says now, with ``changes``: the input of an edit."""
    return replace(services.ListingFields.from_listing(listing), **changes)


def test_published_listing_keeps_the_exact_point_private_and_public_point_snapped(
    listing,
):
    location = ListingLocation.objects.get(listing=listing)

    assert listing.state == Listing.State.OPEN
    assert (location.latitude, location.longitude) == (EXACT_LAT, EXACT_LON)
    assert location.address == ADDRESS
    assert (listing.public_latitude, listing.public_longitude) == geo.snap_to_grid(
        EXACT_LAT, EXACT_LON
    )
    assert listing.place_name == "Skovby"
    assert listing.expires_at > timezone.now() + timedelta(days=29)


def test_an_address_is_geocoded_from_the_offline_gazetteer(author, village):
    listing = make_listing(
        author,
        communities=[village],
        place=services.Place("Torvet 3, 8600 Silkeborg"),
    )

    location = ListingLocation.objects.get(listing=listing)
    assert (location.latitude, location.longitude) == (56.1697, 9.5451)


def test_an_address_nobody_knows_is_refused_with_a_clear_message(author, village):
    with pytest.raises(services.LocationUnknown) as exc:
        make_listing(
            author, communities=[village], place=services.Place("Nowhere Lane 1, Xyzzy")
        )

    assert "pick the point on the map" in str(exc.value.message)
    assert not Listing.objects.exists()


def test_sharing_in_a_community_one_is_not_a_member_of_is_refused(author, private_club):
    with pytest.raises(services.NotPermitted):
        make_listing(author, communities=[private_club])

    assert not Listing.objects.exists()


def test_a_listing_must_be_shared_somewhere(author):
    with pytest.raises(services.MarketplaceError):
        make_listing(author, communities=[], everyone_nearby=False)

    assert not Listing.objects.exists()


def test_only_a_volunteer_call_asks_for_several_helpers(author, village):
    with pytest.raises(services.MarketplaceError):
        make_listing(author, communities=[village], helpers_needed=3)


def test_photos_are_resized_and_stripped_of_every_exif_field(author, village):
    listing = make_listing(author, communities=[village], photos=[photo_upload()])

    photo = listing.photos.get()
    with Image.open(photo.image.path) as stored:
        assert max(stored.size) == 1600
        assert stored.format == "JPEG"
        assert dict(stored.getexif()) == {}
        assert "exif" not in stored.info


def test_a_removed_photo_takes_its_card_with_it(author, village, neighbour, settings):
    listing = make_listing(
        author, communities=[village], photos=[photo_upload(gps=False)]
    )
    photo = listing.photos.get()
    files = stored_files(settings)

    with pytest.raises(services.NotPermitted):
        services.photo_delete(actor=neighbour, photo=photo)
    kept = stored_files(settings)
    services.photo_delete(actor=author, photo=photo)

    assert sorted(f.suffix for f in files) == [".jpg", ".webp"]
    assert kept == files
    assert not listing.photos.exists()
    assert stored_files(settings) == []


def test_photos_carry_the_description_people_give_them(author, village, neighbour):
    listing = make_listing(
        author,
        communities=[village],
        photos=[photo_upload(gps=False)],
        photo_description="  Lille  rød trailer\nmed presenning ",
    )
    other = make_listing(
        neighbour,
        communities=[village],
        photos=[photo_upload(gps=False)],
        title="Stige",
    )
    photo, foreign = listing.photos.get(), other.photos.get()
    assert photo.alt_text == "Lille rød trailer med presenning"

    services.listing_update(
        actor=author,
        listing=listing,
        fields=_as_it_is(listing),
        photo_descriptions={photo.pk: "Trailer set fra siden", foreign.pk: "Hacket"},
    )

    photo.refresh_from_db()
    foreign.refresh_from_db()
    assert photo.alt_text == "Trailer set fra siden"
    assert foreign.alt_text == ""  # only the listing's own photos change


def test_a_file_that_is_not_a_photo_is_refused(author, village):
    fake = SimpleUploadedFile("cv.jpg", b"%PDF-1.4 not an image", "image/jpeg")

    with pytest.raises(services.MarketplaceError) as exc:
        make_listing(author, communities=[village], photos=[fake])

    assert "not a photo" in str(exc.value.message)
    assert not Listing.objects.exists()


def test_more_than_four_photos_are_refused(author, village):
    photos = [photo_upload(f"p{n}.jpg", gps=False) for n in range(5)]

    with pytest.raises(services.MarketplaceError):
        make_listing(author, communities=[village], photos=photos)

    assert not Listing.objects.exists()


def test_only_the_author_edits_a_listing(listing, neighbour, village):
    with pytest.raises(services.NotPermitted):
        services.listing_update(
            actor=neighbour,
            listing=listing,
            fields=_as_it_is(
                listing, title="Overtaget", description="x", category="other"
            ),
        )

    listing.refresh_from_db()
    assert listing.title == "Hjælp til digital post"


def test_moving_a_listing_moves_its_public_point(listing, author, village):
    services.listing_update(
        actor=author,
        listing=listing,
        fields=_as_it_is(listing, place=services.Place("", 56.20, 9.49)),
    )

    listing.refresh_from_db()
    assert (listing.public_latitude, listing.public_longitude) == geo.snap_to_grid(
        56.20, 9.49
    )


def test_an_edit_keeps_the_kind_and_checks_the_fields_against_it(listing, author):
    with pytest.raises(services.ListingInvalid) as exc:
        services.listing_update(
            actor=author,
            listing=listing,
            fields=_as_it_is(listing, kind=Listing.Kind.VOLUNTEER, helpers_needed=3),
        )

    services.listing_update(
        actor=author,
        listing=listing,
        fields=_as_it_is(listing, kind=Listing.Kind.LEND, title="Ny titel"),
    )

    listing.refresh_from_db()
    assert list(exc.value.errors) == ["helpers_needed"]
    assert (listing.kind, listing.title) == (Listing.Kind.REQUEST, "Ny titel")


def test_an_edit_starting_from_the_listing_keeps_its_tags_audience_and_place(
    listing, author, village
):
    location = ListingLocation.objects.get(listing=listing)
    fields = services.ListingFields.from_listing(listing, location=location)

    services.listing_update(actor=author, listing=listing, fields=fields)

    listing.refresh_from_db()
    assert fields.place == services.Place(ADDRESS, EXACT_LAT, EXACT_LON)
    assert [t.name for t in listing.tags.all()] == ["e-boks"]
    assert list(listing.communities.all()) == [village]
    assert ListingLocation.objects.get(listing=listing).address == ADDRESS


def test_only_the_author_withdraws_and_matches_are_cancelled(
    listing, author, neighbour
):
    response = services.response_create(
        responder=neighbour, listing=listing, message="Jeg kan!"
    )
    match = services.response_accept(actor=author, response=response)
    with pytest.raises(services.NotPermitted):
        services.listing_withdraw(actor=neighbour, listing=listing)

    services.listing_withdraw(actor=author, listing=listing)

    listing.refresh_from_db()
    match.refresh_from_db()
    assert listing.state == Listing.State.WITHDRAWN
    assert match.state == Match.State.CANCELLED


def test_a_draft_is_published_only_by_its_author(author, neighbour, village):
    draft = make_listing(author, communities=[village], publish=False)
    with pytest.raises(services.NotPermitted):
        services.listing_publish(actor=neighbour, listing=draft)

    services.listing_publish(actor=author, listing=draft)

    assert draft.state == Listing.State.OPEN
    assert draft.published_at is not None


def test_expiry_task_expires_due_listings_and_emails_a_renew_link(
    listing, django_capture_on_commit_callbacks
):
    Listing.objects.filter(pk=listing.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )

    with django_capture_on_commit_callbacks(execute=True):
        expired = services.listing_expire_due()

    listing.refresh_from_db()
    assert expired == 1
    assert listing.state == Listing.State.EXPIRED
    assert len(mail.outbox) == 1
    assert f"/help/{listing.pk}/renew/" in mail.outbox[0].body


def test_the_expiry_task_also_expires_a_listing_whose_end_has_passed(listing):
    later = timezone.now() + timedelta(days=20)
    ended = timezone.now() - timedelta(minutes=1)
    Listing.objects.filter(pk=listing.pk).update(expires_at=later, ends_at=ended)

    expired = services.listing_expire_due()

    listing.refresh_from_db()
    assert expired == 1
    assert listing.state == Listing.State.EXPIRED


def test_renewing_an_expired_listing_opens_it_again(listing, author):
    Listing.objects.filter(pk=listing.pk).update(state=Listing.State.EXPIRED)
    listing.refresh_from_db()

    services.listing_renew(actor=author, listing=listing)

    assert listing.state == Listing.State.OPEN
    assert listing.expires_at > timezone.now() + timedelta(days=29)


def test_posting_too_often_is_rate_limited(author, village):
    for n in range(10):
        make_listing(author, communities=[village], title=f"Nummer {n}")

    with pytest.raises(RateLimited):
        make_listing(author, communities=[village], title="En for meget")

    assert Listing.objects.filter(author=author).count() == 10


# --- responses and matches -----------------------------------------------------------


def test_responding_to_ones_own_listing_is_refused(listing, author):
    with pytest.raises(services.NotPermitted):
        services.response_create(responder=author, listing=listing, message="Mig selv")

    assert not Response.objects.exists()


def test_responding_to_a_listing_one_cannot_see_is_refused(author, private_club):
    MembershipFactory(community=private_club, user=author)
    hidden = make_listing(author, communities=[private_club])
    outsider = UserFactory()

    with pytest.raises(services.NotVisible):
        services.response_create(responder=outsider, listing=hidden, message="Hej")

    assert not Response.objects.exists()


def test_responding_twice_is_refused(listing, neighbour):
    services.response_create(responder=neighbour, listing=listing, message="Jeg kan")

    with pytest.raises(services.MarketplaceError):
        services.response_create(responder=neighbour, listing=listing, message="Igen")

    assert list(Response.objects.values_list("message", flat=True)) == ["Jeg kan"]


def test_the_author_is_emailed_about_a_response(
    listing, neighbour, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.response_create(
            responder=neighbour, listing=listing, message="Jeg kan"
        )

    assert [m.to for m in mail.outbox] == [[listing.author.email]]
    assert "Jeg kan" in mail.outbox[0].body


def test_accepting_on_someone_elses_listing_is_refused(listing, neighbour):
    response = services.response_create(
        responder=neighbour, listing=listing, message="Jeg kan"
    )

    with pytest.raises(services.NotPermitted):
        services.response_accept(actor=neighbour, response=response)

    assert not Match.objects.exists()


def test_accepting_makes_a_match_and_moves_the_listing_to_matched(
    listing, author, neighbour
):
    response = services.response_create(
        responder=neighbour, listing=listing, message="Jeg kan i morgen"
    )

    match = services.response_accept(actor=author, response=response)

    listing.refresh_from_db()
    response.refresh_from_db()
    assert (match.author, match.helper) == (author, neighbour)
    assert response.state == Response.State.ACCEPTED
    assert listing.state == Listing.State.MATCHED


def test_a_volunteer_call_accepts_up_to_the_helpers_it_asked_for(author, village):
    call = make_listing(
        author,
        communities=[village],
        kind=Listing.Kind.VOLUNTEER,
        helpers_needed=2,
        title="Oprydning i skoven",
    )
    helpers = [UserFactory() for _ in range(3)]
    responses = [
        services.response_create(responder=h, listing=call, message="Jeg kommer")
        for h in helpers
    ]

    services.response_accept(actor=author, response=responses[0])
    call.refresh_from_db()
    assert call.state == Listing.State.OPEN
    services.response_accept(actor=author, response=responses[1])
    call.refresh_from_db()

    assert call.state == Listing.State.MATCHED
    with pytest.raises(services.InvalidState):
        services.response_accept(actor=author, response=responses[2])


def test_declining_without_words_sends_the_kind_default_text(
    listing, author, neighbour
):
    response = services.response_create(
        responder=neighbour, listing=listing, message="Jeg kan"
    )

    services.response_decline(actor=author, response=response)

    response.refresh_from_db()
    assert response.state == Response.State.DECLINED
    assert response.reply == services.default_decline_text()


def test_either_side_marks_done_and_the_listing_is_done(listing, author, neighbour):
    response = services.response_create(
        responder=neighbour, listing=listing, message="Jeg kan"
    )
    match = services.response_accept(actor=author, response=response)

    services.match_done(actor=neighbour, match=match, thanks="Det var hyggeligt")

    match.refresh_from_db()
    listing.refresh_from_db()
    assert match.state == Match.State.DONE
    assert match.thanks == "Det var hyggeligt"
    assert listing.state == Listing.State.DONE


def test_a_stranger_cannot_mark_a_match_done(listing, author, neighbour, stranger):
    response = services.response_create(
        responder=neighbour, listing=listing, message="Jeg kan"
    )
    match = services.response_accept(actor=author, response=response)

    with pytest.raises(services.NotPermitted):
        services.match_done(actor=stranger, match=match)

    match.refresh_from_db()
    assert match.done_by is None


def test_the_author_reopens_when_the_helper_could_not_come(listing, author, neighbour):
    response = services.response_create(
        responder=neighbour, listing=listing, message="Jeg kan"
    )
    match = services.response_accept(actor=author, response=response)
    with pytest.raises(services.NotPermitted):
        services.match_reopen(actor=neighbour, match=match)

    services.match_reopen(actor=author, match=match, reason="Blev syg")

    listing.refresh_from_db()
    assert listing.state == Listing.State.OPEN
    assert services.match_reveal_address(viewer=neighbour, match=match) is None


def test_revealing_the_address_to_the_helper_is_recorded(listing, author, neighbour):
    response = services.response_create(
        responder=neighbour, listing=listing, message="Jeg kan"
    )
    match = services.response_accept(actor=author, response=response)

    location = services.match_reveal_address(viewer=neighbour, match=match)

    assert location.address == ADDRESS
    [reveal] = AddressReveal.objects.filter(match=match, viewer=neighbour)
    [entry] = AuditEntry.objects.filter(action="address.revealed")
    assert (entry.actor_id, entry.subject_id) == (neighbour.pk, str(listing.pk))
    assert entry.details_dict == {"match": match.pk, "reveal": reveal.pk}


# --- lending -------------------------------------------------------------------------


def test_a_lender_keeps_the_item_on_some_days_and_frees_them_again(
    trailer, author, neighbour
):
    soon = timezone.localdate() + timedelta(days=5)
    days = {"starts_on": soon, "ends_on": soon + timedelta(days=2)}

    block = services.booking_block(actor=author, listing=trailer, **days)

    assert block.state == Booking.State.CONFIRMED
    with pytest.raises(services.BookingConflict):
        services.booking_request(borrower=neighbour, listing=trailer, **days)
    with pytest.raises(services.InvalidState):
        services.booking_handover(actor=author, booking=block)
    services.booking_cancel(actor=author, booking=block)
    booking = services.booking_request(borrower=neighbour, listing=trailer, **days)
    assert booking.state == Booking.State.REQUESTED


def test_only_the_lender_blocks_days_and_never_over_a_booking(
    trailer, author, neighbour
):
    soon = timezone.localdate() + timedelta(days=3)
    days = {"starts_on": soon, "ends_on": soon}
    with pytest.raises(services.NotPermitted):
        services.booking_block(actor=neighbour, listing=trailer, **days)
    services.booking_request(borrower=neighbour, listing=trailer, **days)

    with pytest.raises(services.BookingConflict):
        services.booking_block(actor=author, listing=trailer, **days)

    assert not Booking.objects.filter(borrower=author).exists()


def test_booking_overlapping_dates_is_refused_with_the_free_dates(
    trailer, neighbour, stranger
):
    today = timezone.localdate()
    services.booking_request(
        borrower=neighbour,
        listing=trailer,
        starts_on=today + timedelta(days=2),
        ends_on=today + timedelta(days=4),
    )

    with pytest.raises(services.BookingConflict) as exc:
        services.booking_request(
            borrower=stranger,
            listing=trailer,
            starts_on=today + timedelta(days=4),
            ends_on=today + timedelta(days=6),
        )

    free = exc.value.free
    assert (today, today + timedelta(days=1)) in free
    assert free[1][0] == today + timedelta(days=5)


def test_the_lender_is_emailed_the_borrowers_message_quoted_as_plain_text(
    trailer, author, neighbour, django_capture_on_commit_callbacks
):
    soon = timezone.localdate() + timedelta(days=2)
    message = "Kan jeg hente den kl. 9?\u202e\r\nBcc: <b>alle</b> & tak"

    with django_capture_on_commit_callbacks(execute=True):
        services.booking_request(
            borrower=neighbour,
            listing=trailer,
            starts_on=soon,
            ends_on=soon,
            message=message,
        )

    [sent] = mail.outbox
    assert sent.to == [author.email]
    assert (
        "Lars wrote:\n> Kan jeg hente den kl. 9?\n> Bcc: <b>alle</b> & tak" in sent.body
    )
    assert "\u202e" not in sent.body
    assert not sent.alternatives  # plain text only: nothing is rendered as HTML


def test_a_declined_booking_frees_its_dates(trailer, author, neighbour):
    today = timezone.localdate()
    days = {
        "starts_on": today + timedelta(days=1),
        "ends_on": today + timedelta(days=2),
    }
    booking = services.booking_request(borrower=neighbour, listing=trailer, **days)
    services.booking_decline(actor=author, booking=booking)

    again = services.booking_request(borrower=UserFactory(), listing=trailer, **days)

    assert again.state == Booking.State.REQUESTED


def test_handover_and_return_are_recorded_by_the_lender(trailer, author, neighbour):
    today = timezone.localdate()
    booking = services.booking_request(
        borrower=neighbour, listing=trailer, starts_on=today, ends_on=today
    )
    services.booking_confirm(actor=author, booking=booking)
    with pytest.raises(services.NotPermitted):
        services.booking_handover(actor=neighbour, booking=booking)

    services.booking_handover(actor=author, booking=booking)
    booking = services.booking_return(actor=author, booking=booking)

    assert booking.state == Booking.State.RETURNED
    assert booking.handed_over_at <= booking.returned_at


def test_booking_ones_own_item_or_a_non_lend_listing_is_refused(
    trailer, listing, author, neighbour
):
    today = timezone.localdate()

    with pytest.raises(services.NotPermitted):
        services.booking_request(
            borrower=author, listing=trailer, starts_on=today, ends_on=today
        )
    with pytest.raises(services.InvalidState):
        services.booking_request(
            borrower=neighbour, listing=listing, starts_on=today, ends_on=today
        )


def test_booking_in_the_past_is_refused(trailer, neighbour):
    yesterday = timezone.localdate() - timedelta(days=1)

    with pytest.raises(services.MarketplaceError):
        services.booking_request(
            borrower=neighbour, listing=trailer, starts_on=yesterday, ends_on=yesterday
        )

    assert not Booking.objects.exists()


# --- watches -------------------------------------------------------------------------


def test_a_new_listing_alerts_a_matching_watch_nearby(
    author, neighbour, village, django_capture_on_commit_callbacks
):
    services.watch_create(
        user=neighbour,
        categories=["digital"],
        radius_km=5,
        place=services.Place("Skovby"),
    )
    far = services.watch_create(
        user=UserFactory(),
        categories=["digital"],
        radius_km=5,
        place=services.Place("Oslo"),
    )
    other_category = services.watch_create(
        user=UserFactory(),
        categories=["garden"],
        radius_km=5,
        place=services.Place("Skovby"),
    )

    with django_capture_on_commit_callbacks(execute=True):
        listing = make_listing(author, communities=[village])

    hits = WatchHit.objects.filter(listing=listing)
    assert [h.watch.user for h in hits] == [neighbour]
    assert not WatchHit.objects.filter(watch__in=[far, other_category]).exists()


def test_a_watch_needs_a_category_and_a_sane_radius(neighbour):
    with pytest.raises(services.MarketplaceError):
        services.watch_create(
            user=neighbour, categories=[], place=services.Place("Skovby")
        )
    with pytest.raises(services.MarketplaceError):
        services.watch_create(
            user=neighbour,
            categories=["food"],
            radius_km=500,
            place=services.Place("Skovby"),
        )
    assert not Watch.objects.exists()


def test_the_watch_digest_emails_unseen_alerts_once(
    author, neighbour, village, django_capture_on_commit_callbacks
):
    from marketplace.tasks import send_watch_digests

    services.watch_create(
        user=neighbour, categories=["digital"], place=services.Place("Skovby")
    )
    with django_capture_on_commit_callbacks(execute=True):
        make_listing(author, communities=[village])

    send_watch_digests.call()
    send_watch_digests.call()

    assert len(mail.outbox) == 1
    assert "Hjælp til digital post" in mail.outbox[0].body


def test_accepting_opens_a_private_conversation_for_the_two_sides(
    listing, author, neighbour
):
    from messaging.models import Conversation

    response = services.response_create(
        responder=neighbour, listing=listing, message="Jeg kan"
    )

    match = services.response_accept(actor=author, response=response)

    thread = Conversation.objects.get(pk=match.thread_id)
    members = set(thread.participants.values_list("user_id", flat=True))
    assert members == {author.pk, neighbour.pk}


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
@pytest.mark.parametrize(
    ("width", "height"),
    [(30000, 30000), (10000, 10000), (8000, 6000)],
)
def test_a_photo_claiming_too_many_pixels_is_refused_and_leaves_no_file(
    author, village, settings, width, height
):
    photos = [photo_upload(gps=False), bomb_png(width=width, height=height)]

    with pytest.raises(services.MarketplaceError) as exc:
        make_listing(author, communities=[village], photos=photos)

    assert str(exc.value.message) == "This photo has too many pixels."
    assert not Listing.objects.exists()
    assert stored_files(settings) == []


def test_a_refused_photo_on_edit_keeps_the_listing_and_leaves_no_file(
    listing, author, village, settings
):
    with pytest.raises(services.MarketplaceError):
        services.listing_update(
            actor=author,
            listing=listing,
            fields=_as_it_is(listing, title="Ny titel"),
            photos=[photo_upload(gps=False), bomb_png()],
        )

    listing.refresh_from_db()
    assert listing.title == "Hjælp til digital post"
    assert not listing.photos.exists()
    assert stored_files(settings) == []


def test_photos_stored_by_a_write_that_fails_later_are_removed(
    author, village, settings, monkeypatch
):
    from marketplace.services import listings

    def fail(listing):
        raise services.InvalidState

    monkeypatch.setattr(listings, "_publish", fail)

    with pytest.raises(services.InvalidState):
        make_listing(author, communities=[village], photos=[photo_upload(gps=False)])

    assert not Listing.objects.exists()
    assert stored_files(settings) == []


# --- one validation for the form, the API and the services ---------------------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"kind": "sell"}, "kind"),
        ({"category": "weapons"}, "category"),
        ({"title": " \n "}, "title"),
        ({"description": ""}, "description"),
        ({"ends_at": timezone.now() - timedelta(hours=1)}, "ends_at"),
        ({"everyone_nearby": False}, "communities"),
    ],
)
def test_a_listing_with_a_wrong_field_is_refused_naming_the_field(
    author, changes, field
):
    with pytest.raises(services.ListingInvalid) as exc:
        make_listing(author, **changes)

    assert list(exc.value.errors) == [field]
    assert not Listing.objects.exists()


def test_an_end_in_the_past_is_refused_on_edit_and_nothing_changes(
    listing, author, village
):
    with pytest.raises(services.ListingInvalid) as exc:
        services.listing_update(
            actor=author,
            listing=listing,
            fields=_as_it_is(
                listing, title="Ny titel", ends_at=timezone.now() - timedelta(days=1)
            ),
        )

    listing.refresh_from_db()
    assert exc.value.errors == {
        "ends_at": ["The end has passed. Choose a later end, or none."]
    }
    assert (listing.title, listing.ends_at) == ("Hjælp til digital post", None)


def test_a_draft_whose_end_has_passed_is_not_published(author, village):
    draft = make_listing(
        author,
        communities=[village],
        publish=False,
        ends_at=timezone.now() + timedelta(hours=1),
    )
    Listing.objects.filter(pk=draft.pk).update(
        ends_at=timezone.now() - timedelta(hours=1)
    )
    draft.refresh_from_db()

    with pytest.raises(services.ListingInvalid):
        services.listing_publish(actor=author, listing=draft)

    draft.refresh_from_db()
    assert draft.state == Listing.State.DRAFT


def test_moving_the_end_of_a_listing_moves_its_expiry(listing, author, village):
    later = timezone.now() + timedelta(days=3)

    services.listing_update(
        actor=author, listing=listing, fields=_as_it_is(listing, ends_at=later)
    )

    listing.refresh_from_db()
    assert listing.expires_at == later


# --- a retried post ------------------------------------------------------------------


def test_a_retry_with_the_same_client_id_returns_the_first_listing(
    author, neighbour, village
):
    first = make_listing(author, communities=[village], client_id="abc-1")

    again = make_listing(
        author, communities=[village], client_id="abc-1", title="Changed on retry"
    )
    other = make_listing(neighbour, communities=[village], client_id="abc-1")
    untagged = [make_listing(author, communities=[village]) for _ in range(2)]

    assert again.pk == first.pk
    assert again.title == "Hjælp til digital post"
    assert other.pk != first.pk  # the id is the author's own
    assert untagged[0].pk != untagged[1].pk  # no id: every post is new
    assert Listing.objects.count() == 4


def test_a_retry_does_not_count_against_the_posting_limit(author, village):
    for _ in range(10):
        make_listing(author, communities=[village], client_id="same")

    assert Listing.objects.count() == 1


@pytest.mark.parametrize(
    "place",
    [
        services.Place("Skovby", 56.17, None),
        services.Place("Skovby", None, 9.55),
        services.Place("Skovby", float("inf"), 9.55),
        services.Place("Skovby", 56.17, float("nan")),
    ],
)
def test_half_a_point_or_one_off_the_map_is_refused_not_ignored(author, village, place):
    with pytest.raises(services.LocationUnknown):
        make_listing(author, communities=[village], place=place)

    assert not Listing.objects.exists()
