"""Fixtures of the moderation tests: a village, its general channel and its
organiser."""

import pytest

from messaging import services as messaging
from tests.factories import CommunityFactory, organiser_of


@pytest.fixture
def village(db):
    return CommunityFactory(name="Skovby", slug="skovby")


@pytest.fixture
def general(village):
    return messaging.channel_ensure_general(community=village)


@pytest.fixture
def organiser(village):
    return organiser_of(village)
