"""Uploads and imports with crafted files (issue 9, point 12): the image that is checked is the
image that is processed and stored; Pillow decodes only the format the bytes were accepted as
(PNG, JPEG or WebP); the decompression-bomb guard holds; an XLSX that unpacks to far more than it
weighs (a zip bomb) fails its import with a clear message before any parsing."""
from __future__ import annotations

import io
import struct
import uuid
import zipfile
import zlib

import requests
from PIL import Image

from tests.integration.conftest import Api
from tests.integration.images import png
from tests.integration.test_catalog_images import settled, upload
from tests.integration.test_catalog_import_export import EN, products_named, run_import, xlsx_bytes
from tests.integration.test_catalog_products import create


def jpeg_that_decodes_as_photocd() -> bytes:
    """Starts like a JPEG (what the content check sniffs) but is no JPEG; Pillow, asked to open
    "any image", walks its other decoders and reads it as a Kodak PhotoCD (``PCD_`` at 2048)."""
    head = b"\xff\xd8\xff" + b"\x00" * 2045 + b"PCD_" + b"\x00" * 2044
    return head + bytes((i * 7) % 256 for i in range(768 * 512 * 3 // 2 + 200_000))


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims width x height pixels (a decompression bomb's shape)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))


def test_an_image_that_sniffs_as_jpeg_but_decodes_as_another_format_is_rejected(owner: Api):
    product = create(owner)
    t = upload(owner, product["id"], jpeg_that_decodes_as_photocd(), "image/jpeg")
    status = settled(owner, product["id"], t["image_id"])
    assert status["status"] == "rejected" and status["image"] is None, status
    assert status["reason"] == "not a readable image"


def test_a_decompression_bomb_is_rejected(owner: Api):
    product = create(owner)
    t = upload(owner, product["id"], png_claiming(20_000, 20_000))
    status = settled(owner, product["id"], t["image_id"])
    assert status["status"] == "rejected" and "pixels" in status["reason"], status


def test_the_image_checked_is_the_image_processed_and_stored(owner: Api):
    """Another upload lands on the same key while the image is being checked (the presigned
    POST may be used again until it expires): what is stored and measured must be the bytes
    that passed the check, not whatever is there at the next read."""
    from shared import clock, uploads
    from shared.catalog import images
    from shared.catalog.tables import ImageRecord, image_sk, product_pk

    product = create(owner)
    image_id = f"img_{uuid.uuid4().hex.upper()[:26]}"
    # A key outside uploads/ so that the running consumer is not notified: this test drives it.
    key = f"staging/{owner.shop_id}/{image_id}.png"
    ImageRecord(product_pk(owner.shop_id, product["id"]), image_sk(image_id), status="pending",
                content_type="image/png", upload_key=key, created_at=clock.iso()).save()
    checked, swapped = png(300, 200, (10, 120, 200)), png(40, 40, (250, 250, 0))
    s3 = uploads.s3()
    s3.put_object(Bucket=uploads.bucket(), Key=key, Body=checked)
    replaced: list[str] = []

    def another_upload_lands(**kwargs) -> None:
        if not replaced:
            replaced.append(key)
            s3.put_object(Bucket=uploads.bucket(), Key=key, Body=swapped)

    s3.meta.events.register("after-call.s3.GetObject", another_upload_lands)
    try:
        images.process(owner.shop_id, product["id"], image_id, key)
    finally:
        s3.meta.events.unregister("after-call.s3.GetObject", another_upload_lands)
    assert replaced, "the object was read"
    status = owner.get(f"/products/{product['id']}/images/{image_id}").json()
    assert status["status"] == "ready", status
    assert (status["image"]["width"], status["image"]["height"]) == (300, 200)
    stored = requests.get(status["image"]["url"], timeout=30).content
    assert stored == checked
    thumb = Image.open(io.BytesIO(requests.get(status["image"]["thumb_url"], timeout=30).content))
    assert thumb.size == (200, 133) and thumb.convert("RGB").getpixel((5, 5)) != (250, 250, 0)


def zip_bomb_xlsx(padding_mib: int) -> bytes:
    """A real XLSX (one valid product row) whose sheet is padded with whitespace that deflates
    about 1000:1, so the file weighs a few tens of KB and unpacks to ``padding_mib`` MiB."""
    good = zipfile.ZipFile(io.BytesIO(xlsx_bytes([["Z1", "炸弹连衣裙", "", "", "", "", "", "", "", "99", "", "", "", ""]])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb:
        for item in good.infolist():
            data = good.read(item.filename)
            if item.filename != "xl/worksheets/sheet1.xml":
                bomb.writestr(item.filename, data)
                continue
            head, tail = data.split(b"</sheetData>")
            with bomb.open(item.filename, "w", force_zip64=True) as sheet:
                sheet.write(head)
                block = b" " * (1024 * 1024)
                for _ in range(padding_mib):
                    sheet.write(block)
                sheet.write(b"</sheetData>" + tail)
    return out.getvalue()


def test_a_zip_bomb_xlsx_is_refused_before_parsing_with_a_clear_message(owner: Api, make_staff):
    bomb = zip_bomb_xlsx(120)
    assert len(bomb) < 1024 * 1024  # a small upload
    job = run_import(owner, bomb, fmt="xlsx")
    assert job["status"] == "failed" and job["error"]["code"] == "import_unpacks_too_large", job
    assert job["errors"] == [] and job["created"] == 0
    message = job["error"]["message"]
    assert "MB" in message and "row" not in message.lower() and "column" not in message.lower(), message
    zh = make_staff(owner.shop_id, "owner", "zh-CN")
    zh_message = zh.get(f"/products/jobs/{job['id']}").json()["error"]["message"]
    assert "解压" in zh_message and "行" not in zh_message and "列" not in zh_message, zh_message
    assert products_named(owner, "炸弹连衣裙") == []


def test_an_ordinary_xlsx_still_imports(owner: Api):
    word = uuid.uuid4().hex[:6]
    job = run_import(owner, xlsx_bytes([["N1", f"普通连衣裙 {word}", "", "", "", "", "", "", "", "99", "", "", "", ""]],
                                       header=EN), fmt="xlsx")
    assert job["status"] == "succeeded", job
