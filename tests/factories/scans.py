"""Photo-like scans of real rendered 申报表 pages, distorted as phones and scanners distort them.

Used by the corpus test (tests/stamp/test_corpus.py), the browser test and bench/qr_check.py.
Everything is made with Pillow from the PDF the portal renders (pages rasterised by PDFium).
"""

from __future__ import annotations

import io
import math
import random

import pypdfium2
from PIL import Image, ImageChops, ImageDraw, ImageFilter


def pdf_pages(data: bytes, dpi: int = 150) -> list[Image.Image]:
    """The pages of a PDF as RGB images, as a flatbed scanner would give them."""
    document = pypdfium2.PdfDocument(data)
    try:
        return [page.render(scale=dpi / 72).to_pil().convert("RGB") for page in document]
    finally:
        document.close()


def draw_seal(img: Image.Image, centre: tuple[int, int], radius: int) -> Image.Image:
    """A red round 公章: a thick ring, a star and a band of 'characters', slightly see-through."""
    img = img.copy()
    layer = Image.new("RGBA", img.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    x, y = centre
    red = (210, 30, 40, 200)
    draw.ellipse((x - radius, y - radius, x + radius, y + radius), outline=red, width=radius // 9)
    star = [
        (
            x + (radius * (0.3 if i % 2 else 0.12)) * math.sin(i * math.pi / 5),
            y - (radius * (0.3 if i % 2 else 0.12)) * math.cos(i * math.pi / 5),
        )
        for i in range(10)
    ]
    draw.polygon(star, fill=red)
    for i in range(12):
        angle = math.pi * (0.8 + 1.4 * i / 11)
        cx, cy = x + 0.72 * radius * math.cos(angle), y + 0.72 * radius * math.sin(angle)
        s = radius // 9
        draw.rectangle((cx - s, cy - s, cx + s, cy + s), fill=red)
    return Image.alpha_composite(img.convert("RGBA"), layer).convert("RGB")


def seal_over_qr(page: Image.Image, where: str = "corner") -> Image.Image:
    """The seal pressed over part of the QR code (which sits at the page's top right), as
    happens: ``corner``, its ring runs across the code's bottom-left corner; ``edge``, its
    ring and characters cross the code's lower half; ``centre``, its ring crosses the code's
    middle (the finder patterns stay clear, the modules show through the ink)."""
    w, h = page.size
    qr_left, qr_bottom = int(w * 0.84), int(h * 0.075)
    centre = {
        "corner": (qr_left - int(w * 0.03), qr_bottom + int(h * 0.035)),
        "edge": (qr_left + int(w * 0.02), qr_bottom + int(h * 0.06)),
        "centre": (qr_left - int(w * 0.05), qr_bottom + int(h * 0.02)),
    }[where]
    return draw_seal(page, centre, int(w * 0.09))


def red_marks(page: Image.Image) -> Image.Image:
    """Red marks that are not seals: an underline, a handwritten tick, a red banner of text."""
    img = page.copy()
    draw = ImageDraw.Draw(img)
    w, h = img.size
    draw.line((w * 0.1, h * 0.5, w * 0.7, h * 0.5), fill=(200, 20, 30), width=max(2, w // 300))
    draw.line(
        (w * 0.2, h * 0.6, w * 0.23, h * 0.63, w * 0.3, h * 0.55), fill=(220, 40, 40), width=4
    )
    draw.rectangle((w * 0.1, h * 0.2, w * 0.9, h * 0.215), fill=(210, 30, 40))
    return img


def rotate(img: Image.Image, degrees: float) -> Image.Image:
    return img.rotate(degrees, expand=True, fillcolor=(128, 120, 110), resample=Image.BICUBIC)


def perspective(img: Image.Image, strength: float = 0.12) -> Image.Image:
    """The page photographed from below and to one side: its far (top) edge shorter."""
    w, h = img.size
    d = strength
    # Where the output's corners come from in the page: upper left, lower left, lower right,
    # upper right (Pillow's order); outside the page is the table.
    quad = (-w * d, -h * d * 0.2, 0, h, w, h * (1 + d * 0.1), w * (1 + d * 0.7), -h * d * 0.4)
    return img.transform(
        (w, h), Image.QUAD, quad, resample=Image.BICUBIC, fillcolor=(128, 120, 110)
    )


def skew(img: Image.Image, shear: float = 0.12) -> Image.Image:
    w, h = img.size
    return img.transform(
        (int(w + h * shear), h),
        Image.AFFINE,
        (1, shear, -h * shear, 0, 1, 0),
        resample=Image.BICUBIC,
        fillcolor=(128, 120, 110),
    )


def blur(img: Image.Image, radius: float = 1.6) -> Image.Image:
    return img.filter(ImageFilter.GaussianBlur(radius))


def hard_jpeg(img: Image.Image, quality: int = 12) -> Image.Image:
    out = io.BytesIO()
    img.save(out, "JPEG", quality=quality)
    return Image.open(io.BytesIO(out.getvalue())).convert("RGB")


def dark_side(img: Image.Image, darkest: float = 0.3) -> Image.Image:
    """Lit from the left: the right side fades to ``darkest`` of the light."""
    w, h = img.size
    ramp = Image.linear_gradient("L").rotate(90).resize((w, h))  # 255 left to 0 right
    ramp = ramp.point(lambda v: int(255 * darkest + v * (1 - darkest)))
    shade = Image.merge("RGB", (ramp, ramp, ramp))
    return ImageChops.multiply(img, shade)


def photo_look(img: Image.Image, seed: int = 1) -> Image.Image:
    """Sensor noise and a vignette, as a phone camera in a dim office."""
    w, h = img.size
    random.seed(seed)
    noise = Image.effect_noise((w, h), 24).convert("RGB")
    img = Image.blend(img, noise, 0.12)
    vignette = Image.radial_gradient("L").resize((w, h)).point(lambda v: 255 - int(v * 0.45))
    return ImageChops.multiply(img, Image.merge("RGB", (vignette, vignette, vignette)))


def on_table(page: Image.Image, size: tuple[int, int] = (4032, 3024), fill: float = 0.8):
    """The page on a table in a phone photo of ``size`` (landscape), ``fill`` of its height."""
    photo = Image.new("RGB", size, (118, 92, 70))
    scale = fill * size[1] / page.height
    page = page.resize((int(page.width * scale), int(page.height * scale)), Image.BICUBIC)
    photo.paste(page, ((size[0] - page.width) // 2, (size[1] - page.height) // 2))
    return photo


def jpeg_bytes(img: Image.Image, quality: int = 88, orientation: int = 1) -> bytes:
    """A JPEG as a phone stores it: the sensor's rows, and the EXIF tag saying how to turn them.

    ``orientation`` 6 means 'turn 90° clockwise to view', so the stored pixels are the upright
    picture turned 90° counter-clockwise; likewise 3 (180°) and 8 (90° counter-clockwise).
    """
    stored = {
        1: img,
        3: img.rotate(180),
        6: img.rotate(90, expand=True),
        8: img.rotate(-90, expand=True),
    }[orientation]
    exif = Image.Exif()
    exif[0x0112] = orientation
    out = io.BytesIO()
    stored.save(out, "JPEG", quality=quality, exif=exif.tobytes())
    return out.getvalue()


def png_bytes(img: Image.Image) -> bytes:
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


def scanned_pdf(pages: list[Image.Image]) -> bytes:
    """A multi-page PDF of page images (JPEG inside), as a scanner or scanning app makes."""
    out = io.BytesIO()
    pages[0].save(out, "PDF", save_all=True, append_images=pages[1:], resolution=150, quality=80)
    return out.getvalue()
