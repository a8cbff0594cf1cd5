"""Facilities and their opening hours, written by those who run them.

Municipal staff create the municipality's facilities (no owner); the
organisers of a village or an association create their own. Whoever manages a
facility (``permissions.can_manage_facility``) edits it and its opening hours.
Changing the hours or the buffers leaves the bookings already made as they are.
"""

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import time

from django.db import IntegrityError, transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.models import User
from communities.models import Community
from communities.selectors import AnyUser, is_municipal_staff
from hub import ratelimit
from hub.errors import NotPermitted
from moderation.sanctions import require_may_write

from .. import permissions
from ..errors import AgendaError
from ..models import Facility, OpeningHours

# Communities that own facilities: villages and associations.
OWNER_KINDS = (Community.Kind.VILLAGE, Community.Kind.ASSOCIATION)
MAX_BUFFER_MINUTES = 240
# Slugs the facility pages' own addresses use (/calendar/facilities/new/).
RESERVED_SLUGS = {"new"}


@dataclass(frozen=True)
class FacilityFields:
    """What a facility's form says; the form builds it, the services take it."""

    name: str
    kind: str
    owner: Community | None = None
    village: Community | None = None
    address: str = ""
    description: str = ""
    capacity: int | None = None
    policy: str = Facility.Policy.AUTOMATIC
    setup_minutes: int = 0
    cleanup_minutes: int = 0

    @classmethod
    def of(cls, facility: Facility) -> "FacilityFields":
        return cls(
            name=facility.name,
            kind=facility.kind,
            owner=facility.owner,
            village=facility.village,
            address=facility.address,
            description=facility.description,
            capacity=facility.capacity,
            policy=facility.policy,
            setup_minutes=facility.setup_minutes,
            cleanup_minutes=facility.cleanup_minutes,
        )


@dataclass(frozen=True)
class Hours:
    """One open period on one weekday (0 is Monday), local time."""

    weekday: int
    opens: time
    closes: time


def can_create_facility(user: AnyUser, owner: Community | None) -> bool:
    """Staff create the municipality's facilities (``owner`` None); a village's
    or an association's organisers (and staff) create that community's."""
    if owner is None:
        return is_municipal_staff(user)
    if owner.kind not in OWNER_KINDS:
        return False
    return permissions.can_organise(user, owner)


def _check(fields: FacilityFields) -> FacilityFields:
    errors: dict[str, list] = {}
    name = fields.name.strip()
    if not name:
        errors["name"] = [_("Give the facility a name.")]
    if fields.kind not in Facility.Kind.values:
        errors["kind"] = [_("Choose what kind of facility it is.")]
    if fields.policy not in Facility.Policy.values:
        errors["policy"] = [_("Choose how bookings are approved.")]
    if fields.policy == Facility.Policy.OWNER and fields.owner is None:
        errors["policy"] = [
            _(
                "The municipality owns this facility: choose "
                "“The municipality approves”."
            )
        ]
    for name_, minutes in (
        ("setup_minutes", fields.setup_minutes),
        ("cleanup_minutes", fields.cleanup_minutes),
    ):
        if not 0 <= minutes <= MAX_BUFFER_MINUTES:
            errors[name_] = [
                _("Between 0 and %(most)s minutes.") % {"most": MAX_BUFFER_MINUTES}
            ]
    if fields.capacity is not None and fields.capacity < 1:
        errors["capacity"] = [_("At least one person, or leave it empty.")]
    if fields.village is not None and fields.village.kind != Community.Kind.VILLAGE:
        errors["village"] = [_("Choose a village.")]
    if errors:
        raise AgendaError(next(iter(errors.values()))[0], errors=errors)
    return replace(
        fields,
        name=name,
        address=fields.address.strip(),
        description=fields.description.strip(),
    )


def _check_hours(hours: Sequence[Hours]) -> list[Hours]:
    """The periods in order; refused when one ends before it opens or two of
    one weekday overlap."""
    ordered = sorted(hours, key=lambda h: (h.weekday, h.opens))
    for i, period in enumerate(ordered):
        if not 0 <= period.weekday <= 6:
            raise AgendaError(_("Choose a weekday."), field="hours")
        if period.closes <= period.opens:
            raise AgendaError(
                _("Each period must close after it opens (%(opens)s–%(closes)s).")  # noqa: RUF001
                % {
                    "opens": f"{period.opens:%H:%M}",
                    "closes": f"{period.closes:%H:%M}",
                },
                field="hours",
            )
        before = ordered[i - 1] if i else None
        if (
            before is not None
            and before.weekday == period.weekday
            and period.opens < before.closes
        ):
            raise AgendaError(
                _("Two periods of one day overlap (%(first)s and %(second)s).")
                % {
                    "first": f"{before.opens:%H:%M}\u2013{before.closes:%H:%M}",
                    "second": f"{period.opens:%H:%M}\u2013{period.closes:%H:%M}",
                },
                field="hours",
            )
    return ordered


def _unique_slug(name: str) -> str:
    base = slugify(name)[:70].strip("-") or "facility"
    taken = set(
        Facility.objects.filter(slug__startswith=base).values_list("slug", flat=True)
    )
    taken |= RESERVED_SLUGS
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    return slug


def _values(fields: FacilityFields) -> dict:
    return {
        "name": fields.name,
        "kind": fields.kind,
        "owner": fields.owner,
        "village": fields.village,
        "address": fields.address,
        "description": fields.description,
        "capacity": fields.capacity,
        "policy": fields.policy,
        "setup_minutes": fields.setup_minutes,
        "cleanup_minutes": fields.cleanup_minutes,
    }


def _write_hours(facility: Facility, hours: list[Hours]) -> list[OpeningHours]:
    OpeningHours.objects.filter(facility=facility).delete()
    return OpeningHours.objects.bulk_create(
        OpeningHours(
            facility=facility, weekday=h.weekday, opens=h.opens, closes=h.closes
        )
        for h in hours
    )


def _space_ids(fields: FacilityFields) -> list[int]:
    return [fields.owner.pk] if fields.owner is not None else []


def facility_create(
    *, actor: User, fields: FacilityFields, hours: Sequence[Hours] | None = None
) -> Facility:
    """Create a facility (and its opening hours; none: open around the clock)
    for ``fields.owner``, or for the municipality when that is None."""
    if not can_create_facility(actor, fields.owner):
        raise NotPermitted(
            _("Only municipal staff and the organisers of its owner can add it.")
        )
    require_may_write(actor, space_ids=_space_ids(fields), text=fields.description)
    fields = _check(fields)
    ordered = _check_hours(hours or [])
    ratelimit.hit("facility-create", key=actor.pk)
    for _attempt in range(3):
        try:
            with transaction.atomic():
                facility = Facility.objects.create(
                    slug=_unique_slug(fields.name), **_values(fields)
                )
                _write_hours(facility, ordered)
        except IntegrityError:
            # Another facility of the same name took the slug meanwhile.
            continue
        return facility
    raise AgendaError(_("Please try again."), field="name")


def facility_update(
    *,
    actor: User,
    facility: Facility,
    fields: FacilityFields,
    hours: Sequence[Hours] | None = None,
) -> Facility:
    """Change a facility; with ``hours``, its opening hours too (all of them,
    replaced). A new owner must be one the actor could create it for."""
    if not permissions.can_manage_facility(actor, facility):
        raise NotPermitted(_("You cannot change this facility."))
    if fields.owner != facility.owner and not can_create_facility(actor, fields.owner):
        raise NotPermitted(
            _("You cannot give the facility to that owner."), field="owner"
        )
    require_may_write(actor, space_ids=_space_ids(fields), text=fields.description)
    fields = _check(fields)
    ordered = _check_hours(hours) if hours is not None else None
    ratelimit.hit("facility-update", key=actor.pk)
    with transaction.atomic():
        for name, value in _values(fields).items():
            setattr(facility, name, value)
        facility.save()
        if ordered is not None:
            _write_hours(facility, ordered)
    return facility


def opening_hours_set(
    *, actor: User, facility: Facility, hours: Sequence[Hours]
) -> list[OpeningHours]:
    """Replace the facility's opening hours; none: open around the clock."""
    if not permissions.can_manage_facility(actor, facility):
        raise NotPermitted(_("You cannot change this facility."))
    ordered = _check_hours(hours)
    ratelimit.hit("facility-update", key=actor.pk)
    with transaction.atomic():
        return _write_hours(facility, ordered)
