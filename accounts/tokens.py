"""Personal access tokens for the JSON API: made, revoked and checked here.

A token's secret, ``nbl_<prefix>_<random>``, is returned once by ``token_create``
and never kept: the database holds only its SHA-256 digest, so a copy of the
database opens nothing. A secret this random (256 bits) needs no salt and no
slow hash, and looking it up by its digest tells a guesser nothing through
timing. The API accepts tokens through ``accounts.api_auth``.
"""

import hashlib
import re
import secrets
import unicodedata
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from hub import ratelimit
from hub.errors import ApplicationError, Conflict, NotFound, NotPermitted

from .models import ApiToken, User

MAX_LIVE_TOKENS = 10
MAX_EXPIRY_DAYS = 365
NAME_MAX_LENGTH = ApiToken._meta.get_field("name").max_length
# last_used_at is written at most this often per token: most requests only read.
LAST_USED_PRECISION = timedelta(minutes=1)
SECRET_PREFIX = "nbl_"  # noqa: S105 - a public format prefix, not a credential
# nbl_, 8 hex digits (the prefix), _, then secrets.token_urlsafe(32): 43 characters.
_SECRET = re.compile(r"nbl_([0-9a-f]{8})_[A-Za-z0-9_-]{43}")


NAME_REQUIRED = gettext_lazy(
    "Give the token a name, so that you know later what uses it."
)


class TokenError(ApplicationError):
    """An API token action refused."""


class TooManyTokens(Conflict):
    """The person already has as many live tokens as one may have."""


def digest_of(secret: str) -> str:
    """The SHA-256 hex digest of ``secret``: what the database keeps."""
    return hashlib.sha256(secret.encode()).hexdigest()


def _live(now: datetime) -> Q:
    return Q(revoked_at__isnull=True) & (
        Q(expires_at__isnull=True) | Q(expires_at__gt=now)
    )


def tokens_of(user: User) -> QuerySet[ApiToken]:
    """Every token of ``user``, live or ended, newest first; only theirs."""
    return ApiToken.objects.filter(user_id=user.pk).order_by("-created_at", "-pk")


def _input_errors(name: str, expires_in_days: int | None) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [str(NAME_REQUIRED)]
    elif len(name) > NAME_MAX_LENGTH:
        errors["name"] = [
            _("A token's name can be at most %(count)d characters long.")
            % {"count": NAME_MAX_LENGTH}
        ]
    elif any(unicodedata.category(ch) == "Cc" for ch in name):
        errors["name"] = [_("A token's name cannot contain control characters.")]
    if expires_in_days is not None and not 1 <= expires_in_days <= MAX_EXPIRY_DAYS:
        errors["expires_in_days"] = [
            _(
                "Choose from 1 to %(count)d days, or leave it empty for a token "
                "that does not expire."
            )
            % {"count": MAX_EXPIRY_DAYS}
        ]
    return errors


def token_create(
    *, user: User, name: str, expires_in_days: int | None = None
) -> tuple[ApiToken, str]:
    """Make an API token for ``user`` named ``name`` (what will use it), ending
    after ``expires_in_days`` days or never. Returns the token and its secret:
    the only time anyone learns the secret. Refuses an empty name, an expiry
    outside 1 to MAX_EXPIRY_DAYS days and a token past MAX_LIVE_TOKENS live
    ones; rate-limited (``api-token-create``)."""
    if not user.is_authenticated or not user.is_active:
        raise NotPermitted(_("Log in to make an API token."))
    name = (name or "").strip()
    errors = _input_errors(name, expires_in_days)
    if errors:
        raise TokenError(next(iter(errors.values()))[0], errors=errors)
    prefix = secrets.token_hex(4)
    secret = f"{SECRET_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    with transaction.atomic():
        # Two requests at once may not both make the tenth token: they wait on
        # the person's row (PostgreSQL; SQLite writes one at a time).
        User.objects.select_for_update().filter(pk=user.pk).first()
        now = timezone.now()
        if tokens_of(user).filter(_live(now)).count() >= MAX_LIVE_TOKENS:
            raise TooManyTokens(
                ngettext(
                    "You already have %(count)d token in use, the most you can "
                    "have. Revoke one you no longer need, then make the new one.",
                    "You already have %(count)d tokens in use, the most you can "
                    "have. Revoke one you no longer need, then make the new one.",
                    MAX_LIVE_TOKENS,
                )
                % {"count": MAX_LIVE_TOKENS}
            )
        # Counted after the check above: the eleventh token in an hour is
        # refused for being one too many, which says what to do about it.
        ratelimit.hit("api-token-create", key=user.pk)
        token = ApiToken.objects.create(
            user=user,
            name=name,
            prefix=prefix,
            digest=digest_of(secret),
            expires_at=(
                now + timedelta(days=expires_in_days) if expires_in_days else None
            ),
        )
    return token, secret


def token_revoke(*, user: User, token: ApiToken) -> ApiToken:
    """End ``token`` at once: the API refuses it from the next request. Only
    its owner may; to anyone else it is not found. Revoking an ended token
    changes nothing."""
    if not user.is_authenticated or token.user_id != user.pk:
        raise NotFound
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token.pk)
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
    return token


def user_for_secret(secret: str) -> User | None:
    """The active user whose live token ``secret`` is; None for anything else
    (malformed, unknown, revoked, expired, or its user deactivated). Notes the
    use at most once a LAST_USED_PRECISION, so most calls are one read."""
    match = _SECRET.fullmatch(secret) if isinstance(secret, str) else None
    if match is None:
        return None
    now = timezone.now()
    token = (
        ApiToken.objects.select_related("user")
        .filter(_live(now), digest=digest_of(secret), prefix=match[1])
        .filter(user__is_active=True)
        .first()
    )
    if token is None:
        return None
    stale = now - LAST_USED_PRECISION
    if token.last_used_at is None or token.last_used_at <= stale:
        # Conditional, so concurrent requests write it once.
        ApiToken.objects.filter(pk=token.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lte=stale)
        ).update(last_used_at=now)
    return token.user
