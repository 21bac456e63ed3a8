"""The private storage's settings from the environment: STORAGE_URL, the AWS_* variables,
or the local folder (see README "Configuration")."""

from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

LOCAL = {"BACKEND": "applications.storage.PrivateStorage"}
S3 = "applications.storage.PrivateS3Storage"


def storage_from_url(url: str) -> dict[str, Any]:
    """``s3://KEY:SECRET@HOST:PORT/BUCKET?region=R&location=PREFIX`` → a STORAGES entry.

    ``s3://`` speaks HTTPS to the endpoint, ``s3+http://`` plain HTTP (an object store on
    the same private network or on loopback). Without a host, AWS's own endpoint for the
    region; without a key, boto3's usual credentials (environment, instance role).
    """
    parts = urlsplit(url)
    if parts.scheme not in {"s3", "s3+http"}:
        raise ValueError(f"STORAGE_URL must start with s3:// or s3+http://, not {parts.scheme}")
    bucket = parts.path.strip("/")
    if not bucket or "/" in bucket:
        raise ValueError("STORAGE_URL must name one bucket: s3://KEY:SECRET@HOST:PORT/BUCKET")
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    options: dict[str, Any] = {"bucket_name": bucket}
    if parts.hostname:
        protocol = "http" if parts.scheme == "s3+http" else "https"
        port = f":{parts.port}" if parts.port else ""
        options["endpoint_url"] = f"{protocol}://{parts.hostname}{port}"
    if parts.username:
        options["access_key"] = unquote(parts.username)
        options["secret_key"] = unquote(parts.password or "")
    if query.get("region"):
        options["region_name"] = query["region"]
    if query.get("location"):
        options["location"] = query["location"].strip("/")
    return {"BACKEND": S3, "OPTIONS": options}


def private_storage_settings(environ: Mapping[str, str]) -> dict[str, Any]:
    """STORAGE_URL first; else AWS_STORAGE_BUCKET_NAME with the other AWS_* variables."""
    if environ.get("STORAGE_URL"):
        return storage_from_url(environ["STORAGE_URL"])
    if environ.get("AWS_STORAGE_BUCKET_NAME"):
        options = {"bucket_name": environ["AWS_STORAGE_BUCKET_NAME"]}
        for variable, option in (
            ("AWS_S3_ENDPOINT_URL", "endpoint_url"),
            ("AWS_S3_REGION_NAME", "region_name"),
            ("AWS_ACCESS_KEY_ID", "access_key"),
            ("AWS_SECRET_ACCESS_KEY", "secret_key"),
            ("AWS_LOCATION", "location"),
        ):
            if environ.get(variable):
                options[option] = environ[variable]
        return {"BACKEND": S3, "OPTIONS": options}
    return dict(LOCAL)
