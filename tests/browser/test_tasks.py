"""The task board in a real browser, with two parties at once: Skovby IF's
organiser offers two times for mowing the pitch on the task's page, Grøn
Plæne ApS's organiser finds the task on the firm's board, takes one time,
starts the work and reports it done with a photo, and the club accepts it.

The club's board stays open all along and follows the steps over the live
socket without a reload (static/js/board.js); the club's task page, open
while the firm reports the work done, says the task changed instead of
swapping its forms. The boards and the task page pass axe and fit 320
pixels without sideways scrolling at 1280 and 320. With NABOLAG_SHOTS set,
each is saved as /tmp/shots/tasks-<page>-<width>.png.

The contractor's board on a map follows the club's step the same way, its map
drawn again; the planning pages (crews, a job, a series, the reports at a
site the club looks after, the municipality's shared agreements) pass the
same checks."""

import os
import re
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from agenda import recurrence
from agenda.models import Facility
from communities.models import Community
from tasks.models import Task, TaskPhoto, TaskSeries, TaskSlot
from tasks.services import agreements, work
from tests.browser.conftest import axe_violations, signed_in_page
from tests.factories import CommunityFactory, UserFactory, organiser_of
from tests.helpers import da, da_date, da_in
from tests.htmlcheck import record_html

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/shots")  # noqa: S108 (screenshots for a person to look at)
WIDTHS = (1280, 320)
TITLE = "Slå bane 1"
CHECKLIST = ("Slå græsset", "Rens maskinen", "Luk porten")
S = Task.State
# What comes over the live socket may wait for the server's other work (the
# machine is shared): longer than expect's five seconds, as long as an action.
LIVE = 15_000


def _updated(title: str, state: str) -> str:
    """The board's announcement. Its text comes from a template's translate
    tag, whose msgid doubles the percent signs of its placeholders."""
    said = da("Task updated: %%(title)s is now %%(state)s").replace("%%", "%")
    return said % {"title": title, "state": state}


def _at(day_offset: int, hour: int) -> datetime:
    day = timezone.localdate() + timedelta(days=day_offset)
    return datetime.combine(day, time(hour), tzinfo=recurrence.zone())


def _local(moment: datetime) -> str:
    """``moment`` as a datetime-local input takes it."""
    return f"{recurrence.local(moment):%Y-%m-%dT%H:%M}"


def _path(pattern: str) -> re.Pattern:
    return re.compile(rf"^https?://[^/]+{pattern}$")


@pytest.fixture
def board(transactional_db):
    """Skovby IF and Grøn Plæne ApS, an organiser each, an agreement in force
    for mowing the club's pitch and one mowing task, to be done from tomorrow
    06:00 to five days on at 20:00, with no time agreed yet."""
    village = CommunityFactory(
        name="Skovby", slug="skovby-tasks", kind=Community.Kind.VILLAGE
    )
    club = CommunityFactory(
        name="Skovby IF", slug="skovby-if-tasks", kind=Community.Kind.ASSOCIATION
    )
    firm = CommunityFactory(
        name="Grøn Plæne ApS", slug="groen-plaene", kind=Community.Kind.CONTRACTOR
    )
    mette, jonas = organiser_of(club), organiser_of(firm)
    pitch = Facility.objects.create(
        name="Stadion, bane 1",
        slug="stadion-bane-1-tasks",
        kind=Facility.Kind.NATURAL_GRASS,
        village=village,
    )
    invited = agreements.agreement_invite(
        actor=mette,
        client=club,
        contractor=firm,
        title="Græsslåning",
        sites=[pitch],
        work_kinds=["mowing"],
    )
    agreement = agreements.agreement_answer(actor=jonas, agreement=invited, accept=True)
    task = work.task_create(
        actor=mette,
        agreement=agreement,
        fields=work.TaskFields(
            title=TITLE,
            kind="mowing",
            site=pitch,
            window_from=_at(1, 6),
            window_until=_at(5, 20),
            duration=timedelta(hours=2),
            checklist=CHECKLIST,
        ),
    )
    return {
        "club": club,
        "firm": firm,
        "club_organiser": mette,
        "firm_organiser": jonas,
        "task": task,
        "times": (_at(2, 8), _at(3, 10)),
    }


def _look_at(page, name: str) -> list[str]:
    """What is wrong with the page at each width: sideways scrolling, axe's
    serious and critical violations. With NABOLAG_SHOTS set, its screenshots
    too. Its HTML goes to the end-of-session HTML check (a page reached by a
    click or a redirect is not kept by itself)."""
    record_html(page.url, page.content())
    shots = bool(os.environ.get("NABOLAG_SHOTS"))
    if shots:
        SHOTS.mkdir(parents=True, exist_ok=True)
    problems = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        if shots:
            page.screenshot(path=SHOTS / f"tasks-{name}-{width}.png", full_page=True)
        fits = page.evaluate(
            "() => document.documentElement.scrollWidth"
            " <= document.documentElement.clientWidth"
        )
        if not fits:
            problems.append(f"{name} at {width}: scrolls sideways")
        problems += [
            f"{name} at {width}: axe {violation['id']} {violation['nodes']}"
            for violation in axe_violations(page)
        ]
    page.set_viewport_size({"width": WIDTHS[0], "height": 800})
    return problems


def _state(page, task: Task):
    return page.locator(f"#task-{task.pk} .task-state")


def _form(page, step: str):
    return page.locator(f"form[action$='/{step}/']")


def _small_png(tmp_path: Path) -> Path:
    path = tmp_path / "bane-1.png"
    Image.new("RGB", (64, 48), (90, 160, 60)).save(path, format="PNG")
    return path


def _club_proposes(page, task: Task, times) -> None:
    page.goto(task.get_absolute_url())
    propose = _form(page, "propose")
    propose.get_by_label(da("First time"), exact=True).fill(_local(times[0]))
    propose.get_by_label(da("Second time (optional)"), exact=True).fill(
        _local(times[1])
    )
    propose.get_by_role("button", name=da("Offer these times")).click()

    expect(page).to_have_url(_path(task.get_absolute_url()))
    expect(page.locator(".messages [role=status]")).to_have_text(
        da("Your times are offered. The other side is told.")
    )
    assert task.slots.filter(state=TaskSlot.State.OPEN).count() == 2


def _firm_confirms(page, board) -> list[str]:
    task, firm = board["task"], board["firm"]
    page.goto(reverse("tasks:board", args=[firm.slug]))
    waiting = page.get_by_role("region", name=da("No time agreed yet"))
    expect(waiting.locator(f"#task-{task.pk}")).to_contain_text(
        da("Waiting for: you, the contractor")
    )
    problems = _look_at(page, "contractor-board")

    waiting.get_by_role("link", name=TITLE, exact=True).click()
    expect(page).to_have_url(_path(task.get_absolute_url()))
    expect(page.locator("#task")).to_have_attribute("data-live", "open", timeout=LIVE)
    problems += _look_at(page, "task")
    chosen = board["times"][1]
    when = da_date(chosen, "j. F, H:i")
    page.get_by_role("button", name=da("Confirm %(when)s", when=when)).click()

    expect(page.locator(".messages [role=status]")).to_have_text(
        da("The time is confirmed.")
    )
    task.refresh_from_db()
    assert task.state == S.CONFIRMED
    assert task.starts_at == chosen
    return problems


def _firm_starts(page, task: Task) -> None:
    _form(page, "start").get_by_role("button", name=da("Mark as under way")).click()
    expect(page.locator(".messages [role=status]")).to_have_text(
        da("The task is marked as under way.")
    )


def _firm_reports_done(page, task: Task, tmp_path: Path) -> None:
    complete = _form(page, "complete")
    for line in CHECKLIST[:2]:
        complete.get_by_role("checkbox", name=line, exact=True).check()
    complete.get_by_label(da("Note (optional)"), exact=True).fill("Græsset er slået.")
    complete.get_by_label(da("Photos (optional)"), exact=True).set_input_files(
        _small_png(tmp_path)
    )
    complete.get_by_label(da("What the photos show (optional)"), exact=True).fill(
        "Bane 1 efter slåning"
    )
    complete.get_by_role("button", name=da("Report done")).click()

    expect(page.locator(".messages [role=status]")).to_have_text(
        da("The work is reported done. The association is told.")
    )
    task.refresh_from_db()
    assert task.state == S.DONE
    assert task.checked == [0, 1]
    assert TaskPhoto.objects.filter(task=task).count() == 1


def test_two_parties_agree_and_finish_a_task_while_the_club_board_follows_live(
    new_page, live_daphne, board, tmp_path
):
    task, club = board["task"], board["club"]
    club_page = signed_in_page(new_page, live_daphne, board["club_organiser"])
    firm_page = signed_in_page(new_page, live_daphne, board["firm_organiser"])

    _club_proposes(club_page, task, board["times"])
    club_page.goto(reverse("tasks:board", args=[club.slug]))
    expect(club_page.locator("#board")).to_have_attribute(
        "data-live", "open", timeout=LIVE
    )
    expect(_state(club_page, task)).to_have_text(da_in("task", "Times proposed"))
    # A mark on the open page (gone, were the page loaded again), and a note
    # of the steps its socket hears.
    club_page.evaluate(
        """() => {
            window.stayed = true;
            window.heard = [];
            document.addEventListener("nabolag:topic", (event) => {
                window.heard.push(event.detail);
            });
        }"""
    )
    club_page.locator(f"#task-{task.pk}-link").focus()
    problems = _firm_confirms(firm_page, board)

    # The club's board, not reloaded, shows the time taken and says so.
    expect(_state(club_page, task)).to_have_text(
        da_in("task", "Confirmed"), timeout=LIVE
    )
    expect(club_page.locator("#board-announcer")).to_have_text(
        _updated(TITLE, da_in("task", "Confirmed"))
    )
    expect(club_page.locator(f"#task-{task.pk} .task-card-when")).to_contain_text(
        da_date(board["times"][1], "D j. M H:i")
    )
    assert club_page.evaluate("() => window.stayed === true")
    heard = club_page.evaluate("() => window.heard")
    assert [(f["topic"], f["task"], f["state"]) for f in heard] == [
        (f"board.{club.pk}", task.pk, S.CONFIRMED)
    ]
    # The renewed board keeps the focus where it was: on the task's link.
    assert club_page.evaluate("() => document.activeElement.id") == (
        f"task-{task.pk}-link"
    )
    problems += _look_at(club_page, "client-board")

    # Someone typing in a form on the board (the boards have none yet: one is
    # put there) keeps it as it is until they ask for the changes.
    club_page.evaluate(
        """() => {
            const form = document.createElement("form");
            form.innerHTML = '<label for="typed">Note</label><textarea id="typed">'
                + "</textarea>";
            document.getElementById("board").append(form);
        }"""
    )
    club_page.locator("#typed").fill("Husk porten")
    _firm_starts(firm_page, task)
    show = club_page.get_by_role(
        "button", name=da("The board has changed — show the changes")
    )
    expect(show).to_be_visible(timeout=LIVE)
    expect(_state(club_page, task)).to_have_text(da_in("task", "Confirmed"))
    expect(club_page.locator("#typed")).to_have_value("Husk porten")
    show.click()
    expect(_state(club_page, task)).to_have_text(da_in("task", "In progress"))
    expect(show).to_be_hidden()
    expect(club_page.get_by_role("heading", level=1)).to_be_focused()
    expect(club_page.locator("#typed")).to_have_count(0)
    expect(club_page.locator("#board-announcer")).to_have_text(
        _updated(TITLE, da_in("task", "In progress"))
    )
    club_page.get_by_role("link", name=TITLE, exact=True).click()
    expect(club_page).to_have_url(_path(task.get_absolute_url()))
    expect(club_page.locator("#task")).to_have_attribute(
        "data-live", "open", timeout=LIVE
    )
    notice = club_page.locator("#task-changed")
    expect(notice).to_be_hidden()
    _firm_reports_done(firm_page, task, tmp_path)

    # The club's task page keeps its forms and offers a reload instead.
    expect(notice).to_be_visible(timeout=LIVE)
    expect(notice).to_contain_text(da("This task has changed."))
    expect(_form(club_page, "accept")).to_have_count(0)
    problems += _look_at(club_page, "task-changed")
    notice.get_by_role(
        "link", name=da("Reload the page to see how it stands now")
    ).click()
    accept = _form(club_page, "accept")
    expect(accept).to_be_visible()
    photo = club_page.get_by_role("img", name="Bane 1 efter slåning")
    expect(photo).to_be_visible()
    # Loaded, not broken: the photo comes from the task's own address.
    club_page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=photo.element_handle()
    )
    problems += _look_at(club_page, "task-done")
    accept.get_by_role("button", name=da_in("task", "Accept")).click()

    expect(club_page.locator(".messages [role=status]")).to_have_text(
        da("The work is accepted. Thank you.")
    )
    expect(club_page.locator(".task-status .task-state")).to_have_text(
        da_in("task", "Accepted")
    )
    task.refresh_from_db()
    assert task.state == S.ACCEPTED
    assert problems == []


@pytest.fixture
def planning(board):
    """``board`` with what the planning pages show: the pitch on the map, a
    crew of the firm, a recurring job and a weekly series of it, the
    agreement shared with the municipality by both sides, a moderator, and a
    resident's report at a hall of the club that no agreement covers."""
    task = board["task"]
    club, firm = board["club"], board["firm"]
    mette, jonas = board["club_organiser"], board["firm_organiser"]
    Facility.objects.filter(pk=task.site_id).update(latitude=56.1731, longitude=9.5446)
    agreement = task.agreement
    crew = agreements.crew_create(
        actor=jonas, contractor=firm, name="Hold Nord", members=[jonas]
    )
    job = agreements.template_save(
        actor=mette,
        agreement=agreement,
        title="Slå græsset",
        kind="mowing",
        checklist=list(CHECKLIST),
        duration=timedelta(hours=2),
    )
    series = agreements.series_save(
        actor=mette,
        template=job,
        site=task.site,
        mode=TaskSeries.Mode.RULE,
        starts_at=_at(8, 7),
        rrule="FREQ=WEEKLY;COUNT=3",
        crew=crew,
    )
    for side in (mette, jonas):
        agreements.agreement_share(actor=side, agreement=agreement, shared=True)
    moderator = UserFactory(display_name="Kommunen")
    moderator.user_permissions.add(Permission.objects.get(codename="manage_all"))
    hall = Facility.objects.create(
        name="Klubhuset", slug="klubhuset-tasks", kind=Facility.Kind.HALL, owner=club
    )
    report = work.problem_report(
        actor=UserFactory(display_name="Rasmus Ravn"),
        site=hall,
        kind="repairs",
        description="Døren til omklædningsrummet kan ikke lukkes.",
    )
    return {
        **board,
        "crew": crew,
        "job": job,
        "series": series,
        "moderator": moderator,
        "report": report,
    }


def test_the_contractors_map_follows_live_and_the_planning_pages_pass_axe(
    new_page, live_daphne, planning
):
    task, firm = planning["task"], planning["firm"]
    agreement = task.agreement
    firm_page = signed_in_page(new_page, live_daphne, planning["firm_organiser"])
    club_page = signed_in_page(new_page, live_daphne, planning["club_organiser"])

    firm_page.goto(reverse("tasks:board", args=[firm.slug]) + "?view=map")
    expect(firm_page.locator("#board")).to_have_attribute(
        "data-live", "open", timeout=LIVE
    )
    pin = firm_page.locator("#board-map .leaflet-marker-icon")
    expect(pin).to_have_count(1)
    expect(pin).to_have_attribute("aria-label", re.compile("Stadion, bane 1"))
    problems = _look_at(firm_page, "contractor-map")
    _club_proposes(club_page, task, planning["times"])

    # The map board, not reloaded, shows the times offered, its map drawn
    # again with the site's pin, which opens to the task.
    expect(_state(firm_page, task)).to_have_text(
        da_in("task", "Times proposed"), timeout=LIVE
    )
    expect(pin).to_have_count(1)
    pin.click()
    popup = firm_page.locator("#board-map .leaflet-popup")
    expect(popup.get_by_role("link", name=TITLE)).to_be_visible()
    # Faded in to the full colours axe checks (Leaflet's 0.2 s fade).
    expect(popup).to_have_css("opacity", "1")
    problems += _look_at(firm_page, "contractor-map-renewed")

    for name, url in [
        ("crews", reverse("tasks:crews", args=[firm.slug])),
        ("crew-edit", reverse("tasks:crew_edit", args=[planning["crew"].pk])),
    ]:
        firm_page.goto(url)
        expect(firm_page.get_by_role("heading", level=1)).to_be_visible()
        problems += _look_at(firm_page, name)
    job, series = planning["job"], planning["series"]
    for name, route, args in [
        ("job-edit", "agreement_template_edit", [agreement.pk, job.pk]),
        ("series-edit", "agreement_series_edit", [agreement.pk, series.pk]),
        ("series-stop", "agreement_series_stop", [agreement.pk, series.pk]),
        ("site-reports", "site_reports", []),
        ("site-report", "site_report", [planning["report"].pk]),
    ]:
        club_page.goto(reverse(f"tasks:{route}", args=args))
        expect(club_page.get_by_role("heading", level=1)).to_be_visible()
        problems += _look_at(club_page, name)
    staff_page = signed_in_page(new_page, live_daphne, planning["moderator"])
    staff_page.goto(reverse("tasks:shared"))
    expect(staff_page.get_by_role("link", name=agreement.title)).to_be_visible()
    problems += _look_at(staff_page, "shared")
    assert problems == []
