"""The municipal moderators' page of the agreements both parties share with
the municipality: for municipal staff only (404 for everyone else, as the
moderation pages refuse), never an agreement only one side shares, the
season's figures per agreement in a fixed number of queries, and the
agreement's page shown to staff without any of its forms."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from agenda.models import Facility
from communities.models import Community, Membership
from hub.errors import RateLimited
from hub.limits import HOUR, LIMITS, Limit
from tasks.models import Agreement, ProblemReport, Task
from tasks.services import agreements, work
from tasks.shared_selectors import season_bounds, shared_agreements
from tests.factories import CommunityFactory, UserFactory, member_of, organiser_of
from tests.helpers import session_queries
from tests.tasks.conftest import da, da_in

pytestmark = pytest.mark.django_db

URL = reverse("tasks:shared")
S = Task.State


def shared(agreement, *organisers) -> Agreement:
    for organiser in organisers:
        agreement = agreements.agreement_share(
            actor=organiser, agreement=agreement, shared=True
        )
    return agreement


@pytest.fixture
def both(agreement, club_organiser, firm_organiser) -> Agreement:
    """The club's agreement with the firm, shared by both."""
    return shared(agreement, club_organiser, firm_organiser)


def in_season(task: Task, state: str, *, last_season: bool = False) -> Task:
    """``task`` put in ``state``, its time to be done in ending in this
    season (or in the last)."""
    starts, _ends = season_bounds(timezone.localdate())
    until = starts - timedelta(days=1) if last_season else starts + timedelta(hours=1)
    Task.objects.filter(pk=task.pk).update(
        state=state, window_from=until - timedelta(days=3), window_until=until
    )
    return task


# --- who sees the page


def test_staff_see_an_agreement_both_sides_share_with_its_parties_sites_and_kinds(
    client, staff, both, club, firm, pitch
):
    client.force_login(staff)

    response = client.get(URL)

    assert response.status_code == 200
    page = response.content.decode()
    assert f'href="{reverse("tasks:agreement", args=[both.pk])}"' in page
    assert escape(both.title) in page
    assert escape(club.name) in page
    assert escape(firm.name) in page
    assert f'href="{reverse("agenda:facility", args=[pitch.slug])}"' in page
    assert escape(da("Mowing")) in page
    assert escape(da_in("agreement", "Active")) in page


@pytest.mark.parametrize("side", ["client", "contractor"])
def test_an_agreement_only_one_side_shares_is_not_listed_nor_shown(
    client, staff, agreement, club_organiser, firm_organiser, side
):
    sharer = club_organiser if side == "client" else firm_organiser
    shared(agreement, sharer)
    client.force_login(staff)

    page = client.get(URL).content.decode()
    detail = client.get(reverse("tasks:agreement", args=[agreement.pk]))

    assert escape(agreement.title) not in page
    assert (
        da("No agreement is shared with the municipality by both its sides yet.")
        in page
    )
    assert detail.status_code == 404
    assert shared_agreements(staff, today=timezone.localdate()) == []


def test_an_agreement_that_stops_being_shared_leaves_the_list(
    client, staff, both, firm_organiser
):
    agreements.agreement_share(actor=firm_organiser, agreement=both, shared=False)
    client.force_login(staff)

    page = client.get(URL).content.decode()

    assert escape(both.title) not in page


def test_staff_by_a_group_see_the_page(client, both):
    group = Group.objects.create(name="Kommunens moderatorer")
    group.permissions.add(Permission.objects.get(codename="manage_all"))
    moderator = UserFactory()
    moderator.groups.add(group)
    client.force_login(moderator)

    page = client.get(URL).content.decode()

    assert escape(both.title) in page


@pytest.mark.parametrize(
    "who", ["stranger", "club organiser", "firm organiser", "firm staff", "member"]
)
def test_the_page_is_not_there_for_anyone_but_municipal_staff(
    client, both, stranger, club, club_organiser, firm_organiser, firm_staff, who
):
    people = {
        "stranger": stranger,
        "club organiser": club_organiser,
        "firm organiser": firm_organiser,
        "firm staff": firm_staff,
        "member": member_of(club),
    }
    client.force_login(people[who])

    response = client.get(URL)

    assert response.status_code == 404
    assert shared_agreements(people[who], today=timezone.localdate()) == []


def test_a_visitor_is_asked_to_log_in(client, both):
    response = client.get(URL)

    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


# --- the agreement's page, read only


def test_staff_read_a_shared_agreement_without_any_of_its_forms(client, staff, both):
    client.force_login(staff)

    response = client.get(reverse("tasks:agreement", args=[both.pk]))

    assert response.status_code == 200
    page = response.content.decode()
    assert escape(both.title) in page
    # The only forms are the header's (language, log-out): no answer,
    # share, people, times or any link to a form page.
    actions = re.findall(r'<form[^>]*action="([^"]*)"', page)
    assert sorted(actions) == sorted(
        [reverse("set_language"), reverse("account_logout")]
    )
    base = reverse("tasks:agreement", args=[both.pk])
    assert f'href="{base}edit/"' not in page
    assert f'href="{base}end/"' not in page
    assert f'href="{base}tasks/new/"' not in page


def test_staff_cannot_share_or_change_a_shared_agreement(client, staff, both):
    client.force_login(staff)

    response = client.post(
        reverse("tasks:agreement_share", args=[both.pk]), {"share-shared": "0"}
    )

    assert response.status_code == 403
    both.refresh_from_db()
    assert both.shared_by_client
    assert both.shared_by_contractor


# --- the season's figures


def test_each_agreement_shows_this_seasons_figures(
    client, staff, both, make_task, pitch, village
):
    for state in (S.DONE, S.ACCEPTED, S.ACCEPTED):
        in_season(make_task(), state)
    for state in (S.PLANNED, S.PROPOSED, S.CONFIRMED, S.IN_PROGRESS):
        in_season(make_task(), state)
    in_season(make_task(), S.DISPUTED)
    in_season(make_task(), S.MISSED)
    in_season(make_task(), S.MISSED)
    in_season(make_task(), S.CANCELLED)
    in_season(make_task(), S.ACCEPTED, last_season=True)
    in_season(make_task(), S.MISSED, last_season=True)
    resident = member_of(village)
    # Unsettled at its site: one waiting, one passed on; the answered one,
    # and one at a site of no agreement, do not count.
    work.problem_report(actor=resident, site=pitch, kind="repairs", description="Mål")
    passed_on = work.problem_report(
        actor=resident, site=pitch, kind="mowing", description="Græs"
    )
    in_season(passed_on.task, S.PLANNED)
    answered = work.problem_report(
        actor=resident, site=pitch, kind="cleaning", description="Skrald"
    )
    ProblemReport.objects.filter(pk=answered.pk).update(
        state=ProblemReport.State.RESOLVED
    )
    elsewhere = Facility.objects.create(name="Hal", slug="hal", kind=Facility.Kind.HALL)
    work.problem_report(
        actor=resident, site=elsewhere, kind="repairs", description="Dør"
    )
    client.force_login(staff)

    (row,) = shared_agreements(staff, today=timezone.localdate())
    page = client.get(URL).content.decode()

    # The report of mowing became a task of its own (planned, this week).
    assert (row.finished, row.open, row.disputed, row.missed, row.reports) == (
        3,
        4 + 1,
        1,
        2,
        2,
    )
    assert row.kinds == [da("Mowing")]
    card = page[page.index(escape(both.title)) :]
    figures = re.findall(r"<dt>([^<]*)</dt><dd>(\d+)</dd>", card)
    assert figures[:5] == [
        (da("Done or accepted"), "3"),
        (da("Still to do"), "5"),
        (da_in("task", "Disputed"), "1"),
        (da_in("task", "Missed"), "2"),
        (da("Open problem reports at its sites"), "2"),
    ]


@pytest.mark.parametrize("size", [1, 4])
def test_the_page_makes_the_same_queries_however_many_agreements(
    client, staff, size, pitch, village, django_assert_num_queries
):
    for n in range(size):
        resident = member_of(village)
        club = CommunityFactory(kind=Community.Kind.ASSOCIATION)
        firm = CommunityFactory(kind=Community.Kind.CONTRACTOR)
        club_organiser, firm_organiser = organiser_of(club), organiser_of(firm)
        site = Facility.objects.create(
            name=f"Bane {n}", slug=f"bane-{n}", kind=Facility.Kind.NATURAL_GRASS
        )
        invited = agreements.agreement_invite(
            actor=club_organiser,
            client=club,
            contractor=firm,
            title=f"Aftale {n}",
            sites=[site, pitch],
            work_kinds=["mowing", "cleaning"],
        )
        agreement = agreements.agreement_answer(
            actor=firm_organiser, agreement=invited, accept=True
        )
        shared(agreement, club_organiser, firm_organiser)
        for _n in range(size):
            work.problem_report(
                actor=resident, site=site, kind="mowing", description="Græs"
            )
    client.force_login(staff)
    client.get(URL)  # the first page a user sees makes their Wagtail profile

    # The user, staff's two permission reads (their own and their groups'),
    # the agreements with their figures, their sites, their sites' reports;
    # and the header's: the counts of unseen alerts and unread messages, and
    # whether staff may edit pages (Wagtail's page permissions and, twice,
    # the user's Wagtail profile).
    with django_assert_num_queries(11 + session_queries()):
        response = client.get(URL)

    assert response.status_code == 200
    assert response.content.decode().count('<li class="task-card">') == size


# --- where moderators find it


def test_the_moderators_queue_links_to_the_page_for_municipal_staff(client, staff):
    client.force_login(staff)

    page = client.get(reverse("moderation:queue")).content.decode()

    assert f'href="{URL}"' in page
    assert f'href="{reverse("tasks:site_reports")}"' in page


def test_an_organiser_working_the_queue_gets_no_link(client, club, club_organiser):
    client.force_login(club_organiser)

    response = client.get(reverse("moderation:queue"))

    assert response.status_code == 200
    assert f'href="{URL}"' not in response.content.decode()


def test_a_former_member_sees_nothing_either(client, both, club):
    former = member_of(club, state=Membership.State.LEFT)
    client.force_login(former)

    assert client.get(URL).status_code == 404


# --- staff's sockets and boards follow the sharing


def test_staff_sockets_resubscribe_when_the_municipality_starts_or_stops_seeing_it(
    monkeypatch, agreement, club_organiser, firm_organiser
):
    told: list[set[int]] = []
    monkeypatch.setattr(
        agreements, "subscriptions_changed", lambda ids: told.append(set(ids))
    )
    group = Group.objects.create(name="Kommunens moderatorer")
    group.permissions.add(Permission.objects.get(codename="manage_all"))
    by_group = UserFactory()
    by_group.groups.add(group)
    by_permission = UserFactory()
    by_permission.user_permissions.add(Permission.objects.get(codename="manage_all"))
    UserFactory(is_superuser=True, is_active=False)  # a closed account hears nothing
    staff = {by_group.pk, by_permission.pk}

    agreements.agreement_share(actor=club_organiser, agreement=agreement, shared=True)
    assert told == []  # one side only: nothing for the municipality yet
    agreements.agreement_share(actor=firm_organiser, agreement=agreement, shared=True)
    assert told == [staff]
    agreements.agreement_share(actor=club_organiser, agreement=agreement, shared=False)
    assert told == [staff, staff]


def test_a_board_shown_to_staff_listens_to_its_shared_agreements(
    client, both, club, firm
):
    moderator = UserFactory()
    moderator.user_permissions.add(Permission.objects.get(codename="manage_all"))
    client.force_login(moderator)

    for community in (club, firm):
        page = client.get(reverse("tasks:board", args=[community.slug]))
        topics = re.search(r'data-live-topics="([^"]*)"', page.content.decode())
        assert topics is not None
        assert f"agreement.{both.pk}" in topics.group(1).split()


def test_sharing_is_rate_limited(monkeypatch, agreement, club_organiser):
    monkeypatch.setitem(LIMITS, "agreement-change", Limit(0, HOUR))

    with pytest.raises(RateLimited):
        agreements.agreement_share(
            actor=club_organiser, agreement=agreement, shared=True
        )

    agreement.refresh_from_db()
    assert not agreement.shared_by_client
