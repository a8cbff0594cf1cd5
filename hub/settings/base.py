"""Settings shared by every environment.

The database, cache and channel layer are chosen from the environment:
``DATABASE_URL`` (PostgreSQL) and ``REDIS_URL``. Without them the platform runs on
SQLite, the local-memory cache and the in-memory channel layer.
"""

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
PROJECT_DIR = BASE_DIR / "hub"

DATABASE_URL = os.environ.get("DATABASE_URL", "")
REDIS_URL = os.environ.get("REDIS_URL", "")

INSTALLED_APPS = [
    "daphne",
    # our apps
    "hub",
    "accounts",
    "communities",
    "moderation",
    "marketplace",
    "messaging",
    "agenda",
    "tasks",
    "cms",
    # wagtail
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    # accounts
    "allauth",
    "allauth.account",
    # background work
    "django_tasks",
    "django_tasks_db",
    # realtime
    "channels",
    # django
    "django.forms",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "csp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # PUT, PATCH, DELETE... on a page: 405 before any session or database work.
    "hub.middleware.PageMethodsMiddleware",
    # /healthz answers here, before any session or user is loaded (the database
    # may be what is down).
    "hub.health.HealthMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Content-Security-Policy with a nonce per response (CONTENT_SECURITY_POLICY
    # below), and the browser features pages may use.
    "csp.middleware.CSPMiddleware",
    "hub.middleware.PermissionsPolicyMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Sync only, so last: every middleware above it then runs synchronously in
    # the request's one thread. Placed higher, it made Django hop between that
    # thread and the event loop for each async-capable middleware below it
    # (two hops for most), several times per request under Daphne.
    "accounts.middleware.PreferredLanguageMiddleware",
]

ROOT_URLCONF = "hub.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "hub.context_processors.platform",
            ],
        },
    },
]

# Widgets render from templates/django/forms/widgets/ first (TemplatesSetting),
# which give inputs, selects and text areas the design system's class; Django's
# own widget templates come from the django.forms app.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

WSGI_APPLICATION = None
ASGI_APPLICATION = "hub.asgi.application"
# The threads that run the requests' synchronous code (hub.handler): so many
# requests run at once, the others wait their turn. Fewer than the PostgreSQL
# pool's connections (below), which the sockets' database thread also uses.
NABOLAG_REQUEST_THREADS = int(os.environ.get("REQUEST_THREADS", "8"))

# --- storage -------------------------------------------------------------------------

if DATABASE_URL:
    # A process-wide pool hands connections to the request threads and the
    # sockets' database thread, each for as long as it needs one.
    # Health checks make the pool test a connection on checkout, so one that died
    # while idle (a database restart) is replaced instead of failing the request.
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=0, conn_health_checks=True
        )
    }
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": int(os.environ.get("DATABASE_POOL_MIN_SIZE", "2")),
        "max_size": int(os.environ.get("DATABASE_POOL_MAX_SIZE", "10")),
        "timeout": 10,  # seconds a request waits for a free connection
        "max_idle": 300,
        "max_lifetime": 1800,
    }
    # Short queries only: the JIT compiler costs more than it saves (it added
    # ~10 ms, and p99 outliers of 160-290 ms, to 50 km radius searches).
    DATABASES["default"]["OPTIONS"].setdefault("options", "-c jit=off")
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
            # Each request thread (hub.handler) keeps its connection: opening
            # one reads the whole schema, which cost more than the queries of
            # a message sent.
            "CONN_MAX_AGE": None,
            "OPTIONS": {
                # WAL lets the web process read while a task worker writes.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }
    # SQLite has no covering indexes: it ignores the include= column of the
    # marketplace's bounding-box index (its rowid covers the id anyway) and Django
    # warns about that on every start. PostgreSQL, where the index matters, keeps
    # the check.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

if REDIS_URL:
    CACHES = {
        "default": {
            # Django's RedisCache, but an outage reads as a miss instead of a 500.
            "BACKEND": "hub.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "nabolag"),
            "OPTIONS": {
                # One connection pool per process, not one per request thread.
                "pool_class": "hub.redis_pool.SharedRedisPool",
                # No CLIENT SETINFO round trips (nor the package-metadata scan
                # for the version) on each new connection.
                "driver_info": None,
                # A Redis that stops answering must not hold requests for long.
                "socket_connect_timeout": 1,
                "socket_timeout": 2,
            },
        }
    }
    # Sessions live in the database, the cache only in front: a Redis outage
    # logs nobody out.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "nabolag",
        }
    }

# --- channels ------------------------------------------------------------------------

if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {
                "hosts": [
                    {
                        "address": REDIS_URL,
                        # redis-py gives up on a read after 5 s by default; the
                        # layer's blocking reads on an idle socket last longer,
                        # which would close idle sockets with 1011
                        # (channels_redis issue 422).
                        "socket_timeout": None,
                        "socket_connect_timeout": 5,
                        "socket_keepalive": True,
                        "health_check_interval": 30,
                    }
                ],
                # Several deployments (or test runs) may share one Redis.
                "prefix": os.environ.get("CHANNEL_LAYER_PREFIX", "nabolag"),
            },
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# --- background tasks ----------------------------------------------------------------

TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# --- accounts ------------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation."
        "UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "communities:mine"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupForm"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Nabolag] "
ACCOUNT_RATE_LIMITS = {
    # Failed log-ins: strict per account ("key" is the e-mail address tried),
    # generous per client address, which a household, a care home or a library
    # shares. Behind a proxy the address is the client's (production settings).
    "login_failed": "20/5m/ip,5/5m/key",
    "login": "30/m/ip",
    "signup": "10/h/ip",
    "reset_password": "5/h/ip,3/h/key",
    "confirm_email": "3/10m/key",
    "change_email": "3/h/user",
}
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", "Nabolag <noreply@nabolag.local>"
)

# --- languages -----------------------------------------------------------------------

LANGUAGE_CODE = "da"
LANGUAGES = [
    ("da", _("Danish")),
    ("nb", _("Norwegian Bokmål")),
    ("nl", _("Dutch")),
    ("en", _("English")),
]
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Copenhagen"
USE_I18N = True
# Django's English formats are American: ours put the day first (hub/formats).
FORMAT_MODULE_PATH = ["hub.formats"]
USE_TZ = True

# --- static and media ----------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
# Front-end packages come from npm (package.json); they are served, never copied in.
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
    ("vendor/leaflet", BASE_DIR / "node_modules" / "leaflet" / "dist"),
    # The chat's colour emoji for machines without one (static/css/chat.css).
    ("vendor/twemoji", BASE_DIR / "node_modules" / "twemoji-colr-font"),
    # Designsystemet: theme/designsystemet.css (tokens), src/index.css (components)
    (
        "vendor/designsystemet",
        BASE_DIR / "node_modules" / "@digdir" / "designsystemet-css" / "dist",
    ),
]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
# The key that seals the audit log's rows (moderation.audit); SECRET_KEY when unset.
# Keep it for the life of the log: rows sealed with another key no longer verify.
NABOLAG_AUDIT_SECRET = os.environ.get("AUDIT_SECRET", "")

# Moderation (moderation.services). A report adds its reporter's weight to the
# case's score: 1 for an established account with no history, less for a new
# account or one whose reports were mostly turned down, up to 2 for one whose
# reports were upheld. At ``HIDE_SCORE`` the item is hidden pending review; a
# case open longer than ``ESCALATE_AFTER_HOURS`` passes to the municipality.
NABOLAG_MODERATION = {
    "HIDE_SCORE": 3.0,
    "NEW_ACCOUNT_DAYS": 7,
    "NEW_ACCOUNT_WEIGHT": 0.5,
    "ESCALATE_AFTER_HOURS": 48,
    # A sanction counts as a strike on the person's record for this long.
    "STRIKE_DAYS": 180,
    # The longest silence or suspension one decision may impose.
    "MAX_SANCTION_DAYS": 365,
    # Screening (moderation.screening): the same text in this many spaces in a
    # day, or this many links from an account younger than SCREEN_LINKS_DAYS,
    # sends the post to review.
    "CROSS_POST_SPACES": 3,
    "SCREEN_LINKS": 3,
    "SCREEN_LINKS_DAYS": 30,
}

MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))
# User media (listing photos, CMS images) are served by the app's own view
# (hub.media) unless a reverse proxy serves MEDIA_ROOT: then set it to "0".
NABOLAG_SERVE_MEDIA = os.environ.get("NABOLAG_SERVE_MEDIA", "1") == "1"
# Browsers and proxies may keep user media this long (seconds); stored names
# never change, a new upload gets a new name.
NABOLAG_MEDIA_MAX_AGE = int(os.environ.get("NABOLAG_MEDIA_MAX_AGE", "86400"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- wagtail -------------------------------------------------------------------------

WAGTAIL_SITE_NAME = "Nabolag"
WAGTAIL_I18N_ENABLED = False
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", "http://localhost:8000")
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
# Documents always go through Wagtail's serve view and its before_serve_document
# hooks (members-only portals), never straight from storage. Their files live in
# MEDIA_ROOT/documents, which the media view never serves.
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "rtf", "txt", "xlsx"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAIL_USER_EDIT_FORM = "accounts.forms.WagtailUserEditForm"
WAGTAIL_USER_CREATION_FORM = "accounts.forms.WagtailUserCreationForm"
WAGTAIL_USER_CUSTOM_FIELDS = ["display_name"]

# --- logging -------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "hub": {"level": "INFO"},
        "communities": {"level": "INFO"},
        "marketplace": {"level": "INFO"},
        "messaging": {"level": "INFO"},
        "moderation": {"level": "INFO"},
        "cms": {"level": "INFO"},
    },
}

# --- platform ------------------------------------------------------------------------

NABOLAG_MUNICIPALITY_NAME = os.environ.get(
    "NABOLAG_MUNICIPALITY_NAME", "Egekær Kommune"
)

# --- marketplace (mutual aid) --------------------------------------------------------
# Geocoder: "gazetteer" (offline, the default: works with no network) or "nominatim"
# (public OpenStreetMap geocoder; its policy: 1 request/s, a real user agent, caching).
NABOLAG_GEOCODER = os.environ.get("NABOLAG_GEOCODER", "gazetteer")
NABOLAG_GEOCODER_USER_AGENT = os.environ.get(
    "NABOLAG_GEOCODER_USER_AGENT",
    "Nabolag/0.1 (municipal community hub; noreply@nabolag.local)",
)
NABOLAG_NOMINATIM_DOMAIN = os.environ.get(
    "NABOLAG_NOMINATIM_DOMAIN", "nominatim.openstreetmap.org"
)
NABOLAG_GEOCODER_COUNTRIES = ["dk", "no", "nl"]
# Public points are the centres of grid cells this many metres wide.
NABOLAG_GRID_CELL_M = int(os.environ.get("NABOLAG_GRID_CELL_M", "400"))
NABOLAG_MAP_TILE_URL = os.environ.get(
    "NABOLAG_MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
)
NABOLAG_MAP_TILE_ATTRIBUTION = os.environ.get(
    "NABOLAG_MAP_TILE_ATTRIBUTION",
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>',
)
NABOLAG_LISTING_DEFAULT_DAYS = 30

# --- browser policies ---------------------------------------------------------------
# Public pages run only our own scripts and styles, and inline ones only with the
# response's nonce ({{ request.csp_nonce }}); no style attributes. The Wagtail admin
# is Wagtail's markup, with inline scripts and styles of its own, so it is left out.


def _origin(url: str) -> str:
    scheme, _sep, rest = url.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0]}" if rest else ""


CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/admin/"],
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        # Map tiles (NABOLAG_MAP_TILE_URL above) and Leaflet's data: icons.
        "img-src": [SELF, "data:", _origin(NABOLAG_MAP_TILE_URL)],
        # 'self' covers the live socket (ws:/wss: on the same host).
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
# Browser features: none but the few a page uses (the map needs no location).
NABOLAG_PERMISSIONS_POLICY = {
    "accelerometer": [],
    "camera": [],
    "display-capture": [],
    "geolocation": [],
    "gyroscope": [],
    "magnetometer": [],
    "microphone": [],
    "midi": [],
    "payment": [],
    "usb": [],
    "fullscreen": ["self"],
}

# The calendar (agenda/).
NABOLAG_AGENDA = {
    # An event expecting at least this many people is large: two large events
    # near each other on one day are warned about.
    "LARGE_EVENT": 100,
    # How near is near for two large events, in kilometres.
    "LARGE_EVENT_KM": 10,
    # Events of one village and audience closer than this are warned about.
    "NEAR_IN_TIME_HOURS": 2,
    # A series may have at most this many occurrences and span at most this
    # many days: a rule must end (UNTIL or COUNT) within both.
    "MAX_OCCURRENCES": 600,
    "MAX_SERIES_DAYS": 3 * 366,
    # Reminders go out this many hours before an occurrence starts.
    "REMINDER_HOURS": 24,
}

NABOLAG_TASKS = {
    # Work reported done is accepted by itself after this many hours unless
    # the association accepts or disputes it first.
    "AUTO_ACCEPT_HOURS": 48,
    # At most this many times are offered for a task at once.
    "MAX_SLOTS": 3,
    # Photos a completion report may carry.
    "MAX_PHOTOS": 6,
    # A series makes its tasks this many days ahead.
    "HORIZON_DAYS": 120,
}
