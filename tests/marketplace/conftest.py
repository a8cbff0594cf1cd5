import pytest

from communities.models import Community
from marketplace.models import Listing
from tests.factories import CommunityFactory, MembershipFactory, UserFactory
from tests.helpers import make_listing


@pytest.fixture
def village(db):
    return CommunityFactory(
        name="Skovby", slug="skovby", latitude=56.1710, longitude=9.5470
    )


@pytest.fixture
def private_club(db):
    return CommunityFactory(
        name="Skovby Seniorklub",
        slug="seniorklub",
        kind=Community.Kind.ASSOCIATION,
        visibility=Community.Visibility.MEMBERS,
    )


@pytest.fixture
def author(village):
    user = UserFactory(display_name="Karen")
    MembershipFactory(community=village, user=user)
    return user


@pytest.fixture
def neighbour(village):
    user = UserFactory(display_name="Lars")
    MembershipFactory(community=village, user=user)
    return user


@pytest.fixture
def stranger(db):
    return UserFactory(display_name="Ukendt")


@pytest.fixture
def listing(author, village):
    return make_listing(author, communities=[village])


@pytest.fixture
def trailer(author, village):
    return make_listing(
        author,
        communities=[village],
        kind=Listing.Kind.LEND,
        title="Trailer",
        category="transport",
    )


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded photos go to a temporary folder, never the project's var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _english(settings):
    """Assertions read the English source strings, whatever translations exist."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
