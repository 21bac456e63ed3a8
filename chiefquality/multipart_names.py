"""Uploads whose file name is not UTF-8 are kept, not dropped.

Django's multipart parser decodes each part's header lines as UTF-8 and skips a line it
cannot decode; a file part whose ``Content-Disposition`` names the file in GBK (an old
Windows client, a script, a page saved in another charset) then loses that header and the
file vanishes without a word: the applicant believes the seal scan is uploaded. Browsers
send UTF-8, so this is rare, but a silent loss is the one outcome the portal must not have.

This middleware wraps the request's body stream before anything parses it. The wrapper
passes every byte through unchanged except a part's header block that is not valid UTF-8:
there the file name is read as GB18030 (a superset of GBK and GB2312, what a Chinese
Windows client sends) and written back as UTF-8, and any other undecodable byte becomes
``?``. The rewritten block keeps its exact length, so ``Content-Length`` stays true and
the body is still streamed, never read into memory: a name too long in UTF-8 loses the end
of its stem (``盖章扫描件.png`` sent as GBK arrives as ``盖章扫.png``), padded with spaces
that the header parser ignores.
"""

from __future__ import annotations

import re
from typing import Any

_FILENAME = re.compile(rb'(filename=")([^"\r\n]*)(")', re.IGNORECASE)
_BOUNDARY = re.compile(r'boundary="?([^";,]+)"?', re.IGNORECASE)

# A part's header block longer than this is passed through untouched (Django refuses it).
MAX_HEADER_BLOCK = 16 * 1024
CHUNK = 64 * 1024


def _ascii_only(line: bytes) -> bytes:
    return bytes(byte if byte < 0x80 else 0x3F for byte in line)


def _utf8_name(raw: bytes) -> bytes:
    """``raw`` (a file name in a legacy encoding) as UTF-8 in at most ``len(raw)`` bytes."""
    name = raw.decode("gb18030", errors="replace").replace("\ufffd", "_")
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    suffix = (dot + extension).encode()
    while stem and len(stem.encode()) + len(suffix) > len(raw):
        stem = stem[:-1]
    encoded = stem.encode() + suffix
    if len(encoded) > len(raw):  # an extension longer than the whole name: keep it ASCII
        return _ascii_only(raw)
    return encoded


def rewrite_header_block(block: bytes) -> bytes:
    """The same header block, valid UTF-8 and of the same length."""
    try:
        block.decode("utf-8")
        return block
    except UnicodeDecodeError:
        pass
    lines = []
    for line in block.split(b"\r\n"):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            match = _FILENAME.search(line)
            if match:
                name = _utf8_name(match.group(2))
                padding = b" " * (len(match.group(2)) - len(name))
                line = (
                    _ascii_only(line[: match.start()])
                    + match.group(1)
                    + name
                    + match.group(3)
                    + padding
                    + _ascii_only(line[match.end() :])
                )
            else:
                line = _ascii_only(line)
        lines.append(line)
    rewritten = b"\r\n".join(lines)
    assert len(rewritten) == len(block)
    return rewritten


class LegacyFileNameStream:
    """A multipart body stream whose part headers come out as UTF-8 (see the module)."""

    def __init__(self, stream: Any, boundary: bytes) -> None:
        self._stream = stream
        self._marker = b"--" + boundary
        self._pending = b""  # read from the stream, not yet looked at
        self._ready = b""  # looked at, to hand out
        self._in_header = False
        self._eof = False

    def _fill(self) -> None:
        if self._eof:
            return
        chunk = self._stream.read(CHUNK)
        if chunk:
            self._pending += chunk
        else:
            self._eof = True

    def _advance(self) -> None:
        """Move at least one byte from ``_pending`` to ``_ready`` unless at the end."""
        while True:
            if self._in_header:
                end = self._pending.find(b"\r\n\r\n")
                if end != -1:
                    block = self._pending[:end]
                    self._ready += rewrite_header_block(block) + b"\r\n\r\n"
                    self._pending = self._pending[end + 4 :]
                    self._in_header = False
                    return
                if len(self._pending) > MAX_HEADER_BLOCK or (self._eof and self._pending):
                    self._ready += self._pending
                    self._pending = b""
                    self._in_header = False
                    return
            else:
                found = self._pending.find(self._marker)
                if found != -1:
                    cut = found + len(self._marker)
                    self._ready += self._pending[:cut]
                    self._pending = self._pending[cut:]
                    self._in_header = True
                    return
                keep = len(self._marker) - 1
                if len(self._pending) > keep:
                    self._ready += self._pending[:-keep]
                    self._pending = self._pending[-keep:]
                    return
                if self._eof:
                    self._ready += self._pending
                    self._pending = b""
                    return
            if self._eof:
                return
            self._fill()

    def read(self, size: int = -1) -> bytes:
        while (size < 0 or len(self._ready) < size) and not (self._eof and not self._pending):
            before = len(self._ready)
            self._advance()
            if len(self._ready) == before and self._eof and not self._pending:
                break
        if size < 0:
            data, self._ready = self._ready, b""
        else:
            data, self._ready = self._ready[:size], self._ready[size:]
        return data

    def readline(self, size: int = -1) -> bytes:
        while b"\n" not in self._ready and not (self._eof and not self._pending):
            self._advance()
        end = self._ready.find(b"\n")
        end = len(self._ready) if end == -1 else end + 1
        if 0 <= size < end:
            end = size
        data, self._ready = self._ready[:end], self._ready[end:]
        return data

    def close(self) -> None:
        close = getattr(self._stream, "close", None)
        if close:
            close()


class KeepLegacyFileNames:
    """Wraps a multipart request's body in :class:`LegacyFileNameStream` (see the module).

    First in ``MIDDLEWARE``: the next middleware may already read ``request.POST``. It uses
    ``request._stream``, the stream Django's own ``HttpRequest.read`` reads; a test posts a
    GBK-named file through the whole stack, so a change there cannot go unnoticed."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        content_type = request.META.get("CONTENT_TYPE", "")
        if (
            request.method == "POST"
            and content_type.lower().startswith("multipart/form-data")
            and not getattr(request, "_read_started", True)
            and hasattr(request, "_stream")
        ):
            match = _BOUNDARY.search(content_type)
            if match:
                request._stream = LegacyFileNameStream(  # noqa: SLF001 (the docstring says why)
                    request._stream,  # noqa: SLF001
                    match.group(1).encode("ascii", "replace"),
                )
        return self.get_response(request)
