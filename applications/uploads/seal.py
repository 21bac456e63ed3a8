"""The red-seal hint: does a scan show a red official seal (公章)? A hint, never a refusal."""

from __future__ import annotations

from collections import deque
from contextlib import suppress
from typing import IO

from django.conf import settings
from PIL import Image, ImageChops, ImageFilter
from pypdf import PdfReader

from applications.uploads.images import bomb_warnings_as_errors, opened_image
from applications.uploads.kinds import PIL_FORMATS

# --- red seal hint -----------------------------------------------------------------------

SEAL_WORK_SIZE = 800  # analyse at most 800 x 800 pixels
SEAL_CELL = 4  # pixels per side of a cell in the coarse grid used to find clusters
SEAL_CELL_MIN_RED = 90  # a cell counts as red when >= ~35 % of its pixels are seal red
SEAL_MIN_FRACTION = 0.0005
SEAL_MAX_FRACTION = 0.40
SEAL_PDF_PAGES = 3
SEAL_PDF_IMAGES_PER_PAGE = 10


def detect_red_seal(f: IO[bytes], kind: str) -> bool | None:
    """Hint for reviewers: does the scan show a red official seal (公章)?

    True or False for PNG/JPEG and for PDFs with embedded images (the first
    three pages are looked at; True if any image shows a seal). None when it
    cannot tell: PDFs without images (e.g. seals drawn as vectors), other kinds,
    and any error, since a hint must never break the upload. Rewinds f.
    """
    try:
        with bomb_warnings_as_errors():
            if kind in PIL_FORMATS:
                f.seek(0)
                with opened_image(f, kind) as img:
                    return shows_red_seal(img)
            if kind == "pdf":
                return pdf_shows_red_seal(f)
            return None
    except Exception:  # a hint is optional; failing to compute it is not an error
        return None
    finally:
        with suppress(Exception):  # a closed file must not turn the hint into an error
            f.seek(0)


def hint(check, source) -> bool | None:
    """A seal check that may fail in any way: a hint must never break the upload."""
    try:
        return check(source)
    except Exception:
        return None


def pdf_shows_red_seal(f: IO[bytes]) -> bool | None:
    f.seek(0)
    reader = PdfReader(f, strict=False)
    if reader.is_encrypted:
        return None
    seen = False
    for page in reader.pages[:SEAL_PDF_PAGES]:
        if not _images_small_enough(page):
            continue  # pypdf would decode the whole image, in full, to hand it over
        images = page.images
        for index in range(min(len(images), SEAL_PDF_IMAGES_PER_PAGE)):
            image = images[index].image
            if image is None:
                continue
            if shows_red_seal(image):
                return True
            seen = True
    return False if seen else None


def _images_small_enough(page) -> bool:
    """Whether every image the page draws decodes within UPLOAD_MAX_DECODED_BYTES: pypdf
    holds the decoded samples and Pillow's image of them (some 8 bytes a pixel)."""
    resources = page.get("/Resources")
    resources = resources.get_object() if resources is not None else {}
    xobjects = resources.get("/XObject")
    xobjects = xobjects.get_object() if xobjects is not None else {}
    for reference in list(xobjects.values())[: SEAL_PDF_IMAGES_PER_PAGE * 4]:
        xobject = reference.get_object()
        if xobject.get("/Subtype") != "/Image":
            continue
        pixels = int(xobject.get("/Width", 0)) * int(xobject.get("/Height", 0))
        if pixels * 8 > settings.UPLOAD_MAX_DECODED_BYTES:
            return False
    return True


def shows_red_seal(img: Image.Image) -> bool:
    """Look for a plausible amount of seal red that forms at least one seal-shaped cluster.

    Seal red: hue within about 20 degrees of red, saturation and value above
    about 30 %, which covers fresh, faded and pinkish scanned ink but not skin,
    wood or brown paper. The red pixels are then averaged over 4 x 4 cells;
    cells that are mostly red are grouped into 8-connected clusters (after a
    one-cell dilation that joins the ring to the star and characters). Random
    red specks never fill a cell, and red text lines and banners form long
    thin clusters, so only a roughly round, sizeable cluster counts as a seal.
    """
    img.draft("RGB", (SEAL_WORK_SIZE, SEAL_WORK_SIZE))  # cheap JPEG downscale on decode
    img.thumbnail((SEAL_WORK_SIZE, SEAL_WORK_SIZE))
    img = flatten(img)
    hue, saturation, value = img.convert("HSV").split()
    mask = ImageChops.multiply(
        ImageChops.multiply(
            hue.point(lambda h: 255 if h <= 14 or h >= 241 else 0),
            saturation.point(lambda s: 255 if s >= 80 else 0),
        ),
        value.point(lambda v: 255 if v >= 80 else 0),
    )
    fraction = mask.histogram()[255] / (img.width * img.height)
    if not SEAL_MIN_FRACTION <= fraction <= SEAL_MAX_FRACTION:
        return False
    cells = (
        mask.reduce(SEAL_CELL)
        .point(lambda c: 255 if c >= SEAL_CELL_MIN_RED else 0)
        .filter(ImageFilter.MaxFilter(3))
    )
    return has_seal_shaped_cluster(cells)


def flatten(img: Image.Image) -> Image.Image:
    """RGB on white: transparent areas of e.g. an electronic seal PNG must not read as black."""
    if img.mode == "RGB":
        return img
    rgba = img.convert("RGBA")
    return Image.alpha_composite(Image.new("RGBA", rgba.size, "white"), rgba).convert("RGB")


def has_seal_shaped_cluster(cells: Image.Image) -> bool:
    """Breadth-first search over the red cells; judge each cluster by its bounding box.

    A seal cluster is at least 5 % of the shorter side across, no more than twice
    as long as wide (oval seals are about 3:2), and fills 15-90 % of its box
    (a ring with a star and characters, not a solid block).
    """
    width, height = cells.size
    red = bytearray(cells.tobytes())
    min_side = max(4, 0.05 * min(width, height))
    start = red.find(255)  # MaxFilter leaves 0 or 255; find skips the empty cells in C
    while start != -1:
        red[start] = 0
        queue = deque([start])
        count, left, right, top, bottom = 0, width, 0, height, 0
        while queue:
            index = queue.popleft()
            y, x = divmod(index, width)
            count += 1
            left, right, top, bottom = min(left, x), max(right, x), min(top, y), max(bottom, y)
            for ny in (y - 1, y, y + 1):
                if not 0 <= ny < height:
                    continue
                for nx in (x - 1, x, x + 1):
                    neighbour = ny * width + nx
                    if 0 <= nx < width and red[neighbour]:
                        red[neighbour] = 0
                        queue.append(neighbour)
        box_width, box_height = right - left + 1, bottom - top + 1
        if (
            min(box_width, box_height) >= min_side
            and 0.5 <= box_width / box_height <= 2
            and 0.15 <= count / (box_width * box_height) <= 0.9
        ):
            return True
        start = red.find(255, start + 1)
    return False
