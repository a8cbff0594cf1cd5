from django.urls import path

from .views import calendar, events, facilities, feeds, manage

app_name = "agenda"

urlpatterns: list = [
    path("", calendar.calendar, name="calendar"),
    # the event page and sign-up (agenda/views/events.py)
    path("events/<int:pk>/", events.event_detail, name="event"),
    path(
        "events/<int:pk>/<int:occurrence>/",
        events.occurrence_detail,
        name="occurrence",
    ),
    path("events/<int:pk>/<int:occurrence>/signup/", events.signup, name="signup"),
    path(
        "events/<int:pk>/<int:occurrence>/signup/withdraw/",
        events.withdraw,
        name="signup_withdraw",
    ),
    path(
        "events/<int:pk>/<int:occurrence>/attendees/",
        events.attendees,
        name="attendees",
    ),
    path(
        "events/<int:pk>/<int:occurrence>/attendees.csv",
        events.attendees_csv,
        name="attendees_csv",
    ),
    # organisers create and change events (agenda/views/manage.py)
    path("new/<slug:community>/", manage.event_create, name="event_create"),
    path("events/<int:pk>/edit/", manage.event_edit, name="event_edit"),
    path("events/<int:pk>/cancel/", manage.event_cancel, name="event_cancel"),
    path(
        "events/<int:pk>/<int:occurrence>/cancel/",
        manage.occurrence_cancel,
        name="occurrence_cancel",
    ),
    path(
        "events/<int:pk>/<int:occurrence>/restore/",
        manage.occurrence_restore,
        name="occurrence_restore",
    ),
    path(
        "events/<int:pk>/<int:occurrence>/exclude/",
        manage.occurrence_exclude,
        name="occurrence_exclude",
    ),
    # facilities and their bookings (agenda/views/facilities.py)
    path("facilities/", facilities.facility_list, name="facilities"),
    path("facilities/new/", facilities.facility_create, name="facility_create"),
    path("facilities/<slug:slug>/", facilities.facility_detail, name="facility"),
    path(
        "facilities/<slug:slug>/edit/", facilities.facility_edit, name="facility_edit"
    ),
    path(
        "facilities/<slug:slug>/book/", facilities.facility_book, name="facility_book"
    ),
    path("bookings/", facilities.bookings_pending, name="bookings_pending"),
    path(
        "bookings/<int:pk>/approve/",
        facilities.booking_approve,
        name="booking_approve",
    ),
    path(
        "bookings/<int:pk>/decline/",
        facilities.booking_decline,
        name="booking_decline",
    ),
    path("bookings/<int:pk>/cancel/", facilities.booking_cancel, name="booking_cancel"),
    # calendar feeds (agenda/views/feeds.py)
    path("feeds/", feeds.feed_list, name="feeds"),
    path("feeds/new/", feeds.feed_create, name="feed_create"),
    path("feeds/<int:pk>/revoke/", feeds.feed_revoke, name="feed_revoke"),
    path("feeds/<str:token>.ics", feeds.feed, name="feed"),
]
