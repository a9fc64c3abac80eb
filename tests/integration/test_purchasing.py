"""Suppliers, purchase orders, receiving with moving-average cost, the suppliers' signed webhooks
and replenishment suggestions, through the real local API: what a buyer and a warehouse keeper
see. After every refusal nothing has changed."""
from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3
import requests

from tests.integration.conftest import Api, eventually
from tests.integration.inventory import assert_ledger_consistent, by_warehouse, movements, product
from tests.integration.receiver import Receiver


# -- helpers ------------------------------------------------------------------------------------------
def supplier(api: Api, **fields: Any) -> dict[str, Any]:
    body = {"name": f"杭州丝绸厂 {uuid.uuid4().hex[:4]}", "contact": "周经理", "phone": "13800138000",
            "email": "sales@silk.example", "address": "浙江省杭州市余杭区", "lead_time_days": 10,
            "payment_terms": "月结30天", **fields}
    answer = api.post("/suppliers", json=body)
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def draft(api: Api, supplier_id: str, prd: dict[str, Any], lines: list[tuple[int, int, int]], **extra: Any,
          ) -> dict[str, Any]:
    """lines: (SKU index, qty, unit cost in fen)"""
    body = {"supplier_id": supplier_id, "lines": [{"product_id": prd["id"], "sku_id": prd["skus"][i]["id"], "qty": q,
                                                   "unit_cost": c} for i, q, c in lines], **extra}
    answer = api.post("/purchase-orders", json=body)
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def submitted(api: Api, supplier_id: str, prd: dict[str, Any], lines: list[tuple[int, int, int]]) -> dict[str, Any]:
    po = draft(api, supplier_id, prd, lines)
    answer = api.post(f"/purchase-orders/{po['id']}/submit", json={"version": po["version"]})
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def receipt(api: Api, po_id: str, lines: list[tuple[str, int]], **extra: Any) -> requests.Response:
    return api.post(f"/purchase-orders/{po_id}/receipts",
                    json={"lines": [{"sku_id": s, "qty": q} for s, q in lines], **extra})


def po(api: Api, po_id: str) -> dict[str, Any]:
    answer = api.get(f"/purchase-orders/{po_id}")
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def cost(api: Api, sku_id: str) -> dict[str, Any]:
    return dict(api.get(f"/purchasing/skus/{sku_id}").json())


def average(on_hand: int, avg: int, qty: int, unit_cost: int) -> int:
    """The documented formula, rounded half up (written independently of the code)."""
    from decimal import ROUND_HALF_UP, Decimal

    return int((Decimal(on_hand * avg + qty * unit_cost) / Decimal(on_hand + qty)).quantize(Decimal(1), ROUND_HALF_UP))


@contextmanager
def probe(system: Any, shop_id: str, source: str) -> Iterator[Any]:
    """A queue receiving the shop's events of ``source`` from the bus."""
    events, sqs = boto3.client("events"), boto3.client("sqs")
    bus = system.env["EVENT_BUS_NAME"]
    url = sqs.create_queue(QueueName=f"probe-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    rule = f"probe-{uuid.uuid4().hex[:8]}"
    events.put_rule(Name=rule, EventBusName=bus, EventPattern=json.dumps({"source": [source],
                                                                          "detail": {"shop_id": [shop_id]}}))
    events.put_targets(Rule=rule, EventBusName=bus, Targets=[{"Id": "probe", "Arn": arn}])
    seen: list[dict[str, Any]] = []

    def read() -> list[dict[str, Any]]:
        for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", []):
            seen.append(json.loads(m["Body"]))
        return seen

    try:
        yield read
    finally:
        events.remove_targets(Rule=rule, EventBusName=bus, Ids=["probe"])
        events.delete_rule(Name=rule, EventBusName=bus)
        sqs.delete_queue(QueueUrl=url)


def signed(secret: str, body: dict[str, Any], *, timestamp: int | None = None, event_id: str | None = None,
           key: str | None = None) -> tuple[bytes, dict[str, str]]:
    event_id = event_id or f"sup_evt_{uuid.uuid4().hex[:12]}"
    raw = json.dumps({"event_id": event_id, **body}, ensure_ascii=False).encode()
    ts = str(timestamp if timestamp is not None else int(time.time()))
    signature = hmac.new((key or secret).encode(), ts.encode() + b"." + raw, hashlib.sha256).hexdigest()
    return raw, {"X-ShopDesk-Timestamp": ts, "X-ShopDesk-Signature": signature, "X-ShopDesk-Event-Id": event_id,
                 "Content-Type": "application/json"}


def webhook(system: Any, shop_id: str, supplier_id: str, raw: bytes, headers: dict[str, str]) -> requests.Response:
    return requests.post(f"{system.url}/api/webhooks/suppliers/{shop_id}/{supplier_id}", data=raw, headers=headers,
                         timeout=30)


# -- suppliers ----------------------------------------------------------------------------------------
def test_suppliers_are_created_with_a_secret_shown_once_searched_edited_and_validated(owner: Api, make_staff):
    created = supplier(owner, name="杭州丝绸厂", webhook_url="https://erp.silk.example/hooks")
    assert created["webhook_secret"].startswith("whsec_") and len(created["webhook_secret"]) > 40
    assert created["webhook_secret_hint"] == created["webhook_secret"][-4:]
    shown = owner.get(f"/suppliers/{created['id']}").json()
    assert "webhook_secret" not in shown and shown["phone"] == "13800138000" and shown["lead_time_days"] == 10
    other = supplier(owner, name="广州辅料行", active=False)
    assert [s["name"] for s in owner.get("/suppliers", params={"q": "丝绸"}).json()["items"]] == ["杭州丝绸厂"]
    assert [s["id"] for s in owner.get("/suppliers", params={"active": "false"}).json()["items"]] == [other["id"]]
    first = owner.get("/suppliers", params={"limit": 1}).json()
    assert len(first["items"]) == 1 and first["next_cursor"]
    rest = owner.get("/suppliers", params={"limit": 1, "cursor": first["next_cursor"]}).json()
    assert {first["items"][0]["id"], rest["items"][0]["id"]} == {created["id"], other["id"]}

    before = owner.get(f"/suppliers/{created['id']}").json()
    base = {k: before[k] for k in ("name", "contact", "phone", "email", "address", "lead_time_days", "payment_terms")}
    bad = [({"name": ""}, "name"), ({"phone": "12345"}, "phone"), ({"email": "not-mail"}, "email"),
           ({"lead_time_days": -1}, "lead_time_days"), ({"lead_time_days": 2.5}, "lead_time_days"),
           ({"webhook_url": "ftp://erp.silk.example"}, "webhook_url"),
           ({"webhook_url": "https://user:pw@erp.silk.example"}, "webhook_url"), ({"colour": "red"}, "colour")]
    for change, field in bad:
        answer = owner.put(f"/suppliers/{created['id']}", json={**base, **change, "version": 1})
        assert answer.status_code == 422, (change, answer.text)
        assert answer.json()["error"]["details"]["field"] == field, answer.text
        assert owner.post("/suppliers", json={**base, **change}).status_code == 422
    assert owner.get(f"/suppliers/{created['id']}").json() == before

    edited = owner.put(f"/suppliers/{created['id']}", json={**base, "lead_time_days": 14, "version": 1})
    assert edited.status_code == 200 and edited.json()["version"] == 2 and edited.json()["lead_time_days"] == 14
    stale = owner.put(f"/suppliers/{created['id']}", json={**base, "version": 1})
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "version_conflict"

    rotated = owner.post(f"/suppliers/{created['id']}/webhook-secret")
    assert rotated.status_code == 200 and rotated.json()["webhook_secret"] != created["webhook_secret"]
    assert owner.get(f"/suppliers/{created['id']}").json()["webhook_secret_hint"] == rotated.json()["webhook_secret"][-4:]

    auditor = make_staff(owner.shop_id, "auditor")
    masked = auditor.get(f"/suppliers/{created['id']}").json()
    assert masked["phone"] == "138****8000" and masked["email"].startswith("s***@")
    assert auditor.post("/suppliers", json=base).status_code == 403

    gone = owner.call("DELETE", f"/suppliers/{other['id']}")
    assert gone.status_code == 200 and gone.json()["deleted"] is True
    assert owner.get(f"/suppliers/{other['id']}").status_code == 404


# -- purchase orders ----------------------------------------------------------------------------------
def test_a_po_goes_from_draft_to_cancelled_with_versioned_edits_and_refuses_bad_moves(owner: Api):
    prd = product(owner)
    sup = supplier(owner)
    first = draft(owner, sup["id"], prd, [(0, 10, 1250), (1, 4, 990)], expected_at="2030-01-15", notes="春季补货")
    day = time.strftime("%Y%m%d", time.gmtime(time.time() + 8 * 3600))
    assert first["number"] == f"PO-{day}-0001" and first["status"] == "draft" and first["version"] == 1
    assert first["total"] == {"amount": 10 * 1250 + 4 * 990, "currency": "CNY"}
    assert [(ln["sku_code"], ln["remaining"]) for ln in first["lines"]] == \
        [(prd["skus"][0]["code"], 10), (prd["skus"][1]["code"], 4)]
    assert draft(owner, sup["id"], prd, [(2, 1, 100)])["number"] == f"PO-{day}-0002"

    line = {"product_id": prd["id"], "sku_id": prd["skus"][0]["id"], "qty": 1, "unit_cost": 100}
    bad = [({"lines": [{**line, "qty": -1}]}, "lines.0.qty"), ({"lines": [{**line, "qty": 0}]}, "lines.0.qty"),
           ({"lines": [{**line, "qty": 1.5}]}, "lines.0.qty"), ({"lines": [{**line, "unit_cost": -5}]}, "lines.0.unit_cost"),
           ({"lines": [{**line, "sku_id": "sku_unknown"}]}, "lines.0.sku_id"),
           ({"lines": [{**line, "product_id": "prd_unknown"}]}, "lines.0.product_id"),
           ({"lines": [line, line]}, "lines"), ({"lines": []}, "lines"),
           ({"warehouse_id": "wh_nowhere"}, "warehouse_id"), ({"supplier_id": "sup_nobody"}, "supplier_id")]
    for change, field in bad:
        body = {"supplier_id": sup["id"], "lines": [line], **change}
        answer = owner.post("/purchase-orders", json=body)
        assert answer.status_code == 422 and answer.json()["error"]["details"]["field"] == field, (change, answer.text)
        answer = owner.put(f"/purchase-orders/{first['id']}", json={**body, "version": 1})
        assert answer.status_code == 422, (change, answer.text)
    assert owner.get("/purchase-orders", params={"supplier_id": sup["id"]}).json()["items"][1]["id"] == first["id"]

    edit = {"supplier_id": sup["id"], "lines": [{**line, "qty": 12, "unit_cost": 1200}], "notes": "改为12件"}
    edited = owner.put(f"/purchase-orders/{first['id']}", json={**edit, "version": 1})
    assert edited.status_code == 200, edited.text
    assert edited.json()["version"] == 2 and edited.json()["total"]["amount"] == 12 * 1200
    stale = owner.put(f"/purchase-orders/{first['id']}", json={**edit, "version": 1})
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "version_conflict"

    for action in ("close",):
        refused = owner.post(f"/purchase-orders/{first['id']}/{action}", json={})
        assert refused.status_code == 409 and refused.json()["error"]["code"] == "po_transition", refused.text
    early = receipt(owner, first["id"], [(prd["skus"][0]["id"], 1)])
    assert early.status_code == 409 and early.json()["error"]["code"] == "po_not_receivable"
    stale_submit = owner.post(f"/purchase-orders/{first['id']}/submit", json={"version": 1})
    assert stale_submit.status_code == 409 and stale_submit.json()["error"]["code"] == "version_conflict"
    sent = owner.post(f"/purchase-orders/{first['id']}/submit", json={"version": 2})
    assert sent.status_code == 200 and sent.json()["status"] == "submitted" and sent.json()["submitted_at"]
    assert sent.json()["webhook"]["status"] == "skipped"  # this supplier has no webhook URL
    again = owner.post(f"/purchase-orders/{first['id']}/submit", json={})
    assert again.status_code == 409 and again.json()["error"]["code"] == "po_transition"
    locked = owner.put(f"/purchase-orders/{first['id']}", json={**edit, "version": 3})
    assert locked.status_code == 409 and locked.json()["error"]["code"] == "po_not_editable"
    cancelled = owner.post(f"/purchase-orders/{first['id']}/cancel", json={"reason": "供应商缺货"})
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert owner.post(f"/purchase-orders/{first['id']}/close", json={}).status_code == 409
    detail = po(owner, first["id"])
    assert [e["entry"] for e in detail["timeline"]] == ["created", "edited", "submitted", "cancelled"]
    listed = owner.get("/purchase-orders", params={"status": "cancelled"}).json()["items"]
    assert [p["id"] for p in listed] == [first["id"]]
    # A supplier with orders is archived, not deleted; an archived supplier takes no new order.
    archived = owner.call("DELETE", f"/suppliers/{sup['id']}")
    assert archived.status_code == 200 and archived.json()["deleted"] is False
    assert archived.json()["supplier"]["active"] is False
    refused = owner.post("/purchase-orders", json={"supplier_id": sup["id"], "lines": [line]})
    assert refused.status_code == 422 and refused.json()["error"]["details"]["field"] == "supplier_id"
    assert owner.get(f"/purchase-orders/{first['id']}").json()["supplier_name"] == sup["name"]


def test_partial_then_full_receipt_posts_stock_ledger_costs_and_events(system, owner: Api):
    prd = product(owner)
    a, b = prd["skus"][0]["id"], prd["skus"][1]["id"]
    sup = supplier(owner)
    with probe(system, owner.shop_id, "shopdesk.purchasing") as seen:
        order = submitted(owner, sup["id"], prd, [(0, 30, 1000), (1, 4, 2599)])
        part = receipt(owner, order["id"], [(a, 10), (b, 1)], note="第一批")
        assert part.status_code == 201, part.text
        after = part.json()["purchase_order"]
        assert after["status"] == "partially_received" and after["qty_received"] == 11
        assert [(ln["received"], ln["remaining"]) for ln in after["lines"]] == [(10, 20), (1, 3)]
        assert by_warehouse(owner, a) == {"wh_default": (10, 0, 10)}
        assert cost(owner, a)["avg_cost"] == {"amount": 1000, "currency": "CNY"}

        # Another order at another price: the average moves by the formula, to the fen.
        other = submitted(owner, sup["id"], prd, [(0, 7, 1333)])
        assert receipt(owner, other["id"], [(a, 7)]).status_code == 201
        expected = average(10, 1000, 7, 1333)
        assert expected == 1137 and cost(owner, a)["avg_cost"]["amount"] == expected

        full = receipt(owner, order["id"], [(a, 20), (b, 3)])
        assert full.status_code == 201, full.text
        assert full.json()["purchase_order"]["status"] == "received"
        assert cost(owner, a)["avg_cost"]["amount"] == average(17, expected, 20, 1000) == 1063
        assert cost(owner, b)["avg_cost"]["amount"] == 2599
        links = cost(owner, a)
        assert links["preferred_supplier_id"] == sup["id"]
        assert links["suppliers"][0]["last_unit_cost"] == 1000
        assert by_warehouse(owner, a) == {"wh_default": (37, 0, 37)}
        receipts = [(m["kind"], m["on_hand_delta"], m["ref_type"], m["ref_id"]) for m in movements(owner, a)]
        assert receipts == [("purchase_receipt", 20, "purchase_order", order["id"]),
                            ("purchase_receipt", 7, "purchase_order", other["id"]),
                            ("purchase_receipt", 10, "purchase_order", order["id"])]
        assert_ledger_consistent(owner, a)
        detail = po(owner, order["id"])
        assert [sum(x["qty"] for x in r["lines"]) for r in detail["receipts"]] == [11, 23]
        assert detail["receipts"][0]["note"] == "第一批"
        closed = owner.post(f"/purchase-orders/{order['id']}/close", json={})
        assert closed.status_code == 200 and closed.json()["status"] == "closed"

        def received() -> list[dict[str, Any]]:
            return [e["detail"] for e in seen() if e["detail-type"] == "PurchaseOrderReceived"
                    and e["detail"]["resource_id"] == order["id"]]

        events = sorted(eventually(lambda: len(received()) >= 2 and received()), key=lambda d: d["complete"])
        assert [(e["complete"], e["status"]) for e in events] == [(False, "partially_received"), (True, "received")]
        assert [(ln["sku_id"], ln["qty"], ln["received_total"], ln["avg_cost_after"]) for ln in events[1]["lines"]] == \
            [(a, 20, 30, 1063), (b, 3, 4, 2599)]
        kinds = eventually(lambda: {e["detail-type"] for e in seen()} >= {"PurchaseOrderCreated", "PurchaseOrderSubmitted",
                                                                          "PurchaseOrderClosed"})
        assert kinds


def test_over_receipt_is_refused_naming_the_line_then_allowed_with_the_flag(owner: Api):
    prd = product(owner)
    a, c = prd["skus"][0]["id"], prd["skus"][2]["id"]
    order = submitted(owner, supplier(owner)["id"], prd, [(0, 5, 800)])
    before = (po(owner, order["id"]), owner.get(f"/inventory/stock/{a}").status_code)
    over = receipt(owner, order["id"], [(a, 6)])
    assert over.status_code == 409, over.text
    error = over.json()["error"]
    assert error["code"] == "over_receipt" and error["details"]["field"] == "lines.0.qty"
    assert (error["details"]["ordered"], error["details"]["received"], error["details"]["qty"]) == (5, 0, 6)
    assert prd["skus"][0]["code"] in error["message"]
    zh = Api(owner.base, owner.token, owner.shop_id, "zh-CN")
    assert "超收" in zh.post(f"/purchase-orders/{order['id']}/receipts",
                            json={"lines": [{"sku_id": a, "qty": 6}]}).json()["error"]["message"]
    for lines, field in (([{"sku_id": a, "qty": 0}], "lines.0.qty"), ([{"sku_id": a, "qty": -2}], "lines.0.qty"),
                         ([{"sku_id": a, "qty": "2"}], "lines.0.qty"), ([{"sku_id": c, "qty": 1}], "lines.0.sku_id"),
                         ([], "lines"), ([{"sku_id": a, "qty": 1}, {"sku_id": a, "qty": 1}], "lines")):
        answer = owner.post(f"/purchase-orders/{order['id']}/receipts", json={"lines": lines})
        assert answer.status_code == 422 and answer.json()["error"]["details"]["field"] == field, (lines, answer.text)
    assert (po(owner, order["id"]), owner.get(f"/inventory/stock/{a}").status_code) == before == \
        (before[0], 404)  # no stock item was ever made
    allowed = receipt(owner, order["id"], [(a, 6)], over_receipt=True)
    assert allowed.status_code == 201, allowed.text
    assert allowed.json()["purchase_order"]["status"] == "received"
    assert allowed.json()["purchase_order"]["lines"][0]["received"] == 6
    assert by_warehouse(owner, a) == {"wh_default": (6, 0, 6)}


def test_a_repeated_receipt_with_the_same_idempotency_key_posts_once(owner: Api):
    prd = product(owner)
    a = prd["skus"][0]["id"]
    order = submitted(owner, supplier(owner)["id"], prd, [(0, 10, 500)])
    key = {"Idempotency-Key": f"rcv-{uuid.uuid4().hex}"}
    body = {"lines": [{"sku_id": a, "qty": 4}]}
    first = owner.post(f"/purchase-orders/{order['id']}/receipts", json=body, headers=key)
    second = owner.post(f"/purchase-orders/{order['id']}/receipts", json=body, headers=key)
    assert first.status_code == second.status_code == 201
    assert first.json()["receipt"]["id"] == second.json()["receipt"]["id"]
    assert by_warehouse(owner, a) == {"wh_default": (4, 0, 4)}
    assert len(po(owner, order["id"])["receipts"]) == 1
    reused = owner.post(f"/purchase-orders/{order['id']}/receipts", json={"lines": [{"sku_id": a, "qty": 5}]},
                        headers=key)
    assert reused.status_code == 400 and reused.json()["error"]["code"] == "idempotency_key_reused"


# -- webhooks -----------------------------------------------------------------------------------------
def test_a_submitted_po_reaches_the_suppliers_system_signed_and_failures_are_recorded(owner: Api):
    ok, down = Receiver(200), Receiver(503)
    try:
        prd = product(owner)
        sup = supplier(owner, webhook_url=ok.url)
        order = submitted(owner, sup["id"], prd, [(0, 3, 4500), (1, 2, 4600)])
        assert order["webhook"]["status"] == "pending"
        eventually(lambda: ok.calls, timeout=40)
        headers, body = ok.calls[0]
        expected = hmac.new(sup["webhook_secret"].encode(), headers["x-shopdesk-timestamp"].encode() + b"." + body,
                            hashlib.sha256).hexdigest()
        assert hmac.compare_digest(headers["x-shopdesk-signature"], expected)
        assert abs(int(headers["x-shopdesk-timestamp"]) - time.time()) < 120
        sent = json.loads(body)
        assert sent["type"] == "purchase_order.submitted" and sent["event_id"] == headers["x-shopdesk-event-id"]
        assert sent["purchase_order"]["number"] == order["number"]
        assert [(ln["sku_id"], ln["qty"], ln["unit_cost"]) for ln in sent["purchase_order"]["lines"]] == \
            [(prd["skus"][0]["id"], 3, 4500), (prd["skus"][1]["id"], 2, 4600)]
        delivered = eventually(lambda: po(owner, order["id"])["webhook"]["status"] == "delivered"
                               and po(owner, order["id"]))
        assert delivered["webhook"]["attempts"] == 1 and delivered["webhook"]["last_status_code"] == 200
        assert "webhook_delivery" in [e["entry"] for e in delivered["timeline"]]

        failing = supplier(owner, webhook_url=down.url)
        other = submitted(owner, failing["id"], prd, [(0, 1, 100)])
        state = eventually(lambda: po(owner, other["id"])["webhook"]["attempts"] >= 1
                           and po(owner, other["id"])["webhook"], timeout=40)
        assert state["status"] == "retrying" and state["last_status_code"] == 503
        assert len(ok.calls) == 1
    finally:
        ok.close()
        down.close()


def test_inbound_notices_are_verified_recorded_and_never_replayed(system, owner: Api):
    prd = product(owner)
    a = prd["skus"][0]["id"]
    sup = supplier(owner)
    secret = sup["webhook_secret"]
    order = submitted(owner, sup["id"], prd, [(0, 8, 700)])
    shop = owner.shop_id
    shipment = {"type": "shipment_notice", "po_number": order["number"], "carrier": "顺丰速运",
                "tracking_no": "SF1234567890", "expected_at": "2030-02-01"}
    before = po(owner, order["id"])

    refusals = [
        (signed(secret, shipment, key="whsec_wrong"), sup["id"], 401, "webhook_signature_invalid"),
        (signed(secret, shipment, timestamp=int(time.time()) - 600), sup["id"], 401, "webhook_timestamp_invalid"),
        # An unknown supplier answers like a bad signature (nothing tells which suppliers exist);
        # a value that cannot be a supplier id at all is not found, before any signature check.
        (signed(secret, shipment), "sup_01J00000000000000000000000", 401, "webhook_signature_invalid"),
        (signed(secret, shipment), "sup_nobody", 404, "not_found"),
        (signed(secret, {**shipment, "po_number": "PO-19990101-0001"}), sup["id"], 422, "validation_failed"),
        (signed(secret, {**shipment, "carrier": ""}), sup["id"], 422, "validation_failed"),
    ]
    for (raw, headers), supplier_id, status, code in refusals:
        answer = webhook(system, shop, supplier_id, raw, headers)
        assert answer.status_code == status and answer.json()["error"]["code"] == code, answer.text
    raw, headers = signed(secret, shipment)
    tampered = webhook(system, shop, sup["id"], raw.replace(b"SF1234567890", b"SF0000000000"), headers)
    assert tampered.status_code == 401
    other_id = dict(headers, **{"X-ShopDesk-Event-Id": "sup_evt_other"})
    assert webhook(system, shop, sup["id"], raw, other_id).status_code == 422  # the id is bound to the signed body
    unsigned = {k: v for k, v in headers.items() if k != "X-ShopDesk-Signature"}
    assert webhook(system, shop, sup["id"], raw, unsigned).status_code == 401
    assert po(owner, order["id"]) == before

    accepted = webhook(system, shop, sup["id"], raw, headers)
    assert accepted.status_code == 200, accepted.text
    assert accepted.json() == {"ok": True, "type": "shipment_notice", "po_number": order["number"], "status": "submitted"}
    noted = po(owner, order["id"])
    assert (noted["shipment"]["carrier"], noted["shipment"]["tracking_no"]) == ("顺丰速运", "SF1234567890")
    assert "shipment_notice" in [e["entry"] for e in noted["timeline"]]
    replay = webhook(system, shop, sup["id"], raw, headers)
    assert replay.status_code == 409 and replay.json()["error"]["code"] == "webhook_replayed"

    notice = {"type": "receipt_notice", "po_number": order["number"], "lines": [{"sku_id": a, "qty": 3}]}
    raw, headers = signed(secret, notice)
    posted = webhook(system, shop, sup["id"], raw, headers)
    assert posted.status_code == 200 and posted.json()["status"] == "partially_received", posted.text
    assert by_warehouse(owner, a) == {"wh_default": (3, 0, 3)}
    after = po(owner, order["id"])
    assert after["receipts"][0]["source"] == "webhook" and after["receipts"][0]["actor_id"] == f"supplier:{sup['id']}"
    again = webhook(system, shop, sup["id"], raw, headers)
    assert again.status_code == 409 and again.json()["error"]["code"] == "webhook_replayed"
    too_many = signed(secret, {**notice, "lines": [{"sku_id": a, "qty": 6}]})
    assert webhook(system, shop, sup["id"], *too_many).status_code == 409
    assert by_warehouse(owner, a) == {"wh_default": (3, 0, 3)} and po(owner, order["id"]) == after
    # The refused notice's event id was not used up: the supplier may correct and resend under a new one.
    assert webhook(system, shop, sup["id"], *signed(secret, {**notice, "lines": [{"sku_id": a, "qty": 5}]})).status_code == 200
    assert po(owner, order["id"])["status"] == "received"


# -- suggestions --------------------------------------------------------------------------------------
def test_sales_counters_are_idempotent_per_event(system):
    from shared.inventory.events import StockDeducted
    from shared.purchasing import suggestions

    shop, sku = f"shp_{uuid.uuid4().hex[:8]}", f"sku_{uuid.uuid4().hex[:8]}"
    event = StockDeducted.model_validate({
        "shop_id": shop, "event_id": f"evt_{uuid.uuid4().hex}", "occurred_at": "2030-03-01T02:00:00.000Z",
        "resource_id": "ord_x", "lines": [{"sku_id": sku, "product_id": "prd_x", "warehouse_id": "wh_default", "qty": 3}]})
    assert suggestions.record_sales(event) is True
    assert suggestions.record_sales(event) is False
    from datetime import date

    assert suggestions.sold(shop, sku, date(2030, 3, 1), date(2030, 3, 1)) == 3


def test_suggestions_from_sales_and_a_po_drafted_from_them(owner: Api):
    prd = product(owner)
    a = prd["skus"][0]["id"]
    sup = supplier(owner, lead_time_days=10)
    stocked = submitted(owner, sup["id"], prd, [(0, 20, 1500)])
    assert receipt(owner, stocked["id"], [(a, 20)]).status_code == 201
    for _ in range(2):  # two orders of 9 ship: 18 units sold today
        order_id = f"ord_{uuid.uuid4().hex[:10]}"
        made = owner.post("/inventory/reservations", json={"order_id": order_id, "lines": [
            {"sku_id": a, "product_id": prd["id"], "qty": 9}]})
        assert made.status_code == 201, made.text
        assert owner.post(f"/inventory/reservations/{order_id}/deduct").status_code == 200

    def mine() -> dict[str, Any] | None:
        answer = owner.get("/purchase-orders/suggestions", params={"window_days": 28})
        assert answer.status_code == 200, answer.text
        groups = [g for g in answer.json()["groups"] if g["supplier_id"] == sup["id"]]
        lines = [ln for g in groups for ln in g["lines"] if ln["sku_id"] == a]
        return lines[0] if lines and lines[0]["sold"] == 18 else None

    line = eventually(mine, timeout=40)
    # velocity 18/28 per day, over 10 days lead + 7 review, minus 2 available, none on order
    assert (line["available"], line["on_order"], line["lead_time_days"]) == (2, 0, 10)
    assert line["suggested_qty"] == 9 == -(-(18 * 17 - 28 * 2) // 28)
    assert line["last_unit_cost"] == 1500 and line["product_name"] == prd["name"]

    bad = owner.post("/purchase-orders/from-suggestions", json={"supplier_id": sup["id"],
                                                               "lines": [{"sku_id": prd["skus"][3]["id"]}]})
    assert bad.status_code == 422 and bad.json()["error"]["details"]["field"] == "lines.0.sku_id"
    drafted = owner.post("/purchase-orders/from-suggestions", json={"supplier_id": sup["id"]})
    assert drafted.status_code == 201, drafted.text
    assert drafted.json()["status"] == "draft"
    assert [(ln["sku_id"], ln["qty"], ln["unit_cost"]) for ln in drafted.json()["lines"]] == [(a, 9, 1500)]
    assert po(owner, drafted.json()["id"])["timeline"][0]["detail"] == {"origin": "suggestions"}
    assert owner.post(f"/purchase-orders/{drafted.json()['id']}/submit", json={}).status_code == 200
    assert mine() is None  # 9 on order now cover it
