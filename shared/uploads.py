"""Browser uploads straight to the media bucket, shared by the shop logo and product images:
a presigned S3 POST (type and size bound by its policy), then a check of the real content (the
first bytes must be PNG, JPEG or WebP, whatever the name or the declared type said) on the one
download that is also what gets processed and stored (``read_upload``), and presigned GET URLs
for the stored files.

URLs given to browsers are signed with the public endpoint client (locally the moto endpoint
the browser can reach); server-side calls use the ordinary client.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import unquote_plus

from pydantic import BaseModel, ConfigDict

from shared.aws import client
from shared.config import settings
from shared.model import Model

IMAGE_TYPES = ("image/png", "image/jpeg", "image/webp")
EXT = {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp"}
UPLOAD_EXPIRES = 900
URL_EXPIRES = 3600
SNIFF_BYTES = 262  # what ``filetype`` needs to recognise every type it knows


class PresignedPost(Model):
    url: str
    fields: dict[str, str]


class _S3Object(BaseModel):
    model_config = ConfigDict(extra="ignore")
    key: str


class _S3Entity(BaseModel):
    model_config = ConfigDict(extra="ignore")
    object: _S3Object


class _S3Record(BaseModel):
    model_config = ConfigDict(extra="ignore")
    eventName: str
    s3: _S3Entity


class S3Notification(BaseModel):
    """The body of an S3 event notification on a queue (the media bucket's uploads). S3's
    ``s3:TestEvent``, sent when notifications are configured, has no records."""

    model_config = ConfigDict(extra="ignore")
    Records: list[_S3Record] = []

    def created_keys(self) -> list[str]:
        """The keys of the objects created (keys come URL-encoded in notifications)."""
        return [unquote_plus(r.s3.object.key) for r in self.Records if r.eventName.startswith("ObjectCreated:")]


def s3() -> Any:
    return client("s3")


def public_s3() -> Any:
    """The client that signs URLs for browsers (locally the moto endpoint they can reach)."""
    return client("s3", settings().media_public_endpoint)


def bucket() -> str:
    return settings().media_bucket


def presigned_post(key: str, content_type: str, max_bytes: int, expires: int = UPLOAD_EXPIRES) -> dict[str, Any]:
    """``{"url", "fields"}`` of a POST that can store exactly ``key``, of that type, 1..max_bytes."""
    post: dict[str, Any] = public_s3().generate_presigned_post(
        Bucket=bucket(), Key=key, Fields={"Content-Type": content_type},
        Conditions=[{"Content-Type": content_type}, ["content-length-range", 1, max_bytes]], ExpiresIn=expires)
    return post


def sniff(first_bytes: bytes) -> str | None:
    """The image type the bytes really are (PNG, JPEG or WebP), else None."""
    import filetype  # small, pure-python magic-number sniffing; imported on first use

    kind = filetype.guess(first_bytes)
    return kind.mime if kind is not None and kind.mime in IMAGE_TYPES else None


def describe(first_bytes: bytes) -> str:
    """What the bytes are, for a rejection reason ("content is application/x-msdownload")."""
    import filetype

    kind = filetype.guess(first_bytes)
    return f"content is {kind.mime if kind else 'not an image'}"


class UploadTooLarge(Exception):
    """The uploaded object is larger than allowed (it was not read whole)."""


def read_upload(key: str, max_bytes: int) -> bytes | None:
    """The uploaded object's bytes in one download (None: it is gone), so that what is checked
    is exactly what is processed and stored: a second read could see another upload to the same
    key, which the presigned POST allows until it expires. ``UploadTooLarge`` beyond
    ``max_bytes``, without reading it whole."""
    client = s3()
    try:
        answer = client.get_object(Bucket=bucket(), Key=key)
    except client.exceptions.NoSuchKey:
        return None
    body = answer["Body"]
    try:
        if int(answer.get("ContentLength", 0)) > max_bytes:
            raise UploadTooLarge(key)
        data: bytes = body.read(max_bytes + 1)
    finally:
        body.close()
    if len(data) > max_bytes:
        raise UploadTooLarge(key)
    return data


def url_of(key: str | None) -> str | None:
    """A presigned GET URL of a stored file (None for no key). Signing is local: no request."""
    if not key:
        return None
    return str(public_s3().generate_presigned_url("get_object", Params={"Bucket": bucket(), "Key": key},
                                                  ExpiresIn=URL_EXPIRES))
