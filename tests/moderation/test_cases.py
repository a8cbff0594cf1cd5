"""Reports, cases and decisions: merged repeats, scores by who reported, hiding
at the threshold or at once for a moderator, escalation to the municipality, and
decisions whose statement of reasons is written once in the author's language."""

import json
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation

from hub.errors import Conflict, NotFound, NotPermitted, RateLimited
from messaging import services as messaging
from messaging.models import Message
from moderation import audit, selectors, services
from moderation.models import AppendOnly, AuditEntry, Case, Decision, Report
from moderation.services import DecisionInput, ModerationError, ReportInput
from tests.factories import CommunityFactory, UserFactory, member_of, organiser_of
from tests.helpers import send, session_queries

pytestmark = pytest.mark.django_db

SPAM = ReportInput(reason="spam", details="Reklame for et kasino")
HIDE = DecisionInput(
    action="hide",
    ground="house_rules",
    rule="Husregel 2: ingen reklame",
    facts="Beskeden reklamerer for et kasino.",
)


def _established(user):
    """An account old enough to count fully when it reports."""
    user.date_joined = timezone.now() - timedelta(days=60)
    user.save(update_fields=["date_joined"])
    return user


@pytest.fixture
def author(village):
    return member_of(village, user=UserFactory(display_name="Sælger Sørensen"))


@pytest.fixture
def message(author, general):
    return send(author, general, "Køb billige kasinochips på example.com")


def _neighbours(village, n, *, established=True):
    joined = {} if established else {"date_joined": timezone.now()}
    return [member_of(village, user=UserFactory(**joined)) for _ in range(n)]


def _report(reporter, message, data=SPAM):
    return services.report_submit(
        reporter=reporter, kind="message", pk=message.pk, data=data
    )


def test_one_persons_repeated_reports_of_one_message_merge(village, message):
    [neighbour] = _neighbours(village, 1)

    first = _report(neighbour, message)
    again = _report(neighbour, message, ReportInput(reason="spam", details="Igen!"))

    assert not first.merged
    assert again.merged
    report = Report.objects.get()
    assert report.repeats == 2
    assert report.details == "Igen!"
    case = Case.objects.get()
    assert case.score == pytest.approx(1.0)  # the repeat added nothing


def test_three_established_neighbours_hide_a_message_and_open_tabs_lose_its_text(
    village, message, layer, django_capture_on_commit_callbacks
):
    first, second, third = _neighbours(village, 3)
    _report(first, message)
    _report(second, message)
    assert Message.objects.get(pk=message.pk).visibility == "visible"

    with django_capture_on_commit_callbacks(execute=True):
        _report(third, message)

    assert Message.objects.get(pk=message.pk).is_hidden
    case = Case.objects.get()
    assert case.hidden_at is not None
    assert case.is_open
    [event] = [e for e in layer.events() if e["type"] == "message.visibility"]
    assert event["message"]["hidden"] is True
    assert "kasino" not in json.dumps(event, ensure_ascii=False)


def test_new_accounts_count_less_so_three_of_them_do_not_hide(village, message):
    for neighbour in _neighbours(village, 3, established=False):
        _report(neighbour, message)

    assert Case.objects.get().score == pytest.approx(1.5)
    assert not Message.objects.get(pk=message.pk).is_hidden


def test_a_reporter_whose_reports_were_upheld_counts_more(village, message, staff):
    [neighbour] = _neighbours(village, 1)
    assert services.reporter_weight(neighbour) == pytest.approx(1.0)
    _report(neighbour, message)
    services.case_decide(moderator=staff, case=Case.objects.get(), data=HIDE)

    assert selectors.report_record(neighbour) == (1, 0)
    assert services.reporter_weight(neighbour) == pytest.approx(4 / 3)


def test_an_organisers_report_hides_at_once(village, message, organiser):
    _report(organiser, message)

    assert Message.objects.get(pk=message.pk).is_hidden
    assert Case.objects.get().hidden_at is not None


def test_illegal_needs_the_law_in_the_reporters_words_and_goes_to_the_municipality(
    village, message, organiser
):
    [neighbour] = _neighbours(village, 1)
    with pytest.raises(ModerationError) as refused:
        _report(neighbour, message, ReportInput(reason="illegal"))
    assert refused.value.field == "legal_ground"
    assert not Case.objects.exists()

    _report(
        neighbour,
        message,
        ReportInput(reason="illegal", legal_ground="Ulovligt spil, spilleloven"),
    )

    case = Case.objects.get()
    assert case.escalation == Case.Escalation.ILLEGAL
    assert not selectors.can_decide(user=organiser, case=case)
    with pytest.raises(NotPermitted):
        services.case_decide(moderator=organiser, case=case, data=HIDE)
    case.refresh_from_db()
    assert case.is_open
    assert not case.decisions.exists()


def test_a_case_about_an_organiser_goes_to_the_municipality(village, general):
    organiser = organiser_of(village)
    other_organiser = organiser_of(village)
    message = send(organiser, general, "Formanden skriver")
    [neighbour] = _neighbours(village, 1)

    _report(neighbour, message)

    case = Case.objects.get()
    assert case.escalation == Case.Escalation.ABOUT_ORGANISER
    assert not selectors.can_decide(user=other_organiser, case=case)


def test_a_case_open_for_more_than_48_hours_passes_to_the_municipality(
    village, message, organiser, staff
):
    [neighbour] = _neighbours(village, 1)
    _report(neighbour, message)
    case = Case.objects.get()
    assert selectors.can_decide(user=organiser, case=case)
    assert selectors.queue_count(organiser) == 1

    Case.objects.filter(pk=case.pk).update(
        opened_at=timezone.now() - timedelta(hours=49)
    )
    case.refresh_from_db()

    assert not selectors.can_decide(user=organiser, case=case)
    assert selectors.queue_count(organiser) == 0
    assert selectors.can_decide(user=staff, case=case)
    assert selectors.queue_count(staff) == 1


def test_an_organiser_of_another_space_can_neither_see_nor_decide(
    client, village, message
):
    elsewhere = organiser_of(CommunityFactory(name="Bakkeby", slug="bakkeby"))
    [neighbour] = _neighbours(village, 1)
    _report(neighbour, message)
    case = Case.objects.get()

    with pytest.raises(NotPermitted):
        services.case_decide(moderator=elsewhere, case=case, data=HIDE)
    client.force_login(elsewhere)
    page = client.get(reverse("moderation:case", kwargs={"pk": case.pk}))
    posted = client.post(
        reverse("moderation:case", kwargs={"pk": case.pk}),
        {"action": "hide", "ground": "house_rules", "rule": "x", "facts": "y"},
    )
    queue = client.get(reverse("moderation:queue"))

    assert page.status_code == 404
    assert posted.status_code == 404
    assert "kasinochips" not in queue.content.decode()
    case.refresh_from_db()
    assert case.is_open
    assert not Decision.objects.exists()
    assert not Message.objects.get(pk=message.pk).is_hidden


def test_only_the_municipality_decides_on_the_law(village, message, organiser, staff):
    [neighbour] = _neighbours(village, 1)
    _report(neighbour, message)
    case = Case.objects.get()
    on_the_law = DecisionInput(
        action="hide", ground="law", rule="Spilleloven § 59", facts="Ulovligt spil."
    )

    with pytest.raises(ModerationError) as refused:
        services.case_decide(moderator=organiser, case=case, data=on_the_law)
    assert "ground" in refused.value.errors
    assert not Decision.objects.exists()

    decision = services.case_decide(moderator=staff, case=case, data=on_the_law)
    assert decision.by_municipality
    assert decision.ground == "law"


def test_a_decision_writes_its_reasons_once_in_the_authors_language_and_tells_both(
    village, general, organiser, django_capture_on_commit_callbacks
):
    author = member_of(village, user=UserFactory(preferred_language="nb"))
    message = send(author, general, "Kjøp billige sjetonger")
    [neighbour] = _neighbours(village, 1)
    neighbour.display_name = "Anmelder Andersen"
    neighbour.save(update_fields=["display_name"])
    _report(neighbour, message)
    case = Case.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        decision = services.case_decide(moderator=organiser, case=case, data=HIDE)

    with translation.override("nb"):
        assert str(translation.gettext("Statement of reasons")) in decision.statement
    assert "Husregel 2: ingen reklame" in decision.statement
    assert decision.language == "nb"
    assert Message.objects.get(pk=message.pk).is_hidden
    case.refresh_from_db()
    assert case.state == Case.State.DECIDED
    assert case.decided_at is not None
    to_author = [m for m in mail.outbox if m.to == [author.email]]
    to_reporter = [m for m in mail.outbox if m.to == [neighbour.email]]
    assert len(to_author) == 1
    assert len(to_reporter) == 1
    assert decision.statement in to_author[0].body
    assert "Anmelder Andersen" not in to_author[0].body  # never who reported
    assert neighbour.email not in to_author[0].body
    decision.facts = "Ændret bagefter"
    with pytest.raises(AppendOnly):
        decision.save()
    actions = list(AuditEntry.objects.values_list("action", flat=True))
    assert actions == ["report.received", "item.hidden", "case.decided"]
    assert audit.verify().intact


def test_no_action_shows_a_message_hidden_pending_review_again(
    village, message, organiser, staff
):
    _report(organiser, message)
    assert Message.objects.get(pk=message.pk).is_hidden

    services.case_decide(
        moderator=staff,
        case=Case.objects.get(),
        data=DecisionInput(
            action="no_action", ground="none", facts="Et gyldigt tilbud."
        ),
    )

    assert not Message.objects.get(pk=message.pk).is_hidden
    assert Case.objects.get().hidden_at is None


def test_a_decided_case_cannot_be_decided_again(village, message, staff):
    [neighbour] = _neighbours(village, 1)
    _report(neighbour, message)
    case = Case.objects.get()
    services.case_decide(moderator=staff, case=case, data=HIDE)

    with pytest.raises(Conflict):
        services.case_decide(moderator=staff, case=case, data=HIDE)
    assert Decision.objects.count() == 1


def test_reporting_is_rate_limited(village, general, author):
    [neighbour] = _neighbours(village, 1)
    messages = [send(author, general, f"Tilbud nummer {n}") for n in range(21)]
    for message in messages[:20]:
        _report(neighbour, message)

    with pytest.raises(RateLimited):
        _report(neighbour, messages[20])
    assert Report.objects.count() == 20


def test_no_one_reports_their_own_message_or_one_they_cannot_read(
    village, message, author
):
    stranger = _established(UserFactory())

    with pytest.raises(ModerationError):
        _report(author, message)
    with pytest.raises(NotFound):
        _report(stranger, message)
    assert not Case.objects.exists()
    assert not Report.objects.exists()


def test_an_edited_message_is_a_new_revision_and_a_new_case(village, message, author):
    [neighbour] = _neighbours(village, 1)
    _report(neighbour, message)
    messaging.message_edit(actor=author, message=message, body="Nu uden link")

    _report(neighbour, Message.objects.get(pk=message.pk))

    cases = list(Case.objects.order_by("pk").values_list("excerpt", flat=True))
    assert cases == ["Køb billige kasinochips på example.com", "Nu uden link"]


# --- the pages


def test_the_report_form_keeps_what_was_typed_and_confirms_receipt(
    client, village, message
):
    [neighbour] = _neighbours(village, 1)
    client.force_login(neighbour)
    url = reverse("moderation:report", kwargs={"kind": "message", "pk": message.pk})

    refused = client.post(url, {"reason": "illegal", "details": "Se selv"})

    assert refused.status_code == 200
    assert refused.context["form"].errors["legal_ground"]
    assert "Se selv" in refused.content.decode()
    assert not Case.objects.exists()

    filed = client.post(url, {"reason": "spam", "details": "Se selv"}, follow=True)

    assert filed.redirect_chain[-1][0] == reverse("moderation:reports_mine")
    with translation.override("da"):
        receipt = str(
            translation.gettext(
                "Thank you. Your report was received; you will hear what was decided."
            )
        )
    assert receipt in filed.content.decode()
    assert Report.objects.get().reporter == neighbour


def test_the_report_form_of_a_message_one_cannot_read_is_not_found(client, message):
    client.force_login(UserFactory())
    url = reverse("moderation:report", kwargs={"kind": "message", "pk": message.pk})

    assert client.get(url).status_code == 404
    assert client.post(url, {"reason": "spam"}).status_code == 404
    assert client.get("/moderation/report/nothing/1/").status_code == 404
    assert not Report.objects.exists()


def test_the_author_sees_the_hidden_message_and_the_reasons_never_the_reporter(
    client, village, message, author, organiser
):
    [neighbour] = _neighbours(village, 1)
    neighbour.display_name = "Anmelder Andersen"
    neighbour.save(update_fields=["display_name"])
    _report(neighbour, message)
    decision = services.case_decide(
        moderator=organiser, case=Case.objects.get(), data=HIDE
    )
    client.force_login(author)

    mine = client.get(reverse("moderation:mine")).content.decode()
    statement = client.get(reverse("moderation:decision", kwargs={"pk": decision.pk}))

    assert "Køb billige kasinochips" in mine
    assert statement.status_code == 200
    page = statement.content.decode()
    assert "Husregel 2: ingen reklame" in page
    assert "Anmelder Andersen" not in page
    assert "Anmelder Andersen" not in mine
    client.force_login(_established(UserFactory()))
    assert (
        client.get(
            reverse("moderation:decision", kwargs={"pk": decision.pk})
        ).status_code
        == 404
    )


def test_an_organiser_decides_from_the_queue_page(
    client, village, message, organiser, django_assert_num_queries
):
    [neighbour] = _neighbours(village, 1)
    _report(neighbour, message)
    case = Case.objects.get()
    client.force_login(organiser)

    queue = client.get(reverse("moderation:queue"))
    assert "kasinochips" in queue.content.decode()
    page = client.get(reverse("moderation:case", kwargs={"pk": case.pk}))
    assert page.status_code == 200
    refused = client.post(
        reverse("moderation:case", kwargs={"pk": case.pk}),
        {"action": "hide", "ground": "house_rules", "rule": "", "facts": "Reklame"},
    )
    assert refused.status_code == 200
    assert "Reklame" in refused.content.decode()
    assert not Decision.objects.exists()

    done = client.post(
        reverse("moderation:case", kwargs={"pk": case.pk}),
        {
            "action": "hide",
            "ground": "house_rules",
            "rule": "Regel 2",
            "facts": "Reklame",
        },
    )

    assert done.status_code == 302
    assert Message.objects.get(pk=message.pk).is_hidden
    assert Decision.objects.get().moderator == organiser


def test_an_organiser_passes_a_case_to_the_municipality(
    client, village, message, organiser
):
    [neighbour] = _neighbours(village, 1)
    _report(neighbour, message)
    case = Case.objects.get()
    client.force_login(organiser)

    client.post(reverse("moderation:escalate", kwargs={"pk": case.pk}))

    case.refresh_from_db()
    assert case.escalation == Case.Escalation.ORGANISER
    assert not selectors.can_decide(user=organiser, case=case)


def test_a_resident_has_no_queue(client, village):
    [neighbour] = _neighbours(village, 1)
    client.force_login(neighbour)

    assert client.get(reverse("moderation:queue")).status_code == 404


def test_the_queue_costs_the_same_queries_for_three_cases_as_for_six(
    client, village, general, author, organiser, django_assert_num_queries
):
    [neighbour] = _neighbours(village, 1)
    client.force_login(organiser)

    def fill(n):
        for i in range(n):
            _report(
                neighbour, send(author, general, f"Tilbud {Case.objects.count()} {i}")
            )

    fill(3)
    client.get(reverse("moderation:queue"))  # warm the session and site caches
    with django_assert_num_queries(9 + session_queries()):
        three = client.get(reverse("moderation:queue"))
    fill(3)
    with django_assert_num_queries(9 + session_queries()):
        six = client.get(reverse("moderation:queue"))

    assert three.content.decode().count('class="case-row"') == 3
    assert six.content.decode().count('class="case-row"') == 6


# --- the Wagtail admin


def test_municipal_moderators_work_the_queue_in_the_wagtail_admin(
    client, village, message, staff, organiser
):
    [neighbour] = _neighbours(village, 1)
    _report(neighbour, message)
    case = Case.objects.get()
    client.force_login(staff)

    home = client.get(reverse("wagtailadmin_home")).content.decode()
    queue = client.get(reverse("moderation_admin_queue"))
    page = client.get(reverse("moderation_admin_case", kwargs={"pk": case.pk}))
    done = client.post(
        reverse("moderation_admin_case", kwargs={"pk": case.pk}),
        {"action": "hide", "ground": "law", "rule": "Spilleloven", "facts": "Spil"},
    )

    with translation.override("da"):
        label = f"{translation.gettext('Reports')} (1)"
    assert label in home
    assert "kasinochips" in queue.content.decode()
    assert page.status_code == 200
    assert done.status_code == 302
    assert Decision.objects.get().ground == "law"
    client.force_login(organiser)
    assert client.get(reverse("moderation_admin_queue")).status_code in (302, 403)


def test_the_queue_lists_the_oldest_case_first_whatever_its_id(
    village, general, author, organiser
):
    [neighbour] = _neighbours(village, 1)
    for n in range(3):
        _report(neighbour, send(author, general, f"Tilbud {n}"))
    first, second, third = Case.objects.order_by("pk")
    now = timezone.now()
    for case, hours in ((first, 1), (second, 30), (third, 5)):
        Case.objects.filter(pk=case.pk).update(opened_at=now - timedelta(hours=hours))

    listed = [case.pk for case in selectors.queue(organiser)]

    assert listed == [second.pk, third.pk, first.pk]


def test_an_organiser_hides_in_one_click_under_a_house_rule(
    client, village, message, organiser
):
    village.house_rules = "1. Vi taler pænt til hinanden.\n\n2. Ingen reklame."
    village.save(update_fields=["house_rules"])
    [neighbour] = _neighbours(village, 1)
    _report(neighbour, message)
    case = Case.objects.get()
    client.force_login(organiser)
    url = reverse("moderation:case", kwargs={"pk": case.pk})

    page = client.get(url)
    keys = [q.key for q in page.context["quick"]]
    unknown = client.post(url, {"quick": "rule-9"})
    assert not Decision.objects.exists()
    done = client.post(url, {"quick": "rule-1"})

    assert keys == ["none", "rule-0", "rule-1"]
    assert unknown.status_code == 302
    assert done.status_code == 302
    decision = Decision.objects.get()
    assert decision.action == "hide"
    assert decision.rule == "2. Ingen reklame."
    assert "2. Ingen reklame." in decision.facts
    assert Message.objects.get(pk=message.pk).is_hidden
