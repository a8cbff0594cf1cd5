from django.conf import settings
from django.http import HttpRequest


def platform(request: HttpRequest) -> dict:
    """Values every page template needs: the municipality's name."""
    return {"municipality_name": settings.NABOLAG_MUNICIPALITY_NAME}
