"""Tests of the OLE2 limits in applications.uploads.formats (BoundedOleFile).

Each hostile container below is one that plain olefile reads, or would read, given the
time and memory: the check must refuse it as a damaged .doc instead. The containers are
built here with a real sector allocation table (FAT), so that what is refused is the one
declared size each test names, not a broken structure.
"""

from __future__ import annotations

import struct

import olefile
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from applications.uploads import ATTACHMENT_KINDS, inspect_upload
from applications.uploads.kinds import OLE2_MAX_ENTRIES

SECTOR = 512
FREE, END, FAT_SECTOR, DIFAT_SECTOR = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFC
# The start of a FIB as Word 97-2003 writes it (wIdent, nFib, ..., flags word at 0x0A).
WORD_DOCUMENT = struct.pack("<HHHHHH", 0xA5EC, 0x00C1, 0, 0x0804, 0, 0).ljust(4096, b"\0")


def compound_file(
    *,
    listed: int = 0,
    declared_size: int | None = None,
    looping: bool = False,
    difat_sectors: int = 0,
    mini_fat_sectors: int = 0,
) -> bytes:
    """An OLE2 compound file (version 3) holding a WordDocument stream, that olefile reads.

    Layout: header, FAT sectors, directory sectors, the stream's sectors, DIFAT sectors.
    ``listed`` more streams are listed in the directory (64 bytes each, in the mini stream,
    never read); ``declared_size`` replaces the stream's size in its entry; ``looping`` makes
    the stream's last sector point back to its first. ``difat_sectors`` adds that many DIFAT
    sectors, each naming the first FAT sector 127 times, and has the header claim the FAT
    sectors they add up to; ``mini_fat_sectors`` is what the header claims of the MiniFAT.
    """
    entries = 2 + listed
    dir_sectors = -(-entries // 4)
    data_sectors = len(WORD_DOCUMENT) // SECTOR
    fat_sectors = 1
    while fat_sectors * SECTOR // 4 < fat_sectors + dir_sectors + data_sectors + difat_sectors:
        fat_sectors += 1
    assert fat_sectors <= 109, "the header lists at most 109 FAT sectors"

    fat = [FAT_SECTOR] * fat_sectors
    first_dir = len(fat)
    fat += [*range(first_dir + 1, first_dir + dir_sectors), END]
    first_data = len(fat)
    fat += [*range(first_data + 1, first_data + data_sectors), first_data if looping else END]
    first_difat = len(fat) if difat_sectors else END
    fat += [DIFAT_SECTOR] * difat_sectors
    fat_bytes = struct.pack(f"<{len(fat)}I", *fat).ljust(fat_sectors * SECTOR, b"\xff")

    def entry(name: str, kind: int, start: int, size: int, sid: int) -> bytes:
        """The streams form a balanced tree under the root: entry i's children are 2i, 2i+1."""
        left, right = (kid if kid < entries else FREE for kid in (2 * sid, 2 * sid + 1))
        if kind == 5:  # the root: its one child is the top of the tree
            left, right, child = FREE, FREE, 1
        else:
            child = FREE
        encoded = (name.encode("utf-16-le") + b"\0\0").ljust(64, b"\0")
        return encoded + struct.pack(
            "<HBBIII16sIQQIQ", len(name) * 2 + 2, kind, 1, left, right, child,
            bytes(16), 0, 0, 0, start, size,
        )  # fmt: skip

    size = len(WORD_DOCUMENT) if declared_size is None else declared_size
    directory = entry("Root Entry", 5, END, 0, 0) + entry("WordDocument", 2, first_data, size, 1)
    for sid in range(2, entries):
        directory += entry(f"listed{sid}", 2, sid, 64, sid)  # start sectors differ, as they must

    claimed_fat_sectors = 109 + 127 * difat_sectors if difat_sectors else fat_sectors
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(16)
    header += struct.pack(
        "<HHHHH6xIIIIIIIII", 0x3E, 3, 0xFFFE, 9, 6, 0, claimed_fat_sectors, first_dir, 0,
        4096, END, mini_fat_sectors, first_difat, difat_sectors,
    )  # fmt: skip
    header = (header + struct.pack(f"<{fat_sectors}I", *range(fat_sectors))).ljust(SECTOR, b"\xff")

    difat = b""
    for i in range(difat_sectors):
        following = first_difat + i + 1 if i + 1 < difat_sectors else END
        difat += struct.pack("<127II", *[0] * 127, following)
    return header + fat_bytes + directory.ljust(dir_sectors * SECTOR, b"\0") + WORD_DOCUMENT + difat


def inspect(content: bytes):
    return inspect_upload(
        SimpleUploadedFile("plan.doc", content, content_type="application/msword"),
        allowed=ATTACHMENT_KINDS,
    )


def refused_as_corrupt(content: bytes) -> bool:
    with pytest.raises(ValidationError) as caught:
        inspect(content)
    return caught.value.code == "corrupt_doc"


def test_a_container_built_here_is_read_and_accepted():
    content = compound_file(listed=OLE2_MAX_ENTRIES - 2)

    with olefile.OleFileIO(content) as container:
        assert container.openstream("WordDocument").read() == WORD_DOCUMENT
        assert len(container.listdir()) == OLE2_MAX_ENTRIES - 1
    assert inspect(content).kind == "doc"


def test_more_directory_entries_than_the_limit():
    """olefile compares each entry with every earlier one: its work grows with the square of
    the count, and an upload has room for a hundred thousand entries."""
    content = compound_file(listed=OLE2_MAX_ENTRIES - 1)

    with olefile.OleFileIO(content) as container:
        assert len(container.listdir()) == OLE2_MAX_ENTRIES
    assert refused_as_corrupt(content)


@pytest.mark.parametrize("looping", [False, True], ids=["declared", "looping"])
def test_a_stream_larger_than_the_file(looping):
    """A stream declaring 8 MB in a 6 KB file: olefile reads what is there and, with a chain
    that loops, reads it into memory again and again up to the size declared (up to 4 GB in
    such a file, more with 4 KB sectors)."""
    content = compound_file(declared_size=8 * 2**20, looping=looping)

    with olefile.OleFileIO(content) as container:
        size = len(container.openstream("WordDocument").read())
    assert size == (8 * 2**20 if looping else len(WORD_DOCUMENT))
    assert refused_as_corrupt(content)


def test_more_fat_sectors_than_the_file_needs():
    """The header claims 109 + 127 x 4 FAT sectors, listed by 4 DIFAT sectors: olefile reads
    every one and joins the FAT by copying it each time, work that grows with the square of
    the count (and with a DIFAT chain that loops, the header's count is all that ends it)."""
    content = compound_file(difat_sectors=4)

    with olefile.OleFileIO(content) as container:
        assert container.openstream("WordDocument").read() == WORD_DOCUMENT
    assert refused_as_corrupt(content)


def test_more_minifat_sectors_than_the_file_has():
    """olefile reads as many MiniFAT sectors as the header claims, once a small stream is
    opened."""
    content = compound_file(mini_fat_sectors=2**24)

    with olefile.OleFileIO(content) as container:
        assert container.openstream("WordDocument").read() == WORD_DOCUMENT
    assert refused_as_corrupt(content)
