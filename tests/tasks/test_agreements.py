"""Agreements: the club's invitation and the contractor's answer, what is
covered, who else may act, the pre-approved times, the templates of
recurring work, and the end of it all (which calls off the open tasks)."""

from datetime import time, timedelta

import pytest

from agenda.models import Booking, Facility
from communities.models import Community
from hub.errors import RateLimited
from hub.limits import HOUR, LIMITS, Limit
from tasks.errors import TaskError, TaskNotPermitted
from tasks.models import (
    Agreement,
    AgreementActor,
    PreapprovedWindow,
    Side,
    Task,
    TaskTemplate,
)
from tasks.services import agreements, lifecycle, work
from tests.factories import CommunityFactory, member_of, organiser_of
from tests.tasks.conftest import at, confirmed, da, done, proposed

A = Agreement.State


def invite(actor, client, contractor, pitch, **overrides):
    values = {
        "title": "Græsslåning",
        "sites": [pitch],
        "work_kinds": ["mowing"],
    }
    values.update(overrides)
    return agreements.agreement_invite(
        actor=actor, client=client, contractor=contractor, **values
    )


# --- the invitation ----------------------------------------------------------


def test_the_clubs_organiser_invites_a_contractor(
    club_organiser,
    club,
    firm,
    pitch,
    firm_organiser,
    layer,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        agreement = invite(
            club_organiser,
            club,
            firm,
            pitch,
            title="  Græsslåning \n 2027 ",
            work_kinds=["cleaning", "nonsense", "mowing", "mowing"],
            terms="  Hver fredag  ",
        )

    assert agreement.state == A.INVITED
    assert (agreement.client, agreement.contractor) == (club, firm)
    assert agreement.title == "Græsslåning 2027"
    assert agreement.terms == "Hver fredag"
    # In the order of the kinds of work, unknown ones left out.
    assert agreement.work_kinds == ["mowing", "cleaning"]
    assert list(agreement.sites.all()) == [pitch]
    assert agreement.invited_by == club_organiser
    # Both sides' sockets learn they now have a board to hear.
    told = set(layer.groups("nabolag.resubscribe"))
    assert {f"user.{club_organiser.pk}", f"user.{firm_organiser.pk}"} <= told


@pytest.mark.parametrize("who", ["firm_organiser", "member", "stranger"])
def test_only_the_clubs_organisers_invite(club, firm, pitch, request, who):
    actor = member_of(club) if who == "member" else request.getfixturevalue(who)

    with pytest.raises(TaskNotPermitted) as exc:
        invite(actor, club, firm, pitch)

    assert str(exc.value.message) == da(
        "Only the association's organisers can do this."
    )
    assert not Agreement.objects.exists()


@pytest.mark.parametrize("kind", [Community.Kind.ASSOCIATION, Community.Kind.VILLAGE])
def test_only_a_contractor_can_be_invited(club_organiser, club, pitch, kind):
    other = CommunityFactory(name="Vestby Boldklub", kind=kind)

    with pytest.raises(TaskError) as exc:
        invite(club_organiser, club, other, pitch)

    assert exc.value.field == "contractor"
    assert str(exc.value.message) == da(
        "%(name)s is not a contractor.", name="Vestby Boldklub"
    )
    assert not Agreement.objects.exists()


def test_a_contractor_cannot_invite_another_contractor(firm, firm_organiser, pitch):
    rival = CommunityFactory(kind=Community.Kind.CONTRACTOR)

    with pytest.raises(TaskError) as exc:
        invite(firm_organiser, firm, rival, pitch)

    assert str(exc.value.message) == da(
        "A contractor cannot invite another contractor."
    )
    assert not Agreement.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"title": "  "}, "title", "Please give the agreement a name."),
        (
            {"work_kinds": ["nonsense"]},
            "work_kinds",
            "Please choose at least one kind of work.",
        ),
        ({"sites": []}, "sites", "Please choose at least one site."),
    ],
    ids=["no name", "no kind", "no site"],
)
def test_an_invitation_missing_something_is_refused(
    club_organiser, club, firm, pitch, overrides, field, message
):
    with pytest.raises(TaskError) as exc:
        invite(club_organiser, club, firm, pitch, **overrides)

    assert exc.value.field == field
    assert str(exc.value.message) == da(message)
    assert not Agreement.objects.exists()


@pytest.mark.parametrize("first", ["invited", "active"])
def test_a_pair_has_one_live_agreement_at_a_time(
    club_organiser, club, firm, pitch, firm_organiser, first
):
    existing = invite(club_organiser, club, firm, pitch)
    if first == "active":
        agreements.agreement_answer(
            actor=firm_organiser, agreement=existing, accept=True
        )

    with pytest.raises(TaskError) as exc:
        invite(club_organiser, club, firm, pitch, title="Endnu en")

    assert exc.value.field == "contractor"
    assert str(exc.value.message) == da(
        "%(client)s already has an agreement with %(contractor)s.",
        client=club.name,
        contractor=firm.name,
    )
    assert Agreement.objects.count() == 1


@pytest.mark.parametrize("how", ["declined", "ended"])
def test_a_new_agreement_may_follow_one_declined_or_ended(
    club_organiser, club, firm, pitch, firm_organiser, how
):
    old = invite(club_organiser, club, firm, pitch)
    if how == "declined":
        agreements.agreement_answer(actor=firm_organiser, agreement=old, accept=False)
    else:
        agreements.agreement_end(actor=club_organiser, agreement=old)

    new = invite(club_organiser, club, firm, pitch, title="Ny aftale")

    assert new.state == A.INVITED
    assert Agreement.objects.count() == 2


# --- the answer --------------------------------------------------------------


@pytest.mark.parametrize(("accept", "state"), [(True, A.ACTIVE), (False, A.DECLINED)])
def test_the_contractors_organiser_answers_the_invitation(
    invited, firm_organiser, accept, state
):
    agreement = agreements.agreement_answer(
        actor=firm_organiser, agreement=invited, accept=accept
    )

    agreement.refresh_from_db()
    assert agreement.state == state
    assert agreement.answered_by == firm_organiser
    assert agreement.answered_at is not None


@pytest.mark.parametrize("who", ["club_organiser", "firm_staff", "stranger"])
def test_only_the_contractors_organisers_answer(invited, request, who):
    actor = request.getfixturevalue(who)

    with pytest.raises(TaskNotPermitted) as exc:
        agreements.agreement_answer(actor=actor, agreement=invited, accept=True)

    assert str(exc.value.message) == da(
        "Only the contractor's organisers can change this."
    )
    invited.refresh_from_db()
    assert (invited.state, invited.answered_by) == (A.INVITED, None)


@pytest.mark.parametrize("second", [True, False])
def test_an_invitation_is_answered_once(invited, firm_organiser, second):
    agreements.agreement_answer(actor=firm_organiser, agreement=invited, accept=True)

    with pytest.raises(TaskError) as exc:
        agreements.agreement_answer(
            actor=firm_organiser, agreement=invited, accept=second
        )

    assert str(exc.value.message) == da("This invitation has already been answered.")
    invited.refresh_from_db()
    assert invited.state == A.ACTIVE


# --- changing it -------------------------------------------------------------


def test_the_club_changes_what_the_agreement_covers(
    agreement, club_organiser, village, pitch
):
    hall = Facility.objects.create(
        name="Klubhuset", slug="klubhuset", kind=Facility.Kind.HALL, village=village
    )

    agreements.agreement_update(
        actor=club_organiser,
        agreement=agreement,
        title="Pleje af anlæg",
        sites=[pitch, hall],
        work_kinds=["line_marking", "mowing"],
        terms="Efter aftale",
    )

    agreement.refresh_from_db()
    assert agreement.title == "Pleje af anlæg"
    assert agreement.work_kinds == ["mowing", "line_marking"]
    assert set(agreement.sites.all()) == {pitch, hall}
    assert agreement.terms == "Efter aftale"


def test_the_contractor_does_not_change_what_the_agreement_covers(
    agreement, firm_organiser, pitch
):
    with pytest.raises(TaskNotPermitted) as exc:
        agreements.agreement_update(
            actor=firm_organiser,
            agreement=agreement,
            title="Alt",
            sites=[pitch],
            work_kinds=["mowing", "repairs"],
        )

    assert str(exc.value.message) == da(
        "Only the association's organisers can change this."
    )
    agreement.refresh_from_db()
    assert (agreement.title, agreement.work_kinds) == ("Græsslåning 2027", ["mowing"])


def test_a_change_that_leaves_no_kind_of_work_is_refused(
    agreement, club_organiser, pitch
):
    with pytest.raises(TaskError) as exc:
        agreements.agreement_update(
            actor=club_organiser,
            agreement=agreement,
            title="Ny titel",
            sites=[pitch],
            work_kinds=[],
        )

    assert exc.value.field == "work_kinds"
    agreement.refresh_from_db()
    assert (agreement.title, agreement.work_kinds) == ("Græsslåning 2027", ["mowing"])


def test_an_ended_agreement_is_not_changed(agreement, club_organiser, pitch):
    agreements.agreement_end(actor=club_organiser, agreement=agreement)

    with pytest.raises(TaskError) as exc:
        agreements.agreement_update(
            actor=club_organiser,
            agreement=agreement,
            title="Igen",
            sites=[pitch],
            work_kinds=["mowing"],
        )

    assert str(exc.value.message) == da("This agreement has ended.")


# --- the end -----------------------------------------------------------------


@pytest.mark.parametrize("by", ["club_organiser", "firm_organiser"])
def test_either_side_ends_the_agreement_calling_off_its_open_tasks(
    agreement, make_task, club_organiser, firm_organiser, template, pitch, request, by
):
    actor = request.getfixturevalue(by)
    planned = make_task()
    offered = proposed(make_task(), firm_organiser)
    agreed = confirmed(
        make_task(blocks_site=True), club_organiser, firm_organiser, at(3, 8)
    )
    booking = agreed.booking
    under_way = lifecycle.task_start(
        actor=firm_organiser,
        task=confirmed(make_task(), club_organiser, firm_organiser),
    )
    finished = done(make_task(), club_organiser, firm_organiser)
    accepted = lifecycle.task_accept(
        actor=club_organiser, task=done(make_task(), club_organiser, firm_organiser)
    )
    series = agreements.series_save(
        actor=club_organiser,
        template=template,
        site=pitch,
        mode="rule",
        starts_at=at(10, 7),
        rrule="FREQ=WEEKLY;COUNT=2",
    )
    from_series = list(series.tasks.all())

    agreements.agreement_end(actor=actor, agreement=agreement, reason=" Udløbet ")

    agreement.refresh_from_db()
    assert agreement.state == A.ENDED
    assert agreement.ended_at is not None
    for task in (planned, offered, agreed, under_way, *from_series):
        task.refresh_from_db()
        step = task.steps.last()
        assert task.state == Task.State.CANCELLED
        assert (step.action, step.actor, step.side) == ("agreement_ended", actor, "")
        assert step.note == "Udløbet"
    assert not offered.slots.filter(state="open").exists()
    booking.refresh_from_db()
    assert booking.state == Booking.State.CANCELLED
    assert Task.objects.get(pk=finished.pk).state == Task.State.DONE
    assert Task.objects.get(pk=accepted.pk).state == Task.State.ACCEPTED
    series.refresh_from_db()
    assert not series.active


def test_an_invitation_not_yet_answered_may_be_withdrawn(invited, club_organiser):
    agreements.agreement_end(actor=club_organiser, agreement=invited)

    invited.refresh_from_db()
    assert invited.state == A.ENDED


def test_only_the_organisers_end_the_agreement(agreement, firm_staff, stranger, task):
    for actor in (firm_staff, stranger):
        with pytest.raises(TaskNotPermitted):
            agreements.agreement_end(actor=actor, agreement=agreement)

    agreement.refresh_from_db()
    task.refresh_from_db()
    assert (agreement.state, task.state) == (A.ACTIVE, Task.State.PLANNED)


@pytest.mark.parametrize("first", ["ended", "declined"])
def test_an_agreement_ends_once(invited, club_organiser, firm_organiser, first):
    if first == "ended":
        agreements.agreement_end(actor=club_organiser, agreement=invited)
    else:
        agreements.agreement_answer(
            actor=firm_organiser, agreement=invited, accept=False
        )

    with pytest.raises(TaskError) as exc:
        agreements.agreement_end(actor=firm_organiser, agreement=invited)

    assert str(exc.value.message) == da("This agreement has already ended.")


# --- who else may act ----------------------------------------------------------


def test_the_contractor_names_a_member_of_its_staff(
    agreement, firm_organiser, firm_staff
):
    row = agreements.actor_add(
        actor=firm_organiser, agreement=agreement, user=firm_staff, side=Side.CONTRACTOR
    )

    assert (row.agreement, row.user, row.side) == (
        agreement,
        firm_staff,
        Side.CONTRACTOR,
    )


def test_naming_someone_twice_keeps_one_row(agreement, firm_organiser, firm_staff):
    for _ in range(2):
        agreements.actor_add(
            actor=firm_organiser,
            agreement=agreement,
            user=firm_staff,
            side=Side.CONTRACTOR,
        )

    assert AgreementActor.objects.filter(user=firm_staff).count() == 1


@pytest.mark.parametrize("who", ["stranger", "club_member"])
def test_only_a_member_of_that_sides_community_is_named(
    agreement, firm_organiser, club, request, who
):
    user = member_of(club) if who == "club_member" else request.getfixturevalue(who)

    with pytest.raises(TaskError) as exc:
        agreements.actor_add(
            actor=firm_organiser, agreement=agreement, user=user, side=Side.CONTRACTOR
        )

    assert exc.value.field == "user"
    assert str(exc.value.message) == da(
        "%(name)s is not a member of that side's community.", name=user.public_name
    )
    assert not AgreementActor.objects.exists()


def test_the_club_does_not_name_people_for_the_contractor(
    agreement, club_organiser, firm_staff
):
    with pytest.raises(TaskNotPermitted) as exc:
        agreements.actor_add(
            actor=club_organiser,
            agreement=agreement,
            user=firm_staff,
            side=Side.CONTRACTOR,
        )

    assert str(exc.value.message) == da(
        "Only the contractor's organisers can change this."
    )
    assert not AgreementActor.objects.exists()


def test_someone_no_longer_named_no_longer_acts(
    agreement, firm_organiser, firm_staff, task
):
    agreements.actor_add(
        actor=firm_organiser, agreement=agreement, user=firm_staff, side=Side.CONTRACTOR
    )
    proposed(task, firm_staff)

    agreements.actor_remove(actor=firm_organiser, agreement=agreement, user=firm_staff)

    with pytest.raises(TaskNotPermitted):
        lifecycle.task_propose(actor=firm_staff, task=task, starts=[at(3, 8)])
    assert not AgreementActor.objects.exists()


# --- pre-approved times --------------------------------------------------------


def test_the_club_pre_approves_a_weekly_time(agreement, club_organiser, pitch):
    window = agreements.window_add(
        actor=club_organiser,
        agreement=agreement,
        weekday=4,
        opens=time(6),
        closes=time(9),
        site=pitch,
    )

    assert (window.weekday, window.opens, window.closes, window.site) == (
        4,
        time(6),
        time(9),
        pitch,
    )


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"weekday": 7}, "weekday", "Please choose a weekday."),
        ({"weekday": -1}, "weekday", "Please choose a weekday."),
        ({"closes": time(6)}, "closes", "The end must come after the start."),
        ({"closes": time(5)}, "closes", "The end must come after the start."),
        ({"site": "elsewhere"}, "site", "That site is not part of this agreement."),
    ],
    ids=["weekday 7", "weekday -1", "empty", "backwards", "another site"],
)
def test_a_window_that_makes_no_sense_is_refused(
    agreement, club_organiser, village, overrides, field, message
):
    values = {"weekday": 4, "opens": time(6), "closes": time(9)}
    values.update(overrides)
    if values.get("site") == "elsewhere":
        values["site"] = Facility.objects.create(
            name="Bane 2", slug="bane-2", kind=Facility.Kind.NATURAL_GRASS
        )

    with pytest.raises(TaskError) as exc:
        agreements.window_add(actor=club_organiser, agreement=agreement, **values)

    assert exc.value.field == field
    assert str(exc.value.message) == da(message)
    assert not PreapprovedWindow.objects.exists()


def test_the_contractor_does_not_pre_approve_its_own_times(agreement, firm_organiser):
    with pytest.raises(TaskNotPermitted):
        agreements.window_add(
            actor=firm_organiser,
            agreement=agreement,
            weekday=4,
            opens=time(6),
            closes=time(9),
        )

    assert not PreapprovedWindow.objects.exists()


# --- templates ---------------------------------------------------------------


@pytest.mark.parametrize("who", ["club_organiser", "firm_organiser"])
def test_either_sides_organisers_save_a_template(agreement, request, who):
    template = agreements.template_save(
        actor=request.getfixturevalue(who),
        agreement=agreement,
        title="  Slå  græs ",
        kind="mowing",
        checklist=["  Slå   græsset ", "", "   ", "Luk porten"],
        duration=timedelta(minutes=90),
        blocks_site=True,
    )

    template.refresh_from_db()
    assert template.title == "Slå græs"
    assert template.checklist == ["Slå græsset", "Luk porten"]
    assert (template.duration, template.blocks_site) == (timedelta(minutes=90), True)


def test_a_template_is_changed_in_place(agreement, template, firm_organiser):
    agreements.template_save(
        actor=firm_organiser,
        agreement=agreement,
        title="Græsslåning, kort",
        kind="mowing",
        template=template,
    )

    template.refresh_from_db()
    assert template.title == "Græsslåning, kort"
    assert TaskTemplate.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"kind": "line_marking"},
            "kind",
            "The agreement does not cover this kind of work.",
        ),
        (
            {"kind": "nonsense"},
            "kind",
            "The agreement does not cover this kind of work.",
        ),
        ({"title": " "}, "title", "Please give the job a title."),
        (
            {"duration": timedelta(minutes=5)},
            "duration",
            "A job takes between 10 minutes and 24 hours.",
        ),
        (
            {"duration": timedelta(hours=25)},
            "duration",
            "A job takes between 10 minutes and 24 hours.",
        ),
    ],
    ids=["kind not covered", "no such kind", "no title", "too short", "too long"],
)
def test_a_template_that_does_not_fit_the_agreement_is_refused(
    agreement, club_organiser, overrides, field, message
):
    values = {"title": "Kridtning", "kind": "mowing"}
    values.update(overrides)

    with pytest.raises(TaskError) as exc:
        agreements.template_save(actor=club_organiser, agreement=agreement, **values)

    assert exc.value.field == field
    assert str(exc.value.message) == da(message)
    assert not TaskTemplate.objects.exists()


def test_only_the_organisers_save_templates(agreement, firm_staff, club):
    for actor in (firm_staff, member_of(club), organiser_of(CommunityFactory())):
        with pytest.raises(TaskNotPermitted):
            agreements.template_save(
                actor=actor, agreement=agreement, title="Slå", kind="mowing"
            )

    assert not TaskTemplate.objects.exists()


def test_no_new_job_on_an_agreement_that_has_ended(agreement, club_organiser):
    agreements.agreement_end(actor=club_organiser, agreement=agreement)
    agreement.refresh_from_db()

    with pytest.raises(TaskError) as exc:
        agreements.template_save(
            actor=club_organiser, agreement=agreement, title="Slå", kind="mowing"
        )

    assert str(exc.value.message) == da("This agreement has ended.")
    assert not TaskTemplate.objects.exists()


# --- the limits on changing an agreement's people, times and crews


def _limited(monkeypatch, name: str) -> None:
    monkeypatch.setitem(LIMITS, name, Limit(0, HOUR))


def test_naming_people_is_rate_limited(
    monkeypatch, agreement, firm_organiser, firm_staff
):
    _limited(monkeypatch, "agreement-change")

    with pytest.raises(RateLimited):
        agreements.actor_add(
            actor=firm_organiser,
            agreement=agreement,
            user=firm_staff,
            side="contractor",
        )

    assert not agreement.actors.filter(user=firm_staff).exists()


def test_removing_a_named_person_is_rate_limited(
    monkeypatch, agreement, firm_organiser, firm_staff
):
    agreements.actor_add(
        actor=firm_organiser, agreement=agreement, user=firm_staff, side="contractor"
    )
    _limited(monkeypatch, "agreement-change")

    with pytest.raises(RateLimited):
        agreements.actor_remove(
            actor=firm_organiser, agreement=agreement, user=firm_staff
        )

    assert agreement.actors.filter(user=firm_staff).exists()


def test_pre_approving_times_is_rate_limited(monkeypatch, agreement, club_organiser):
    window = agreements.window_add(
        actor=club_organiser,
        agreement=agreement,
        weekday=0,
        opens=time(7),
        closes=time(9),
    )
    _limited(monkeypatch, "agreement-change")

    with pytest.raises(RateLimited):
        agreements.window_add(
            actor=club_organiser,
            agreement=agreement,
            weekday=1,
            opens=time(7),
            closes=time(9),
        )
    with pytest.raises(RateLimited):
        agreements.window_remove(actor=club_organiser, window=window)

    assert list(PreapprovedWindow.objects.filter(agreement=agreement)) == [window]


def test_giving_a_task_to_a_crew_is_rate_limited(
    monkeypatch, task, firm, firm_organiser, firm_staff
):
    crew = agreements.crew_create(
        actor=firm_organiser, contractor=firm, name="Hold Nord", members=[firm_staff]
    )
    _limited(monkeypatch, "task-step")

    with pytest.raises(RateLimited):
        work.task_assign_crew(actor=firm_organiser, task=task, crew=crew)

    task.refresh_from_db()
    assert task.crew is None
