"""A file whose name is not UTF-8 is kept (issue 20, item 16): chiefquality/multipart_names."""

import io

import pytest
from django.core.files.uploadhandler import MemoryFileUploadHandler
from django.http.multipartparser import MultiPartParser
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from applications.models import Application
from chiefquality.multipart_names import LegacyFileNameStream, rewrite_header_block
from tests.factories import form_data, seal_upload


class Trickle:
    """A stream that hands out at most ``step`` bytes a read, as a slow socket does."""

    def __init__(self, data: bytes, step: int):
        self.data, self.step = data, step

    def read(self, size=-1):
        size = self.step if size < 0 else min(size, self.step)
        data, self.data = self.data[:size], self.data[size:]
        return data


def body_with_gbk_name(data: dict, field: str, upload, name: str) -> bytes:
    """The multipart body a browser would send, with ``field``'s file name in GBK."""
    body = encode_multipart(BOUNDARY, {**data, field: upload})
    utf8 = f'filename="{upload.name}"'.encode()
    assert body.count(utf8) == 1
    return body.replace(utf8, f'filename="{name}"'.encode("gbk"))


def test_a_gbk_header_block_becomes_utf8_of_the_same_length():
    block = 'Content-Disposition: form-data; name="seal_scan"; filename="盖章扫描件.png"'
    block = block.encode("gbk") + b"\r\nContent-Type: image/png"
    rewritten = rewrite_header_block(block)
    assert len(rewritten) == len(block)
    text = rewritten.decode("utf-8")
    assert 'filename="盖章扫.png"' in text  # 10 GBK bytes of stem hold 3 characters in UTF-8
    assert text.endswith("\r\nContent-Type: image/png")


def test_a_short_ascii_name_and_an_undecodable_one_stay_usable():
    assert rewrite_header_block(b'filename="a.png"') == b'filename="a.png"'
    rewritten = rewrite_header_block(b'name="x"; filename="\xff\xfe.pdf"')
    assert len(rewritten) == len(b'name="x"; filename="\xff\xfe.pdf"')
    assert rewritten.decode("utf-8").startswith('name="x"; filename="')
    assert ".pdf" in rewritten.decode("utf-8")


@settings(max_examples=60, deadline=None)
@given(
    names=st.lists(st.text(min_size=1, max_size=12), min_size=1, max_size=3),
    payload=st.binary(max_size=400),
    step=st.integers(min_value=1, max_value=90),
    legacy=st.booleans(),
)
def test_the_stream_changes_nothing_but_legacy_names(names, payload, step, legacy):
    """Any body, read in any slices: the same length, and byte for byte the same where every
    header is UTF-8; where one is not, Django's parser finds every file."""
    parts = {f"f{i}": io.BytesIO(payload) for i in range(len(names))}
    for i, name in enumerate(names):
        parts[f"f{i}"].name = name.replace('"', "").replace("\r", "").replace("\n", "") or "x"
    body = encode_multipart(BOUNDARY, parts)
    original = body
    if legacy:
        for i in range(len(names)):
            utf8 = f'filename="{parts[f"f{i}"].name}"'.encode()
            try:
                gbk = f'filename="{parts[f"f{i}"].name}"'.encode("gbk")
            except UnicodeEncodeError:
                continue
            body = body.replace(utf8, gbk, 1)
    stream = LegacyFileNameStream(Trickle(body, step), BOUNDARY.encode())
    out = b""
    while chunk := stream.read(step * 3 + 1):
        out += chunk
    assert len(out) == len(body)
    if body == original:
        assert out == body
    else:
        assert sorted(parsed_files(out)) == sorted(parts)


def parsed_files(body: bytes) -> dict:
    meta = {"CONTENT_TYPE": MULTIPART_CONTENT, "CONTENT_LENGTH": str(len(body))}
    parser = MultiPartParser(meta, io.BytesIO(body), [MemoryFileUploadHandler()], "utf-8")
    return dict(parser.parse()[1])


def test_without_the_rewrite_django_drops_the_file():
    """Why the middleware exists: the parser skips the undecodable header, and the file."""
    body = encode_multipart(BOUNDARY, {"seal_scan": seal_upload()})
    legacy = body.replace("盖章扫描件.png".encode(), "盖章扫描件.png".encode("gbk"))
    assert list(parsed_files(body)) == ["seal_scan"]
    assert parsed_files(legacy) == {}
    assert list(
        parsed_files(LegacyFileNameStream(io.BytesIO(legacy), BOUNDARY.encode()).read())
    ) == ["seal_scan"]


@pytest.mark.django_db
def test_a_seal_scan_named_in_gbk_is_kept_not_dropped(client, call):
    """Before the middleware, Django skipped the header and the scan silently vanished."""
    body = body_with_gbk_name(
        form_data(call, action="draft"), "seal_scan", seal_upload(), "盖章扫描件.png"
    )
    response = client.generic(
        "POST",
        reverse("applications:apply", args=["cqo-2021"]),
        body,
        content_type=MULTIPART_CONTENT,
    )
    assert response.status_code == 303, response.content.decode()[:2000]
    application = Application.objects.get()
    assert application.seal_scan_name == "盖章扫.png"
    assert application.seal_scan.size > 0
