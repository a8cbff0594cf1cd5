"""The hub home: a resident's own home when logged in, "how it works" for a
visitor."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cms.models import EventPage, NewsPage
from communities.models import Community, Membership
from marketplace import services as marketplace_services
from marketplace.models import Listing
from messaging import services as messaging_services
from tests.factories import (
    CommunityFactory,
    MembershipFactory,
    UserFactory,
    member_of,
    organiser_of,
)
from tests.helpers import make_listing, send, session_queries

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    """Assertions read the English source strings, whatever translations exist."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def _news(parent, title, *, days_ago=0) -> NewsPage:
    return parent.add_child(
        instance=NewsPage(
            title=title, date=timezone.localdate() - timedelta(days=days_ago)
        )
    )


def _event(parent, title, *, in_days=3) -> EventPage:
    start = timezone.now() + timedelta(days=in_days)
    return parent.add_child(
        instance=EventPage(
            title=title,
            start_at=start,
            end_at=start + timedelta(hours=2),
            place="Forsamlingshuset",
            description="<p>Alle er velkomne.</p>",
        )
    )


def _section(response, heading_id: str) -> str:
    """The HTML of the home's section labelled by ``heading_id``."""
    text = response.text
    start = text.index(f'aria-labelledby="{heading_id}"')
    end = text.find("</section>", start)
    return text[start:end]


@pytest.fixture
def skovby(make_portal):
    return make_portal("skovby", name="Skovby")


@pytest.fixture
def resident(skovby):
    user = UserFactory(display_name="Karen")
    MembershipFactory(community=skovby.community, user=user)
    user.home_community = skovby.community
    user.save(update_fields=["home_community"])
    return user


# --- a visitor


def test_a_visitor_sees_how_it_works_above_the_portals(client, hub, skovby):
    response = client.get("/")

    text = response.text
    assert response.status_code == 200
    how = _section(response, "how-heading")
    for words in (
        "Ask for or offer help nearby",
        "Join your village and associations",
        "Talk and take part",
    ):
        assert words in how
    assert text.index('id="how-heading"') < text.index('id="portals-heading"')
    assert reverse("account_signup") in text
    assert "home" not in response.context


# --- what is new in her villages and associations


def test_a_resident_sees_the_news_and_events_of_her_own_portals(
    client, hub, skovby, resident, make_portal
):
    havrum = make_portal("havrum", name="Havrum")
    _news(skovby, "Sommerfest i Skovby")
    _event(skovby, "Fællesspisning")
    _news(havrum, "Nyt fra Havrum")
    _event(havrum, "Havrum loppemarked")
    client.force_login(resident)

    response = client.get("/")

    new = _section(response, "mine-heading")
    assert "Sommerfest i Skovby" in new
    assert "Fællesspisning" in new
    assert "Nyt fra Havrum" not in new
    assert "Havrum loppemarked" not in new
    assert skovby.url in new


def test_a_resident_without_villages_is_shown_where_to_join(client, hub, skovby):
    client.force_login(UserFactory())

    response = client.get("/")

    new = _section(response, "mine-heading")
    assert "You have not joined a village or an association yet" in new
    assert reverse("communities:mine") in new or "#portals-heading" in new


def test_a_resident_whose_portals_are_quiet_is_told_so(client, hub, resident):
    client.force_login(resident)

    response = client.get("/")

    new = _section(response, "mine-heading")
    assert "No news or events in your villages and associations yet" in new


# --- listings near her


def test_a_resident_sees_open_listings_near_her_village(client, hub, skovby, resident):
    neighbour = member_of(skovby.community)
    make_listing(neighbour, communities=[skovby.community], title="Hjælp i haven")
    client.force_login(resident)

    response = client.get("/")

    near = _section(response, "near-heading")
    assert "Hjælp i haven" in near
    assert reverse("marketplace:list") in near


def test_listings_of_a_members_only_club_stay_hidden_from_others(
    client, hub, skovby, resident
):
    club = CommunityFactory(
        name="Seniorklubben", visibility=Community.Visibility.MEMBERS
    )
    make_listing(member_of(club), communities=[club], title="Kun for klubben")
    client.force_login(resident)

    response = client.get("/")

    assert "Kun for klubben" not in _section(response, "near-heading")


def test_a_resident_with_no_listings_near_is_invited_to_post_one(client, hub, resident):
    client.force_login(resident)

    response = client.get("/")

    near = _section(response, "near-heading")
    assert "Nothing open near you right now" in near
    assert reverse("marketplace:create") in near


# --- messages waiting


def test_a_resident_sees_how_many_conversations_wait_and_the_latest(
    client, hub, skovby, resident
):
    neighbour = member_of(skovby.community)
    conversation = messaging_services.direct_start(actor=neighbour, others=[resident])
    send(neighbour, conversation, "Kan du hjælpe mig i morgen?")
    client.force_login(resident)

    response = client.get("/")

    messages = _section(response, "messages-heading")
    assert response.context["home"].unread_count == 1
    assert conversation.get_absolute_url() in messages
    assert neighbour.public_name in messages
    assert reverse("messaging:inbox") in messages


def test_a_resident_with_everything_read_is_told_nothing_waits(client, hub, resident):
    client.force_login(resident)

    response = client.get("/")

    assert "No unread messages" in _section(response, "messages-heading")


# --- what waits for her answer


def test_answers_and_booking_requests_to_her_listings_wait_for_her(
    client, hub, skovby, resident
):
    listing = make_listing(resident, communities=[skovby.community])
    trailer = make_listing(
        resident,
        communities=[skovby.community],
        kind=Listing.Kind.LEND,
        title="Trailer",
        category="transport",
    )
    neighbour = member_of(skovby.community)
    marketplace_services.response_create(
        responder=neighbour, listing=listing, message="Jeg kan hjælpe"
    )
    start = timezone.localdate() + timedelta(days=3)
    marketplace_services.booking_request(
        borrower=neighbour, listing=trailer, starts_on=start, ends_on=start
    )
    client.force_login(resident)

    response = client.get("/")

    waiting = _section(response, "waiting-heading")
    assert "1 answer to your listings" in waiting
    assert "1 request to borrow" in waiting
    assert reverse("marketplace:mine") in waiting


def test_an_invitation_waits_for_the_person_invited(client, hub, make_portal):
    club = make_portal("klubben", name="Klubben", kind="association")
    invitee = MembershipFactory(
        community=club.community, state=Membership.State.INVITED
    ).user
    client.force_login(invitee)

    response = client.get("/")

    waiting = _section(response, "waiting-heading")
    assert "Klubben has invited you" in waiting
    assert reverse("communities:mine") in waiting


def test_requests_to_join_wait_for_the_organiser_only(client, hub, skovby):
    organiser = organiser_of(skovby.community)
    member = member_of(skovby.community)
    MembershipFactory(community=skovby.community, state=Membership.State.REQUESTED)
    members_url = reverse("communities:members", args=[skovby.community.slug])

    client.force_login(organiser)
    for_organiser = _section(client.get("/"), "waiting-heading")
    client.force_login(member)
    for_member = _section(client.get("/"), "waiting-heading")

    assert "1 request to join Skovby" in for_organiser
    assert members_url in for_organiser
    assert members_url not in for_member


def test_a_shared_channel_waits_for_the_organisers_answer(
    client, hub, skovby, make_portal
):
    havrum = make_portal("havrum", name="Havrum")
    organiser = organiser_of(skovby.community)
    messaging_services.channel_create(
        actor=organiser_of(havrum.community),
        community=havrum.community,
        title="Fælles busser",
        shared_with=[skovby.community],
    )
    client.force_login(organiser)

    response = client.get("/")

    waiting = _section(response, "waiting-heading")
    assert "Fælles busser" in waiting
    assert reverse("messaging:channels", args=["skovby"]) in waiting


def test_nothing_waiting_is_said_kindly(client, hub, resident):
    client.force_login(resident)

    response = client.get("/")

    assert "Nothing waits for your answer" in _section(response, "waiting-heading")
    assert response.context["home"].waiting.total == 0


# --- query counts


def _busy_resident(hub, make_portal, n: int):
    """A resident of ``n`` portals, each with ``n`` news items, events and open
    listings, ``n`` unread conversations and ``n`` of each thing to answer."""
    user = UserFactory(display_name="Karen")
    organised = []
    for i in range(n):
        portal = make_portal(f"by-{i}", name=f"By {i}")
        community = portal.community
        MembershipFactory(
            community=community, user=user, role=Membership.Role.ORGANISER
        )
        organised.append(community)
        neighbour = member_of(community)
        MembershipFactory(community=community, state=Membership.State.REQUESTED)
        for j in range(n):
            _news(portal, f"Nyhed {i}.{j}", days_ago=j)
            _event(portal, f"Begivenhed {i}.{j}", in_days=j + 1)
            make_listing(neighbour, communities=[community], title=f"Opslag {i}.{j}")
        send(
            neighbour,
            messaging_services.direct_start(actor=neighbour, others=[user]),
            "Hej",
        )
        listing = make_listing(user, communities=[community], title=f"Mit {i}")
        marketplace_services.response_create(
            responder=neighbour, listing=listing, message="Jeg kan"
        )
    user.home_community = organised[0]
    user.save(update_fields=["home_community"])
    club = make_portal("klub", name="Klub", kind="association")
    MembershipFactory(community=club.community, user=user, state="invited")
    messaging_services.channel_create(
        actor=organiser_of(club.community),
        community=club.community,
        title="Fælles",
        shared_with=organised,
    )
    return user


# Measured. The hub home for a member (16 and the session, see test_pages), her
# home village's centre for the portal list and her own sections (14): her
# memberships, her home village's centre again (the marketplace's "near me"), her
# portals' news and events (2), the listings near her (count, order and cards: 3),
# the unread conversations (count, page, participants and their people: 4), her
# listings' answers and bookings, requests to join where she organises and
# channels shared with her communities.
PERSONAL_HOME_QUERIES = 16 + session_queries() + 1 + 14


@pytest.mark.parametrize("n", [1, 4])
def test_the_personal_home_makes_the_same_queries_however_much_waits(
    client, hub, make_portal, django_assert_num_queries, n
):
    user = _busy_resident(hub, make_portal, n)
    client.force_login(user)
    client.get("/")

    with django_assert_num_queries(PERSONAL_HOME_QUERIES):
        response = client.get("/")

    home = response.context["home"]
    assert len(home.my_portals) == n
    assert len(home.news) == min(n * n, 4)
    assert home.unread_count == n
    assert home.waiting.total == n + n + 1 + n
