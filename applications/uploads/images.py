"""Opening images safely: one decoder per kind, and a pixel limit checked before decoding."""

from __future__ import annotations

import io
import math
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, ImageOps
from pillow_heif import open_heif, register_heif_opener

from applications.uploads.kinds import PIL_FORMATS

# HEIC/HEIF photos open as Pillow images ("HEIF"); only where a kind names that format.
register_heif_opener()


def bomb_error(name: str, limit: int | None = None) -> ValidationError:
    """``limit``: the pixel limit for this image (its format and mode), by default the site's."""
    return ValidationError(
        _("图片“%(name)s”的像素尺寸过大（上限为 %(limit)s 万像素）。请缩小图片尺寸后重新上传。"),
        code="image_bomb",
        params={"name": name, "limit": (limit or settings.UPLOAD_MAX_PIXELS) // 10_000},
    )


class TooManyPixels(Exception):
    def __init__(self, limit: int):
        super().__init__(limit)
        self.limit = limit


# How to turn a picture stored with EXIF orientation n (a phone keeps the sensor's rows as
# taken and a tag saying how to turn them) to view it upright.
UPRIGHT = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}

JPEG_FORMATS = ("JPEG", "MPO")  # MPO: a phone's JPEG with a second picture inside
PHOTO_SIDE = 4200  # the longer side a photo is looked at: a 12 MP photo in full
HEIF_STRIP_ROWS = 64  # of the picture made, per strip of the decoded HEIF


def bytes_per_pixel(img: Image.Image) -> float:
    """Memory the decoder needs per pixel of the image's full size.

    Pillow keeps one byte a pixel for 1, L and P images and four for the others. A JPEG is
    decoded at a reduced scale (``draft``), except a progressive one, for which libjpeg
    keeps every DCT coefficient (two bytes a sample) of every component, subsampled or not.
    """
    if img.format in JPEG_FORMATS and img.info.get("progressive"):
        layers = getattr(img, "layer", None) or [("Y", 1, 1, 0)]
        most_h = max(h for _id, h, _v, _q in layers)
        most_v = max(v for _id, _h, v, _q in layers)
        return sum(2 * h * v / (most_h * most_v) for _id, h, v, _q in layers)
    if img.format in JPEG_FORMATS:
        return 0  # draft decodes at most 1/8 of each side: bounded by the pixel limit
    return 1 if img.mode in ("1", "L", "P") else 4


def by_strips(img: Image.Image) -> bool:
    """Whether this HEIF is decoded by strips (``heif_picture``) rather than by Pillow, which
    would hold the decoder's RGB and its own copy (seven bytes a pixel) at once."""
    return img.format == "HEIF" and (
        max(img.size) > PHOTO_SIDE or img.width * img.height * 4 > settings.UPLOAD_MAX_DECODED_BYTES
    )


def pixel_limit(img: Image.Image) -> int:
    """The most pixels this image may have: the site's limit, and what the decoding budget
    (UPLOAD_MAX_DECODED_BYTES) allows for its format and mode; a HEIF decoded by strips has
    its own (UPLOAD_MAX_HEIF_PIXELS)."""
    if by_strips(img):
        return settings.UPLOAD_MAX_HEIF_PIXELS
    per_pixel = bytes_per_pixel(img)
    limit = settings.UPLOAD_MAX_PIXELS
    if per_pixel:
        limit = min(limit, int(settings.UPLOAD_MAX_DECODED_BYTES / per_pixel))
    return limit


@contextmanager
def opened_image(f: IO[bytes], kind: str) -> Iterator[Image.Image]:
    """Open an image (header only) with the one decoder its kind calls for; refuse bombs.

    Our own limit (``pixel_limit``: the site's, lowered where decoding would need more
    memory than UPLOAD_MAX_DECODED_BYTES) is compared explicitly, so Image.MAX_IMAGE_PIXELS,
    a process-wide setting, is left alone. Pillow's own bomb check still runs in Image.open;
    callers turn its warning into an error, so both guards end in TooManyPixels
    or Image.DecompressionBombError before any pixel is decoded. Leaving the
    ``with`` block does not close f (img.close() would).
    """
    with Image.open(f, formats=[PIL_FORMATS[kind]]) as img:
        limit = pixel_limit(img)
        if img.width * img.height > limit:
            raise TooManyPixels(limit)
        if by_strips(img):
            yield heif_picture(f, limit)
        else:
            yield img


def heif_picture(f: IO[bytes], limit: int) -> Image.Image:
    """A large HEIF photo (24 or 48 MP) as an upright RGB picture of at most PHOTO_SIDE pixels
    a side (a whole fraction of its size): every pixel is decoded, once, by libheif, but
    Pillow never holds the full-size picture; each strip of the decoded rows is scaled down
    (a box average) as it is read. Memory: the decoder's RGB, three bytes a pixel, and the
    small picture (docs/performance.md, bench/qr_check.py). libheif applies the photo's
    rotation itself, so the picture needs no EXIF turn. Rewinds f."""
    f.seek(0)
    heif = open_heif(f, convert_hdr_to_8bit=True, remove_stride=False)
    f.seek(0)
    data = heif.data  # decodes; the size can change with it (a crop, a rotation)
    width, height = heif.size
    if width * height > limit:
        raise TooManyPixels(limit)
    factor = math.ceil(max(width, height) / PHOTO_SIDE)
    picture = Image.new("RGB", (width // factor, height // factor), "white")
    rows = HEIF_STRIP_ROWS * factor
    for top in range(0, picture.height * factor, rows):
        count = min(rows, picture.height * factor - top)
        strip = Image.frombuffer(
            heif.mode,
            (width, count),
            data[top * heif.stride : (top + count) * heif.stride],
            "raw",
            heif.mode,
            heif.stride,
            1,
        )
        reduced = strip.reduce(factor) if factor > 1 else strip
        picture.paste(reduced.convert("RGB"), (0, top // factor))
    return picture


def upright(img: Image.Image) -> Image.Image:
    """RGB (or L) on white, turned as the EXIF orientation says (a phone stores the sensor's
    rows as taken and a tag saying how to turn them). Never ``img`` itself: the picture
    outlives the file it was opened from."""
    orientation = img.getexif().get(0x0112, 1)
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        picture = Image.alpha_composite(Image.new("RGBA", rgba.size, "white"), rgba)
        picture = picture.convert("RGB")
    elif img.mode in ("L", "RGB"):
        img.load()
        picture = img
    else:
        picture = img.convert("RGB")
    transpose = UPRIGHT.get(orientation)
    if transpose is not None:
        return picture.transpose(transpose)
    return picture.copy() if picture is img else picture


@contextmanager
def bomb_warnings_as_errors() -> Iterator[None]:
    """Silence decoder chatter (odd EXIF and the like) but make bomb warnings errors.

    The project's pytest runs with warnings as errors, so an unexpected warning
    must not escape. catch_warnings is process-wide, not thread-safe; that is
    harmless here because opened_image's explicit limit (40 Mpx) is below the
    point where Pillow starts warning (about 89 Mpx), so it is the real guard.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        yield


def jpeg_rendition(f: IO[bytes], kind: str, *, quality: int = 85) -> bytes:
    """The picture as a JPEG, upright, for browsers that cannot show the kind (HEIC): decoded
    with the same guards as the upload check. Rewinds f."""
    f.seek(0)
    try:
        with bomb_warnings_as_errors(), opened_image(f, kind) as img:
            upright = ImageOps.exif_transpose(img.convert("RGB"))
            out = io.BytesIO()
            upright.save(out, "JPEG", quality=quality)
            return out.getvalue()
    finally:
        f.seek(0)
