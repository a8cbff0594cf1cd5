"""The calendar's writes. Each checks who may act, writes in one transaction
and schedules its side effects with ``hub.oncommit``."""
