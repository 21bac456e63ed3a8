"""What keeping GBK file names costs: parsing one multipart body with and without the
stream wrapper of ``chiefquality/multipart_names.py``.

    .venv/bin/python bench/multipart_names.py wrapped [--megabytes 60]
    .venv/bin/python bench/multipart_names.py plain   [--megabytes 60]
    .venv/bin/python bench/multipart_names.py build   [--megabytes 60]

Each run builds a body like the 申报表's largest (three attachments of a third of the size
each, and the form's fields), then parses it with Django's ``MultiPartParser`` into
temporary files on disk, as a request does: ``plain`` reads the body as it is, ``wrapped``
through ``LegacyFileNameStream``; ``build`` stops before parsing. Time the commands side
by side, paired, and compare.
"""

import argparse
import io
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django  # noqa: E402

django.setup()

from django.core.files.uploadhandler import TemporaryFileUploadHandler  # noqa: E402
from django.http.multipartparser import MultiPartParser  # noqa: E402
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart  # noqa: E402

from chiefquality.multipart_names import LegacyFileNameStream  # noqa: E402


def body(megabytes: int) -> bytes:
    parts: dict = {f"field_{i}": "起草单位" * 20 for i in range(40)}
    size = megabytes * 1024 * 1024 // 3
    for i, name in enumerate(("seal_scan", "unit_profile_file", "drafter_resume_file")):
        upload = io.BytesIO(os.urandom(1024 * 1024) * (size // (1024 * 1024)))
        upload.name = f"附件{i}.pdf"
        parts[name] = upload
    return encode_multipart(BOUNDARY, parts)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["plain", "wrapped", "build"])
    parser.add_argument("--megabytes", type=int, default=60)
    args = parser.parse_args()
    data = body(args.megabytes)
    if args.mode == "build":  # the yardstick: everything but the parsing
        return
    stream = io.BytesIO(data)
    source = LegacyFileNameStream(stream, BOUNDARY.encode()) if args.mode == "wrapped" else stream
    meta = {"CONTENT_TYPE": MULTIPART_CONTENT, "CONTENT_LENGTH": str(len(data))}
    handlers = [TemporaryFileUploadHandler()]
    _post, files = MultiPartParser(meta, source, handlers, "utf-8").parse()
    assert len(files) == 3, sorted(files)
    for upload in files.values():
        upload.close()


if __name__ == "__main__":
    main()
