"""Opening images safely: one decoder per kind, and a pixel limit checked before decoding."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image

from applications.uploads.kinds import PIL_FORMATS


def bomb_error(name: str) -> ValidationError:
    return ValidationError(
        _("图片“%(name)s”的像素尺寸过大（上限为 %(limit)s 万像素）。请缩小图片尺寸后重新上传。"),
        code="image_bomb",
        params={"name": name, "limit": settings.UPLOAD_MAX_PIXELS // 10_000},
    )


class TooManyPixels(Exception):
    pass


@contextmanager
def opened_image(f: IO[bytes], kind: str) -> Iterator[Image.Image]:
    """Open an image (header only) with the one decoder its kind calls for; refuse bombs.

    Our own limit is compared explicitly, so Image.MAX_IMAGE_PIXELS, a process-wide
    setting, is left alone. Pillow's own bomb check still runs in Image.open;
    callers turn its warning into an error, so both guards end in TooManyPixels
    or Image.DecompressionBombError before any pixel is decoded. Leaving the
    ``with`` block does not close f (img.close() would).
    """
    with Image.open(f, formats=[PIL_FORMATS[kind]]) as img:
        if img.width * img.height > settings.UPLOAD_MAX_PIXELS:
            raise TooManyPixels
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
