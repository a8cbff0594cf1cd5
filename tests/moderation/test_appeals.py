"""Appeals: by the author against a hide, by a reporter against "no action",
within six months, answered by another moderator than the first, never twice."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from hub.errors import Conflict, NotPermitted
from messaging import services as messaging
from messaging.models import Message
from moderation import audit, services
from moderation.models import Appeal, Case, Decision
from moderation.services import AppealInput, DecisionInput, ModerationError, ReportInput
from tests.factories import member_of
from tests.helpers import send

pytestmark = pytest.mark.django_db

HIDE = DecisionInput(
    action="hide", ground="house_rules", rule="Husregel 1", facts="Grov tone."
)
LEAVE = DecisionInput(action="no_action", ground="none", facts="Skarp, men saglig.")


@pytest.fixture
def author(village):
    return member_of(village)


@pytest.fixture
def reporter(village):
    user = member_of(village)
    user.date_joined = timezone.now() - timedelta(days=60)
    user.save(update_fields=["date_joined"])
    return user


@pytest.fixture
def message(village, author):
    general = messaging.channel_ensure_general(community=village)
    return send(author, general, "Du er en idiot, Henning")


def _decided(reporter, message, moderator, data):
    services.report_submit(
        reporter=reporter,
        kind="message",
        pk=message.pk,
        data=ReportInput(reason="harassment"),
    )
    return services.case_decide(moderator=moderator, case=Case.objects.get(), data=data)


def test_an_upheld_appeal_of_an_organisers_hide_restores_the_message(
    author, reporter, message, organiser, staff, django_capture_on_commit_callbacks
):
    hidden = _decided(reporter, message, organiser, HIDE)
    assert Message.objects.get(pk=message.pk).is_hidden

    appeal = services.appeal_submit(
        appellant=author, decision=hidden, grounds="Det var en intern spøg."
    )
    case = Case.objects.get()
    assert case.state == Case.State.APPEALED
    assert case.escalation == Case.Escalation.APPEAL
    with pytest.raises(NotPermitted):  # the organiser does not judge their own call
        services.appeal_decide(
            moderator=organiser, appeal=appeal, data=AppealInput(True, "x")
        )
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        answer = services.appeal_decide(
            moderator=staff,
            appeal=appeal,
            data=AppealInput(upheld=True, facts="Sagt blandt venner, ingen krænket."),
        )

    assert answer.action == Decision.Action.RESTORE
    assert not Message.objects.get(pk=message.pk).is_hidden
    case.refresh_from_db()
    assert case.state == Case.State.CLOSED
    assert case.closed_at is not None
    appeal.refresh_from_db()
    assert appeal.outcome == Appeal.Outcome.UPHELD
    assert appeal.resolution == answer
    assert {m.to[0] for m in mail.outbox} == {author.email, reporter.email}
    assert audit.verify().intact


def test_a_moderator_never_decides_the_appeal_of_their_own_decision(
    author, reporter, message, staff
):
    hidden = _decided(reporter, message, staff, HIDE)
    appeal = services.appeal_submit(appellant=author, decision=hidden, grounds="Nej")

    with pytest.raises(NotPermitted):
        services.appeal_decide(
            moderator=staff, appeal=appeal, data=AppealInput(True, "Jeg tog fejl")
        )

    appeal.refresh_from_db()
    assert appeal.is_open
    assert Message.objects.get(pk=message.pk).is_hidden
    assert Case.objects.get().state == Case.State.APPEALED


def test_a_reporter_appeals_no_action_and_an_upheld_appeal_hides_it(
    author, reporter, message, organiser, staff
):
    left = _decided(reporter, message, organiser, LEAVE)
    with pytest.raises(NotPermitted):  # the author has nothing to contest
        services.appeal_submit(appellant=author, decision=left, grounds="?")
    appeal = services.appeal_submit(
        appellant=reporter, decision=left, grounds="Det er chikane."
    )
    with pytest.raises(ModerationError):  # hiding names the rule it breaks
        services.appeal_decide(
            moderator=staff, appeal=appeal, data=AppealInput(True, "Chikane")
        )

    answer = services.appeal_decide(
        moderator=staff,
        appeal=appeal,
        data=AppealInput(True, "Chikane", ground="platform_rules", rule="Regel 3"),
    )

    assert answer.action == Decision.Action.HIDE
    assert Message.objects.get(pk=message.pk).is_hidden


def test_a_rejected_appeal_leaves_the_decision_standing_and_is_final(
    author, reporter, message, organiser, staff
):
    hidden = _decided(reporter, message, organiser, HIDE)
    appeal = services.appeal_submit(appellant=author, decision=hidden, grounds="Nej")

    answer = services.appeal_decide(
        moderator=staff, appeal=appeal, data=AppealInput(False, "Grov tone, klart.")
    )

    assert answer.action == Decision.Action.CONFIRM
    assert answer.rule == "Husregel 1"
    assert Message.objects.get(pk=message.pk).is_hidden
    with pytest.raises(Conflict):
        services.appeal_submit(appellant=author, decision=answer, grounds="Igen")
    with pytest.raises(Conflict):
        services.appeal_submit(appellant=author, decision=hidden, grounds="Igen")
    assert Appeal.objects.count() == 1


def test_appeals_close_after_six_months_and_are_for_the_parties_only(
    author, reporter, message, organiser, village
):
    hidden = _decided(reporter, message, organiser, HIDE)
    bystander = member_of(village)

    with pytest.raises(NotPermitted):
        services.appeal_submit(appellant=bystander, decision=hidden, grounds="Hm")
    Decision.objects.filter(pk=hidden.pk).update(
        created_at=timezone.now() - timedelta(days=184)
    )
    hidden.refresh_from_db()
    with pytest.raises(Conflict):
        services.appeal_submit(appellant=author, decision=hidden, grounds="Sent")

    assert not Appeal.objects.exists()
    assert Case.objects.get().state == Case.State.DECIDED


def test_the_author_appeals_from_the_decision_page(
    client, author, reporter, message, organiser
):
    hidden = _decided(reporter, message, organiser, HIDE)
    client.force_login(author)

    page = client.get(reverse("moderation:decision", kwargs={"pk": hidden.pk}))
    url = reverse("moderation:appeal", kwargs={"pk": hidden.pk})
    assert url in page.content.decode()
    refused = client.post(url, {"grounds": ""})
    assert refused.status_code == 200
    assert refused.context["form"].errors["grounds"]

    done = client.post(url, {"grounds": "En intern spøg"})

    assert done.status_code == 302
    assert Appeal.objects.get().grounds == "En intern spøg"
    client.force_login(reporter)
    assert client.get(url).status_code == 404  # appealed once, and not theirs


def test_a_second_moderator_answers_the_appeal_in_the_wagtail_admin(
    client, author, reporter, message, organiser, staff
):
    hidden = _decided(reporter, message, organiser, HIDE)
    services.appeal_submit(appellant=author, decision=hidden, grounds="Spøg")
    case = Case.objects.get()
    client.force_login(staff)
    url = reverse("moderation_admin_case", kwargs={"pk": case.pk})

    page = client.get(url)
    assert "Spøg" in page.content.decode()
    done = client.post(url, {"upheld": "1", "facts": "En spøg mellem venner"})

    assert done.status_code == 302
    assert not Message.objects.get(pk=message.pk).is_hidden
    assert Appeal.objects.get().outcome == Appeal.Outcome.UPHELD
