// The codes the live socket closes with. Mirrors messaging/closecodes.py
// (tests/messaging/test_closecodes.py holds the two equal).

export const RECONNECT = 4001; // the session changed: connect again to sign in anew
export const ANONYMOUS = 4401; // not signed in (any more): stop
export const DEACTIVATED = 4403; // the account was deactivated or deleted: stop
