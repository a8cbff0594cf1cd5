"""The chat's look as its stylesheet and template helpers decide it: avatars
legible in every colour, initials, and an emoji font only for emoji."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from messaging.models import Reaction
from messaging.templatetags import chat

CHAT_CSS = Path(settings.BASE_DIR) / "static" / "css" / "chat.css"


def _contrast(foreground: str, background: str) -> float:
    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        r, g, b = (
            c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
            for c in channels
        )
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    light, dark = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _emoji_ranges() -> list[tuple[int, int]]:
    css = CHAT_CSS.read_text()
    face = re.search(r'font-family: "Nabolag Emoji";.*?unicode-range:(.*?);', css, re.S)
    ranges = []
    for part in face[1].split(","):
        start, _dash, end = part.strip().removeprefix("U+").partition("-")
        ranges.append((int(start, 16), int(end or start, 16)))
    return ranges


def test_every_avatar_colour_keeps_its_white_initials_legible():
    rule = r"\.avatar-(\w+) \{ --avatar-bg: (#[0-9a-f]{6}); \}"
    colours = dict(re.findall(rule, CHAT_CSS.read_text()))

    contrasts = {name: round(_contrast("#ffffff", c), 2) for name, c in colours.items()}
    assert set(colours) == {str(n) for n in range(chat.AVATAR_COLOURS)} | {"none"}
    assert min(contrasts.values()) >= 4.5, contrasts


@pytest.mark.parametrize(
    ("name", "initials"),
    [
        ("Karen Nielsen", "KN"),
        ("Bo", "B"),
        ("Anne-Mette de la Cour Ørsted", "AØ"),
        ("  lars  ", "L"),
        ("(Jens) Hansen", "JH"),
        ("…", "?"),
    ],
)
def test_initials_are_the_first_letters_of_the_first_and_last_word(name, initials):
    assert chat.initials(name) == initials


def test_the_same_person_has_the_same_avatar_colour_and_a_deleted_one_none():
    assert chat.avatar_colour(11) == chat.avatar_colour(11 + chat.AVATAR_COLOURS)
    assert chat.avatar_colour(None) == "none"


def test_the_emoji_font_covers_the_reactions_and_no_everyday_text():
    ranges = _emoji_ranges()

    def covered(char: str) -> bool:
        return any(start <= ord(char) <= end for start, end in ranges)

    assert all(covered(emoji[0]) for emoji in Reaction.Emoji.values)
    # ASCII and Latin-1 (digits, #, ©) and private use stay with the text fonts
    assert min(start for start, _end in ranges) > 0xFF
    assert not any(start <= 0xF8FF and end >= 0xE000 for start, end in ranges)
    assert not covered("æ")
    assert not covered("€")


def test_the_emoji_font_is_the_last_of_the_chats_fonts():
    css = CHAT_CSS.read_text()
    stack = re.search(r"\.chat \{[^}]*?font-family: (.*?);", css, re.S)[1]

    assert stack.strip().endswith('"Nabolag Emoji"')
