"""Helpers of the document tests: selected units, reviewers, organisers, PDF reading."""

import io
import re
import subprocess
from pathlib import Path

from django.contrib.auth.models import Group, Permission
from PIL import Image, ImageChops
from pypdf import PdfReader

from applications.models import OrganisingBody
from tests.factories import UserFactory, create_application, decide_final

ARTIFACTS = Path(__file__).resolve().parents[1] / "browser" / "artifacts" / "documents"


def organiser(username="organiser", *perms):
    """A staff user who may view applications (and whatever ``perms`` add)."""
    user = UserFactory(username=username, is_staff=True, password=None)  # no slow hashing
    codenames = ["view_application", *perms]
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return user


def reviewer_of(body: OrganisingBody, username: str):
    group, _ = Group.objects.get_or_create(name=f"评审组 {body.pk}")
    if body.reviewer_group_id != group.pk:
        body.reviewer_group = group
        body.save(update_fields=["reviewer_group"])
    user = UserFactory(username=username, is_staff=True, password=None)  # no slow hashing
    user.groups.add(group)
    return user


def select(application, actor):
    return decide_final(application, "select", actor, reason="测试")


def selected_units(call, actor, specs):
    """Create and select one application per (number, unit_name, drafter_name, standard
    positions) in ``specs``, in that order; returns the applications."""
    standards = list(call.standards.all())
    made = []
    for number, unit_name, drafter_name, positions in specs:
        application, _ = create_application(
            call,
            number,
            unit_name=unit_name,
            drafter_name=drafter_name,
            standards=[standards[p - 1] for p in positions],
        )
        made.append(select(application, actor))
    return made


def pdf_reader(data: bytes) -> PdfReader:
    assert data.startswith(b"%PDF-")
    return PdfReader(io.BytesIO(data))


def squash(text: str) -> str:
    """Text without any white space: lines wrap anywhere in Chinese."""
    return re.sub(r"\s+", "", text)


def page_texts(data: bytes) -> list[str]:
    return [squash(page.extract_text()) for page in pdf_reader(data).pages]


def font_names(data: bytes) -> set[str]:
    """The /BaseFont of every font the PDF's pages use, subset tag dropped (LWGGBP+…)."""
    names = set()
    for page in pdf_reader(data).pages:
        fonts = page["/Resources"].get("/Font", {})
        for ref in fonts.values():
            names.add(str(ref.get_object()["/BaseFont"]).lstrip("/").split("+", 1)[-1])
    return names


def pdf_page_png(data: bytes, page: int = 1, *, dpi: int = 50, keep_as: str = "") -> Image.Image:
    """One page rendered by poppler's pdftoppm, as a reader or printer would show it."""
    result = subprocess.run(
        ["pdftoppm", "-png", "-singlefile", "-r", str(dpi), "-f", str(page), "-l", str(page), "-"],
        input=data,
        capture_output=True,
        check=True,
        timeout=60,
    )
    if keep_as:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / keep_as).write_bytes(result.stdout)
    return Image.open(io.BytesIO(result.stdout)).convert("RGB")


def ink(image: Image.Image, box=None) -> dict[str, float]:
    """Fractions of the (cropped) image's pixels that are non-white, dark, and seal red."""
    if box is not None:
        width, height = image.size
        image = image.crop(
            (int(box[0] * width), int(box[1] * height), int(box[2] * width), int(box[3] * height))
        )
    r, g, b = image.split()
    total = image.width * image.height
    lowest = ImageChops.darker(ImageChops.darker(r, g), b).histogram()
    highest = ImageChops.lighter(ImageChops.lighter(r, g), b).histogram()
    red = ImageChops.multiply(
        r.point(lambda v: 255 if v > 150 else 0),
        ImageChops.lighter(g, b).point(lambda v: 255 if v < 90 else 0),
    ).histogram()[255]
    return {
        "non_white": sum(lowest[:235]) / total,
        "dark": sum(highest[:110]) / total,
        "red": red / total,
    }
