"""Changing what an agreement plans: a recurring job edited (its tasks not
yet started follow, those under way keep what they had) or removed (never
while a series uses it); a series edited (its tasks still only planned are
made again from the new settings, those with times offered or agreed stay)
or stopped (its tasks still to come are cancelled, the agreed ones and their
bookings only when asked). Only the organisers of either side may, while the
agreement lasts; a refusal keeps what was typed and changes nothing."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from agenda import recurrence
from agenda.models import Booking, Category
from communities.models import Community
from tasks.errors import TaskConflict, TaskError, TaskNotPermitted
from tasks.models import Task, TaskSeries, TaskStep, TaskTemplate
from tasks.services import agreements, lifecycle, work
from tests.factories import CommunityFactory, member_of, organiser_of
from tests.helpers import session_queries
from tests.tasks.conftest import CHECKLIST, at, confirmed, da, da_in, proposed

pytestmark = pytest.mark.django_db

S = Task.State
# The weekly series' dates: tomorrow and every seven days on, to day 29.
DAYS = (1, 8, 15, 22, 29)


def _url(name: str, *args) -> str:
    return reverse(f"tasks:{name}", args=args)


def _said(text: str, **params) -> str:
    """A message as an HTML page shows it: in Danish, escaped."""
    return escape(da(text, **params))


def _day(offset: int) -> str:
    return (timezone.localdate() + timedelta(days=offset)).isoformat()


def _weekly_rule(until_day: int = 29) -> str:
    first = at(1, 7)
    return recurrence.Simple(
        freq="WEEKLY",
        weekdays=(recurrence.WEEKDAYS[first.weekday()],),
        until=timezone.localdate() + timedelta(days=until_day),
    ).to_rule(first)


def _task_on(series: TaskSeries, day: int) -> Task:
    """The series' task whose window opens on ``day`` (days from today)."""
    date = timezone.localdate() + timedelta(days=day)
    return next(
        t
        for t in series.tasks.exclude(state=S.CANCELLED)
        if recurrence.local(t.window_from).date() == date
    )


def _rule_form(series_or_template, pitch, **overrides) -> dict:
    """The series form as posted for the weekly series: a template (or the
    series' own), the pitch, from tomorrow 07:00 every week to day 29."""
    template = getattr(series_or_template, "template", series_or_template)
    data = {
        "template": template.pk,
        "site": pitch.pk,
        "mode": "rule",
        "first_day": _day(1),
        "first_time": "07:00",
        "weekday": str(at(1, 7).weekday()),
        "until": _day(29),
        "event": "",
        "event_category": "",
        "offset": "0",
        "window": "2",
        "crew": "",
    }
    data.update(overrides)
    return data


def _job_form(**overrides) -> dict:
    data = {
        "title": "Græsslåning",
        "kind": "mowing",
        "checklist": "\n".join(CHECKLIST),
        "instructions": "",
        "duration": "120",
    }
    data.update(overrides)
    return data


def _tasks(series: TaskSeries) -> list[tuple]:
    """What a refusal must leave as it was: each task of the series."""
    return list(
        series.tasks.order_by("pk").values_list(
            "pk", "state", "title", "duration", "window_from", "window_until", "crew"
        )
    )


@pytest.fixture
def weekly(club_organiser, template, pitch) -> TaskSeries:
    """The mowing job on a schedule at the pitch: five tasks planned, from
    tomorrow 07:00 every week, two days each."""
    return agreements.series_save(
        actor=club_organiser,
        template=template,
        site=pitch,
        mode=TaskSeries.Mode.RULE,
        starts_at=at(1, 7),
        rrule=_weekly_rule(),
    )


@pytest.fixture
def crew(firm_organiser, firm, firm_staff):
    return agreements.crew_create(
        actor=firm_organiser, contractor=firm, name="Hold Nord", members=[firm_staff]
    )


@pytest.fixture
def other_firm(db) -> Community:
    return CommunityFactory(
        name="Park og Vej A/S", slug="park-og-vej", kind=Community.Kind.CONTRACTOR
    )


@pytest.fixture
def other_firm_organiser(other_firm):
    return organiser_of(other_firm)


@pytest.fixture
def club_member(club):
    return member_of(club)


@pytest.fixture
def club_actor(club, club_organiser, agreement):
    """A club member the agreement names for the club: acts on its tasks,
    but does not plan its work."""
    person = member_of(club)
    agreements.actor_add(
        actor=club_organiser, agreement=agreement, user=person, side="client"
    )
    return person


@pytest.fixture
def pages(agreement, template, weekly) -> dict[str, str]:
    return {
        "agreement_template_edit": _url(
            "agreement_template_edit", agreement.pk, template.pk
        ),
        "agreement_template_remove": _url(
            "agreement_template_remove", agreement.pk, template.pk
        ),
        "agreement_series_edit": _url("agreement_series_edit", agreement.pk, weekly.pk),
        "agreement_series_stop": _url("agreement_series_stop", agreement.pk, weekly.pk),
    }


def _posted(name: str, weekly: TaskSeries, pitch) -> dict:
    """A valid post of page ``name`` that would change something."""
    return {
        "agreement_template_edit": _job_form(title="Ny titel", duration="60"),
        "agreement_template_remove": {},
        "agreement_series_edit": _rule_form(weekly, pitch, first_time="09:00"),
        "agreement_series_stop": {"stop-cancel_confirmed": "on"},
    }[name]


def _state(template: TaskTemplate, series: TaskSeries) -> tuple:
    template = TaskTemplate.objects.filter(pk=template.pk).values().first()
    row = TaskSeries.objects.filter(pk=series.pk).values().first()
    return template, row, _tasks(series)


# --- who may -------------------------------------------------------------------


PAGES = (
    "agreement_template_edit",
    "agreement_template_remove",
    "agreement_series_edit",
    "agreement_series_stop",
)


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("firm_staff", 403),
        ("club_member", 403),
        ("club_actor", 403),
        ("stranger", 404),
        ("other_firm_organiser", 404),
    ],
)
def test_only_the_organisers_of_either_side_may_change_jobs_and_series(
    client, request, pages, template, weekly, pitch, name, who, status
):
    client.force_login(request.getfixturevalue(who))
    before = _state(template, weekly)

    shown = client.get(pages[name])
    posted = client.post(pages[name], _posted(name, weekly, pitch))

    assert (shown.status_code, posted.status_code) == (status, status)
    assert _state(template, weekly) == before


@pytest.mark.parametrize("name", PAGES)
def test_changing_jobs_and_series_needs_a_login(
    client, pages, template, weekly, pitch, name
):
    before = _state(template, weekly)

    shown = client.get(pages[name])
    posted = client.post(pages[name], _posted(name, weekly, pitch))

    assert shown.status_code == posted.status_code == 302
    assert shown["Location"].startswith(reverse("account_login"))
    assert _state(template, weekly) == before


def test_a_job_or_series_of_another_agreement_is_not_found(
    client, template, weekly, pitch
):
    neighbour = CommunityFactory(name="Nabo IF", kind=Community.Kind.ASSOCIATION)
    their_organiser = organiser_of(neighbour)
    theirs = agreements.agreement_invite(
        actor=their_organiser,
        client=neighbour,
        contractor=CommunityFactory(kind=Community.Kind.CONTRACTOR),
        title="Andet",
        sites=[pitch],
        work_kinds=["mowing"],
    )
    client.force_login(their_organiser)

    for name in ("agreement_template_edit", "agreement_template_remove"):
        assert client.get(_url(name, theirs.pk, template.pk)).status_code == 404
    for name in ("agreement_series_edit", "agreement_series_stop"):
        assert client.get(_url(name, theirs.pk, weekly.pk)).status_code == 404


@pytest.mark.parametrize("who", ["firm_staff", "club_actor", "stranger"])
def test_the_services_refuse_whoever_organises_neither_side(
    request, template, weekly, pitch, who
):
    actor = request.getfixturevalue(who)
    before = _state(template, weekly)

    with pytest.raises(TaskNotPermitted):
        agreements.template_update(
            actor=actor, template=template, title="Ny", kind="mowing"
        )
    with pytest.raises(TaskNotPermitted):
        agreements.template_remove(actor=actor, template=template)
    with pytest.raises(TaskNotPermitted):
        agreements.series_update(
            actor=actor,
            series=weekly,
            template=template,
            site=pitch,
            mode="rule",
            starts_at=at(1, 9),
            rrule=_weekly_rule(),
        )
    with pytest.raises(TaskNotPermitted):
        agreements.series_stop(actor=actor, series=weekly)
    assert _state(template, weekly) == before


def test_the_other_sides_organiser_may_change_what_one_side_planned(
    client, firm_organiser, agreement, template, weekly, pitch
):
    # The club made the job and the series; the firm's organiser changes both.
    client.force_login(firm_organiser)

    job = client.post(
        _url("agreement_template_edit", agreement.pk, template.pk),
        _job_form(title="Slå og rive"),
    )
    series = client.post(
        _url("agreement_series_edit", agreement.pk, weekly.pk),
        _rule_form(weekly, pitch, window="3"),
    )

    assert (job.status_code, series.status_code) == (302, 302)
    template.refresh_from_db()
    weekly.refresh_from_db()
    assert template.title == "Slå og rive"
    assert weekly.window == timedelta(days=3)


def test_an_ended_agreements_jobs_and_series_cannot_be_changed(
    client, club_organiser, agreement, template, weekly, pitch, pages
):
    agreements.agreement_end(actor=club_organiser, agreement=agreement)
    before = _state(template, weekly)
    client.force_login(club_organiser)

    shown = {name: client.get(url, follow=True) for name, url in pages.items()}
    job = client.post(pages["agreement_template_edit"], _job_form(title="Ny"))
    series = client.post(
        pages["agreement_series_edit"], _rule_form(weekly, pitch, window="3")
    )
    removed = client.post(pages["agreement_template_remove"], follow=True)
    stopped = client.post(pages["agreement_series_stop"], follow=True)

    ended = _said("This agreement has ended.")
    for response in (*shown.values(), removed, stopped):
        assert response.redirect_chain == [(agreement.get_absolute_url(), 302)]
        assert ended in response.content.decode()
    assert job.status_code == 400
    assert ended in job.content.decode()
    assert series.status_code == 400
    assert _said("The agreement behind this task is not in force.") in (
        series.content.decode()
    )
    assert _state(template, weekly) == before


def test_the_services_refuse_an_ended_agreement(
    club_organiser, agreement, template, weekly, pitch
):
    agreements.agreement_end(actor=club_organiser, agreement=agreement)

    with pytest.raises(TaskError) as edited:
        agreements.template_update(
            actor=club_organiser, template=template, title="Ny", kind="mowing"
        )
    with pytest.raises(TaskError) as removed:
        agreements.template_remove(actor=club_organiser, template=template)
    with pytest.raises(TaskError) as stopped:
        agreements.series_stop(actor=club_organiser, series=weekly)

    ended = da("This agreement has ended.")
    assert (edited.value.message, removed.value.message) == (ended, ended)
    assert stopped.value.message == da(
        "The agreement behind this task is not in force."
    )
    assert TaskTemplate.objects.filter(pk=template.pk).exists()


def test_the_agreement_page_links_organisers_to_change_jobs_and_series(
    client, club_organiser, firm_staff, agreement, template, weekly
):
    links = [
        _url("agreement_template_edit", agreement.pk, template.pk),
        _url("agreement_template_remove", agreement.pk, template.pk),
        _url("agreement_series_edit", agreement.pk, weekly.pk),
        _url("agreement_series_stop", agreement.pk, weekly.pk),
    ]
    client.force_login(club_organiser)
    page = client.get(agreement.get_absolute_url()).content.decode()
    client.force_login(firm_staff)
    staff_page = client.get(agreement.get_absolute_url()).content.decode()

    assert all(f'href="{link}"' in page for link in links)
    assert not any(link in staff_page for link in links)


def test_a_stopped_series_is_no_longer_offered_to_change(
    client, club_organiser, agreement, weekly
):
    agreements.series_stop(actor=club_organiser, series=weekly)
    client.force_login(club_organiser)

    page = client.get(agreement.get_absolute_url()).content.decode()

    assert _url("agreement_series_edit", agreement.pk, weekly.pk) not in page
    assert _url("agreement_series_stop", agreement.pk, weekly.pk) not in page
    assert escape(da_in("series", "stopped")) in page


# --- a recurring job edited ----------------------------------------------------


def test_the_job_form_shows_the_job_as_it_is(
    client, firm_organiser, agreement, template
):
    client.force_login(firm_organiser)

    response = client.get(_url("agreement_template_edit", agreement.pk, template.pk))

    page = response.content.decode()
    assert response.status_code == 200
    assert 'value="Græsslåning"' in page
    assert "\n".join(CHECKLIST) in page
    assert 'value="120"' in page
    assert '<option value="mowing" selected>' in page


def test_a_changed_job_changes_its_tasks_not_yet_started_only(
    client,
    club_organiser,
    firm_organiser,
    agreement,
    template,
    weekly,
    layer,
    django_capture_on_commit_callbacks,
):
    offered = proposed(_task_on(weekly, 8), firm_organiser, at(8, 9))
    agreed = confirmed(_task_on(weekly, 15), club_organiser, firm_organiser, at(15, 9))
    begun = _task_on(weekly, 1)
    begun = confirmed(begun, club_organiser, firm_organiser, at(1, 9))
    begun = lifecycle.task_start(actor=firm_organiser, task=begun)
    planned = [_task_on(weekly, d) for d in (22, 29)]
    client.force_login(club_organiser)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _url("agreement_template_edit", agreement.pk, template.pk),
            _job_form(
                title="Slå og rive",
                checklist="Slå\nRiv",
                instructions="Start ved mål A.",
                duration="90",
            ),
        )

    assert response.status_code == 302
    for task in planned:
        task.refresh_from_db()
        assert (task.title, task.checklist, task.instructions, task.duration) == (
            "Slå og rive",
            ["Slå", "Riv"],
            "Start ved mål A.",
            timedelta(minutes=90),
        )
    # A time offered or agreed was for the old length: it keeps it.
    for task in (offered, agreed):
        task.refresh_from_db()
        assert (task.title, task.checklist, task.duration) == (
            "Slå og rive",
            ["Slå", "Riv"],
            timedelta(hours=2),
        )
    assert agreed.state == S.CONFIRMED
    assert agreed.ends_at == at(15, 11)
    begun.refresh_from_db()
    assert (begun.title, begun.checklist, begun.state) == (
        "Græsslåning",
        CHECKLIST,
        S.IN_PROGRESS,
    )
    changed = TaskStep.objects.filter(action="job_changed")
    assert sorted(changed.values_list("task_id", flat=True)) == sorted(
        t.pk for t in (*planned, offered, agreed)
    )
    assert {(s.actor, s.side) for s in changed} == {(club_organiser, "client")}
    heard = [p for p in layer.events() if p.get("action") == "job_changed"]
    assert {p["topic"] for p in heard} == {
        f"board.{agreement.client_id}",
        f"board.{agreement.contractor_id}",
        f"agreement.{agreement.pk}",
    }
    assert len(heard) == 3 * 4


def test_an_invalid_job_edit_keeps_what_was_typed(
    client, club_organiser, agreement, template, weekly
):
    before = _state(template, weekly)
    client.force_login(club_organiser)

    response = client.post(
        _url("agreement_template_edit", agreement.pk, template.pk),
        _job_form(title="", checklist="Kig på banen", duration="5"),
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert _said("Please give the job a title.") in page
    assert "Kig på banen" in page
    assert 'value="5"' in page
    assert _state(template, weekly) == before


def test_a_job_longer_than_its_series_gives_is_refused_keeping_what_was_typed(
    client, club_organiser, agreement, template, pitch
):
    agreements.series_save(
        actor=club_organiser,
        template=template,
        site=pitch,
        mode=TaskSeries.Mode.RULE,
        starts_at=at(1, 7),
        rrule=_weekly_rule(),
        window=timedelta(hours=3),
    )
    client.force_login(club_organiser)

    response = client.post(
        _url("agreement_template_edit", agreement.pk, template.pk),
        _job_form(title="Grundig slåning", duration="240"),
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert (
        _said(
            "The job would take longer than the time its series give to do it in: "
            "please give it less time, or the series more."
        )
        in page
    )
    assert 'value="Grundig slåning"' in page
    template.refresh_from_db()
    assert template.duration == timedelta(hours=2)
    assert not Task.objects.filter(title="Grundig slåning").exists()


# --- a recurring job removed ---------------------------------------------------


def test_a_job_no_series_uses_is_removed_after_asking(
    client, firm_organiser, agreement, template, task
):
    url = _url("agreement_template_remove", agreement.pk, template.pk)
    client.force_login(firm_organiser)

    asked = client.get(url)
    response = client.post(url, follow=True)

    assert asked.status_code == 200
    assert escape(da("Remove the job")) in asked.content.decode()
    assert response.redirect_chain == [(agreement.get_absolute_url(), 302)]
    assert not TaskTemplate.objects.filter(pk=template.pk).exists()
    assert Task.objects.filter(pk=task.pk).exists()


def test_a_job_a_series_uses_is_not_removed(
    client, club_organiser, agreement, template, weekly
):
    agreements.series_stop(actor=club_organiser, series=weekly)
    url = _url("agreement_template_remove", agreement.pk, template.pk)
    client.force_login(club_organiser)

    asked = client.get(url)
    response = client.post(url)

    refusal = _said(
        "%(title)s cannot be removed while a series of tasks uses it, "
        "even a stopped one.",
        title=template.title,
    )
    assert asked.status_code == 200
    assert escape(da("Remove the job")) not in asked.content.decode()
    assert response.status_code == 400
    assert refusal in response.content.decode()
    assert TaskTemplate.objects.filter(pk=template.pk).exists()
    with pytest.raises(TaskError):
        agreements.template_remove(actor=club_organiser, template=template)


# --- a series edited -------------------------------------------------------------


def test_the_series_form_shows_the_series_as_it_is(
    client, firm_organiser, agreement, weekly, crew
):
    TaskSeries.objects.filter(pk=weekly.pk).update(crew=crew)
    client.force_login(firm_organiser)

    response = client.get(_url("agreement_series_edit", agreement.pk, weekly.pk))

    page = response.content.decode()
    assert response.status_code == 200
    assert f'value="{_day(1)}"' in page
    assert f'value="{_day(29)}"' in page
    assert 'value="07:00"' in page
    assert f'<option value="{crew.pk}" selected>Hold Nord</option>' in page
    assert f'<option value="{at(1, 7).weekday()}" selected>' in page


def test_editing_a_series_makes_its_planned_tasks_again_and_keeps_the_agreed(
    client, club_organiser, firm_organiser, agreement, weekly, pitch, crew
):
    offered = proposed(_task_on(weekly, 8), firm_organiser, at(8, 9))
    agreed = confirmed(_task_on(weekly, 15), club_organiser, firm_organiser, at(15, 9))
    planned = {_task_on(weekly, d).pk for d in (1, 22, 29)}
    assert weekly.tasks.count() == 5
    client.force_login(club_organiser)

    response = client.post(
        _url("agreement_series_edit", agreement.pk, weekly.pk),
        _rule_form(weekly, pitch, first_time="09:00", window="3", crew=crew.pk),
    )

    assert response.status_code == 302
    weekly.refresh_from_db()
    assert weekly.starts_at == at(1, 9)
    assert weekly.window == timedelta(days=3)
    assert weekly.crew == crew
    # Still one task per date: three made again, two kept.
    assert weekly.tasks.count() == 5
    remade = [_task_on(weekly, d) for d in (1, 22, 29)]
    assert not planned & {t.pk for t in remade}
    assert not Task.objects.filter(pk__in=planned).exists()
    for task, day in zip(remade, (1, 22, 29), strict=True):
        assert (task.state, task.crew) == (S.PLANNED, crew)
        assert (task.window_from, task.window_until) == (at(day, 9), at(day + 3, 9))
    for task, state in ((offered, S.PROPOSED), (agreed, S.CONFIRMED)):
        kept = Task.objects.get(pk=task.pk)
        assert (kept.state, kept.crew, kept.window_from) == (
            state,
            None,
            task.window_from,
        )
        assert kept.version == task.version


def test_a_series_edited_to_go_on_longer_adds_the_new_dates(
    client, club_organiser, firm_organiser, agreement, weekly, pitch
):
    offered = proposed(_task_on(weekly, 8), firm_organiser, at(8, 9))
    client.force_login(club_organiser)

    response = client.post(
        _url("agreement_series_edit", agreement.pk, weekly.pk),
        _rule_form(weekly, pitch, until=_day(43)),
    )

    assert response.status_code == 302
    assert weekly.tasks.count() == 7
    assert _task_on(weekly, 8).pk == offered.pk
    assert {recurrence.local(t.window_from).date() for t in weekly.tasks.all()} == {
        timezone.localdate() + timedelta(days=d) for d in (*DAYS, 36, 43)
    }


def test_a_planned_task_talked_over_in_its_thread_is_kept(
    club_organiser, weekly, template, pitch
):
    talked = _task_on(weekly, 22)
    work.task_thread(actor=club_organiser, task=talked)

    agreements.series_update(
        actor=club_organiser,
        series=weekly,
        template=template,
        site=pitch,
        mode=TaskSeries.Mode.RULE,
        starts_at=at(1, 9),
        rrule=_weekly_rule(),
    )

    kept = Task.objects.get(pk=talked.pk)
    assert kept.window_from == at(22, 7)
    assert weekly.tasks.count() == 5
    assert _task_on(weekly, 22).pk == talked.pk


def test_an_invalid_series_edit_keeps_what_was_typed(
    client, club_organiser, agreement, template, weekly, pitch
):
    before = _state(template, weekly)
    client.force_login(club_organiser)

    response = client.post(
        _url("agreement_series_edit", agreement.pk, weekly.pk),
        _rule_form(weekly, pitch, first_day=_day(9), until=_day(3)),
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert _said("The last date cannot come before the first.") in page
    assert f'value="{_day(9)}"' in page
    assert f'value="{_day(3)}"' in page
    assert _state(template, weekly) == before


def test_editing_a_series_stopped_meanwhile_is_refused_keeping_what_was_typed(
    client, club_organiser, firm_organiser, agreement, template, weekly, pitch
):
    client.force_login(club_organiser)
    form = client.get(_url("agreement_series_edit", agreement.pk, weekly.pk))
    agreements.series_stop(actor=firm_organiser, series=weekly)
    before = _state(template, weekly)

    response = client.post(
        _url("agreement_series_edit", agreement.pk, weekly.pk),
        _rule_form(weekly, pitch, first_time="09:00", until=_day(36)),
    )
    again = client.get(
        _url("agreement_series_edit", agreement.pk, weekly.pk), follow=True
    )

    assert form.status_code == 200
    assert response.status_code == 409
    page = response.content.decode()
    assert (
        _said("This series was stopped meanwhile, so it can no longer be changed.")
        in page
    )
    assert f'value="{_day(36)}"' in page
    assert _state(template, weekly) == before
    assert again.redirect_chain == [(agreement.get_absolute_url(), 302)]
    assert (
        _said("This series has been stopped, so it can no longer be changed.")
        in again.content.decode()
    )


def test_a_series_crew_must_be_one_of_the_agreements_contractors(
    client, club_organiser, agreement, template, weekly, pitch, other_firm
):
    theirs = agreements.crew_create(
        actor=organiser_of(other_firm), contractor=other_firm, name="Hold Syd"
    )
    before = _state(template, weekly)
    client.force_login(club_organiser)

    page = client.get(_url("agreement_series_edit", agreement.pk, weekly.pk))
    response = client.post(
        _url("agreement_series_edit", agreement.pk, weekly.pk),
        _rule_form(weekly, pitch, crew=theirs.pk, window="3"),
    )

    assert "Hold Syd" not in page.content.decode()
    assert response.status_code == 400
    assert _said("Please choose one of the contractor's crews.") in (
        response.content.decode()
    )
    assert 'value="3"' in response.content.decode()
    assert _state(template, weekly) == before
    with pytest.raises(TaskError) as refused:
        agreements.series_update(
            actor=club_organiser,
            series=weekly,
            template=template,
            site=pitch,
            mode=TaskSeries.Mode.RULE,
            starts_at=at(1, 7),
            rrule=_weekly_rule(),
            crew=theirs,
        )
    assert refused.value.field == "crew"
    assert refused.value.message == da("That crew works for another contractor.")
    assert _state(template, weekly) == before


def test_the_series_form_offers_the_calendars_event_categories(
    client, club_organiser, agreement, weekly
):
    client.force_login(club_organiser)

    response = client.get(_url("agreement_series_edit", agreement.pk, weekly.pk))

    form = response.context["form"]
    assert [v for v, _label in form.fields["event_category"].choices] == [
        "",
        *Category.values,
    ]
    assert f'<option value="{Category.SPORT}">{da("Sport")}</option>' in (
        response.content.decode()
    )


def test_a_series_edited_to_one_category_counts_only_its_events(
    client, club_organiser, agreement, template, pitch, make_event
):
    make_event(title="Hjemmekamp", category="sport")
    concert = make_event(
        title="Koncert", category="culture", starts_at=at(10, 18), ends_at=at(10, 21)
    )
    series = agreements.series_save(
        actor=club_organiser,
        template=template,
        site=pitch,
        mode=TaskSeries.Mode.AFTER_EVENTS,
        window=timedelta(days=1),
    )
    assert series.tasks.count() == 2
    client.force_login(club_organiser)

    response = client.post(
        _url("agreement_series_edit", agreement.pk, series.pk),
        {
            "template": template.pk,
            "site": pitch.pk,
            "mode": "after",
            "first_time": "07:00",
            "event": "",
            "event_category": "culture",
            "offset": "1",
            "window": "1",
            "crew": "",
        },
    )

    assert response.status_code == 302
    series.refresh_from_db()
    assert series.event_category == "culture"
    (left,) = series.tasks.all()
    assert left.occurrence.event_id == concert.pk
    assert left.window_from == at(10, 22)


def test_a_category_the_calendar_does_not_have_is_refused(
    client, club_organiser, agreement, template, weekly, pitch
):
    client.force_login(club_organiser)

    response = client.post(
        _url("agreement_series_edit", agreement.pk, weekly.pk),
        _rule_form(weekly, pitch, mode="before", event_category="opera"),
    )

    assert response.status_code == 400
    assert _said("Please choose one of the calendar's categories.") in (
        response.content.decode()
    )
    with pytest.raises(TaskError) as refused:
        agreements.series_update(
            actor=club_organiser,
            series=weekly,
            template=template,
            site=pitch,
            mode=TaskSeries.Mode.BEFORE_EVENTS,
            event_category="opera",
        )
    assert refused.value.field == "event_category"


def test_a_new_series_takes_its_crew_and_category(
    client, firm_organiser, agreement, template, pitch, crew
):
    client.force_login(firm_organiser)

    response = client.post(
        _url("agreement_series_new", agreement.pk),
        {
            "template": template.pk,
            "site": pitch.pk,
            "mode": "before",
            "event": "",
            "event_category": "sport",
            "offset": "18",
            "window": "2",
            "crew": crew.pk,
        },
    )

    assert response.status_code == 302
    series = TaskSeries.objects.get(agreement=agreement)
    assert (series.crew, series.event_category) == (crew, "sport")


# --- a series stopped ------------------------------------------------------------


@pytest.fixture
def closing(agreement, club_organiser):
    """A job that closes the pitch while it is done: its agreed time books it."""
    return agreements.template_save(
        actor=club_organiser,
        agreement=agreement,
        title="Kridtning",
        kind="mowing",
        duration=timedelta(hours=2),
        blocks_site=True,
    )


@pytest.fixture
def closing_weekly(club_organiser, closing, pitch) -> TaskSeries:
    return agreements.series_save(
        actor=club_organiser,
        template=closing,
        site=pitch,
        mode=TaskSeries.Mode.RULE,
        starts_at=at(1, 7),
        rrule=_weekly_rule(),
    )


def test_stopping_asks_first_and_says_what_it_cancels(
    client, club_organiser, firm_organiser, agreement, closing_weekly
):
    confirmed(_task_on(closing_weekly, 15), club_organiser, firm_organiser, at(15, 9))
    client.force_login(club_organiser)

    response = client.get(
        _url("agreement_series_stop", agreement.pk, closing_weekly.pk)
    )

    assert response.status_code == 200
    assert (response.context["unagreed"], response.context["agreed"]) == (4, 1)
    assert closing_weekly.tasks.filter(state=S.CANCELLED).count() == 0


def test_stopping_cancels_the_tasks_without_an_agreed_time_and_keeps_the_rest(
    client,
    club_organiser,
    firm_organiser,
    agreement,
    closing_weekly,
    layer,
    django_capture_on_commit_callbacks,
):
    offered = proposed(_task_on(closing_weekly, 8), firm_organiser, at(8, 9))
    agreed = confirmed(
        _task_on(closing_weekly, 15), club_organiser, firm_organiser, at(15, 9)
    )
    begun = confirmed(
        _task_on(closing_weekly, 1), club_organiser, firm_organiser, at(1, 9)
    )
    begun = lifecycle.task_start(actor=firm_organiser, task=begun)
    planned = [_task_on(closing_weekly, d) for d in (22, 29)]
    client.force_login(firm_organiser)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _url("agreement_series_stop", agreement.pk, closing_weekly.pk)
        )

    assert response.status_code == 302
    closing_weekly.refresh_from_db()
    assert not closing_weekly.active
    for task in (offered, *planned):
        task.refresh_from_db()
        assert task.state == S.CANCELLED
        step = task.steps.last()
        assert (step.action, step.actor, step.side) == (
            "series_stopped",
            firm_organiser,
            "contractor",
        )
        assert step.note == da("The series was stopped.")
    assert not offered.slots.filter(state="open").exists()
    agreed.refresh_from_db()
    assert agreed.state == S.CONFIRMED
    assert agreed.booking.state in Booking.LIVE_STATES
    assert Task.objects.get(pk=begun.pk).state == S.IN_PROGRESS
    heard = [p for p in layer.events() if p.get("action") == "series_stopped"]
    assert len(heard) == 3 * 3
    # Nothing new is made for a stopped series.
    assert closing_weekly.tasks.count() == 5


def test_stopping_with_the_agreed_ones_frees_their_bookings(
    client, club_organiser, firm_organiser, agreement, closing_weekly
):
    agreed = confirmed(
        _task_on(closing_weekly, 15), club_organiser, firm_organiser, at(15, 9)
    )
    booking = agreed.booking
    assert booking.state in Booking.LIVE_STATES
    client.force_login(club_organiser)

    response = client.post(
        _url("agreement_series_stop", agreement.pk, closing_weekly.pk),
        {"stop-cancel_confirmed": "on"},
    )

    assert response.status_code == 302
    agreed.refresh_from_db()
    booking.refresh_from_db()
    assert agreed.state == S.CANCELLED
    assert agreed.booking is None
    assert booking.state == Booking.State.CANCELLED
    assert set(closing_weekly.tasks.values_list("state", flat=True)) == {S.CANCELLED}


def test_a_series_is_stopped_once(client, club_organiser, agreement, weekly):
    assert agreements.series_stop(actor=club_organiser, series=weekly) == 5
    client.force_login(club_organiser)

    response = client.post(
        _url("agreement_series_stop", agreement.pk, weekly.pk), follow=True
    )

    assert response.redirect_chain == [(agreement.get_absolute_url(), 302)]
    assert (
        _said("This series has been stopped, so it can no longer be changed.")
        in response.content.decode()
    )
    with pytest.raises(TaskConflict):
        agreements.series_stop(actor=club_organiser, series=weekly)


# --- what the pages cost -----------------------------------------------------------


def test_the_job_edit_page_reads_in_a_fixed_number_of_queries(
    client, club_organiser, agreement, template, weekly, django_assert_num_queries
):
    client.force_login(club_organiser)

    # The user and the header's three; whether the viewer is municipal staff
    # (two); the agreement with its parties; its sites, people, pre-approved
    # times, templates and series; which sides the viewer organises (two).
    with django_assert_num_queries(14 + session_queries()):
        response = client.get(
            _url("agreement_template_edit", agreement.pk, template.pk)
        )

    assert response.status_code == 200


def test_the_job_remove_page_reads_in_a_fixed_number_of_queries(
    client, club_organiser, agreement, template, weekly, django_assert_num_queries
):
    client.force_login(club_organiser)

    # As the edit page: the series using the job were read with the agreement.
    with django_assert_num_queries(14 + session_queries()):
        response = client.get(
            _url("agreement_template_remove", agreement.pk, template.pk)
        )

    assert response.status_code == 200


def test_the_series_edit_page_reads_in_a_fixed_number_of_queries(
    client,
    club_organiser,
    agreement,
    weekly,
    crew,
    make_event,
    django_assert_num_queries,
):
    make_event()
    client.force_login(club_organiser)

    # As the job's page, and the form's choices: the club's events at the
    # sites and the firm's crews.
    with django_assert_num_queries(16 + session_queries()):
        response = client.get(_url("agreement_series_edit", agreement.pk, weekly.pk))

    assert response.status_code == 200


def test_the_series_stop_page_reads_in_a_fixed_number_of_queries(
    client, club_organiser, agreement, weekly, django_assert_num_queries
):
    client.force_login(club_organiser)

    # As the job's page, and the count of the tasks it would cancel or keep.
    with django_assert_num_queries(15 + session_queries()):
        response = client.get(_url("agreement_series_stop", agreement.pk, weekly.pk))

    assert response.status_code == 200
