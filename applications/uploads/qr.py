"""Reading the version stamps (``applications.stamp``) off a seal scan: a photo, a scan, a PDF.

Images are opened with the upload check's guards (one decoder per kind, the pixel limit
before any pixel is decoded) and turned upright by their EXIF orientation; a JPEG larger
than ``FULL_SIDE`` is decoded straight at half or a quarter of its size (``draft``), so a
50-megapixel photo costs what a 12-megapixel one does. PDF pages are rendered by PDFium
(pypdfium2) at about 200 dpi, within ``PDF_MAX_PIXELS``. The QR codes are decoded by
zxing-cpp, which finds them at any angle, in perspective and under uneven light; the red
channel is read first, in which a red seal over the code vanishes, then what helps a seal
over the code or a blurred photo (``_passes``).

Bounded: at most ``MAX_PAGES`` pages of a PDF, each picture at most ``FULL_SIDE`` pixels a
side, at most four decodes of it (the later ones only when the earlier found no stamp).
Speeds and memory: docs/performance.md (bench/qr_check.py).

Never raises: what cannot be read yields no stamps (the outcome "unreadable", a hint).
"""

from __future__ import annotations

import logging
import math
import warnings
from collections.abc import Callable, Iterable, Iterator
from contextlib import suppress
from typing import IO

import pypdfium2
import zxingcpp
from PIL import Image, ImageFilter

from applications import stamp
from applications.uploads.images import (
    PHOTO_SIDE,
    bomb_warnings_as_errors,
    opened_image,
    upright,
)

logger = logging.getLogger(__name__)

FULL_SIDE = PHOTO_SIDE  # the longer side a picture is read at: a 12 MP photo in full
MAX_PAGES = 12  # of a PDF: a 申报表 has a handful
PDF_DPI = 200
PDF_MAX_PIXELS = 12_000_000  # per rendered page


def read_stamps(f: IO[bytes], kind: str, picture: Image.Image | None = None) -> list[str]:
    """The text of every version stamp found in the upload (each once; other QR codes left
    out), for ``stamp.judge``. ``picture``: the upright picture the upload check already
    decoded (``InspectedFile.picture``), read instead of decoding the file again. Rewinds f."""
    try:
        with bomb_warnings_as_errors():
            if picture is not None:
                texts = _read_picture(_fit(picture, FULL_SIDE))
            else:
                texts = list(_pdf_texts(f) if kind == "pdf" else _image_texts(f, kind))
    except Exception:  # a hint must never break the upload
        logger.info("could not read QR codes from a %s upload", kind, exc_info=True)
        texts = []
    finally:
        with suppress(Exception):
            f.seek(0)
    return list(dict.fromkeys(t.strip() for t in texts if stamp.parse(t) is not None))


def _decode(img: Image.Image, binarizer: zxingcpp.Binarizer | None = None) -> list[str]:
    options = {} if binarizer is None else {"binarizer": binarizer}
    results = zxingcpp.read_barcodes(img, formats=zxingcpp.BarcodeFormat.QRCode, **options)
    return [r.text for r in results if r.valid]


def _passes(picture: Image.Image) -> Iterator[Callable[[], list[str]]]:
    """The ways a page's picture is read, cheapest and likeliest first (``_read_picture``).

    1. The red channel, zxing-cpp's local-average binarizer: the red of a 公章 is as light as
       the paper there, so a seal pressed over the code mostly disappears while the black
       modules stay black; zxing-cpp itself also tries the picture at lower scales.
    2. The red channel, one global threshold: where the seal's ink lies over part of the code,
       the black modules under it turn mid-grey, and a local threshold taken over a
       window half in the ink and half out splits them; one threshold for the whole picture
       keeps them dark.
    3. The red channel sharpened (an unsharp mask of about half a module): a photo blurred by
       up to half a module gets its module edges back.
    4. Plain luminance, for a picture whose red channel says little (red light, red paper).
    """
    red = picture.getchannel("R") if picture.mode == "RGB" else picture.convert("L")
    yield lambda: _decode(red)
    yield lambda: _decode(red, zxingcpp.Binarizer.GlobalHistogram)
    yield lambda: _decode(red.filter(ImageFilter.UnsharpMask(radius=2, percent=250, threshold=0)))
    if picture.mode == "RGB":
        yield lambda: _decode(picture.convert("L"))


def _read_picture(picture: Image.Image) -> list[str]:
    """The QR texts of one page's picture: each pass of ``_passes`` in turn, the next only
    when the earlier found none of our stamps, so a readable page costs one decode."""
    texts: list[str] = []
    for read in _passes(picture):
        texts += read()
        if _ours(texts):
            break
    return texts


def _ours(texts: Iterable[str]) -> bool:
    return any(stamp.parse(t) is not None for t in texts)


def _image_texts(f: IO[bytes], kind: str) -> list[str]:
    f.seek(0)
    with opened_image(f, kind) as img:
        full = max(img.size)
        if img.format in ("JPEG", "MPO") and full > FULL_SIDE:
            # libjpeg scales by 1/2, 1/4 or 1/8 while decoding, to the smallest size that is
            # still at least the one asked for: asking for half of FULL_SIDE gets between
            # half and all of it, so a 40 MP photo is decoded at a quarter of its pixels.
            half = FULL_SIDE // 2
            img.draft("RGB", (img.width * half // full, img.height * half // full))
        picture = upright(img)
    return _read_picture(_fit(picture, FULL_SIDE))


def _fit(img: Image.Image, side: int) -> Image.Image:
    if max(img.size) <= side:
        return img
    scale = side / max(img.size)
    return img.resize(
        (max(1, round(img.width * scale)), max(1, round(img.height * scale))),
        Image.Resampling.BOX,
    )


def _pdf_texts(f: IO[bytes]) -> Iterator[str]:
    f.seek(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        document = pypdfium2.PdfDocument(f.read())
    try:
        for index in range(min(len(document), MAX_PAGES)):
            page = document[index]
            try:
                width, height = page.get_size()  # points
                scale = PDF_DPI / 72
                if width * height * scale * scale > PDF_MAX_PIXELS:
                    scale = math.sqrt(PDF_MAX_PIXELS / (width * height))
                bitmap = page.render(scale=scale)
                yield from _read_picture(bitmap.to_pil().convert("RGB"))
            finally:
                page.close()
    finally:
        document.close()
