"""Bulk import and export of products through the real local system: the browser's presigned
POST of a CSV/XLSX file, the bucket's notification reaching ``CatalogJobFunction`` through its
queue, the products saved through the API's own code, the job polled for progress and errors;
exports of a filter written as files in the import layout, which import again."""
from __future__ import annotations

import csv
import io
import json
import time
import uuid
from urllib.parse import quote

import boto3
import requests
from openpyxl import Workbook, load_workbook

from tests.integration.conftest import Api, eventually
from tests.integration.images import windows_exe
from tests.integration.test_catalog_products import category, count_in, create, unique

EN = ["Product ref", "Product name", "Category", "Brand", "Description", "Spec 1 name", "Spec 1 value", "Spec 2 name",
      "Spec 2 value", "Price (yuan)", "Strike price (yuan)", "Cost price (yuan)", "SKU code", "Barcode"]
ZH = ["商品编号", "商品名称", "分类", "品牌", "商品描述", "规格1名称", "规格1值", "规格2名称", "规格2值", "售价(元)",
      "划线价(元)", "成本价(元)", "商家编码", "条形码"]
FINISHED = ("succeeded", "partial", "failed")


def csv_bytes(rows: list[list[str]], header: list[str] = EN, encoding: str = "utf-8-sig") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list[object]], header: list[str] = EN) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(api: Api, content: bytes, fmt: str = "csv", mode: str = "valid_rows", filename: str | None = None) -> dict:
    ticket = api.post("/products/imports", json={"format": fmt, "mode": mode, "filename": filename or f"goods.{fmt}",
                                                 "size": len(content)},
                      headers={"Idempotency-Key": str(uuid.uuid4())})
    assert ticket.status_code == 201, ticket.text
    t = ticket.json()
    assert t["job"]["status"] == "awaiting_upload"
    posted = requests.post(t["upload"]["url"], data=t["upload"]["fields"],
                           files={"file": (filename or f"goods.{fmt}", content)}, timeout=30)
    assert posted.status_code in (200, 201, 204), posted.text
    return dict(t["job"])


def finished(api: Api, job_id: str) -> dict:
    def check():
        answer = api.get(f"/products/jobs/{job_id}")
        assert answer.status_code == 200, answer.text
        return answer.json() if answer.json()["status"] in FINISHED else None

    return dict(eventually(check, timeout=90, interval=0.3))


def run_import(api: Api, content: bytes, **kw) -> dict:
    return finished(api, upload(api, content, **kw)["id"])


def products_named(api: Api, word: str) -> list[dict]:
    return list(api.get("/products", params={"q": word, "limit": 100}).json()["items"])


def matrix_rows(ref: str, name: str, path: str, tag: str) -> list[list[str]]:
    """A 颜色 x 尺码 (2 x 2) product with codes."""
    return [[ref, name, path, "花间集", "纯棉", "颜色", c, "尺码", s, "79.9", "99", "35.5", f"{tag}-{'RB'[c == '蓝']}{s}", ""]
            for c in ("红", "蓝") for s in ("S", "M")]


def mixed_file(api: Api, word: str) -> tuple[bytes, str]:
    """A good 2x2 product, a good single-SKU product, and three bad ones."""
    top = unique("女装")
    dresses = category(api, "连衣裙", category(api, top))
    tag = unique("IMP")
    rows = [
        *matrix_rows("A1", f"碎花连衣裙 {word}", f"{top}/连衣裙", tag),                                  # rows 2-5
        ["B1", f"帆布包 {word}", "", "", "", "", "", "", "", "12.345", "", "", "", ""],                  # row 6: 3 decimals
        ["C1", f"丝巾 {word}", f"{top}/不存在", "", "", "", "", "", "", "20", "", "", "", ""],          # row 7: unknown path
        ["D1", f"袜子 {word}", "", "", "", "", "", "", "", "abc", "", "", "", ""],                      # row 8: text price
        ["E1", f"草帽 {word}", "", "", "", "", "", "", "", "15", "", "", f"{tag}-HAT", ""],             # row 9: good
        ["F1", f"腰带 {word}", "", "", "", "颜色", "黑", "", "", "30", "", "", "", ""],                   # row 10 ...
        ["F1", f"腰带 {word}", "", "", "", "颜色", "黑", "", "", "30", "", "", "", ""],                   # row 11: same combination twice
    ]
    return csv_bytes(rows), dresses


def test_valid_rows_imports_the_good_products_and_names_row_column_and_reason_of_the_bad(owner: Api):
    word = unique("词")
    content, dresses = mixed_file(owner, word)
    job = run_import(owner, content)
    assert job["status"] == "partial", json.dumps(job, ensure_ascii=False)
    assert (job["total"], job["processed"], job["created"], job["failed"]) == (10, 10, 2, 5), json.dumps(job["errors"], ensure_ascii=False)
    assert job["encoding"] == "utf-8-sig"
    by_row = {(e["row"], e["column"]): e for e in job["errors"]}
    assert by_row[(6, "Price (yuan)")]["code"] == "price_decimals" and "2 decimals" in by_row[(6, "Price (yuan)")]["message"]
    assert by_row[(7, "Category")]["code"] == "unknown_category_path" and "不存在" in by_row[(7, "Category")]["message"]
    assert by_row[(8, "Price (yuan)")]["code"] == "price_invalid"
    assert any(e["row"] in (10, 11) and e["code"] == "sku_matrix" for e in job["errors"]), job["errors"]
    assert job["actor"]["email"].startswith("owner-")

    names = eventually(lambda: {p["name"] for p in products_named(owner, word)} == {f"碎花连衣裙 {word}", f"草帽 {word}"})
    assert names
    dress = next(p for p in products_named(owner, word) if p["name"].startswith("碎花"))
    full = owner.get(f"/products/{dress['id']}").json()
    assert full["category_id"] == dresses and full["brand"] == "花间集"
    assert [s["name"] for s in full["specs"]] == ["颜色", "尺码"]
    assert [s["values"] for s in full["skus"]] == [["红", "S"], ["红", "M"], ["蓝", "S"], ["蓝", "M"]]
    assert {(s["price"], s["strike_price"], s["cost_price"]) for s in full["skus"]} == {(7990, 9900, 3550)}
    assert count_in(owner, dresses) == 1

    report = requests.get(job["report_url"], timeout=30)
    assert report.status_code == 200
    lines = list(csv.reader(io.StringIO(report.content.decode("utf-8-sig"))))
    assert lines[0][-1] == "Error" and lines[0][:-1] == EN
    assert [line[0] for line in lines[1:]] == ["B1", "C1", "D1", "F1", "F1"], "the failing rows, as uploaded"
    assert "Price (yuan)" in lines[1][-1]

    zh = owner.get(f"/products/jobs/{job['id']}", headers={"Accept-Language": "zh-CN"}).json()
    assert "两位小数" in next(e["message"] for e in zh["errors"] if e["row"] == 6)


def test_all_or_nothing_writes_nothing_when_a_row_fails(owner: Api):
    word = unique("词")
    content, dresses = mixed_file(owner, word)
    job = run_import(owner, content, mode="all_or_nothing")
    assert job["status"] == "failed" and job["created"] == 0, job
    assert job["error"]["code"] == "import_rows_failed"
    assert job["error_count"] >= 4 and job["report_url"]
    time.sleep(1.5)  # give the index the time it would need to show anything written
    assert products_named(owner, word) == []
    assert count_in(owner, dresses) == 0


def test_all_or_nothing_imports_everything_when_all_rows_are_valid(owner: Api):
    word = unique("词")
    rows = [*matrix_rows("A", f"衬衫 {word}", "", unique("X")),
            ["B", f"短裤 {word}", "", "", "", "", "", "", "", "59", "", "", "", ""]]
    job = run_import(owner, csv_bytes(rows), mode="all_or_nothing")
    assert job["status"] == "succeeded" and job["created"] == 2 and job["errors"] == [], job
    eventually(lambda: len(products_named(owner, word)) == 2)


def test_a_code_already_used_in_the_shop_is_a_row_error(owner: Api):
    existing = create(owner)
    taken = existing["skus"][0]["code"]
    word = unique("词")
    rows = [["A", f"外套 {word}", "", "", "", "", "", "", "", "100", "", "", taken, ""],
            ["B", f"夹克 {word}", "", "", "", "", "", "", "", "100", "", "", taken, ""]]
    job = run_import(owner, csv_bytes(rows))
    assert job["status"] == "failed" and job["created"] == 0
    codes = {(e["row"], e["code"]) for e in job["errors"]}
    assert codes, json.dumps(job, ensure_ascii=False)
    assert (2, "sku_code_taken") in codes and (3, "duplicate_in_file") in codes


def test_a_gbk_csv_from_excel_with_chinese_headers_and_names_imports(owner: Api):
    word = unique("词")
    rows = [["G1", f"真丝围巾 {word}", "", "丝绸之路", "桑蚕丝", "颜色", "米白", "", "", "168.00", "199", "", "", ""],
            ["G1", f"真丝围巾 {word}", "", "丝绸之路", "桑蚕丝", "颜色", "藏青", "", "", "168.00", "199", "", "", ""]]
    content = csv_bytes(rows, ZH, encoding="gbk")
    try:
        content.decode("utf-8")
        raise AssertionError("the test file must not be valid UTF-8")
    except UnicodeDecodeError:
        pass
    job = run_import(owner, content)
    assert job["status"] == "succeeded", job
    assert job["encoding"] == "gb18030" and job["created"] == 1
    found = eventually(lambda: products_named(owner, word))
    product = owner.get(f"/products/{found[0]['id']}").json()
    assert product["name"] == f"真丝围巾 {word}" and product["brand"] == "丝绸之路"
    assert [s["values"] for s in product["skus"]] == [["米白"], ["藏青"]]


def test_an_xlsx_file_imports_with_numbers_as_numbers(owner: Api):
    word = unique("词")
    tag = unique("XL")
    rows = [["X1", f"羊毛衫 {word}", None, "", "", "尺码", size, None, None, 259.5, 299, None, f"{tag}{size}", 6900000000000 + n]
            for n, size in enumerate(("M", "L", "XL"))]
    job = run_import(owner, xlsx_bytes(rows), fmt="xlsx")
    assert job["status"] == "succeeded", job
    found = eventually(lambda: products_named(owner, word))
    product = owner.get(f"/products/{found[0]['id']}").json()
    assert [s["price"] for s in product["skus"]] == [25950] * 3
    assert [s["barcode"] for s in product["skus"]] == ["6900000000000", "6900000000001", "6900000000002"]


def test_files_that_are_not_spreadsheets_fail_the_job_with_what_to_do(owner: Api, make_staff):
    exe = run_import(owner, windows_exe(), filename="goods.csv")
    assert exe["status"] == "failed" and exe["error"]["code"] == "import_not_spreadsheet", exe
    assert "CSV or XLSX" in exe["error"]["message"] and exe["created"] == 0

    unreadable = run_import(owner, b"Product ref,Product name,Price (yuan)\nA,\x81\x30\xff\xfe\xff,1\n")
    assert unreadable["error"]["code"] == "import_encoding"
    assert "CSV UTF-8" in unreadable["error"]["message"]
    zh = make_staff(owner.shop_id, "owner", "zh-CN")
    assert "另存为" in zh.get(f"/products/jobs/{unreadable['id']}").json()["error"]["message"]

    no_columns = run_import(owner, csv_bytes([["x", "y"]], header=["foo", "bar"]))
    assert no_columns["error"]["code"] == "import_missing_columns"
    assert "Product ref" in no_columns["error"]["message"]

    fake_xlsx = run_import(owner, b"PK\x03\x04" + b"\x00" * 100, fmt="xlsx")
    assert fake_xlsx["error"]["code"] == "import_not_spreadsheet"


def test_the_template_downloads_parses_and_imports(owner: Api, make_staff):
    zh = make_staff(owner.shop_id, "owner", "zh-CN")
    xlsx = zh.get("/products/import-template", params={"format": "xlsx"})
    assert xlsx.status_code == 200, xlsx.text
    book = load_workbook(io.BytesIO(requests.get(xlsx.json()["url"], timeout=30).content))
    data, notes = book.worksheets
    header = [c.value for c in data[1]]
    assert header[:2] == ["商品编号", "商品名称"] and "售价(元)" in header
    assert data.max_row == 5, "the header and one product with 2 x 2 SKUs"
    assert notes.max_row > 10
    csv_file = owner.get("/products/import-template", params={"format": "csv"}).json()
    text = requests.get(csv_file["url"], timeout=30).content.decode("utf-8-sig")
    assert text.startswith("Product ref,Product name")

    template_bytes = requests.get(xlsx.json()["url"], timeout=30).content
    job = run_import(owner, template_bytes, fmt="xlsx")
    assert job["status"] == "succeeded" and job["created"] == 1, job


def test_export_of_a_category_gives_its_skus_neutralises_formulas_and_imports_again(owner: Api):
    shoes = category(owner, unique("鞋"))
    risky = create(owner, name="=cmd|' /C calc'!A0", category_id=shoes, sizes=["S"])  # 2 SKUs
    plain = create(owner, name="帆布鞋", category_id=shoes, colors=["白"], sizes=["38", "39", "40"])  # 3 SKUs
    create(owner, name="不在这个分类")
    eventually(lambda: len(owner.get("/products", params={"category_id": shoes}).json()["items"]) == 2)

    started = owner.post("/products/exports", json={"format": "csv", "filter": {"category_id": shoes}},
                         headers={"Idempotency-Key": str(uuid.uuid4())})
    assert started.status_code == 202, started.text
    job = finished(owner, started.json()["id"])
    assert job["status"] == "succeeded" and job["file_rows"] == 5, job
    raw = requests.get(job["file_url"], timeout=30).content
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    header, rows = lines[0], lines[1:]
    assert header[:2] == ["Product ref", "Product name"]
    assert sorted(r[0] for r in rows) == sorted([risky["id"]] * 2 + [plain["id"]] * 3)
    codes = {r[header.index("SKU code")] for r in rows}
    assert codes == {s["code"] for s in risky["skus"] + plain["skus"]}
    names = {r[1] for r in rows}
    assert "'=cmd|' /C calc'!A0" in names and "=cmd|' /C calc'!A0" not in names

    # Round trip: edit a price in the file and import it again: the same products are replaced.
    price = header.index("Price (yuan)")
    for r in rows:
        if r[0] == plain["id"]:
            r[price] = "88.80"
    again = run_import(owner, csv_bytes(rows, header=header))
    assert again["status"] == "succeeded", again
    assert (again["created"], again["updated"]) == (0, 2)
    after = owner.get(f"/products/{plain['id']}").json()
    assert [s["price"] for s in after["skus"]] == [8880] * 3
    assert [s["id"] for s in after["skus"]] == [s["id"] for s in plain["skus"]], "SKUs keep their ids"
    assert owner.get(f"/products/{risky['id']}").json()["name"] == "=cmd|' /C calc'!A0"
    assert count_in(owner, shoes) == 2


def test_an_xlsx_export_and_the_job_list(owner: Api):
    create(owner, name=f"羊绒大衣 {unique('词')}")
    started = owner.post("/products/exports", json={"format": "xlsx", "filter": {"status": "off_shelf"}},
                         headers={"Idempotency-Key": str(uuid.uuid4())})
    assert started.status_code == 202
    job = finished(owner, started.json()["id"])
    book = load_workbook(io.BytesIO(requests.get(job["file_url"], timeout=30).content), read_only=True)
    assert next(book.worksheets[0].iter_rows(values_only=True))[0] == "Product ref"
    listed = owner.get("/products/jobs", params={"limit": 5}).json()["items"]
    assert listed[0]["id"] == job["id"] and listed[0]["kind"] == "export"


def test_permissions_of_import_and_export(owner: Api, make_staff):
    warehouse = make_staff(owner.shop_id, "warehouse")
    denied = warehouse.post("/products/exports", json={"format": "csv"}, headers={"Idempotency-Key": str(uuid.uuid4())})
    assert denied.status_code == 403 and denied.json()["error"]["details"]["permission"] == "catalog.export"
    denied = warehouse.post("/products/imports", json={"format": "csv", "filename": "a.csv", "size": 10},
                            headers={"Idempotency-Key": str(uuid.uuid4())})
    assert denied.status_code == 403 and denied.json()["error"]["details"]["permission"] == "catalog.create"
    started = owner.post("/products/exports", json={"format": "csv"}, headers={"Idempotency-Key": str(uuid.uuid4())})
    job = finished(owner, started.json()["id"])
    seen = warehouse.get(f"/products/jobs/{job['id']}").json()
    assert seen["status"] == "succeeded" and seen["file_url"] is None, "only exporters get the file"
    too_big = owner.post("/products/imports", json={"format": "csv", "filename": "a.csv", "size": 11 * 1024 * 1024},
                         headers={"Idempotency-Key": str(uuid.uuid4())})
    assert too_big.status_code == 422
    assert owner.get("/products/jobs/job_NOPE").status_code == 404


def test_a_redelivered_upload_notification_imports_nothing_twice(owner: Api):
    from shared import uploads

    word = unique("词")
    job = run_import(owner, csv_bytes([["A", f"围裙 {word}", "", "", "", "", "", "", "", "9.9", "", "", "", ""]]))
    assert job["created"] == 1
    def state() -> dict:
        answer = owner.get(f"/products/jobs/{job['id']}").json()
        return {k: v for k, v in answer.items() if not k.endswith("_url")}

    before = state()
    sqs = boto3.client("sqs")
    url = next(u for u in sqs.list_queues()["QueueUrls"] if u.endswith("-catalogjobqueue"))
    key = f"imports/{owner.shop_id}/{job['id']}.csv"
    event = {"Records": [{"eventVersion": "2.1", "eventSource": "aws:s3", "eventName": "ObjectCreated:Post",
                          "s3": {"bucket": {"name": uploads.bucket()}, "object": {"key": quote(key, safe="")}}}]}
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps(event))

    def drained():
        attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages",
                                                                         "ApproximateNumberOfMessagesNotVisible"])
        return all(v == "0" for v in attrs["Attributes"].values())

    eventually(drained)
    time.sleep(1.5)
    assert state() == before
    assert len(products_named(owner, word)) == 1


def test_a_utf16_csv_with_bom_imports_like_utf8(owner: Api):
    """Excel's "Unicode text" is UTF-16 with a BOM and tabs between cells; a UTF-16 CSV with
    commas and a big-endian BOM import too, each exactly like the same rows in UTF-8."""
    def rows(word: str, tag: str) -> list[list[str]]:
        return [["U1", f"亚麻衬衫 {word}", "", "棉麻记", "亚麻", "尺码", s, "", "", "129.5", "159", "", f"{tag}-{s}", ""]
                for s in ("M", "L")]

    def product_of(job: dict, word: str) -> dict:
        assert job["status"] == "succeeded" and job["created"] == 1, job
        found = eventually(lambda: products_named(owner, word))
        shown = owner.get(f"/products/{found[0]['id']}").json()
        return {"name": shown["name"].split(" ")[0], "brand": shown["brand"],
                "skus": [(s["values"], s["price"], s["strike_price"]) for s in shown["skus"]]}

    word, tag = unique("词"), unique("U8")
    reference = product_of(run_import(owner, csv_bytes(rows(word, tag), ZH)), word)
    word = unique("词")
    tab_text = "\r\n".join("\t".join(r) for r in [ZH, *rows(word, unique("U16"))]) + "\r\n"
    excel = b"\xff\xfe" + tab_text.encode("utf-16-le")
    job = run_import(owner, excel)
    assert job["encoding"] == "utf-16"
    assert product_of(job, word) == reference
    word = unique("词")
    comma_text = csv_bytes(rows(word, unique("UBE")), ZH, encoding="utf-8").decode("utf-8")
    big_endian = b"\xfe\xff" + comma_text.encode("utf-16-be")
    job = run_import(owner, big_endian)
    assert job["encoding"] == "utf-16"
    assert product_of(job, word) == reference


def test_oversized_bytes_sent_to_the_presigned_import_upload_are_refused(owner: Api):
    """The ticket's POST policy bounds the size; moto does not enforce policies, so the real
    oversized file reaches the worker, whose byte check fails the job and imports nothing."""
    import base64

    from shared.catalog.sheet import MAX_BYTES

    word = unique("词")
    header = csv_bytes([["Z1", f"超大文件 {word}", "", "", "", "", "", "", "", "10", "", "", "", ""]])
    ticket = owner.post("/products/imports", json={"format": "csv", "filename": "big.csv", "size": 1000},
                        headers={"Idempotency-Key": str(uuid.uuid4())}).json()
    conditions = json.loads(base64.b64decode(ticket["upload"]["fields"]["policy"]))["conditions"]
    assert ["content-length-range", 1, MAX_BYTES] in conditions
    big = header + b" " * (MAX_BYTES + 1 - len(header))
    posted = requests.post(ticket["upload"]["url"], data=ticket["upload"]["fields"],
                           files={"file": ("big.csv", big, "text/csv")}, timeout=120)
    if posted.status_code in (200, 201, 204):
        job = finished(owner, ticket["job"]["id"])
        assert job["status"] == "failed" and job["error"]["code"] == "import_file_too_large", job
        assert job["created"] == 0 and products_named(owner, word) == []
    else:
        assert posted.status_code == 400 and "EntityTooLarge" in posted.text
