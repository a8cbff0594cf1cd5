"""Mutual aid: listings, their private locations, responses, matches, lending, watches.

The exact point and street address of a listing live in ``ListingLocation``, a table
of their own that only selectors read, for the author and a matched counterpart.
Listings carry only the public point: the centre of a fixed grid cell.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager

from hub.images import CARD_SIZE
from hub.models import TimeStampedModel

LAT = [MinValueValidator(-90), MaxValueValidator(90)]
LON = [MinValueValidator(-180), MaxValueValidator(180)]


class Category(models.TextChoices):
    ERRANDS = "errands", _("Errands and shopping")
    TRANSPORT = "transport", _("Transport")
    DIGITAL = "digital", _("Digital help")
    GARDEN = "garden", _("Garden")
    REPAIRS = "repairs", _("Repairs and tools")
    COMPANY = "company", _("Company and visits")
    CHILDREN = "children", _("Children and animals")
    FOOD = "food", _("Food")
    OTHER = "other", _("Other")


class Listing(TimeStampedModel):
    """A request, an offer, a thing to lend or give away, or a call for volunteers."""

    class Kind(models.TextChoices):
        REQUEST = "request", _("Request for help")
        OFFER = "offer", _("Offer of help")
        LEND = "lend", _("To lend")
        GIVE = "give", _("To give away")
        VOLUNTEER = "volunteer", _("Call for volunteers")

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        MATCHED = "matched", _("Matched")
        DONE = "done", _("Done")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        EXPIRED = "expired", _("Expired")

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="listings"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), max_length=4000)
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    tags = TaggableManager(_("tags"), blank=True)
    communities = models.ManyToManyField(
        "communities.Community",
        verbose_name=_("shared in"),
        blank=True,
        related_name="listings",
    )
    everyone_nearby = models.BooleanField(_("everyone nearby"), default=False)
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.DRAFT
    )
    # The public point: a grid-cell centre computed once from the private point.
    public_latitude = models.FloatField(_("public latitude"), validators=LAT)
    public_longitude = models.FloatField(_("public longitude"), validators=LON)
    place_name = models.CharField(_("area"), max_length=120, blank=True)
    starts_at = models.DateTimeField(_("from"), null=True, blank=True)
    ends_at = models.DateTimeField(_("until"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    helpers_needed = models.PositiveSmallIntegerField(
        _("helpers needed"), default=1, validators=[MaxValueValidator(100)]
    )
    expiry_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The id the author's form or client generated: a retried post finds it.
    client_id = models.CharField(
        _("client id"), max_length=64, blank=True, default="", editable=False
    )
    # Set by a moderation decision (marketplace.services.moderation): then only
    # the author and municipal staff see the listing.
    hidden_at = models.DateTimeField(
        _("hidden by moderation"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("listing")
        verbose_name_plural = _("listings")
        ordering = ["-published_at", "-id"]
        indexes = [
            # The radius-search prefilter: a bounding box on the public point of
            # open listings (search only ever looks at open ones). The audience
            # columns, the date (sort by newest), the end (one that has passed
            # is not shown) and the id (PostgreSQL; SQLite has the rowid) make
            # it covering: candidates need no table lookup. So does the mark of
            # moderation (a hidden listing is found by its author only), as a
            # key column rather than an include=: SQLite ignores include=, and
            # there it would cost a table lookup per candidate.
            models.Index(
                fields=[
                    "state",
                    "public_latitude",
                    "public_longitude",
                    "everyone_nearby",
                    "author",
                    "published_at",
                    "ends_at",
                    "hidden_at",
                ],
                include=["id"],
                name="listing_bbox",
            ),
            models.Index(fields=["state", "-published_at"], name="listing_state_new"),
            models.Index(fields=["author", "state"], name="listing_author_state"),
            models.Index(fields=["state", "expires_at"], name="listing_expiry"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(helpers_needed__gte=1), name="listing_helpers_positive"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True)
                | Q(starts_at__isnull=True)
                | Q(ends_at__gte=F("starts_at")),
                name="listing_window_ordered",
            ),
            models.UniqueConstraint(
                fields=["author", "client_id"],
                condition=~Q(client_id=""),
                name="listing_client_id_per_author",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("marketplace:detail", kwargs={"pk": self.pk})

    @property
    def is_open(self) -> bool:
        return self.state == self.State.OPEN


class ListingLocation(models.Model):
    """The private exact point and address. Read only through selectors."""

    listing = models.OneToOneField(
        Listing, on_delete=models.CASCADE, related_name="location", primary_key=True
    )
    latitude = models.FloatField(_("latitude"), validators=LAT)
    longitude = models.FloatField(_("longitude"), validators=LON)
    address = models.CharField(_("address"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("private location")
        verbose_name_plural = _("private locations")

    def __str__(self) -> str:
        return f"location of listing {self.listing_id}"


def _photo_path(instance: "ListingPhoto", filename: str) -> str:
    return f"marketplace/{instance.listing_id}/{filename}"


def _card_path(instance: "ListingPhoto", filename: str) -> str:
    return f"marketplace/{instance.listing_id}/cards/{filename}"


class ListingPhoto(TimeStampedModel):
    """A resized JPEG with every EXIF field (GPS included) removed."""

    listing = models.ForeignKey(
        Listing, on_delete=models.CASCADE, related_name="photos"
    )
    image = models.ImageField(
        _("photo"), upload_to=_photo_path, width_field="width", height_field="height"
    )
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    # The photo cropped to a card's 16:9 at CARD_SIZE (hub.images): what
    # lists show, a tenth of the photo's bytes on a phone.
    card = models.ImageField(
        _("photo on a card"), upload_to=_card_path, blank=True, editable=False
    )
    alt_text = models.CharField(
        _("description of the photo"), max_length=200, blank=True
    )
    position = models.PositiveSmallIntegerField(default=0)
    # Hidden by moderation: shown to the listing's author only.
    hidden_at = models.DateTimeField(
        _("hidden by moderation"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"photo {self.pk} of listing {self.listing_id}"

    @property
    def card_picture(self):
        """The file a card shows: the card-sized crop, or the photo itself for
        one stored before crops were made."""
        return self.card or self.image

    @property
    def card_size(self) -> tuple[int, int]:
        """Width and height of ``card_picture`` (without opening the file)."""
        return CARD_SIZE if self.card else (self.width, self.height)


class Response(TimeStampedModel):
    """Someone's answer to a listing: "I can help", "I would like it", "I can come"."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for an answer")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    listing = models.ForeignKey(
        Listing, on_delete=models.CASCADE, related_name="responses"
    )
    responder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="responses"
    )
    message = models.TextField(_("message"), max_length=1000)
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.PENDING
    )
    reply = models.TextField(_("reply"), max_length=1000, blank=True)
    # Hidden by moderation: shown to the responder only, never to the author.
    hidden_at = models.DateTimeField(
        _("hidden by moderation"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["listing", "responder"], name="response_one_per_person"
            ),
        ]
        indexes = [models.Index(fields=["responder", "state"])]

    def __str__(self) -> str:
        return f"response {self.pk} to {self.listing_id}"


class Match(TimeStampedModel):
    """An accepted response: the two sides, and what became of it."""

    class State(models.TextChoices):
        ACTIVE = "active", _("Agreed")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Re-opened")

    listing = models.ForeignKey(
        Listing, on_delete=models.CASCADE, related_name="matches"
    )
    response = models.OneToOneField(
        Response, on_delete=models.CASCADE, related_name="match"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    helper = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.ACTIVE
    )
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    thanks = models.TextField(_("thanks"), max_length=1000, blank=True)
    reopen_reason = models.CharField(_("reason"), max_length=500, blank=True)
    thread_id = models.PositiveBigIntegerField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("match")
        verbose_name_plural = _("matches")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["author", "state"]),
            models.Index(fields=["helper", "state"]),
        ]

    def __str__(self) -> str:
        return f"match {self.pk} on {self.listing_id}"

    def get_absolute_url(self) -> str:
        return reverse("marketplace:match", kwargs={"pk": self.pk})


class AddressReveal(models.Model):
    """Audit record: who was shown a listing's exact address, when, through what."""

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="reveals")
    viewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    revealed_at = models.DateTimeField(auto_now_add=True, db_index=True)
    channel = models.CharField(max_length=16, default="page")

    class Meta:
        verbose_name = _("address reveal")
        verbose_name_plural = _("address reveals")
        ordering = ["-revealed_at"]

    def __str__(self) -> str:
        return f"address of match {self.match_id} shown to {self.viewer_id}"


class Booking(TimeStampedModel):
    """A borrow request for a lent item over whole days (both ends included)."""

    class State(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        CONFIRMED = "confirmed", _("Confirmed")
        HANDED_OVER = "handed_over", _("Handed over")
        RETURNED = "returned", _("Returned")
        DECLINED = "declined", _("Declined")
        CANCELLED = "cancelled", _("Cancelled")

    HOLDING = (State.REQUESTED, State.CONFIRMED, State.HANDED_OVER)

    listing = models.ForeignKey(
        Listing, on_delete=models.CASCADE, related_name="bookings"
    )
    borrower = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bookings"
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    message = models.CharField(_("message"), max_length=500, blank=True)
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.REQUESTED
    )
    handed_over_at = models.DateTimeField(_("handed over"), null=True, blank=True)
    returned_at = models.DateTimeField(_("returned"), null=True, blank=True)

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        ordering = ["starts_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="booking_dates_ordered"
            ),
        ]
        indexes = [models.Index(fields=["listing", "state", "starts_on"])]

    def __str__(self) -> str:
        return f"booking {self.pk}: {self.starts_on} to {self.ends_on}"


class Watch(TimeStampedModel):
    """A saved search: tell me about new listings in these categories within R km."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="watches"
    )
    categories = models.JSONField(_("categories"), default=list)
    kinds = models.JSONField(_("kinds"), default=list, blank=True)
    radius_km = models.PositiveSmallIntegerField(
        _("radius (km)"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
    )
    latitude = models.FloatField(_("latitude"), validators=LAT)
    longitude = models.FloatField(_("longitude"), validators=LON)
    centre_label = models.CharField(_("around"), max_length=120, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("watch")
        verbose_name_plural = _("watches")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["active", "latitude"])]

    def __str__(self) -> str:
        return f"watch {self.pk} of {self.user_id}"

    @property
    def category_labels(self) -> list[str]:
        return [str(Category(c).label) for c in self.categories if c in Category.values]

    @property
    def kind_labels(self) -> list[str]:
        kinds = Listing.Kind
        return [str(kinds(k).label) for k in self.kinds if k in kinds.values]


class WatchHit(models.Model):
    """A new listing that matched a watch: an in-page alert, later in a digest."""

    watch = models.ForeignKey(Watch, on_delete=models.CASCADE, related_name="hits")
    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    seen_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["watch", "listing"], name="watchhit_once"),
        ]

    def __str__(self) -> str:
        return f"alert: listing {self.listing_id} for watch {self.watch_id}"
