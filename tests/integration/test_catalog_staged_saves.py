"""Product saves bigger than one DynamoDB transaction (``shared.catalog.staging``), through the
real local API, and crashes between their stages simulated by calling the domain in this
process against the same local cloud: readers never see half a save, a refused save leaves
nothing behind, and what a crash leaves is invisible and cleaned up later."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
import requests

from tests.integration.conftest import Api, eventually
from tests.integration.test_catalog_events import probe
from tests.integration.test_catalog_products import body, category, count_in, create, put_body, unique

SIZES8 = ["XS", "S", "M", "L", "XL", "2XL", "3XL", "4XL"]
COLORS8 = [f"色{i}" for i in range(8)]


def partition(shop_id: str, product_id: str) -> dict[str, list[Any]]:
    """Every item of the product's partition, by kind (what a crash may have left there):
    product, sku, image, staged_save."""
    from shared.catalog.tables import CatalogItem, product_pk

    names = {"ProductRecord": "product", "SkuRecord": "sku", "ImageRecord": "image", "StagedSave": "staged_save"}
    found: dict[str, list[Any]] = {}
    for item in CatalogItem.query(product_pk(shop_id, product_id), consistent_read=True):
        found.setdefault(names.get(type(item).__name__, type(item).__name__), []).append(item)
    return found


def claims(shop_id: str, codes: list[str], kind: str = "SKUCODE") -> dict[str, str]:
    """code -> the product holding its claim (codes without a claim are absent)."""
    from shared.catalog.tables import CodeClaim, claim_sk
    from shared.keys import shop_pk

    keys = [(shop_pk(shop_id), claim_sk(kind, c)) for c in codes]
    out: dict[str, str] = {}
    for start in range(0, len(keys), 100):
        for c in CodeClaim.batch_get(keys[start:start + 100], consistent_read=True):
            out[c.code.upper()] = c.product_id
    return {code: out[code.upper()] for code in codes if code.upper() in out}


def ctx_of(api: Api):
    from shared.auth.context import AuthContext

    return AuthContext(user_id="usr_test", email="owner@test.shop", shop_id=api.shop_id,
                       roles=frozenset({"owner"}), permissions=frozenset({"catalog.edit", "catalog.create"}))


@contextmanager
def patched(module: Any, name: str, replacement: Callable[..., Any]) -> Iterator[None]:
    original = getattr(module, name)
    setattr(module, name, replacement)
    try:
        yield
    finally:
        setattr(module, name, original)


def update_body(product: dict, **changes: Any):
    from shared.catalog.models import ProductUpdate

    return ProductUpdate.model_validate(put_body(product, **changes))


def test_a_64_sku_product_with_codes_and_barcodes_is_one_post_and_all_its_prices_one_put(system, owner: Api):
    cat = category(owner)
    data = body(colors=COLORS8, sizes=SIZES8, category_id=cat)
    answer = owner.post("/products", json=data)
    assert answer.status_code == 201, answer.text
    created = answer.json()
    assert created["sku_count"] == 64 and len(created["skus"]) == 64
    assert [s["code"] for s in created["skus"]] == [s["code"] for s in data["skus"]]
    assert owner.get(f"/products/{created['id']}").json() == created
    assert count_in(owner, cat) == 1
    assert set(claims(owner.shop_id, [s["code"] for s in data["skus"]]).values()) == {created["id"]}
    assert len(claims(owner.shop_id, [s["barcode"] for s in data["skus"]], "BARCODE")) == 64

    received, close = probe(system, owner.shop_id, ["ProductModified", "SkuPriceChanged"])
    try:
        dearer = [dict(s, price=s["price"] + 1000) for s in created["skus"]]
        answer = owner.put(f"/products/{created['id']}", json=put_body(created, skus=dearer))
        assert answer.status_code == 200, answer.text
        saved = answer.json()
        assert saved["version"] == 2 and [s["price"] for s in saved["skus"]] == [s["price"] for s in dearer]
        assert owner.get(f"/products/{created['id']}").json() == saved
        seen: list[dict] = []
        eventually(lambda: seen.extend(received()) or len(seen) >= 65, timeout=30)
        kinds = [m["detail-type"] for m in seen]
        assert kinds.count("ProductModified") == 1 and kinds.count("SkuPriceChanged") == 64
        prices = {m["detail"]["sku_id"]: (m["detail"]["old_price"], m["detail"]["new_price"])
                  for m in seen if m["detail-type"] == "SkuPriceChanged"}
        assert prices == {s["id"]: (s["price"], s["price"] + 1000) for s in created["skus"]}
    finally:
        close()
    # the superseded revisions are gone: only the 64 live SKU items remain, and no journal
    eventually(lambda: len(partition(owner.shop_id, created["id"]).get("sku", [])) == 64)
    assert "staged_save" not in partition(owner.shop_id, created["id"])


def test_a_600_sku_product_is_one_post_and_reads_back_whole(owner: Api):
    # 600 SKU revisions do not fit one transaction: a staged save. No codes here, so the
    # indexer has only names to index (the test below covers codes).
    data = body(colors=[f"色{i}" for i in range(20)], sizes=[f"码{i}" for i in range(30)], codes=False)
    answer = owner.post("/products", json=data)
    assert answer.status_code == 201, answer.text
    created = answer.json()
    assert created["sku_count"] == 600
    assert owner.get(f"/products/{created['id']}").json() == created
    assert len(partition(owner.shop_id, created["id"])["sku"]) == 600


def test_deleting_a_product_too_big_for_one_transaction_frees_every_code(system, owner: Api):
    # 120 SKUs with codes and barcodes: 360 writes to create, too many to delete in one go, so
    # the product item goes first and the indexer removes its SKUs and releases its codes.
    data = body(colors=[f"色{i}" for i in range(12)], sizes=[f"码{i}" for i in range(10)])
    answer = owner.post("/products", json=data)
    assert answer.status_code == 201, answer.text
    created = answer.json()
    read = owner.get(f"/products/{created['id']}").json()
    assert read == created and len({s["barcode"] for s in read["skus"]}) == 120
    assert owner.call("DELETE", f"/products/{created['id']}").status_code == 200
    assert owner.get(f"/products/{created['id']}").status_code == 404
    codes = [s["code"] for s in data["skus"]]
    barcodes = [s["barcode"] for s in data["skus"]]
    eventually(lambda: not claims(owner.shop_id, codes) and not claims(owner.shop_id, barcodes, "BARCODE")
               and not partition(owner.shop_id, created["id"]), timeout=60)
    again = body()
    again["skus"][0]["code"] = codes[119]
    assert owner.post("/products", json=again).status_code == 201
    # its search postings (3-grams of 240 codes) are gone too before the next test
    eventually(lambda: indexed(owner.shop_id, created["id"]) is None, timeout=120)


def indexed(shop_id: str, product_id: str) -> Any:
    from pynamodb.exceptions import DoesNotExist

    from shared.catalog.indexer import MANIFEST_SK
    from shared.catalog.tables import IndexManifest, manifest_pk

    try:
        return IndexManifest.get(manifest_pk(shop_id, product_id), MANIFEST_SK, consistent_read=True)
    except DoesNotExist:
        return None


def test_a_staged_save_whose_last_code_is_taken_is_refused_and_leaves_nothing(owner: Api):
    other = create(owner)
    product = create(owner, colors=COLORS8, sizes=SIZES8, codes=False)
    fresh = [dict(s, code=unique("NEW"), barcode=unique("69")) for s in product["skus"]]
    fresh[63]["code"] = other["skus"][2]["code"].lower()
    answer = owner.put(f"/products/{product['id']}", json=put_body(product, skus=fresh, name="不会保存"))
    assert answer.status_code == 409, answer.text
    error = answer.json()["error"]
    assert error["code"] == "sku_code_taken" and error["details"]["field"] == "skus.63.code"
    assert owner.get(f"/products/{product['id']}").json() == product
    assert owner.get(f"/products/{other['id']}").json() == other
    assert claims(owner.shop_id, [s["code"] for s in fresh]) == {fresh[63]["code"]: other["id"]}
    assert not claims(owner.shop_id, [s["barcode"] for s in fresh], "BARCODE")
    left = partition(owner.shop_id, product["id"])
    assert len(left["sku"]) == 64 and "staged_save" not in left


def test_a_stale_version_found_at_the_commit_of_a_staged_save_changes_nothing(system, owner: Api):
    from shared.catalog import products, staging
    from shared.errors import VersionConflict

    product = create(owner, colors=COLORS8, sizes=SIZES8, codes=False)
    fresh = [dict(s, price=s["price"] + 1, code=unique("NEW")) for s in product["skus"]]
    write_revisions = staging.write_revisions

    def and_meanwhile(plan):  # another editor saves between the stages
        write_revisions(plan)
        assert owner.put(f"/products/{product['id']}", json=put_body(product, name="别人的修改")).status_code == 200

    with patched(staging, "write_revisions", and_meanwhile), pytest.raises(VersionConflict):
        products.update(ctx_of(owner), product["id"], update_body(product, skus=fresh))
    now = owner.get(f"/products/{product['id']}").json()
    assert now["name"] == "别人的修改" and now["version"] == 2 and now["skus"] == product["skus"]
    assert not claims(owner.shop_id, [s["code"] for s in fresh])
    left = partition(owner.shop_id, product["id"])
    assert len(left["sku"]) == 64 and "staged_save" not in left


def test_a_crash_before_the_commit_leaves_the_product_whole_and_a_later_save_sweeps_up(system, owner: Api):
    from shared import clock
    from shared.catalog import products, staging

    product = create(owner, colors=COLORS8, sizes=SIZES8, codes=False)
    assert owner.post(f"/products/{product['id']}/list", json={}).status_code == 200
    product = owner.get(f"/products/{product['id']}").json()
    fresh = [dict(s, price=s["price"] + 7, code=unique("NEW")) for s in product["skus"]]

    def crash(plan):
        raise RuntimeError("the function died here")

    ten_minutes_ago = clock.now() - timedelta(minutes=10)  # so its leftovers are abandoned now
    with clock.frozen(ten_minutes_ago), patched(staging, "commit", crash), pytest.raises(RuntimeError):
        products.update(ctx_of(owner), product["id"], update_body(product, skus=fresh))
    left = partition(owner.shop_id, product["id"])
    assert len(left["sku"]) == 128 and len(left["staged_save"]) == 1, "64 live + 64 unnamed revisions"
    assert len(claims(owner.shop_id, [s["code"] for s in fresh])) == 64

    # readers see the product whole: the admin read, the storefront, the lists
    assert owner.get(f"/products/{product['id']}").json() == product
    shop = requests.get(f"{system.url}/api/storefront/{owner.shop_id}/products/{product['id']}", timeout=30).json()
    assert [s["price"] for s in shop["skus"]] == [s["price"] for s in product["skus"]]
    # the crashed save's codes are free for another product (its claims are abandoned)
    taker = body()
    taker["skus"][0]["code"] = fresh[5]["code"]
    taken = owner.post("/products", json=taker)
    assert taken.status_code == 201, taken.text

    # the next save of the product removes what the crash left
    renamed = owner.put(f"/products/{product['id']}", json=put_body(product, name="改个名字"))
    assert renamed.status_code == 200, renamed.text
    left = partition(owner.shop_id, product["id"])
    assert len(left["sku"]) == 64 and "staged_save" not in left
    assert claims(owner.shop_id, [s["code"] for s in fresh]) == {fresh[5]["code"]: taken.json()["id"]}
    assert [s["price"] for s in renamed.json()["skus"]] == [s["price"] for s in product["skus"]]


def test_a_crash_after_the_commit_shows_the_new_product_and_the_indexer_tidies(system, owner: Api):
    from shared.catalog import products, staging

    data = body(colors=COLORS8, sizes=SIZES8, codes=False)
    for sku in data["skus"][:4]:  # a few codes: each costs the indexer search postings
        sku["code"] = unique("OLD")
    answer = owner.post("/products", json=data)
    assert answer.status_code == 201, answer.text
    product = answer.json()
    fresh = [dict(s, price=s["price"] + 9, code=unique("NEW") if i < 4 else "") for i, s in enumerate(product["skus"])]

    def crash(plan):
        raise RuntimeError("the function died after its commit")

    with patched(staging, "tidy", crash), pytest.raises(RuntimeError):
        products.update(ctx_of(owner), product["id"], update_body(product, skus=fresh))
    saved = owner.get(f"/products/{product['id']}").json()
    assert saved["version"] == 2 and [s["price"] for s in saved["skus"]] == [s["price"] for s in fresh]
    assert [s["code"] for s in saved["skus"]] == [s["code"] for s in fresh]
    old_codes = [s["code"] for s in product["skus"][:4]]
    # the stream brings the commit to the indexer: superseded revisions and old codes go
    eventually(lambda: len(partition(owner.shop_id, product["id"]).get("sku", [])) == 64
               and not claims(owner.shop_id, old_codes), timeout=30)
    assert set(claims(owner.shop_id, [s["code"] for s in fresh[:4]]).values()) == {product["id"]}
    reuse = body()
    reuse["skus"][0]["code"] = old_codes[0]
    assert owner.post("/products", json=reuse).status_code == 201
