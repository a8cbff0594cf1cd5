"""Local development: debug on, e-mails printed to the console."""

import os

from .base import *  # noqa: F403

DEBUG = True
SECRET_KEY = "dev-only-not-secret-nabolag"  # noqa: S105 (dev settings only)
ALLOWED_HOSTS = ["localhost", ".localhost", "127.0.0.1", "[::1]"]
# `make run PORT=8101` serves on http://127.0.0.1:8101 and passes PORT on: the
# address in e-mails and the allowed origins follow it.
PORT = os.environ.get("PORT", "8000")
WAGTAILADMIN_BASE_URL = os.environ.get(
    "WAGTAILADMIN_BASE_URL", f"http://127.0.0.1:{PORT}"
)
CSRF_TRUSTED_ORIGINS = [
    f"http://127.0.0.1:{PORT}",
    f"http://localhost:{PORT}",
    f"http://*.localhost:{PORT}",
]
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
