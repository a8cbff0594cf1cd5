"""The pages that manage the task board: inviting a contractor, the answer,
changing, sharing and ending an agreement, who may act, pre-approved times,
recurring jobs, series and one-off tasks; a task's thread and crew; and
residents' problem reports. Each page is for the right people only, each
post changes what it should through its service, and a refusal keeps what
was typed."""

from datetime import time, timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from agenda import recurrence
from communities.models import Community
from messaging.models import Conversation
from tasks.models import (
    Agreement,
    AgreementActor,
    PreapprovedWindow,
    ProblemReport,
    Task,
    TaskSeries,
    TaskTemplate,
)
from tasks.services import agreements, work
from tests.factories import CommunityFactory, UserFactory, member_of, organiser_of
from tests.tasks.conftest import CHECKLIST, at, da

pytestmark = pytest.mark.django_db


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _said(text: str, **params) -> str:
    """A message as an HTML page shows it: in Danish, escaped."""
    return escape(da(text, **params))


def _local(moment) -> str:
    """``moment`` as a datetime-local input sends it."""
    return f"{recurrence.local(moment):%Y-%m-%dT%H:%M}"


def _day(offset: int) -> str:
    return (timezone.localdate() + timedelta(days=offset)).isoformat()


def _url(name: str, *args) -> str:
    return reverse(f"tasks:{name}", args=args)


@pytest.fixture
def other_firm(db) -> Community:
    return CommunityFactory(
        name="Park og Vej A/S", slug="park-og-vej", kind=Community.Kind.CONTRACTOR
    )


@pytest.fixture
def club_member(club):
    """A member of the club, neither its organiser nor named on the agreement."""
    return member_of(club)


# --- inviting a contractor


def test_the_clubs_organiser_gets_the_invitation_form(
    client, club_organiser, club, firm, other_firm, pitch
):
    other_club = CommunityFactory(
        name="Nabo Gymnastik", kind=Community.Kind.ASSOCIATION
    )
    client.force_login(club_organiser)

    page = _page(client, _url("agreement_new", club.slug))

    assert firm.name in page
    assert other_firm.name in page
    # Only contractors are offered.
    assert other_club.name not in page
    assert f'name="sites" value="{pitch.pk}"' in page
    assert 'name="work_kinds" value="mowing"' in page


@pytest.mark.parametrize("who", ["firm_organiser", "club_member", "stranger"])
def test_only_the_clubs_organisers_may_invite_for_it(client, request, club, who):
    client.force_login(request.getfixturevalue(who))

    response = client.get(_url("agreement_new", club.slug))

    assert response.status_code == 403


def test_a_contractor_cannot_invite_another_contractor(client, firm_organiser, firm):
    client.force_login(firm_organiser)

    response = client.get(_url("agreement_new", firm.slug))

    assert response.status_code == 403


def test_inviting_a_contractor_makes_an_invited_agreement(
    client, club_organiser, club, other_firm, pitch
):
    client.force_login(club_organiser)

    response = client.post(
        _url("agreement_new", club.slug),
        {
            "contractor": other_firm.pk,
            "title": "Snerydning 2027",
            "terms": "Før kl. 7",
            "sites": [pitch.pk],
            "work_kinds": ["snow_clearing"],
        },
    )

    agreement = Agreement.objects.get(client=club, contractor=other_firm)
    assert response.status_code == 302
    assert response["Location"] == agreement.get_absolute_url()
    assert agreement.state == Agreement.State.INVITED
    assert agreement.title == "Snerydning 2027"
    assert agreement.terms == "Før kl. 7"
    assert list(agreement.sites.all()) == [pitch]
    assert agreement.work_kinds == ["snow_clearing"]
    assert agreement.invited_by == club_organiser


def test_a_second_invitation_of_the_same_firm_is_refused_keeping_what_was_typed(
    client, club_organiser, club, firm, pitch, invited
):
    client.force_login(club_organiser)

    response = client.post(
        _url("agreement_new", club.slug),
        {
            "contractor": firm.pk,
            "title": "Endnu en aftale",
            "terms": "Hver fredag",
            "sites": [pitch.pk],
            "work_kinds": ["mowing"],
        },
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert (
        _said(
            "%(client)s already has an agreement with %(contractor)s.",
            client=club.name,
            contractor=firm.name,
        )
        in page
    )
    assert 'value="Endnu en aftale"' in page
    assert "Hver fredag" in page
    assert Agreement.objects.filter(client=club, contractor=firm).count() == 1


def test_an_invitation_without_kinds_of_work_is_refused_keeping_what_was_typed(
    client, club_organiser, club, other_firm, pitch
):
    client.force_login(club_organiser)

    response = client.post(
        _url("agreement_new", club.slug),
        {"contractor": other_firm.pk, "title": "Snerydning", "sites": [pitch.pk]},
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert _said("Please choose at least one kind of work.") in page
    assert 'value="Snerydning"' in page
    assert not Agreement.objects.filter(contractor=other_firm).exists()


def test_the_club_board_links_its_organisers_to_the_invitation(
    client, club_organiser, club_member, club, invited
):
    link = f'href="{_url("agreement_new", club.slug)}"'

    client.force_login(club_organiser)
    organiser_page = _page(client, _url("board", club.slug))
    client.force_login(club_member)
    member_page = _page(client, _url("board", club.slug))

    assert link in organiser_page
    assert link not in member_page


def test_an_organiser_without_agreements_is_offered_to_invite_a_contractor(
    client, club_organiser, club
):
    client.force_login(club_organiser)

    page = _page(client, _url("boards"))

    assert f'href="{_url("agreement_new", club.slug)}"' in page


# --- the contractor's answer


def test_only_the_firms_organiser_is_asked_to_accept_or_decline(
    client, firm_organiser, club_organiser, firm_staff, invited
):
    client.force_login(firm_organiser)
    firm_page = _page(client, invited.get_absolute_url())
    client.force_login(club_organiser)
    club_page = _page(client, invited.get_absolute_url())
    client.force_login(firm_staff)
    staff_page = _page(client, invited.get_absolute_url())

    assert 'name="answer-answer" value="accept"' in firm_page
    assert 'name="answer-answer" value="decline"' in firm_page
    assert 'name="answer-answer"' not in club_page
    assert 'name="answer-answer"' not in staff_page


@pytest.mark.parametrize(
    ("answer", "state"),
    [("accept", Agreement.State.ACTIVE), ("decline", Agreement.State.DECLINED)],
)
def test_the_firms_organiser_answers_the_invitation(
    client, firm_organiser, invited, answer, state
):
    client.force_login(firm_organiser)

    response = client.post(
        _url("agreement_answer", invited.pk), {"answer-answer": answer}
    )

    assert response.status_code == 302
    invited.refresh_from_db()
    assert invited.state == state
    assert invited.answered_by == firm_organiser


def test_the_club_cannot_answer_for_the_firm(client, club_organiser, invited):
    client.force_login(club_organiser)

    response = client.post(
        _url("agreement_answer", invited.pk), {"answer-answer": "accept"}
    )

    assert response.status_code == 403
    assert _said("Only the contractor's organisers can change this.") in (
        response.content.decode()
    )
    invited.refresh_from_db()
    assert invited.state == Agreement.State.INVITED


def test_an_answer_that_is_neither_is_refused(client, firm_organiser, invited):
    client.force_login(firm_organiser)

    response = client.post(
        _url("agreement_answer", invited.pk), {"answer-answer": "maybe"}
    )

    assert response.status_code == 400
    invited.refresh_from_db()
    assert invited.state == Agreement.State.INVITED


# --- changing, sharing, ending


def test_the_clubs_organiser_edits_the_agreement(client, club_organiser, agreement):
    client.force_login(club_organiser)
    form_page = _page(client, _url("agreement_edit", agreement.pk))

    response = client.post(
        _url("agreement_edit", agreement.pk),
        {
            "title": "Græs og kridt 2027",
            "terms": "Kridt før hver hjemmekamp",
            "sites": [s.pk for s in agreement.sites.all()],
            "work_kinds": ["mowing", "line_marking"],
        },
    )

    assert f'value="{agreement.title}"' in form_page
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.title == "Græs og kridt 2027"
    assert agreement.terms == "Kridt før hver hjemmekamp"
    assert agreement.work_kinds == ["mowing", "line_marking"]


def test_an_edit_without_sites_is_refused_keeping_what_was_typed(
    client, club_organiser, agreement
):
    client.force_login(club_organiser)

    response = client.post(
        _url("agreement_edit", agreement.pk),
        {"title": "Uden baner", "terms": "Intet", "work_kinds": ["mowing"]},
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert _said("Please choose at least one site.") in page
    assert 'value="Uden baner"' in page
    agreement.refresh_from_db()
    assert agreement.title == "Græsslåning 2027"
    assert agreement.sites.count() == 1


def test_the_firm_cannot_edit_the_agreement(client, firm_organiser, agreement):
    client.force_login(firm_organiser)

    response = client.get(_url("agreement_edit", agreement.pk))
    posted = client.post(
        _url("agreement_edit", agreement.pk),
        {"title": "Ændret", "sites": [], "work_kinds": ["mowing"]},
    )

    assert response.status_code == 403
    assert posted.status_code == 403
    agreement.refresh_from_db()
    assert agreement.title == "Græsslåning 2027"


def test_only_organisers_see_the_management_links(
    client, club_organiser, firm_staff, agreement
):
    edit = f'href="{_url("agreement_edit", agreement.pk)}"'
    end = f'href="{_url("agreement_end", agreement.pk)}"'

    client.force_login(club_organiser)
    club_page = _page(client, agreement.get_absolute_url())
    client.force_login(firm_staff)
    staff_page = _page(client, agreement.get_absolute_url())

    assert edit in club_page
    assert end in club_page
    assert f'href="{_url("agreement_template_new", agreement.pk)}"' in club_page
    assert f'href="{_url("agreement_task_new", agreement.pk)}"' in club_page
    assert edit not in staff_page
    assert end not in staff_page
    assert 'name="share-shared"' not in staff_page
    assert 'name="window-weekday"' not in staff_page


def test_each_side_shares_with_the_municipality_for_itself(
    client, club_organiser, firm_organiser, agreement
):
    client.force_login(club_organiser)
    response = client.post(
        _url("agreement_share", agreement.pk), {"share-shared": "1"}, follow=True
    )

    agreement.refresh_from_db()
    assert agreement.shared_by_client
    assert not agreement.shared_by_contractor
    assert not agreement.shared_with_municipality
    assert 'name="share-shared" value="0"' in response.content.decode()

    client.force_login(firm_organiser)
    client.post(_url("agreement_share", agreement.pk), {"share-shared": "1"})

    agreement.refresh_from_db()
    assert agreement.shared_with_municipality


def test_a_firms_staff_cannot_share_the_agreement(client, firm_staff, agreement):
    client.force_login(firm_staff)

    response = client.post(_url("agreement_share", agreement.pk), {"share-shared": "1"})

    assert response.status_code == 403
    agreement.refresh_from_db()
    assert not agreement.shared_by_contractor
    assert not agreement.shared_by_client


def test_ending_asks_first_then_ends_and_cancels_the_open_tasks(
    client, firm_organiser, agreement, task
):
    client.force_login(firm_organiser)
    confirm = _page(client, _url("agreement_end", agreement.pk))
    agreement.refresh_from_db()
    asked = agreement.state

    response = client.post(
        _url("agreement_end", agreement.pk), {"end-reason": "Firmaet lukker"}
    )

    assert 'name="end-reason"' in confirm
    # Asking did not end it: only the post did.
    assert asked == Agreement.State.ACTIVE
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.state == Agreement.State.ENDED
    task.refresh_from_db()
    assert task.state == Task.State.CANCELLED
    assert task.steps.last().note == "Firmaet lukker"


def test_a_firms_staff_cannot_end_the_agreement(client, firm_staff, agreement):
    client.force_login(firm_staff)

    response = client.get(_url("agreement_end", agreement.pk))
    posted = client.post(_url("agreement_end", agreement.pk), {"end-reason": "Nej"})

    assert response.status_code == 403
    assert posted.status_code == 403
    agreement.refresh_from_db()
    assert agreement.state == Agreement.State.ACTIVE


def test_an_agreement_already_ended_is_not_ended_twice(
    client, club_organiser, agreement
):
    agreements.agreement_end(actor=club_organiser, agreement=agreement)
    client.force_login(club_organiser)

    response = client.post(_url("agreement_end", agreement.pk), {"end-reason": "Igen"})

    assert response.status_code == 400
    page = response.content.decode()
    assert _said("This agreement has already ended.") in page
    assert "Igen" in page


# --- who may act


def test_the_club_names_one_of_its_members_who_may_act(
    client, club_organiser, club_member, firm_staff, agreement
):
    client.force_login(club_organiser)
    page = _page(client, agreement.get_absolute_url())

    response = client.post(
        _url("agreement_actor_add", agreement.pk, "client"),
        {"actor_client-user": club_member.pk},
    )

    assert escape(club_member.public_name) in page
    # Another community's people are not offered.
    assert escape(firm_staff.public_name) not in page
    assert response.status_code == 302
    row = AgreementActor.objects.get(agreement=agreement, user=club_member)
    assert row.side == "client"


def test_someone_of_the_other_side_cannot_be_named_for_the_club(
    client, club_organiser, firm_staff, agreement
):
    client.force_login(club_organiser)

    response = client.post(
        _url("agreement_actor_add", agreement.pk, "client"),
        {"actor_client-user": firm_staff.pk},
    )

    assert response.status_code == 400
    assert _said("Please choose one of the community's members.") in (
        response.content.decode()
    )
    assert not AgreementActor.objects.filter(agreement=agreement).exists()


def test_the_club_cannot_name_people_for_the_firm(
    client, club_organiser, firm_staff, agreement
):
    client.force_login(club_organiser)

    response = client.post(
        _url("agreement_actor_add", agreement.pk, "contractor"),
        {"actor_contractor-user": firm_staff.pk},
    )

    assert response.status_code == 403
    assert not AgreementActor.objects.filter(agreement=agreement).exists()


def test_the_firm_takes_someone_off_the_agreement(
    client, firm_organiser, firm_staff, agreement
):
    agreements.actor_add(
        actor=firm_organiser, agreement=agreement, user=firm_staff, side="contractor"
    )
    client.force_login(firm_organiser)
    remove = _url("agreement_actor_remove", agreement.pk, firm_staff.pk)

    page = _page(client, agreement.get_absolute_url())
    response = client.post(remove)

    assert f'action="{remove}"' in page
    assert response.status_code == 302
    assert not AgreementActor.objects.filter(agreement=agreement).exists()


# --- pre-approved times


def test_the_club_pre_approves_a_weekly_time(client, club_organiser, agreement):
    client.force_login(club_organiser)

    response = client.post(
        _url("agreement_window_add", agreement.pk),
        {
            "window-weekday": "4",
            "window-opens": "06:00",
            "window-closes": "10:00",
            "window-site": "",
        },
    )

    assert response.status_code == 302
    window = PreapprovedWindow.objects.get(agreement=agreement)
    assert window.weekday == 4
    assert f"{window.opens:%H:%M}-{window.closes:%H:%M}" == "06:00-10:00"
    assert window.site is None


def test_a_time_that_ends_before_it_starts_is_refused_keeping_what_was_typed(
    client, club_organiser, agreement, pitch
):
    client.force_login(club_organiser)

    response = client.post(
        _url("agreement_window_add", agreement.pk),
        {
            "window-weekday": "2",
            "window-opens": "10:00",
            "window-closes": "06:00",
            "window-site": str(pitch.pk),
        },
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert _said("The end must come after the start.") in page
    assert 'name="window-opens" value="10:00"' in page
    assert 'name="window-closes" value="06:00"' in page
    assert f'<option value="{pitch.pk}" selected>' in page
    assert not PreapprovedWindow.objects.exists()


def test_the_firm_cannot_pre_approve_times(client, firm_organiser, agreement):
    client.force_login(firm_organiser)

    page = _page(client, agreement.get_absolute_url())
    response = client.post(
        _url("agreement_window_add", agreement.pk),
        {"window-weekday": "4", "window-opens": "06:00", "window-closes": "10:00"},
    )

    assert 'name="window-weekday"' not in page
    assert response.status_code == 403
    assert not PreapprovedWindow.objects.exists()


def test_the_club_removes_a_pre_approved_time(client, club_organiser, agreement):
    window = agreements.window_add(
        actor=club_organiser,
        agreement=agreement,
        weekday=1,
        opens=time(6),
        closes=time(9),
    )
    client.force_login(club_organiser)

    response = client.post(_url("agreement_window_remove", agreement.pk, window.pk))

    assert response.status_code == 302
    assert not PreapprovedWindow.objects.exists()


# --- recurring jobs


def test_either_sides_organiser_adds_a_recurring_job(client, firm_organiser, agreement):
    client.force_login(firm_organiser)
    _page(client, _url("agreement_template_new", agreement.pk))

    response = client.post(
        _url("agreement_template_new", agreement.pk),
        {
            "title": "Slå græs",
            "kind": "mowing",
            "checklist": "\n".join(CHECKLIST) + "\n\n",
            "instructions": "Start ved mål A.",
            "duration": "90",
            "blocks_site": "on",
        },
    )

    assert response.status_code == 302
    template = TaskTemplate.objects.get(agreement=agreement)
    assert template.title == "Slå græs"
    assert template.checklist == CHECKLIST
    assert template.instructions == "Start ved mål A."
    assert template.duration == timedelta(minutes=90)
    assert template.blocks_site


def test_a_job_that_takes_too_little_time_is_refused_keeping_what_was_typed(
    client, club_organiser, agreement
):
    client.force_login(club_organiser)

    response = client.post(
        _url("agreement_template_new", agreement.pk),
        {
            "title": "Hurtigt",
            "kind": "mowing",
            "checklist": "Kig på banen",
            "duration": "5",
        },
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert 'value="Hurtigt"' in page
    assert "Kig på banen" in page
    assert not TaskTemplate.objects.exists()


def test_a_job_of_a_kind_the_agreement_does_not_cover_is_not_offered(
    client, club_organiser, agreement
):
    client.force_login(club_organiser)

    page = _page(client, _url("agreement_template_new", agreement.pk))
    response = client.post(
        _url("agreement_template_new", agreement.pk),
        {"title": "Sne", "kind": "snow_clearing", "duration": "60"},
    )

    assert '<option value="mowing">' in page
    assert 'value="snow_clearing"' not in page
    assert response.status_code == 400
    assert not TaskTemplate.objects.exists()


def test_a_firms_staff_gets_no_job_form(client, firm_staff, agreement):
    client.force_login(firm_staff)

    assert client.get(_url("agreement_template_new", agreement.pk)).status_code == 403
    assert client.get(_url("agreement_series_new", agreement.pk)).status_code == 403


# --- series


def test_a_weekly_series_plans_its_tasks_until_the_last_date(
    client, club_organiser, agreement, template, pitch
):
    first = timezone.localdate() + timedelta(days=1)
    client.force_login(club_organiser)

    response = client.post(
        _url("agreement_series_new", agreement.pk),
        {
            "template": template.pk,
            "site": pitch.pk,
            "mode": "rule",
            "first_day": first.isoformat(),
            "first_time": "07:00",
            "weekday": str(first.weekday()),
            "until": _day(29),
            "offset": "0",
            "window": "2",
        },
    )

    assert response.status_code == 302
    series = TaskSeries.objects.get(agreement=agreement)
    assert series.mode == TaskSeries.Mode.RULE
    assert series.starts_at == at(1, 7)
    assert "FREQ=WEEKLY" in series.rrule
    assert f"BYDAY={recurrence.WEEKDAYS[first.weekday()]}" in series.rrule
    assert series.window == timedelta(days=2)
    # Days 1, 8, 15, 22 and 29.
    assert series.tasks.count() == 5
    assert series.tasks.order_by("window_from").first().window_from == at(1, 7)


def test_a_series_before_the_clubs_event_ties_its_task_to_it(
    client, club_organiser, agreement, template, pitch, make_event
):
    event = make_event()
    client.force_login(club_organiser)
    page = _page(client, _url("agreement_series_new", agreement.pk))

    response = client.post(
        _url("agreement_series_new", agreement.pk),
        {
            "template": template.pk,
            "site": pitch.pk,
            "mode": "before",
            "event": event.pk,
            "first_time": "07:00",
            "offset": "18",
            "window": "2",
        },
    )

    assert event.title in page
    assert response.status_code == 302
    series = TaskSeries.objects.get(agreement=agreement)
    assert series.event == event
    assert series.offset == timedelta(hours=18)
    assert series.rrule == ""
    made = series.tasks.get()
    assert made.window_until == at(7, 14) - timedelta(hours=18)


def test_a_weekly_series_needs_its_last_date(
    client, club_organiser, agreement, template, pitch
):
    client.force_login(club_organiser)

    response = client.post(
        _url("agreement_series_new", agreement.pk),
        {
            "template": template.pk,
            "site": pitch.pk,
            "mode": "rule",
            "first_day": _day(1),
            "first_time": "07:00",
            "weekday": "0",
            "offset": "0",
            "window": "2",
        },
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert _said("Please give the last date.") in page
    assert f'value="{_day(1)}"' in page
    assert not TaskSeries.objects.exists()


def test_a_series_on_an_agreement_not_yet_in_force_is_refused_keeping_what_was_typed(
    client, club_organiser, invited, pitch
):
    job = agreements.template_save(
        actor=club_organiser, agreement=invited, title="Slå græs", kind="mowing"
    )
    client.force_login(club_organiser)

    response = client.post(
        _url("agreement_series_new", invited.pk),
        {
            "template": job.pk,
            "site": pitch.pk,
            "mode": "rule",
            "first_day": _day(1),
            "first_time": "07:00",
            "weekday": "0",
            "until": _day(60),
            "offset": "0",
            "window": "2",
        },
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert _said("The agreement behind this task is not in force.") in page
    assert f'value="{_day(60)}"' in page
    assert not TaskSeries.objects.exists()


# --- one-off tasks


def test_the_club_adds_a_one_off_task(client, club_organiser, agreement, pitch):
    client.force_login(club_organiser)
    _page(client, _url("agreement_task_new", agreement.pk))

    response = client.post(
        _url("agreement_task_new", agreement.pk),
        {
            "title": "Ekstra slåning",
            "kind": "mowing",
            "site": pitch.pk,
            "window_from": _local(at(2, 6)),
            "window_until": _local(at(4, 20)),
            "duration": "60",
            "checklist": "Slå\nRiv",
            "instructions": "",
        },
    )

    made = Task.objects.get(title="Ekstra slåning")
    assert response.status_code == 302
    assert response["Location"] == made.get_absolute_url()
    assert made.agreement == agreement
    assert made.window_from == at(2, 6)
    assert made.window_until == at(4, 20)
    assert made.duration == timedelta(minutes=60)
    assert made.checklist == ["Slå", "Riv"]


def test_a_task_whose_time_has_passed_is_refused_keeping_what_was_typed(
    client, club_organiser, agreement, pitch
):
    client.force_login(club_organiser)

    response = client.post(
        _url("agreement_task_new", agreement.pk),
        {
            "title": "For sent",
            "kind": "mowing",
            "site": pitch.pk,
            "window_from": _local(at(-3, 6)),
            "window_until": _local(at(-2, 20)),
            "duration": "60",
            "checklist": "Slå",
        },
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert _said("The time to do the task in has already passed.") in page
    assert 'value="For sent"' in page
    assert not Task.objects.filter(title="For sent").exists()


def test_a_firms_staff_cannot_add_tasks(client, firm_staff, agreement):
    client.force_login(firm_staff)

    assert client.get(_url("agreement_task_new", agreement.pk)).status_code == 403


# --- a task's thread and crew


def _thread_of(task: Task):
    return Conversation.objects.filter(
        content_type=ContentType.objects.get_for_model(Task), object_id=task.pk
    ).first()


def test_either_side_opens_the_tasks_conversation(client, club_organiser, task):
    client.force_login(club_organiser)
    page = _page(client, task.get_absolute_url())

    response = client.post(_url("task_thread", task.pk))

    assert f'action="{_url("task_thread", task.pk)}"' in page
    thread = _thread_of(task)
    assert thread is not None
    assert response.status_code == 302
    assert response["Location"] == thread.get_absolute_url()
    assert thread.participants.filter(user=club_organiser).exists()


def test_a_firms_staff_cannot_open_the_tasks_conversation(client, firm_staff, task):
    client.force_login(firm_staff)
    page = _page(client, task.get_absolute_url())

    response = client.post(_url("task_thread", task.pk))

    assert f'action="{_url("task_thread", task.pk)}"' not in page
    assert response.status_code == 403
    assert _thread_of(task) is None


@pytest.fixture
def crew(firm_organiser, firm, firm_staff):
    return agreements.crew_create(
        actor=firm_organiser, contractor=firm, name="Hold Nord", members=[firm_staff]
    )


def test_the_firm_gives_a_task_to_one_of_its_crews(client, firm_organiser, task, crew):
    client.force_login(firm_organiser)
    page = _page(client, task.get_absolute_url())

    response = client.post(_url("task_crew", task.pk), {"crew-crew": crew.pk})

    assert 'name="crew-crew"' in page
    assert crew.name in page
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.crew == crew
    assert task.steps.filter(action="crew").exists()


def test_the_club_cannot_choose_the_firms_crew(client, club_organiser, task, crew):
    client.force_login(club_organiser)
    page = _page(client, task.get_absolute_url())

    response = client.post(_url("task_crew", task.pk), {"crew-crew": crew.pk})

    assert 'name="crew-crew"' not in page
    assert response.status_code == 403
    task.refresh_from_db()
    assert task.crew is None


def test_another_firms_crew_cannot_be_chosen(client, firm_organiser, task, other_firm):
    theirs = agreements.crew_create(
        actor=organiser_of(other_firm), contractor=other_firm, name="Deres hold"
    )
    client.force_login(firm_organiser)

    response = client.post(_url("task_crew", task.pk), {"crew-crew": theirs.pk})

    assert response.status_code == 400
    assert 'name="crew-crew"' in response.content.decode()
    task.refresh_from_db()
    assert task.crew is None


# --- residents' problem reports


@pytest.fixture
def resident(db):
    return UserFactory(display_name="Beboer")


def test_a_resident_gets_the_report_form_of_a_site(client, resident, pitch):
    client.force_login(resident)

    page = _page(client, _url("report", pitch.slug))

    assert pitch.name in page
    assert 'name="kind"' in page
    assert 'name="description"' in page


def test_reporting_needs_a_login(client, pitch):
    response = client.get(_url("report", pitch.slug))

    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_a_report_of_covered_work_goes_to_the_contractor(
    client, resident, pitch, agreement, firm, club
):
    client.force_login(resident)

    response = client.post(
        _url("report", pitch.slug),
        {"kind": "mowing", "description": "Græsset er knæhøjt ved mål B."},
        follow=True,
    )

    report = ProblemReport.objects.get(reporter=resident)
    assert report.state == ProblemReport.State.TASKED
    assert report.task.agreement == agreement
    assert response.redirect_chain[-1][0] == _url("report_detail", report.pk)
    page = response.content.decode()
    assert _said("Thank you for your report.") in page
    assert (
        da(
            "Passed on to %(contractor)s, who does this work here for %(client)s.",
            contractor=escape(firm.name),
            client=escape(club.name),
        )
        in page
    )


def test_a_report_nobody_covers_waits_for_the_sites_owner(
    client, resident, pitch, agreement
):
    client.force_login(resident)

    response = client.post(
        _url("report", pitch.slug),
        {"kind": "repairs", "description": "Målet er knækket."},
        follow=True,
    )

    report = ProblemReport.objects.get(reporter=resident)
    assert report.state == ProblemReport.State.OPEN
    assert not Task.objects.filter(report=report).exists()
    # A translate tag's own text is not escaped (only its variables are).
    assert (
        da(
            "No contractor takes care of this kind of work here, so the report "
            "waits for the site's owner, the municipality."
        )
        in response.content.decode()
    )


def test_a_report_of_a_site_a_club_owns_names_the_club(client, resident, pitch, club):
    pitch.owner = club
    pitch.save()
    client.force_login(resident)

    response = client.post(
        _url("report", pitch.slug),
        {"kind": "repairs", "description": "Hegnet er væltet."},
        follow=True,
    )

    # Said by {% blocktranslate %}: its own words are not escaped, the name is.
    assert (
        da(
            "No contractor takes care of this kind of work here, so the report "
            "waits for the site's owner, %(owner)s.",
            owner=escape(club.name),
        )
        in response.content.decode()
    )


def test_a_report_without_a_description_is_refused_keeping_the_kind(
    client, resident, pitch
):
    client.force_login(resident)

    response = client.post(
        _url("report", pitch.slug), {"kind": "mowing", "description": "   "}
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert _said("Please say what is wrong.") in page
    assert '<option value="mowing" selected>' in page
    assert not ProblemReport.objects.exists()


def test_the_reports_page_lists_ones_own_reports_with_their_state(
    client, resident, stranger, pitch, agreement
):
    mine = work.problem_report(
        actor=resident, site=pitch, kind="mowing", description="Mit græs"
    )
    work.problem_report(
        actor=stranger, site=pitch, kind="mowing", description="Andres græs"
    )
    client.force_login(resident)

    page = _page(client, _url("reports"))

    assert "Mit græs" in page
    assert "Andres græs" not in page
    assert f'href="{_url("report_detail", mine.pk)}"' in page
    assert mine.state == ProblemReport.State.TASKED
    assert escape(da(ProblemReport.State.TASKED.label)) in page
    assert f'href="{_url("report", pitch.slug)}"' in page


def test_someone_elses_report_is_not_shown(client, resident, stranger, pitch):
    theirs = work.problem_report(
        actor=stranger, site=pitch, kind="mowing", description="Andres græs"
    )
    client.force_login(resident)

    response = client.get(_url("report_detail", theirs.pk))

    assert response.status_code == 404
