from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def distance(km: float | None) -> str:
    """A distance that was already rounded by hub.geo, in words."""
    if km is None:
        return ""
    if km <= 0.5:
        return _("about 500 m")
    places = 0 if float(km).is_integer() else 1
    return _("about %(km)s km") % {"km": number_format(km, places)}
