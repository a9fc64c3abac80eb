"""The shop logo: uploaded by the browser straight to S3 through a presigned POST, then checked
(real content, not the name: the first bytes must be PNG, JPEG or WebP; the size within limits)
and moved to its final key when the profile is saved.
"""
from __future__ import annotations

from typing import Any

from shared.aws import client
from shared.config import settings
from shared.errors import Unprocessable, field_error
from shared.ids import new_id
from shared.settings.models import LOGO_MAX_BYTES, LOGO_TYPES, LogoUpload, PresignedPost

UPLOAD_EXPIRES = 900
URL_EXPIRES = 3600
_EXT = {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp"}


def _s3() -> Any:
    return client("s3")


def _public_s3() -> Any:
    """The client that signs URLs for browsers (locally the moto endpoint they can reach)."""
    return client("s3", settings().media_public_endpoint)


def upload_prefix(shop_id: str) -> str:
    return f"uploads/{shop_id}/logo/"


def start_upload(shop_id: str, content_type: str, size: int) -> LogoUpload:
    key = f"{upload_prefix(shop_id)}{new_id()}.{_EXT[content_type]}"
    post = _public_s3().generate_presigned_post(
        Bucket=settings().media_bucket, Key=key,
        Fields={"Content-Type": content_type},
        Conditions=[{"Content-Type": content_type}, ["content-length-range", 1, LOGO_MAX_BYTES]],
        ExpiresIn=UPLOAD_EXPIRES,
    )
    return LogoUpload(key=key, upload=PresignedPost(url=post["url"], fields=post["fields"]), expires_in=UPLOAD_EXPIRES)


def accept(shop_id: str, upload_key: str) -> str:
    """Check an uploaded logo and move it to ``shops/<shop>/logo/``. Returns the final key."""
    import filetype  # small, pure-python magic-number sniffing; imported on first use

    if not upload_key.startswith(upload_prefix(shop_id)) or ".." in upload_key:
        raise field_error("logo_key", "logo_key")
    bucket = settings().media_bucket
    s3 = _s3()
    try:
        head = s3.head_object(Bucket=bucket, Key=upload_key)
    except s3.exceptions.ClientError as exc:
        raise Unprocessable("logo_missing", details={"field": "logo_key"}, key=upload_key) from exc
    if head["ContentLength"] > LOGO_MAX_BYTES:
        _reject(upload_key, "too large")
    first = s3.get_object(Bucket=bucket, Key=upload_key, Range="bytes=0-261")["Body"].read()
    kind = filetype.guess(first)
    if kind is None or kind.mime not in LOGO_TYPES:
        _reject(upload_key, f"content is {kind.mime if kind else 'not an image'}")
    final = f"shops/{shop_id}/logo/{new_id()}.{_EXT[kind.mime]}"
    s3.copy_object(Bucket=bucket, Key=final, CopySource={"Bucket": bucket, "Key": upload_key},
                   ContentType=kind.mime, MetadataDirective="REPLACE")
    s3.delete_object(Bucket=bucket, Key=upload_key)
    return final


def _reject(upload_key: str, reason: str) -> None:
    _s3().delete_object(Bucket=settings().media_bucket, Key=upload_key)
    raise Unprocessable("logo_invalid", details={"field": "logo_key", "reason": reason},
                        max_bytes=LOGO_MAX_BYTES, reason=reason)


def url_of(key: str | None) -> str | None:
    if not key:
        return None
    return str(_public_s3().generate_presigned_url("get_object", Params={"Bucket": settings().media_bucket, "Key": key},
                                                   ExpiresIn=URL_EXPIRES))
