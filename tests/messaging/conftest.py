from concurrent.futures import ThreadPoolExecutor

import pytest

from communities.models import Membership
from messaging import services
from tests.factories import CommunityFactory, MembershipFactory, UserFactory

# Kept importable from here for modules written before tests/helpers.py.
from tests.helpers import send  # noqa: F401


@pytest.fixture
def village(db):
    return CommunityFactory(name="Skovby", slug="skovby")


@pytest.fixture
def karen(village):
    user = UserFactory(display_name="Karen Jensen", email="karen@example.org")
    MembershipFactory(community=village, user=user)
    return user


@pytest.fixture
def lars(village):
    user = UserFactory(display_name="Lars Holm", email="lars@example.org")
    MembershipFactory(community=village, user=user)
    return user


@pytest.fixture
def organiser(village):
    user = UserFactory(display_name="Olga Organiser")
    MembershipFactory(community=village, user=user, role=Membership.Role.ORGANISER)
    return user


@pytest.fixture
def outsider(db):
    return UserFactory(display_name="Otto Outsider")


@pytest.fixture
def general(village):
    return services.channel_ensure_general(community=village)


@pytest.fixture(autouse=True)
def _fresh_async_state():
    """After each test, forget channel layers (a Redis layer holds connections
    bound to the test's event loop) and asgiref's shared database thread: the
    browser tests fork a live server, and a forked child would wait forever on
    a worker thread that only exists in the parent."""
    yield
    from asgiref.sync import SyncToAsync
    from channels.layers import channel_layers

    channel_layers.backends.clear()
    old = SyncToAsync.single_thread_executor
    SyncToAsync.single_thread_executor = ThreadPoolExecutor(max_workers=1)
    old.shutdown(wait=True)


@pytest.fixture
def frozen_window(monkeypatch):
    """Keep rate-limit counting inside one window, however long the test takes."""
    monkeypatch.setattr("hub.ratelimit.time.time", lambda: 1_800_000_000.0)
