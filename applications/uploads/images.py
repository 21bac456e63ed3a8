"""Opening images safely: one decoder per kind, and a pixel limit checked before decoding."""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, ImageOps
from pillow_heif import register_heif_opener

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


def pixel_limit(img: Image.Image) -> int:
    """The most pixels this image may have: the site's limit, and what the decoding budget
    (UPLOAD_MAX_DECODED_BYTES) allows for its format and mode."""
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
        yield img


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
