"""Trust levels: a new account posts no links, writes directly only to
organisers, and has daily limits, until its days are up or an organiser vouches
for it; strikes make an account new again."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from hub.errors import RateLimited
from marketplace.models import Listing
from messaging import services as messaging
from messaging.models import Conversation, Message
from moderation import services, trust
from moderation.models import Sanction, Vouch
from moderation.sanctions import Restricted
from tests.factories import UserFactory, member_of, organiser_of
from tests.helpers import make_listing, send

pytestmark = pytest.mark.django_db


@pytest.fixture
def newcomer(village):
    return member_of(village, user=UserFactory(date_joined=timezone.now()))


def test_a_new_account_posts_no_links_but_an_established_one_does(
    village, general, newcomer
):
    established = member_of(village)

    with pytest.raises(Restricted) as refused:
        send(newcomer, general, "Se mere på www.example.com")
    assert refused.value.field == "body"
    send(newcomer, general, "Hej alle sammen, jeg er ny her")
    send(established, general, "Se mere på https://example.org")

    bodies = list(Message.objects.values_list("body", flat=True))
    assert "Se mere på www.example.com" not in bodies
    assert "Se mere på https://example.org" in bodies


def test_a_new_account_writes_directly_only_to_organisers(village, newcomer):
    organiser = organiser_of(village)
    neighbour = member_of(village)

    with pytest.raises(Restricted):
        messaging.direct_start(actor=newcomer, others=[neighbour])
    conversation = messaging.direct_start(actor=newcomer, others=[organiser])

    assert conversation.kind == Conversation.Kind.DIRECT
    assert Conversation.objects.filter(kind="direct").count() == 1


def test_a_new_account_has_a_daily_limit_on_listings(village, newcomer):
    for n in range(3):
        make_listing(newcomer, communities=[village], title=f"Tilbud {n}")

    with pytest.raises(RateLimited):
        make_listing(newcomer, communities=[village], title="Det fjerde")
    assert Listing.objects.filter(author=newcomer).count() == 3


def test_an_organisers_vouch_trusts_a_new_member_at_once(client, village, newcomer):
    organiser = organiser_of(village)
    neighbour = member_of(village)
    client.force_login(neighbour)
    url = reverse("moderation:vouch", args=[village.slug, newcomer.pk])

    client.post(url)  # a member cannot vouch
    assert not Vouch.objects.exists()
    client.force_login(organiser)
    client.post(url)

    assert Vouch.objects.get().by == organiser
    assert trust.level(newcomer, strikes=False) == trust.Level.MEMBER
    send(newcomer, messaging.channel_ensure_general(community=village), "www.a.dk")


def test_strikes_make_an_established_account_new_again(village, general):
    member = member_of(village)
    Sanction.objects.create(
        user=member,
        kind=Sanction.Kind.WARNING,
        strike_expires_at=timezone.now() + timedelta(days=30),
    )

    assert trust.level(member, strikes=True) == trust.Level.LOWERED
    with pytest.raises(Restricted):
        send(member, general, "Køb på www.example.com")


def test_vouching_for_someone_outside_the_space_is_refused(village):
    organiser = organiser_of(village)
    stranger = UserFactory(date_joined=timezone.now())

    with pytest.raises(services.ModerationError):
        services.member_vouch(organiser=organiser, community=village, user=stranger)
    assert not Vouch.objects.exists()


def test_organisers_see_new_accounts_and_strikes_on_the_members_page(
    client, village, newcomer
):
    organiser = organiser_of(village)
    struck = member_of(village)
    Sanction.objects.create(
        user=struck,
        kind=Sanction.Kind.WARNING,
        strike_expires_at=timezone.now() + timedelta(days=30),
    )
    client.force_login(organiser)
    url = reverse("communities:members", args=[village.slug])
    vouch = reverse("moderation:vouch", args=[village.slug, newcomer.pk])

    before = client.get(url)
    client.post(vouch)
    after = client.get(url)

    rows = {m.user_id: m.standing for m in before.context["members"]}
    assert rows[newcomer.pk]["new"] is True
    assert rows[struck.pk]["strikes"] == 1
    assert vouch in before.content.decode()
    assert vouch not in after.content.decode()
    assert {m.user_id: m.standing for m in after.context["members"]}[newcomer.pk][
        "vouched"
    ]
    client.force_login(struck)  # a member sees none of it
    assert vouch not in client.get(url).content.decode()
