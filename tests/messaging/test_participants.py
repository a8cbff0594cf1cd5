"""Who may be added to a conversation, who is told, and what history they see."""

import pytest
from django.urls import reverse

from messaging import selectors, services
from messaging.models import Notification, Participant
from tests.factories import CommunityFactory, MembershipFactory, UserFactory
from tests.helpers import send

API = "/api/messaging"


@pytest.fixture
def per(village):
    user = UserFactory(display_name="Per Nabo", email="per@example.org")
    MembershipFactory(community=village, user=user)
    return user


@pytest.fixture
def chat(karen, lars):
    """Karen and Lars's direct conversation with two earlier messages."""
    conversation = services.direct_start(actor=karen, others=[lars])
    send(karen, conversation, "Hemmelig plan for festen")
    send(lars, conversation, "Lad os holde det mellem os")
    return conversation


def message_events(layer, group: str) -> list[dict]:
    return [e for e in layer.events(group) if e["type"].startswith("message.")]


def people_in(conversation) -> set[int]:
    return set(conversation.participants.values_list("user_id", flat=True))


# --- who may be added --------------------------------------------------------


def test_a_stranger_cannot_be_added_to_a_direct_conversation(
    karen, lars, outsider, chat
):
    with pytest.raises(services.NotPermitted):
        services.participant_add(
            actor=karen, conversation=chat, user=outsider, share_history=True
        )

    assert people_in(chat) == {karen.pk, lars.pk}
    assert not selectors.can_read(user=outsider, conversation=chat)
    assert not Notification.objects.filter(user=outsider).exists()


def test_someone_who_shares_a_community_only_with_the_other_side_cannot_be_added(
    karen, lars, chat
):
    club = CommunityFactory(name="Havrum IF")
    MembershipFactory(community=club, user=lars)
    clubmate = MembershipFactory(community=club).user

    with pytest.raises(services.NotPermitted):
        services.participant_add(
            actor=karen, conversation=chat, user=clubmate, share_history=False
        )

    assert people_in(chat) == {karen.pk, lars.pk}


def test_someone_outside_the_conversation_cannot_add_people_to_it(
    karen, lars, per, chat
):
    with pytest.raises(services.NotPermitted):
        services.participant_add(
            actor=per, conversation=chat, user=per, share_history=True
        )

    assert people_in(chat) == {karen.pk, lars.pk}


def test_municipal_staff_in_a_direct_conversation_may_add_anyone(staff, karen):
    conversation = services.direct_start(actor=staff, others=[karen])
    stranger = UserFactory()

    services.participant_add(
        actor=staff, conversation=conversation, user=stranger, share_history=False
    )

    assert stranger.pk in people_in(conversation)


def test_nobody_can_be_added_to_the_thread_of_a_match(karen, lars, per):
    subject = UserFactory()  # any model instance will do as the thread's subject
    thread = services.thread_for_object(
        obj=subject, participants=[karen, lars], title="Aftale: stige"
    )

    with pytest.raises(services.NotPermitted):
        services.participant_add(
            actor=karen, conversation=thread, user=per, share_history=True
        )

    assert people_in(thread) == {karen.pk, lars.pk}
    assert not selectors.can_read(user=per, conversation=thread)


def test_the_person_added_is_told_by_a_notice_and_in_the_inbox(
    karen, per, chat, layer, django_capture_on_commit_callbacks, client
):
    with django_capture_on_commit_callbacks(execute=True):
        services.participant_add(
            actor=karen, conversation=chat, user=per, share_history=False
        )

    notice = Notification.objects.get(user=per)
    assert (notice.kind, notice.conversation, notice.actor) == ("added", chat, karen)
    [frame] = [e for e in layer.events(f"user.{per.pk}") if e["type"] == "notification"]
    assert frame["kind"] == "added"
    assert frame["author"] == "Karen Jensen"
    assert frame["url"] == chat.get_absolute_url()
    client.force_login(per)
    inbox = client.get(reverse("messaging:inbox"), headers={"accept-language": "en"})
    assert "Karen Jensen added you to a conversation" in inbox.content.decode()
    assert selectors.unread_notification_count(per) == 1


def test_opening_the_conversation_marks_the_notice_of_being_added_read(
    karen, per, client
):
    conversation = services.direct_start(actor=karen, others=[per])
    other = UserFactory()
    MembershipFactory(community=karen.memberships.get().community, user=other)
    services.participant_add(
        actor=karen, conversation=conversation, user=other, share_history=True
    )
    client.force_login(other)

    client.get(conversation.get_absolute_url())

    assert selectors.unread_notification_count(other) == 0


# --- what history the person added sees ------------------------------------


def test_without_shared_history_the_person_added_sees_only_later_messages(
    karen, per, chat
):
    services.participant_add(
        actor=karen, conversation=chat, user=per, share_history=False
    )
    later = send(karen, chat, "Velkommen, Per")

    recent = selectors.recent_messages(user=per, conversation=chat)
    caught_up = selectors.messages_in(user=per, conversation=chat)
    (listed,) = selectors.conversations_with_unread(per)

    assert [m.pk for m in recent] == [later.pk]
    assert [m.pk for m in caught_up] == [later.pk]
    assert listed.unread_count == 1


def test_with_shared_history_the_person_added_reads_the_earlier_messages(
    karen, per, chat
):
    services.participant_add(
        actor=karen, conversation=chat, user=per, share_history=True
    )

    recent = selectors.recent_messages(user=per, conversation=chat)

    assert [m.body for m in recent] == [
        "Hemmelig plan for festen",
        "Lad os holde det mellem os",
    ]


def test_a_reply_to_an_earlier_message_does_not_show_its_text_to_the_person_added(
    karen, lars, per, chat
):
    services.participant_add(
        actor=karen, conversation=chat, user=per, share_history=False
    )
    earlier = chat.messages.get(body="Hemmelig plan for festen")
    send(lars, chat, "Enig", reply_to_id=earlier.pk)

    (reply,) = selectors.messages_in(user=per, conversation=chat)
    (seen_by_karen,) = [
        m for m in selectors.messages_in(user=karen, conversation=chat) if m.reply_to
    ]

    assert reply.reply_to is None
    assert seen_by_karen.reply_to == earlier


def test_changes_to_earlier_messages_are_not_sent_to_the_person_added(
    karen, lars, per, chat, layer, django_capture_on_commit_callbacks
):
    services.participant_add(
        actor=karen, conversation=chat, user=per, share_history=False
    )
    earlier = chat.messages.get(body="Hemmelig plan for festen")

    with django_capture_on_commit_callbacks(execute=True):
        services.reaction_toggle(actor=lars, message=earlier, emoji="👍")
        services.message_edit(actor=karen, message=earlier, body="Ny plan")

    to_per = message_events(layer, f"user.{per.pk}")
    to_karen = [e["type"] for e in message_events(layer, f"user.{karen.pk}")]
    assert to_per == []
    assert layer.events(f"conv.{chat.pk}") == []
    assert to_karen == ["message.reactions", "message.edited"]


def test_a_reply_to_an_earlier_message_reaches_the_person_added_without_its_text(
    karen, lars, per, chat, layer, django_capture_on_commit_callbacks
):
    services.participant_add(
        actor=karen, conversation=chat, user=per, share_history=False
    )
    earlier = chat.messages.get(body="Hemmelig plan for festen")

    with django_capture_on_commit_callbacks(execute=True):
        send(lars, chat, "Enig", reply_to_id=earlier.pk)

    [to_per] = message_events(layer, f"user.{per.pk}")
    [to_karen] = message_events(layer, f"user.{karen.pk}")
    assert to_per["message"]["body"] == "Enig"
    assert to_per["message"]["reply_to"] is None
    assert to_karen["message"]["reply_to"]["excerpt"] == "Hemmelig plan for festen"


def test_new_messages_still_reach_everyone_through_the_conversation(
    karen, per, chat, layer, django_capture_on_commit_callbacks
):
    services.participant_add(
        actor=karen, conversation=chat, user=per, share_history=False
    )

    with django_capture_on_commit_callbacks(execute=True):
        message = send(karen, chat, "Velkommen")

    [event] = layer.events(f"conv.{chat.pk}")
    assert event["message"]["id"] == message.pk


def test_the_choice_is_stored_on_the_participant(karen, per, chat):
    services.participant_add(
        actor=karen, conversation=chat, user=per, share_history=False
    )

    participant = Participant.objects.get(conversation=chat, user=per)
    assert participant.added_by == karen
    assert participant.shares_history is False
    assert participant.joined_after_id == chat.messages.order_by("-id").first().pk


# --- the page ----------------------------------------------------------------


def test_everyone_in_the_conversation_sees_who_was_added_and_what_they_see(
    client, karen, lars, per, chat
):
    services.participant_add(
        actor=karen, conversation=chat, user=per, share_history=False
    )
    pages = {}
    for person in (karen, lars, per):
        client.force_login(person)
        pages[person] = client.get(
            chat.get_absolute_url(), headers={"accept-language": "en"}
        ).content.decode()

    note = "Karen Jensen added Per Nabo. Per Nabo sees the messages from here on."
    assert all(note in html for html in pages.values())
    assert "Hemmelig plan" in pages[lars]
    assert "Hemmelig plan" not in pages[per]


def test_the_note_says_so_when_the_earlier_messages_were_shared(
    client, karen, lars, per, chat
):
    services.participant_add(
        actor=karen, conversation=chat, user=per, share_history=True
    )
    client.force_login(lars)

    html = client.get(
        chat.get_absolute_url(), headers={"accept-language": "en"}
    ).content.decode()

    assert "Karen Jensen added Per Nabo and shared the earlier messages." in html


def test_a_participant_adds_someone_from_the_conversation_page(
    client, karen, per, chat
):
    client.force_login(karen)
    page = client.get(chat.get_absolute_url()).content.decode()

    response = client.post(
        reverse("messaging:participant_add", args=[chat.pk]),
        {"user": per.pk, "share_history": "no"},
    )

    assert 'name="share_history"' in page
    assert response.status_code == 302
    assert Participant.objects.get(conversation=chat, user=per).shares_history is False


def test_the_add_form_needs_a_deliberate_history_choice(client, karen, per, chat):
    client.force_login(karen)

    client.post(reverse("messaging:participant_add", args=[chat.pk]), {"user": per.pk})

    assert not Participant.objects.filter(user=per).exists()


def test_the_page_offers_no_add_form_in_a_match_thread(client, karen, lars):
    thread = services.thread_for_object(
        obj=UserFactory(), participants=[karen, lars], title="Aftale: stige"
    )
    client.force_login(karen)

    html = client.get(thread.get_absolute_url()).content.decode()

    assert 'name="share_history"' not in html


# --- the API -----------------------------------------------------------------


def add_through_api(client, conversation, **data):
    return client.post(
        f"{API}/conversations/{conversation.pk}/participants",
        data,
        content_type="application/json",
    )


def test_the_api_adds_a_person_with_the_chosen_history(client, karen, per, chat):
    client.force_login(karen)

    response = add_through_api(client, chat, user=per.pk, share_history=False)

    assert response.status_code == 201
    assert response.json()["shares_history"] is False
    listed = client.get(f"{API}/conversations/{chat.pk}/participants").json()
    [added] = [p for p in listed if p["user"]["id"] == per.pk]
    assert added["added_by"]["name"] == "Karen Jensen"
    assert added["shares_history"] is False


def test_the_api_refuses_an_add_without_a_history_choice(client, karen, per, chat):
    client.force_login(karen)

    response = add_through_api(client, chat, user=per.pk)

    assert response.status_code == 422
    assert not Participant.objects.filter(user=per).exists()


def test_the_api_refuses_to_add_a_stranger(client, karen, outsider, chat):
    client.force_login(karen)

    response = add_through_api(client, chat, user=outsider.pk, share_history=True)

    assert response.status_code == 403
    assert not Participant.objects.filter(user=outsider).exists()


def test_catch_up_through_the_api_leaves_out_the_earlier_messages(
    client, karen, per, chat
):
    services.participant_add(
        actor=karen, conversation=chat, user=per, share_history=False
    )
    client.force_login(per)

    response = client.get(f"{API}/conversations/{chat.pk}/messages")

    assert response.json()["messages"] == []


def test_a_restricted_channel_keeps_its_history_from_a_member_added_without_it(
    organiser, karen, village
):
    channel = services.channel_create(
        actor=organiser, community=village, title="Bestyrelsen", is_restricted=True
    )
    before = send(organiser, channel, "Budgettet for i år")
    services.participant_add(
        actor=organiser, conversation=channel, user=karen, share_history=False
    )
    after = send(organiser, channel, "Velkommen i bestyrelsen, Karen")
    other_organiser = MembershipFactory(community=village, role="organiser").user

    mine = selectors.recent_messages(user=karen, conversation=channel)
    theirs = selectors.recent_messages(user=other_organiser, conversation=channel)

    assert [m.pk for m in mine] == [after.pk]
    assert [m.pk for m in theirs] == [before.pk, after.pk]
