"""Checks on what people write about themselves."""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Control and format characters, and line breaks: among them the bidirectional
# embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069) that turn
# the text after a name around, and zero-width characters that let one name
# pass for another. Spaces (category Zs) are ordinary and allowed.
REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp"})
ZWNJ, ZWJ, EMOJI_STYLE = "\u200c", "\u200d", "\ufe0f"
# Scripts that never need a zero-width non-joiner (Persian and Indic ones do).
NO_JOINERS = frozenset({"LATIN", "GREEK", "CYRILLIC"})


def validate_display_name(value: str) -> None:
    """Refuse invisible and control characters in a name others will see,
    naming them by code point, since they cannot be seen."""
    refused = sorted(
        {
            ch
            for at, ch in enumerate(value)
            if unicodedata.category(ch) in REFUSED_CATEGORIES
            and not _joining(value, at)
        }
    )
    if refused:
        raise ValidationError(
            _(
                "A display name cannot contain invisible or control characters. "
                "Remove %(characters)s and try again."
            ),
            code="invisible_characters",
            params={"characters": ", ".join(f"U+{ord(ch):04X}" for ch in refused)},
        )


def _joining(value: str, at: int) -> bool:
    """A zero-width (non-)joiner doing its work: a ZWJ inside an emoji
    sequence (👩‍🌾, 🏳️‍🌈), a ZWNJ between two letters of a script that uses it."""
    before = value[at - 1] if at > 0 else ""
    after = value[at + 1] if at + 1 < len(value) else ""
    if not (before and after):
        return False
    if value[at] == ZWJ:
        if before == EMOJI_STYLE and at > 1:
            before = value[at - 2]
        return unicodedata.category(before) == unicodedata.category(after) == "So"
    if value[at] == ZWNJ and before.isalpha() and after.isalpha():
        script = unicodedata.name(before, "").split(" ")[0]
        same = unicodedata.name(after, "").split(" ")[0] == script
        return same and script not in NO_JOINERS
    return False
