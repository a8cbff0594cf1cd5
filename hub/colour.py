"""WCAG 2.1 contrast arithmetic for portal theme colours."""

import re

HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
AA_NORMAL_TEXT = 4.5
WHITE = "#ffffff"


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(hex_colour: str) -> float:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast_ratio(first: str, second: str) -> float:
    """The WCAG contrast ratio of two ``#rrggbb`` colours, from 1 to 21."""
    a, b = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def passes_aa_with_white_text(hex_colour: str) -> bool:
    """True when white text on ``hex_colour`` meets AA for normal text."""
    return bool(HEX_COLOUR.match(hex_colour or "")) and (
        contrast_ratio(hex_colour, WHITE) >= AA_NORMAL_TEXT
    )
