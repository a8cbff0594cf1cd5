from django.utils.translation import gettext_lazy as _

from hub.errors import ApplicationError, Conflict, NotPermitted


class TaskError(ApplicationError):
    """A task board action refused."""


class TaskConflict(Conflict):
    """The task moved on since the page was read (someone else confirmed a
    slot, the club accepted it meanwhile)."""

    default_message = _(
        "Someone else changed this task a moment ago. Here is how it stands now."
    )


class TaskNotPermitted(NotPermitted):
    """The actor is not on the side that takes this step."""
