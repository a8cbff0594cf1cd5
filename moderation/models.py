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
