"""The catalog's read projections, kept from the table's stream: listing entries (a product
in the lists of each category above it, by status) and search postings (one item per token).

Level-triggered: a stream record only says "product P changed"; ``reconcile`` reads P's
current state and makes P's entries equal to what that state asks for, whatever happened
before (saves, moves of a category, deletion, a redelivered or reordered record). The
product's manifest remembers which entries exist, so stale ones can be deleted. It is widened
before writing and narrowed after, both conditional on its version, so two reconciliations of
the same product can interleave without leaving an entry nobody knows about.

A product item change that touches only ``stock_version`` (a stock reading whose totals did not
change, ``shared.catalog.stock_projection``) is skipped: nothing any projection shows differs.

It also tidies after the writes it sees (all idempotent): a save's superseded SKU revisions,
dropped images and released codes (the save did it already unless it crashed); a deleted
product's SKUs, images and claims (when they did not fit its transaction); the S3 files of a
deleted image; and a staged save's journal expired by TTL (its save crashed).
"""
# mypy: disable-error-code="no-untyped-call"
from __future__ import annotations

import hashlib
import json
from typing import Any

from pynamodb.exceptions import DeleteError, DoesNotExist, PutError

from shared.catalog import images, staging
from shared.catalog.categories import Tree, load_tree
from shared.catalog.products import summary
from shared.catalog.tables import (
    PRODUCT_SK,
    CatalogItem,
    ImageRecord,
    IndexManifest,
    ListingRecord,
    ProductRecord,
    SkuRecord,
    StagedSave,
    TokenRecord,
    entry_sk,
    image_sk,
    listing_pk,
    manifest_pk,
    parse_product_pk,
    parse_sku_sk,
    product_pk,
    token_pk,
)
from shared.catalog.tokens import index_tokens
from shared.keys import shop_of
from shared.tx import write_batch, write_chunks

MANIFEST_SK = "MANIFEST"
# Product attributes no projection shows: a change of only these needs no reconciliation.
UNSHOWN = frozenset({"stock_version"})


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
                                      prc=data["price_min"], stk=data["stock_state"], summary=data))
    deletes = [(token_pk(shop_id, t), entry_sk(product_id)) for t in old_tokens - tokens]
    deletes += [(listing_pk(shop_id, s), entry_sk(product_id)) for s in old_scopes - set(wanted)]
    write_batch(CatalogItem, puts, deletes)
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


def _codes(product: ProductRecord) -> set[tuple[str, str]]:
    return ({("SKUCODE", c.upper()) for c in product.sku_codes or []}
            | {("BARCODE", c.upper()) for c in product.barcodes or []})


def tidy_after_save(shop_id: str, product_id: str, old: ProductRecord, new: ProductRecord) -> None:
    """What a save stopped naming: SKU revisions, images and codes. The save does this itself
    (in its transaction, or right after a staged commit); this repeats it for a crash between."""
    old_live, new_live = staging.live_keys(old), staging.live_keys(new)
    pk = product_pk(shop_id, product_id)
    keys = [(pk, sk) for sk in (old_live or set()) - (new_live or set())]
    keys += [(pk, image_sk(i)) for i in set(old.images or []) - set(new.images or [])]
    if keys:
        write_chunks(CatalogItem, [], keys)
    released = _codes(old) - _codes(new)
    if released:
        staging.release_unlisted(shop_id, product_id, released)


def remove_leftovers(shop_id: str, product_id: str, old: ProductRecord) -> None:
    """A deleted product's SKU items, images and claims that did not fit its delete transaction
    (and any leftovers of its staged saves). Deleting its image items deletes their files."""
    staging.release_unlisted(shop_id, product_id, _codes(old))
    keys = []
    for item in CatalogItem.query(product_pk(shop_id, product_id), consistent_read=True):
        if isinstance(item, StagedSave):
            if not staging.abandoned(item.token):
                continue  # in flight: its commit fails (no product) and it takes back its own writes
            staging.sweep_journal(shop_id, product_id, item.token, item.claims or [])
        if isinstance(item, SkuRecord | ImageRecord | StagedSave):
            keys.append((item.pk, item.sk))
    write_chunks(CatalogItem, [], keys)


def sweep_expired_journal(shop_id: str, product_id: str, journal: StagedSave) -> None:
    """A staged save's journal removed by TTL: its save crashed and nobody saved the product
    since. Its claims the product does not list, and its revisions the product does not name."""
    staging.sweep_journal(shop_id, product_id, journal.token, journal.claims or [])
    product = _get(ProductRecord, product_pk(shop_id, product_id), PRODUCT_SK)
    live = staging.live_keys(product) if product is not None else set()
    mine = [(s.pk, s.sk) for s in SkuRecord.query(product_pk(shop_id, product_id), SkuRecord.sk.startswith("SKU#"))
            if parse_sku_sk(s.sk)[1] == journal.token and (live is None or s.sk not in live)]
    write_chunks(CatalogItem, [], mine)


def products_under(shop_id: str, category_id: str) -> list[str]:
    entries = ListingRecord.query(listing_pk(shop_id, f"ANY#{category_id}"), attributes_to_get=["pk", "sk", "kind"])
    return [e.sk.removeprefix("PRD#") for e in entries]


def _changed(old: dict[str, Any], new: dict[str, Any]) -> set[str]:
    """The attributes a stream record's old and new images differ in."""
    return {k for k in old.keys() | new.keys() if old.get(k) != new.get(k)}


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
        name = record.get("eventName")
        if sk == PRODUCT_SK:
            shop_id, product_id = parse_product_pk(pk)
            if name == "REMOVE" and change.get("OldImage"):
                remove_leftovers(shop_id, product_id, ProductRecord.from_raw_data(change["OldImage"]))
            elif name == "MODIFY" and change.get("OldImage") and change.get("NewImage"):
                if _changed(change["OldImage"], change["NewImage"]) <= UNSHOWN:
                    continue  # a stock reading whose totals did not change: nothing to show differs
                tidy_after_save(shop_id, product_id, ProductRecord.from_raw_data(change["OldImage"]),
                                ProductRecord.from_raw_data(change["NewImage"]))
            index(shop_id, product_id)
        elif sk.startswith("IMAGE#") and name == "REMOVE":
            shop_id, product_id = parse_product_pk(pk)
            images.delete_files(shop_id, product_id, sk.removeprefix("IMAGE#"))
        elif sk.startswith("SAVE#") and name == "REMOVE" and change.get("OldImage"):
            shop_id, product_id = parse_product_pk(pk)
            journal = StagedSave.from_raw_data(change["OldImage"])
            if staging.abandoned(journal.token):
                sweep_expired_journal(shop_id, product_id, journal)
        elif sk.startswith("CAT#") and record.get("eventName") == "MODIFY":
            old = change.get("OldImage", {}).get("parent_id", {}).get("S")
            new = change.get("NewImage", {}).get("parent_id", {}).get("S")
            if old != new:
                shop_id = shop_of(pk)
                trees.pop(shop_id, None)  # read the tree as it is now
                for product_id in products_under(shop_id, sk.removeprefix("CAT#")):
                    done.discard((shop_id, product_id))
                    index(shop_id, product_id)
    return len(done)
