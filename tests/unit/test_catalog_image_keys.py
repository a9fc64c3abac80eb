"""Which S3 notifications the image consumer handles (the rest of it runs in the integration tests)."""
from __future__ import annotations

import json

from shared.catalog import images
from shared.uploads import S3Notification


def test_only_product_uploads_are_processed_test_events_and_logos_are_skipped(monkeypatch):
    seen = []
    monkeypatch.setattr(images, "process", lambda *args: seen.append(args))

    def record(key: str, name: str = "ObjectCreated:Post") -> S3Notification:
        return S3Notification.model_validate_json(
            json.dumps({"Records": [{"eventName": name, "s3": {"object": {"key": key}}}]}))

    images.handle_notification(S3Notification.model_validate_json(
        json.dumps({"Service": "Amazon S3", "Event": "s3:TestEvent"})))
    images.handle_notification(record("uploads%2Fshop_1%2Flogo%2F01ABC.png"))
    images.handle_notification(record("uploads/shop_1/products/prd_1/img_01ABC.png", "ObjectRemoved:Delete"))
    images.handle_notification(record("uploads/shop_1/products/prd_1/..%2Fimg_01ABC.png"))
    images.handle_notification(record("uploads%2Fshop_1%2Fproducts%2Fprd_1%2Fimg_01ABC.png"))
    assert seen == [("shop_1", "prd_1", "img_01ABC", "uploads/shop_1/products/prd_1/img_01ABC.png")]
