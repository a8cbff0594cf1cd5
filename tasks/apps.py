from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TasksConfig(AppConfig):
    name = "tasks"
    verbose_name = _("Task board")

    def ready(self) -> None:
        # The lower apps know nothing of tasks; the board registers itself
        # with them here (DESIGN.md, "Layers").
        from agenda import facility_links, feeds
        from agenda.services import bookings
        from agenda.signals import bookings_declined, occurrences_changed
        from messaging import topics

        from . import feeds as task_feeds
        from . import hooks

        occurrences_changed.connect(
            hooks.occurrences_changed, dispatch_uid="tasks.follow_fixtures"
        )
        bookings_declined.connect(
            hooks.bookings_declined, dispatch_uid="tasks.follow_declined_bookings"
        )
        if hooks.booking_keeper not in bookings.BOOKING_KEEPERS:
            bookings.BOOKING_KEEPERS.append(hooks.booking_keeper)
        if hooks.facility_links not in facility_links.FACILITY_LINKS:
            facility_links.FACILITY_LINKS.append(hooks.facility_links)
        topics.register(hooks.board_topics)
        if task_feeds.person_tasks not in feeds.PERSON_FEED_PARTS:
            feeds.PERSON_FEED_PARTS.append(task_feeds.person_tasks)
