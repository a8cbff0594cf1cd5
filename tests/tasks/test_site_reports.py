"""Reports nobody covers: those who look after the site (its owner's
organisers; municipal staff for the municipality's sites) are told by e-mail,
list the reports at their sites, answer them (the reporter is told and reads
the answer) or pass them on as a task once an agreement in force covers
them. Every refusal leaves the report as it was; the pages read in a fixed
number of queries. And the calendar's facility page links to the form."""

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
from tasks import report_selectors
from tasks.errors import TaskError, TaskNotPermitted
from tasks.models import Agreement, ProblemReport, Side, Task
from tasks.services import agreements, work
from tasks.services import reports as services
from tests.factories import CommunityFactory, UserFactory, member_of, organiser_of
from tests.helpers import session_queries
from tests.tasks.conftest import da

pytestmark = pytest.mark.django_db

R = ProblemReport.State
LIST = reverse("tasks:site_reports")


def _detail(report) -> str:
    return reverse("tasks:site_report", args=[report.pk])


def _answer_url(report) -> str:
    return reverse("tasks:site_report_answer", args=[report.pk])


def _pass_on_url(report) -> str:
    return reverse("tasks:site_report_pass_on", args=[report.pk])


@pytest.fixture
def resident(village):
    return member_of(village, user__display_name="Rasmus Ravn")


@pytest.fixture
def clubhouse(club) -> Facility:
    """A site the club owns; the pitch is the municipality's."""
    return Facility.objects.create(
        name="Klubhuset", slug="klubhuset", kind=Facility.Kind.HALL, owner=club
    )


@pytest.fixture
def club_member(club):
    return member_of(club)


@pytest.fixture
def other_club_organiser(db):
    return organiser_of(
        CommunityFactory(name="Nabo IF", kind=Community.Kind.ASSOCIATION)
    )


def report(resident, site, kind="repairs", description="Døren er knækket"):
    return work.problem_report(
        actor=resident, site=site, kind=kind, description=description
    )


@pytest.fixture
def waiting(resident, clubhouse) -> ProblemReport:
    """At the club's own site, of work no agreement covers."""
    return report(resident, clubhouse)


@pytest.fixture
def municipal(resident, pitch) -> ProblemReport:
    """At the municipality's pitch, of work no agreement covers."""
    return report(resident, pitch, description="Hegnet er væltet")


def unchanged(made: ProblemReport) -> None:
    state, answer = made.state, made.answer
    made.refresh_from_db()
    assert (made.state, made.answer) == (state, answer)
    assert not Task.objects.filter(report=made).exists()


# --- who is told of a report nobody covers


def test_the_organisers_of_the_sites_owner_are_told_of_a_report_nobody_covers(
    resident,
    clubhouse,
    club,
    club_organiser,
    club_member,
    staff,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    second = organiser_of(club)
    former = organiser_of(club)
    Membership.objects.filter(user=former).update(state=Membership.State.LEFT)

    with django_capture_on_commit_callbacks(execute=True):
        made = report(resident, clubhouse, description="Døren er knækket")

    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        [club_organiser.email, second.email]
    )
    mail = mailoutbox[0]
    assert mail.subject == da(
        "A problem reported at %(site)s waits for you", site=clubhouse.name
    )
    assert "Døren er knækket" in mail.body
    assert _detail(made) in mail.body
    assert resident.display_name not in mail.body


def test_the_municipal_moderators_are_told_of_a_report_at_a_municipal_site(
    resident,
    pitch,
    staff,
    club_organiser,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    group = Group.objects.create(name="Moderatorer")
    group.permissions.add(Permission.objects.get(codename="manage_all"))
    by_group = UserFactory()
    by_group.groups.add(group)
    superuser = UserFactory(is_superuser=True)
    UserFactory(is_superuser=True, is_active=False)

    with django_capture_on_commit_callbacks(execute=True):
        report(resident, pitch)

    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        [staff.email, by_group.email, superuser.email]
    )


def test_an_organiser_who_reports_at_their_own_site_is_not_told_of_it(
    clubhouse, club, club_organiser, mailoutbox, django_capture_on_commit_callbacks
):
    second = organiser_of(club)

    with django_capture_on_commit_callbacks(execute=True):
        report(club_organiser, clubhouse)

    assert [m.to for m in mailoutbox] == [[second.email]]


def test_nobody_is_told_of_a_report_an_agreement_takes_on(
    resident,
    pitch,
    agreement,
    staff,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        made = report(resident, pitch, kind="mowing")

    assert made.state == R.TASKED
    assert mailoutbox == []


# --- the list of reports at one's sites


def test_the_owners_organiser_lists_the_reports_at_the_clubs_sites(
    client, club_organiser, waiting, municipal
):
    client.force_login(club_organiser)

    page = client.get(LIST).content.decode()

    assert f'href="{_detail(waiting)}"' in page
    assert f'href="{_detail(municipal)}"' not in page


def test_staff_list_the_reports_at_the_municipalitys_sites_only(
    client, staff, waiting, municipal
):
    client.force_login(staff)

    page = client.get(LIST).content.decode()

    assert f'href="{_detail(municipal)}"' in page
    assert f'href="{_detail(waiting)}"' not in page


@pytest.mark.parametrize("who", ["stranger", "club member", "other organiser"])
def test_anyone_else_lists_no_reports(
    client, waiting, municipal, stranger, club_member, other_club_organiser, who
):
    viewer = {
        "stranger": stranger,
        "club member": club_member,
        "other organiser": other_club_organiser,
    }[who]
    client.force_login(viewer)

    response = client.get(LIST)

    assert response.status_code == 200
    page = response.content.decode()
    assert da("There are no reports at the sites you look after.") in page
    assert waiting.description not in page
    assert municipal.description not in page
    assert report_selectors.site_reports(viewer) == []


def test_a_visitor_is_asked_to_log_in_for_the_list(client, waiting):
    response = client.get(LIST)

    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_the_list_shows_waiting_reports_and_the_lately_settled_ones(
    client, club_organiser, resident, clubhouse
):
    old_waiting = report(resident, clubhouse, description="Gammel og åben")
    recent = report(resident, clubhouse, description="Besvaret for nylig")
    old = report(resident, clubhouse, description="Besvaret for længe siden")
    long_ago = timezone.now() - timedelta(days=report_selectors.RECENT_DAYS + 1)
    ProblemReport.objects.filter(pk=old_waiting.pk).update(
        created_at=long_ago, updated_at=long_ago
    )
    ProblemReport.objects.filter(pk=recent.pk).update(state=R.RESOLVED)
    ProblemReport.objects.filter(pk=old.pk).update(
        state=R.DECLINED, updated_at=long_ago
    )
    client.force_login(club_organiser)

    page = client.get(LIST).content.decode()

    assert "Gammel og åben" in page
    assert "Besvaret for nylig" in page
    assert "Besvaret for længe siden" not in page
    # Waiting first.
    assert page.index("Gammel og åben") < page.index("Besvaret for nylig")


@pytest.mark.parametrize("size", [1, 4])
def test_the_list_makes_the_same_queries_however_many_reports(
    client, club_organiser, clubhouse, village, size, django_assert_num_queries
):
    for n in range(size):
        reporter = member_of(village)
        report(reporter, clubhouse, description=f"Problem {n}")
        answered = report(reporter, clubhouse, description=f"Besvaret {n}")
        services.report_answer(
            actor=club_organiser, report=answered, state=R.RESOLVED, answer="Ordnet"
        )
    client.force_login(club_organiser)

    # The user, their two permission reads (are they municipal staff?), the
    # reports with their sites, owners and tasks' agreements (the communities
    # they organise a subquery of it); the header's counts of unseen alerts
    # and unread messages, and its look at Wagtail's page permissions.
    with django_assert_num_queries(7 + session_queries()):
        response = client.get(LIST)

    assert response.content.decode().count(reverse("tasks:site_reports")) > size
    for n in range(size):
        assert f"Problem {n}" in response.content.decode()


# --- a report's page for those who look after the site


@pytest.mark.parametrize(
    "who", ["stranger", "club member", "other organiser", "staff", "reporter"]
)
def test_a_report_at_the_clubs_site_is_not_there_for_anyone_else(
    client, waiting, stranger, club_member, other_club_organiser, staff, resident, who
):
    viewer = {
        "stranger": stranger,
        "club member": club_member,
        "other organiser": other_club_organiser,
        "staff": staff,
        "reporter": resident,
    }[who]
    client.force_login(viewer)

    assert client.get(_detail(waiting)).status_code == 404
    response = client.post(
        _answer_url(waiting), {"answer-state": R.RESOLVED, "answer-answer": "Ja"}
    )
    assert response.status_code == 404
    assert client.post(_pass_on_url(waiting)).status_code == 404
    unchanged(waiting)


def test_the_organiser_reads_the_report_with_the_answer_form(
    client, club_organiser, waiting, resident
):
    client.force_login(club_organiser)

    page = client.get(_detail(waiting)).content.decode()

    assert escape(waiting.description) in page
    assert f'action="{_answer_url(waiting)}"' in page
    assert 'name="answer-state"' in page
    assert 'name="answer-answer"' in page
    # Nothing covers it: nothing to pass it on to.
    assert f'action="{_pass_on_url(waiting)}"' not in page
    # The reporter is not named.
    assert resident.display_name not in page


def test_the_report_page_makes_a_fixed_number_of_queries(
    client, club_organiser, waiting, django_assert_num_queries
):
    client.force_login(club_organiser)

    # The user, their two permission reads, the report (with its site, owner
    # and task's agreement), the agreements in force at the site; the
    # header's two counts and its look at Wagtail's page permissions.
    with django_assert_num_queries(8 + session_queries()):
        response = client.get(_detail(waiting))

    assert response.status_code == 200


# --- answering


@pytest.mark.parametrize(
    ("state", "subject"),
    [
        (R.RESOLVED, "The problem you reported at %(site)s has been put right"),
        (R.DECLINED, "About the problem you reported at %(site)s"),
    ],
)
def test_the_owner_answers_and_the_reporter_is_told(
    client,
    club_organiser,
    waiting,
    resident,
    clubhouse,
    club,
    mailoutbox,
    django_capture_on_commit_callbacks,
    state,
    subject,
):
    client.force_login(club_organiser)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _answer_url(waiting),
            {"answer-state": state, "answer-answer": "Vi har skiftet låsen."},
            follow=True,
        )

    assert response.redirect_chain[-1][0] == _detail(waiting)
    assert da("Your answer is sent to the resident.") in response.content.decode()
    waiting.refresh_from_db()
    assert (waiting.state, waiting.answer) == (state, "Vi har skiftet låsen.")
    (mail,) = mailoutbox
    assert mail.to == [resident.email]
    assert mail.subject == da(subject, site=clubhouse.name)
    assert "Vi har skiftet låsen." in mail.body
    assert reverse("tasks:report_detail", args=[waiting.pk]) in mail.body
    # The reporter reads the answer on their report's page.
    client.force_login(resident)
    page = client.get(reverse("tasks:report_detail", args=[waiting.pk]))
    page = page.content.decode()
    assert "Vi har skiftet låsen." in page
    assert (
        da("Answered by the site's owner, %(owner)s.", owner=escape(club.name)) in page
    )


def test_staff_answer_a_report_at_a_municipal_site(
    staff, municipal, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.report_answer(
            actor=staff, report=municipal, state=R.DECLINED, answer="Ikke vores"
        )

    municipal.refresh_from_db()
    assert municipal.state == R.DECLINED
    assert [m.to for m in mailoutbox] == [[municipal.reporter.email]]


def test_an_answer_without_words_is_refused_keeping_the_choice(
    client, club_organiser, waiting, mailoutbox
):
    client.force_login(club_organiser)

    response = client.post(
        _answer_url(waiting), {"answer-state": R.DECLINED, "answer-answer": "  "}
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert da("Please write a few words for the resident.") in page
    assert re.search(rf'<input[^>]*value="{R.DECLINED}"[^>]*checked', page)
    assert not re.search(rf'<input[^>]*value="{R.RESOLVED}"[^>]*checked', page)
    unchanged(waiting)
    assert mailoutbox == []


def test_an_answer_already_given_is_not_given_again(
    client, club_organiser, waiting, mailoutbox, django_capture_on_commit_callbacks
):
    services.report_answer(
        actor=club_organiser, report=waiting, state=R.RESOLVED, answer="Ordnet"
    )
    waiting.refresh_from_db()
    client.force_login(club_organiser)
    page = client.get(_detail(waiting)).content.decode()
    assert f'action="{_answer_url(waiting)}"' not in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _answer_url(waiting),
            {"answer-state": R.DECLINED, "answer-answer": "Alligevel ikke"},
            follow=True,
        )

    assert da("This report has already been answered.") in response.content.decode()
    unchanged(waiting)
    assert waiting.answer == "Ordnet"
    assert mailoutbox == []


@pytest.mark.parametrize(
    ("who", "error"),
    [
        ("stranger", TaskNotPermitted),
        ("club member", TaskNotPermitted),
        ("other organiser", TaskNotPermitted),
        ("staff", TaskNotPermitted),
    ],
)
def test_only_the_owners_organisers_may_answer(
    waiting, stranger, club_member, other_club_organiser, staff, who, error
):
    actor = {
        "stranger": stranger,
        "club member": club_member,
        "other organiser": other_club_organiser,
        "staff": staff,
    }[who]

    with pytest.raises(error):
        services.report_answer(
            actor=actor, report=waiting, state=R.RESOLVED, answer="Ordnet"
        )

    unchanged(waiting)


@pytest.mark.parametrize("who", ["club organiser", "stranger"])
def test_only_staff_answer_for_the_municipality(
    municipal, club_organiser, stranger, who
):
    actor = club_organiser if who == "club organiser" else stranger

    with pytest.raises(TaskNotPermitted):
        services.report_answer(
            actor=actor, report=municipal, state=R.RESOLVED, answer="Ordnet"
        )

    unchanged(municipal)


@pytest.mark.parametrize(
    ("state", "answer", "field"),
    [
        (R.TASKED, "Ordnet", "state"),
        (R.OPEN, "Ordnet", "state"),
        (R.RESOLVED, "   ", "answer"),
        (R.RESOLVED, "x" * 2001, "answer"),
    ],
)
def test_an_answer_missing_something_is_refused(
    club_organiser, waiting, state, answer, field
):
    with pytest.raises(TaskError) as exc:
        services.report_answer(
            actor=club_organiser, report=waiting, state=state, answer=answer
        )

    assert exc.value.field == field
    unchanged(waiting)


def test_a_report_passed_on_as_a_task_cannot_be_answered(
    club_organiser, resident, pitch, agreement
):
    tasked = report(resident, pitch, kind="mowing")
    Facility.objects.filter(pk=pitch.pk).update(owner=agreement.client)
    tasked.refresh_from_db()

    with pytest.raises(services.ReportSettled) as exc:
        services.report_answer(
            actor=club_organiser, report=tasked, state=R.RESOLVED, answer="Ordnet"
        )

    assert str(exc.value.message) == da(
        "This report has already been passed on as a task."
    )
    tasked.refresh_from_db()
    assert (tasked.state, tasked.answer) == (R.TASKED, "")


def test_answering_is_rate_limited(club_organiser, waiting, monkeypatch):
    monkeypatch.setitem(LIMITS, "report-answer", Limit(0, HOUR))

    with pytest.raises(RateLimited):
        services.report_answer(
            actor=club_organiser, report=waiting, state=R.RESOLVED, answer="Ordnet"
        )

    unchanged(waiting)


# --- passing on as a task


@pytest.fixture
def repairs(club, club_organiser, clubhouse, db) -> Agreement:
    """An agreement in force, made after the report, for repairs at the
    clubhouse with another firm."""
    firm = CommunityFactory(name="Byg og Fix", kind=Community.Kind.CONTRACTOR)
    invited = agreements.agreement_invite(
        actor=club_organiser,
        client=club,
        contractor=firm,
        title="Reparationer",
        sites=[clubhouse],
        work_kinds=["repairs"],
    )
    return agreements.agreement_answer(
        actor=organiser_of(firm), agreement=invited, accept=True
    )


def test_the_owner_passes_a_report_on_once_an_agreement_covers_it(
    client, club_organiser, waiting, repairs, resident, mailoutbox
):
    client.force_login(club_organiser)
    page = client.get(_detail(waiting)).content.decode()
    assert f'action="{_pass_on_url(waiting)}"' in page
    assert escape(repairs.contractor.name) in page

    response = client.post(_pass_on_url(waiting), follow=True)

    assert response.redirect_chain[-1][0] == _detail(waiting)
    waiting.refresh_from_db()
    assert waiting.state == R.TASKED
    task = waiting.task
    assert (task.agreement, task.site, task.kind) == (
        repairs,
        waiting.site,
        "repairs",
    )
    assert task.instructions == waiting.description
    assert task.window_until - task.window_from == timedelta(days=7)
    step = task.steps.get()
    assert (step.action, step.actor, step.side) == (
        "created",
        club_organiser,
        Side.CLIENT,
    )
    page = response.content.decode()
    assert (
        da(
            "The report is passed on to %(contractor)s as a task.",
            contractor=escape(repairs.contractor.name),
        )
        in page
    )
    assert f'action="{_answer_url(waiting)}"' not in page
    # The reporter's page says who does it now; the answer comes when it ends.
    client.force_login(resident)
    mine = client.get(reverse("tasks:report_detail", args=[waiting.pk]))
    assert escape(repairs.contractor.name) in mine.content.decode()
    assert mailoutbox == []


def test_a_report_nothing_covers_cannot_be_passed_on(client, club_organiser, waiting):
    client.force_login(club_organiser)

    response = client.post(_pass_on_url(waiting), follow=True)

    assert (
        da("No agreement in force covers this kind of work at this site.")
        in response.content.decode()
    )
    unchanged(waiting)


def test_an_answered_report_cannot_be_passed_on(club_organiser, waiting, repairs):
    services.report_answer(
        actor=club_organiser, report=waiting, state=R.DECLINED, answer="Nej"
    )
    waiting.refresh_from_db()

    with pytest.raises(services.ReportSettled):
        services.report_pass_on(actor=club_organiser, report=waiting)

    unchanged(waiting)


def test_only_those_who_look_after_the_site_pass_it_on(
    waiting, repairs, club_member, other_club_organiser, staff
):
    for actor in (club_member, other_club_organiser, staff):
        with pytest.raises(TaskNotPermitted):
            services.report_pass_on(actor=actor, report=waiting)

    unchanged(waiting)


def test_passing_on_is_rate_limited(club_organiser, waiting, repairs, monkeypatch):
    monkeypatch.setitem(LIMITS, "task-create", Limit(0, HOUR))

    with pytest.raises(RateLimited):
        services.report_pass_on(actor=club_organiser, report=waiting)

    unchanged(waiting)


# --- the calendar's facility page links to the form


def test_the_facility_page_links_a_resident_to_the_report_form(client, resident, pitch):
    client.force_login(resident)

    page = client.get(reverse("agenda:facility", args=[pitch.slug])).content.decode()

    assert f'href="{reverse("tasks:report", args=[pitch.slug])}"' in page
    assert da("Report a problem here") in page


def test_the_facility_page_asks_a_visitor_to_log_in_to_report(client, pitch):
    page = client.get(reverse("agenda:facility", args=[pitch.slug])).content.decode()

    form = reverse("tasks:report", args=[pitch.slug])
    assert da("Log in to report a problem") in page
    assert f'href="{reverse("account_login")}?next={form.replace("/", "%2F")}"' in page
    assert f'href="{form}"' not in page
