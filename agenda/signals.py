"""Signals the calendar sends for apps above it (the task board follows its
fixtures). Sent inside the calendar's transaction, so a receiver's writes
stand or fall with the change itself.

``occurrences_changed``: ``occurrences`` (a list of Occurrence) and ``change``,
one of "created", "moved", "cancelled", "restored".
"""

from django.dispatch import Signal

occurrences_changed = Signal()
