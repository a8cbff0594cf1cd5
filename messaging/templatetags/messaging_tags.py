from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from messaging.selectors import display_title, unread_notification_count
from messaging.text import WORDS, render_body, reply_to_label, time_attr, time_shown
from messaging.text import reaction_groups as _reaction_groups

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


@register.simple_tag(takes_context=True)
def message_time(context, moment) -> SafeString:
    """A message's ``<time>``, shown as live events show it (messaging.text)."""
    later = context.get("later")
    return format_html(
        '<time class="meta" datetime="{}">{}</time>',
        time_attr(moment),
        later.mark("time") if later else time_shown(moment),
    )


@register.simple_tag(takes_context=True)
def word(context, key: str) -> str:
    """One of the words of a message's frame (messaging.text.WORDS), in the
    page's language, or marked for each language of a live event."""
    later = context.get("later")
    return later.mark(key) if later else str(WORDS[key])


@register.simple_tag(takes_context=True)
def reply_label(context, message) -> str:
    """'Reply to <name>' for a reply, as ``word`` shows words."""
    later = context.get("later")
    return later.mark("reply_to") if later else reply_to_label(message)


@register.simple_tag
def conversation_title(conversation, user) -> str:
    return display_title(conversation, user)


@register.filter
def reaction_groups(message) -> list[dict]:
    """A message's reactions by emoji, for the message partial."""
    return _reaction_groups(message)


@register.filter
def is_reader(author_id, me) -> bool:
    """Whether the message's author is the person reading the page (``me``);
    never for a deleted author or a page for no one in particular."""
    return author_id is not None and author_id == me
