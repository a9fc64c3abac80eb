"""Product images: uploaded by the browser straight to S3 (presigned POST), then checked and
made into thumbnails by ``CatalogImageFunction``, which consumes the bucket's
``s3:ObjectCreated:*`` notifications (prefix ``uploads/``) from ``CatalogImageQueue``.

1. ``start_upload`` writes the image item ``IMAGE#<image>`` (``pending``) in the product's
   partition and answers a POST for ``uploads/<shop>/products/<product>/<image>.<ext>``.
2. ``handle_notification`` (one SQS message = one S3 notification) reads the real bytes once
   (those bytes are checked, decoded and stored: never a second read): not a PNG/JPEG/WebP, not
   decodable as the format it starts as (Pillow is limited to that one format), too large or
   too many pixels -> the upload is deleted and the image ``rejected`` with a reason; else the
   original and two WebP thumbnails (200 and 800 px on the longest side) are stored under
   ``shops/<shop>/products/<product>/<image>/``, the upload deleted and the image ``ready``
   with its size. Only a ``pending`` image is processed (the status change is
   conditional on it), so a redelivered notification changes nothing.
3. A product save names ready images by id (``images``, display order, first = main image).
4. An image the product's ``images`` no longer names is deleted with the save (as are all of a
   deleted product's); the indexer sees the item's REMOVE in the stream and deletes its files
   (``delete_files``). Pending uploads are never named yet, so no save touches them.
"""
from __future__ import annotations

import io
import re
import warnings
from typing import Any

from pynamodb.exceptions import PutError, UpdateError

from shared import clock, uploads
from shared.catalog.models import IMAGE_MAX_BYTES, ImageStatusView, ImageUpload, ImageView
from shared.catalog.tables import PRODUCT_SK, ImageRecord, ProductRecord, image_sk, product_pk
from shared.errors import NotFound, field_error
from shared.ids import new_id
from shared.observability import log
from shared.uploads import PresignedPost

THUMB_PX = 200
LARGE_PX = 800
MAX_PIXELS = 40_000_000  # a decompression bomb (a small file that decodes to gigabytes) is refused
# uploads/<shop>/products/<product>/<image>.<ext>; ids are ULIDs with a prefix (no "/" or "..")
_UPLOAD_KEY = re.compile(r"^uploads/(?P<shop>[A-Za-z0-9_-]+)/products/(?P<product>[A-Za-z0-9_-]+)/"
                         r"(?P<image>img_[A-Za-z0-9]+)\.(?:png|jpg|webp)$")


def upload_key(shop_id: str, product_id: str, image_id: str, content_type: str) -> str:
    return f"uploads/{shop_id}/products/{product_id}/{image_id}.{uploads.EXT[content_type]}"


def stored_prefix(shop_id: str, product_id: str, image_id: str) -> str:
    return f"shops/{shop_id}/products/{product_id}/{image_id}/"


def thumb_key(shop_id: str, product_id: str, image_id: str) -> str:
    return f"{stored_prefix(shop_id, product_id, image_id)}w{THUMB_PX}.webp"


def large_key(shop_id: str, product_id: str, image_id: str) -> str:
    return f"{stored_prefix(shop_id, product_id, image_id)}w{LARGE_PX}.webp"


def stored_keys(shop_id: str, product_id: str, image_id: str) -> list[str]:
    """Every file an image may have under ``shops/`` (the original with any accepted extension)."""
    prefix = stored_prefix(shop_id, product_id, image_id)
    return [*(f"{prefix}original.{ext}" for ext in sorted(set(uploads.EXT.values()))),
            thumb_key(shop_id, product_id, image_id), large_key(shop_id, product_id, image_id)]


def delete_files(shop_id: str, product_id: str, image_id: str) -> None:
    """The stored files of a deleted image, in one DeleteObjects call. Idempotent: S3 answers
    a missing key as deleted."""
    keys = stored_keys(shop_id, product_id, image_id)
    answer = uploads.s3().delete_objects(Bucket=uploads.bucket(),
                                         Delete={"Objects": [{"Key": k} for k in keys], "Quiet": True})
    if answer.get("Errors"):
        raise RuntimeError(f"S3 kept files of image {image_id}: {answer['Errors'][:3]}")  # the stream retries


def _get(model: Any, pk: str, sk: str) -> Any:
    try:
        return model.get(pk, sk, consistent_read=True)
    except model.DoesNotExist:
        return None


# -- the API side -------------------------------------------------------------------------------
def start_upload(shop_id: str, product_id: str, content_type: str) -> ImageUpload:
    if _get(ProductRecord, product_pk(shop_id, product_id), PRODUCT_SK) is None:
        raise NotFound("product_not_found", details={"product_id": product_id})
    image_id = new_id("img_")
    key = upload_key(shop_id, product_id, image_id, content_type)
    ImageRecord(product_pk(shop_id, product_id), image_sk(image_id), status="pending", content_type=content_type,
                upload_key=key, created_at=clock.iso()).save(ImageRecord.pk.does_not_exist())
    post = uploads.presigned_post(key, content_type, IMAGE_MAX_BYTES)
    return ImageUpload(image_id=image_id, key=key, upload=PresignedPost(url=post["url"], fields=post["fields"]),
                       expires_in=uploads.UPLOAD_EXPIRES)


def view_of(rec: ImageRecord) -> ImageView:
    return ImageView(id=rec.image_id, url=uploads.url_of(rec.original_key) or "",
                     thumb_url=uploads.url_of(rec.thumb_key) or "", large_url=uploads.url_of(rec.large_key) or "",
                     width=int(rec.width or 0), height=int(rec.height or 0))


def views(ids: list[str], records: dict[str, ImageRecord]) -> list[ImageView]:
    """The product's images in display order (an id without a ready image is left out)."""
    return [view_of(records[i]) for i in ids if i in records and records[i].status == "ready"]


def main_image_url(shop_id: str, product_id: str, ids: list[str] | None) -> str | None:
    """The first image's thumbnail; its key follows from the ids, so lists need no extra read."""
    return uploads.url_of(thumb_key(shop_id, product_id, ids[0])) if ids else None


def status(shop_id: str, product_id: str, image_id: str) -> ImageStatusView:
    rec = _get(ImageRecord, product_pk(shop_id, product_id), image_sk(image_id))
    if rec is None:
        raise NotFound("image_not_found", details={"product_id": product_id, "image_id": image_id})
    return ImageStatusView(id=image_id, status=rec.status, reason=rec.reason,  # type: ignore[arg-type]
                           image=view_of(rec) if rec.status == "ready" else None)


def check_ready(ids: list[str], records: dict[str, ImageRecord]) -> None:
    """Every id must be a ready image of this product: 422 on ``images.<i>`` otherwise."""
    for i, image_id in enumerate(ids):
        rec = records.get(image_id)
        if rec is None:
            raise field_error(f"images.{i}", "unknown_image")
        if rec.status != "ready":
            raise field_error(f"images.{i}", "image_not_ready", status=rec.status)


# -- the consumer -------------------------------------------------------------------------------
def handle_notification(notification: uploads.S3Notification) -> None:
    """The consumer's record handler: one S3 event notification (or S3's ``s3:TestEvent``)."""
    for key in notification.created_keys():
        match = _UPLOAD_KEY.match(key)
        if match is None:  # another upload (a logo, ...): not this consumer's
            continue
        process(match["shop"], match["product"], match["image"], key)


def process(shop_id: str, product_id: str, image_id: str, key: str) -> None:
    pk = product_pk(shop_id, product_id)
    rec = _get(ImageRecord, pk, image_sk(image_id))
    if rec is None or rec.upload_key != key:
        log.warning("upload %s has no pending image: deleted", key)
        _delete(key)
        return
    if rec.status != "pending":  # already handled (a redelivered notification)
        return
    s3, bucket = uploads.s3(), uploads.bucket()
    try:
        data = uploads.read_upload(key, IMAGE_MAX_BYTES)  # one download: checked, processed, stored
    except uploads.UploadTooLarge:
        _reject(rec, key, f"larger than {IMAGE_MAX_BYTES} bytes")
        return
    if data is None:
        return  # gone: handled meanwhile, or expired
    first = data[:uploads.SNIFF_BYTES]
    mime = uploads.sniff(first)
    if mime is None:
        _reject(rec, key, uploads.describe(first))
        return
    try:
        made = _thumbnails(data, mime)
    except _Refused as exc:
        _reject(rec, key, str(exc))
        return
    original = f"{stored_prefix(shop_id, product_id, image_id)}original.{uploads.EXT[mime]}"
    s3.put_object(Bucket=bucket, Key=original, Body=data, ContentType=mime, CacheControl="private, max-age=31536000")
    thumb, large = thumb_key(shop_id, product_id, image_id), large_key(shop_id, product_id, image_id)
    for target, content in ((thumb, made["thumb"]), (large, made["large"])):
        s3.put_object(Bucket=bucket, Key=target, Body=content, ContentType="image/webp",
                      CacheControl="private, max-age=31536000")
    finished = _finish(rec, [ImageRecord.status.set("ready"), ImageRecord.content_type.set(mime),
                             ImageRecord.original_key.set(original), ImageRecord.thumb_key.set(thumb),
                             ImageRecord.large_key.set(large), ImageRecord.width.set(made["width"]),
                             ImageRecord.height.set(made["height"])])
    if not finished and _get(ImageRecord, pk, image_sk(image_id)) is None:
        delete_files(shop_id, product_id, image_id)  # its product was deleted while we worked
    _delete(key)


class _Refused(Exception):
    pass


# Pillow decodes only the format the content check accepted the bytes as: left to itself it
# tries every decoder it has (PhotoCD, TGA, EPS, ...) on bytes that merely start like a JPEG.
PILLOW_FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG", "image/webp": "WEBP"}


def _thumbnails(data: bytes, mime: str) -> dict[str, Any]:
    """The size of the image and its WebP thumbnails. Pillow is imported here only (the API
    functions never load it)."""
    from PIL import Image, ImageOps

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            opened = Image.open(io.BytesIO(data), formats=[PILLOW_FORMATS[mime]])
            opened.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise _Refused(f"more than {MAX_PIXELS} pixels") from exc
        except (OSError, SyntaxError, ValueError) as exc:
            raise _Refused("not a readable image") from exc
    img: Image.Image = ImageOps.exif_transpose(opened) or opened
    img = img.convert("RGBA" if img.mode in ("RGBA", "LA", "P", "PA") else "RGB")
    width, height = img.size
    out: dict[str, Any] = {"width": width, "height": height}
    for name, px in (("thumb", THUMB_PX), ("large", LARGE_PX)):
        copy = img.copy()
        copy.thumbnail((px, px), Image.Resampling.LANCZOS)
        buf = io.BytesIO()
        copy.save(buf, "WEBP", quality=82, method=4)
        out[name] = buf.getvalue()
    return out


def _reject(rec: ImageRecord, key: str, reason: str) -> None:
    _finish(rec, [ImageRecord.status.set("rejected"), ImageRecord.reason.set(reason)])
    _delete(key)


def _finish(rec: ImageRecord, actions: list[Any]) -> bool:
    """The status change, only from ``pending`` (False: handled meanwhile, or deleted)."""
    try:
        rec.update([*actions, ImageRecord.updated_at.set(clock.iso())], condition=ImageRecord.status == "pending")
        return True
    except (UpdateError, PutError) as exc:
        if "ConditionalCheckFailed" not in str(exc):
            raise
        return False


def _delete(key: str) -> None:
    uploads.s3().delete_object(Bucket=uploads.bucket(), Key=key)
