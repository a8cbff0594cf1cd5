"""A side effect that fails after commit never fails the request that wrote."""

import pytest
from django.urls import reverse

from communities.models import Invitation, Membership
from tests.factories import CommunityFactory, organiser_of

pytestmark = pytest.mark.django_db
Role = Membership.Role


def test_an_invitation_is_saved_and_the_organiser_told_when_its_email_cannot_be_queued(
    client, broken_tasks, mailoutbox, django_capture_on_commit_callbacks, caplog
):
    community = CommunityFactory()
    client.force_login(organiser_of(community))

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(
            reverse("communities:invite", args=[community.slug]),
            {"email": "ny@example.org", "role": Role.MEMBER},
        )

    assert response.status_code == 302
    assert len(callbacks) == 1  # the e-mail was attempted, and failed
    assert Invitation.objects.get(community=community).email == "ny@example.org"
    assert mailoutbox == []
    assert "invitation e-mail" in caplog.text
