from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from hub.models import TimeStampedModel

MESSAGE_MAX_CHARS = 4000


class Conversation(TimeStampedModel):
    """A community channel, a direct conversation or a thread about an object."""

    class Kind(models.TextChoices):
        CHANNEL = "channel", _("Channel")
        DIRECT = "direct", _("Direct conversation")
        THREAD = "thread", _("Thread")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("name"), max_length=80, blank=True)
    topic = models.CharField(_("topic"), max_length=200, blank=True)
    community = models.ForeignKey(
        "communities.Community",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="channels",
    )
    is_general = models.BooleanField(default=False, editable=False)
    is_restricted = models.BooleanField(
        _("restricted"),
        default=False,
        help_text=_("Only the people added to the channel may read and write."),
    )
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)
    content_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.CASCADE
    )
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    subject = GenericForeignKey("content_type", "object_id")
    # Raised by one in the same transaction as every change to a message, so the
    # row lock orders changes and clients can catch up with "everything after N".
    last_seq = models.PositiveBigIntegerField(default=0, editable=False)
    last_message_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="channel") | Q(community__isnull=False),
                name="conversation_channel_has_community",
            ),
            models.UniqueConstraint(
                fields=["community"],
                condition=Q(is_general=True),
                name="conversation_one_general_per_community",
            ),
            models.UniqueConstraint(
                fields=["content_type", "object_id"],
                condition=Q(kind="thread"),
                name="conversation_one_thread_per_object",
            ),
        ]
        indexes = [
            models.Index(fields=["community", "kind"]),
            models.Index(fields=["-last_message_at"]),
        ]

    def __str__(self) -> str:
        return self.title or f"{self.get_kind_display()} {self.pk}"

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    @property
    def group_name(self) -> str:
        return f"conv.{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("messaging:conversation", kwargs={"pk": self.pk})


class ChannelShare(TimeStampedModel):
    """A channel's invitation to another community (a contractor, say), and its
    answer. Only once an organiser of that community accepts do its members take
    part; until then the channel's organisers see no more of it than its name."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for their organisers")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    channel = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="shares"
    )
    community = models.ForeignKey(
        "communities.Community",
        on_delete=models.CASCADE,
        related_name="channel_shares",
        verbose_name=_("community"),
    )
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.PENDING
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        verbose_name = _("shared channel")
        verbose_name_plural = _("shared channels")
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "community"], name="channelshare_once"
            ),
        ]
        indexes = [models.Index(fields=["community", "state"])]

    def __str__(self) -> str:
        return f"{self.channel} shared with {self.community_id} ({self.state})"


class Participant(TimeStampedModel):
    """A person in a direct conversation, a thread or a restricted channel."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="participants"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="conversation_participations",
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Set when someone is added to a running conversation: the latest message
    # then. Empty for the people a conversation starts with.
    joined_after_id = models.PositiveBigIntegerField(
        _("joined after message"), null=True, blank=True, editable=False
    )
    shares_history = models.BooleanField(
        _("sees the earlier messages"),
        default=True,
        help_text=_("Chosen by the person who added them."),
    )

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "user"], name="participant_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.conversation}"

    @property
    def history_after_id(self) -> int:
        """This person reads the messages with a greater id (0: all of them)."""
        if self.shares_history or self.joined_after_id is None:
            return 0
        return self.joined_after_id


class Message(models.Model):
    """One message; removed by its author it stays as a tombstone."""

    class Visibility(models.TextChoices):
        VISIBLE = "visible", _("Visible")
        HIDDEN = "hidden", _("Hidden by moderation")

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="messages",
    )
    client_id = models.CharField(_("client id"), max_length=64)
    body = models.TextField(_("message"), max_length=MESSAGE_MAX_CHARS)
    reply_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    visibility = models.CharField(
        _("visibility"),
        max_length=16,
        choices=Visibility.choices,
        default=Visibility.VISIBLE,
    )
    seq = models.PositiveBigIntegerField(
        editable=False, help_text="Conversation sequence of the latest change."
    )
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True)
    removed_at = models.DateTimeField(_("removed"), null=True, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        constraints = [
            models.UniqueConstraint(
                fields=["author", "client_id"], name="message_client_id_per_author"
            ),
        ]
        indexes = [
            models.Index(fields=["conversation", "id"]),
            models.Index(fields=["conversation", "seq"]),
        ]

    def __str__(self) -> str:
        return f"{self.pk} in {self.conversation_id}"

    @property
    def is_removed(self) -> bool:
        return self.removed_at is not None

    @property
    def is_hidden(self) -> bool:
        return self.visibility == self.Visibility.HIDDEN


class Reaction(models.Model):
    """One person's emoji on one message."""

    class Emoji(models.TextChoices):
        THUMBS_UP = "👍", _("Thumbs up")
        HEART = "❤️", _("Heart")
        LAUGH = "😂", _("Laughing")
        SURPRISED = "😮", _("Surprised")
        THANKS = "🙏", _("Thank you")
        DONE = "✅", _("Done")

    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, related_name="reactions"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    emoji = models.CharField(max_length=8, choices=Emoji.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("reaction")
        verbose_name_plural = _("reactions")
        constraints = [
            models.UniqueConstraint(
                fields=["message", "user", "emoji"], name="reaction_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.emoji} on {self.message_id}"


class ReadState(models.Model):
    """How far one person has read one conversation."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="read_states"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="read_states"
    )
    last_read_id = models.PositiveBigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "user"], name="readstate_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} read {self.conversation_id} to {self.last_read_id}"


class Notification(models.Model):
    """A direct message, a mention or a reply waiting for its reader, or word
    that someone added them to a conversation (then with no message)."""

    class Kind(models.TextChoices):
        DIRECT = "direct", _("Direct message")
        MENTION = "mention", _("Mention")
        REPLY = "reply", _("Reply")
        ADDED = "added", _("Added to a conversation")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="message_notifications",
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="+"
    )
    message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Who added the person, for a notice without a message."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "message"], name="notification_once_per_message"
            ),
        ]
        indexes = [
            models.Index(
                fields=["user"],
                condition=Q(read_at__isnull=True),
                name="notification_unread",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.user}"
