"""Product images through the real local system: the browser POSTs to S3 with a presigned
ticket, the bucket's upload notification reaches ``CatalogImageFunction`` through its queue,
which checks the real bytes and makes WebP thumbnails; a product then names ready images."""
from __future__ import annotations

import io
import json
import time
import uuid
from urllib.parse import quote

import boto3
import requests
from PIL import Image

from tests.integration.conftest import Api, eventually
from tests.integration.images import png, windows_exe
from tests.integration.test_catalog_products import create, put_body


def upload(api: Api, product_id: str, content: bytes, content_type: str = "image/png") -> dict:
    ticket = api.post(f"/products/{product_id}/image-uploads", json={"content_type": content_type, "size": len(content)},
                      headers={"Idempotency-Key": str(uuid.uuid4())})
    assert ticket.status_code == 201, ticket.text
    t = ticket.json()
    posted = requests.post(t["upload"]["url"], data=t["upload"]["fields"],
                           files={"file": ("photo.png", content, content_type)}, timeout=30)
    assert posted.status_code in (200, 201, 204), posted.text
    return dict(t)


def settled(api: Api, product_id: str, image_id: str) -> dict:
    def check():
        answer = api.get(f"/products/{product_id}/images/{image_id}")
        assert answer.status_code == 200, answer.text
        return answer.json() if answer.json()["status"] != "pending" else None

    return dict(eventually(check))


def ready_image(api: Api, product_id: str, width: int = 1000, height: int = 500, rgb=(200, 30, 60)) -> str:
    t = upload(api, product_id, png(width, height, rgb))
    status = settled(api, product_id, t["image_id"])
    assert status["status"] == "ready", status
    return str(t["image_id"])


def s3_exists(key: str) -> bool:
    from shared import uploads

    try:
        uploads.s3().head_object(Bucket=uploads.bucket(), Key=key)
        return True
    except uploads.s3().exceptions.ClientError:
        return False


def test_an_uploaded_png_becomes_ready_with_webp_thumbnails_of_the_right_size(owner: Api):
    product = create(owner)
    t = upload(owner, product["id"], png(1000, 500))
    assert t["key"] == f"uploads/{owner.shop_id}/products/{product['id']}/{t['image_id']}.png"
    status = settled(owner, product["id"], t["image_id"])
    assert status["status"] == "ready", status
    image = status["image"]
    assert (image["width"], image["height"]) == (1000, 500)
    for url, size in ((image["thumb_url"], (200, 100)), (image["large_url"], (800, 400))):
        got = requests.get(url, timeout=30)
        assert got.status_code == 200
        thumb = Image.open(io.BytesIO(got.content))
        assert thumb.format == "WEBP" and thumb.size == size
    original = requests.get(image["url"], timeout=30)
    assert original.status_code == 200 and original.content == png(1000, 500)
    assert not s3_exists(t["key"]), "the upload is deleted once processed"


def test_an_exe_renamed_png_is_rejected_and_its_upload_deleted(owner: Api):
    product = create(owner)
    t = upload(owner, product["id"], windows_exe())
    status = settled(owner, product["id"], t["image_id"])
    assert status["status"] == "rejected" and status["image"] is None
    assert "not an image" in status["reason"] or "msdownload" in status["reason"] or "dosexec" in status["reason"]
    assert not s3_exists(t["key"])
    answer = owner.put(f"/products/{product['id']}", json=put_body(product, images=[t["image_id"]]))
    assert answer.status_code == 422
    assert answer.json()["error"]["details"]["fields"][0]["field"] == "images.0"


def test_a_product_shows_its_ready_images_in_order_the_first_as_main_image(owner: Api):
    product = create(owner)
    first = ready_image(owner, product["id"], 300, 600, (10, 200, 10))
    second = ready_image(owner, product["id"], 640, 480, (10, 10, 200))
    saved = owner.put(f"/products/{product['id']}", json=put_body(product, images=[second, first]))
    assert saved.status_code == 200, saved.text
    view = owner.get(f"/products/{product['id']}").json()
    assert [i["id"] for i in view["images"]] == [second, first]
    assert [(i["width"], i["height"]) for i in view["images"]] == [(640, 480), (300, 600)]
    for image in view["images"]:
        for key in ("url", "thumb_url", "large_url"):
            assert requests.get(image[key], timeout=30).status_code == 200
    main = requests.get(view["main_image"], timeout=30)
    assert main.status_code == 200 and Image.open(io.BytesIO(main.content)).size == (200, 150)

    def listed():
        items = owner.get("/products").json()["items"]
        row = next((p for p in items if p["id"] == product["id"]), None)
        return row if row and row["main_image"] else None

    row = eventually(listed)
    assert requests.get(row["main_image"], timeout=30).status_code == 200


def test_unknown_or_not_ready_images_are_refused_naming_the_field(owner: Api, make_staff):
    product = create(owner)
    unknown = owner.put(f"/products/{product['id']}", json=put_body(product, images=["img_NOPE"]))
    assert unknown.status_code == 422
    error = unknown.json()["error"]
    assert error["details"]["fields"][0]["field"] == "images.0"
    assert error["details"]["fields"][0]["type"] == "unknown_image"
    pending = owner.post(f"/products/{product['id']}/image-uploads", json={"content_type": "image/jpeg", "size": 100},
                         headers={"Idempotency-Key": str(uuid.uuid4())}).json()
    not_ready = owner.put(f"/products/{product['id']}", json=put_body(product, images=[pending["image_id"]]))
    assert not_ready.status_code == 422
    assert not_ready.json()["error"]["details"]["fields"][0]["field"] == "images.0"
    assert not_ready.json()["error"]["details"]["fields"][0]["type"] == "image_not_ready"
    zh = make_staff(owner.shop_id, "owner", "zh-CN")
    assert "图片" in zh.put(f"/products/{product['id']}", json=put_body(product, images=["img_NOPE"])).text
    other = create(owner)
    image = ready_image(owner, other["id"], 40, 40)
    foreign = owner.put(f"/products/{product['id']}", json=put_body(product, images=[image]))
    assert foreign.status_code == 422, "an image of another product is unknown here"
    too_big = owner.post(f"/products/{product['id']}/image-uploads",
                         json={"content_type": "image/png", "size": 6 * 1024 * 1024},
                         headers={"Idempotency-Key": str(uuid.uuid4())})
    assert too_big.status_code == 422


def test_the_storefront_shows_the_images_of_an_on_shelf_product(system, owner: Api):
    product = create(owner)
    image = ready_image(owner, product["id"], 400, 400)
    saved = owner.put(f"/products/{product['id']}", json=put_body(product, images=[image])).json()
    assert owner.post(f"/products/{product['id']}/list", json={}).status_code == 200
    detail = requests.get(f"{system.url}/api/storefront/{owner.shop_id}/products/{product['id']}", timeout=30).json()
    assert [i["id"] for i in detail["images"]] == [image]
    assert requests.get(detail["images"][0]["url"], timeout=30).status_code == 200
    assert requests.get(detail["main_image"], timeout=30).status_code == 200
    assert saved["main_image"]

    def listed():
        items = requests.get(f"{system.url}/api/storefront/{owner.shop_id}/products", timeout=30).json()["items"]
        return next((p for p in items if p["id"] == product["id"]), None)

    row = eventually(listed)
    assert requests.get(row["main_image"], timeout=30).status_code == 200


def test_a_redelivered_upload_notification_changes_nothing(owner: Api):
    from shared import uploads
    from shared.catalog.tables import ImageRecord, image_sk, product_pk

    product = create(owner)
    t = upload(owner, product["id"], png(300, 300))
    assert settled(owner, product["id"], t["image_id"])["status"] == "ready"
    before = ImageRecord.get(product_pk(owner.shop_id, product["id"]), image_sk(t["image_id"]), consistent_read=True)
    thumb = uploads.s3().head_object(Bucket=uploads.bucket(), Key=before.thumb_key)

    sqs = boto3.client("sqs")
    url = next(u for u in sqs.list_queues()["QueueUrls"] if u.endswith("-catalogimagequeue"))
    event = {"Records": [{"eventVersion": "2.1", "eventSource": "aws:s3", "eventName": "ObjectCreated:Post",
                          "s3": {"bucket": {"name": uploads.bucket()}, "object": {"key": quote(t["key"], safe="")}}}]}
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps(event))

    def drained():
        attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages",
                                                                         "ApproximateNumberOfMessagesNotVisible"])
        return all(v == "0" for v in attrs["Attributes"].values())

    eventually(drained)
    time.sleep(0.5)
    after = ImageRecord.get(product_pk(owner.shop_id, product["id"]), image_sk(t["image_id"]), consistent_read=True)
    assert after.attribute_values == before.attribute_values
    again = uploads.s3().head_object(Bucket=uploads.bucket(), Key=before.thumb_key)
    assert again["ETag"] == thumb["ETag"] and again["LastModified"] == thumb["LastModified"]


def test_a_logo_upload_is_not_touched_by_the_image_consumer(owner: Api):
    ticket = owner.post("/settings/logo-uploads", json={"content_type": "image/png", "size": len(png())},
                        headers={"Idempotency-Key": str(uuid.uuid4())}).json()
    requests.post(ticket["upload"]["url"], data=ticket["upload"]["fields"],
                  files={"file": ("logo.png", png(), "image/png")}, timeout=30)
    time.sleep(2)
    assert s3_exists(ticket["key"]), "logo uploads wait for the profile save"


def test_a_save_that_does_not_mention_images_keeps_them(owner: Api):
    product = create(owner)
    image = ready_image(owner, product["id"], 320, 320)
    saved = owner.put(f"/products/{product['id']}", json=put_body(product, images=[image])).json()
    renamed = owner.put(f"/products/{product['id']}", json=put_body(saved, name="只改名字"))
    assert renamed.status_code == 200, renamed.text
    assert [i["id"] for i in renamed.json()["images"]] == [image]
    cleared = owner.put(f"/products/{product['id']}", json=put_body(renamed.json(), images=[]))
    assert cleared.json()["images"] == []


def stored_files(shop_id: str, product_id: str, image_id: str) -> list[str]:
    prefix = f"shops/{shop_id}/products/{product_id}/{image_id}/"
    return [f"{prefix}original.png", f"{prefix}w200.webp", f"{prefix}w800.webp"]


def test_an_image_removed_from_the_product_loses_its_item_and_its_files(owner: Api):
    product = create(owner)
    kept, dropped = ready_image(owner, product["id"], 60, 60), ready_image(owner, product["id"], 80, 80)
    pending = owner.post(f"/products/{product['id']}/image-uploads", json={"content_type": "image/png", "size": 100},
                         headers={"Idempotency-Key": str(uuid.uuid4())}).json()["image_id"]
    saved = owner.put(f"/products/{product['id']}", json=put_body(product, images=[kept, dropped])).json()
    assert all(s3_exists(k) for k in stored_files(owner.shop_id, product["id"], dropped))
    answer = owner.put(f"/products/{product['id']}", json=put_body(saved, images=[kept]))
    assert answer.status_code == 200, answer.text
    assert owner.get(f"/products/{product['id']}/images/{dropped}").status_code == 404
    eventually(lambda: not any(s3_exists(k) for k in stored_files(owner.shop_id, product["id"], dropped)))
    assert all(s3_exists(k) for k in stored_files(owner.shop_id, product["id"], kept))
    assert [i["id"] for i in owner.get(f"/products/{product['id']}").json()["images"]] == [kept]
    # an upload not yet saved in the product is not touched by the product's saves
    assert owner.get(f"/products/{product['id']}/images/{pending}").json()["status"] == "pending"


def test_deleting_a_product_deletes_its_image_files(owner: Api):
    product = create(owner)
    image = ready_image(owner, product["id"], 50, 50)
    assert owner.put(f"/products/{product['id']}", json=put_body(product, images=[image])).status_code == 200
    files = stored_files(owner.shop_id, product["id"], image)
    assert all(s3_exists(k) for k in files)
    assert owner.call("DELETE", f"/products/{product['id']}").status_code == 200
    eventually(lambda: not any(s3_exists(k) for k in files))


def test_a_product_too_big_to_delete_in_one_transaction_still_loses_its_images_and_files(owner: Api):
    from tests.integration.test_catalog_products import body

    big = body(colors=[f"色{i}" for i in range(8)], sizes=["S", "M", "L", "XL", "XXL"])  # 40 SKUs, 80 codes
    answer = owner.post("/products", json=big)
    assert answer.status_code == 201, answer.text
    product = answer.json()
    image = ready_image(owner, product["id"], 50, 50)
    unsaved = ready_image(owner, product["id"], 40, 40)  # uploaded, never named by the product
    assert owner.put(f"/products/{product['id']}", json=put_body(product, images=[image])).status_code == 200
    assert owner.call("DELETE", f"/products/{product['id']}").status_code == 200  # the indexer tidies up
    files = [*stored_files(owner.shop_id, product["id"], image), *stored_files(owner.shop_id, product["id"], unsaved)]
    eventually(lambda: not any(s3_exists(k) for k in files), timeout=60)


def policy_of(ticket: dict) -> dict:
    """The POST policy the browser sends back to S3 (base64 JSON, signed)."""
    import base64

    return dict(json.loads(base64.b64decode(ticket["upload"]["fields"]["policy"])))


def test_oversized_bytes_sent_to_the_presigned_upload_are_refused(owner: Api):
    """The policy bounds the size (content-length-range): AWS S3 refuses a bigger POST itself.
    Moto, the local S3, does not enforce POST policy conditions (it stores the object), so here
    the real oversized bytes get through to the byte check after upload, which must refuse them:
    the image is rejected and its file deleted. Both halves are asserted: the policy document, and
    the refusal after upload."""
    from shared.catalog.models import IMAGE_MAX_BYTES

    product = create(owner, sizes=["S"])
    ticket = owner.post(f"/products/{product['id']}/image-uploads", json={"content_type": "image/png", "size": 1000},
                        headers={"Idempotency-Key": str(uuid.uuid4())}).json()
    conditions = policy_of(ticket)["conditions"]
    assert ["content-length-range", 1, IMAGE_MAX_BYTES] in conditions
    assert {"Content-Type": "image/png"} in conditions and {"key": ticket["key"]} in conditions
    big = png(64, 64) + b"\0" * (IMAGE_MAX_BYTES + 1)  # a real PNG header, then too many bytes
    posted = requests.post(ticket["upload"]["url"], data=ticket["upload"]["fields"],
                           files={"file": ("big.png", big, "image/png")}, timeout=120)
    if posted.status_code in (200, 201, 204):  # the local S3: the byte check must refuse it
        status = settled(owner, product["id"], ticket["image_id"])
        assert status["status"] == "rejected" and str(IMAGE_MAX_BYTES) in status["reason"], status
        assert not s3_exists(ticket["key"])
    else:  # an S3 that enforces the policy
        assert posted.status_code == 400 and "EntityTooLarge" in posted.text
    saved = owner.put(f"/products/{product['id']}", json=put_body(product, images=[ticket["image_id"]]))
    assert saved.status_code == 422, "a rejected image can never be named by the product"
