"""What the seal scan's QR check costs, and how often it finds the stamps: issue 18's figures.

    .venv/bin/python bench/qr_check.py [--rounds 3] [--corpus-only | --timings-only]

Renders a real 申报表 (three pages: a long 单位简介) on a scratch database, then

1. the corpus: every page photographed-looking (tests/factories/scans.py) under each
   distortion at two strengths, as a 12 MP phone JPEG in one of the four EXIF orientations,
   read by ``uploads.read_stamps``; prints the detection rate per distortion and the false
   outcomes (a stale or another application's form judged ``matches``), and the red-seal
   hint's precision and recall on stamped pages, unstamped pages and pages with red marks
   that are not seals;
2. the timings: in a fresh process per round, the check of a 4,032 × 3,024 photo, a
   three-page scanned PDF, a 39.9 MP JPEG (the largest the pixel limit lets through), a
   photo no pass can read (every pass runs) and 24 and 48 MP iPhone HEICs (decoded by
   strips), with the growth of the process's peak resident memory during the check (as
   bench/uploads.py); the PNG and the HEICs also as before the reader used the check's
   picture (decoded twice), for the ratio.

``--before REV`` (default: the commit before issue 18's last round) runs that commit's QR
reader and red-seal hint on the same photos, beside this tree's: the corpus's before/after.

Figures: docs/performance.md ("The seal scan's QR check").
"""

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import types
from pathlib import Path

import _scratch  # noqa: F401  (sets Django up on a scratch database)

ROOT = Path(__file__).resolve().parents[1]

CHILD = """
import json, os, sys, time
import django
django.setup()
from django.core.files import File
from applications.uploads import SEAL_KINDS, inspect_upload, read_stamps

def check(path, name, once=True):
    # As the form does: the upload check, then the reader on the picture it decoded (once);
    # else the reader decodes the file again, as before it could.
    with open(path, "rb") as handle:
        upload = File(handle, name=name)
        upload.size = os.path.getsize(path)
        inspected = inspect_upload(upload, allowed=SEAL_KINDS, keep_picture=once)
        return read_stamps(upload, inspected.kind, inspected.picture)

check(sys.argv[3], "warm.jpg")
def status(field):
    with open("/proc/self/status") as lines:
        return next(int(line.split()[1]) for line in lines if line.startswith(field + ":"))

with open("/proc/self/clear_refs", "w") as clear:
    clear.write("5")
before = status("VmRSS")
started, cpu = time.perf_counter(), time.process_time()
found = check(sys.argv[1], sys.argv[2], once=sys.argv[4] == "once")
elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
peak = status("VmHWM")
print(json.dumps(
    {"seconds": elapsed, "cpu": cpu, "mb": max(0, peak - before) / 1024, "found": len(found)}
))
"""


def form(call, number, **overrides):
    from applications.documents import pdf
    from applications.models import Application
    from tests.factories import create_application

    application, _ = create_application(call, number, **overrides)
    application = Application.objects.get(pk=application.pk)
    return application, pdf.application_form_pdf(application)


def module_at(revision: str, path: str, name: str):
    """The module ``path`` as it was at ``revision`` (git show), imported as ``name``: the
    "before" column of the corpus runs the reader of that commit on the same photos."""
    source = subprocess.run(
        ["git", "show", f"{revision}:{path}"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    module = types.ModuleType(name)
    module.__file__ = f"{revision}:{path}"
    exec(compile(source, module.__file__, "exec"), module.__dict__)
    return module


# (name, legible to a person, variants). Not legible: a blur of 0.6 module or more leaves
# neighbouring modules at most 16 % apart in brightness (the Gaussian's contrast at the
# module frequency), which no one reads by eye; such pages stay in the table, apart.
def distortions(s):
    return [
        ("upright photo", True, [lambda p: s.on_table(p), lambda p: s.on_table(p, fill=0.55)]),
        (
            "rotated",
            True,
            [lambda p: s.on_table(s.rotate(p, 7)), lambda p: s.on_table(s.rotate(p, 25))],
        ),
        (
            "skewed",
            True,
            [lambda p: s.on_table(s.skew(p, 0.12)), lambda p: s.on_table(s.skew(p, 0.25))],
        ),
        (
            "perspective",
            True,
            [
                lambda p: s.on_table(s.perspective(p, 0.12)),
                lambda p: s.on_table(s.perspective(p, 0.25)),
            ],
        ),
        ("blurred 1.5 px (0.35 module)", True, [lambda p: s.blur(s.on_table(p), 1.5)]),
        ("blurred 2 px (0.5 module)", True, [lambda p: s.blur(s.on_table(p), 2.0)]),
        ("blurred 2.5 px (0.6 module)", False, [lambda p: s.blur(s.on_table(p), 2.5)]),
        ("blurred 3 px (0.75 module)", False, [lambda p: s.blur(s.on_table(p), 3.0)]),
        (
            "hard JPEG",
            True,
            [lambda p: s.hard_jpeg(s.on_table(p), 15), lambda p: s.hard_jpeg(s.on_table(p), 6)],
        ),
        (
            "dark on one side",
            True,
            [
                lambda p: s.dark_side(s.on_table(p), 0.35),
                lambda p: s.dark_side(s.on_table(p), 0.15),
            ],
        ),
        (
            "seal over the QR",
            True,
            [
                lambda p, w=where: s.on_table(s.seal_over_qr(p, w))
                for where in ("corner", "edge", "centre")
            ],
        ),
        ("noise and vignette", True, [lambda p: s.photo_look(s.on_table(p))]),
    ]


def corpus(call, before: str):
    from applications import stamp, uploads
    from applications.enums import ScanCheck
    from applications.uploads import seal
    from tests.factories import scans as s

    old_qr = module_at(before, "applications/uploads/qr.py", "qr_before")
    old_seal = module_at(before, "applications/uploads/seal.py", "seal_before")
    application, data = form(call, 41, unit_profile="本单位推行首席质量官制度，成效显著。" * 200)
    code = stamp.digest(application)
    pages = s.pdf_pages(data, dpi=200)
    _other, other_data = form(call, 42)
    print(f"\nbefore: the reader at {before}; after: this tree's")
    print(f"\n{'distortion':<30} {'legible':>7} {'pages':>5} {'before':>7} {'after':>7}")
    photos_of_form = []
    totals = {True: [0, 0, 0], False: [0, 0, 0]}
    for name, legible, variants in distortions(s):
        found_before = found = total = 0
        for v, distort in enumerate(variants):
            for number, page in enumerate(pages, start=1):
                orientation = (1, 6, 3, 8)[(number + v) % 4]
                photo = s.jpeg_bytes(distort(page), orientation=orientation)
                expected = stamp.qr_text(application.reference, code, number, len(pages))
                texts = uploads.read_stamps(io.BytesIO(photo), "jpeg")
                total += 1
                found += expected in texts
                found_before += expected in old_qr.read_stamps(io.BytesIO(photo), "jpeg")
                photos_of_form.append(texts)
        for i, n in enumerate((total, found_before, found)):
            totals[legible][i] += n
        print(
            f"{name:<30} {'yes' if legible else 'no':>7} {total:>5} "
            f"{found_before:>3} {found_before / total:>3.0%} {found:>3} {found / total:>3.0%}"
        )
    for legible, (total, found_before, found) in totals.items():
        print(
            f"{'all legible' if legible else 'all not legible':<30} {'':>7} {total:>5} "
            f"{found_before:>3} {found_before / total:>3.0%} {found:>3} {found / total:>3.0%}"
        )

    # False outcomes: the same photos after a printed edit, and another application's form.
    false_matches = 0
    application.address += "（新址）"
    new_code = stamp.digest(application)
    for texts in photos_of_form:
        false_matches += stamp.judge(texts, application.reference, new_code).outcome == (
            ScanCheck.MATCHES
        )
    other_texts = uploads.read_stamps(io.BytesIO(other_data), "pdf")
    false_matches += stamp.judge(other_texts, application.reference, code).outcome == (
        ScanCheck.MATCHES
    )
    print(f"false 'matches' over {len(photos_of_form) + 1} stale or other forms: {false_matches}")
    scanned = uploads.read_stamps(io.BytesIO(s.scanned_pdf(pages)), "pdf")
    verdict = stamp.judge(scanned, application.reference, code)
    print(f"three-page scanned PDF: {verdict.outcome}")
    seal_hint(s, pages, old_seal, seal)
    return pages


def seal_hint(s, pages, old_seal, seal) -> None:
    """The red-seal hint, before and after, on stamped pages, unstamped ones and ones with red
    marks that are not seals; after, also where the seal was seen."""
    cases = s.seal_hint_cases(pages)
    print(f"\n{'page':<36} {'truth':>6} {'before':>7} {'after':>7}  where")
    counts = {"before": [0, 0, 0], "after": [0, 0, 0]}  # tp, fp, fn
    for label, truth, where, img in cases:
        photo = s.jpeg_bytes(img)
        said_before = bool(old_seal.detect_red_seal(io.BytesIO(photo), "jpeg"))
        found = seal.find_red_seal(io.BytesIO(photo), "jpeg")
        said = bool(found and found.seen)
        for key, answer in (("before", said_before), ("after", said)):
            counts[key][0] += truth and answer
            counts[key][1] += (not truth) and answer
            counts[key][2] += truth and not answer
        seen_at = found.where if found and found.seen else "-"
        print(f"{label:<36} {truth!s:>6} {said_before!s:>7} {said!s:>7}  {seen_at} ({where})")
    for key, (tp, fp, fn) in counts.items():
        precision = tp / (tp + fp) if tp + fp else float("nan")
        recall = tp / (tp + fn) if tp + fn else float("nan")
        print(f"red-seal hint {key}: precision {precision:.0%}, recall {recall:.0%}", end="")
        print(f" ({len(cases)} pages)")


def heic_bytes(img) -> bytes:
    out = io.BytesIO()
    img.save(out, format="HEIF", quality=85)
    return out.getvalue()


def timings(pages, rounds: int) -> None:
    from PIL import Image

    from tests.factories import scans as s

    with tempfile.TemporaryDirectory() as directory:
        folder = Path(directory)
        files = {
            "photo 4,032 x 3,024 (12 MP JPEG)": (
                "photo.jpg",
                s.jpeg_bytes(s.on_table(pages[0]), orientation=6),
            ),
            "scanned PDF, three pages, 150 dpi": ("scan.pdf", s.scanned_pdf(pages[:3])),
            "photo 7,296 x 5,472 (39.9 MP JPEG)": (
                "big.jpg",
                s.jpeg_bytes(s.on_table(pages[0], size=(7296, 5472))),
            ),
            "PNG 4,090 x 4,090 (16.7 MP, the PNG limit)": (
                "big.png",
                s.png_bytes(s.on_table(pages[0], size=(4090, 4090))),
            ),
            "photo 12 MP, blurred 3 px: no stamp, every pass": (
                "blurred.jpg",
                s.jpeg_bytes(s.blur(s.on_table(pages[0]), 3.0), orientation=6),
            ),
            "HEIC 5,712 x 4,284 (24.5 MP iPhone)": (
                "IMG_24.HEIC",
                heic_bytes(s.on_table(pages[0], size=(5712, 4284))),
            ),
            "HEIC 8,064 x 6,048 (48.8 MP iPhone)": (
                "IMG_48.HEIC",
                heic_bytes(s.on_table(pages[0], size=(8064, 6048))),
            ),
        }
        warm = folder / "warm.jpg"
        Image.new("RGB", (64, 64), "white").save(warm)
        # CPU: of every thread of the process (libheif decodes on several); on a machine
        # shared with other work it says more than the time, which waits for the CPU.
        print(f"\n{'file':<64} {'time':>8} {'cpu':>8} {'memory':>9} found")
        rows = [(label, name, content, "once") for label, (name, content) in files.items()]
        # A picture the check decodes in full (PNG, HEIC) is read by the QR reader as it is;
        # before, the reader decoded the file a second time: both, side by side.
        rows += [
            (f"{label}, decoded twice (before)", name, content, "twice")
            for label, (name, content) in files.items()
            if name.endswith((".png", ".HEIC"))
        ]
        for label, name, content, mode in rows:
            path = folder / name
            path.write_bytes(content)
            runs = []
            for _ in range(rounds):
                result = subprocess.run(
                    [sys.executable, "-c", CHILD, str(path), name, str(warm), mode],
                    cwd=ROOT,
                    env={**os.environ},
                    capture_output=True,
                    text=True,
                    timeout=600,
                    check=True,
                )
                runs.append(json.loads(result.stdout.strip().splitlines()[-1]))
            seconds = statistics.median(r["seconds"] for r in runs)
            cpu = statistics.median(r["cpu"] for r in runs)
            mb = statistics.median(r["mb"] for r in runs)
            print(f"{label:<64} {seconds:>6.2f} s {cpu:>6.2f} s {mb:>6.0f} MB {runs[0]['found']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--corpus-only", action="store_true")
    parser.add_argument("--timings-only", action="store_true")
    parser.add_argument(
        "--before", default="ca81911", help="the commit whose reader and seal hint 'before' runs"
    )
    options = parser.parse_args()
    import io as _io

    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    from applications.models import Call
    from tests.factories import scans as s

    setup_test_environment()
    call_command("migrate", verbosity=0, stdout=_io.StringIO())
    call_command("seed_call", deadline="2099-12-31", stdout=_io.StringIO())
    call = Call.objects.get(code="cqo-2021")
    if options.timings_only:
        _application, data = form(
            call, 43, unit_profile="本单位推行首席质量官制度，成效显著。" * 200
        )
        pages = s.pdf_pages(data, dpi=200)
    else:
        pages = corpus(call, options.before)
    if not options.corpus_only:
        timings(pages, options.rounds)


if __name__ == "__main__":
    main()
