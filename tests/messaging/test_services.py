from datetime import timedelta

import pytest
from django.utils import timezone

from communities.models import Membership
from communities.services import membership_leave as leave
from communities.services import membership_remove
from hub.limits import LIMITS
from hub.ratelimit import RateLimited
from messaging import selectors, services
from messaging.models import (
    ChannelShare,
    Conversation,
    Message,
    Notification,
    Reaction,
)
from tests.factories import (
    CommunityFactory,
    MembershipFactory,
    UserFactory,
    organiser_of,
)
from tests.helpers import send


def test_every_community_gets_exactly_one_general_channel(village):
    first = services.channel_ensure_general(community=village)

    second = services.channel_ensure_general(community=village)

    assert first == second
    assert first.is_general
    assert Conversation.objects.filter(community=village).count() == 1


def test_retried_send_with_the_same_client_id_returns_the_first_message(karen, general):
    first, created_first = services.message_send(
        author=karen, conversation=general, body="Hej", client_id="abc-1"
    )

    again, created_again = services.message_send(
        author=karen, conversation=general, body="Hej", client_id="abc-1"
    )

    assert (created_first, created_again) == (True, False)
    assert again.pk == first.pk
    assert Message.objects.count() == 1


def test_message_ids_and_sequence_numbers_increase(karen, lars, general):
    first = send(karen, general, "en")

    second = send(lars, general, "to")

    assert second.pk > first.pk
    assert second.seq > first.seq


def test_message_is_broadcast_only_after_commit(
    karen, general, layer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message = send(karen, general, "Hej naboer")
        sent_before_commit = list(layer.sent)

    for callback in callbacks:
        callback()

    assert sent_before_commit == []
    events = layer.events(f"conv.{general.pk}")
    assert [e["type"] for e in events] == ["message.new"]
    assert events[0]["message"]["id"] == message.pk
    assert events[0]["message"]["body"] == "Hej naboer"


def test_nothing_is_broadcast_when_the_transaction_rolls_back(
    karen, general, layer, django_capture_on_commit_callbacks
):
    from django.db import transaction

    def send_then_fail():
        with transaction.atomic():
            send(karen, general, "Fortrudt")
            raise RuntimeError

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
    ):
        send_then_fail()

    assert layer.sent == []
    assert not Message.objects.exists()


def test_message_is_kept_when_the_channel_layer_is_down(
    karen, general, broken_layer, django_capture_on_commit_callbacks, caplog
):
    with django_capture_on_commit_callbacks(execute=True):
        message = send(karen, general, "Stadig gemt")

    assert Message.objects.filter(pk=message.pk).exists()
    assert "live event to" in caplog.text


def test_outsider_cannot_write_in_a_community_channel(outsider, general):
    with pytest.raises(services.NotPermitted):
        send(outsider, general)

    assert not Message.objects.exists()


def test_removed_member_can_no_longer_write(karen, organiser, village, general):
    membership = Membership.objects.get(user=karen, community=village)
    membership_remove(actor=organiser, membership=membership)

    with pytest.raises(services.NotPermitted):
        send(karen, general)

    assert not Message.objects.filter(conversation=general).exists()


def test_nobody_writes_in_an_archived_channel(organiser, karen, village):
    channel = services.channel_create(
        actor=organiser, community=village, title="Loppemarked"
    )
    services.channel_archive(actor=organiser, conversation=channel)

    with pytest.raises(services.NotPermitted):
        send(karen, channel)

    assert not Message.objects.filter(conversation=channel).exists()


def test_members_cannot_create_channels(karen, village):
    with pytest.raises(services.NotPermitted):
        services.channel_create(actor=karen, community=village, title="Mit eget")

    assert not Conversation.objects.filter(title="Mit eget").exists()


def test_mention_notifies_the_member_named(
    karen, lars, general, layer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = send(karen, general, "Kan du hjælpe, @Lars?")

    notification = Notification.objects.get(user=lars)
    assert notification.kind == Notification.Kind.MENTION
    assert notification.message == message
    assert layer.events(f"user.{lars.pk}")[0]["type"] == "notification"
    assert not Notification.objects.filter(user=karen).exists()


def test_mention_of_someone_outside_the_channel_notifies_nobody(
    karen, outsider, general
):
    send(karen, general, "Hej @Otto")

    assert not Notification.objects.exists()


def test_direct_message_notifies_the_other_person(karen, lars):
    conversation = services.direct_start(actor=karen, others=[lars])

    send(karen, conversation, "Hej Lars")

    assert Notification.objects.get().user == lars
    assert Notification.objects.get().kind == Notification.Kind.DIRECT


def test_direct_conversation_is_reused_for_the_same_people(karen, lars):
    first = services.direct_start(actor=karen, others=[lars])

    second = services.direct_start(actor=lars, others=[karen])

    assert first == second


def test_strangers_cannot_start_a_direct_conversation(karen, outsider):
    with pytest.raises(services.NotPermitted):
        services.direct_start(actor=outsider, others=[karen])

    assert not Conversation.objects.exclude(kind=Conversation.Kind.CHANNEL).exists()


def test_reply_notifies_the_author_replied_to(karen, lars, general):
    question = send(karen, general, "Hvem har en stige?")

    send(lars, general, "Det har jeg", reply_to_id=question.pk)

    assert Notification.objects.get().user == karen
    assert Notification.objects.get().kind == Notification.Kind.REPLY


def test_author_can_edit_within_fifteen_minutes(karen, general):
    message = send(karen, general, "Hje")

    edited = services.message_edit(actor=karen, message=message, body="Hej")

    assert edited.body == "Hej"
    assert edited.edited_at is not None
    assert edited.seq > message.seq


def test_author_cannot_edit_after_fifteen_minutes(karen, general):
    message = send(karen, general, "Hej")
    Message.objects.filter(pk=message.pk).update(
        created_at=timezone.now() - timedelta(minutes=16)
    )

    with pytest.raises(services.MessagingError):
        services.message_edit(actor=karen, message=message, body="Ændret")

    message.refresh_from_db()
    assert (message.body, message.edited_at) == ("Hej", None)


def test_only_the_author_edits_or_removes(karen, lars, general):
    message = send(karen, general, "Min besked")

    with pytest.raises(services.NotPermitted):
        services.message_edit(actor=lars, message=message, body="Din besked")
    with pytest.raises(services.NotPermitted):
        services.message_remove(actor=lars, message=message)

    message.refresh_from_db()
    assert (message.body, message.is_removed) == ("Min besked", False)


def test_removed_message_stays_as_a_tombstone(
    karen, general, layer, django_capture_on_commit_callbacks
):
    message = send(karen, general, "Ups")

    with django_capture_on_commit_callbacks(execute=True):
        services.message_remove(actor=karen, message=message)

    message.refresh_from_db()
    assert message.is_removed
    event = layer.events(f"conv.{general.pk}")[-1]
    assert event["type"] == "message.removed"
    assert event["message"]["body"] == ""


def test_moderator_hides_a_message_without_deleting_it(karen, general, staff):
    message = send(karen, general, "Grimt sprog")

    services.message_set_visibility(actor=staff, message=message, visibility="hidden")

    message.refresh_from_db()
    assert message.is_hidden
    assert message.body == "Grimt sprog"


def test_residents_cannot_hide_messages(karen, lars, general):
    message = send(karen, general, "Hej")

    with pytest.raises(services.NotPermitted):
        services.message_set_visibility(
            actor=lars, message=message, visibility="hidden"
        )

    message.refresh_from_db()
    assert not message.is_hidden


def test_reaction_toggles_on_and_off(karen, lars, general):
    message = send(karen, general, "Sommerfest lørdag!")

    services.reaction_toggle(actor=lars, message=message, emoji="👍")
    on = Reaction.objects.count()
    services.reaction_toggle(actor=lars, message=message, emoji="👍")

    assert (on, Reaction.objects.count()) == (1, 0)


def test_unknown_reactions_are_refused(karen, general):
    message = send(karen, general, "Hej")

    with pytest.raises(services.MessagingError):
        services.reaction_toggle(actor=karen, message=message, emoji="<b>")

    assert not Reaction.objects.exists()


def test_overlong_and_empty_messages_are_refused(karen, general):
    with pytest.raises(services.MessageInvalid):
        send(karen, general, "x" * 4001)
    with pytest.raises(services.MessageInvalid):
        send(karen, general, "   ")

    assert not Message.objects.exists()


def test_sending_too_fast_is_rate_limited(karen, general, frozen_window):
    for n in range(LIMITS["message-send"].count):
        send(karen, general, f"besked {n}")

    sent = Message.objects.count()

    with pytest.raises(RateLimited):
        send(karen, general, "en for meget")

    assert Message.objects.count() == sent


def test_marking_read_clears_notifications(karen, lars):
    conversation = services.direct_start(actor=karen, others=[lars])
    send(karen, conversation, "Hej")

    services.conversation_mark_read(user=lars, conversation=conversation)

    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_channel_shared_with_a_contractor_lets_its_staff_write(organiser, village):
    contractor = CommunityFactory(name="Grøn Plæne", slug="gron", kind="contractor")
    worker = MembershipFactory(community=contractor, role=Membership.Role.STAFF).user
    channel = services.channel_create(
        actor=organiser,
        community=village,
        title="Græsslåning",
        shared_with=[contractor],
    )
    services.channel_share_decide(
        actor=organiser_of(contractor), share=channel.shares.get(), accept=True
    )

    message = send(worker, channel, "Vi kommer tirsdag")

    assert message.conversation == channel


def test_restricted_channel_is_closed_to_members_not_added(
    organiser, karen, lars, village
):
    channel = services.channel_create(
        actor=organiser, community=village, title="Bestyrelsen", is_restricted=True
    )
    services.participant_add(actor=organiser, conversation=channel, user=karen)

    send(karen, channel, "Dagsorden følger")
    with pytest.raises(services.NotPermitted):
        send(lars, channel, "Må jeg være med?")


def test_removing_a_participant_resubscribes_their_sockets(
    organiser, karen, village, layer, django_capture_on_commit_callbacks
):
    channel = services.channel_create(
        actor=organiser, community=village, title="Bestyrelsen", is_restricted=True
    )
    services.participant_add(actor=organiser, conversation=channel, user=karen)

    with django_capture_on_commit_callbacks(execute=True):
        services.participant_remove(actor=organiser, conversation=channel, user=karen)

    assert {"type": "nabolag.resubscribe"} in layer.events(f"user.{karen.pk}")


def test_thread_for_an_object_is_created_once_with_its_participants(karen, lars):
    listing = UserFactory()  # any model instance will do as the subject

    first = services.thread_for_object(
        obj=listing, participants=[karen], title="Stige udlånes"
    )
    second = services.thread_for_object(
        obj=listing, participants=[karen, lars], title="Stige udlånes"
    )

    assert first == second
    assert set(first.participants.values_list("user_id", flat=True)) == {
        karen.pk,
        lars.pk,
    }
    assert send(lars, first, "Jeg henter den").conversation == first


def test_links_are_clickable_and_everything_else_is_escaped(karen, general):
    from messaging.events import message_payload

    message = send(karen, general, "Se https://skovby.dk <script>x</script>")

    html = message_payload(message)["html"]

    assert '<a href="https://skovby.dk"' in html
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_removed_member_cannot_post_in_a_restricted_channel_she_was_in(
    organiser, karen, village
):
    channel = services.channel_create(
        actor=organiser, community=village, title="Bestyrelsen", is_restricted=True
    )
    services.participant_add(actor=organiser, conversation=channel, user=karen)
    membership = Membership.objects.get(user=karen, community=village)
    membership_remove(actor=organiser, membership=membership)

    with pytest.raises(services.NotPermitted):
        send(karen, channel, "Stadig her?")

    assert not Message.objects.filter(conversation=channel).exists()


@pytest.fixture
def contractor(db):
    """A members-only contractor with an organiser and a worker."""
    community = CommunityFactory(
        name="Grøn Plæne", slug="gron", kind="contractor", visibility="members"
    )
    MembershipFactory(
        community=community,
        role=Membership.Role.ORGANISER,
        user__display_name="Bo Græsted",
    )
    MembershipFactory(
        community=community,
        role=Membership.Role.STAFF,
        user__display_name="Tina Kjær",
    )
    return community


def _people_of(community, role):
    return Membership.objects.get(community=community, role=role).user


def test_sharing_a_channel_invites_the_other_community_and_lets_nobody_in_yet(
    organiser, village, contractor
):
    worker = _people_of(contractor, Membership.Role.STAFF)

    channel = services.channel_create(
        actor=organiser, community=village, title="Græs", shared_with=[contractor]
    )

    share = ChannelShare.objects.get()
    assert (share.channel, share.community) == (channel, contractor)
    assert share.state == ChannelShare.State.PENDING
    assert share.invited_by == organiser
    assert not selectors.can_read(user=worker, conversation=channel)
    assert channel.pk not in selectors.conversation_ids_for(worker)
    assert worker.pk not in selectors.audience_user_ids(channel)
    assert worker not in selectors.channel_candidates(conversation=channel)
    with pytest.raises(services.NotPermitted):
        send(worker, channel, "Vi kommer tirsdag")


def test_organiser_of_the_invited_community_accepts_and_its_members_take_part(
    organiser, village, contractor, layer, django_capture_on_commit_callbacks
):
    boss = _people_of(contractor, Membership.Role.ORGANISER)
    worker = _people_of(contractor, Membership.Role.STAFF)
    channel = services.channel_create(
        actor=organiser, community=village, title="Græs", shared_with=[contractor]
    )

    with django_capture_on_commit_callbacks(execute=True):
        share = services.channel_share_decide(
            actor=boss, share=channel.shares.get(), accept=True
        )

    assert share.state == ChannelShare.State.ACCEPTED
    assert (share.decided_by, share.decided_at is not None) == (boss, True)
    assert selectors.can_read(user=worker, conversation=channel)
    assert worker in selectors.channel_candidates(conversation=channel)
    assert {"type": "nabolag.resubscribe"} in layer.events(f"user.{worker.pk}")
    assert send(worker, channel, "Vi kommer tirsdag").conversation == channel


def test_declined_share_keeps_the_channel_closed_to_the_other_community(
    organiser, village, contractor
):
    boss = _people_of(contractor, Membership.Role.ORGANISER)
    channel = services.channel_create(
        actor=organiser, community=village, title="Græs", shared_with=[contractor]
    )

    share = services.channel_share_decide(
        actor=boss, share=channel.shares.get(), accept=False
    )

    assert share.state == ChannelShare.State.DECLINED
    assert not selectors.can_read(user=boss, conversation=channel)
    assert selectors.community_channels(user=boss, community=contractor) == []


def test_only_organisers_of_the_invited_community_answer_an_invitation(
    organiser, village, contractor
):
    worker = _people_of(contractor, Membership.Role.STAFF)
    channel = services.channel_create(
        actor=organiser, community=village, title="Græs", shared_with=[contractor]
    )
    share = channel.shares.get()

    for someone in (organiser, worker):
        with pytest.raises(services.NotPermitted):
            services.channel_share_decide(actor=someone, share=share, accept=True)

    share.refresh_from_db()
    assert share.state == ChannelShare.State.PENDING
    assert not selectors.can_read(user=worker, conversation=channel)


def test_unsharing_an_accepted_channel_shuts_the_other_community_out(
    organiser, village, contractor
):
    boss = _people_of(contractor, Membership.Role.ORGANISER)
    channel = services.channel_create(
        actor=organiser, community=village, title="Græs", shared_with=[contractor]
    )
    services.channel_share_decide(actor=boss, share=channel.shares.get(), accept=True)

    services.channel_update(
        actor=organiser, conversation=channel, title="Græs", shared_with=[]
    )

    assert not ChannelShare.objects.exists()
    assert not selectors.can_read(user=boss, conversation=channel)


def test_saving_the_settings_again_keeps_an_accepted_share_accepted(
    organiser, village, contractor
):
    boss = _people_of(contractor, Membership.Role.ORGANISER)
    channel = services.channel_create(
        actor=organiser, community=village, title="Græs", shared_with=[contractor]
    )
    services.channel_share_decide(actor=boss, share=channel.shares.get(), accept=True)

    services.channel_update(
        actor=organiser, conversation=channel, title="Græs!", shared_with=[contractor]
    )

    assert channel.shares.get().state == ChannelShare.State.ACCEPTED


def test_a_removed_member_who_rejoins_does_not_get_the_restricted_channel_back(
    organiser, karen, village
):
    channel = services.channel_create(
        actor=organiser, community=village, title="Bestyrelsen", is_restricted=True
    )
    services.participant_add(actor=organiser, conversation=channel, user=karen)
    membership = Membership.objects.get(user=karen, community=village)
    membership_remove(actor=organiser, membership=membership)

    membership.refresh_from_db()
    membership.state = Membership.State.ACTIVE
    membership.save()

    assert not selectors.can_read(user=karen, conversation=channel)
    assert not channel.participants.filter(user=karen).exists()


def test_leaving_one_community_keeps_a_channel_another_membership_admits(
    organiser, village
):
    board = CommunityFactory(name="Skovby IF", slug="skovby-if")
    worker = UserFactory(display_name="Tina Kjær")
    MembershipFactory(community=village, user=worker)
    MembershipFactory(community=board, user=worker)
    MembershipFactory(community=board, user=organiser, role=Membership.Role.ORGANISER)
    channel = services.channel_create(
        actor=organiser,
        community=village,
        title="Banen",
        is_restricted=True,
        shared_with=[board],
    )
    share = ChannelShare.objects.get(channel=channel, community=board)
    services.channel_share_decide(actor=organiser, share=share, accept=True)
    services.participant_add(actor=organiser, conversation=channel, user=worker)
    unrelated = services.channel_create(
        actor=organiser, community=board, title="Kun IF", is_restricted=True
    )
    services.participant_add(actor=organiser, conversation=unrelated, user=worker)

    leave(user=worker, community=village)

    assert selectors.can_read(user=worker, conversation=channel)
    assert channel.participants.filter(user=worker).exists()
    assert unrelated.participants.filter(user=worker).exists()
