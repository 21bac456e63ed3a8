"""What one upload check costs: time and peak memory of ``inspect_upload`` per file.

    .venv/bin/python bench/uploads.py [--rounds 3]

Builds each file once (tests/factories/hostile.py: small files that are costly to check,
and ordinary ones for comparison), writes it to a temporary folder, then checks it in a
fresh process per round, as a worker does with an upload streamed to disk: the seal scan's
kinds with the red-seal hint, the others as an attachment. A process reports the time of
the check and how much its peak resident memory grew during it (Linux: the peak, VmHWM, is
reset just before the check; its value after, minus the resident size before; imports and
a warm-up check of a small file come first). It prints the median of the rounds for each
file and the answer (accepted, or the refusal's code). Target: each check under about
1 s and 100 MB.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# name -> (builder, arguments, upload name, seal hint)
CASES = {
    "PDF, 99,000 pages": ("pdf_with_pages", (99_000,), "pages.pdf", True),
    "PDF, 20 pages": ("pdf_with_pages", (20,), "pages.pdf", True),
    "PDF, 1,000 pages (the limit)": ("pdf_with_pages", (1_000,), "pages.pdf", True),
    "PDF, 9,000 pages": ("pdf_with_pages", (9_000,), "pages.pdf", True),
    "PDF, 9,000 pages, page count understated": ("pdf_understating", (9_000,), "p.pdf", True),
    "PDF, one 39.9 MP image": ("pdf_with_image", (6317, 6317), "scan.pdf", True),
    "DOCX, 150,000 entries": ("docx_with_entries", (150_000,), "plan.docx", False),
    "DOCX, 200 entries": ("docx_with_entries", (200,), "plan.docx", False),
    "DOCX, 5,000 entries (the limit)": ("docx_with_entries", (4_998,), "plan.docx", False),
    "PNG, 39.9 MP RGB": ("png_with_pixels", (6317, 6317), "seal.png", True),
    "PNG, 16.7 MP RGB (the limit)": ("png_with_pixels", (4090, 4090), "seal.png", True),
    "PNG, A4 at 300 dpi (8.7 MP RGB)": ("png_with_pixels", (2480, 3508), "seal.png", True),
    "JPEG, 39.9 MP progressive": ("jpeg_with_pixels", (6317, 6317), "seal.jpg", True),
    "JPEG, 39.9 MP baseline": ("jpeg_with_pixels", (6317, 6317), "seal.jpg", True),
}
PROGRESSIVE = {"JPEG, 39.9 MP progressive"}

CHILD = """
import json, os, sys, time
import django
django.setup()
from django.core.exceptions import ValidationError
from django.core.files import File
from applications.uploads import ATTACHMENT_KINDS, SEAL_KINDS, inspect_upload
from applications import demo

def check(path, name, seal):
    with open(path, "rb") as handle:
        upload = File(handle, name=name)
        upload.size = os.path.getsize(path)
        try:
            inspect_upload(upload, allowed=SEAL_KINDS if seal else ATTACHMENT_KINDS, seal_hint=seal)
            return "accepted"
        except ValidationError as exc:
            return exc.code

warm = sys.argv[4] + ".warm.png"
with open(warm, "wb") as out:
    out.write(demo.seal_scan_png())
check(warm, "seal.png", True)
def status(field):
    with open("/proc/self/status") as lines:
        return next(int(line.split()[1]) for line in lines if line.startswith(field + ":"))

with open("/proc/self/clear_refs", "w") as clear:
    clear.write("5")  # resets the peak (VmHWM) to the current resident size
before = status("VmRSS")
started = time.perf_counter()
answer = check(sys.argv[1], sys.argv[2], sys.argv[3] == "1")
elapsed = time.perf_counter() - started
peak = status("VmHWM")
print(json.dumps({"seconds": elapsed, "mb": max(0, peak - before) / 1024, "answer": answer}))
"""


def build(directory: Path) -> dict[str, Path]:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    django.setup()
    from tests.factories import hostile

    paths = {}
    for number, (label, (builder, args, name, _seal)) in enumerate(CASES.items()):
        kwargs = {"progressive": True} if label in PROGRESSIVE else {}
        path = directory / f"{number}-{name}"
        if builder == "pdf_understating":  # a page tree whose /Count says 1
            content = hostile.pdf_with_pages(*args).replace(b"/Count %d" % args[0], b"/Count 1")
        else:
            content = getattr(hostile, builder)(*args, **kwargs)
        path.write_bytes(content)
        paths[label] = path
    return paths


def measure(path: Path, name: str, seal: bool, rounds: int) -> dict:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"}
    runs = []
    for _ in range(rounds):
        result = subprocess.run(
            [sys.executable, "-c", CHILD, str(path), name, "1" if seal else "0", str(path)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=True,
        )
        runs.append(json.loads(result.stdout.strip().splitlines()[-1]))
    return {
        "seconds": statistics.median(run["seconds"] for run in runs),
        "mb": statistics.median(run["mb"] for run in runs),
        "answer": runs[0]["answer"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="also print the results as JSON")
    options = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    results = {}
    with tempfile.TemporaryDirectory() as directory:
        paths = build(Path(directory))
        print(f"{'file':<46} {'size':>9} {'time':>8} {'memory':>9}  answer")
        for label, path in paths.items():
            _builder, _args, name, seal = CASES[label]
            result = measure(path, name, seal, options.rounds)
            results[label] = result
            size = path.stat().st_size / 1024 / 1024
            print(
                f"{label:<46} {size:>6.2f} MB {result['seconds']:>6.2f} s "
                f"{result['mb']:>6.0f} MB  {result['answer']}"
            )
    if options.json:
        print(json.dumps(results))


if __name__ == "__main__":
    main()
