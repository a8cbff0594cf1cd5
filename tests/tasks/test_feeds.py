"""The task board in calendar apps: a crew's feed, at its secret address, holds
the crew's tasks whose time is agreed and takes those called off away; a
renewed address stops at once; a person's own calendar holds the tasks they
go out to do (their crew's, or every one of an agreement that names them),
and nobody else's; a task is the same VEVENT in both; each feed reads in a
fixed number of queries, however many tasks."""

from datetime import UTC, timedelta

import icalendar
import pytest
from django.urls import reverse
from django.utils import timezone

from agenda.models import Feed
from agenda.services import feeds as feed_services
from communities.models import Membership
from tasks.models import Crew, Task
from tasks.services import agreements, lifecycle, work
from tests.factories import CommunityFactory, member_of, organiser_of
from tests.tasks.conftest import CHECKLIST, at, confirmed, da, proposed

pytestmark = pytest.mark.django_db


@pytest.fixture
def crew(firm, firm_organiser, firm_staff) -> Crew:
    return agreements.crew_create(
        actor=firm_organiser, contractor=firm, name="Hold Nord", members=[firm_staff]
    )


@pytest.fixture
def crew_task(make_task, club_organiser, firm_organiser, crew) -> Task:
    """A task agreed for the day after tomorrow at 08:00, given to ``crew``."""
    task = confirmed(make_task(), club_organiser, firm_organiser)
    return work.task_assign_crew(actor=firm_organiser, task=task, crew=crew)


def _crew_feed(client, crew: Crew):
    return client.get(reverse("tasks:crew_feed", args=[crew.feed_token]))


def _calendar(response) -> icalendar.Calendar:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return icalendar.Calendar.from_ical(response.content)


def _uids(calendar: icalendar.Calendar) -> list[str]:
    return [str(c["UID"]) for c in calendar.walk("VEVENT")]


def _by_uid(calendar: icalendar.Calendar) -> dict:
    return {str(c["UID"]): c for c in calendar.walk("VEVENT")}


def _uid(task: Task) -> str:
    return f"task-{task.pk}@testserver"


def _personal(client, user) -> icalendar.Calendar:
    feed, _created = feed_services.feed_get_or_create(actor=user, kind=Feed.Kind.PERSON)
    return _calendar(client.get(reverse("agenda:feed", args=[feed.token])))


def _agreed(make_task, club_organiser, firm_organiser, start, **fields) -> Task:
    return confirmed(make_task(**fields), club_organiser, firm_organiser, start)


# --- a crew's feed


def test_a_crews_feed_holds_its_agreed_task_with_what_the_crew_needs(
    client, crew_task, crew, club, pitch
):
    calendar = _calendar(_crew_feed(client, crew))

    (event,) = calendar.walk("VEVENT")
    crew_task.refresh_from_db()
    assert str(event["UID"]) == _uid(crew_task)
    assert event["SEQUENCE"] == crew_task.version
    assert event["DTSTART"].dt.astimezone(UTC) == at(2, 8).astimezone(UTC)
    assert event["DTEND"].dt.astimezone(UTC) == at(2, 10).astimezone(UTC)
    assert str(event["SUMMARY"]) == f"Slå bane 1 · {club.name}"
    assert pitch.name in str(event["LOCATION"])
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["CLASS"]) == "PRIVATE"
    description = str(event["DESCRIPTION"])
    assert da("Crew: %(crew)s") % {"crew": "Hold Nord"} in description
    assert all(line in description for line in CHECKLIST)
    assert f"http://testserver{crew_task.get_absolute_url()}" in description
    assert str(event["URL"]) == f"http://testserver{crew_task.get_absolute_url()}"


def test_the_feed_is_named_for_the_crew_and_its_firm_in_the_platforms_language(
    client, crew_task, crew, firm
):
    response = _crew_feed(client, crew)

    calendar = _calendar(response)
    assert str(calendar["X-WR-CALNAME"]).startswith(f"Hold Nord, {firm.name}")
    assert response["Content-Disposition"] == 'inline; filename="hold-nord.ics"'
    assert response["Cache-Control"] == "private, max-age=300"
    assert response["X-Robots-Tag"] == "noindex, nofollow"


def test_a_crews_feed_leaves_out_times_only_offered_and_other_crews_work(
    client,
    make_task,
    club_organiser,
    firm,
    firm_organiser,
    mower_crew,
    crew_task,
    crew,
):
    offered = proposed(make_task(title="Kun foreslået"), firm_organiser)
    work.task_assign_crew(actor=firm_organiser, task=offered, crew=crew)
    theirs = _agreed(make_task, club_organiser, firm_organiser, at(3, 8), title="Syd")
    work.task_assign_crew(actor=firm_organiser, task=theirs, crew=mower_crew)
    nobodys = _agreed(
        make_task, club_organiser, firm_organiser, at(4, 8), title="Ingen"
    )

    assert _uids(_calendar(_crew_feed(client, crew))) == [_uid(crew_task)]
    assert _uids(_calendar(_crew_feed(client, mower_crew))) == [_uid(theirs)]
    assert nobodys.crew is None


def test_the_feed_holds_the_crews_tasks_in_the_order_they_come(
    client, make_task, club_organiser, firm_organiser, crew
):
    later = _agreed(make_task, club_organiser, firm_organiser, at(4, 8), title="B")
    sooner = _agreed(make_task, club_organiser, firm_organiser, at(2, 9), title="A")
    for task in (later, sooner):
        work.task_assign_crew(actor=firm_organiser, task=task, crew=crew)

    assert _uids(_calendar(_crew_feed(client, crew))) == [_uid(sooner), _uid(later)]


def test_a_task_called_off_stays_in_the_feed_as_cancelled_so_apps_take_it_off(
    client, crew_task, crew, club_organiser
):
    lifecycle.task_cancel(actor=club_organiser, task=crew_task, reason="Regn")

    (event,) = _calendar(_crew_feed(client, crew)).walk("VEVENT")
    assert str(event["STATUS"]) == "CANCELLED"
    assert str(event["DESCRIPTION"]).startswith(da("Cancelled."))
    crew_task.refresh_from_db()
    assert event["SEQUENCE"] == crew_task.version


def test_a_task_called_off_long_ago_or_long_done_leaves_the_feed(
    client, crew_task, crew, club_organiser, firm_organiser, make_task
):
    old = _agreed(make_task, club_organiser, firm_organiser, at(3, 8), title="Gammel")
    work.task_assign_crew(actor=firm_organiser, task=old, crew=crew)
    lifecycle.task_cancel(actor=club_organiser, task=crew_task)
    long_ago = timezone.now() - timedelta(days=31)
    Task.objects.filter(pk=crew_task.pk).update(updated_at=long_ago)
    Task.objects.filter(pk=old.pk).update(
        starts_at=long_ago - timedelta(hours=2), ends_at=long_ago
    )

    assert _uids(_calendar(_crew_feed(client, crew))) == []


def test_a_task_moved_to_another_firms_crew_is_not_in_that_crews_feed(
    client, crew_task, crew
):
    rival = CommunityFactory(kind=crew.contractor.kind)
    theirs = agreements.crew_create(
        actor=organiser_of(rival), contractor=rival, name="Deres hold"
    )
    # Not through the service, which refuses it: the read holds on its own.
    Task.objects.filter(pk=crew_task.pk).update(crew=theirs)

    assert _uids(_calendar(_crew_feed(client, theirs))) == []


def test_an_unknown_or_renewed_address_is_not_found(
    client, crew_task, crew, firm_organiser
):
    old = crew.feed_token
    assert client.get(reverse("tasks:crew_feed", args=["nope"])).status_code == 404

    agreements.crew_feed_renew(actor=firm_organiser, crew=crew)

    crew.refresh_from_db()
    assert client.get(reverse("tasks:crew_feed", args=[old])).status_code == 404
    assert _uids(_calendar(_crew_feed(client, crew))) == [_uid(crew_task)]


def test_a_removed_crews_address_is_not_found(client, crew_task, crew, firm_organiser):
    token = crew.feed_token
    agreements.crew_remove(actor=firm_organiser, crew=crew)

    assert client.get(reverse("tasks:crew_feed", args=[token])).status_code == 404


def test_the_feed_address_only_reads(client, crew):
    response = client.post(reverse("tasks:crew_feed", args=[crew.feed_token]))

    assert response.status_code == 405


@pytest.mark.parametrize("n", [1, 4])
def test_a_crews_feed_reads_in_a_fixed_number_of_queries(
    client,
    make_task,
    club_organiser,
    firm_organiser,
    crew,
    n,
    django_assert_num_queries,
):
    for i in range(n):
        task = _agreed(
            make_task, club_organiser, firm_organiser, at(2, 6 + 2 * i), title=f"T{i}"
        )
        work.task_assign_crew(actor=firm_organiser, task=task, crew=crew)

    # The crew by its address (with its firm), and its tasks with their club,
    # site and crew.
    with django_assert_num_queries(2):
        calendar = _calendar(_crew_feed(client, crew))

    assert len(_uids(calendar)) == n


# --- a person's own calendar


@pytest.fixture
def mower_crew(firm, firm_organiser):
    mads = member_of(firm, role=Membership.Role.STAFF, user__display_name="Mads")
    return agreements.crew_create(
        actor=firm_organiser, contractor=firm, name="Hold Syd", members=[mads]
    )


def test_a_crew_member_finds_the_crews_tasks_in_their_own_calendar(
    client, crew_task, firm_staff
):
    mine = _by_uid(_personal(client, firm_staff))

    assert list(mine) == [_uid(crew_task)]
    assert str(mine[_uid(crew_task)]["SUMMARY"]).startswith("Slå bane 1 · ")


def test_the_task_is_the_same_event_in_the_crews_feed_and_the_persons(
    client, crew_task, crew, firm_staff
):
    in_crew_feed = _by_uid(_calendar(_crew_feed(client, crew)))[_uid(crew_task)]
    in_own = _by_uid(_personal(client, firm_staff))[_uid(crew_task)]

    for field in ("UID", "SEQUENCE", "DTSTART", "DTEND", "SUMMARY", "STATUS"):
        assert in_crew_feed[field] == in_own[field], field


def test_the_organisers_and_the_club_do_not_get_the_work_in_their_calendar(
    client, crew_task, firm_organiser, club_organiser, mower_crew
):
    others = [firm_organiser, club_organiser, mower_crew.members.get()]

    for person in others:
        assert _uids(_personal(client, person)) == [], person


def test_someone_named_on_the_agreement_gets_all_its_agreed_tasks(
    client, crew_task, make_task, agreement, club_organiser, firm_organiser, firm
):
    loose = _agreed(make_task, club_organiser, firm_organiser, at(3, 8), title="Løs")
    offered = proposed(make_task(title="Tilbudt"), firm_organiser)
    named = member_of(firm, role=Membership.Role.STAFF, user__display_name="Nina")
    agreements.actor_add(
        actor=firm_organiser, agreement=agreement, user=named, side="contractor"
    )

    assert _uids(_personal(client, named)) == [_uid(crew_task), _uid(loose)]
    assert offered.state == Task.State.PROPOSED


def test_someone_named_for_the_club_does_not_get_the_work(
    client, crew_task, agreement, club, club_organiser
):
    named = member_of(club, user__display_name="Holger")
    agreements.actor_add(
        actor=club_organiser, agreement=agreement, user=named, side="client"
    )

    assert _uids(_personal(client, named)) == []


def test_someone_who_left_the_firm_no_longer_gets_its_work(
    client, crew_task, firm, firm_staff
):
    Membership.objects.filter(community=firm, user=firm_staff).update(
        state=Membership.State.LEFT
    )

    assert _uids(_personal(client, firm_staff)) == []
