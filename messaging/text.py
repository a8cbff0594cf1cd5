"""Message text: escaped, with links made clickable and mentions found."""

import re

from django.utils.html import urlize

MENTION_RE = re.compile(r"(?<![\w@])@([\w][\w.\-]{0,40})", re.UNICODE)


def render_body(body: str) -> str:
    """HTML for a message body: everything escaped, http(s) links clickable."""
    html = urlize(body, trim_url_limit=60, nofollow=True, autoescape=True)
    html = html.replace(' rel="nofollow"', ' rel="nofollow ugc noopener"')
    return html.replace("\n", "<br>")


def mention_handles(body: str) -> set[str]:
    """The lower-cased ``@handles`` in ``body`` (without the @)."""
    return {m.group(1).rstrip(".-").casefold() for m in MENTION_RE.finditer(body)}


def handles_of(*, display_name: str, email: str) -> set[str]:
    """The ways one may mention a person: @Karen, @KarenJensen, @karen.jensen
    (the e-mail's local part)."""
    handles = {email.split("@", 1)[0].casefold()}
    words = display_name.split()
    if words:
        handles.add(words[0].casefold())
        handles.add("".join(words).casefold())
    return handles
