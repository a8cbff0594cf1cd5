"""Re-check live subscriptions when memberships or accounts change, and close
the sockets of a session that ended (a log-out, a password change).

Memberships are written by ``communities`` (which may not import messaging), so
messaging listens for the saves. The receivers only schedule a control event after
commit: the affected person's sockets then ask the selectors again what they may
see. No business rule lives here.
"""

from django.contrib.auth.signals import user_logged_out
from django.db.models.signals import post_delete, post_save

from accounts.models import User
from communities.models import Membership
from moderation.models import Sanction

from . import events


def membership_saved(sender, instance: Membership, **kwargs) -> None:
    events.subscriptions_changed([instance.user_id])


def sanction_saved(sender, instance: Sanction, **kwargs) -> None:
    # A silence imposed or lifted: the person's sockets re-check where they may
    # type (a suspension closes them through the account's deactivation).
    events.subscriptions_changed([instance.user_id])


def user_saved(sender, instance: User, created: bool, **kwargs) -> None:
    if created:
        return
    if not instance.is_active:
        events.account_deactivated(instance.pk)
    elif instance._password is not None:
        # set_password() keeps the raw password until save() has handed it to
        # the password validators (AbstractBaseUser.save), so this save changed
        # it, whatever the path: allauth's change or reset, the Wagtail admin,
        # manage.py changepassword.
        events.password_changed(instance.pk)


def user_deleted(sender, instance: User, **kwargs) -> None:
    events.account_deactivated(instance.pk)


def logged_out(sender, request, user: User | None, **kwargs) -> None:
    # Django sends this before it flushes the session, so the key is there.
    session_key = getattr(getattr(request, "session", None), "session_key", None)
    if user is not None and session_key:
        events.session_ended(user_id=user.pk, session_key=session_key)


def connect() -> None:
    post_save.connect(membership_saved, sender=Membership, dispatch_uid="msg-member")
    post_save.connect(user_saved, sender=User, dispatch_uid="msg-user")
    post_save.connect(sanction_saved, sender=Sanction, dispatch_uid="msg-sanction")
    post_delete.connect(user_deleted, sender=User, dispatch_uid="msg-user-gone")
    user_logged_out.connect(logged_out, dispatch_uid="msg-logout")
