"""The kinds moderation registers itself: people's profiles and communities.

Neither is hidden by a decision: what is wrong with a profile or a community is
answered by sanctions on the person or by the municipality acting on the
community, so both are reportable but not hideable.
"""

import hashlib

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from communities.models import Community
from communities.selectors import can_view_community

from .registry import Reportable, register


def _fingerprint(*parts: str) -> str:
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def register_reportables() -> None:
    register(
        Reportable(
            kind="profile",
            model=User,
            label=_("profile"),
            author=lambda user: user,
            space=lambda user: None,
            revision=lambda user: _fingerprint(user.display_name, user.bio),
            excerpt=lambda user: f"{user.public_name}\n\n{user.bio}".strip(),
            url=lambda user: "",
            can_see=lambda viewer, user: viewer.is_authenticated and user.is_active,
        )
    )
    register(
        Reportable(
            kind="community",
            model=Community,
            label=_("community"),
            author=lambda community: None,
            space=lambda community: None,
            revision=lambda c: _fingerprint(c.name, c.description),
            excerpt=lambda c: f"{c.name}\n\n{c.description}".strip(),
            url=lambda c: reverse("communities:detail", kwargs={"slug": c.slug}),
            can_see=lambda viewer, c: can_view_community(user=viewer, community=c),
        )
    )
