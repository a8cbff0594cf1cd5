"""A message hidden by moderation is gone from everything others can read: the
conversation page, the inbox, the API and its catch-up, replies quoting it, and
the live event that hid it. Scanned for its text, as the listings' privacy
tests scan for an address."""

import json

import pytest
from django.urls import reverse

from messaging import services as messaging
from moderation import services
from moderation.models import Case
from moderation.services import DecisionInput, ReportInput
from tests.factories import CommunityFactory, member_of, organiser_of
from tests.helpers import send

pytestmark = pytest.mark.django_db

SECRET = "Min nabo Henning bor i Skovvej 12 og er aldrig hjemme om tirsdagen"


@pytest.fixture
def world(db):
    village = CommunityFactory(name="Skovby", slug="skovby")
    general = messaging.channel_ensure_general(community=village)
    author = member_of(village)
    reader = member_of(village)
    message = send(author, general, SECRET)
    send(reader, general, "Hvad?", reply_to_id=message.pk)
    return {
        "village": village,
        "general": general,
        "author": author,
        "reader": reader,
        "organiser": organiser_of(village),
        "message": message,
    }


def _hide(world, layer, capture):
    services.report_submit(
        reporter=world["reader"],
        kind="message",
        pk=world["message"].pk,
        data=ReportInput(reason="private_data"),
    )
    with capture(execute=True):
        services.case_decide(
            moderator=world["organiser"],
            case=Case.objects.get(),
            data=DecisionInput(
                action="hide",
                ground="platform_rules",
                rule="Regel 4: andres private oplysninger",
                facts="Beskeden fortæller, hvor en nabo bor, og hvornår han er væk.",
            ),
        )


def test_a_hidden_message_is_in_nothing_another_member_reads(
    client, world, layer, django_capture_on_commit_callbacks
):
    _hide(world, layer, django_capture_on_commit_callbacks)
    general = world["general"]
    client.force_login(world["reader"])

    seen = {
        "conversation": client.get(general.get_absolute_url()).content.decode(),
        "inbox": client.get(reverse("messaging:inbox")).content.decode(),
        "api": client.get(
            f"/api/messaging/conversations/{general.pk}/messages"
        ).content.decode(),
        "catch-up": client.get(
            f"/api/messaging/conversations/{general.pk}/messages", {"after": 0}
        ).content.decode(),
        "conversations": client.get("/api/messaging/conversations").content.decode(),
        "events": json.dumps(layer.events(), ensure_ascii=False),
    }

    leaked = [where for where, text in seen.items() if "Skovvej 12" in text]
    assert leaked == []
    assert "message.visibility" in {e["type"] for e in layer.events()}


def test_its_author_still_reads_it_with_the_reasons(
    client, world, layer, django_capture_on_commit_callbacks
):
    _hide(world, layer, django_capture_on_commit_callbacks)
    client.force_login(world["author"])

    mine = client.get(reverse("moderation:mine")).content.decode()

    assert "Skovvej 12" in mine
