from django import template

from cms import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def hub_link(context) -> str:
    """The hub home's address on a page of a portal served on its own host name;
    "" where the header's own "Home" already is the hub."""
    request = context.get("request")
    if request is None or context.get("portal") is None:
        return ""
    return selectors.hub_url_from_portal_host(request)


@register.simple_tag(takes_context=True)
def can_edit_pages(context) -> bool:
    """Whether the Wagtail admin would let the signed-in user edit some page."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return user is not None and selectors.can_edit_pages(user)
