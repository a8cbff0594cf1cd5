"""The append-only audit log: every moderation step, sanction, role change and
address revealed by a match, chained row to row by an HMAC (moderation.audit)."""

import json

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnly(Exception):
    """An audit row was to be changed or deleted."""


class AuditEntry(models.Model):
    """One step: who (``actor``, kept as a bare id so that no later change to the
    people table can touch this one), did what (``action``) to what
    (``subject_type``, ``subject_id``), when, why, with what details (canonical
    JSON). ``hash`` seals the row and the one before it (``prev_hash``)."""

    id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField(_("when"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    action = models.CharField(_("what"), max_length=64)
    subject_type = models.CharField(_("kind of subject"), max_length=100)
    subject_id = models.CharField(_("subject"), max_length=64)
    reason = models.TextField(_("why"), blank=True)
    details = models.TextField(_("details"), default="{}")
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log")
        ordering = ["id"]
        indexes = [models.Index(fields=["subject_type", "subject_id"])]

    def __str__(self) -> str:
        subject = f"{self.subject_type} {self.subject_id}"
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {subject}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise AppendOnly(f"audit row {self.pk} cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly(f"audit row {self.pk} cannot be deleted")

    @property
    def details_dict(self) -> dict:
        return json.loads(self.details)


class Reason(models.TextChoices):
    """Why a person reports something (the reasons of the report form)."""

    SPAM = "spam", _("Spam or advertising")
    HARASSMENT = "harassment", _("Harassment or hate")
    OFF_TOPIC = "off_topic", _("Does not belong here")
    PRIVATE_DATA = "private_data", _("Exposes someone's private data")
    ILLEGAL = "illegal", _("Illegal")
    OTHER = "other", _("Something else")


class Flag(models.TextChoices):
    """What automated screening found (it queues the post; it hides nothing)."""

    WORDS = "words", _("A word on a screening list")
    CROSS_POST = "cross_post", _("The same text in many spaces")
    LINKS = "links", _("Many links from a new account")


class Case(models.Model):
    """The notices on one revision of one item, and what became of them.

    ``kind`` and ``object_id`` name the item through the registry
    (``moderation.registry``); ``revision`` is the version reported, and
    ``excerpt`` its text as it was. ``space`` is the community whose organisers
    moderate it (none: municipal moderators only). ``hidden_at`` is set while the
    item is hidden, pending review or by a decision."""

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        DECIDED = "decided", _("Decided")
        APPEALED = "appealed", _("Appealed")
        CLOSED = "closed", _("Closed")

    class Escalation(models.TextChoices):
        ORGANISER = "organiser", _("Passed on by an organiser")
        ILLEGAL = "illegal", _("Reported as illegal")
        OVERDUE = "overdue", _("Open for more than 48 hours")
        ABOUT_ORGANISER = "about_organiser", _("About an organiser")
        APPEAL = "appeal", _("Appeal of an organiser's decision")

    kind = models.CharField(_("kind"), max_length=32)
    object_id = models.CharField(_("item"), max_length=64)
    revision = models.CharField(_("revision"), max_length=64)
    excerpt = models.TextField(_("as reported"), blank=True)
    space = models.ForeignKey(
        "communities.Community",
        verbose_name=_("space"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="moderation_cases",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="moderation_cases",
    )
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.OPEN
    )
    score = models.FloatField(_("score"), default=0)
    hidden_at = models.DateTimeField(_("hidden"), null=True, blank=True)
    escalation = models.CharField(
        _("escalated"), max_length=24, choices=Escalation.choices, blank=True
    )
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    # Set when automated screening (moderation.screening) opened or joined it.
    flagged = models.CharField(
        _("flagged by screening"), max_length=24, choices=Flag.choices, blank=True
    )
    opened_at = models.DateTimeField(_("opened"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    appealed_at = models.DateTimeField(_("appealed"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["opened_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_id", "revision"], name="case_per_revision"
            ),
        ]
        indexes = [
            models.Index(fields=["state", "space", "opened_at"]),
            models.Index(fields=["kind", "object_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id} ({self.get_state_display()})"

    @property
    def is_open(self) -> bool:
        return self.state == self.State.OPEN

    @property
    def is_escalated(self) -> bool:
        return bool(self.escalation)

    @property
    def latest_decision(self) -> "Decision | None":
        """The last decision (from the prefetched ``decisions`` when there)."""
        decisions = list(self.decisions.all())
        return decisions[-1] if decisions else None


class Report(models.Model):
    """One person's notice about a case's item. The same person reporting the
    same revision again adds to their report (``repeats``) rather than a second
    one. ``weight`` is what it added to the case's score when it came in."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reporter"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="moderation_reports",
    )
    reporter_email = models.EmailField(_("e-mail address"), blank=True)
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices)
    legal_ground = models.TextField(_("the law it breaks"), max_length=1000, blank=True)
    details = models.TextField(_("what is wrong"), max_length=2000, blank=True)
    weight = models.FloatField(default=1)
    repeats = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(_("reported"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "reporter"],
                condition=models.Q(reporter__isnull=False),
                name="report_per_reporter",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} on case {self.case_id}"


class Decision(models.Model):
    """What a moderator decided on a case, with its statement of reasons.

    The statement is built from the structured fields when the decision is made,
    in the author's language, and never changes after (``save`` refuses an
    update): what the author was sent is what stays on record."""

    class Action(models.TextChoices):
        NO_ACTION = "no_action", _("No action")
        HIDE = "hide", _("Hide")
        RESTORE = "restore", _("Restore")
        CONFIRM = "confirm", _("The decision stands")

    class Ground(models.TextChoices):
        HOUSE_RULES = "house_rules", _("The space's house rules")
        PLATFORM_RULES = "platform_rules", _("The municipality's rules")
        LAW = "law", _("The law")
        NONE = "none", _("No rule was broken")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="decisions")
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("moderator"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="moderation_decisions",
    )
    action = models.CharField(_("decision"), max_length=16, choices=Action.choices)
    ground = models.CharField(_("ground"), max_length=16, choices=Ground.choices)
    rule = models.CharField(_("the rule or law"), max_length=300, blank=True)
    facts = models.TextField(_("the facts"), max_length=2000)
    automated_detection = models.BooleanField(
        _("detected by automation"), default=False
    )
    # The sanction on the author that came with the decision (Sanction.Kind).
    sanction_kind = models.CharField(_("sanction"), max_length=16, blank=True)
    sanction_days = models.PositiveSmallIntegerField(_("for days"), default=0)
    sanction_everywhere = models.BooleanField(_("everywhere"), default=False)
    by_municipality = models.BooleanField(default=False)
    language = models.CharField(max_length=8)
    statement = models.TextField(_("statement of reasons"))
    created_at = models.DateTimeField(_("decided"), auto_now_add=True)

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} on case {self.case_id}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise AppendOnly(f"decision {self.pk} cannot be changed")
        super().save(*args, **kwargs)


class Appeal(models.Model):
    """The author contesting a decision, or a reporter contesting "no action".

    Decided by a different moderator than the one who made the decision, never
    by automation; the municipality decides an appeal of an organiser's
    decision. ``resolution`` is the decision that answered it."""

    class Outcome(models.TextChoices):
        UPHELD = "upheld", _("Upheld: the decision was reversed")
        REJECTED = "rejected", _("Rejected: the decision stands")

    decision = models.OneToOneField(
        Decision, on_delete=models.PROTECT, related_name="appeal"
    )
    appellant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("appellant"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="moderation_appeals",
    )
    grounds = models.TextField(_("why the decision is wrong"), max_length=2000)
    created_at = models.DateTimeField(_("appealed"), auto_now_add=True)
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=Outcome.choices, blank=True
    )
    resolution = models.OneToOneField(
        Decision,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="resolves",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"appeal of decision {self.decision_id}"

    @property
    def is_open(self) -> bool:
        return not self.outcome


class Sanction(models.Model):
    """A restriction on a person that follows a decision, and counts as a strike
    until ``strike_expires_at``. A silence and a suspension last until
    ``ends_at``; a removal from a space is final (they may be invited back).
    ``lifted_at`` is set when an upheld appeal (or a moderator) lifts it early."""

    class Kind(models.TextChoices):
        WARNING = "warning", _("Warning")
        SILENCE = "silence", _("Silenced (read only)")
        REMOVAL = "removal", _("Removed from the space")
        SUSPENSION = "suspension", _("Account suspended")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="sanctions",
    )
    kind = models.CharField(_("sanction"), max_length=16, choices=Kind.choices)
    space = models.ForeignKey(
        "communities.Community",
        verbose_name=_("space"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="sanctions",
        help_text=_("Empty: everywhere on the platform."),
    )
    decision = models.ForeignKey(
        Decision,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sanctions",
    )
    created_at = models.DateTimeField(_("from"), auto_now_add=True)
    ends_at = models.DateTimeField(_("until"), null=True, blank=True)
    strike_expires_at = models.DateTimeField(_("counts as a strike until"))
    lifted_at = models.DateTimeField(_("lifted"), null=True, blank=True)

    class Meta:
        verbose_name = _("sanction")
        verbose_name_plural = _("sanctions")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "kind", "ends_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.user_id}"


class Vouch(models.Model):
    """An organiser vouches for a new member: they are trusted at once, without
    waiting out the new-account days (moderation.trust)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="vouches",
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("vouched for by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    space = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("vouch")
        verbose_name_plural = _("vouches")
        constraints = [
            models.UniqueConstraint(fields=["user", "space"], name="vouch_per_space")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} vouched in {self.space_id}"


class WordList(models.Model):
    """Words and phrases that send a post to review before anyone reports it:
    the municipality's list (no space) and one per space, kept by its
    organisers. One term per line; a match queues the post and hides nothing."""

    space = models.OneToOneField(
        "communities.Community",
        verbose_name=_("space"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="word_list",
    )
    words = models.TextField(
        _("words and phrases"),
        max_length=20000,
        blank=True,
        help_text=_("One per line. Letter case does not matter."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("word list")
        verbose_name_plural = _("word lists")
        constraints = [
            models.UniqueConstraint(
                fields=["space"],
                condition=models.Q(space__isnull=True),
                name="one_municipal_word_list",
            )
        ]

    def __str__(self) -> str:
        return f"word list {self.space_id or 'municipal'}"

    @property
    def terms(self) -> list[str]:
        return [
            line.strip().casefold() for line in self.words.splitlines() if line.strip()
        ]
