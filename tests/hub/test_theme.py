"""A portal's colour as the design system's accent tokens: AA for every pair the
components draw, whatever the colour."""

import colorsys
import re
from pathlib import Path

import pytest
from django.conf import settings

from cms.models import PortalIndexPage
from hub import theme

# The theme file's own names, in its order (dist/theme/designsystemet.css).
TOKENS = [
    "background-default",
    "background-tinted",
    "surface-default",
    "surface-tinted",
    "surface-hover",
    "surface-active",
    "border-subtle",
    "border-default",
    "border-strong",
    "text-subtle",
    "text-default",
    "base-default",
    "base-hover",
    "base-active",
    "base-contrast-subtle",
    "base-contrast-default",
]
SURFACES = [
    "background-default",
    "background-tinted",
    "surface-default",
    "surface-tinted",
    "surface-hover",
]
PAIRS = [
    *(
        (text, surface, 4.5)
        for text in ("text-default", "text-subtle")
        for surface in SURFACES
    ),
    *(
        ("base-contrast-default", base, 4.5)
        for base in ("base-default", "base-hover", "base-active")
    ),
    ("border-default", "background-default", 3.0),
    ("border-default", "background-tinted", 3.0),
]


def _wcag_luminance(hex_colour: str) -> float:
    """Relative luminance as WCAG 2.1 defines it (sRGB, 0.04045 threshold)."""

    def linear(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)


def _wcag_ratio(first: str, second: str) -> float:
    lighter, darker = sorted(
        (_wcag_luminance(first), _wcag_luminance(second)), reverse=True
    )
    return (lighter + 0.05) / (darker + 0.05)


def _hsl(hue: int, lightness: float, saturation: float) -> str:
    r, g, b = colorsys.hls_to_rgb(hue / 360, lightness, saturation)
    return "#" + "".join(f"{round(c * 255):02x}" for c in (r, g, b))


COLOURS = [
    *(
        _hsl(hue, lightness, saturation)
        for hue in range(0, 360, 15)
        for lightness in (0.1, 0.25, 0.4, 0.55, 0.7, 0.85, 0.95)
        for saturation in (0.35, 1.0)
    ),
    "#ffff00",  # pure yellow: white text can never pass on it
    "#fefefe",  # near white
    "#010101",  # near black
    "#ffffff",
    "#000000",
    theme.DEFAULT_BRAND,
]


@pytest.mark.parametrize("colour", COLOURS)
def test_every_pair_the_components_draw_meets_aa_for_any_colour(colour):
    tokens = theme.accent_tokens(colour)

    assert list(tokens) == TOKENS
    assert all(re.fullmatch(r"#[0-9a-f]{6}", value) for value in tokens.values())
    failing = [
        (fg, bg, round(_wcag_ratio(tokens[fg], tokens[bg]), 2))
        for fg, bg, least in PAIRS
        if _wcag_ratio(tokens[fg], tokens[bg]) < least
    ]
    assert failing == []


def test_a_colour_white_text_can_be_read_on_is_the_buttons_colour_unchanged():
    tokens = theme.accent_tokens("#14492c")

    assert tokens["base-default"] == "#14492c"
    assert tokens["base-contrast-default"] == "#ffffff"


def test_a_light_colour_keeps_its_hue_and_takes_dark_text():
    tokens = theme.accent_tokens("#ffff00")

    assert tokens["base-default"] == "#ffff00"
    assert _wcag_luminance(tokens["base-contrast-default"]) < 0.05


def test_a_mid_colour_is_darkened_until_white_text_passes():
    tokens = theme.accent_tokens("#3388ff")

    assert tokens["base-default"] != "#3388ff"
    assert _wcag_ratio(tokens["base-default"], "#ffffff") >= 4.5


@pytest.mark.parametrize("colour", ["", "red", "#fff", "#12345g", None])
def test_anything_but_a_six_digit_hex_colour_is_refused(colour):
    with pytest.raises(ValueError, match="#rrggbb"):
        theme.accent_tokens(colour)


def test_the_platforms_default_in_the_stylesheet_is_what_the_module_gives():
    css = (Path(settings.BASE_DIR) / "static" / "css" / "nabolag.css").read_text()

    assert f":root{{{theme.accent_declarations(theme.DEFAULT_BRAND)}}}" in css


@pytest.fixture
def havrum(hub, staff):
    from cms.services import portal_create

    villages = PortalIndexPage.objects.child_of(hub).get(slug="villages")
    return portal_create(
        actor=staff,
        parent=villages,
        name="Havrum",
        slug="havrum",
        kind="village",
        description="Landsbyen ved fjorden.",
        theme_colour="#1d4f91",
    )


def test_a_portals_colour_reaches_its_page_as_the_design_systems_tokens(client, havrum):
    response = client.get(havrum.url)

    nonce = response.context["request"].csp_nonce
    style = re.search(
        rf'<style nonce="{re.escape(nonce)}">(.*?)</style>', response.text, re.S
    ).group(1)
    assert "--ds-color-accent-base-default:#1d4f91;" in style
    assert theme.accent_declarations("#1d4f91") in style
    assert style.index("@layer") < style.index(":root")


def test_a_page_outside_any_portal_sets_no_colour_of_its_own(client, hub):
    response = client.get("/")

    assert "--ds-color-accent-" not in response.text
