"""Hostile uploads, built cheaply: small files that cost a server far more than their size
to check (tests/uploads/test_costs.py, bench/uploads.py)."""

import io
import struct
import zlib

from PIL import Image


def pdf_with_pages(pages: int) -> bytes:
    """A valid PDF of ``pages`` empty pages sharing one MediaBox (99,000 pages: ~6 MB)."""
    objects = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Count %d/MediaBox[0 0 595 842]/Kids[%s]>>"
        % (pages, b" ".join(b"%d 0 R" % (n + 3) for n in range(pages))),
    ]
    objects += [b"<</Type/Page/Parent 2 0 R>>"] * pages
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.write(b"".join(b"%010d 00000 n \n" % offset for offset in offsets))
    out.write(
        b"trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


def pdf_with_image(width: int, height: int) -> bytes:
    """A one-page PDF showing one white RGB image of width x height, Flate-compressed."""
    data = zlib.compress(b"\xff" * (width * 3) * height, 9)
    objects = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Count 1/Kids[3 0 R]>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Resources<</XObject<</Im0 4 0 R>>>>"
        b"/Contents 5 0 R>>",
        b"<</Type/XObject/Subtype/Image/Width %d/Height %d/ColorSpace/DeviceRGB"
        b"/BitsPerComponent 8/Filter/FlateDecode/Length %d>>\nstream\n%s\nendstream"
        % (width, height, len(data), data),
        b"<</Length 31>>\nstream\nq 595 0 0 842 0 0 cm /Im0 Do Q\nendstream",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.write(b"".join(b"%010d 00000 n \n" % offset for offset in offsets))
    out.write(
        b"trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Override PartName="/word/document.xml" ContentType="application/'
    b'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)
DOCUMENT = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    b"<w:body><w:p><w:r><w:t>x</w:t></w:r></w:p></w:body></w:document>"
)


def docx_with_entries(entries: int) -> bytes:
    """A DOCX holding ``entries`` empty members besides its two parts (150,000: ~12 MB),
    written record by record (ZIP64 end records, as zipfile writes past 65,535 entries)."""
    members = [("[Content_Types].xml", CONTENT_TYPES), ("word/document.xml", DOCUMENT)]
    members += [(f"m/{number:x}", b"") for number in range(entries)]
    local, central = io.BytesIO(), io.BytesIO()
    for name, data in members:
        encoded, crc, offset = name.encode(), zlib.crc32(data), local.tell()
        local.write(
            struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, 0, 0, 0x21, crc, len(data),
                        len(data), len(encoded), 0) + encoded + data
        )  # fmt: skip
        central.write(
            struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0, 0, 0, 0x21, crc,
                        len(data), len(data), len(encoded), 0, 0, 0, 0, 0, offset) + encoded
        )  # fmt: skip
    start, size, count = local.tell(), central.tell(), len(members)
    end64 = local.tell() + size
    tail = struct.pack("<4sQHHIIQQQQ", b"PK\x06\x06", 44, 45, 45, 0, 0, count, count, size, start)
    tail += struct.pack("<4sIQI", b"PK\x06\x07", 0, end64, 1)
    tail += struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, size, start, 0)
    return local.getvalue() + central.getvalue() + tail


def png_with_pixels(width: int, height: int, *, mode: str = "RGB") -> bytes:
    """A white PNG of width x height (RGB or L), compressed row by row (40 MP: ~120 KB)."""
    channels, colour_type = {"RGB": (3, 2), "L": (1, 0)}[mode]

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    compressor = zlib.compressobj(9)
    row = b"\0" + b"\xff" * (width * channels)
    idat = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0))
        + chunk(b"IDAT", idat)
        + chunk(b"IEND", b"")
    )


def jpeg_with_pixels(width: int, height: int, *, progressive: bool = False) -> bytes:
    """A white JPEG of width x height, written by Pillow."""
    out = io.BytesIO()
    Image.new("L", (width, height), 255).convert("RGB").save(
        out, "JPEG", quality=50, progressive=progressive
    )
    return out.getvalue()
