"""What higher apps do when a membership changes or ends, registered at start-up.

``communities`` sits below the apps that keep data tied to a membership (the
restricted channels of ``messaging``, later the tasks of an agreement), so it may
not import them. Each registers a callback here in its ``AppConfig.ready``, the way
Wagtail's hooks work; the membership services call them inside their transaction,
so the membership and everything tied to it change together or not at all.
"""

from collections.abc import Callable

from .models import Membership

MembershipEnded = Callable[[Membership], None]
# (membership, actor=, state=, role=): state and role are what they were before.
MembershipChanged = Callable[..., None]

_membership_ended: list[MembershipEnded] = []
_membership_changed: list[MembershipChanged] = []


def register_membership_ended(callback: MembershipEnded) -> None:
    """Call ``callback(membership)`` whenever an active membership ends (the
    person left or was removed). Registering the same callback twice is a no-op."""
    if callback not in _membership_ended:
        _membership_ended.append(callback)


def membership_ended(membership: Membership) -> None:
    """Run every registered callback for a membership that just ended."""
    for callback in _membership_ended:
        callback(membership)


def register_membership_changed(callback: MembershipChanged) -> None:
    """Call ``callback(membership, actor=..., state=..., role=...)`` whenever a
    membership's state or role changes (``state`` and ``role`` as they were,
    empty for a new membership). Registering the same callback twice is a no-op."""
    if callback not in _membership_changed:
        _membership_changed.append(callback)


def membership_changed(membership: Membership, *, actor, state: str, role: str) -> None:
    for callback in _membership_changed:
        callback(membership, actor=actor, state=state, role=role)


# (community, users) -> {user id: standing}: what organisers see beside a member
# (moderation: a new account, vouched for, strikes in force).
MemberStanding = Callable[..., dict]
_member_standing: list[MemberStanding] = []


def register_member_standing(callback: MemberStanding) -> None:
    """Let ``callback(community, users)`` say, for each of ``users``, how they
    stand (a dict per user id), for the organisers' members page. Registering
    the same callback twice is a no-op."""
    if callback not in _member_standing:
        _member_standing.append(callback)


def member_standing(community, users) -> dict[int, dict]:
    """Every registered callback's standing of ``users``, merged per user."""
    merged: dict[int, dict] = {}
    for callback in _member_standing:
        for user_id, standing in callback(community, users).items():
            merged.setdefault(user_id, {}).update(standing)
    return merged
