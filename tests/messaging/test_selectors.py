from communities.models import Membership
from messaging import selectors, services
from tests.factories import CommunityFactory, MembershipFactory, organiser_of
from tests.helpers import send


def test_members_read_their_community_channels_and_outsiders_do_not(
    karen, outsider, general
):
    assert selectors.can_read(user=karen, conversation=general)
    assert not selectors.can_read(user=outsider, conversation=general)


def test_members_who_left_lose_access(karen, village, general):
    Membership.objects.filter(user=karen, community=village).update(
        state=Membership.State.LEFT
    )

    assert not selectors.can_read(user=karen, conversation=general)


def test_organisers_see_restricted_channels_they_are_not_in(organiser, karen, village):
    channel = services.channel_create(
        actor=organiser, community=village, title="Bestyrelsen", is_restricted=True
    )
    other_organiser = MembershipFactory(
        community=village, role=Membership.Role.ORGANISER
    ).user

    assert selectors.can_read(user=other_organiser, conversation=channel)
    assert not selectors.can_read(user=karen, conversation=channel)


def test_shared_channel_is_listed_in_both_communities(organiser, village):
    contractor = CommunityFactory(kind="contractor")
    worker = MembershipFactory(community=contractor, role=Membership.Role.STAFF).user
    channel = services.channel_create(
        actor=organiser, community=village, title="Græs", shared_with=[contractor]
    )
    services.channel_share_decide(
        actor=organiser_of(contractor), share=channel.shares.get(), accept=True
    )

    listed = selectors.community_channels(user=worker, community=contractor)

    assert channel in listed
    assert selectors.conversation_ids_for(worker) == {channel.pk}


def test_archived_channels_are_readable_but_not_writable(organiser, karen, village):
    channel = services.channel_create(actor=organiser, community=village, title="Gl")
    services.channel_archive(actor=organiser, conversation=channel)
    channel.refresh_from_db()

    assert selectors.can_read(user=karen, conversation=channel)
    assert not selectors.can_write(user=karen, conversation=channel)


def test_unread_counts_ignore_own_and_removed_messages(karen, lars, general):
    send(karen, general, "mit eget")
    send(lars, general, "til dig")
    gone = send(lars, general, "fortrudt")
    services.message_remove(actor=lars, message=gone)

    (channel,) = selectors.community_channels(user=karen, community=general.community)

    assert channel.unread_count == 1


def test_catch_up_after_a_sequence_number_includes_later_changes(karen, general):
    first = send(karen, general, "en")
    second = send(karen, general, "to")
    services.reaction_toggle(actor=karen, message=first, emoji="👍")

    changed = selectors.messages_in(
        user=karen, conversation=general, after_seq=second.seq
    )

    assert [m.pk for m in changed] == [first.pk]


def test_outsiders_get_no_messages(karen, outsider, general):
    send(karen, general, "hej")

    assert list(selectors.messages_in(user=outsider, conversation=general)) == []


def test_header_count_is_one_query(karen, lars, django_assert_num_queries):
    conversation = services.direct_start(actor=lars, others=[karen])
    send(lars, conversation, "hej")

    with django_assert_num_queries(1):
        count = selectors.unread_notification_count(karen)

    assert count == 1


def _remove(organiser, user, community):
    from communities.services import membership_remove

    membership = Membership.objects.get(user=user, community=community)
    membership_remove(actor=organiser, membership=membership)


def test_removed_member_loses_the_restricted_channel_she_was_added_to(
    organiser, karen, village
):
    channel = services.channel_create(
        actor=organiser, community=village, title="Bestyrelsen", is_restricted=True
    )
    services.participant_add(actor=organiser, conversation=channel, user=karen)

    _remove(organiser, karen, village)

    assert not selectors.can_read(user=karen, conversation=channel)
    assert not selectors.can_write(user=karen, conversation=channel)
    assert channel.pk not in selectors.conversation_ids_for(karen)
    assert karen.pk not in selectors.audience_user_ids(channel)
    assert channel not in selectors.conversations_with_unread(karen)


def test_member_who_left_loses_a_restricted_channel_of_the_community(
    organiser, karen, village
):
    from communities.services import membership_leave

    channel = services.channel_create(
        actor=organiser, community=village, title="Bestyrelsen", is_restricted=True
    )
    services.participant_add(actor=organiser, conversation=channel, user=karen)

    membership_leave(user=karen, community=village)

    assert not selectors.can_read(user=karen, conversation=channel)
    assert channel.pk not in selectors.conversation_ids_for(karen)


def test_participant_still_in_the_community_keeps_the_restricted_channel(
    organiser, karen, lars, village
):
    channel = services.channel_create(
        actor=organiser, community=village, title="Bestyrelsen", is_restricted=True
    )
    services.participant_add(actor=organiser, conversation=channel, user=karen)
    services.participant_add(actor=organiser, conversation=channel, user=lars)

    _remove(organiser, lars, village)

    assert selectors.can_read(user=karen, conversation=channel)
    assert channel.pk in selectors.conversation_ids_for(karen)
    assert selectors.audience_user_ids(channel) == {organiser.pk, karen.pk}
