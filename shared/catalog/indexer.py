"""The catalog's read projections, kept from the table's stream: listing entries (a product
in the lists of each category above it, by status) and search postings (one item per token).

Level-triggered: a stream record only says "product P changed"; ``reconcile`` reads P's
current state and makes P's entries equal to what that state asks for, whatever happened
before (saves, moves of a category, deletion, a redelivered or reordered record). The
product's manifest remembers which entries exist, so stale ones can be deleted. It is widened
before writing and narrowed after, both conditional on its version, so two reconciliations of
the same product can interleave without leaving an entry nobody knows about.
"""
# mypy: disable-error-code="no-untyped-call"
from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable
from typing import Any

from pynamodb.exceptions import DeleteError, DoesNotExist, PutError

from shared.catalog.categories import Tree, load_tree
from shared.catalog.products import summary
from shared.catalog.tables import (
    PRODUCT_SK,
    CatalogItem,
    CodeClaim,
    IndexManifest,
    ListingRecord,
    ProductRecord,
    SkuRecord,
    TokenRecord,
    claim_sk,
    entry_sk,
    listing_pk,
    manifest_pk,
    parse_product_pk,
    product_pk,
    shop_pk,
    token_pk,
)
from shared.catalog.tokens import index_tokens

log = logging.getLogger(__name__)
MANIFEST_SK = "MANIFEST"


def scopes(status: str, ancestors: list[str]) -> list[str]:
    """The lists a product is in: all products and each category above it (nearest first),
    each once for any status and once for its own."""
    mine = "ON" if status == "on_shelf" else "OFF"
    return [f"{which}#{where}" for where in ["ALL", *ancestors] for which in ("ANY", mine)]


def product_tokens(product: ProductRecord) -> set[str]:
    return index_tokens([product.name, product.brand or ""], [*(product.sku_codes or []), *(product.barcodes or [])])


def _summary(product: ProductRecord) -> dict[str, Any]:
    """The list columns an entry carries. ``main_image`` is stored as the image id (a signed
    URL would expire in the entry); the list signs it when it reads the entry."""
    data: dict[str, Any] = summary(product).model_dump(mode="json")
    data["main_image"] = product.images[0] if product.images else None
    return data


def _get(model: Any, hash_key: str, range_key: str) -> Any:
    try:
        return model.get(hash_key, range_key, consistent_read=True)
    except DoesNotExist:
        return None


def reconcile(shop_id: str, product_id: str, tree: Tree) -> None:
    for _ in range(5):
        if _reconcile_once(shop_id, product_id, tree):
            return
    raise RuntimeError(f"could not reconcile {shop_id}/{product_id}: its manifest keeps changing")


def _reconcile_once(shop_id: str, product_id: str, tree: Tree) -> bool:
    product = _get(ProductRecord, product_pk(shop_id, product_id), PRODUCT_SK)
    manifest = _get(IndexManifest, manifest_pk(shop_id, product_id), MANIFEST_SK)
    version = int(manifest.version) if manifest else 0
    old_tokens = set(manifest.tokens or []) if manifest else set()
    old_scopes = set(manifest.scopes or []) if manifest else set()
    old_hash = manifest.summary_hash if manifest else ""
    tokens: set[str] = set()
    wanted: list[str] = []
    data: dict[str, Any] = {}
    digest = ""
    if product is not None:
        tokens = product_tokens(product)
        wanted = scopes(product.status, tree.ancestors(product.category_id))
        data = _summary(product)
        digest = hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]
    wide = IndexManifest(manifest_pk(shop_id, product_id), MANIFEST_SK, tokens=sorted(old_tokens | tokens),
                         scopes=sorted(old_scopes | set(wanted)), summary_hash=old_hash, version=version + 1)
    if not _save_if(wide, version):
        return False
    puts: list[CatalogItem] = [TokenRecord(token_pk(shop_id, t), entry_sk(product_id)) for t in tokens - old_tokens]
    for scope in wanted:
        if digest != old_hash or scope not in old_scopes:
            puts.append(ListingRecord(listing_pk(shop_id, scope), entry_sk(product_id), upd=data["updated_at"],
                                      prc=data["price_min"], summary=data))
    deletes = [(token_pk(shop_id, t), entry_sk(product_id)) for t in old_tokens - tokens]
    deletes += [(listing_pk(shop_id, s), entry_sk(product_id)) for s in old_scopes - set(wanted)]
    write_batch(puts, deletes)
    if product is None:
        try:
            wide.delete(condition=IndexManifest.version == version + 1)
        except DeleteError:
            pass  # another reconciliation widened it meanwhile; it will finish the job
    else:
        narrow = IndexManifest(wide.pk, MANIFEST_SK, tokens=sorted(tokens), scopes=sorted(wanted), summary_hash=digest,
                               version=version + 2)
        _save_if(narrow, version + 1)
    return True


def _save_if(manifest: IndexManifest, expected: int) -> bool:
    condition = IndexManifest.version == expected if expected else IndexManifest.pk.does_not_exist()
    try:
        manifest.save(condition=condition)
        return True
    except PutError as exc:
        if getattr(exc, "cause_response_code", None) == "ConditionalCheckFailedException":
            return False
        raise


def write_batch(puts: Iterable[CatalogItem], deletes: Iterable[tuple[str, str]]) -> None:
    """BatchWriteItem in chunks of 25, retrying what DynamoDB leaves unprocessed."""
    from shared.aws import client

    table = CatalogItem.Meta.table_name
    requests: list[dict[str, Any]] = [{"PutRequest": {"Item": item.serialize()}} for item in puts]
    requests += [{"DeleteRequest": {"Key": {"pk": {"S": pk}, "sk": {"S": sk}}}} for pk, sk in deletes]
    dynamodb = client("dynamodb")
    for start in range(0, len(requests), 25):
        pending: dict[str, Any] = {table: requests[start:start + 25]}
        while pending:
            pending = dynamodb.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}


def remove_leftovers(shop_id: str, product_id: str, old: ProductRecord) -> None:
    """A deleted product whose SKUs and code claims did not fit its delete transaction."""
    for kind, codes in (("SKUCODE", old.sku_codes or []), ("BARCODE", old.barcodes or [])):
        for code in codes:
            try:
                CodeClaim(shop_pk(shop_id), claim_sk(kind, code)).delete(condition=CodeClaim.product_id == product_id)
            except DeleteError:
                pass  # already released, or claimed by another product since
    skus = [(s.pk, s.sk) for s in SkuRecord.query(product_pk(shop_id, product_id), SkuRecord.sk.startswith("SKU#"))]
    write_batch([], skus)


def products_under(shop_id: str, category_id: str) -> list[str]:
    entries = ListingRecord.query(listing_pk(shop_id, f"ANY#{category_id}"), attributes_to_get=["pk", "sk", "kind"])
    return [e.sk.removeprefix("PRD#") for e in entries]


def handle_stream(event: dict[str, Any]) -> int:
    """The indexer's stream handler: products changed or deleted, and categories moved."""
    trees: dict[str, Tree] = {}
    done: set[tuple[str, str]] = set()

    def tree_of(shop_id: str) -> Tree:
        if shop_id not in trees:
            trees[shop_id] = load_tree(shop_id)
        return trees[shop_id]

    def index(shop_id: str, product_id: str) -> None:
        if (shop_id, product_id) not in done:
            reconcile(shop_id, product_id, tree_of(shop_id))
            done.add((shop_id, product_id))

    for record in event.get("Records", []):
        change = record.get("dynamodb", {})
        keys = change.get("Keys", {})
        pk, sk = keys.get("pk", {}).get("S", ""), keys.get("sk", {}).get("S", "")
        if sk == PRODUCT_SK:
            shop_id, product_id = parse_product_pk(pk)
            if record.get("eventName") == "REMOVE" and change.get("OldImage"):
                remove_leftovers(shop_id, product_id, ProductRecord.from_raw_data(change["OldImage"]))
            index(shop_id, product_id)
        elif sk.startswith("CAT#") and record.get("eventName") == "MODIFY":
            old = change.get("OldImage", {}).get("parent_id", {}).get("S")
            new = change.get("NewImage", {}).get("parent_id", {}).get("S")
            if old != new:
                shop_id = pk.removeprefix("SHOP#")
                trees.pop(shop_id, None)  # read the tree as it is now
                for product_id in products_under(shop_id, sk.removeprefix("CAT#")):
                    done.discard((shop_id, product_id))
                    index(shop_id, product_id)
    return len(done)
