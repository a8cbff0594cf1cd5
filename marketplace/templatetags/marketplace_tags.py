from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from marketplace.selectors import unseen_alert_count

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


@register.simple_tag(takes_context=True)
def unseen_alerts(context) -> int:
    """How many watch alerts the signed-in user has not looked at (one query)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return unseen_alert_count(user) if user is not None else 0
