"""Illustrations for the demo data, painted with Pillow: no downloads, no artwork
of anyone else's. Dev data only (seed_demo).

A scene is a sky, hills, and what the place is known for (a harbour, a mill by
the stream, a football pitch, a forest camp...), in the portal's colour. The same
scene and seed always give the same JPEG, so running seed_demo again paints the
same pictures.
"""

import hashlib
import io
import math
import random
from dataclasses import dataclass

from django.core.files.base import ContentFile
from PIL import Image, ImageDraw, ImageFilter

RGB = tuple[int, int, int]

SKIES: dict[str, tuple[RGB, RGB]] = {
    "day": ((86, 160, 219), (214, 236, 248)),
    "golden": ((104, 150, 206), (248, 214, 160)),
    "dusk": ((44, 52, 99), (240, 164, 104)),
    "winter": ((27, 41, 74), (98, 128, 178)),
}
WALLS: list[RGB] = [(227, 180, 72), (181, 69, 47), (242, 238, 228), (214, 120, 60)]
ROOFS: list[RGB] = [(52, 48, 46), (140, 109, 63), (150, 60, 44)]

# motif -> (sky, water, what stands on the horizon, what is in front)
MOTIFS: dict[str, tuple[str, str, str, str]] = {
    "village": ("golden", "", "houses church", "trees"),
    "harbour": ("day", "sea", "houses church", "boats pier"),
    "river": ("day", "river", "houses mill", "trees"),
    "football": ("day", "", "clubhouse", "pitch"),
    "forest": ("golden", "", "forest", "tent fire"),
    "parsonage": ("golden", "", "houses church", "trees bench"),
    "townhall": ("day", "", "houses townhall", "trees"),
    "market": ("dusk", "", "houses", "stalls lights"),
    "hall": ("dusk", "", "hall", "trees lights"),
    "winter": ("winter", "", "houses church", "christmas snow"),
    "school": ("day", "", "houses school", "trees"),
    "trailer": ("day", "", "houses", "hedge trailer"),
    "bike": ("golden", "", "houses", "hedge bike"),
    "clothes": ("golden", "", "houses", "table clothes"),
}


@dataclass(frozen=True)
class Scene:
    motif: str
    seed: str
    colour: str = "#1f6f43"
    size: tuple[int, int] = (1600, 900)


def paint(scene: Scene) -> bytes:
    """The scene as a JPEG."""
    # Drawn 1600 pixels wide (the sizes below are for that width), then scaled.
    w, h = 1600, round(1600 * scene.size[1] / scene.size[0])
    rnd = random.Random(hashlib.sha256(scene.seed.encode()).digest())  # noqa: S311
    sky, water, back, front = MOTIFS[scene.motif]
    accent = _hex(scene.colour or "#1f6f43")
    painter = _Painter(w, h, rnd, accent, sky)
    painter.sky()
    painter.hills()
    if water:
        painter.water(water)
    else:
        painter.ground()
    for thing in back.split():
        getattr(painter, thing)()
    for thing in front.split():
        getattr(painter, thing)()
    image = painter.image
    if image.size != scene.size:
        image = image.resize(scene.size, Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.convert("RGB").save(out, format="JPEG", quality=84, optimize=True)
    return out.getvalue()


def _hex(colour: str) -> RGB:
    return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]


def _mix(a: RGB, b: RGB, t: float) -> RGB:
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=True))  # type: ignore[return-value]


class _Painter:
    def __init__(self, w: int, h: int, rnd: random.Random, accent: RGB, sky: str):
        self.w, self.h, self.rnd, self.accent, self.time = w, h, rnd, accent, sky
        self.top, self.bottom = SKIES[sky]
        self.horizon = round(h * rnd.uniform(0.58, 0.64))
        self.image = Image.new("RGB", (w, h))
        self.draw = ImageDraw.Draw(self.image, "RGBA")
        self.snowy = sky == "winter"
        self.lit = sky in ("dusk", "winter")

    # --- the backdrop

    def sky(self) -> None:
        column = Image.new("RGB", (1, self.h))
        for y in range(self.h):
            t = min(1.0, y / self.horizon)
            column.putpixel((0, y), _mix(self.top, self.bottom, t**1.4))
        self.image.paste(column.resize((self.w, self.h), Image.Resampling.NEAREST))
        r = self.rnd
        sx, sy = r.uniform(0.15, 0.85) * self.w, self.horizon * r.uniform(0.25, 0.55)
        # The glow is blurred at a quarter of the size: the same look, far faster.
        q = 4
        glow = Image.new("RGBA", (self.w // q, self.h // q), (0, 0, 0, 0))
        gdraw = ImageDraw.Draw(glow)
        sun = (255, 246, 214) if self.time != "dusk" else (255, 214, 150)
        if self.time == "winter":
            sun = (236, 240, 250)
        for radius, alpha in ((190, 40), (120, 70), (70, 255)):
            gdraw.ellipse(
                (
                    (sx - radius) / q,
                    (sy - radius) / q,
                    (sx + radius) / q,
                    (sy + radius) / q,
                ),
                fill=(*sun, alpha),
            )
        glow = glow.filter(ImageFilter.GaussianBlur(18 / q)).resize(
            (self.w, self.h), Image.Resampling.BILINEAR
        )
        self.image.paste(glow, (0, 0), glow)
        self.draw.ellipse((sx - 62, sy - 62, sx + 62, sy + 62), fill=sun)
        for _ in range(r.randint(3, 6)):
            self._cloud(r.uniform(0, self.w), r.uniform(0.08, 0.45) * self.horizon)
        if self.time == "winter":
            for _ in range(160):
                x, y = r.uniform(0, self.w), r.uniform(0, self.horizon * 0.8)
                self.draw.ellipse((x, y, x + 3, y + 3), fill=(255, 255, 255, 150))

    def _cloud(self, x: float, y: float) -> None:
        r = self.rnd
        alpha = 150 if self.time != "winter" else 40
        for _ in range(r.randint(4, 7)):
            dx, dy = r.uniform(-110, 110), r.uniform(-24, 18)
            rx, ry = r.uniform(50, 110), r.uniform(24, 46)
            self.draw.ellipse(
                (x + dx - rx, y + dy - ry, x + dx + rx, y + dy + ry),
                fill=(255, 255, 255, alpha),
            )

    def _ridge(self, base: float, amplitude: float) -> list[tuple[float, float]]:
        r = self.rnd
        waves = [(r.uniform(0.5, 3.0), r.uniform(0, 6.3)) for _ in range(3)]
        points = [(0.0, float(self.h))]
        for x in range(0, self.w + 40, 40):
            y = base - sum(
                amplitude / (i + 1) * math.sin(f * x / self.w * math.tau + p)
                for i, (f, p) in enumerate(waves)
            )
            points.append((float(x), y))
        points.append((float(self.w), float(self.h)))
        return points

    def hills(self) -> None:
        green = (96, 140, 78) if not self.snowy else (214, 224, 238)
        for depth, (lift, amplitude) in enumerate(((0.16, 40), (0.08, 30), (0.02, 18))):
            colour = _mix(green, self.bottom, 0.55 - depth * 0.2)
            self.draw.polygon(
                self._ridge(self.horizon - self.h * lift, amplitude), fill=colour
            )

    def ground(self) -> None:
        near = (88, 138, 62) if not self.snowy else (236, 242, 250)
        far = _mix(near, self.bottom, 0.25)
        for y in range(self.horizon, self.h):
            t = (y - self.horizon) / (self.h - self.horizon)
            self.draw.line((0, y, self.w, y), fill=_mix(far, near, t))

    def water(self, kind: str) -> None:
        self.ground()
        deep, light = (38, 92, 140), _mix((120, 176, 214), self.bottom, 0.4)
        if kind == "sea":
            top = self.horizon + 8
            for y in range(top, self.h):
                t = (y - top) / (self.h - top)
                self.draw.line((0, y, self.w, y), fill=_mix(light, deep, t))
        else:
            cx = self.w * self.rnd.uniform(0.55, 0.75)
            for y in range(self.horizon + 10, self.h):
                t = (y - self.horizon) / (self.h - self.horizon)
                half = 20 + 260 * t**1.5
                x = cx + math.sin(t * 5) * 160 * t
                self.draw.line((x - half, y, x + half, y), fill=_mix(light, deep, t))
        for _ in range(90):
            y = self.rnd.uniform(self.horizon + 12, self.h)
            x = self.rnd.uniform(0, self.w)
            length = 20 + 80 * (y - self.horizon) / self.h
            self.draw.line((x, y, x + length, y), fill=(255, 255, 255, 70), width=2)

    # --- on the horizon

    def _house(self, x: float, base: float, scale: float, colour: RGB | None) -> None:
        r = self.rnd
        wide, tall = 110 * scale * r.uniform(0.8, 1.3), 70 * scale * r.uniform(0.8, 1.2)
        wall = colour or r.choice(WALLS)
        roof = r.choice([*ROOFS, self.accent])
        if self.snowy:
            roof = (240, 244, 250)
        self.draw.rectangle((x, base - tall, x + wide, base), fill=wall)
        self.draw.polygon(
            [
                (x - 8 * scale, base - tall),
                (x + wide / 2, base - tall - 55 * scale),
                (x + wide + 8 * scale, base - tall),
            ],
            fill=roof,
        )
        window = (255, 214, 120) if self.lit else (60, 70, 84)
        for i in range(max(1, int(wide // (34 * scale)))):
            wx = x + 12 * scale + i * 34 * scale
            if wx + 16 * scale < x + wide - 6 * scale:
                self.draw.rectangle(
                    (wx, base - tall * 0.7, wx + 16 * scale, base - tall * 0.4),
                    fill=window,
                )

    def houses(self) -> None:
        x = self.rnd.uniform(-40, 60)
        while x < self.w:
            scale = self.rnd.uniform(0.7, 1.1)
            self._house(x, self.horizon + 6, scale, None)
            x += self.rnd.uniform(150, 340) * scale

    def church(self) -> None:
        x, base = self.w * self.rnd.uniform(0.2, 0.7), self.horizon + 6
        white = (246, 243, 236)
        self.draw.rectangle((x, base - 110, x + 180, base), fill=white)
        self.draw.polygon(
            [(x - 6, base - 110), (x + 90, base - 160), (x + 186, base - 110)],
            fill=(150, 60, 44) if not self.snowy else (240, 244, 250),
        )
        self.draw.rectangle((x + 180, base - 190, x + 240, base), fill=white)
        self.draw.polygon(
            [(x + 176, base - 190), (x + 210, base - 250), (x + 244, base - 190)],
            fill=(52, 48, 46),
        )

    def mill(self) -> None:
        x, base = self.w * self.rnd.uniform(0.15, 0.35), self.horizon + 10
        self.draw.polygon(
            [(x, base), (x + 30, base - 190), (x + 90, base - 190), (x + 120, base)],
            fill=(242, 238, 228),
        )
        cx, cy = x + 60, base - 180
        for k in range(4):
            a = k * math.pi / 2 + 0.4
            ex, ey = cx + 150 * math.cos(a), cy + 150 * math.sin(a)
            self.draw.line((cx, cy, ex, ey), fill=(80, 62, 44), width=14)
        self.draw.ellipse((cx - 14, cy - 14, cx + 14, cy + 14), fill=self.accent)

    def _tree(self, x: float, base: float, scale: float, conifer: bool) -> None:
        dark = _mix((36, 84, 48), self.accent, 0.15)
        if self.snowy:
            dark = (52, 88, 70)
        self.draw.rectangle(
            (x - 6 * scale, base - 30 * scale, x + 6 * scale, base), fill=(92, 64, 40)
        )
        if conifer:
            for k in range(3):
                y = base - 30 * scale - k * 40 * scale
                half = (60 - k * 14) * scale
                self.draw.polygon(
                    [(x - half, y), (x, y - 80 * scale), (x + half, y)], fill=dark
                )
        else:
            crown = _mix((70, 128, 60), self.accent, 0.1)
            for dx, dy, rad in ((0, -80, 52), (-34, -56, 40), (34, -56, 40)):
                cx, cy, rr = x + dx * scale, base + dy * scale, rad * scale
                self.draw.ellipse((cx - rr, cy - rr, cx + rr, cy + rr), fill=crown)

    def trees(self) -> None:
        for _ in range(self.rnd.randint(4, 7)):
            x = self.rnd.uniform(0, self.w)
            base = self.rnd.uniform(self.horizon + 60, self.h - 20)
            scale = 0.6 + (base - self.horizon) / self.h * 1.6
            self._tree(x, base, scale, self.rnd.random() < 0.4)

    def forest(self) -> None:
        for x in range(-20, self.w + 40, 46):
            scale = self.rnd.uniform(0.8, 1.3)
            self._tree(x + self.rnd.uniform(-12, 12), self.horizon + 12, scale, True)

    def _hall(self, x: float, base: float, wide: float, tall: float, wall: RGB):
        self.draw.rectangle((x, base - tall, x + wide, base), fill=wall)
        self.draw.polygon(
            [
                (x - 14, base - tall),
                (x + wide / 2, base - tall - 90),
                (x + wide + 14, base - tall),
            ],
            fill=(52, 48, 46) if not self.snowy else (240, 244, 250),
        )
        window = (255, 214, 120) if self.lit else (60, 70, 84)
        for i in range(int(wide // 70)):
            wx = x + 30 + i * 70
            self.draw.rectangle(
                (wx, base - tall + 30, wx + 34, base - tall + 80), fill=window
            )
        self.draw.rectangle(
            (x + wide / 2 - 24, base - 70, x + wide / 2 + 24, base), fill=self.accent
        )

    def hall(self) -> None:
        x = self.w * self.rnd.uniform(0.25, 0.4)
        self._hall(x, self.horizon + 70, 620, 190, (227, 180, 72))

    def school(self) -> None:
        self._hall(self.w * 0.45, self.horizon + 40, 520, 150, (181, 69, 47))

    def townhall(self) -> None:
        x = self.w * 0.3
        self._hall(x, self.horizon + 50, 700, 220, (200, 96, 60))
        cx, cy = x + 350, self.horizon + 50 - 250
        self.draw.ellipse((cx - 34, cy - 34, cx + 34, cy + 34), fill=(246, 243, 236))
        self.draw.line((cx, cy, cx, cy - 24), fill=(40, 40, 40), width=5)
        self.draw.line((cx, cy, cx + 18, cy), fill=(40, 40, 40), width=5)

    def clubhouse(self) -> None:
        x, base = self.w * 0.08, self.horizon + 20
        self.draw.rectangle((x, base - 80, x + 260, base), fill=(242, 238, 228))
        self.draw.rectangle((x - 10, base - 96, x + 270, base - 80), fill=self.accent)
        self.draw.line(
            (x + 300, base, x + 300, base - 200), fill=(230, 230, 230), width=6
        )
        self.draw.polygon(
            [(x + 303, base - 200), (x + 390, base - 180), (x + 303, base - 160)],
            fill=self.accent,
        )

    # --- in front

    def pitch(self) -> None:
        top, bottom = self.horizon + 40, self.h + 40
        left_top, right_top = self.w * 0.28, self.w * 0.72
        left_bottom, right_bottom = -self.w * 0.15, self.w * 1.15

        def at(t: float, side: str) -> float:
            if side == "l":
                return left_top + (left_bottom - left_top) * t
            return right_top + (right_bottom - right_top) * t

        stripes = 10
        for i in range(stripes):
            t0, t1 = (i / stripes) ** 1.3, ((i + 1) / stripes) ** 1.3
            y0, y1 = top + (bottom - top) * t0, top + (bottom - top) * t1
            self.draw.polygon(
                [
                    (at(t0, "l"), y0),
                    (at(t0, "r"), y0),
                    (at(t1, "r"), y1),
                    (at(t1, "l"), y1),
                ],
                fill=(70, 150, 64) if i % 2 else (86, 166, 76),
            )
        line = (250, 250, 250)
        self.draw.line(
            [
                (at(0, "l"), top),
                (at(0, "r"), top),
                (at(1, "r"), bottom),
                (at(1, "l"), bottom),
                (at(0, "l"), top),
            ],
            fill=line,
            width=5,
        )
        mid = 0.45
        my = top + (bottom - top) * mid
        self.draw.line((at(mid, "l"), my, at(mid, "r"), my), fill=line, width=5)
        cx = self.w / 2
        self.draw.ellipse((cx - 150, my - 40, cx + 150, my + 40), outline=line, width=5)
        self.draw.rectangle((cx - 90, top - 60, cx + 90, top), outline=line, width=6)
        for k in range(5):
            px = self.w * (0.3 + 0.1 * k) + self.rnd.uniform(-30, 30)
            py = top + (bottom - top) * self.rnd.uniform(0.15, 0.5)
            scale = 0.6 + (py - top) / self.h * 2
            self._player(px, py, scale, self.accent if k % 2 else (246, 243, 236))

    def _player(self, x: float, y: float, scale: float, shirt: RGB) -> None:
        s = scale
        self.draw.rectangle((x - 10 * s, y - 24 * s, x + 10 * s, y), fill=(40, 40, 48))
        self.draw.rectangle(
            (x - 14 * s, y - 58 * s, x + 14 * s, y - 24 * s), fill=shirt
        )
        self.draw.ellipse(
            (x - 10 * s, y - 80 * s, x + 10 * s, y - 60 * s), fill=(232, 190, 160)
        )

    def boats(self) -> None:
        for _ in range(self.rnd.randint(2, 4)):
            x = self.rnd.uniform(0.05, 0.85) * self.w
            y = self.rnd.uniform(self.horizon + 60, self.h - 160)
            s = 0.6 + (y - self.horizon) / self.h * 1.8
            hull = self.rnd.choice([self.accent, (246, 243, 236), (181, 69, 47)])
            self.draw.polygon(
                [
                    (x, y),
                    (x + 160 * s, y),
                    (x + 130 * s, y + 30 * s),
                    (x + 24 * s, y + 30 * s),
                ],
                fill=hull,
            )
            self.draw.line(
                (x + 80 * s, y, x + 80 * s, y - 150 * s),
                fill=(60, 50, 40),
                width=max(2, round(4 * s)),
            )
            self.draw.polygon(
                [
                    (x + 84 * s, y - 146 * s),
                    (x + 84 * s, y - 10 * s),
                    (x + 150 * s, y - 10 * s),
                ],
                fill=(250, 248, 240),
            )

    def pier(self) -> None:
        y = self.h - 110
        self.draw.rectangle((0, y, self.w * 0.55, y + 26), fill=(128, 96, 64))
        for x in range(20, round(self.w * 0.55), 90):
            self.draw.rectangle((x, y + 26, x + 14, self.h), fill=(92, 68, 46))
        self.draw.rectangle((0, y + 26, self.w * 0.55, y + 40), fill=(0, 0, 0, 40))

    def bench(self) -> None:
        x, y = self.w * 0.62, self.h - 130
        wood = (120, 84, 52)
        self.draw.rectangle((x, y, x + 300, y + 18), fill=wood)
        self.draw.rectangle((x, y - 60, x + 300, y - 44), fill=wood)
        for leg in (x + 20, x + 270):
            self.draw.rectangle((leg, y + 18, leg + 12, y + 80), fill=(60, 60, 60))

    def tent(self) -> None:
        x, y = self.w * 0.2, self.h - 90
        self.draw.polygon([(x, y), (x + 170, y - 200), (x + 340, y)], fill=self.accent)
        self.draw.polygon(
            [(x + 140, y), (x + 170, y - 120), (x + 200, y)], fill=(30, 30, 30)
        )

    def fire(self) -> None:
        x, y = self.w * 0.62, self.h - 80
        for k in range(-2, 3):
            self.draw.line(
                (x + k * 22, y, x - k * 22, y - 24), fill=(92, 64, 40), width=12
            )
        for rad, colour in ((60, (240, 120, 40, 200)), (36, (255, 200, 80, 230))):
            self.draw.polygon(
                [(x - rad, y - 10), (x, y - rad * 2.6), (x + rad, y - 10)], fill=colour
            )

    def stalls(self) -> None:
        for k in range(3):
            x, y = self.w * (0.08 + 0.31 * k), self.h - 70
            self.draw.rectangle((x + 10, y - 150, x + 340, y), fill=(120, 84, 52))
            self.draw.rectangle((x + 20, y - 140, x + 330, y - 60), fill=(60, 44, 32))
            for s in range(6):
                colour = self.accent if s % 2 else (246, 243, 236)
                sx = x + s * 60
                self.draw.polygon(
                    [
                        (sx, y - 150),
                        (sx + 60, y - 150),
                        (sx + 60, y - 200),
                        (sx, y - 200),
                    ],
                    fill=colour,
                )

    def lights(self) -> None:
        y0 = self.horizon - 40
        for x in range(0, self.w, 40):
            y = y0 + 40 * math.sin(x / self.w * math.pi * 3) ** 2
            self.draw.ellipse((x - 6, y - 6, x + 6, y + 6), fill=(255, 226, 140, 230))

    def christmas(self) -> None:
        x, base = self.w * 0.5, self.h - 60
        self._tree(x, base, 3.0, True)
        for _ in range(50):
            t = self.rnd.random()
            half = 160 * (1 - t) * 0.9
            lx = x + self.rnd.uniform(-half, half)
            ly = base - 90 - t * 300
            self.draw.ellipse((lx - 6, ly - 6, lx + 6, ly + 6), fill=(255, 220, 120))
        self.draw.polygon(
            [(x, base - 470), (x + 16, base - 430), (x - 16, base - 430)],
            fill=(255, 214, 90),
        )

    def snow(self) -> None:
        for _ in range(240):
            x, y = self.rnd.uniform(0, self.w), self.rnd.uniform(0, self.h)
            self.draw.ellipse((x, y, x + 5, y + 5), fill=(255, 255, 255, 200))

    def hedge(self) -> None:
        y = self.horizon + 70
        self.draw.rectangle((0, y, self.w, y + 90), fill=(52, 104, 52))
        for x in range(0, self.w, 50):
            self.draw.ellipse((x - 30, y - 24, x + 50, y + 30), fill=(60, 118, 58))
        self.draw.rectangle((0, y + 90, self.w, self.h), fill=(190, 178, 156))

    def trailer(self) -> None:
        x, y = self.w * 0.22, self.h - 150
        self.draw.rectangle((x, y - 200, x + 700, y), fill=self.accent)
        self.draw.rectangle(
            (x + 10, y - 190, x + 690, y - 170), fill=(255, 255, 255, 60)
        )
        self.draw.line((x + 700, y - 40, x + 900, y - 30), fill=(60, 60, 60), width=14)
        self.draw.ellipse((x + 890, y - 44, x + 920, y - 14), fill=(40, 40, 40))
        self.draw.ellipse((x + 250, y - 70, x + 420, y + 100), fill=(30, 30, 30))
        self.draw.ellipse((x + 300, y - 20, x + 370, y + 50), fill=(170, 170, 176))

    def bike(self) -> None:
        x, y = self.w * 0.22, self.h - 120
        for cx in (x + 120, x + 820):
            self.draw.ellipse(
                (cx - 110, y - 110, cx + 110, y + 110), outline=(30, 30, 30), width=18
            )
            self.draw.ellipse((cx - 14, y - 14, cx + 14, y + 14), fill=(90, 90, 90))
        self.draw.rectangle((x - 30, y - 320, x + 330, y - 90), fill=self.accent)
        self.draw.rectangle(
            (x - 30, y - 320, x + 330, y - 290), fill=(255, 255, 255, 70)
        )
        frame = (40, 40, 44)
        self.draw.line(
            (x + 330, y - 140, x + 600, y - 140, x + 820, y), fill=frame, width=16
        )
        self.draw.line((x + 600, y - 140, x + 660, y - 330), fill=frame, width=16)
        self.draw.rectangle((x + 620, y - 350, x + 720, y - 325), fill=(30, 30, 30))
        self.draw.line(
            (x + 330, y - 200, x + 380, y - 400, x + 440, y - 400), fill=frame, width=12
        )

    def table(self) -> None:
        y = self.h - 200
        self.draw.rectangle(
            (self.w * 0.1, y, self.w * 0.9, y + 30), fill=(150, 110, 70)
        )
        for leg in (self.w * 0.14, self.w * 0.84):
            self.draw.rectangle((leg, y + 30, leg + 26, self.h), fill=(120, 84, 52))

    def clothes(self) -> None:
        y = self.h - 200
        colours = [
            self.accent,
            (227, 180, 72),
            (86, 140, 200),
            (214, 120, 140),
            (242, 238, 228),
        ]
        for pile in range(3):
            x, top = self.w * (0.18 + 0.22 * pile), y
            for k in range(self.rnd.randint(3, 5)):
                colour = colours[(pile + k) % len(colours)]
                self.draw.rounded_rectangle(
                    (x, top - 46, x + 260, top), radius=12, fill=colour
                )
                top -= 48
        bx = self.w * 0.76
        for dx in (0, 90):
            self.draw.polygon(
                [
                    (bx + dx, y),
                    (bx + dx, y - 190),
                    (bx + dx + 60, y - 190),
                    (bx + dx + 60, y - 60),
                    (bx + dx + 110, y - 40),
                    (bx + dx + 110, y),
                ],
                fill=(196, 40, 48),
            )


def demo_image_file(scene: Scene) -> ContentFile:
    """The painted scene as a file to store, named after its motif and seed."""
    digest = hashlib.sha256(f"{scene.motif}:{scene.seed}".encode()).hexdigest()[:10]
    return ContentFile(paint(scene), name=f"demo-{scene.motif}-{digest}.jpg")
