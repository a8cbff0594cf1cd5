"""What can be reported: one registration per kind of content.

``moderation`` sits below the apps whose content it moderates, so it never imports
them. Each app registers its reportable models in its ``AppConfig.ready`` with a
``Reportable``: how to find the item's author, its space and its text, who may see
it, and how to hide and restore it. Adding a content type later is one
``register`` call; the report form, the cases, the queues and the decisions then
work for it unchanged.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import models
from django.utils.functional import Promise

from accounts.models import User
from communities.models import Community


class NotReportable(LookupError):
    """No registration for this kind of content."""


@dataclass(frozen=True)
class Reportable:
    """How moderation reads and acts on one model.

    ``kind`` names it in URLs ("message", "listing"). ``space`` is the community
    whose organisers moderate it, or None when only municipal moderators do (a
    direct message, a profile). ``revision`` fingerprints the version reported:
    a report joins the case of that version, and an edit afterwards opens a new
    one. ``excerpt`` is the text kept with the case, so the queue shows what was
    reported even after the author edits it. ``can_see(user, item)`` is the
    reporter's check; ``hide`` and ``restore`` carry out a decision (None where a
    kind is never hidden, such as a person's account, whose sanctions act on the
    person instead). ``context(item)`` lists the items shown beside it in the
    queue (for a message, the five before it), as (author name, text) pairs.
    """

    kind: str
    model: type[models.Model]
    label: str | Promise
    author: Callable[[models.Model], User | None]
    space: Callable[[models.Model], Community | None]
    revision: Callable[[models.Model], str]
    excerpt: Callable[[models.Model], str]
    url: Callable[[models.Model], str]
    can_see: Callable[[User, models.Model], bool]
    hide: Callable[[models.Model], None] | None = None
    restore: Callable[[models.Model], None] | None = None
    context: Callable[[models.Model], list[tuple[str, str]]] = field(
        default=lambda item: []
    )

    @property
    def hideable(self) -> bool:
        return self.hide is not None and self.restore is not None

    def get(self, pk: object) -> models.Model | None:
        try:
            return self.model._default_manager.filter(pk=pk).first()
        except (TypeError, ValueError):
            return None


_by_kind: dict[str, Reportable] = {}
_by_label: dict[str, Reportable] = {}


def register(reportable: Reportable) -> None:
    """Make a model reportable. Registering the same kind again replaces it (a
    reloaded app), a different model under a taken kind is refused."""
    taken = _by_kind.get(reportable.kind)
    if taken is not None and taken.model is not reportable.model:
        raise ValueError(f"report kind {reportable.kind!r} is taken by {taken.model}")
    _by_kind[reportable.kind] = reportable
    _by_label[reportable.model._meta.label_lower] = reportable


def by_kind(kind: str) -> Reportable:
    try:
        return _by_kind[kind]
    except KeyError:
        raise NotReportable(kind) from None


def for_model(model: type[models.Model] | models.Model) -> Reportable:
    try:
        return _by_label[model._meta.label_lower]
    except KeyError:
        raise NotReportable(model._meta.label_lower) from None


def kinds() -> list[str]:
    return sorted(_by_kind)
