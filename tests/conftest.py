import os

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache

from tests.factories import UserFactory

# Kept importable from here for modules written before tests/helpers.py.
from tests.helpers import requires_postgres, requires_redis  # noqa: F401

# The W3C Nu HTML Checker over every page the tests render (tests/htmlcheck.py),
# and the fixtures every app's tests share (tests/fixtures.py).
pytest_plugins = ["tests.htmlcheck", "tests.fixtures"]

# Playwright's sync API runs an event loop; Django's async-safety check would
# otherwise refuse ORM calls made from the live-server fixtures of browser tests.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _clear_cache():
    """Rate-limit counters live in the cache; every test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def staff(db):
    """A municipal moderator: manages every community."""
    user = UserFactory(is_staff=True, display_name="Kommunen")
    user.user_permissions.add(
        Permission.objects.get(codename="manage_all"),
        Permission.objects.get(codename="access_admin"),
    )
    return user


@pytest.fixture
def hub(db):
    from cms.services import hub_ensure

    return hub_ensure(title="Nabolag Testkommune", hostname="testserver", port=80)


def pytest_collection_modifyitems(config, items):
    """Run browser tests last: Playwright's sync API keeps an event loop running in
    the main thread for the rest of the session, which async tests cannot share."""
    for item in items:
        if "tests/browser/" in item.nodeid:
            item.add_marker(pytest.mark.browser)
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)
