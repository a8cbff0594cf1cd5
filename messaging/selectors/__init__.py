"""Reads of conversations and messages, scoped by who may see them.

``access``: who may read, write in and hear of a conversation (the rules);
``conversations``: lists of conversations, people and shares for a viewer;
``messages``: messages and notifications within what the reader may see.
"""

from .access import (
    AnyUser,
    Kind,
    active_community_ids_subquery,
    audience_user_ids,
    blind_to,
    can_manage_channel,
    can_read,
    can_write,
    channel_community_ids,
    conversation_ids_for,
    conversations_readable_by,
    read_floor,
    shared_channel_ids,
    shared_in_ids,
)
from .conversations import (
    active_person,
    channel_candidates,
    channel_shares,
    community_channels,
    conversations_for_inbox,
    conversations_with_unread,
    direct_conversation_between,
    display_title,
    participants_added,
    participants_of,
    people_addable_to,
    people_reachable_by,
    share_invitations_for,
)
from .messages import (
    RECENT_LIMIT,
    message_for_reply,
    messages_in,
    notifications_for,
    recent_messages,
    unread_notification_count,
)

__all__ = [
    "RECENT_LIMIT",
    "AnyUser",
    "Kind",
    "active_community_ids_subquery",
    "active_person",
    "audience_user_ids",
    "blind_to",
    "can_manage_channel",
    "can_read",
    "can_write",
    "channel_candidates",
    "channel_community_ids",
    "channel_shares",
    "community_channels",
    "conversation_ids_for",
    "conversations_for_inbox",
    "conversations_readable_by",
    "conversations_with_unread",
    "direct_conversation_between",
    "display_title",
    "message_for_reply",
    "messages_in",
    "notifications_for",
    "participants_added",
    "participants_of",
    "people_addable_to",
    "people_reachable_by",
    "read_floor",
    "recent_messages",
    "share_invitations_for",
    "shared_channel_ids",
    "shared_in_ids",
    "unread_notification_count",
]
