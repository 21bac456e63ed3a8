"""Reading the version stamps (``applications.stamp``) off a seal scan: a photo, a scan, a PDF.

Images are opened with the upload check's guards (one decoder per kind, the pixel limit
before any pixel is decoded), turned upright by their EXIF orientation and decoded in
grey; a JPEG straight at half or a quarter of its size (``draft``), so a 50-megapixel photo
costs a few tens of MB, not 200. PDF pages are rendered in grey by PDFium (pypdfium2) at
about 200 dpi, within the same pixel budget. The QR codes are decoded by zxing-cpp, which
finds them at any angle, in perspective and under uneven light.

Bounded: at most ``MAX_PAGES`` pages of a PDF; each picture is read at a working size first
and, only if that finds no stamp, once more at up to ``FULL_SIDE`` pixels a side.
Speeds and memory: docs/performance.md (bench/qr_check.py).

Never raises: what cannot be read yields no stamps (the outcome "unreadable", a hint).
"""

from __future__ import annotations

import logging
import math
import warnings
from collections.abc import Iterable, Iterator
from contextlib import suppress
from typing import IO

import pypdfium2
import zxingcpp
from PIL import Image, ImageOps

from applications import stamp
from applications.uploads.images import bomb_warnings_as_errors, opened_image

logger = logging.getLogger(__name__)

WORK_SIDE = 2400  # first try: the longer side, in pixels
FULL_SIDE = 4200  # second try, for a page photographed from afar
MAX_PAGES = 12  # of a PDF: a 申报表 has a handful
PDF_DPI = 200
PDF_MAX_PIXELS = 12_000_000  # per rendered page


def read_stamps(f: IO[bytes], kind: str) -> list[str]:
    """The text of every version stamp found in the upload (each once; other QR codes left
    out), for ``stamp.judge``. Rewinds f."""
    try:
        with bomb_warnings_as_errors():
            texts = list(_pdf_texts(f) if kind == "pdf" else _image_texts(f, kind))
    except Exception:  # a hint must never break the upload
        logger.info("could not read QR codes from a %s upload", kind, exc_info=True)
        texts = []
    finally:
        with suppress(Exception):
            f.seek(0)
    return list(dict.fromkeys(t.strip() for t in texts if stamp.parse(t) is not None))


def _decode(img: Image.Image) -> list[str]:
    results = zxingcpp.read_barcodes(img, formats=zxingcpp.BarcodeFormat.QRCode)
    return [r.text for r in results if r.valid]


def _ours(texts: Iterable[str]) -> bool:
    return any(stamp.parse(t) is not None for t in texts)


def _image_texts(f: IO[bytes], kind: str) -> Iterator[str]:
    f.seek(0)
    with opened_image(f, kind) as img:
        full = max(img.size)
        if img.format in ("JPEG", "MPO"):
            # libjpeg scales by 1/2, 1/4 or 1/8 while decoding: the smallest that keeps WORK_SIDE.
            img.draft("L", (img.width * WORK_SIDE // full, img.height * WORK_SIDE // full))
        grey = _upright_grey(img)
    first = _fit(grey, WORK_SIDE)
    texts = _decode(first)
    yield from texts
    if not _ours(texts) and full > WORK_SIDE:
        f.seek(0)
        with opened_image(f, kind) as img:
            if img.format in ("JPEG", "MPO"):
                img.draft("L", (img.width * FULL_SIDE // full, img.height * FULL_SIDE // full))
            yield from _decode(_fit(_upright_grey(img), FULL_SIDE))


def _upright_grey(img: Image.Image) -> Image.Image:
    """Grey, turned as the EXIF orientation says (a phone stores the sensor's rows as taken)."""
    orientation = img.getexif().get(0x0112, 1)
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        img = Image.alpha_composite(Image.new("RGBA", rgba.size, "white"), rgba)
    grey = img.convert("L")
    if orientation != 1:
        exif = grey.getexif()
        exif[0x0112] = orientation
        grey.info["exif"] = exif.tobytes()
        grey = ImageOps.exif_transpose(grey)
    return grey


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
                bitmap = page.render(scale=scale, grayscale=True)
                yield from _decode(bitmap.to_pil())
            finally:
                page.close()
    finally:
        document.close()
