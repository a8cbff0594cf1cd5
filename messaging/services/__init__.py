"""Every write to conversations and messages.

Each service checks the actor's right to act again (membership can change at any
moment), writes in one transaction and emits its live events after commit through
``messaging.events``.
"""

from .common import (
    EDIT_WINDOW,
    MessageInvalid,
    MessagingError,
    NotPermitted,
)
from .conversations import (
    channel_archive,
    channel_create,
    channel_ensure_general,
    channel_share_decide,
    channel_update,
    direct_start,
    require_channel_manager,
    shares_a_community,
    thread_for_object,
)
from .messages import (
    conversation_mark_read,
    message_edit,
    message_moderate,
    message_remove,
    message_send,
    message_set_visibility,
    reaction_toggle,
    read_state_advance,
)
from .participants import participant_add, participant_remove

__all__ = [
    "EDIT_WINDOW",
    "MessageInvalid",
    "MessagingError",
    "NotPermitted",
    "channel_archive",
    "channel_create",
    "channel_ensure_general",
    "channel_share_decide",
    "channel_update",
    "conversation_mark_read",
    "direct_start",
    "message_edit",
    "message_moderate",
    "message_remove",
    "message_send",
    "message_set_visibility",
    "participant_add",
    "participant_remove",
    "reaction_toggle",
    "read_state_advance",
    "require_channel_manager",
    "shares_a_community",
    "thread_for_object",
]
