"""Product pictures for the demo catalog, drawn with Pillow at seed time (nothing is downloaded):
a soft backdrop, the garment's silhouette in the product's colour (a floral print for 碎花),
and the first character of its name, as a 512 px JPEG (small: the image consumer makes the
thumbnails of a dozen at seed time)."""
from __future__ import annotations

import io
import random
from pathlib import Path

CANVAS = 640  # the shapes below are drawn on this, the picture is scaled to SIZE
SIZE = 512
FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")  # Debian fonts-wqy-microhei (make setup)

COLOURS: dict[str, tuple[int, int, int]] = {
    "碎花蓝": (96, 140, 214), "碎花粉": (236, 150, 178), "黑色": (44, 44, 52), "杏色": (232, 196, 150),
    "墨绿": (38, 92, 72), "酒红": (128, 30, 52), "白色": (248, 247, 242), "灰色": (150, 152, 158),
    "浅蓝": (168, 202, 232), "米白": (238, 229, 210), "雾霾蓝": (120, 144, 170), "燕麦色": (212, 192, 158),
    "卡其": (186, 162, 112), "藏青": (34, 46, 92), "米色": (228, 212, 180), "青花": (42, 82, 162),
    "朱红": (214, 64, 44), "墨竹": (46, 76, 56), "原色": (222, 206, 174),
}
DEFAULT_COLOUR = (176, 120, 140)

# Silhouettes on a 640 x 640 canvas: (x, y) corners of one polygon each.
SHAPES: dict[str, list[tuple[int, int]]] = {
    "dress": [(250, 96), (290, 96), (320, 132), (350, 96), (390, 96), (420, 176), (392, 300), (500, 572),
              (140, 572), (248, 300), (220, 176)],
    "top": [(238, 104), (290, 92), (320, 126), (350, 92), (402, 104), (520, 214), (470, 268), (430, 230),
            (432, 548), (208, 548), (210, 230), (170, 268), (120, 214)],
    "skirt": [(236, 132), (404, 132), (408, 176), (492, 540), (148, 540), (232, 176)],
    "trousers": [(228, 104), (412, 104), (420, 160), (476, 560), (352, 560), (320, 244), (288, 560),
                 (164, 560), (220, 160)],
    "scarf": [(320, 96), (544, 320), (320, 544), (96, 320)],
    "bag": [(176, 232), (464, 232), (488, 552), (152, 552)],
}


def shape_of(name: str, category: str) -> str:
    if "包" in name:
        return "bag"
    if "巾" in name:
        return "scarf"
    if "裤" in name:
        return "trousers"
    if category == "半身裙":
        return "skirt"
    return "dress" if "裙" in name else "top"


def _shade(rgb: tuple[int, int, int], by: float) -> tuple[int, int, int]:
    """Lighter (by > 0, towards white) or darker (by < 0, towards black)."""
    if by >= 0:
        return tuple(round(c + (255 - c) * by) for c in rgb)  # type: ignore[return-value]
    return tuple(round(c * (1 + by)) for c in rgb)  # type: ignore[return-value]


def draw(name: str, category: str, colour: str | None) -> bytes:
    """The JPEG bytes of one product's picture."""
    from PIL import Image, ImageDraw, ImageFont

    rgb = COLOURS.get(colour or "", DEFAULT_COLOUR)
    light = sum(rgb) > 600  # a white garment needs a darker backdrop
    top, bottom = (_shade(rgb, -0.25), _shade(rgb, -0.05)) if light else (_shade(rgb, 0.86), _shade(rgb, 0.97))
    backdrop = Image.linear_gradient("L").resize((CANVAS, CANVAS))
    img = Image.composite(Image.new("RGB", (CANVAS, CANVAS), top), Image.new("RGB", (CANVAS, CANVAS), bottom), backdrop)
    if light:
        img = Image.composite(Image.new("RGB", img.size, (236, 236, 232)), img, backdrop.point(lambda v: 200))

    kind = shape_of(name, category)
    outline = SHAPES[kind]
    canvas = ImageDraw.Draw(img)
    canvas.ellipse((150, 560, 490, 600), fill=_shade(bottom, -0.08))  # a shadow under the garment
    mask = Image.new("L", img.size, 0)
    ImageDraw.Draw(mask).polygon(outline, fill=255)
    garment = Image.new("RGB", img.size, rgb)
    pattern = ImageDraw.Draw(garment)
    seeded = random.Random(name)  # the same picture on every run
    if colour and colour.startswith("碎花"):
        for _ in range(90):
            x, y, r = seeded.randrange(90, 550), seeded.randrange(80, 580), seeded.randrange(5, 11)
            pattern.ellipse((x - r, y - r, x + r, y + r), fill=_shade(rgb, 0.55))
            pattern.ellipse((x - 2, y - 2, x + 2, y + 2), fill=(250, 214, 92))
    elif kind == "scarf":
        for i in range(0, 2 * CANVAS, 48):
            pattern.line((i, 0, 0, i), fill=_shade(rgb, 0.3), width=6)
    elif kind in ("skirt", "dress"):
        for x in range(200, 460, 36):
            pattern.line((x, 300, x + (x - 320) // 3, 580), fill=_shade(rgb, -0.12), width=2)
    img.paste(garment, (0, 0), mask)
    canvas.polygon(outline, outline=_shade(rgb, -0.35), width=4)
    if kind == "bag":
        canvas.arc((232, 120, 408, 340), 180, 360, fill=_shade(rgb, -0.35), width=14)
    elif kind in ("top", "dress"):
        canvas.arc((282, 84, 358, 150), 0, 180, fill=_shade(rgb, -0.35), width=4)  # the neckline

    badge = (500, 500, 600, 600)
    canvas.ellipse(badge, fill=_shade(rgb, -0.45) if not light else (70, 70, 76))
    if FONT.exists():
        font = ImageFont.truetype(str(FONT), 56)
        canvas.text((550, 548), name[:1], font=font, fill=(255, 255, 255), anchor="mm")
    out = io.BytesIO()
    img.resize((SIZE, SIZE), Image.Resampling.LANCZOS).save(out, "JPEG", quality=85)
    return out.getvalue()
