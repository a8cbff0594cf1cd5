"""The contractor's report of work done: the checklist, the time on site and
photos, which are re-encoded without their location; a report with anything
wrong in it is refused whole and leaves nothing behind."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tasks.errors import TaskError
from tasks.models import Task, TaskPhoto
from tasks.services import lifecycle
from tests.helpers import stored_files
from tests.tasks.conftest import confirmed, da, small_photo

S = Task.State


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def agreed(task, club_organiser, firm_organiser) -> Task:
    return confirmed(task, club_organiser, firm_organiser)


def complete(task, actor, **report):
    return lifecycle.task_complete(
        actor=actor, task=task, report=lifecycle.Completion(**report)
    )


def unchanged(task: Task, settings) -> None:
    """Nothing of a refused report was kept."""
    task.refresh_from_db()
    assert task.state == S.CONFIRMED
    assert (task.checked, task.completion_note, task.minutes_on_site) == ([], "", None)
    assert task.done_at is None
    assert not TaskPhoto.objects.exists()
    assert stored_files(settings) == []


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_photos_are_kept_without_their_location(agreed, firm_organiser, settings, fmt):
    upload = small_photo(f"bane.{fmt.lower()}", fmt=fmt)
    with Image.open(upload) as sent:
        assert 0x8825 in sent.getexif()  # the GPS position is there to remove
    upload.seek(0)

    complete(
        agreed,
        firm_organiser,
        photos=[upload],
        photo_description="  Bane 1,\n  efter slåning ",
    )

    photo = agreed.photos.get()
    assert photo.added_by == firm_organiser
    assert photo.description == "Bane 1, efter slåning"
    assert photo.image.name.startswith(f"tasks/{agreed.pk}/")
    with Image.open(photo.image.path) as stored:
        assert stored.format == "JPEG"
        assert stored.size == (64, 48)
        assert dict(stored.getexif()) == {}
        assert "exif" not in stored.info
    assert len(stored_files(settings)) == 1


def test_a_text_file_named_like_a_photo_is_refused_and_nothing_is_kept(
    agreed, firm_organiser, settings
):
    fake = SimpleUploadedFile(
        "bane.jpg", b"Dette er ikke et billede.\n", content_type="image/jpeg"
    )

    with pytest.raises(TaskError) as exc:
        complete(
            agreed,
            firm_organiser,
            photos=[small_photo(), fake],
            checked=[0],
            note="Færdig",
            minutes_on_site=60,
        )

    assert exc.value.field == "photos"
    assert str(exc.value.message) == da(
        "%(name)s: %(problem)s Please choose the photos again.",
        name="bane.jpg",
        problem=da("This file is not a photo we can read."),
    )
    unchanged(agreed, settings)


def test_a_photo_of_another_type_is_refused(agreed, firm_organiser, settings):
    image = Image.new("RGB", (20, 20))
    out = io.BytesIO()
    image.save(out, format="GIF")
    gif = SimpleUploadedFile("bane.jpg", out.getvalue(), content_type="image/jpeg")

    with pytest.raises(TaskError) as exc:
        complete(agreed, firm_organiser, photos=[gif])

    assert str(exc.value.message) == da(
        "%(name)s: %(problem)s Please choose the photos again.",
        name="bane.jpg",
        problem=da("Please upload a JPEG, PNG or WebP photo."),
    )
    unchanged(agreed, settings)


def test_more_photos_than_allowed_are_refused(agreed, firm_organiser, settings):
    photos = [small_photo(f"{n}.jpg", gps=False) for n in range(7)]

    with pytest.raises(TaskError) as exc:
        complete(agreed, firm_organiser, photos=photos)

    assert exc.value.field == "photos"
    assert str(exc.value.message) == da(
        "A task can have at most %(count)s photo.",
        "A task can have at most %(count)s photos.",
        6,
        count=6,
    )
    unchanged(agreed, settings)


def test_photos_of_an_earlier_report_count_towards_the_limit(
    agreed, firm_organiser, club_organiser, settings
):
    complete(agreed, firm_organiser, photos=[small_photo(f"{n}.jpg") for n in range(4)])
    lifecycle.task_dispute(actor=club_organiser, task=agreed, reason="Hjørnerne")

    with pytest.raises(TaskError):
        complete(
            agreed, firm_organiser, photos=[small_photo(f"{n}.jpg") for n in range(3)]
        )
    complete(agreed, firm_organiser, photos=[small_photo(f"{n}.jpg") for n in range(2)])

    assert agreed.photos.count() == 6
    assert len(stored_files(settings)) == 6


@pytest.mark.parametrize("checked", [[3], [-1], [0, 7]])
def test_a_checklist_item_not_on_the_task_is_refused(
    agreed, firm_organiser, settings, checked
):
    with pytest.raises(TaskError) as exc:
        complete(agreed, firm_organiser, checked=checked, photos=[small_photo()])

    assert exc.value.field == "checked"
    assert str(exc.value.message) == da("That checklist item is not on this task.")
    unchanged(agreed, settings)


@pytest.mark.parametrize("minutes", [0, -5, 24 * 60 + 1])
def test_a_time_on_site_out_of_range_is_refused(
    agreed, firm_organiser, settings, minutes
):
    with pytest.raises(TaskError) as exc:
        complete(agreed, firm_organiser, minutes_on_site=minutes)

    assert exc.value.field == "minutes_on_site"
    assert str(exc.value.message) == da(
        "Time on site must be between 1 minute and 24 hours."
    )
    unchanged(agreed, settings)


@pytest.mark.parametrize("minutes", [1, 24 * 60])
def test_a_time_on_site_at_the_limits_is_taken(agreed, firm_organiser, minutes):
    complete(agreed, firm_organiser, minutes_on_site=minutes)

    agreed.refresh_from_db()
    assert agreed.minutes_on_site == minutes


def test_photos_stored_by_a_report_that_fails_later_are_removed(
    agreed, firm_organiser, settings, monkeypatch
):
    def fail(task, step):
        raise RuntimeError("the board is down")

    monkeypatch.setattr(lifecycle.events, "task_changed", fail)

    with pytest.raises(RuntimeError):
        complete(agreed, firm_organiser, photos=[small_photo(), small_photo("2.jpg")])

    unchanged(agreed, settings)
