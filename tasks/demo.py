"""The demo task board for ``manage.py seed_demo``: Skovby IF and its
contractor Grøn Plæne ApS. The pitch is brushed and lined no later than 18
hours before each home match, one match moved and its task with it, a week
of work agreed (some inside the club's pre-approved hours), one job done and
disputed, one accepted, and a resident's report of a torn goal net. Grøn
Plæne also keeps the grounds of Lindå's village hall, so its board holds two
clients' work: leaves swept tomorrow morning, gutters offered by the firm and
salting asked for by the village. Dev data only; running it again changes
nothing.

Everything goes through the services, so the demo obeys the same rules as
people: every time offered is still to come when it is offered."""

import logging
from dataclasses import replace
from datetime import datetime, time, timedelta

from django.core.cache import cache
from django.utils import timezone

from accounts.models import User
from agenda import recurrence
from agenda.models import Event, Facility
from agenda.services import events as agenda_events
from agenda.services.events import EventFields

from .models import Agreement, Task, TaskSeries, WorkKind
from .services import agreements, lifecycle, work

logger = logging.getLogger(__name__)

BRUSHING = [
    "Børst kunstgræsset på langs og på tværs",
    "Efterfyld granulat i målfelterne",
    "Kridt sidelinjer, straffesparksfelter og midtercirkel",
    "Tjek målnet og hjørneflag",
]
MOWING = [
    "Slå græsset til 25-30 mm",
    "Saml afklippet sammen og kør det væk",
    "Tjek målnet og hjørneflag",
]


def _next_free(task: Task, *, hour: int, after: datetime) -> datetime:
    """A start time in the task's window, at ``hour`` local time, after
    ``after``, so a demo slot is always still to come."""
    day = max(recurrence.local(task.window_from), recurrence.local(after)).date()
    while True:
        start = datetime.combine(day, time(hour), tzinfo=recurrence.zone())
        fits = start >= task.window_from and start + task.duration <= task.window_until
        if start > after and fits:
            return start
        if start > task.window_until:
            return recurrence.local(task.window_until - task.duration)
        day += timedelta(days=1)


def _evening(now: datetime, *, days: int) -> datetime:
    """20:00 local time ``days`` days after ``now``: when a window closes."""
    day = recurrence.local(now).date() + timedelta(days=days)
    return datetime.combine(day, time(20), tzinfo=recurrence.zone())


def seed_tasks(context: dict) -> None:
    c, people = context["communities"], context["people"]
    club, firm = c.get("skovby-if"), c.get("gron-plaene")
    if club is None or firm is None:
        return
    if Agreement.objects.filter(client=club, contractor=firm).exists():
        return
    lars = people["lars"]
    bo = User.objects.get(email="bo@gron-plaene.example")
    tina = User.objects.get(email="tina@gron-plaene.example")
    artificial = Facility.objects.get(slug="skovby-kunstgraes")
    grass = Facility.objects.get(slug="skovby-graesbane")
    now = timezone.now()

    agreement = agreements.agreement_invite(
        actor=lars,
        client=club,
        contractor=firm,
        title="Baner og anlæg 2026-27",
        sites=[artificial, grass],
        work_kinds=[
            WorkKind.MOWING,
            WorkKind.LINE_MARKING,
            WorkKind.CLEANING,
            WorkKind.REPAIRS,
            WorkKind.SNOW_CLEARING,
        ],
        terms="Grøn Plæne passer klubbens to baner. Kunstgræsset børstes og "
        "kridtes senest 18 timer før hver hjemmekamp; græsbanen slås hver "
        "fredag fra april til oktober. Små reparationer udføres inden for en uge.",
    )
    agreements.agreement_answer(actor=bo, agreement=agreement, accept=True)
    agreement.refresh_from_db()
    agreements.agreement_share(actor=lars, agreement=agreement, shared=True)
    agreements.agreement_share(actor=bo, agreement=agreement, shared=True)
    # Weekday mornings are fine for the club: no training before 16.
    for weekday in range(5):
        agreements.window_add(
            actor=lars,
            agreement=agreement,
            weekday=weekday,
            opens=time(7),
            closes=time(15),
        )
    crew = agreements.crew_create(
        actor=bo, contractor=firm, name="Banehold 1", members=[bo, tina]
    )
    agreements.actor_add(actor=bo, agreement=agreement, user=tina, side="contractor")

    brush = agreements.template_save(
        actor=lars,
        agreement=agreement,
        title="Kunstgræs klar til kamp",
        kind=WorkKind.LINE_MARKING,
        checklist=BRUSHING,
        instructions="Banen skal være klar senest 18 timer før kampstart.",
        duration=timedelta(hours=2),
        blocks_site=True,
    )
    mow = agreements.template_save(
        actor=bo,
        agreement=agreement,
        title="Slå græsbane 1",
        kind=WorkKind.MOWING,
        checklist=MOWING,
        duration=timedelta(hours=2),
        blocks_site=True,
    )
    agreements.series_save(
        actor=lars,
        template=brush,
        site=artificial,
        mode=TaskSeries.Mode.BEFORE_EVENTS,
        event=Event.objects.filter(community=club, title="Hjemmekamp").first(),
        offset=timedelta(hours=18),
        window=timedelta(days=3),
        crew=crew,
    )
    april = datetime(now.year + 1, 4, 2, 7, tzinfo=recurrence.zone())
    while april.weekday() != 4:  # the first Friday of April
        april += timedelta(days=1)
    agreements.series_save(
        actor=bo,
        template=mow,
        site=grass,
        mode=TaskSeries.Mode.RULE,
        starts_at=april,
        rrule=f"FREQ=WEEKLY;BYDAY=FR;UNTIL={now.year + 1}1029T230000Z",
        window=timedelta(hours=10),
        crew=crew,
    )
    _week_of_work(agreement, lars, bo, tina, artificial, grass, now)
    _moved_match(club, lars)
    _report(context, grass)
    _village_hall(context, firm, bo, crew, now)
    cache.clear()  # the demo's writes counted against the demo people's limits
    logger.info(
        "tasks demo: %s tasks, %s agreements",
        Task.objects.count(),
        Agreement.objects.count(),
    )


def _week_of_work(agreement, lars, bo, tina, artificial, grass, now) -> None:
    """The coming matches' tasks agreed, one job done and disputed, one done
    and accepted."""
    coming = list(
        agreement.tasks.filter(series__isnull=False, site=artificial).order_by(
            "window_until"
        )
    )
    if coming:
        first = coming[0]
        # Bo offers a weekday morning: pre-approved, so confirmed at once.
        lifecycle.task_propose(
            actor=bo,
            task=first,
            starts=[_next_free(first, hour=8, after=now + timedelta(hours=2))],
        )
    if len(coming) > 1:
        second = coming[1]
        # The club offers two evenings; Grøn Plæne has yet to answer.
        lifecycle.task_propose(
            actor=lars,
            task=second,
            starts=[
                _next_free(second, hour=15, after=now + timedelta(hours=2)),
                _next_free(second, hour=16, after=now + timedelta(days=1)),
            ],
            note="Helst efter kl. 15, når skolerne har fri fra banen.",
        )
    for title, kind, outcome in [
        ("Efterse lysmasterne på kunstgræsbanen", WorkKind.REPAIRS, "accepted"),
        ("Rens afløbsriste langs kunstgræsbanen", WorkKind.CLEANING, "disputed"),
    ]:
        task = work.task_create(
            actor=lars,
            agreement=agreement,
            fields=work.TaskFields(
                title=title,
                kind=kind,
                site=artificial,
                window_from=now,
                window_until=_evening(now, days=5),
                duration=timedelta(hours=1),
                checklist=("Udført som aftalt", "Området ryddet bagefter"),
            ),
        )
        # Done today, just now: the slot is the next quarter of an hour.
        start = now.replace(
            minute=(now.minute // 15) * 15, second=0, microsecond=0
        ) + timedelta(minutes=15)
        task = lifecycle.task_propose(actor=bo, task=task, starts=[start])
        if task.state != Task.State.CONFIRMED:
            slot = task.slots.get(state="open")
            task = lifecycle.task_confirm(actor=lars, task=task, slot=slot)
        lifecycle.task_start(actor=tina, task=task)
        task = lifecycle.task_complete(
            actor=tina,
            task=task,
            report=lifecycle.Completion(
                checked=[0, 1], note="Klaret på en time.", minutes_on_site=55
            ),
        )
        if outcome == "accepted":
            lifecycle.task_accept(actor=lars, task=task)
        else:
            lifecycle.task_dispute(
                actor=lars,
                task=task,
                reason="Ristene ved det nordlige mål er stadig fulde af blade.",
            )


def _moved_match(club, lars) -> None:
    """A home match moved a day later; its task moves with it."""
    matches = Event.objects.filter(community=club, title="Hjemmekamp").first()
    if matches is None:
        return
    later = [
        o
        for o in matches.occurrences.filter(state="scheduled").order_by("starts_at")
        if o.tasks.exists() and not o.moved
    ]
    if not later:
        return
    occurrence = later[0]  # the first, whose task is already agreed
    sunday = occurrence.starts_at + timedelta(days=1)
    agenda_events.event_update(
        actor=lars,
        event=matches,
        fields=replace(
            EventFields.of(matches, occurrence),
            starts_at=recurrence.local(sunday),
            ends_at=recurrence.local(sunday + timedelta(hours=2)),
        ),
        scope=agenda_events.Scope.THIS,
        occurrence=occurrence,
    )


def _report(context, grass) -> None:
    """Thomas reports a torn goal net on grass pitch 1."""
    people = context["people"]
    reporter = people.get("thomas") or next(iter(people.values()))
    report = work.problem_report(
        actor=reporter,
        site=grass,
        kind=WorkKind.REPAIRS,
        description="Nettet i det sydlige mål på græsbane 1 er revnet i venstre "
        "side. Boldene ryger lige igennem.",
    )
    task = getattr(report, "task", None)
    if task is not None:
        # Grøn Plæne takes it tomorrow morning, inside the pre-approved hours.
        bo = User.objects.get(email="bo@gron-plaene.example")
        start = _next_free(task, hour=7, after=timezone.now() + timedelta(hours=12))
        lifecycle.task_propose(actor=bo, task=task, starts=[start])


def _village_hall(context, firm, bo, crew, now) -> None:
    """Lindå keeps its village hall's grounds with Grøn Plæne too. Weekday
    mornings are pre-approved, so the leaves Bo offers to sweep tomorrow are
    agreed at once and go to his crew; the gutters he offers for an afternoon
    wait for Anne; the salting Anne asks for at dawn waits for Bo."""
    village = context["communities"].get("linda")
    anne = User.objects.filter(email="anne@demo.example").first()
    hall = Facility.objects.filter(slug="linda-forsamlingshus").first()
    if village is None or anne is None or hall is None:
        return
    agreement = agreements.agreement_invite(
        actor=anne,
        client=village,
        contractor=firm,
        title="Forsamlingshusets udearealer",
        sites=[hall],
        work_kinds=[WorkKind.CLEANING, WorkKind.SNOW_CLEARING, WorkKind.MOWING],
        terms="Grøn Plæne holder udearealerne ved Lindå Forsamlingshus: græsset "
        "i sæsonen, blade og tagrender om efteråret, snerydning og saltning om "
        "vinteren, så gæsterne kommer tørskoet ind til fester og møder.",
    )
    agreements.agreement_answer(actor=bo, agreement=agreement, accept=True)
    agreement.refresh_from_db()
    for weekday in range(5):
        agreements.window_add(
            actor=anne,
            agreement=agreement,
            weekday=weekday,
            opens=time(8),
            closes=time(12),
        )

    def task(actor, title, kind, checklist, *, days, hours):
        return work.task_create(
            actor=actor,
            agreement=agreement,
            fields=work.TaskFields(
                title=title,
                kind=kind,
                site=hall,
                window_from=now,
                window_until=_evening(now, days=days),
                duration=timedelta(hours=hours),
                checklist=tuple(checklist),
            ),
        )

    leaves = task(
        anne,
        "Fej blade på stier og parkering",
        WorkKind.CLEANING,
        [
            "Fej stien og indgangen",
            "Saml bladene på parkeringen",
            "Kør dem til kompost",
        ],
        days=4,
        hours=1.5,
    )
    start = _next_free(leaves, hour=9, after=now + timedelta(hours=12))
    leaves = lifecycle.task_propose(actor=bo, task=leaves, starts=[start])
    work.task_assign_crew(actor=bo, task=leaves, crew=crew)

    gutters = task(
        bo,
        "Rens tagrender og nedløb",
        WorkKind.CLEANING,
        ["Rens tagrenderne hele vejen rundt", "Skyl nedløbene igennem"],
        days=8,
        hours=2,
    )
    lifecycle.task_propose(
        actor=bo,
        task=gutters,
        starts=[
            _next_free(gutters, hour=13, after=now + timedelta(days=1)),
            _next_free(gutters, hour=13, after=now + timedelta(days=2)),
        ],
        note="Vi tager den med lift en eftermiddag, når der ikke er udlejet.",
    )

    salt = task(
        anne,
        "Salt stier og parkering før juletræsfesten",
        WorkKind.SNOW_CLEARING,
        ["Salt stien fra parkeringen til døren", "Salt trappen og rampen"],
        days=6,
        hours=1,
    )
    lifecycle.task_propose(
        actor=anne,
        task=salt,
        starts=[_next_free(salt, hour=6, after=now + timedelta(days=3))],
        note="Der er meldt frost i nat og i morgen; festen starter kl. 14.",
    )
