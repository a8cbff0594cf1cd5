"""The codes the live socket closes with, and what the browser does on each.

static/js/close-codes.js mirrors these for the browser (a test holds the two
equal): change both together.
"""

RECONNECT = 4001  # the session changed: connect again to sign in anew
ANONYMOUS = 4401  # not signed in (any more): the browser stops
DEACTIVATED = 4403  # the account was deactivated or deleted: the browser stops

CLOSE_CODES = {
    "RECONNECT": RECONNECT,
    "ANONYMOUS": ANONYMOUS,
    "DEACTIVATED": DEACTIVATED,
}
