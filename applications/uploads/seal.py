"""The red-seal hint: does a scan show a red official seal (公章), and where on the page?
A hint, never a refusal."""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from PIL import Image, ImageChops, ImageFilter
from pypdf import PdfReader

from applications.enums import SealPlace
from applications.uploads.images import UPRIGHT, bomb_warnings_as_errors, opened_image
from applications.uploads.kinds import PIL_FORMATS

# --- red seal hint -----------------------------------------------------------------------

SEAL_WORK_SIZE = 800  # analyse at most 800 x 800 pixels
SEAL_CELL = 4  # pixels per side of a cell in the coarse grid used to find clusters
SEAL_CELL_MIN_RED = 90  # a cell counts as red when >= ~35 % of its pixels are seal red
SEAL_MIN_FRACTION = 0.0005
SEAL_MAX_FRACTION = 0.40
SEAL_PDF_PAGES = 3
SEAL_PDF_IMAGES_PER_PAGE = 10
SEAL_RING_SIDE = 96  # a candidate's ring is judged on its box shrunk to at most this
SEAL_MAX_CANDIDATES = 12  # clusters judged per picture: red text makes many small ones
GRID = (
    (SealPlace.TOP_LEFT, SealPlace.TOP, SealPlace.TOP_RIGHT),
    (SealPlace.LEFT, SealPlace.CENTRE, SealPlace.RIGHT),
    (SealPlace.BOTTOM_LEFT, SealPlace.BOTTOM, SealPlace.BOTTOM_RIGHT),
)


@dataclass(frozen=True)
class SealFinding:
    """What the hint says: a seal seen or not, and where on the page (a ``SealPlace``, or
    "" when none was seen)."""

    seen: bool
    where: str = ""


def detect_red_seal(f: IO[bytes], kind: str) -> bool | None:
    """Hint for reviewers: does the scan show a red official seal (公章)?

    True or False for PNG/JPEG and for PDFs with embedded images (the first
    three pages are looked at; True if any image shows a seal). None when it
    cannot tell: PDFs without images (e.g. seals drawn as vectors), other kinds,
    and any error, since a hint must never break the upload. Rewinds f.
    """
    found = find_red_seal(f, kind)
    return None if found is None else found.seen


def find_red_seal(f: IO[bytes], kind: str) -> SealFinding | None:
    """``detect_red_seal`` with the place on the page where the seal was seen."""
    try:
        with bomb_warnings_as_errors():
            if kind in PIL_FORMATS:
                f.seek(0)
                with opened_image(f, kind) as img:
                    return find_seal(img)
            if kind == "pdf":
                return pdf_find_red_seal(f)
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
    found = pdf_find_red_seal(f)
    return None if found is None else found.seen


def pdf_find_red_seal(f: IO[bytes]) -> SealFinding | None:
    """The seal on the images of the PDF's first pages: a scanned page is one image of the
    whole page, so the image's grid is the page's."""
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
            found = find_seal(image)
            if found.seen:
                return found
            seen = True
    return SealFinding(seen=False) if seen else None


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
    return find_seal(img).seen


def find_seal(img: Image.Image) -> SealFinding:
    """Look for a plausible amount of seal red that forms at least one seal-shaped cluster,
    and say where it lies on the page.

    Seal red: hue within about 20 degrees of red, saturation and value above
    about 30 %, which covers fresh, faded and pinkish scanned ink but not skin,
    wood or brown paper. The red pixels are then averaged over 4 x 4 cells;
    cells that are mostly red are grouped into 8-connected clusters (after a
    one-cell dilation that joins the ring to the star and characters). Random
    red specks never fill a cell, and red text lines and banners form long
    thin clusters; a cluster of a seal's outline is then judged by its ring
    (``_is_seal_ring``): a closed round or oval ring with ink inside it, which
    a tick, a circled word, a red dot or a box stamp is not.
    """
    orientation = img.getexif().get(0x0112, 1)
    img.draft("RGB", (SEAL_WORK_SIZE, SEAL_WORK_SIZE))  # cheap JPEG downscale on decode
    img.thumbnail((SEAL_WORK_SIZE, SEAL_WORK_SIZE))
    img = flatten(img)
    transpose = UPRIGHT.get(orientation)
    if transpose is not None:  # the place is said of the page as one reads it
        img = img.transpose(transpose)
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
        return SealFinding(seen=False)
    cells = (
        mask.reduce(SEAL_CELL)
        .point(lambda c: 255 if c >= SEAL_CELL_MIN_RED else 0)
        .filter(ImageFilter.MaxFilter(3))
    )
    for n, (left, top, right, bottom) in enumerate(seal_shaped_clusters(cells)):
        if n >= SEAL_MAX_CANDIDATES:
            break
        box = (left * SEAL_CELL, top * SEAL_CELL, (right + 1) * SEAL_CELL, (bottom + 1) * SEAL_CELL)
        if _is_seal_ring(mask.crop(box)):
            return SealFinding(seen=True, where=place_on_page(img, box))
    return SealFinding(seen=False)


def flatten(img: Image.Image) -> Image.Image:
    """RGB on white: transparent areas of e.g. an electronic seal PNG must not read as black."""
    if img.mode == "RGB":
        return img
    rgba = img.convert("RGBA")
    return Image.alpha_composite(Image.new("RGBA", rgba.size, "white"), rgba).convert("RGB")


def has_seal_shaped_cluster(cells: Image.Image) -> bool:
    return next(seal_shaped_clusters(cells), None) is not None


def seal_shaped_clusters(cells: Image.Image) -> Iterator[tuple[int, int, int, int]]:
    """Breadth-first search over the red cells; the bounding box (in cells, inclusive) of
    each cluster shaped like a seal's outline.

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
            yield left, top, right, bottom
        start = red.find(255, start + 1)


def _is_seal_ring(crop: Image.Image) -> bool:
    """Whether the red pixels of a candidate's box (``crop``, the seal-red mask) draw a seal.

    A 公章 is a closed ring, round or oval, with ink inside it (a star, a name in an arc, a
    number). Measured in the ellipse the box spans, by the distance r from its centre (1 on
    the ellipse): in at least 13 of 16 sectors the farthest red must lie on the ring (r
    0.7-1.15), so that a tick or a banner's end does not pass, and in at most one beyond it
    (r over 1.2), so that a box stamp, whose corners reach r 1.4, does not; inside (r below
    0.65) at least 2 % and at most 60 % of the area must be red, so that a hand-drawn circle
    round a word and a red dot or sticker do not pass.
    """
    scale = min(1.0, SEAL_RING_SIDE / max(crop.size))
    if scale < 1:
        size = (max(1, round(crop.width * scale)), max(1, round(crop.height * scale)))
        crop = crop.resize(size, Image.Resampling.BOX)
    width, height = crop.size
    half_w, half_h = width / 2, height / 2
    pixels = crop.tobytes()
    outermost = [0.0] * 16  # per sector, the farthest red pixel's r
    inside = inside_red = 0
    for y in range(height):
        dy = (y + 0.5 - half_h) / half_h
        row = y * width
        for x in range(width):
            dx = (x + 0.5 - half_w) / half_w
            r = math.hypot(dx, dy)
            red = pixels[row + x] >= 96
            if r < 0.65:
                inside += 1
                inside_red += red
            elif red:
                sector = int((math.atan2(dy, dx) + math.pi) / (2 * math.pi) * 16) % 16
                outermost[sector] = max(outermost[sector], r)
    ring = sum(1 for r in outermost if 0.7 <= r <= 1.15)
    corners = sum(1 for r in outermost if r > 1.2)
    return ring >= 13 and corners <= 1 and inside > 0 and 0.02 <= inside_red / inside <= 0.6


def place_on_page(img: Image.Image, box: tuple[int, int, int, int]) -> str:
    """The ``SealPlace`` of the box's centre on the page: the page is the paper in the
    picture (a photo shows the table round it), found as the rows and columns where light
    pixels are common; a scan is all paper."""
    grey = img.convert("L")
    low, high = _percentiles(grey.histogram(), 0.1, 0.9)
    paper = grey.point(lambda v: 255 if v >= (low + high) / 2 else 0)
    left, right = _extent(paper.resize((paper.width, 1), Image.Resampling.BOX).tobytes())
    top, bottom = _extent(paper.resize((1, paper.height), Image.Resampling.BOX).tobytes())
    if right - left < img.width // 4 or bottom - top < img.height // 4:
        left, right, top, bottom = 0, img.width, 0, img.height
    x = (box[0] + box[2]) / 2
    y = (box[1] + box[3]) / 2
    column = min(2, max(0, int(3 * (x - left) / (right - left))))
    row = min(2, max(0, int(3 * (y - top) / (bottom - top))))
    return GRID[row][column]


def _percentiles(histogram: list[int], *fractions: float) -> list[int]:
    total = sum(histogram)
    found, seen, wanted = [], 0, [f * total for f in fractions]
    for value, count in enumerate(histogram):
        seen += count
        while wanted and seen >= wanted[0]:
            found.append(value)
            wanted.pop(0)
    return found + [255] * len(wanted)


def _extent(profile: bytes) -> tuple[int, int]:
    """First and last index (end exclusive) where the profile reaches a quarter of its peak."""
    threshold = max(profile) // 4 or 1
    inside = [i for i, v in enumerate(profile) if v >= threshold]
    return (inside[0], inside[-1] + 1) if inside else (0, len(profile))
