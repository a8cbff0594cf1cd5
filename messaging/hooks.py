"""Re-check live subscriptions when memberships or accounts change.

Memberships are written by ``communities`` (which may not import messaging), so
messaging listens for the saves. The receivers only schedule a control event after
commit: the affected person's sockets then ask the selectors again what they may
see. No business rule lives here.
"""

from django.db.models.signals import post_save

from accounts.models import User
from communities.models import Membership

from . import events


def membership_saved(sender, instance: Membership, **kwargs) -> None:
    events.subscriptions_changed([instance.user_id])


def user_saved(sender, instance: User, created: bool, **kwargs) -> None:
    if not created and not instance.is_active:
        events.account_deactivated(instance.pk)


def connect() -> None:
    post_save.connect(membership_saved, sender=Membership, dispatch_uid="msg-member")
    post_save.connect(user_saved, sender=User, dispatch_uid="msg-user")
