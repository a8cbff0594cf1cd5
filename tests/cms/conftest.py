import pytest

from cms.models import PortalIndexPage


@pytest.fixture
def villages(hub) -> PortalIndexPage:
    return PortalIndexPage.objects.child_of(hub).get(slug="villages")


@pytest.fixture
def associations(hub) -> PortalIndexPage:
    return PortalIndexPage.objects.child_of(hub).get(slug="associations")


@pytest.fixture
def make_portal(staff, villages):
    """Create a portal the way municipal staff do, through cms.services."""
    from cms import services

    def _make(slug: str, *, parent=None, **kwargs):
        kwargs.setdefault("name", slug.title())
        kwargs.setdefault("kind", "village")
        return services.portal_create(
            actor=staff, parent=parent or villages, slug=slug, **kwargs
        )

    return _make
