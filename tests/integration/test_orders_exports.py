"""The order desk's exports: a filter's orders as CSV or XLSX through the async job, the file
downloaded from its URL and parsed. Personal data is in clear for the owner and masked for
finance (orders.export without personal_data.view), the rows are exactly what the desk lists
for the filter, formulas are neutralised, each export is in the audit log; another shop's job is
not found and a role without orders.export is refused."""
from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Callable
from typing import Any

import requests
from openpyxl import load_workbook

from tests.integration.conftest import Api, eventually, new_shop
from tests.integration.test_orders_placing import RECEIVER, _lines, _listed, _place

BUYER = "13800000000"  # the desk shows +8613800000000; the file the mainland number


def start(api: Api, body: dict[str, Any]) -> requests.Response:
    return api.post("/orders/exports", json=body, headers={"Idempotency-Key": str(uuid.uuid4())})


def finished(api: Api, job_id: str) -> dict[str, Any]:
    def check() -> dict[str, Any] | None:
        answer = api.get(f"/orders/exports/{job_id}")
        assert answer.status_code == 200, answer.text
        return answer.json() if answer.json()["status"] in ("succeeded", "failed") else None

    return dict(eventually(check, timeout=90, interval=0.3))


def export_rows(api: Api, body: dict[str, Any]) -> tuple[dict[str, Any], list[list[Any]]]:
    """Start an export, wait for it and answer (job, rows with the header first)."""
    started = start(api, body)
    assert started.status_code == 202, started.text
    assert started.json()["status"] == "queued" and started.json()["file_url"] is None
    job = finished(api, started.json()["id"])
    assert job["status"] == "succeeded", job
    content = requests.get(job["file_url"], timeout=30).content
    if body["format"] == "csv":
        assert content.startswith(b"\xef\xbb\xbf"), "a UTF-8 BOM, so Excel reads Chinese"
        return job, list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    book = load_workbook(io.BytesIO(content), read_only=True)
    return job, [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]


def desk_count(api: Api, params: dict[str, Any]) -> int:
    """How many orders the desk lists for ``params``, page after page."""
    total, cursor = 0, None
    while True:
        page = api.get("/orders", params={**params, "limit": 100, **({"cursor": cursor} if cursor else {})}).json()
        total += len(page["items"])
        cursor = page.get("next_cursor")
        if not cursor:
            return total


def test_an_export_is_in_clear_for_the_owner_masked_for_finance_and_lists_what_the_desk_lists(
        shop_id: str, owner: Api, make_staff: Callable[..., Api]) -> None:
    prd = _listed(owner, qty=20)
    placed = [_place(shop_id, _lines(prd, 1 + n % 2), buyer=f"byr_{n}") for n in range(4)]
    risky = placed[0]
    memo = owner.put(f"/orders/{risky.id}/memo", json={"memo": "=HYPERLINK(\"http://evil\")", "version": 1})
    assert memo.status_code == 200, memo.text

    # the owner (personal_data.view): CSV, English headers, personal data in clear
    job, rows = export_rows(owner, {"format": "csv", "filter": {"tab": "pending_payment"}})
    header, body = rows[0], rows[1:]
    assert header[:4] == ["Order number", "Placed at", "Paid at", "Status"]
    assert len(body) == desk_count(owner, {"tab": "pending_payment"}) == 4
    assert job["file_rows"] == 4 and job["expires_in"] > 0
    assert {r[0] for r in body} == {o.number for o in placed}
    row = next(r for r in body if r[0] == risky.number)
    by = dict(zip(header, row, strict=True))
    assert by["Receiver"] == RECEIVER["name"] and by["Receiver mobile"] == RECEIVER["mobile"]
    assert by["Address"] == RECEIVER["detail"] and by["Buyer mobile"] == BUYER and by["Province"] == "Zhejiang"
    assert by["Status"] == "Awaiting payment" and by["Items"] == f"{risky.lines[0].name} ({'/'.join(risky.lines[0].spec_values)}) × 1"
    assert by["Paid amount (yuan)"] == f"{risky.payable / 100:.2f}"
    assert by["Seller memo"] == "'=HYPERLINK(\"http://evil\")", "a formula is neutralised"

    # finance (orders.export, no personal_data.view), in Chinese, XLSX: the same rows, masked
    finance = make_staff(shop_id, "finance", language="zh-CN")
    masked_job, masked = export_rows(finance, {"format": "xlsx", "filter": {"tab": "pending_payment"}})
    assert masked[0][:4] == ["订单号", "下单时间", "付款时间", "订单状态"]
    assert len(masked) - 1 == 4 and {r[0] for r in masked[1:]} == {o.number for o in placed}
    cells = [str(c) for r in masked[1:] for c in r]
    for clear in (RECEIVER["name"], RECEIVER["mobile"], RECEIVER["detail"], BUYER):
        assert clear not in cells, clear
    named = dict(zip(masked[0], next(r for r in masked[1:] if r[0] == risky.number), strict=True))
    assert named["收货人"] == "王*" and named["收货人手机"] == "139****5678" and named["买家手机"] == "138****0000"
    assert named["订单状态"] == "待付款" and named["省份"] == "浙江省"
    assert float(named["实付金额(元)"]) == risky.payable / 100

    # a narrower filter: exactly the desk's rows for it
    _, one = export_rows(owner, {"format": "csv", "filter": {"number": placed[2].number}})
    assert [r[0] for r in one[1:]] == [placed[2].number]
    _, none = export_rows(owner, {"format": "csv", "filter": {"tab": "to_ship"}})
    assert none[1:] == [] and desk_count(owner, {"tab": "to_ship"}) == 0

    # the owner's file in clear is not handed to finance; finance's own masked file is
    assert finance.get(f"/orders/exports/{job['id']}").json()["file_url"] is None
    assert finance.get(f"/orders/exports/{masked_job['id']}").json()["file_url"]

    # each export is audited: who, which filter, in clear or not
    def audited() -> list[dict[str, Any]] | None:
        items = owner.get("/audit", params={"resource": "orders"}).json()["items"]
        found = [i for i in items if i["action"] == "orders.exported" and i["resource_id"] in (job["id"], masked_job["id"])]
        return found if len(found) == 2 else None

    entries = {e["resource_id"]: e for e in eventually(audited)}
    assert entries[job["id"]]["actor"]["id"] == owner.get("/me").json()["user"]["id"]
    assert entries[masked_job["id"]]["actor"]["id"] == finance.get("/me").json()["user"]["id"]


def test_another_shops_job_bad_bodies_and_roles_without_orders_export(shop_id: str, owner: Api,
                                                                      make_staff: Callable[..., Api]) -> None:
    started = start(owner, {"format": "csv"})
    assert started.status_code == 202, started.text
    job_id = started.json()["id"]
    finished(owner, job_id)

    other = make_staff(new_shop(), "owner")
    assert other.get(f"/orders/exports/{job_id}").status_code == 404
    assert owner.get("/orders/exports/job_01HZZZZZZZZZZZZZZZZZZZZZZZ").status_code == 404

    for body in ({"format": "pdf"}, {"format": "csv", "filter": {"tab": "all"}}, {"format": "csv", "extra": 1},
                 {"format": "csv", "filter": {"number": "12"}}):
        answer = start(owner, body)
        assert answer.status_code in (400, 422), (body, answer.text)

    marketing = make_staff(shop_id, "marketing")  # orders.view, not orders.export
    denied = start(marketing, {"format": "csv"})
    assert denied.status_code == 403 and denied.json()["error"]["details"]["permission"] == "orders.export"
    assert marketing.get(f"/orders/exports/{job_id}").status_code == 403


def test_a_redelivered_job_message_changes_nothing_and_a_dead_workers_job_ends_interrupted(owner: Api) -> None:
    import json

    import boto3

    from shared import clock
    from shared.orders.tables import OrderExportJob
    from tests.integration.test_events import drained, queue_url

    job = finished(owner, start(owner, {"format": "csv"}).json()["id"])
    assert job["status"] == "succeeded"
    sqs, url = boto3.client("sqs"), queue_url("OrdersExportQueue")
    message = json.dumps({"shop_id": owner.shop_id, "job_id": job["id"]})
    sqs.send_message(QueueUrl=url, MessageBody=message)
    eventually(lambda: drained(url))
    again = owner.get(f"/orders/exports/{job['id']}").json()
    assert {k: v for k, v in again.items() if k != "file_url"} == {k: v for k, v in job.items() if k != "file_url"}

    # a job left "running" by a worker that died: its message coming back ends it, with a reason
    from shared.keys import shop_pk

    rec = OrderExportJob.get(shop_pk(owner.shop_id), f"JOB#{job['id']}")
    rec.update([OrderExportJob.status.set("running"), OrderExportJob.lease_until.set("2000-01-01T00:00:00Z"),
                OrderExportJob.finished_at.remove(), OrderExportJob.updated_at.set(clock.iso())])
    sqs.send_message(QueueUrl=url, MessageBody=message)
    ended = finished(owner, job["id"])
    assert ended["status"] == "failed" and ended["error"]["code"] == "job_interrupted", ended
    assert ended["error"]["message"]
