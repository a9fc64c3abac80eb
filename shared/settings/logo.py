"""The shop logo: uploaded by the browser straight to S3 through a presigned POST, then checked
(real content, not the name: the first bytes must be PNG, JPEG or WebP; the size within limits)
and moved to its final key when the profile is saved.
"""
from __future__ import annotations

from shared import uploads
from shared.errors import Unprocessable, field_error
from shared.ids import new_id
from shared.settings.models import LOGO_MAX_BYTES, LogoUpload
from shared.uploads import PresignedPost

UPLOAD_EXPIRES = uploads.UPLOAD_EXPIRES
URL_EXPIRES = uploads.URL_EXPIRES


def upload_prefix(shop_id: str) -> str:
    return f"uploads/{shop_id}/logo/"


def start_upload(shop_id: str, content_type: str, size: int) -> LogoUpload:
    key = f"{upload_prefix(shop_id)}{new_id()}.{uploads.EXT[content_type]}"
    post = uploads.presigned_post(key, content_type, LOGO_MAX_BYTES, UPLOAD_EXPIRES)
    return LogoUpload(key=key, upload=PresignedPost(url=post["url"], fields=post["fields"]), expires_in=UPLOAD_EXPIRES)


def accept(shop_id: str, upload_key: str) -> str:
    """Check an uploaded logo and move it to ``shops/<shop>/logo/``. Returns the final key."""
    if not upload_key.startswith(upload_prefix(shop_id)) or ".." in upload_key:
        raise field_error("logo_key", "logo_key")
    bucket = uploads.bucket()
    s3 = uploads.s3()
    try:
        # One download: the bytes checked are the bytes stored (a copy of the key could copy a
        # later upload to it).
        data = uploads.read_upload(upload_key, LOGO_MAX_BYTES)
    except uploads.UploadTooLarge:
        _reject(upload_key, "too large")
        raise AssertionError("unreachable") from None
    if data is None:
        raise Unprocessable("logo_missing", details={"field": "logo_key"}, key=upload_key)
    first = data[:uploads.SNIFF_BYTES]
    mime = uploads.sniff(first)
    if mime is None:
        _reject(upload_key, uploads.describe(first))
        raise AssertionError("unreachable")
    final = f"shops/{shop_id}/logo/{new_id()}.{uploads.EXT[mime]}"
    s3.put_object(Bucket=bucket, Key=final, Body=data, ContentType=mime)
    s3.delete_object(Bucket=bucket, Key=upload_key)
    return final


def _reject(upload_key: str, reason: str) -> None:
    uploads.s3().delete_object(Bucket=uploads.bucket(), Key=upload_key)
    raise Unprocessable("logo_invalid", details={"field": "logo_key", "reason": reason},
                        max_bytes=LOGO_MAX_BYTES, reason=reason)


def url_of(key: str | None) -> str | None:
    return uploads.url_of(key)
