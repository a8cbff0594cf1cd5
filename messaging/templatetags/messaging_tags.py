from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from messaging.selectors import unread_notification_count
from messaging.text import render_body, time_attr, time_shown

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_messages(context) -> int:
    """Unread direct messages and mentions of the signed-in user (one query)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return unread_notification_count(user) if user is not None else 0


@register.filter
def message_html(body: str) -> SafeString:
    """A message body escaped, with links made clickable."""
    return mark_safe(render_body(body))  # noqa: S308 (render_body escapes first)


@register.simple_tag
def message_time(moment) -> SafeString:
    """A message's ``<time>``, shown as live events show it (messaging.text)."""
    return format_html(
        '<time class="meta" datetime="{}">{}</time>',
        time_attr(moment),
        time_shown(moment),
    )


@register.simple_tag
def conversation_title(conversation, user) -> str:
    from messaging.selectors import display_title

    return display_title(conversation, user)


@register.filter
def map_user_ids(reactions) -> set[int]:
    """The ids of the people behind a list of reactions."""
    return {r.user_id for r in reactions}
