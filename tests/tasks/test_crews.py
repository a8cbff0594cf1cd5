"""A contractor's crews: only the contractor's organisers make, change and
remove them and give their feed a new address (the club's organiser, the
firm's other staff, a stranger and anyone signed out are refused, and
nothing changes); a crew is made of the firm's own people, under a name its
other crews do not have; the tasks of a removed crew keep going; the crews
page reads in a fixed number of queries."""

import pytest
from django.urls import reverse

from communities.models import Community, Membership
from hub.errors import RateLimited
from hub.limits import HOUR, LIMITS, Limit
from tasks.errors import TaskError, TaskNotPermitted
from tasks.models import Crew, Task, TaskSeries
from tasks.services import agreements, lifecycle
from tests.factories import CommunityFactory, member_of, organiser_of
from tests.helpers import session_queries
from tests.tasks.conftest import at, confirmed, da

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_firm(db) -> Community:
    return CommunityFactory(
        name="Park og Vej A/S", slug="park-og-vej", kind=Community.Kind.CONTRACTOR
    )


@pytest.fixture
def mower(firm):
    return member_of(firm, role=Membership.Role.STAFF, user__display_name="Mads")


@pytest.fixture
def crew(firm, firm_organiser, firm_staff) -> Crew:
    return agreements.crew_create(
        actor=firm_organiser, contractor=firm, name="Hold Nord", members=[firm_staff]
    )


def _crews_url(community: Community) -> str:
    return reverse("tasks:crews", args=[community.slug])


def _url(name: str, crew: Crew) -> str:
    return reverse(f"tasks:{name}", args=[crew.pk])


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _state(crew: Crew) -> tuple:
    """What a refused write must leave as it was."""
    crew.refresh_from_db()
    return (crew.name, crew.feed_token, sorted(m.pk for m in crew.members.all()))


# --- the services


def test_the_firms_organiser_makes_a_crew_of_its_people(
    firm, firm_organiser, firm_staff, mower
):
    crew = agreements.crew_create(
        actor=firm_organiser,
        contractor=firm,
        name="  Hold   Syd ",
        members=[firm_staff, mower],
    )

    assert crew.contractor == firm
    assert crew.name == "Hold Syd"
    assert set(crew.members.all()) == {firm_staff, mower}
    assert crew.feed_token


@pytest.mark.parametrize("who", ["club_organiser", "firm_staff", "stranger"])
def test_only_the_firms_organisers_make_a_crew(request, firm, who):
    actor = request.getfixturevalue(who)

    with pytest.raises(TaskNotPermitted):
        agreements.crew_create(actor=actor, contractor=firm, name="Hold Syd")

    assert not Crew.objects.exists()


def test_a_crew_is_made_of_the_firms_own_people(
    firm, firm_organiser, firm_staff, club_organiser, stranger
):
    for outsider in (club_organiser, stranger):
        with pytest.raises(TaskError) as exc:
            agreements.crew_create(
                actor=firm_organiser,
                contractor=firm,
                name="Hold Syd",
                members=[firm_staff, outsider],
            )

        assert exc.value.field == "members"
    assert not Crew.objects.exists()


def test_someone_who_left_the_firm_cannot_join_a_crew(firm, firm_organiser, mower):
    Membership.objects.filter(user=mower, community=firm).update(
        state=Membership.State.LEFT
    )

    with pytest.raises(TaskError) as exc:
        agreements.crew_create(
            actor=firm_organiser, contractor=firm, name="Hold Syd", members=[mower]
        )

    assert exc.value.field == "members"
    assert not Crew.objects.exists()


def test_a_crews_name_is_its_own_within_the_firm(firm, firm_organiser, crew):
    with pytest.raises(TaskError) as exc:
        agreements.crew_create(actor=firm_organiser, contractor=firm, name="hold nord")

    assert exc.value.field == "name"
    assert str(exc.value.message) == da(
        "%(contractor)s already has a crew called %(name)s.",
        contractor=firm.name,
        name="hold nord",
    )
    assert Crew.objects.count() == 1


def test_another_firm_may_use_the_same_name(other_firm, crew):
    theirs = agreements.crew_create(
        actor=organiser_of(other_firm), contractor=other_firm, name=crew.name
    )

    assert theirs.name == crew.name
    assert Crew.objects.count() == 2


def test_a_club_has_no_crews(club, club_organiser):
    with pytest.raises(TaskError):
        agreements.crew_create(actor=club_organiser, contractor=club, name="Hold")

    assert not Crew.objects.exists()


def test_the_firms_organiser_renames_a_crew_and_changes_its_people(
    firm_organiser, crew, mower
):
    token = crew.feed_token

    agreements.crew_update(
        actor=firm_organiser, crew=crew, name="Hold Øst", members=[mower]
    )

    assert _state(crew) == ("Hold Øst", token, [mower.pk])


@pytest.mark.parametrize("who", ["club_organiser", "firm_staff", "stranger"])
def test_only_the_firms_organisers_change_a_crew(request, crew, mower, who):
    before = _state(crew)

    with pytest.raises(TaskNotPermitted):
        agreements.crew_update(
            actor=request.getfixturevalue(who), crew=crew, name="X", members=[mower]
        )

    assert _state(crew) == before


def test_another_firms_organiser_cannot_change_or_remove_a_crew(other_firm, crew):
    rival = organiser_of(other_firm)
    before = _state(crew)

    with pytest.raises(TaskNotPermitted):
        agreements.crew_update(actor=rival, crew=crew, name="Vores")
    with pytest.raises(TaskNotPermitted):
        agreements.crew_feed_renew(actor=rival, crew=crew)
    with pytest.raises(TaskNotPermitted):
        agreements.crew_remove(actor=rival, crew=crew)

    assert _state(crew) == before


def test_renaming_to_another_crews_name_is_refused(firm, firm_organiser, crew):
    other = agreements.crew_create(actor=firm_organiser, contractor=firm, name="Syd")

    with pytest.raises(TaskError) as exc:
        agreements.crew_update(actor=firm_organiser, crew=other, name="Hold Nord")

    assert exc.value.field == "name"
    other.refresh_from_db()
    assert other.name == "Syd"


def test_a_crew_keeps_its_name_when_only_its_people_change(firm_organiser, crew, mower):
    agreements.crew_update(
        actor=firm_organiser, crew=crew, name=crew.name, members=[mower]
    )

    assert list(crew.members.all()) == [mower]


@pytest.mark.parametrize("who", ["club_organiser", "firm_staff", "stranger"])
def test_only_the_firms_organisers_renew_the_feed_or_remove_a_crew(request, crew, who):
    actor = request.getfixturevalue(who)
    before = _state(crew)

    with pytest.raises(TaskNotPermitted):
        agreements.crew_feed_renew(actor=actor, crew=crew)
    with pytest.raises(TaskNotPermitted):
        agreements.crew_remove(actor=actor, crew=crew)

    assert _state(crew) == before


def test_renewing_gives_the_feed_a_new_address(firm_organiser, crew):
    old = crew.feed_token

    agreements.crew_feed_renew(actor=firm_organiser, crew=crew)

    crew.refresh_from_db()
    assert crew.feed_token != old
    assert not Crew.objects.filter(feed_token=old).exists()


def test_the_tasks_of_a_removed_crew_keep_going(
    firm_organiser, club_organiser, crew, make_task, template, pitch
):
    task = confirmed(make_task(), club_organiser, firm_organiser)
    Task.objects.filter(pk=task.pk).update(crew=crew)
    series = agreements.series_save(
        actor=firm_organiser,
        template=template,
        site=pitch,
        mode=TaskSeries.Mode.RULE,
        starts_at=at(3, 7),
        rrule="FREQ=WEEKLY;COUNT=2",
        crew=crew,
    )

    agreements.crew_remove(actor=firm_organiser, crew=crew)

    assert not Crew.objects.exists()
    task.refresh_from_db()
    series.refresh_from_db()
    assert (task.crew, series.crew) == (None, None)
    assert series.tasks.count() == 2
    started = lifecycle.task_start(actor=firm_organiser, task=task)
    assert started.state == Task.State.IN_PROGRESS


def test_crew_changes_are_rate_limited(monkeypatch, firm, firm_organiser, crew):
    # Making ``crew`` was the one change the limit allows.
    monkeypatch.setitem(LIMITS, "agreement-change", Limit(1, HOUR))
    before = _state(crew)

    with pytest.raises(RateLimited):
        agreements.crew_create(actor=firm_organiser, contractor=firm, name="Syd")
    with pytest.raises(RateLimited):
        agreements.crew_update(actor=firm_organiser, crew=crew, name="Vest")
    with pytest.raises(RateLimited):
        agreements.crew_feed_renew(actor=firm_organiser, crew=crew)
    with pytest.raises(RateLimited):
        agreements.crew_remove(actor=firm_organiser, crew=crew)

    assert _state(crew) == before
    assert Crew.objects.count() == 1


# --- the crews page


def test_the_crews_page_lists_each_crew_with_its_people_and_feed_address(
    client, firm, firm_organiser, crew, firm_staff
):
    client.force_login(firm_organiser)

    page = _page(client, _crews_url(firm))

    feed = reverse("tasks:crew_feed", args=[crew.feed_token])
    assert crew.name in page
    assert firm_staff.public_name in page
    assert f'value="http://testserver{feed}"' in page
    assert f'href="webcal://testserver{feed}"' in page
    assert f'href="{_url("crew_edit", crew)}"' in page
    assert f'href="{_url("crew_remove", crew)}"' in page
    assert f'href="{_url("crew_feed_renew", crew)}"' in page
    assert f'action="{_crews_url(firm)}"' in page


def test_the_crews_page_offers_the_firms_active_people_only(
    client, firm, firm_organiser, firm_staff, mower, stranger
):
    gone = member_of(firm, state=Membership.State.LEFT, user__display_name="Gået")
    client.force_login(firm_organiser)

    response = client.get(_crews_url(firm))

    offered = set(response.context["form"].fields["members"].queryset)
    assert offered == {firm_organiser, firm_staff, mower}
    assert gone not in offered
    assert stranger not in offered


def test_the_contractors_board_links_to_its_crews(client, firm, firm_organiser, task):
    client.force_login(firm_organiser)

    page = _page(client, reverse("tasks:board", args=[firm.slug]))

    assert f'href="{_crews_url(firm)}"' in page


@pytest.mark.parametrize("n", [1, 4])
def test_the_crews_page_reads_in_a_fixed_number_of_queries(
    client, firm, firm_organiser, firm_staff, mower, n, django_assert_num_queries
):
    for i in range(n):
        agreements.crew_create(
            actor=firm_organiser,
            contractor=firm,
            name=f"Hold {i}",
            members=[firm_staff, mower],
        )
    client.force_login(firm_organiser)

    # The user and the header's three; the contractor (with the organiser
    # check); its crews and their members; the firm's people for the form
    # (its choices, read for the field and again for the values it keeps).
    with django_assert_num_queries(10 + session_queries()):
        response = client.get(_crews_url(firm))

    assert response.status_code == 200
    assert len(response.context["crews"]) == n


def test_the_firms_organiser_makes_a_crew_from_the_page(
    client, firm, firm_organiser, firm_staff
):
    client.force_login(firm_organiser)

    response = client.post(
        _crews_url(firm), {"name": "Hold Syd", "members": [firm_staff.pk]}
    )

    crew = Crew.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{_crews_url(firm)}#crew-{crew.pk}"
    assert (crew.name, list(crew.members.all())) == ("Hold Syd", [firm_staff])


def test_a_taken_name_is_refused_beside_the_field_keeping_what_was_typed(
    client, firm, firm_organiser, crew, mower
):
    client.force_login(firm_organiser)

    response = client.post(
        _crews_url(firm), {"name": "Hold Nord", "members": [mower.pk]}
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert response.context["form"].errors["name"] == [
        da(
            "%(contractor)s already has a crew called %(name)s.",
            contractor=firm.name,
            name="Hold Nord",
        )
    ]
    assert 'id="id_name_error"' in page
    assert 'value="Hold Nord"' in page
    assert f'value="{mower.pk}"' in page
    assert response.context["form"]["members"].value() == [str(mower.pk)]
    assert Crew.objects.count() == 1


def test_someone_outside_the_firm_cannot_be_put_in_a_crew_from_the_page(
    client, firm, firm_organiser, club_organiser
):
    client.force_login(firm_organiser)

    response = client.post(
        _crews_url(firm), {"name": "Hold Syd", "members": [club_organiser.pk]}
    )

    assert response.status_code == 400
    assert response.context["form"].has_error("members")
    assert 'value="Hold Syd"' in response.content.decode()
    assert not Crew.objects.exists()


def test_a_crew_is_renamed_on_its_own_page(client, firm_organiser, crew, mower):
    client.force_login(firm_organiser)
    page = _page(client, _url("crew_edit", crew))

    response = client.post(
        _url("crew_edit", crew), {"name": "Hold Øst", "members": [mower.pk]}
    )

    assert 'value="Hold Nord"' in page
    assert response.status_code == 302
    crew.refresh_from_db()
    assert (crew.name, list(crew.members.all())) == ("Hold Øst", [mower])


def test_renaming_to_a_taken_name_on_the_page_keeps_what_was_typed(
    client, firm, firm_organiser, crew
):
    other = agreements.crew_create(actor=firm_organiser, contractor=firm, name="Syd")
    client.force_login(firm_organiser)

    response = client.post(_url("crew_edit", other), {"name": "Hold Nord"})

    assert response.status_code == 400
    assert response.context["form"].has_error("name")
    assert 'value="Hold Nord"' in response.content.decode()
    other.refresh_from_db()
    assert other.name == "Syd"


def test_removing_a_crew_asks_first(client, firm, firm_organiser, crew):
    client.force_login(firm_organiser)

    page = _page(client, _url("crew_remove", crew))
    response = client.post(_url("crew_remove", crew))

    assert '<form method="post"' in page
    assert crew.name in page
    assert response.status_code == 302
    assert response["Location"] == _crews_url(firm)
    assert not Crew.objects.exists()


def test_renewing_the_feed_asks_first_and_the_old_address_stops(
    client, firm, firm_organiser, crew
):
    old = reverse("tasks:crew_feed", args=[crew.feed_token])
    client.force_login(firm_organiser)

    page = _page(client, _url("crew_feed_renew", crew))
    response = client.post(_url("crew_feed_renew", crew))

    crew.refresh_from_db()
    assert crew.name in page
    assert response.status_code == 302
    assert response["Location"] == f"{_crews_url(firm)}#crew-{crew.pk}"
    assert client.get(old).status_code == 404
    assert (
        client.get(reverse("tasks:crew_feed", args=[crew.feed_token])).status_code
        == 200
    )


# --- who is refused, on every page


def _attempts(crew: Crew, firm: Community, mower) -> list[tuple[str, str, dict]]:
    return [
        ("get", _crews_url(firm), {}),
        ("post", _crews_url(firm), {"name": "Vores", "members": [mower.pk]}),
        ("get", _url("crew_edit", crew), {}),
        ("post", _url("crew_edit", crew), {"name": "Vores", "members": [mower.pk]}),
        ("get", _url("crew_remove", crew), {}),
        ("post", _url("crew_remove", crew), {}),
        ("get", _url("crew_feed_renew", crew), {}),
        ("post", _url("crew_feed_renew", crew), {}),
    ]


@pytest.mark.parametrize("who", ["club_organiser", "firm_staff", "stranger"])
def test_the_crew_pages_are_not_found_for_anyone_but_the_firms_organisers(
    client, request, firm, crew, mower, who
):
    client.force_login(request.getfixturevalue(who))
    before = _state(crew)

    for method, url, data in _attempts(crew, firm, mower):
        response = getattr(client, method)(url, data)

        assert response.status_code == 404, (method, url)
    assert _state(crew) == before
    assert Crew.objects.count() == 1


def test_the_crew_pages_need_a_login(client, firm, crew, mower):
    before = _state(crew)

    for method, url, data in _attempts(crew, firm, mower):
        response = getattr(client, method)(url, data)

        assert response.status_code == 302, (method, url)
        assert reverse("account_login") in response["Location"]
    assert _state(crew) == before
    assert Crew.objects.count() == 1


def test_another_firms_organiser_does_not_find_the_crew_pages(
    client, firm, other_firm, crew, mower
):
    client.force_login(organiser_of(other_firm))
    before = _state(crew)

    for method, url, data in _attempts(crew, firm, mower):
        response = getattr(client, method)(url, data)

        assert response.status_code == 404, (method, url)
    assert _state(crew) == before


def test_a_club_has_no_crews_page(client, club, club_organiser):
    client.force_login(club_organiser)

    assert client.get(_crews_url(club)).status_code == 404
