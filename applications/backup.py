"""One archive with the whole portal: its database rows and every stored file.

The rows are written by Django's serialisers (``dumpdata`` with natural foreign keys), not by
``pg_dump``: the same archive restores into SQLite or PostgreSQL (a laptop can open a copy of
production; the tests round-trip it on both), no client binary of the server's exact version
is needed, and every model of every installed app is in it without a list to keep — the
tables of apps added later included. Content types and permissions are left out: ``migrate``
makes them, and rows refer to them by natural key. Sessions are left out too.

The archive is a gzip'd tar:

- ``database.json``: the rows, read in one repeatable-read transaction on PostgreSQL;
- ``files/<name>``: every file in the private storage (folder or bucket), under its name;
- ``manifest.json`` (last): counts per model, the files with their sizes, the sha256 of
  everything (checked before a restore writes anything), and the files that rows name but
  the storage did not hold (``missing_files``: lost before, or replaced during the backup).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import tarfile
import tempfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.apps import apps
from django.core import serializers
from django.core.files import File
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction

from applications.storage import private_storage

FORMAT = 1
DATABASE = "database.json"
MANIFEST = "manifest.json"
FILES = "files/"
# Made by `migrate` (and referred to by natural key), or worthless in another database.
NOT_BACKED_UP = ("contenttypes", "auth.permission", "sessions")
CHUNK = 1024 * 1024
# Django's JSON, with times to the microsecond (applications/backup_json.py).
SERIALIZATION = "backup-json"


def _register_format() -> None:
    serializers.register_serializer(SERIALIZATION, "applications.backup_json")


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


@dataclass(frozen=True)
class Summary:
    objects: dict[str, int]
    files: int
    file_bytes: int
    # Files that rows of the backup name but the storage did not hold when it was read.
    missing: tuple[str, ...] = ()


class _Hashing:
    """Reads through to ``source``, hashing and counting what passes."""

    def __init__(self, source: IO[bytes]):
        self.source = source
        self.sha256 = hashlib.sha256()
        self.size = 0

    def read(self, size: int = -1) -> bytes:
        data = self.source.read(size)
        self.sha256.update(data)
        self.size += len(data)
        return data


def _sha256_of(handle: IO[bytes]) -> str:
    digest = hashlib.sha256()
    while chunk := handle.read(CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


def _private_file_fields() -> dict[str, list[str]]:
    """model label → its FileFields kept in the private storage."""
    storage = private_storage()
    return {
        model._meta.label_lower: names
        for model in apps.get_models()
        if (
            names := [
                field.name
                for field in model._meta.get_fields()
                if isinstance(field, models.FileField) and field.storage is storage
            ]
        )
    }


def _dump_database(path: Path, database: str) -> tuple[dict[str, int], set[str]]:
    """The rows into ``path``, all from one snapshot: counts per model, stored names named."""
    connection = connections[database]
    _register_format()
    with transaction.atomic(using=database):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        call_command(
            "dumpdata",
            format=SERIALIZATION,
            exclude=list(NOT_BACKED_UP),
            natural_foreign=True,
            use_base_manager=True,
            database=database,
            output=str(path),
            verbosity=0,
        )
    with path.open("rb") as handle:
        rows = json.load(handle)
    file_fields = _private_file_fields()
    named = {
        row["fields"][field]
        for row in rows
        for field in file_fields.get(row["model"], ())
        if row["fields"].get(field)
    }
    return dict(sorted(Counter(row["model"] for row in rows).items())), named


def backup(destination: Path, *, database: str = DEFAULT_DB_ALIAS) -> Summary:
    """Write the archive to ``destination`` (a new file). Reads; changes nothing."""
    storage = private_storage()
    with tempfile.TemporaryDirectory() as scratch:
        dump = Path(scratch) / DATABASE
        counts, named = _dump_database(dump, database)
        with dump.open("rb") as handle:
            database_sha = _sha256_of(handle)
        files: list[dict[str, Any]] = []
        with tarfile.open(destination, "x:gz") as archive:
            archive.add(dump, arcname=DATABASE)
            for name, modified in sorted(storage.walk()):
                handle, size = storage.open_stream(name)
                with handle:
                    info = tarfile.TarInfo(FILES + name)
                    info.size = size
                    info.mtime = int(modified.timestamp())
                    info.mode = 0o640
                    hashing = _Hashing(handle)
                    archive.addfile(info, hashing)
                if hashing.size != size:
                    raise BackupError(f"{name}: read {hashing.size} bytes of {size}")
                files.append({"name": name, "size": size, "sha256": hashing.sha256.hexdigest()})
            manifest = {
                "format": FORMAT,
                "created_at": dt.datetime.now(dt.UTC).isoformat(),
                "database": {
                    "file": DATABASE,
                    "vendor": connections[database].vendor,
                    "sha256": database_sha,
                    "objects": counts,
                },
                "files": files,
                "missing_files": sorted(named - {f["name"] for f in files}),
            }
            data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(data)
            info.mtime = int(dt.datetime.now(dt.UTC).timestamp())
            archive.addfile(info, io.BytesIO(data))
    return Summary(
        counts,
        len(files),
        sum(f["size"] for f in files),
        tuple(manifest["missing_files"]),
    )


def read_manifest(archive: tarfile.TarFile) -> dict[str, Any]:
    try:
        member = archive.extractfile(MANIFEST)
    except KeyError as exc:
        raise BackupError("not a backup of this portal: the archive has no manifest") from exc
    assert member is not None
    manifest = json.load(member)
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {manifest.get('format')!r}")
    return manifest


def _members(archive: tarfile.TarFile) -> Iterator[tuple[tarfile.TarInfo, IO[bytes]]]:
    for member in archive:
        handle = archive.extractfile(member)
        if handle is not None:
            yield member, handle


def verify(path: Path) -> dict[str, Any]:
    """The manifest, once every checksum and every count in it has been checked."""
    with tarfile.open(path, "r:gz") as archive:
        manifest = read_manifest(archive)
        expected = {FILES + f["name"]: f["sha256"] for f in manifest["files"]}
        expected[DATABASE] = manifest["database"]["sha256"]
        seen = {}
        for member, handle in _members(archive):
            if member.name == MANIFEST:
                continue
            if member.name not in expected:
                raise BackupError(f"{member.name} is in the archive but not in its manifest")
            seen[member.name] = _sha256_of(handle)
        for name, digest in expected.items():
            if seen.get(name) != digest:
                problem = "is missing" if name not in seen else "has a wrong checksum"
                raise BackupError(f"{name} {problem}: the archive is damaged")
        rows = json.load(archive.extractfile(DATABASE))  # type: ignore[arg-type]
        counts = dict(sorted(Counter(row["model"] for row in rows).items()))
        if counts != manifest["database"]["objects"]:
            raise BackupError("the database rows do not match the manifest's counts")
    return manifest


def _not_empty(database: str) -> list[str]:
    """What the database and the storage already hold, as "label: count" texts."""
    held = []
    for model in apps.get_models():
        label = model._meta.label_lower
        if label in NOT_BACKED_UP or model._meta.app_label in NOT_BACKED_UP:
            continue
        if not model._meta.managed or model._meta.proxy:
            continue
        count = model._base_manager.using(database).count()  # noqa: SLF001 (Django's API)
        if count:
            held.append(f"{label}: {count}")
    if next(iter(private_storage().walk()), None) is not None:
        held.append("files in the private storage")
    return held


def restore(path: Path, *, database: str = DEFAULT_DB_ALIAS) -> Summary:
    """Fill an empty, migrated database and an empty storage from the archive.

    Refuses (BackupError) a damaged archive, or a database or storage that holds anything,
    before writing. The rows are loaded in one transaction, which rolls back if a file
    cannot be written; files written by a failed restore are removed again.
    """
    manifest = verify(path)
    held = _not_empty(database)
    if held:
        raise BackupError(
            "restore fills an empty database and storage, but these hold data: "
            + ", ".join(held)
            + ". Restore into a new database (manage.py migrate) and an empty folder or bucket."
        )
    storage = private_storage()
    written: list[str] = []
    _register_format()
    with tempfile.TemporaryDirectory() as scratch, tarfile.open(path, "r:gz") as archive:
        dump = Path(scratch) / f"database.{SERIALIZATION}"
        with dump.open("wb") as out, archive.extractfile(DATABASE) as source:  # type: ignore[union-attr]
            while chunk := source.read(CHUNK):
                out.write(chunk)
        try:
            with transaction.atomic(using=database):
                call_command("loaddata", str(dump), database=database, verbosity=0)
                for member, handle in _members(archive):
                    if not member.name.startswith(FILES):
                        continue
                    name = member.name.removeprefix(FILES)
                    saved = storage.save(name, File(handle, name=name))
                    written.append(saved)
                    if saved != name:
                        raise BackupError(f"{name} was stored as {saved}")
        except BaseException:
            for name in written:
                storage.delete(name)
            raise
    files = manifest["files"]
    return Summary(manifest["database"]["objects"], len(files), sum(f["size"] for f in files))
