"""Sanctions that follow a decision: a warning, a silence in a space or
everywhere, a removal, a suspension. Each is checked on every write (the page,
the API, the socket's frames) and counts as a strike until it expires or an
upheld appeal lifts it."""

from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.urls import reverse
from django.utils import timezone

from communities.models import Membership
from marketplace import services as marketplace
from marketplace.models import Listing
from messaging import services as messaging
from messaging.models import Message
from moderation import sanctions, selectors, services
from moderation.models import Case, Sanction
from moderation.sanctions import Restricted
from moderation.services import AppealInput, DecisionInput, ModerationError, ReportInput
from tests.factories import CommunityFactory, member_of, organiser_of
from tests.helpers import make_listing, next_of_type, send, socket_for

pytestmark = pytest.mark.django_db


def _decision(**sanction) -> DecisionInput:
    return DecisionInput(
        action="hide",
        ground="house_rules",
        rule="Husregel 1",
        facts="Grov tone over for en nabo.",
        **sanction,
    )


@pytest.fixture
def author(village):
    return member_of(village)


@pytest.fixture
def neighbour(village):
    return member_of(village)


def _case(neighbour, author, general) -> Case:
    message = send(author, general, "Hold kæft, Henning")
    services.report_submit(
        reporter=neighbour,
        kind="message",
        pk=message.pk,
        data=ReportInput(reason="harassment"),
    )
    return Case.objects.get(object_id=str(message.pk))


def test_a_silence_in_a_space_makes_it_read_only_there_and_nowhere_else(
    client, village, general, organiser, author, neighbour
):
    case = _case(neighbour, author, general)
    elsewhere = CommunityFactory(name="Bakkeby", slug="bakkeby")
    member_of(elsewhere, user=author)
    other_channel = messaging.channel_ensure_general(community=elsewhere)

    services.case_decide(
        moderator=organiser, case=case, data=_decision(sanction="silence", days=3)
    )

    count = Message.objects.count()
    with pytest.raises(Restricted):
        send(author, general, "Må jeg stadig skrive?")
    client.force_login(author)
    api = client.post(
        f"/api/messaging/conversations/{general.pk}/messages",
        {"body": "Via API", "client_id": "api-1"},
        content_type="application/json",
    )
    page = client.post(
        reverse("messaging:conversation", kwargs={"pk": general.pk}),
        {"body": "Via siden", "client_id": "page-1"},
    )
    assert api.status_code == 403
    assert "Via siden" in page.content.decode()  # refused, and kept in the form
    assert Message.objects.count() == count
    send(author, other_channel, "I Bakkeby må jeg godt")
    assert Message.objects.count() == count + 1
    with pytest.raises(Restricted):  # and no direct messages while silenced
        messaging.direct_start(actor=author, others=[neighbour])


def test_a_silenced_person_cannot_publish_or_answer_listings_in_that_space(
    village, general, organiser, author, neighbour
):
    listing = make_listing(neighbour, communities=[village])
    services.case_decide(
        moderator=organiser,
        case=_case(neighbour, author, general),
        data=_decision(sanction="silence", days=3),
    )
    before = Listing.objects.count()

    with pytest.raises(Restricted):
        make_listing(author, communities=[village])
    with pytest.raises(Restricted):
        marketplace.response_create(responder=author, listing=listing, message="Ja")
    assert Listing.objects.count() == before
    assert not listing.responses.exists()


@pytest.mark.django_db(transaction=True)
async def test_a_silenced_persons_socket_stops_relaying_their_typing_at_once():
    village = await database_sync_to_async(CommunityFactory)(slug="skovby")
    organiser = await database_sync_to_async(organiser_of)(village)
    author = await database_sync_to_async(member_of)(village)
    neighbour = await database_sync_to_async(member_of)(village)
    general = await database_sync_to_async(messaging.channel_ensure_general)(
        community=village
    )
    case = await database_sync_to_async(_case)(neighbour, author, general)
    talker = await socket_for(author)
    listener = await socket_for(neighbour)
    frame = {"type": "typing", "conversation": general.pk}

    await database_sync_to_async(services.case_decide)(
        moderator=organiser, case=case, data=_decision(sanction="silence", days=1)
    )
    await next_of_type(talker, "subscriptions")  # the sanction re-checked it
    await talker.send_json_to(frame)

    refused = await next_of_type(talker, "error")
    assert refused["code"] == "not_subscribed"
    heard = []
    while not await listener.receive_nothing(timeout=0.5):
        heard.append((await listener.receive_json_from())["type"])
    assert "message.visibility" in heard  # the hide reached the listener
    assert "typing" not in heard
    await talker.disconnect()
    await listener.disconnect()


def test_organisers_cannot_suspend_or_silence_beyond_their_space(
    village, general, organiser, author, neighbour
):
    case = _case(neighbour, author, general)

    for sanction in (
        {"sanction": "suspension", "days": 7},
        {"sanction": "silence", "days": 7, "everywhere": True},
    ):
        with pytest.raises(ModerationError) as refused:
            services.case_decide(
                moderator=organiser, case=case, data=_decision(**sanction)
            )
        assert "sanction" in refused.value.errors
    with pytest.raises(ModerationError) as refused:
        services.case_decide(
            moderator=organiser, case=case, data=_decision(sanction="silence")
        )
    assert "days" in refused.value.errors
    assert not Sanction.objects.exists()
    assert Case.objects.get(pk=case.pk).is_open


def test_a_removal_ends_the_membership(village, general, organiser, author, neighbour):
    services.case_decide(
        moderator=organiser,
        case=_case(neighbour, author, general),
        data=_decision(sanction="removal"),
    )

    membership = Membership.objects.get(user=author, community=village)
    assert membership.state == Membership.State.REMOVED
    assert Sanction.objects.get().kind == "removal"


def test_a_suspension_deactivates_the_account_until_it_ends(
    general, staff, author, neighbour
):
    author.preferred_language = "en"
    author.save(update_fields=["preferred_language"])
    decision = services.case_decide(
        moderator=staff,
        case=_case(neighbour, author, general),
        data=_decision(sanction="suspension", days=7),
    )

    author.refresh_from_db()
    assert not author.is_active
    assert "Your account is suspended until" in decision.statement
    assert decision.sanction_days == 7
    assert sanctions.expire() == 0
    Sanction.objects.update(ends_at=timezone.now() - timedelta(minutes=1))
    assert sanctions.expire() == 1
    author.refresh_from_db()
    assert author.is_active


def test_strikes_count_until_they_expire_and_show_in_the_queue(
    client, general, organiser, author, neighbour
):
    case = _case(neighbour, author, general)
    services.case_decide(
        moderator=organiser, case=case, data=_decision(sanction="warning")
    )
    assert sanctions.strikes(author).count() == 1
    second = _case(neighbour, author, general)

    assert selectors.author_record(author)["strikes"] == 1
    client.force_login(organiser)
    page = client.get(reverse("moderation:case", kwargs={"pk": second.pk}))
    assert page.context["view"].author_record["strikes"] == 1
    Sanction.objects.update(strike_expires_at=timezone.now() - timedelta(days=1))
    assert sanctions.strikes(author).count() == 0


def test_an_upheld_appeal_lifts_the_strike_and_the_suspension(
    general, staff, author, neighbour, django_user_model
):
    decision = services.case_decide(
        moderator=staff,
        case=_case(neighbour, author, general),
        data=_decision(sanction="suspension", days=30),
    )
    appeal = services.appeal_submit(
        appellant=author, decision=decision, grounds="Det var ikke mig."
    )
    second = organiser_of(CommunityFactory(slug="raadhus"))
    second.user_permissions.add(*staff.user_permissions.all())
    second = django_user_model.objects.get(pk=second.pk)  # fresh permission cache

    services.appeal_decide(
        moderator=second, appeal=appeal, data=AppealInput(True, "En fejl.")
    )

    sanction = Sanction.objects.get()
    assert sanction.lifted_at is not None
    assert sanctions.strikes(author).count() == 0
    author.refresh_from_db()
    assert author.is_active
