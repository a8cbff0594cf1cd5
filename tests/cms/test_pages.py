from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from cms import services
from cms.models import EventPage, InformationPage, NewsPage, PortalPage
from communities.models import Membership
from communities.selectors import is_active_member
from tests.factories import MembershipFactory, UserFactory, member_of, organiser_of
from tests.helpers import session_queries

pytestmark = pytest.mark.django_db

MEMBERS_ONLY = "members"


def _news(parent, title, *, days_ago=0, **kwargs) -> NewsPage:
    return parent.add_child(
        instance=NewsPage(
            title=title, date=timezone.localdate() - timedelta(days=days_ago), **kwargs
        )
    )


def _event(parent, title, *, in_days=3, hours=2, **kwargs) -> EventPage:
    start = timezone.now() + timedelta(days=in_days)
    kwargs.setdefault("place", "Forsamlingshuset")
    kwargs.setdefault("description", "<p>Alle er velkomne.</p>")
    return parent.add_child(
        instance=EventPage(
            title=title, start_at=start, end_at=start + timedelta(hours=hours), **kwargs
        )
    )


def _info(parent, title, **kwargs) -> InformationPage:
    return parent.add_child(instance=InformationPage(title=title, **kwargs))


# --- every page type renders


def test_the_hub_home_lists_portals_news_and_events(client, hub, make_portal):
    skovby = make_portal("skovby", name="Skovby")
    _news(hub, "Ny genbrugsplads åbner")
    _news(skovby, "Sommerfest i Skovby")
    _event(skovby, "Fællesspisning")

    response = client.get("/")

    assert response.status_code == 200
    for text in ("Skovby", "Ny genbrugsplads åbner", "Sommerfest i Skovby"):
        assert text in response.text
    assert "Fællesspisning" in response.text


def test_the_hub_home_leaves_out_events_that_are_over(client, hub):
    _event(hub, "Sidste års julemarked", in_days=-400)

    response = client.get("/")

    assert "Sidste års julemarked" not in response.text


def test_a_portal_index_lists_its_portals(client, make_portal, villages):
    make_portal("skovby", name="Skovby")
    make_portal("havrum", name="Havrum")

    response = client.get(villages.url)

    assert response.status_code == 200
    assert [p.title for p in response.context["portals"]] == ["Havrum", "Skovby"]


def test_a_portal_shows_its_news_events_information_and_members_count(
    client, make_portal
):
    portal = make_portal("skovby", name="Skovby")
    MembershipFactory.create_batch(3, community=portal.community)
    MembershipFactory(community=portal.community, state=Membership.State.REQUESTED)
    _news(portal, "Nyt tag på forsamlingshuset")
    _event(portal, "Arbejdsdag i skoven")
    _info(portal, "Leje af forsamlingshuset")

    response = client.get("/villages/skovby/")

    assert response.status_code == 200
    assert response.context["members_count"] == 3
    for text in (
        "Nyt tag på forsamlingshuset",
        "Arbejdsdag i skoven",
        "Leje af forsamlingshuset",
    ):
        assert text in response.text


def test_a_portal_news_page_renders_with_its_portal(client, make_portal):
    portal = make_portal("skovby", name="Skovby")
    news = _news(
        portal,
        "Vejarbejde på Skovvej",
        intro="Skovvej er lukket i uge 12.",
        body=[("heading", "Omkørsel"), ("paragraph", "<p>Kør via Egevej.</p>")],
    )

    response = client.get(news.url)

    assert response.status_code == 200
    assert response.context["portal"] == portal
    for text in ("Vejarbejde på Skovvej", "Skovvej er lukket", "Omkørsel", "Egevej"):
        assert text in response.text


def test_an_event_page_shows_when_and_where(client, hub):
    event = _event(hub, "Borgermøde om cykelstien", place="Rådhuset, sal 2")

    response = client.get(event.url)

    assert response.status_code == 200
    assert "Borgermøde om cykelstien" in response.text
    assert "Rådhuset, sal 2" in response.text
    assert timezone.localtime(event.start_at).isoformat()[:16] in response.text


def test_an_information_page_shows_its_body_and_subpages(client, make_portal):
    portal = make_portal("skovby")
    info = _info(
        portal,
        "Forsamlingshuset",
        intro="Sådan lejer du huset.",
        body=[("paragraph", "<p>Ring til Karen.</p>")],
    )
    _info(info, "Husorden")

    response = client.get(info.url)

    assert response.status_code == 200
    for text in ("Sådan lejer du huset.", "Ring til Karen.", "Husorden"):
        assert text in response.text


def test_user_content_in_page_fields_is_escaped(client, make_portal):
    portal = make_portal("skovby")
    news = _news(portal, "<script>alert(1)</script>", intro="<b>fed</b>")

    response = client.get(news.url)

    assert "<script>alert(1)</script>" not in response.text
    assert "&lt;b&gt;fed&lt;/b&gt;" in response.text


# --- members-only portals


def test_a_members_only_portal_sends_visitors_to_log_in(client, make_portal):
    portal = make_portal("skovby", visibility=MEMBERS_ONLY)

    response = client.get(portal.url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_a_members_only_portal_is_refused_to_logged_in_strangers(client, make_portal):
    portal = make_portal("skovby", visibility=MEMBERS_ONLY)
    news = _news(portal, "Hemmelig generalforsamling")
    client.force_login(UserFactory())

    responses = [client.get(portal.url), client.get(news.url)]

    assert [r.status_code for r in responses] == [403, 403]
    assert all("Hemmelig generalforsamling" not in r.text for r in responses)


def test_pages_below_a_members_only_portal_are_hidden_from_visitors(
    client, make_portal
):
    portal = make_portal("skovby", visibility=MEMBERS_ONLY)
    info = _info(portal, "Nøgleboks")
    deeper = _info(info, "Koden til nøgleboksen")

    response = client.get(deeper.url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_a_members_only_portal_is_shown_to_its_members(client, make_portal):
    portal = make_portal("skovby", visibility=MEMBERS_ONLY)
    news = _news(portal, "Hemmelig generalforsamling")
    client.force_login(member_of(portal.community))

    responses = [client.get(portal.url), client.get(news.url)]

    assert [r.status_code for r in responses] == [200, 200]


def test_members_only_news_and_events_stay_off_the_hub_for_others(
    client, hub, make_portal
):
    portal = make_portal("skovby", visibility=MEMBERS_ONLY)
    _news(portal, "Hemmelig nyhed")
    _event(portal, "Hemmeligt møde")
    _news(hub, "Offentlig nyhed")
    client.force_login(UserFactory())

    response = client.get("/")

    assert "Offentlig nyhed" in response.text
    assert "Hemmelig nyhed" not in response.text
    assert "Hemmeligt møde" not in response.text


def test_members_see_their_members_only_news_on_the_hub(client, hub, make_portal):
    portal = make_portal("skovby", visibility=MEMBERS_ONLY)
    _news(portal, "Hemmelig nyhed")
    _event(portal, "Hemmeligt møde")
    client.force_login(member_of(portal.community))

    response = client.get("/")

    assert "Hemmelig nyhed" in response.text
    assert "Hemmeligt møde" in response.text


# --- theme colour


def test_a_readable_theme_colour_is_applied(client, make_portal):
    portal = make_portal("skovby", theme_colour="#1d4e89")

    response = client.get(portal.url)

    assert "#1d4e89" in response.text


def test_an_unreadable_theme_colour_is_not_applied(client, make_portal):
    portal = make_portal("skovby")
    PortalPage.objects.filter(pk=portal.pk).update(theme_colour="#ffff00")

    response = client.get(portal.url)

    assert "#ffff00" not in response.text


def test_an_unreadable_theme_colour_is_refused_by_the_editor(make_portal):
    portal = make_portal("skovby")
    portal.theme_colour = "#a0d8ef"

    with pytest.raises(ValidationError) as error:
        portal.full_clean()

    assert "theme_colour" in error.value.message_dict


def test_an_event_cannot_end_before_it_starts(hub):
    start = timezone.now() + timedelta(days=2)
    event = EventPage(
        title="Baglæns",
        slug="baglaens",
        start_at=start,
        end_at=start - timedelta(hours=1),
        place="Hallen",
        description="<p>x</p>",
    )

    with pytest.raises(ValidationError) as error:
        hub.add_child(instance=event)

    assert "end_at" in error.value.message_dict
    assert not EventPage.objects.exists()


# --- where a portal is served


def test_a_portal_is_served_under_the_hub_path(client, make_portal):
    make_portal("skovby", name="Skovby", hostname="skovby.example.dk")

    response = client.get("/villages/skovby/")

    assert response.status_code == 200
    assert response.context["page"].title == "Skovby"


def test_a_portal_is_served_on_its_own_host_name(client, make_portal):
    portal = make_portal("skovby", name="Skovby", hostname="skovby.example.dk")
    news = _news(portal, "Nyt fra Skovby")

    home = client.get("/", HTTP_HOST="skovby.example.dk")
    child = client.get("/" + news.slug + "/", HTTP_HOST="skovby.example.dk")

    assert home.status_code == 200
    assert home.context["page"].specific == portal
    assert child.status_code == 200
    assert child.context["page"].title == "Nyt fra Skovby"


def test_links_to_a_portal_with_its_own_host_name_stay_on_the_hub(client, make_portal):
    portal = make_portal("skovby", name="Skovby", hostname="skovby.example.dk")
    news = _news(portal, "Nyt fra Skovby")

    home = client.get("/")
    section = client.get("/villages/")
    detail = client.get(reverse("communities:detail", args=["skovby"]))
    article = client.get("/villages/skovby/" + news.slug + "/")

    for response in (home, section, article):
        assert 'href="/villages/skovby/"' in response.text
        assert "skovby.example.dk" not in response.text
    assert 'href="/villages/skovby/nyt-fra-skovby/"' in home.text
    assert detail["Location"] == "/villages/skovby/"


def test_a_portal_on_its_own_host_name_links_back_to_the_hub(client, make_portal):
    portal = make_portal("skovby", name="Skovby", hostname="skovby.example.dk")
    news = _news(portal, "Nyt fra Skovby")

    home = client.get("/", HTTP_HOST="skovby.example.dk")
    article = client.get("/" + news.slug + "/", HTTP_HOST="skovby.example.dk")

    for response in (home, article):
        assert 'class="hub-link" href="http://testserver/"' in response.text


def test_a_portal_under_the_hub_needs_no_link_back_to_it(client, make_portal):
    make_portal("skovby", name="Skovby")

    response = client.get("/villages/skovby/")

    assert 'class="hub-link"' not in response.text


# --- the header's "Edit pages"


def _header(response) -> str:
    return response.text.split("</header>", 1)[0]


def test_edit_pages_is_shown_to_an_organiser_who_edits_the_portal(client, make_portal):
    portal = make_portal("skovby")
    client.force_login(organiser_of(portal.community))

    response = client.get("/")

    assert f'href="{reverse("wagtailadmin_home")}"' in _header(response)


def test_edit_pages_is_shown_to_municipal_staff_with_page_rights(client, hub):
    moderator = UserFactory(is_staff=True)
    moderator.groups.add(services.municipal_staff_group_ensure())
    client.force_login(moderator)

    response = client.get("/")

    assert f'href="{reverse("wagtailadmin_home")}"' in _header(response)


def test_edit_pages_is_hidden_from_people_who_cannot_edit_any_page(client, hub):
    in_a_group = UserFactory()
    in_a_group.groups.add(Group.objects.create(name="Nyhedsbrev"))
    staff_flag_only = UserFactory(is_staff=True)
    headers = []

    for person in (in_a_group, staff_flag_only):
        client.force_login(person)
        headers.append(_header(client.get("/")))

    assert all(reverse("wagtailadmin_home") not in header for header in headers)


# --- query counts


def _busy_hub(hub, make_portal, portals: int, items: int = 1) -> list[PortalPage]:
    """``portals`` portals, each with ``items`` news items, events, information
    pages and members (the members besides whoever a test adds)."""
    made = []
    for n in range(portals):
        portal = make_portal(f"landsby-{n}", name=f"Landsby {n}")
        MembershipFactory.create_batch(items, community=portal.community)
        for i in range(items):
            _news(portal, f"Nyhed {n}.{i}", days_ago=i)
            _event(portal, f"Begivenhed {n}.{i}", in_days=n + i + 1)
            _info(portal, f"Information {n}.{i}")
        made.append(portal)
    return made


# Measured. A visitor: Wagtail's site, the route (hub, hub as its page type, the
# section passed through, the portal with its community and member count), the
# view restrictions (2), then the hub's privacy paths or the portal's news, events
# and information pages, and for the hub the portals. Logged in adds the user, the
# session (without Redis), the member's rights (2 permission queries, and her
# communities or her membership) and the header (3: unseen alerts, unread
# messages, page-editing rights). None grows with the number of portals, news,
# events or members. A member's hub home is her own (tests/cms/test_home.py): for
# one with no home village and nothing waiting, 10 more (her memberships, her
# portals' news and events, the newest listings' count, page and cards, her unread
# conversations' count and page, answers to her listings, requests to join and
# shared channels where she organises).
HUB_HOME_QUERIES = 9
HUB_HOME_MEMBER_QUERIES = 16 + session_queries() + 10
PORTAL_QUERIES = 10
PORTAL_MEMBER_QUERIES = 17 + session_queries()


@pytest.mark.parametrize("portals", [1, 10])
def test_the_hub_home_makes_the_same_few_queries_however_many_portals(
    client, hub, make_portal, django_assert_num_queries, portals
):
    _busy_hub(hub, make_portal, portals=portals)
    _news(hub, "Kommunen informerer")
    client.get("/")  # warm Wagtail's site cache, as on a running server

    with django_assert_num_queries(HUB_HOME_QUERIES):
        response = client.get("/")

    assert len(response.context["portals"]) == portals
    assert len(response.context["news"]) == min(portals + 1, 6)


@pytest.mark.parametrize("portals", [1, 10])
def test_the_hub_home_for_a_member_makes_the_same_few_queries(
    client, hub, make_portal, django_assert_num_queries, portals
):
    made = _busy_hub(hub, make_portal, portals=portals + 1)
    made[0].community.visibility = MEMBERS_ONLY
    made[0].community.save()
    client.force_login(member_of(made[1].community))
    client.get("/")

    with django_assert_num_queries(HUB_HOME_MEMBER_QUERIES):
        response = client.get("/")

    assert response.status_code == 200
    assert len(response.context["portals"]) == portals + 1


@pytest.mark.parametrize("items", [1, 10])
def test_a_portal_page_makes_ten_queries_for_a_visitor_however_much_it_holds(
    client, hub, make_portal, django_assert_num_queries, items
):
    portal = _busy_hub(hub, make_portal, portals=1, items=items)[0]
    client.get(portal.url)

    with django_assert_num_queries(PORTAL_QUERIES):
        response = client.get(portal.url)

    assert response.status_code == 200
    assert len(response.context["news"]) == min(items, 5)
    assert len(response.context["events"]) == min(items, 5)
    assert len(response.context["info_pages"]) == items
    assert response.context["members_count"] == items


@pytest.mark.parametrize("items", [1, 10])
def test_a_portal_page_makes_the_same_queries_for_a_member_however_much_it_holds(
    client, hub, make_portal, django_assert_num_queries, items
):
    portal = _busy_hub(hub, make_portal, portals=1, items=items)[0]
    client.force_login(member_of(portal.community))
    client.get(portal.url)

    with django_assert_num_queries(PORTAL_MEMBER_QUERIES):
        response = client.get(portal.url)

    assert response.context["membership"].state == Membership.State.ACTIVE
    assert response.context["members_count"] == items + 1


def test_joining_from_the_portal_page_returns_to_it(client, make_portal):
    portal = make_portal("skovby")
    user = UserFactory()
    client.force_login(user)

    response = client.post(
        reverse("communities:join", args=["skovby"]), {"next": portal.url}
    )

    assert response["Location"] == portal.url
    assert is_active_member(user=user, community=portal.community)


def test_an_invited_person_can_accept_on_a_members_only_portal(client, make_portal):
    portal = make_portal("klubben", visibility=MEMBERS_ONLY, join_policy="invitation")
    invitee = MembershipFactory(
        community=portal.community, state=Membership.State.INVITED
    ).user
    client.force_login(invitee)

    response = client.get(portal.url)

    assert response.status_code == 403
    assert reverse("communities:join", args=["klubben"]) in response.text


# A visitor on a page inside a portal: the site, the route (hub and its type, the
# section and the portal passed through, the page and its type), the view
# restrictions (2) and the portal it belongs to.
PAGE_IN_PORTAL_QUERIES = 10


@pytest.mark.parametrize("make", [_news, _event, _info])
def test_a_page_inside_a_portal_makes_a_fixed_number_of_queries_for_a_visitor(
    client, hub, make_portal, django_assert_num_queries, make
):
    portal = _busy_hub(hub, make_portal, portals=1, items=3)[0]
    page = make(portal, "Læs mere")
    client.get(page.url)

    with django_assert_num_queries(PAGE_IN_PORTAL_QUERIES):
        response = client.get(page.url)

    assert response.context["portal"].pk == portal.pk


@pytest.mark.parametrize("portals", [1, 6])
def test_a_portal_section_makes_the_same_queries_however_many_portals(
    client, hub, make_portal, villages, django_assert_num_queries, portals
):
    _busy_hub(hub, make_portal, portals=portals)
    client.get(villages.url)

    # The site, the route (4), the view restrictions (2) and the portals.
    with django_assert_num_queries(8):
        response = client.get(villages.url)

    assert len(response.context["portals"]) == portals
