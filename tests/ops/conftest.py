"""Fixtures for the operations tests: a real S3 API on loopback (moto's standalone server, in a
thread of this process, so subprocesses reach it too) and settings that put the private
storage in a bucket of it."""

import os
import uuid

import boto3
import pytest

KEYS = {"AWS_ACCESS_KEY_ID": "ops-test-key", "AWS_SECRET_ACCESS_KEY": "ops-test-secret"}
REGION = "us-east-1"


@pytest.fixture(scope="session")
def s3_endpoint():
    """The URL of a moto S3 server listening on a free loopback port for the whole session."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def s3_client(endpoint: str):
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=KEYS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=KEYS["AWS_SECRET_ACCESS_KEY"],
    )


def s3_environment(endpoint: str, bucket: str) -> dict[str, str]:
    """The variables a deployment sets to use the bucket (what a subprocess gets)."""
    return {
        "AWS_STORAGE_BUCKET_NAME": bucket,
        "AWS_S3_ENDPOINT_URL": endpoint,
        "AWS_S3_REGION_NAME": REGION,
        **KEYS,
    }


def keys_in(endpoint: str, bucket: str) -> set[str]:
    listing = s3_client(endpoint).list_objects_v2(Bucket=bucket)
    return {item["Key"] for item in listing.get("Contents", [])}


@pytest.fixture
def s3_bucket(s3_endpoint):
    """A fresh, empty bucket for one test."""
    name = f"ops-{uuid.uuid4().hex[:12]}"
    s3_client(s3_endpoint).create_bucket(Bucket=name)
    return name


@pytest.fixture
def s3_storage(settings, s3_endpoint, s3_bucket, tmp_path):
    """The private storage in this test's bucket, configured exactly as the settings do when
    the environment names a bucket (the settings module is run with that environment)."""
    import runpy

    environment = {**os.environ, **s3_environment(s3_endpoint, s3_bucket)}
    old = os.environ.copy()
    os.environ.update(environment)
    try:
        configured = runpy.run_path(settings.BASE_DIR / "leadership" / "settings.py")
    finally:
        os.environ.clear()
        os.environ.update(old)
    assert configured["STORAGES"]["private"]["BACKEND"] == "storages.backends.s3.S3Storage"
    bucket_storage = configured["STORAGES"]["private"]
    settings.STORAGES = {**settings.STORAGES, "default": bucket_storage, "private": bucket_storage}
    # A local directory nothing should be written to: proof that files went to the bucket.
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    return s3_bucket
