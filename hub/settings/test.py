"""Test settings: fast hashing, in-memory mail, immediate tasks."""

import os
import uuid

# One id per test run, inherited by the server processes the tests start: two runs
# sharing one Redis (Redis pub/sub ignores database numbers) never see each
# other's events or rate-limit counters.
TEST_RUN_ID = os.environ.setdefault("NABOLAG_TEST_RUN", uuid.uuid4().hex[:10])
os.environ.setdefault("CHANNEL_LAYER_PREFIX", f"nabolag-test-{TEST_RUN_ID}")
os.environ.setdefault("CACHE_KEY_PREFIX", f"nabolag-test-{TEST_RUN_ID}")

from .base import *  # noqa: E402, F403 (the prefixes above must be set first)

DEBUG = False
SECRET_KEY = "test-only-not-secret-nabolag"  # noqa: S105 (test settings only)
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
WAGTAILADMIN_BASE_URL = "http://testserver"
LOGGING["root"]["level"] = "ERROR"  # noqa: F405
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
(BASE_DIR / "var").mkdir(exist_ok=True)  # noqa: F405
# Pictures the tests make (the demo's, uploads) never land among the developer's own.
MEDIA_ROOT = BASE_DIR / "var" / "test-media"  # noqa: F405
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    # A file, not memory: browser tests serve the app from a Daphne child process
    # that must see the same test database.
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": os.environ.get(
            "TEST_SQLITE_PATH",
            str(BASE_DIR / "var" / "test.sqlite3"),  # noqa: F405
        )
    }
