"""Every rate limit on the platform, by name, in one table.

A service counts an action with ``ratelimit.hit("message-send", key=user.pk)``;
the number allowed and the window are read here, so the limits can be read,
compared and changed in one place. Counted per person, never per address.
"""

from typing import NamedTuple

MINUTE = 60
HOUR = 3600
DAY = 86400


class Limit(NamedTuple):
    """At most ``count`` actions in each fixed window of ``window_s`` seconds."""

    count: int
    window_s: int


LIMITS: dict[str, Limit] = {
    # accounts: personal access tokens for the JSON API
    "api-token-create": Limit(10, HOUR),
    # communities
    "membership-join": Limit(30, HOUR),
    "invitation-create": Limit(50, HOUR),
    "house-rules-update": Limit(20, HOUR),
    # marketplace
    "listing-create": Limit(10, HOUR),
    "listing-update": Limit(60, HOUR),
    "listing-renew": Limit(30, HOUR),
    "response-create": Limit(20, HOUR),
    "booking-request": Limit(10, HOUR),
    "booking-block": Limit(30, HOUR),
    "watch-create": Limit(20, HOUR),
    # messaging
    "message-send": Limit(30, MINUTE),
    "message-edit": Limit(30, MINUTE),
    "message-react": Limit(60, MINUTE),
    "channel-create": Limit(20, HOUR),
    "channel-share": Limit(30, HOUR),
    "direct-start": Limit(30, HOUR),
    "participant-add": Limit(60, HOUR),
    # moderation
    "report-submit": Limit(20, HOUR),
    # a visitor reporting illegal content, per address and for all visitors
    "report-visitor": Limit(5, HOUR),
    "report-visitor-all": Limit(100, HOUR),
    # moderation.trust: what a new account may do in a day, on top of the above
    "message-send-new-account": Limit(50, DAY),
    "listing-create-new-account": Limit(3, DAY),
    "response-create-new-account": Limit(10, DAY),
    "case-decide": Limit(300, HOUR),
    "appeal-submit": Limit(10, HOUR),
    # agenda
    "event-create": Limit(30, HOUR),
    "event-update": Limit(120, HOUR),
    "signup-answer": Limit(60, HOUR),
    "facility-booking": Limit(30, HOUR),
    "facility-decide": Limit(300, HOUR),
    "facility-create": Limit(20, HOUR),
    "facility-update": Limit(60, HOUR),
    "feed-revoke": Limit(20, HOUR),
    # tasks: a contractor's planning system may step many tasks an hour
    "task-step": Limit(600, HOUR),
    "task-create": Limit(120, HOUR),
    "agreement-change": Limit(60, HOUR),
    "problem-report": Limit(10, HOUR),
    # each answer to a report is an e-mail to the resident who made it
    "report-answer": Limit(60, HOUR),
    # cms: messages to the municipality from the contact page
    "contact-send": Limit(5, HOUR),
    "contact-send-visitors": Limit(60, HOUR),
}
