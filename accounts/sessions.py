"""Sessions seen from outside a request: the live socket asks whether the
session it was opened with still signs its user in."""

from importlib import import_module

from django.conf import settings
from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY
from django.utils.crypto import constant_time_compare, salted_hmac

from .models import User


def session_tag(session_key: str) -> str:
    """A stand-in for ``session_key`` that is safe to hand around (the channel
    layer, logs): one key always gives the same tag, a tag never gives the key."""
    return salted_hmac("accounts.session_tag", session_key).hexdigest()[:32]


def session_signs_in(*, session_key: str, user: User) -> bool:
    """Whether the session ``session_key`` still signs ``user`` in, as Django
    would decide on the next request: it exists and has not expired, names the
    user, and carries the user's current session hash (which a password change
    renews). Only reads; never flushes or cycles the session."""
    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    data = store.load()  # an empty dict when the session is gone or expired
    if data.get(SESSION_KEY) != user._meta.pk.value_to_string(user):
        return False
    stored = data.get(HASH_SESSION_KEY) or ""
    hashes = [user.get_session_auth_hash(), *user.get_session_auth_fallback_hash()]
    return bool(stored) and any(constant_time_compare(stored, h) for h in hashes)
