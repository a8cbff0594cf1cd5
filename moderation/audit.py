"""Writing and checking the audit log.

Each row's ``hash`` is an HMAC (keyed by ``NABOLAG_AUDIT_SECRET``) of its own
fields and the hash of the row before it, so a row changed, deleted or slipped in
breaks the chain at that row, and someone with only the database cannot forge a
new chain. Appends are serialised (a PostgreSQL advisory lock; SQLite takes its
write lock when the transaction begins), so two never share a predecessor.
"""

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from communities.models import Membership

from .models import AuditEntry

GENESIS = "0" * 64
# pg_advisory_xact_lock's key for appends: any fixed number of our own.
APPEND_LOCK = 4_711_001


def _canonical(details: dict) -> str:
    return json.dumps(
        details, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    )


def seal(
    prev_hash: str,
    at_iso: str,
    actor_id: int | None,
    action: str,
    subject_type: str,
    subject_id: str,
    reason: str,
    details: str,
) -> str:
    """The hash of one row, from exactly the values stored."""
    fields = [
        prev_hash,
        at_iso,
        actor_id,
        action,
        subject_type,
        subject_id,
        reason,
        details,
    ]
    line = json.dumps(fields, separators=(",", ":"), ensure_ascii=False)
    return salted_hmac(
        "nabolag.moderation.audit",
        line,
        secret=settings.NABOLAG_AUDIT_SECRET or settings.SECRET_KEY,
        algorithm="sha256",
    ).hexdigest()


def record(
    *,
    actor: User | None,
    action: str,
    subject: models.Model,
    reason: str = "",
    details: dict | None = None,
) -> AuditEntry:
    """Append one step to the log, inside the caller's transaction: the step and
    its record are kept together or not at all."""
    subject_type = subject._meta.label_lower
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [APPEND_LOCK])
        last = AuditEntry.objects.order_by("-id").values_list("hash", flat=True)
        prev_hash = last.first() or GENESIS
        at = timezone.now()
        text = _canonical(details or {})
        actor_id = actor.pk if actor is not None else None
        entry = AuditEntry(
            at=at,
            actor_id=actor_id,
            action=action,
            subject_type=subject_type,
            subject_id=str(subject.pk),
            reason=reason,
            details=text,
            prev_hash=prev_hash,
        )
        entry.hash = seal(
            prev_hash,
            at.astimezone(UTC).isoformat(),
            actor_id,
            action,
            subject_type,
            entry.subject_id,
            reason,
            text,
        )
        entry.save()
    return entry


def record_membership_change(
    membership: Membership, *, actor: User | None, state: str, role: str
) -> None:
    """communities' adapter: a membership's state or role changed (``state`` and
    ``role`` are what they were before; empty for a new membership)."""
    record(
        actor=actor,
        action="membership.changed",
        subject=membership,
        details={
            "community": membership.community_id,
            "user": membership.user_id,
            "state": [state, membership.state],
            "role": [role, membership.role],
        },
    )


@dataclass(frozen=True)
class Verdict:
    rows: int
    head: str
    broken_at: int | None = None
    problem: str = ""  # translated (lazily)

    @property
    def intact(self) -> bool:
        return self.broken_at is None


FIELDS = (
    "id",
    "prev_hash",
    "at",
    "actor_id",
    "action",
    "subject_type",
    "subject_id",
    "reason",
    "details",
    "hash",
)


def _rows(chunk_size: int) -> Iterator[tuple]:
    return (
        AuditEntry.objects.order_by("id")
        .values_list(*FIELDS)
        .iterator(chunk_size=chunk_size)
    )


def verify(rows: Iterable[tuple] | None = None, chunk_size: int = 20_000) -> Verdict:
    """Walk the chain from the first row; the first row that does not follow from
    the one before it (or whose own fields no longer give its hash) breaks it."""
    expected_prev = GENESIS
    count = 0
    for pk, prev_hash, at, actor_id, action, kind, subject, reason, details, stored in (
        rows if rows is not None else _rows(chunk_size)
    ):
        count += 1
        if not constant_time_compare(prev_hash, expected_prev):
            return Verdict(
                count - 1,
                expected_prev,
                pk,
                _("it does not follow the row before it (a row was removed or added)"),
            )
        at_iso = at.astimezone(UTC).isoformat()
        computed = seal(
            prev_hash, at_iso, actor_id, action, kind, subject, reason, details
        )
        if not constant_time_compare(computed, stored):
            return Verdict(count - 1, expected_prev, pk, _("its contents were changed"))
        expected_prev = stored
    return Verdict(count, expected_prev)
