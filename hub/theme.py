"""A portal's colour as Designsystemet's accent tokens, with AA contrast kept.

Designsystemet (``@digdir/designsystemet-css``) draws every component from 16
custom properties per colour, ``--ds-color-accent-background-default`` to
``--ds-color-accent-base-contrast-default``. Its theme file sets them for its own
blue; a page that sets them again on ``:root`` recolours every component at run
time, with no build step. ``accent_tokens`` derives the 16 from one base colour:
the hue and chroma of the colour are kept (in OKLCH, where equal steps of
lightness look equal) and each token gets its own lightness, which is then moved
until every pair the components draw meets WCAG 2.1 AA (``PAIRS``).

``python -m hub.theme '#1f6f43'`` prints the declarations for a colour; the
platform's own default (``DEFAULT_BRAND``) is written that way into
static/css/nabolag.css, and a test keeps the two equal.
"""

import math
import sys
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import NamedTuple

from hub.colour import HEX_COLOUR, contrast_ratio, relative_luminance

# The platform's own green: the hub home and every page outside a portal.
DEFAULT_BRAND = "#1f6f43"
WHITE = "#ffffff"

TOKEN_NAMES = (
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
)

TEXT = 4.5  # WCAG 2.1 AA, normal text
NON_TEXT = 3.0  # WCAG 2.1 AA, borders of controls (1.4.11)

_SURFACES = (
    "background-default",
    "background-tinted",
    "surface-default",
    "surface-tinted",
    "surface-hover",
)
_BASES = ("base-default", "base-hover", "base-active")

# (foreground, background, least ratio): the combinations Designsystemet's
# components draw with the accent colour in light mode.
PAIRS: tuple[tuple[str, str, float], ...] = (
    *(
        (text, surface, TEXT)
        for text in ("text-default", "text-subtle")
        for surface in _SURFACES
    ),
    *(("base-contrast-default", base, TEXT) for base in _BASES),
    ("base-contrast-subtle", "base-default", TEXT),
    ("border-default", "background-default", NON_TEXT),
    ("border-default", "background-tinted", NON_TEXT),
)

# Lighter colours than this (relative luminance) take dark text on their
# buttons; darker ones are darkened, if need be, until white text passes.
_LIGHT_BASE = 0.35


class _Lch(NamedTuple):
    lightness: float  # 0 (black) to 1 (white)
    chroma: float
    hue: float  # degrees


# The tints: (OKLCH lightness, share of the base colour's chroma, chroma cap).
_TINTS: dict[str, tuple[float, float, float]] = {
    "background-tinted": (0.975, 0.15, 0.018),
    "surface-tinted": (0.945, 0.3, 0.035),
    "surface-hover": (0.915, 0.4, 0.05),
    "surface-active": (0.88, 0.5, 0.065),
    "border-subtle": (0.8, 0.6, 0.09),
    "border-default": (0.6, 0.9, 0.16),
    "text-subtle": (0.5, 0.9, 0.16),
    "text-default": (0.28, 0.6, 0.09),
}


def accent_tokens(base: str) -> dict[str, str]:
    """The 16 accent tokens (names without the ``--ds-color-accent-`` prefix, in
    ``TOKEN_NAMES`` order) for the ``#rrggbb`` colour ``base``, each ``#rrggbb``,
    such that every pair in ``PAIRS`` meets its contrast ratio. Any colour gives
    a scale; one that fails AA as a button is made lighter or darker (its hue
    kept) until it passes. Raises ValueError for anything but ``#rrggbb``."""
    if not HEX_COLOUR.match(base or ""):
        raise ValueError(f"not a #rrggbb colour: {base!r}")
    lch = _to_lch(base.lower())
    tokens = {"background-default": WHITE, "surface-default": WHITE}
    for name, (lightness, share, cap) in _TINTS.items():
        tokens[name] = _from_lch(_Lch(lightness, min(lch.chroma * share, cap), lch.hue))
    surfaces = [tokens[name] for name in _SURFACES]
    for name in ("text-default", "text-subtle"):
        tokens[name] = _darken_until(tokens[name], lambda c: _beats(c, surfaces, TEXT))
    backgrounds = [tokens["background-default"], tokens["background-tinted"]]
    tokens["border-default"] = _darken_until(
        tokens["border-default"], lambda c: _beats(c, backgrounds, NON_TEXT)
    )
    tokens["border-strong"] = tokens["text-subtle"]
    tokens.update(_base_tokens(base.lower(), dark=tokens["text-default"]))
    return {name: tokens[name] for name in TOKEN_NAMES}


@lru_cache(maxsize=256)
def accent_declarations(base: str) -> str:
    """The tokens of ``base`` as CSS declarations for a ``:root`` rule (kept per
    colour: a page asks for its portal's on every request)."""
    return "".join(
        f"--ds-color-accent-{name}:{value};"
        for name, value in accent_tokens(base).items()
    )


def _base_tokens(base: str, *, dark: str) -> dict[str, str]:
    """The button colours: the base as given where its text can meet AA, with
    white text on dark colours and the scale's darkest text on light ones."""
    if contrast_ratio(base, WHITE) >= TEXT or relative_luminance(base) < _LIGHT_BASE:
        contrast = WHITE
        default = _darken_until(base, lambda c: contrast_ratio(c, WHITE) >= TEXT)
    else:
        contrast = dark
        default = _lighten_until(base, lambda c: contrast_ratio(c, dark) >= TEXT)

    def passes(colour: str) -> bool:
        return contrast_ratio(colour, contrast) >= TEXT

    lch = _to_lch(default)
    # Hover and active go darker, except from colours too dark to show it.
    step = 0.08 if lch.lightness < 0.3 else -0.06
    hover = _from_lch(lch._replace(lightness=lch.lightness + step))
    active = _from_lch(lch._replace(lightness=lch.lightness + 2 * step))
    fix = _darken_until if contrast == WHITE else _lighten_until
    subtle = _mix(contrast, default, 0.78 if contrast == WHITE else 0.7)
    return {
        "base-default": default,
        "base-hover": fix(hover, passes),
        "base-active": fix(active, passes),
        "base-contrast-subtle": _towards(
            subtle, contrast, lambda c: contrast_ratio(c, default) >= TEXT
        ),
        "base-contrast-default": contrast,
    }


def _beats(colour: str, backgrounds: Iterable[str], ratio: float) -> bool:
    return all(contrast_ratio(colour, other) >= ratio for other in backgrounds)


def _darken_until(colour: str, ok: Callable[[str], bool]) -> str:
    return _step_until(colour, ok, -0.01)


def _lighten_until(colour: str, ok: Callable[[str], bool]) -> str:
    return _step_until(colour, ok, 0.01)


def _step_until(colour: str, ok: Callable[[str], bool], step: float) -> str:
    """Move ``colour``'s lightness by ``step`` until ``ok``; black or white, at
    the end of the range, pass every check this module makes."""
    lch = _to_lch(colour)
    lightness = lch.lightness
    while not ok(colour):
        lightness += step
        if not 0 < lightness < 1:
            return "#000000" if step < 0 else WHITE
        colour = _from_lch(lch._replace(lightness=lightness))
    return colour


def _towards(colour: str, target: str, ok: Callable[[str], bool]) -> str:
    """Mix ``colour`` towards ``target`` in tenths until ``ok`` (at the latest,
    it is ``target``)."""
    for share in range(11):
        mixed = _mix(target, colour, share / 10)
        if ok(mixed):
            return mixed
    return target


def _mix(first: str, second: str, share: float) -> str:
    """``share`` of ``first`` and the rest of ``second``, mixed in sRGB."""
    a, b = _rgb(first), _rgb(second)
    return _hex(tuple(share * x + (1 - share) * y for x, y in zip(a, b, strict=True)))


# --- colour spaces ----------------------------------------------------------------
# OKLab (Björn Ottosson, 2020), from and to sRGB with its D65 matrices.


def _rgb(hex_colour: str) -> tuple[float, float, float]:
    return tuple(int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5))


def _hex(rgb: Iterable[float]) -> str:
    return "#" + "".join(f"{round(min(max(c, 0.0), 1.0) * 255):02x}" for c in rgb)


def _to_linear(c: float) -> float:
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def _from_linear(c: float) -> float:
    return 12.92 * c if c <= 0.0031308 else 1.055 * c ** (1 / 2.4) - 0.055


def _to_lch(hex_colour: str) -> _Lch:
    r, g, b = (_to_linear(c) for c in _rgb(hex_colour))
    l_ = (0.4122214708 * r + 0.5363325363 * g + 0.0514459929 * b) ** (1 / 3)
    m_ = (0.2119034982 * r + 0.6806995451 * g + 0.1073969566 * b) ** (1 / 3)
    s_ = (0.0883024619 * r + 0.2817188376 * g + 0.6299787005 * b) ** (1 / 3)
    lightness = 0.2104542553 * l_ + 0.7936177850 * m_ - 0.0040720468 * s_
    a = 1.9779984951 * l_ - 2.4285922050 * m_ + 0.4505937099 * s_
    b_ = 0.0259040371 * l_ + 0.7827717662 * m_ - 0.8086757660 * s_
    return _Lch(lightness, math.hypot(a, b_), math.degrees(math.atan2(b_, a)) % 360)


def _lch_to_srgb(lch: _Lch) -> tuple[float, float, float]:
    a = lch.chroma * math.cos(math.radians(lch.hue))
    b = lch.chroma * math.sin(math.radians(lch.hue))
    l_ = (lch.lightness + 0.3963377774 * a + 0.2158037573 * b) ** 3
    m_ = (lch.lightness - 0.1055613458 * a - 0.0638541728 * b) ** 3
    s_ = (lch.lightness - 0.0894841775 * a - 1.2914855480 * b) ** 3
    linear = (
        4.0767416621 * l_ - 3.3077115913 * m_ + 0.2309699292 * s_,
        -1.2684380046 * l_ + 2.6097574011 * m_ - 0.3413193965 * s_,
        -0.0041960863 * l_ - 0.7034186147 * m_ + 1.7076147010 * s_,
    )
    return tuple(_from_linear(c) if c > 0 else c for c in linear)


def _in_gamut(rgb: Iterable[float]) -> bool:
    return all(-1e-4 <= c <= 1 + 1e-4 for c in rgb)


def _from_lch(lch: _Lch) -> str:
    """The ``#rrggbb`` colour nearest ``lch``: lightness and hue kept, chroma
    reduced (by halving the interval) until it fits sRGB."""
    lch = lch._replace(lightness=min(max(lch.lightness, 0.0), 1.0))
    if _in_gamut(rgb := _lch_to_srgb(lch)):
        return _hex(rgb)
    low, high = 0.0, lch.chroma
    for _ in range(24):
        middle = (low + high) / 2
        if _in_gamut(_lch_to_srgb(lch._replace(chroma=middle))):
            low = middle
        else:
            high = middle
    return _hex(_lch_to_srgb(lch._replace(chroma=low)))


if __name__ == "__main__":
    sys.stdout.write(f":root{{{accent_declarations(sys.argv[1])}}}\n")
