import re
from pathlib import Path

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage

from communities import services as community_services
from communities.models import Membership
from hub import errors, ratelimit
from hub.errors import ApplicationError, RateLimited
from hub.limits import LIMITS, Limit
from hub.refusals import show_refusal
from marketplace import services as marketplace_services
from marketplace.models import Listing
from messaging import services as messaging_services
from messaging.models import Message
from tests.factories import CommunityFactory, MembershipFactory, UserFactory
from tests.helpers import make_listing, send

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (community_services.MembershipError, 400),
        (community_services.NotPermitted, 403),
        (community_services.InvitationInvalid, 400),
        (marketplace_services.MarketplaceError, 400),
        (marketplace_services.NotPermitted, 403),
        (marketplace_services.NotVisible, 404),
        (marketplace_services.InvalidState, 409),
        (marketplace_services.BookingConflict, 409),
        (messaging_services.MessagingError, 400),
        (messaging_services.NotPermitted, 403),
        (messaging_services.MessageInvalid, 400),
    ],
)
def test_every_apps_refusal_is_an_application_error_with_its_status(error, status):
    refusal = error()

    assert isinstance(refusal, ApplicationError)
    assert refusal.status == status
    assert str(refusal) == str(refusal.message) != ""


@pytest.mark.parametrize(
    ("error", "kind", "app_error"),
    [
        (
            community_services.NotPermitted,
            errors.NotPermitted,
            community_services.MembershipError,
        ),
        (
            marketplace_services.NotPermitted,
            errors.NotPermitted,
            marketplace_services.MarketplaceError,
        ),
        (
            messaging_services.NotPermitted,
            errors.NotPermitted,
            messaging_services.MessagingError,
        ),
        (
            marketplace_services.NotVisible,
            errors.NotFound,
            marketplace_services.MarketplaceError,
        ),
        (
            marketplace_services.InvalidState,
            errors.Conflict,
            marketplace_services.MarketplaceError,
        ),
        (
            marketplace_services.BookingConflict,
            errors.Conflict,
            marketplace_services.MarketplaceError,
        ),
    ],
)
def test_every_apps_refusal_is_one_of_hubs_kinds_and_still_its_apps(
    error, kind, app_error
):
    refusal = error()

    assert isinstance(refusal, kind)
    assert isinstance(refusal, app_error)
    assert refusal.status == kind.status


def test_hubs_not_permitted_catches_the_refusal_of_every_app(db):
    village = CommunityFactory()
    member = UserFactory()
    MembershipFactory(community=village, user=member)
    other = UserFactory()
    MembershipFactory(community=village, user=other)
    request = MembershipFactory(
        community=village, state=Membership.State.REQUESTED, user=UserFactory()
    )
    listing = make_listing(member, communities=[village])
    message = send(member, messaging_services.channel_ensure_general(community=village))

    refusals = [
        lambda: community_services.membership_approve(actor=other, membership=request),
        lambda: marketplace_services.listing_withdraw(actor=other, listing=listing),
        lambda: messaging_services.message_remove(actor=other, message=message),
    ]
    caught = []
    for refuse in refusals:
        try:
            refuse()
        except errors.NotPermitted as exc:
            caught.append(exc.status)

    assert caught == [403, 403, 403]
    request.refresh_from_db()
    assert request.state == Membership.State.REQUESTED
    assert Listing.objects.get(pk=listing.pk).state == Listing.State.OPEN
    assert Message.objects.get(pk=message.pk).removed_at is None


def test_a_rate_limit_is_an_application_error_answering_429_with_its_wait():
    refusal = RateLimited(retry_after=12)

    assert isinstance(refusal, ApplicationError)
    assert refusal.status == 429
    assert refusal.retry_after == 12


def test_every_named_limit_a_service_counts_is_in_the_table():
    sources = [p for p in ROOT.glob("*/**/*.py") if ".venv" not in p.parts]
    used = {
        name
        for path in sources
        for name in re.findall(r'ratelimit\.hit\(\s*"([^"]+)"', path.read_text())
    }

    assert used  # the services do count
    assert used <= set(LIMITS)


def test_no_service_passes_its_own_numbers_to_the_rate_limiter():
    sources = [p for p in ROOT.glob("*/**/*.py") if ".venv" not in p.parts]

    own_numbers = [
        p for p in sources if re.search(r"ratelimit\.hit\([^)]*limit=", p.read_text())
    ]

    assert own_numbers == []


def test_a_limit_is_read_from_the_table(monkeypatch, db):
    monkeypatch.setitem(LIMITS, "message-send", Limit(1, 60))
    ratelimit.hit("message-send", key=1)

    with pytest.raises(RateLimited) as refused:
        ratelimit.hit("message-send", key=1)

    assert 0 < refused.value.retry_after <= 60
    ratelimit.hit("message-send", key=2)  # counted per person


class PlaceForm(forms.Form):
    title = forms.CharField(required=False)
    address = forms.CharField(required=False)
    token = forms.CharField(required=False, widget=forms.HiddenInput)


def _request(rf):
    request = rf.post("/")
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def test_a_refusal_naming_a_field_is_shown_beside_it(rf):
    form = PlaceForm({})
    form.is_valid()

    show_refusal(
        _request(rf), ApplicationError("Unknown address", field="address"), form=form
    )

    assert form.errors == {"address": ["Unknown address"]}


def test_a_refusal_naming_no_visible_field_is_shown_on_top_of_the_form(rf):
    form = PlaceForm({})
    form.is_valid()

    show_refusal(
        _request(rf),
        ApplicationError(errors={"token": ["Stale"], "x": ["Odd"]}),
        form=form,
    )

    assert form.non_field_errors() == ["Stale", "Odd"]


def test_a_refusal_without_a_form_becomes_an_error_message(rf):
    request = _request(rf)

    show_refusal(request, RateLimited(retry_after=5))

    shown = [(m.level_tag, m.message) for m in get_messages(request)]
    assert shown == [("error", str(RateLimited.default_message))]
