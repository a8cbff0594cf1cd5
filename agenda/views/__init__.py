"""The calendar's pages: one module per area (events, manage, calendar,
facilities, feeds). Views are thin: forms build the services' input, services
decide, selectors read."""
