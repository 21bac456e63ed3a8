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


def draw_seal(
    img: Image.Image,
    centre: tuple[int, int],
    radius: int,
    *,
    oval: float = 1.0,
    alpha: int = 200,
) -> Image.Image:
    """A red 公章: a thick ring, a star and a band of 'characters', slightly see-through;
    ``oval`` stretches it sideways (oval seals are about 3:2), ``alpha`` fades its ink."""
    img = img.copy()
    layer = Image.new("RGBA", img.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    x, y = centre
    rx = int(radius * oval)
    red = (210, 30, 40, alpha)
    draw.ellipse((x - rx, y - radius, x + rx, y + radius), outline=red, width=radius // 9)
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
        cx, cy = x + 0.72 * rx * math.cos(angle), y + 0.72 * radius * math.sin(angle)
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


def circled_word(page: Image.Image) -> Image.Image:
    """A reviewer's red pen: a hand-drawn ring round a word, seal-sized, nothing red inside."""
    img = page.copy()
    w, h = img.size
    x, y, r = w * 0.45, h * 0.4, w * 0.08
    ImageDraw.Draw(img).ellipse(
        (x - r * 1.3, y - r, x + r * 1.3, y + r), outline=(215, 35, 40), width=max(3, w // 250)
    )
    return img


def red_dot(page: Image.Image) -> Image.Image:
    """A round red sticker, seal-sized and solid."""
    img = page.copy()
    w, h = img.size
    x, y, r = w * 0.7, h * 0.75, w * 0.07
    ImageDraw.Draw(img).ellipse((x - r, y - r, x + r, y + r), fill=(215, 35, 40))
    return img


def box_stamp(page: Image.Image) -> Image.Image:
    """A square red box stamp (已审核 and the like): a square frame with text inside."""
    img = page.copy()
    draw = ImageDraw.Draw(img)
    w, h = img.size
    x, y, s = w * 0.3, h * 0.78, w * 0.09
    red = (205, 30, 40)
    draw.rectangle((x - s, y - s, x + s, y + s), outline=red, width=max(4, w // 150))
    for i in range(3):
        top = y - s * 0.5 + i * s * 0.35
        draw.rectangle((x - s * 0.6, top, x + s * 0.6, top + s * 0.18), fill=red)
    return img


def red_signature(page: Image.Image) -> Image.Image:
    """A signature in red ink: a loose scribble across the 负责人 line."""
    img = page.copy()
    w, h = img.size
    points = [
        (w * (0.55 + 0.25 * i / 40), h * (0.82 + 0.02 * math.sin(i * 1.3) + 0.008 * (i % 3)))
        for i in range(41)
    ]
    ImageDraw.Draw(img).line(points, fill=(200, 30, 45), width=max(3, w // 300), joint="curve")
    return img


def seal_hint_cases(pages: list[Image.Image], size: tuple[int, int] = (4032, 3024)):
    """Photos for the red-seal hint: (label, a seal is there, where on the page, photo).

    A round seal at the foot of every page, as the 单位意见 box has it, and an oval, a faded
    and a high one; the same pages without a seal; every page with red marks that are not
    seals (an underline, a tick, a banner), and four more such marks. The places are the
    ``SealPlace`` values (applications.enums)."""
    seals = [(n, "round seal", (0.72, 0.8), {}, "bottom_right") for n in range(len(pages))]
    seals += [
        (1, "oval seal", (0.5, 0.86), {"oval": 1.5}, "bottom"),
        (2, "faded seal", (0.2, 0.5), {"alpha": 110}, "left"),
        (0, "round seal", (0.8, 0.2), {}, "top_right"),
    ]
    cases = []
    for n, label, (fx, fy), options, where in seals:
        page = pages[n % len(pages)]
        centre = (int(page.width * fx), int(page.height * fy))
        stamped = draw_seal(page, centre, page.width // 9, **options)
        cases.append((f"{label}, page {n % len(pages) + 1}", True, where, on_table(stamped, size)))
    for n, page in enumerate(pages, start=1):
        cases.append((f"no seal, page {n}", False, "", on_table(page, size)))
    marks = [(n, "underline, tick, banner", red_marks) for n in range(len(pages))]
    marks += [
        (1, "circled word", circled_word),
        (2, "red sticker", red_dot),
        (0, "box stamp", box_stamp),
        (1, "red signature", red_signature),
    ]
    for n, label, mark in marks:
        page = pages[n % len(pages)]
        cases.append((f"{label}, page {n % len(pages) + 1}", False, "", on_table(mark(page), size)))
    return cases


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
