"""Signals the calendar sends for apps above it (the task board follows its
fixtures and the bookings that hold its sites). Sent inside the calendar's
transaction, so a receiver's writes stand or fall with the change itself.

``occurrences_changed``: ``occurrences`` (a list of Occurrence) and ``change``,
one of "created", "moved", "cancelled", "restored".

``bookings_declined``: ``bookings`` (a list of Booking, the rows a facility's
manager just declined, already in their new state) and ``actor`` (the User
who declined them).
"""

from django.dispatch import Signal

occurrences_changed = Signal()
bookings_declined = Signal()
