import pytest

from chiefquality.storage_url import LOCAL, S3, private_storage_settings, storage_from_url


def test_a_storage_url_names_the_endpoint_bucket_keys_and_region():
    assert storage_from_url(
        "s3://AKID:se%2Fcret@objects.example.org:9000/portal-files?region=cn-north-1"
    ) == {
        "BACKEND": S3,
        "OPTIONS": {
            "bucket_name": "portal-files",
            "endpoint_url": "https://objects.example.org:9000",
            "access_key": "AKID",
            "secret_key": "se/cret",
            "region_name": "cn-north-1",
        },
    }


def test_plain_http_endpoint_prefix_and_no_keys():
    assert storage_from_url("s3+http://127.0.0.1:8333/files?location=/uploads/") == {
        "BACKEND": S3,
        "OPTIONS": {
            "bucket_name": "files",
            "endpoint_url": "http://127.0.0.1:8333",
            "location": "uploads",
        },
    }


@pytest.mark.parametrize("url", ["http://h/bucket", "s3://KEY:SECRET@host:9000/", "s3://host/a/b"])
def test_a_wrong_storage_url_is_refused(url):
    with pytest.raises(ValueError, match="STORAGE_URL"):
        storage_from_url(url)


def test_aws_variables_or_the_local_folder():
    assert private_storage_settings({}) == LOCAL
    assert private_storage_settings(
        {
            "AWS_STORAGE_BUCKET_NAME": "portal",
            "AWS_S3_REGION_NAME": "eu-west-1",
            "AWS_ACCESS_KEY_ID": "AKID",
            "AWS_SECRET_ACCESS_KEY": "secret",
        }
    ) == {
        "BACKEND": S3,
        "OPTIONS": {
            "bucket_name": "portal",
            "region_name": "eu-west-1",
            "access_key": "AKID",
            "secret_key": "secret",
        },
    }
    both = {"STORAGE_URL": "s3://h/first", "AWS_STORAGE_BUCKET_NAME": "second"}
    assert private_storage_settings(both)["OPTIONS"]["bucket_name"] == "first"
