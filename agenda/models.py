"""The municipality's calendar: events and their series, occurrences, sign-ups,
facilities with their opening hours and bookings, and the secret feed URLs.

An ``Event`` is one thing organised by one community, either once or as a series
by an RFC 5545 rule. Its occurrences are stored (``Occurrence``), one row per
date the rule gives, so that each can be moved, cancelled or left out and carry
its own sign-ups and booking; the rule stays on the event for the feeds.
"""

import secrets
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hub.models import Located, TimeStampedModel


def _new_token() -> str:
    return secrets.token_urlsafe(24)


class Category(models.TextChoices):
    SPORT = "sport", _("Sport")
    CULTURE = "culture", _("Culture")
    MEETING = "meeting", _("Meeting")
    SOCIAL = "social", _("Social")
    COURSE = "course", _("Course")
    MARKET = "market", _("Market")
    OTHER = "other", _("Other")


class Audience(models.TextChoices):
    EVERYONE = "everyone", _("Everyone")
    CHILDREN = "children", _("Children")
    YOUTH = "youth", _("Youth")
    ADULTS = "adults", _("Adults")
    SENIORS = "seniors", _("Seniors")


class Facility(TimeStampedModel, Located):
    """A hall, a room or a pitch that communities book."""

    class Kind(models.TextChoices):
        HALL = "hall", _("Hall")
        MEETING_ROOM = "meeting_room", _("Meeting room")
        NATURAL_GRASS = "natural_grass", _("Natural-grass pitch")
        ARTIFICIAL_PITCH = "artificial_pitch", _("Artificial pitch")
        OTHER = "other", _("Other")

    class Policy(models.TextChoices):
        AUTOMATIC = "automatic", _("Booked at once")
        OWNER = "owner", _("The owner approves")
        MUNICIPALITY = "municipality", _("The municipality approves")

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    # None: the municipality owns it.
    owner = models.ForeignKey(
        "communities.Community",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="facilities",
        verbose_name=_("owner"),
    )
    village = models.ForeignKey(
        "communities.Community",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        limit_choices_to={"kind": "village"},
        verbose_name=_("village"),
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    capacity = models.PositiveIntegerField(
        _("capacity (people)"), null=True, blank=True
    )
    policy = models.CharField(
        _("booking policy"),
        max_length=16,
        choices=Policy.choices,
        default=Policy.AUTOMATIC,
    )
    setup_minutes = models.PositiveIntegerField(
        _("set-up (minutes)"), default=0, validators=[MaxValueValidator(240)]
    )
    cleanup_minutes = models.PositiveIntegerField(
        _("clean-up (minutes)"), default=0, validators=[MaxValueValidator(240)]
    )

    class Meta:
        verbose_name = _("facility")
        verbose_name_plural = _("facilities")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def setup(self) -> timedelta:
        return timedelta(minutes=self.setup_minutes)

    @property
    def cleanup(self) -> timedelta:
        return timedelta(minutes=self.cleanup_minutes)


class OpeningHours(models.Model):
    """One period a facility is open on one weekday (0 is Monday), local time.

    A facility with no rows is open around the clock."""

    facility = models.ForeignKey(
        Facility, on_delete=models.CASCADE, related_name="opening_hours"
    )
    weekday = models.PositiveSmallIntegerField(
        _("weekday"), validators=[MaxValueValidator(6)]
    )
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        ordering = ["weekday", "opens"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes__gt=F("opens")), name="opening_hours_order"
            ),
            models.CheckConstraint(
                condition=Q(weekday__lte=6), name="opening_hours_weekday"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.facility}: {self.weekday} {self.opens}-{self.closes}"


class Event(TimeStampedModel):
    """Something a community organises, once or as a series."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # None: the municipality organises it (an event page of the hub itself).
    community = models.ForeignKey(
        "communities.Community",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="agenda_events",
        verbose_name=_("organiser"),
    )
    village = models.ForeignKey(
        "communities.Community",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        limit_choices_to={"kind": "village"},
        verbose_name=_("village"),
    )
    facility = models.ForeignKey(
        Facility,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
        verbose_name=_("facility"),
    )
    title = models.CharField(_("title"), max_length=140)
    description = models.TextField(_("description"), blank=True, max_length=5000)
    place = models.CharField(_("place"), max_length=200, blank=True)
    category = models.CharField(
        _("category"), max_length=16, choices=Category.choices, default=Category.OTHER
    )
    audience = models.CharField(
        _("audience"),
        max_length=16,
        choices=Audience.choices,
        default=Audience.EVERYONE,
    )
    expected_attendance = models.PositiveIntegerField(
        _("expected attendance"), null=True, blank=True
    )
    is_public = models.BooleanField(_("public"), default=True)
    # The first occurrence's start; the rule repeats it in the municipality's
    # time zone (settings.TIME_ZONE), so 17:00 stays 17:00 across summer time.
    starts_at = models.DateTimeField(_("starts"))
    duration = models.DurationField(_("duration"))
    # An RFC 5545 RRULE value without its name ("FREQ=WEEKLY;BYDAY=TU,TH;UNTIL=
    # 20270531T215959Z"); empty for an event that happens once.
    rrule = models.CharField(_("repeats"), max_length=500, blank=True)
    capacity = models.PositiveIntegerField(
        _("places"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    signup_open = models.BooleanField(_("sign-up"), default=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    # iCalendar's SEQUENCE: raised on every change a calendar app must redo.
    sequence = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration__gt=timedelta(0)), name="event_duration_positive"
            ),
        ]
        indexes = [models.Index(fields=["community", "starts_at"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("agenda:event", kwargs={"pk": self.pk})

    @property
    def is_series(self) -> bool:
        return bool(self.rrule)

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None

    @property
    def is_large(self) -> bool:
        limit = settings.NABOLAG_AGENDA["LARGE_EVENT"]
        return (self.expected_attendance or 0) >= limit


class Occurrence(models.Model):
    """One date of an event. ``original_start`` is where the rule put it (its
    iCalendar RECURRENCE-ID); ``starts_at``/``ends_at`` are where it is now."""

    class State(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        CANCELLED = "cancelled", pgettext_lazy("event", "Cancelled")
        # Left out of the series (an EXDATE): not shown anywhere.
        EXCLUDED = "excluded", _("Left out")

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="occurrences"
    )
    original_start = models.DateTimeField()
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    state = models.CharField(
        max_length=16, choices=State.choices, default=State.SCHEDULED
    )
    moved = models.BooleanField(default=False)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("occurrence")
        verbose_name_plural = _("occurrences")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "original_start"], name="occurrence_unique_start"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="occurrence_order"
            ),
        ]
        indexes = [
            models.Index(fields=["starts_at"]),
            models.Index(fields=["event", "starts_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.event} {self.starts_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse(
            "agenda:occurrence", kwargs={"pk": self.event_id, "occurrence": self.pk}
        )

    @property
    def is_cancelled(self) -> bool:
        return self.state == self.State.CANCELLED or self.event.is_cancelled


class Signup(TimeStampedModel):
    """One person's answer to one occurrence, with the guests they bring."""

    class Response(models.TextChoices):
        GOING = "going", _("Going")
        MAYBE = "maybe", _("Maybe")
        NOT_GOING = "not_going", _("Not going")

    occurrence = models.ForeignKey(
        Occurrence, on_delete=models.CASCADE, related_name="signups"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="signups"
    )
    response = models.CharField(_("answer"), max_length=16, choices=Response.choices)
    guests = models.PositiveSmallIntegerField(
        _("guests"), default=0, validators=[MaxValueValidator(20)]
    )
    # Going, but the event was full: waiting for a place, first come first.
    waiting = models.BooleanField(default=False)
    # When the answer last became "going" (the waiting list's order).
    queued_at = models.DateTimeField(null=True, blank=True)
    promoted_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("sign-up")
        verbose_name_plural = _("sign-ups")
        constraints = [
            models.UniqueConstraint(
                fields=["occurrence", "user"], name="signup_unique_per_occurrence"
            ),
        ]
        indexes = [
            models.Index(fields=["occurrence", "response", "waiting", "queued_at"]),
            models.Index(fields=["user", "response"]),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.response} {self.occurrence}"

    @property
    def heads(self) -> int:
        return 1 + self.guests


class Booking(TimeStampedModel):
    """A facility held for a time, by a community or for an event occurrence.

    ``blocked_from``/``blocked_until`` add the facility's set-up and clean-up
    buffers; two live bookings (pending or approved) of one facility never
    overlap there. PostgreSQL guarantees it with an exclusion constraint, SQLite
    with triggers (migration 0002); services check first to say which slots
    are free."""

    class State(models.TextChoices):
        PENDING = "pending", _("Awaiting approval")
        APPROVED = "approved", _("Booked")
        DECLINED = "declined", _("Declined")
        CANCELLED = "cancelled", _("Cancelled")

    LIVE_STATES = (State.PENDING, State.APPROVED)

    facility = models.ForeignKey(
        Facility, on_delete=models.CASCADE, related_name="bookings"
    )
    community = models.ForeignKey(
        "communities.Community",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="facility_bookings",
        verbose_name=_("booked for"),
    )
    occurrence = models.OneToOneField(
        Occurrence,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="booking",
    )
    # Bookings requested together for a season share this.
    season = models.UUIDField(null=True, blank=True, db_index=True)
    title = models.CharField(_("what for"), max_length=140)
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    blocked_from = models.DateTimeField()
    blocked_until = models.DateTimeField()
    state = models.CharField(max_length=16, choices=State.choices)
    is_public = models.BooleanField(_("show in the public calendar"), default=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="facility_bookings",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="facility_booking_order"
            ),
            models.CheckConstraint(
                condition=Q(blocked_from__lte=F("starts_at"))
                & Q(blocked_until__gte=F("ends_at")),
                name="facility_booking_buffers",
            ),
        ]
        indexes = [
            models.Index(fields=["facility", "blocked_from"]),
            models.Index(fields=["starts_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.facility}: {self.title} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def is_live(self) -> bool:
        return self.state in self.LIVE_STATES


class Feed(TimeStampedModel):
    """A secret iCalendar address for one portal, facility or person. Revoking
    it ends the address; a new one gets a new token."""

    class Kind(models.TextChoices):
        COMMUNITY = "community", _("Portal")
        FACILITY = "facility", _("Facility")
        PERSON = "person", _("Personal")

    kind = models.CharField(max_length=16, choices=Kind.choices)
    token = models.CharField(max_length=64, unique=True, default=_new_token)
    community = models.ForeignKey(
        "communities.Community",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    facility = models.ForeignKey(
        Facility, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(
                        kind="community",
                        community__isnull=False,
                        facility__isnull=True,
                        user__isnull=True,
                    )
                    | Q(
                        kind="facility",
                        facility__isnull=False,
                        community__isnull=True,
                        user__isnull=True,
                    )
                    | Q(
                        kind="person",
                        user__isnull=False,
                        community__isnull=True,
                        facility__isnull=True,
                    )
                ),
                name="feed_one_subject",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} feed"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
