"""Screening before anyone reports: with no service outside the platform.

Three checks run on every new or edited post: the municipality's and the space's
word lists (``WordList``), the same text posted by one person in many spaces
within a day, and a link-heavy post from a young account. A match opens (or
joins) the post's case, flagged, for the moderators of its space: it hides
nothing, and its author sees it waiting on their moderation page. Decisions on
such a case say that automation detected it (never that it decided it).

Word lists are read through the cache and the cross-posting count lives there,
so a post costs no database query unless something matched.
"""

import hashlib
import logging
import re
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import models, transaction
from django.utils import timezone

from accounts.models import User

from . import audit, registry, trust
from .models import Case, Flag, WordList

logger = logging.getLogger(__name__)
WORDS_TTL = 300
CROSS_POST_TTL = 24 * 3600


def _setting(name: str):
    return settings.NABOLAG_MODERATION[name]


def _words_key(space_id: int | None) -> str:
    return f"screen:words:{space_id or 0}"


def _terms(space_ids: list[int]) -> list[str]:
    """The municipal list's terms and those of ``space_ids``' lists, cached."""
    keys = {_words_key(pk): pk for pk in [None, *space_ids]}
    # The cache degrades to misses when Redis is down (hub.cache): then the
    # lists come from the database.
    cached = cache.get_many(list(keys))
    missing = [pk for key, pk in keys.items() if key not in cached]
    if missing:
        spaces = [pk for pk in missing if pk is not None]
        lists = WordList.objects.filter(
            models.Q(space_id__in=spaces)
            | (models.Q(space__isnull=True) if None in missing else models.Q(pk=None))
        )
        found = {wl.space_id: wl.terms for wl in lists}
        fresh = {_words_key(pk): found.get(pk, []) for pk in missing}
        cache.set_many(fresh, WORDS_TTL)
        cached |= fresh
    return [term for terms in cached.values() for term in terms]


def forget_words(space_id: int | None) -> None:
    """Drop a list from the cache after it changed."""
    cache.delete(_words_key(space_id))


def _matches_words(text: str, terms: list[str]) -> bool:
    if not terms:
        return False
    folded = text.casefold()
    return any(re.search(rf"(?<!\w){re.escape(term)}(?!\w)", folded) for term in terms)


def _cross_posted(author: User, text: str, space_ids: list[int]) -> bool:
    """Whether ``author`` has now posted this text in CROSS_POST_SPACES spaces or
    more within a day (counted in the cache, per person and text)."""
    normal = " ".join(text.casefold().split())
    if len(normal) < 20 or not space_ids:
        return False
    digest = hashlib.sha256(normal.encode()).hexdigest()[:20]
    key = f"screen:xpost:{author.pk}:{digest}"
    seen = set(cache.get(key, ()))  # empty while Redis is down: no finding
    seen.update(space_ids)
    cache.set(key, sorted(seen), CROSS_POST_TTL)
    return len(seen) >= _setting("CROSS_POST_SPACES")


def _link_heavy(author: User, text: str) -> bool:
    young = author.date_joined > timezone.now() - timedelta(
        days=_setting("SCREEN_LINKS_DAYS")
    )
    return young and len(trust.LINK_RE.findall(text)) >= _setting("SCREEN_LINKS")


def findings(author: User, text: str, space_ids) -> str:
    """What screening finds in a post (a ``Flag``), or ""."""
    ids = sorted({pk for pk in space_ids if pk is not None})
    if _matches_words(text, _terms(ids)):
        return Flag.WORDS
    if _cross_posted(author, text, ids):
        return Flag.CROSS_POST
    if _link_heavy(author, text):
        return Flag.LINKS
    return ""


def screen(*, kind: str, item: models.Model, author: User, text: str, space_ids=()):
    """Screen a post that was just saved; a match flags its case for review,
    inside the caller's transaction. Returns the case, or None."""
    flag = findings(author, text, space_ids)
    if not flag:
        return None
    reportable = registry.by_kind(kind)
    with transaction.atomic():
        case, created = Case.objects.select_for_update().get_or_create(
            kind=kind,
            object_id=str(item.pk),
            revision=reportable.revision(item),
            defaults={
                "space": reportable.space(item),
                "author": author,
                "excerpt": reportable.excerpt(item)[:4000],
                "flagged": flag,
            },
        )
        if not created and not case.flagged:
            case.flagged = flag
            case.save(update_fields=["flagged"])
        audit.record(
            actor=None, action="item.screened", subject=case, details={"flag": flag}
        )
    return case
