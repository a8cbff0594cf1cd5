"""The public transparency page: one month's notices, decisions, automation,
time to decision, appeals and sanctions, naming no one."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from messaging import services as messaging
from moderation import selectors, services
from moderation.models import Case, Decision, Report
from moderation.services import DecisionInput, ReportInput
from tests.factories import CommunityFactory, UserFactory, member_of, organiser_of
from tests.helpers import send

pytestmark = pytest.mark.django_db


@pytest.fixture
def month_of_work(db):
    village = CommunityFactory(name="Skovby", slug="skovby")
    organiser = organiser_of(village)
    general = messaging.channel_ensure_general(community=village)
    author = member_of(village, user=UserFactory(display_name="Sælger Sørensen"))
    reporters = [member_of(village) for _ in range(3)]
    for n, reason in enumerate(["spam", "spam", "harassment"]):
        message = send(author, general, f"Tilbud {n}")
        services.report_submit(
            reporter=reporters[n],
            kind="message",
            pk=message.pk,
            data=ReportInput(reason=reason),
        )
    first, second, _third = Case.objects.order_by("pk")
    Case.objects.filter(pk=first.pk).update(
        opened_at=timezone.now() - timedelta(hours=4)
    )
    Case.objects.filter(pk=second.pk).update(
        opened_at=timezone.now() - timedelta(hours=2)
    )
    for case, action in ((first, "hide"), (second, "no_action")):
        services.case_decide(
            moderator=organiser,
            case=Case.objects.get(pk=case.pk),
            data=DecisionInput(
                action=action,
                ground="house_rules" if action == "hide" else "none",
                rule="Regel 2" if action == "hide" else "",
                facts="Reklame",
            ),
        )
    return {"author": author, "reporters": reporters}


def test_the_months_figures_count_what_happened(month_of_work):
    now = timezone.localtime()

    report = selectors.month_report(now.year, now.month)

    assert report.notices == 3
    assert dict(report.notices_by_reason) == {
        Report._meta.get_field("reason").choices[0][1]: 2,
        dict(Report._meta.get_field("reason").choices)["harassment"]: 1,
    }
    assert report.decisions == 2
    assert report.automated_percent == 0
    assert report.median_hours == pytest.approx(3.0, abs=0.1)
    labels = {(g, a) for g, a, _n in report.decisions_by_ground}
    assert (
        dict(Decision.Ground.choices)["house_rules"],
        dict(Decision.Action.choices)["hide"],
    ) in labels


def test_an_empty_month_has_no_figures(month_of_work):
    last_year = timezone.localtime().year - 1

    report = selectors.month_report(last_year, 3)

    assert report.notices == 0
    assert report.decisions == 0
    assert report.median_hours is None


def test_the_page_is_public_and_names_no_one(client, month_of_work):
    with translation.override("en"):
        page = client.get(reverse("moderation:transparency"), HTTP_ACCEPT_LANGUAGE="en")

    assert page.status_code == 200
    html = page.content.decode()
    assert "Sælger Sørensen" not in html
    for reporter in month_of_work["reporters"]:
        assert reporter.public_name not in html
    assert page.context["report"].notices == 3
    future = timezone.localtime() + timedelta(days=40)
    assert (
        client.get(
            reverse("moderation:transparency_month", args=[future.year, future.month])
        ).status_code
        == 404
    )
    assert client.get("/moderation/transparency/2026/13/").status_code == 404


def test_the_page_costs_the_same_queries_whatever_the_month_holds(
    client, month_of_work, django_assert_num_queries
):
    year = timezone.localtime().year - 1
    with django_assert_num_queries(7):
        busy = client.get(reverse("moderation:transparency"))
    with django_assert_num_queries(7):
        empty = client.get(reverse("moderation:transparency_month", args=[year, 3]))

    assert busy.context["report"].notices == 3
    assert empty.context["report"].notices == 0
