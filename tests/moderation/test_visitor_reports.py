"""A visitor who is not signed in reports illegal content with an e-mail address
they confirm: nothing is filed until they follow the link."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from moderation.models import Case, Report
from tests.factories import CommunityFactory, member_of
from tests.helpers import make_listing

pytestmark = pytest.mark.django_db


@pytest.fixture
def listing(db):
    village = CommunityFactory(name="Skovby", slug="skovby")
    return make_listing(
        member_of(village),
        communities=[village],
        title="Fyrværkeri fra Polen",
        everyone_nearby=True,
    )


def _confirm_url() -> str:
    [email] = mail.outbox
    return re.search(r"https?://\S+/moderation/report/confirm/\S+/", email.body)[0]


def test_a_visitor_reports_illegal_content_once_their_address_is_confirmed(
    client, listing, django_capture_on_commit_callbacks
):
    url = reverse("moderation:report", args=["listing", listing.pk])

    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(
            url,
            {"email": "Borger@Example.org", "legal_ground": "Fyrværkeriloven"},
        )

    assert sent.status_code == 200
    assert sent.context["sent"]
    assert not Report.objects.exists()  # nothing until the address is confirmed
    assert mail.outbox[0].to == ["borger@example.org"]
    confirm = _confirm_url().split("testserver", 1)[-1]
    assert client.get(confirm).status_code == 200  # a link scanner files nothing
    assert not Report.objects.exists()

    client.post(confirm)
    client.post(confirm)  # the same address again: one report, twice

    report = Report.objects.get()
    assert report.reporter is None
    assert report.reporter_email == "borger@example.org"
    assert report.reason == "illegal"
    assert report.repeats == 2
    assert Case.objects.get().escalation == Case.Escalation.ILLEGAL


def test_a_visitor_must_name_the_law_and_keeps_what_they_typed(client, listing):
    url = reverse("moderation:report", args=["listing", listing.pk])

    refused = client.post(
        url, {"email": "borger@example.org", "details": "Se billedet"}
    )

    assert refused.context["form"].errors["legal_ground"]
    assert "Se billedet" in refused.content.decode()
    assert not mail.outbox


def test_a_tampered_or_unknown_link_files_nothing(client, listing):
    page = client.post(reverse("moderation:visitor_confirm", args=["not-a-token"]))

    assert page.status_code == 200
    assert page.context["filed"] is None
    assert not Report.objects.exists()


def test_a_visitor_cannot_report_what_only_members_see(client):
    village = CommunityFactory(slug="lukket", visibility="members")
    hidden = make_listing(member_of(village), communities=[village], title="Intern")

    page = client.get(reverse("moderation:report", args=["listing", hidden.pk]))

    assert page.status_code == 404
