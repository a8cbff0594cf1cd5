"""Portal pages are reportable: reported as the published revision, hidden by
unpublishing (every revision is kept) and restored by publishing it again."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from wagtail.models import Page

from cms.models import NewsPage
from moderation import services
from moderation.models import Case
from moderation.services import AppealInput, DecisionInput, ReportInput
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(db):
    return UserFactory(display_name="Redaktør Rasmussen")


@pytest.fixture
def news(hub, editor):
    page = NewsPage(
        title="Gratis fyrværkeri", intro="Kom og hent", date="2026-12-01", owner=editor
    )
    hub.add_child(instance=page)
    page.save_revision().publish()
    return page


@pytest.fixture
def second_moderator(db):
    user = UserFactory(is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="manage_all"))
    return user


def test_a_page_is_hidden_by_unpublishing_and_restored_on_appeal(
    client, news, editor, staff, second_moderator
):
    reporter = UserFactory()
    client.force_login(reporter)
    page = client.get(news.url).content.decode()
    assert reverse("moderation:report", args=["page", news.pk]) in page

    services.report_submit(
        reporter=reporter, kind="page", pk=news.pk, data=ReportInput(reason="spam")
    )
    case = Case.objects.get()
    assert case.revision == str(Page.objects.get(pk=news.pk).live_revision_id)
    assert case.space is None  # a page of the hub: the municipality's
    assert case.author == editor
    hidden = services.case_decide(
        moderator=staff,
        case=case,
        data=DecisionInput(
            action="hide", ground="platform_rules", rule="Regel 4", facts="Reklame"
        ),
    )

    assert not Page.objects.get(pk=news.pk).live
    assert client.get(news.url).status_code == 404
    assert news.revisions.count() == 1  # nothing lost

    appeal = services.appeal_submit(appellant=editor, decision=hidden, grounds="Gave")
    services.appeal_decide(
        moderator=second_moderator,
        appeal=appeal,
        data=AppealInput(upheld=True, facts="Et gratis tilbud fra foreningen."),
    )

    assert Page.objects.get(pk=news.pk).live
    assert client.get(news.url).status_code == 200
