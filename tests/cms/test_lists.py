"""A portal's news and event lists, the event page's map, and the portal page
that leads with what is happening."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cms import lists
from cms.models import EventPage, InformationPage, NewsPage
from tests.factories import MembershipFactory, UserFactory, member_of, organiser_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
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


def _event(parent, title, *, in_days=3, place="Forsamlingshuset") -> EventPage:
    start = timezone.now() + timedelta(days=in_days)
    return parent.add_child(
        instance=EventPage(
            title=title,
            start_at=start,
            end_at=start + timedelta(hours=2),
            place=place,
            description="<p>Alle er velkomne.</p>",
        )
    )


@pytest.fixture
def skovby(make_portal):
    return make_portal("skovby", name="Skovby", latitude=56.1710, longitude=9.5470)


# --- the news list


def test_a_portals_news_list_shows_its_news_newest_first(client, skovby, make_portal):
    _news(skovby, "Gammel nyhed", days_ago=5)
    _news(skovby, "Ny nyhed")
    _news(make_portal("havrum"), "Nyt fra Havrum")

    response = client.get(f"{skovby.url}news/")

    assert response.status_code == 200
    assert [p.title for p in response.context["items"]] == ["Ny nyhed", "Gammel nyhed"]
    assert "News from Skovby" in response.text
    assert "Nyt fra Havrum" not in response.text


def test_the_news_list_pages_ten_at_a_time(client, skovby):
    for n in range(lists.PER_PAGE + 2):
        _news(skovby, f"Nyhed {n:02}", days_ago=n)

    first = client.get(f"{skovby.url}news/")
    second = client.get(f"{skovby.url}news/?page=2")
    beyond = client.get(f"{skovby.url}news/?page=99")

    assert len(first.context["items"]) == lists.PER_PAGE
    assert 'href="?page=2"' in first.text
    assert [p.title for p in second.context["items"]] == ["Nyhed 10", "Nyhed 11"]
    assert beyond.context["page_obj"].number == 2


def test_an_empty_news_list_says_so_kindly(client, skovby):
    response = client.get(f"{skovby.url}news/")

    assert response.status_code == 200
    assert "No news yet" in response.text


def test_a_members_only_portals_lists_are_for_its_members(client, make_portal):
    club = make_portal("klubben", name="Klubben", visibility="members")
    _news(club, "Kun for medlemmer")

    as_visitor = client.get(f"{club.url}news/")
    client.force_login(UserFactory())
    as_stranger = client.get(f"{club.url}events/")
    client.force_login(member_of(club.community))
    as_member = client.get(f"{club.url}news/")

    assert as_visitor.status_code == 302
    assert "Kun for medlemmer" not in as_visitor.content.decode()
    assert as_stranger.status_code == 403
    assert as_member.status_code == 200
    assert "Kun for medlemmer" in as_member.text


def test_an_unpublished_portal_has_no_lists(client, skovby):
    skovby.unpublish()

    assert client.get(f"{skovby.url}news/").status_code == 404


# --- the event list


def test_a_portals_event_list_shows_what_is_coming_soonest_first(client, skovby):
    _event(skovby, "Om en uge", in_days=7)
    _event(skovby, "I morgen", in_days=1)
    _event(skovby, "Sidste år", in_days=-365)

    response = client.get(f"{skovby.url}events/")

    assert [o.event.title for o in response.context["items"]] == [
        "I morgen",
        "Om en uge",
    ]
    assert "Sidste år" not in response.text
    assert "Events in Skovby" in response.text
    # Each date links to its event's page where it has one.
    assert f'href="{EventPage.objects.get(title="I morgen").url}"' in response.text


def _series(portal, title, *, is_public=True):
    from agenda.services.events import EventFields, event_create

    start = timezone.now().replace(second=0, microsecond=0) + timedelta(days=1)
    return event_create(
        actor=organiser_of(portal.community),
        community=portal.community,
        fields=EventFields(
            title=title,
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            rrule="FREQ=WEEKLY;COUNT=3",
            is_public=is_public,
        ),
    )


def test_a_portals_event_list_shows_the_dates_of_its_calendar(client, skovby):
    # An event organised from the portal's calendar has no Wagtail page; its
    # dates are the portal's events all the same, each linking to the calendar.
    series = _series(skovby, "Træning")
    _event(skovby, "Fællesspisning", in_days=2)

    response = client.get(f"{skovby.url}events/")

    titles = [o.event.title for o in response.context["items"]]
    assert titles == ["Træning", "Fællesspisning", "Træning", "Træning"]
    assert (
        f'href="{series.occurrences.order_by("starts_at")[0].get_absolute_url()}"'
        in (response.text)
    )
    assert "?village=skovby" in response.text  # on to the municipal calendar


def test_a_portals_event_list_hides_members_only_events_from_visitors(client, skovby):
    _series(skovby, "Generalforsamling", is_public=False)

    as_visitor = client.get(f"{skovby.url}events/")
    client.force_login(member_of(skovby.community))
    as_member = client.get(f"{skovby.url}events/")

    assert "Generalforsamling" not in as_visitor.text
    assert "Nothing planned yet" in as_visitor.text
    assert [o.event.title for o in as_member.context["items"]] == [
        "Generalforsamling"
    ] * 3


def test_an_empty_event_list_says_so_kindly(client, skovby):
    response = client.get(f"{skovby.url}events/")

    assert "Nothing planned yet" in response.text


# --- the event page


def test_an_event_at_a_known_place_shows_it_on_a_map(client, skovby):
    event = _event(skovby, "Fællesspisning", place="Forsamlingshuset, Skovby")

    response = client.get(event.url)

    assert "Forsamlingshuset, Skovby" in response.text
    assert response.context["map_config"]["point"] == [56.1710, 9.5470]
    assert 'id="place-map"' in response.text
    assert 'id="place-map-config"' in response.text
    assert "js/map.js" in response.text


def test_an_event_at_typed_coordinates_shows_them_on_a_map(client, skovby):
    event = _event(skovby, "Skt. Hans", place="56.2001, 9.6002")

    response = client.get(event.url)

    assert response.context["map_config"]["point"] == [56.2001, 9.6002]


def test_an_event_at_an_unknown_place_shows_the_address_without_a_map(client, skovby):
    event = _event(skovby, "Loppemarked", place="Bag laden")

    response = client.get(event.url)

    assert "Bag laden" in response.text
    assert "map_config" not in response.context
    assert 'id="place-map"' not in response.text
    assert "leaflet.js" not in response.text


# --- the portal page leads with what is happening


def test_the_portal_page_shows_coming_events_and_news_before_the_rest(client, skovby):
    _event(skovby, "Fællesspisning")
    _news(skovby, "Sommerfest")
    skovby.add_child(instance=InformationPage(title="Åbningstider"))

    response = client.get(skovby.url)

    text = response.text
    assert text.index("Fællesspisning") < text.index("Sommerfest")
    assert text.index("Sommerfest") < text.index("Åbningstider")
    assert f'href="{skovby.url}events/"' in text
    assert f'href="{skovby.url}news/"' in text


# --- query counts


# Measured. A visitor: Wagtail's site, the route (the hub and its type, the
# section passed through, the portal with its community and member count: 4), the
# view restrictions (2), and the list's count and page.
LIST_QUERIES = 9


@pytest.mark.parametrize("items", [1, 12])
@pytest.mark.parametrize("name", ["news", "events"])
def test_a_list_makes_the_same_queries_however_long(
    client, skovby, django_assert_num_queries, items, name
):
    for n in range(items):
        _news(skovby, f"Nyhed {n}", days_ago=n)
        _event(skovby, f"Begivenhed {n}", in_days=n + 1)
    MembershipFactory.create_batch(items, community=skovby.community)
    client.get(f"{skovby.url}{name}/")

    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(f"{skovby.url}{name}/")

    assert len(response.context["items"]) == min(items, lists.PER_PAGE)


# The page in a portal's queries (tests/cms/test_pages.py), and the map costs none.
EVENT_PAGE_QUERIES = 10


@pytest.mark.parametrize("place", ["Forsamlingshuset, Skovby", "Bag laden"])
def test_the_event_page_makes_the_same_queries_with_or_without_a_map(
    client, skovby, django_assert_num_queries, place
):
    event = _event(skovby, "Fællesspisning", place=place)
    client.get(event.url)

    with django_assert_num_queries(EVENT_PAGE_QUERIES):
        response = client.get(event.url)

    assert response.status_code == 200
