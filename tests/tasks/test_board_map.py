"""The contractor's board on a map (``?view=map``): the switch between list
and map that keeps the days shown, the map's data (exactly the days' sites
with a position, their tasks and how many wait for the contractor, nothing of
another firm's agreements, escaped so no title breaks out of its script), the
list by site that works without scripts, the sites not on the map, the club's
board without a map, and the exact query count. Also that the card's words,
worked out in Python (tasks/cards.py), are the words the task page's
includes say."""

import json
import re

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from agenda.models import Facility
from communities.models import Community
from tasks.cards import STATE_COLOUR, Waiting, waiting_words
from tasks.models import Side, Task
from tasks.services import agreements, work
from tests.factories import CommunityFactory, organiser_of
from tests.helpers import session_queries
from tests.tasks.conftest import at, confirmed, da, proposed

pytestmark = pytest.mark.django_db


def _url(community: Community, **query) -> str:
    url = reverse("tasks:board", args=[community.slug])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def _href(community: Community, **query) -> str:
    """The board's address as a link on the page writes it."""
    return 'href="' + _url(community, **query).replace("&", "&amp;") + '"'


def _config(page: str) -> dict:
    found = re.search(
        r'<script id="board-map-config" type="application/json">(.*?)</script>',
        page,
        re.S,
    )
    assert found, "no map data on the page"
    return json.loads(found.group(1))


def _task(agreement, actor, site, title, **fields):
    values = {
        "title": title,
        "kind": "mowing",
        "site": site,
        "window_from": at(1, 6),
        "window_until": at(5, 20),
    }
    values.update(fields)
    return work.task_create(
        actor=actor, agreement=agreement, fields=work.TaskFields(**values)
    )


@pytest.fixture
def placed_pitch(pitch):
    pitch.latitude, pitch.longitude = 56.17, 9.55
    pitch.address = "Stadionvej 1, Skovby"
    pitch.save()
    return pitch


@pytest.fixture
def hall_club(db):
    return CommunityFactory(
        name="Bakkely Håndbold", slug="bakkely-hb", kind=Community.Kind.ASSOCIATION
    )


@pytest.fixture
def hall_organiser(hall_club):
    return organiser_of(hall_club)


@pytest.fixture
def lawn(village) -> Facility:
    """A second club's site, with a position."""
    return Facility.objects.create(
        name="Bakkely, græsplænen",
        slug="bakkely-plaenen",
        kind=Facility.Kind.NATURAL_GRASS,
        village=village,
        address="Bakkevej 3",
        latitude=56.2,
        longitude=9.6,
    )


@pytest.fixture
def field_without_position(village) -> Facility:
    return Facility.objects.create(
        name="Overdrevet",
        slug="overdrevet",
        kind=Facility.Kind.NATURAL_GRASS,
        village=village,
        address="Markvej 9",
    )


def _agreement(organiser, client, firm, firm_organiser, sites, title):
    invited = agreements.agreement_invite(
        actor=organiser,
        client=client,
        contractor=firm,
        title=title,
        sites=sites,
        work_kinds=["mowing"],
    )
    return agreements.agreement_answer(
        actor=firm_organiser, agreement=invited, accept=True
    )


@pytest.fixture
def hall_agreement(hall_organiser, hall_club, firm, firm_organiser, lawn):
    return _agreement(
        hall_organiser, hall_club, firm, firm_organiser, [lawn], "Plænen 2027"
    )


@pytest.fixture
def other_firms_task(club_organiser, club, placed_pitch):
    """The club's task at the same pitch, with another firm."""
    other = CommunityFactory(
        name="Park og Vej A/S", slug="park-og-vej", kind=Community.Kind.CONTRACTOR
    )
    agreement = _agreement(
        club_organiser, club, other, organiser_of(other), [placed_pitch], "Sne"
    )
    return _task(agreement, club_organiser, placed_pitch, "Ryd sne ved banen")


# --- the switch


def test_the_firm_board_switches_between_list_and_map_keeping_the_day(
    client, firm_organiser, firm, task
):
    day = at(3, 0).date().isoformat()
    client.force_login(firm_organiser)

    listed = client.get(_url(firm, day=day)).content.decode()
    mapped = client.get(_url(firm, day=day, view="map")).content.decode()

    assert f'{_href(firm, day=day, view="map")} id="board-as-map">' in listed
    assert f'{_href(firm, day=day)} id="board-as-list" aria-current="page"' in listed
    assert f'{_href(firm, day=day)} id="board-as-list">' in mapped
    assert 'id="board-as-map" aria-current="page"' in mapped
    # The days move on in the view shown.
    later = at(10, 0).date().isoformat()
    assert f'{_href(firm, day=later, view="map")} id="board-later"' in mapped
    assert f'{_href(firm, view="map")} id="board-now"' in mapped
    assert f'{_href(firm, day=later)} id="board-later"' in listed


def test_the_switch_of_this_week_has_no_day(client, firm_organiser, firm, task):
    client.force_login(firm_organiser)

    page = client.get(_url(firm)).content.decode()

    assert f'{_href(firm, view="map")} id="board-as-map">' in page
    assert 'id="board-map"' not in page
    assert "leaflet" not in page


def test_the_club_board_has_no_map(client, club_organiser, club, placed_pitch, task):
    client.force_login(club_organiser)

    response = client.get(_url(club, view="map"))

    page = response.content.decode()
    assert response.status_code == 200
    assert "board-as-map" not in page
    assert 'id="board-map' not in page
    assert "map_config" not in response.context
    # Still the club's board by site, as without ?view=map.
    assert task.title in page
    assert 'view=map" id="board-' not in page


def test_a_stranger_gets_no_map(client, stranger, firm, task):
    client.force_login(stranger)

    assert client.get(_url(firm, view="map")).status_code == 404


# --- the map's data


def test_the_map_holds_exactly_the_days_sites_with_their_tasks(
    client,
    firm_organiser,
    firm,
    club_organiser,
    agreement,
    placed_pitch,
    hall_agreement,
    hall_organiser,
    lawn,
    other_firms_task,
):
    agreed = confirmed(
        _task(agreement, club_organiser, placed_pitch, "Slå bane 1"),
        club_organiser,
        firm_organiser,
    )
    offered = proposed(
        _task(agreement, club_organiser, placed_pitch, "Kridt bane 1"), club_organiser
    )
    lawn_task = _task(hall_agreement, hall_organiser, lawn, "Slå plænen")
    # Due after the days shown: on neither the board nor its map.
    _task(
        hall_agreement,
        hall_organiser,
        lawn,
        "Senere",
        window_from=at(20, 6),
        window_until=at(25, 20),
    )
    client.force_login(firm_organiser)

    page = client.get(_url(firm, view="map")).content.decode()

    config = _config(page)
    assert set(config) == {"tiles", "attribution", "sites"}
    assert [site["id"] for site in config["sites"]] == [lawn.pk, placed_pitch.pk]
    lawn_site, pitch_site = config["sites"]
    assert pitch_site["name"] == "Stadion, bane 1"
    assert pitch_site["address"] == "Stadionvej 1, Skovby"
    assert (pitch_site["lat"], pitch_site["lon"]) == (56.17, 9.55)
    assert pitch_site["count"] == 2
    # The agreed time waits for the firm to do the work, the club's offer for
    # the firm to answer it.
    assert pitch_site["yours"] == 2
    assert pitch_site["label"] == da(
        "%(site)s: %(count)s task",
        "%(site)s: %(count)s tasks",
        2,
        site="Stadion, bane 1",
        count=2,
    ) + da(", %(yours)s waits for you", ", %(yours)s wait for you", 2, yours=2)
    assert [t["title"] for t in pitch_site["tasks"]] == ["Slå bane 1", "Kridt bane 1"]
    assert [t["url"] for t in pitch_site["tasks"]] == [
        agreed.get_absolute_url(),
        offered.get_absolute_url(),
    ]
    first = pitch_site["tasks"][0]
    assert first["club"] == "Skovby IF"
    assert first["state"] == da(Task.State.CONFIRMED.label)
    assert first["waiting"] == da("Waiting for: you, the contractor")
    assert first["yours"] is True
    assert lawn_site["count"] == 1
    assert lawn_site["tasks"][0]["url"] == lawn_task.get_absolute_url()
    assert lawn_site["tasks"][0]["waiting"] == da(
        "Waiting for: either side to propose a time"
    )
    # Nothing of the club's agreement with another firm, nor of later days.
    assert other_firms_task.title not in page
    assert "Senere" not in page


def test_a_site_where_nothing_waits_for_the_firm_says_so(
    client, firm_organiser, firm, club_organiser, agreement, placed_pitch
):
    proposed(_task(agreement, club_organiser, placed_pitch, "Slå"), firm_organiser)
    client.force_login(firm_organiser)

    page = client.get(_url(firm, view="map")).content.decode()

    (site,) = _config(page)["sites"]
    assert site["yours"] == 0
    assert site["tasks"][0]["waiting"] == da("Waiting for: the association")
    assert site["label"] == da(
        "%(site)s: %(count)s task",
        "%(site)s: %(count)s tasks",
        1,
        site="Stadion, bane 1",
        count=1,
    )


def test_the_map_data_is_escaped(
    client, firm_organiser, firm, club_organiser, agreement, placed_pitch
):
    title = '</script><script>alert("x")</script> & <b>'
    _task(agreement, club_organiser, placed_pitch, title)
    client.force_login(firm_organiser)

    page = client.get(_url(firm, view="map")).content.decode()

    assert "<script>alert" not in page
    assert "\\u003C/script\\u003E" in page
    assert _config(page)["sites"][0]["tasks"][0]["title"] == title


# --- without scripts: the list by site, and what is not on the map


def test_the_map_view_lists_the_sites_with_address_and_tasks(
    client,
    firm_organiser,
    firm,
    club_organiser,
    agreement,
    placed_pitch,
    hall_agreement,
    hall_organiser,
    lawn,
):
    _task(agreement, club_organiser, placed_pitch, "Slå bane 1")
    _task(hall_agreement, hall_organiser, lawn, "Slå plænen")
    client.force_login(firm_organiser)

    page = client.get(_url(firm, view="map")).content.decode()

    assert 'id="board-map-area" hidden' in page
    assert 'data-zoom-in="' + da("Zoom in") + '"' in page
    lawn_at = page.index(
        f'<h3 class="task-site" id="site-{lawn.pk}">Bakkely, græsplænen'
    )
    pitch_at = page.index(
        f'<h3 class="task-site" id="site-{placed_pitch.pk}">Stadion, bane 1'
    )
    # The map's data comes first: the list is read after its headings.
    lawn_address = page.index("Bakkevej 3", lawn_at)
    pitch_address = page.index("Stadionvej 1, Skovby", pitch_at)
    assert lawn_at < lawn_address < page.index("Slå plænen", lawn_at) < pitch_at
    assert pitch_at < pitch_address < page.index("Slå bane 1", pitch_at)
    # Each task once, as its card (the board's live updates find it there).
    assert page.count('class="task-card"') == 2
    assert da("Not on the map") not in page
    assert "js/map.js" in page
    assert "vendor/leaflet/leaflet.css" in page


def test_a_site_without_a_position_is_listed_as_not_on_the_map(
    client,
    firm_organiser,
    firm,
    club_organiser,
    agreement,
    placed_pitch,
    hall_club,
    hall_organiser,
    field_without_position,
):
    hall = _agreement(
        hall_organiser,
        hall_club,
        firm,
        firm_organiser,
        [field_without_position],
        "Overdrevet",
    )
    _task(agreement, club_organiser, placed_pitch, "Slå bane 1")
    _task(hall, hall_organiser, field_without_position, "Slå overdrevet")
    client.force_login(firm_organiser)

    page = client.get(_url(firm, view="map")).content.decode()

    assert [s["name"] for s in _config(page)["sites"]] == ["Stadion, bane 1"]
    off = page[page.index('id="off-map-heading"') :]
    assert off.startswith('id="off-map-heading">' + da("Not on the map") + "</h2>")
    assert "Overdrevet" in off
    assert "Markvej 9" in off
    assert "Slå overdrevet" in off
    assert "Slå bane 1" not in off


def test_without_any_position_the_map_view_is_the_list_by_site(
    client, firm_organiser, firm, task
):
    client.force_login(firm_organiser)

    page = client.get(_url(firm, view="map")).content.decode()

    assert 'id="board-map"' not in page
    assert "board-map-config" not in page
    assert da("None of the sites of these days has a position on the map.") in page
    assert da("Not on the map") in page
    assert task.title in page


def test_a_map_view_of_days_without_tasks_says_so(client, firm_organiser, firm, task):
    client.force_login(firm_organiser)

    page = client.get(_url(firm, day=at(60, 0).date().isoformat(), view="map"))

    assert da("No tasks in these days.") in page.content.decode()


# --- reads


@pytest.mark.parametrize("n", [3, 30])
def test_the_map_view_reads_in_a_fixed_number_of_queries(
    client,
    firm_organiser,
    firm,
    club_organiser,
    agreement,
    placed_pitch,
    field_without_position,
    n,
    django_assert_num_queries,
):
    for i in range(n):
        task = _task(agreement, club_organiser, placed_pitch, f"Opgave {i}")
        if i % 3 == 1:
            proposed(task, firm_organiser)
    client.force_login(firm_organiser)

    # As the list: its sites, positions and addresses come with its tasks.
    with django_assert_num_queries(12 + session_queries()):
        response = client.get(_url(firm, view="map"))

    assert response.status_code == 200
    assert _config(response.content.decode())["sites"][0]["count"] == n


# --- the card's words are the task page's


@pytest.mark.parametrize("state", Task.State.values)
def test_a_cards_state_colour_is_the_task_pages(state):
    task = Task(state=state)

    tag = render_to_string("tasks/includes/state.html", {"task": task})

    assert f'data-color="{STATE_COLOUR.get(state, "warning")}"' in tag


@pytest.mark.parametrize("side", [Side.CLIENT, Side.CONTRACTOR])
@pytest.mark.parametrize(
    "waiting", [Waiting.EITHER, Waiting.CLIENT, Waiting.CONTRACTOR, Waiting.NOBODY]
)
def test_a_cards_waiting_words_are_the_task_pages(side, waiting):
    with translation.override("da"):
        said = render_to_string(
            "tasks/includes/waiting.html", {"waiting": waiting, "side": side}
        )

        assert said.strip() == waiting_words(side)[waiting]
