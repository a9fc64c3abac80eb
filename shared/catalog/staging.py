"""Product saves bigger than one DynamoDB transaction (100 writes): a 600-SKU matrix with codes
and barcodes, a price edit of every SKU. They keep what one transaction promised:

- readers never see half a save: SKU items are revisions (``SKU#<sku>#<rev>``) and only those
  the product item names (``sku_revs``) are live, so new revisions are invisible until the
  commit, one transaction with the product item (version condition), the category counters
  and the outbox events, points at them;
- a refused save (a code taken, a stale version, an unknown category) takes back what it
  wrote (its claims, its revisions, its journal) before answering;
- a crash leaves only invisible garbage: revisions nobody names, claims still ``pending`` or
  not listed by their product, and a journal (``SAVE#<token>``) saying what to look for. The
  next save of the product (or TTL, then the indexer) removes it.

The stages: ``journal`` -> ``claim`` (transactions of up to 100 conditional puts) ->
``write_revisions`` (transactions of 100 plain puts) -> ``commit`` -> ``tidy`` (superseded revisions, dropped
images and released codes; the indexer repeats this from the stream if a crash stops it).

Claims. A claim is free for another save when it does not exist, or when its save is over
(not pending, or its journal is gone) and its product does not list the code (read after the
claim: a product never lists a code without a claim). Taking it over is conditional on its ``token`` being the one read, and every claim
write sets a new token, so two takers (or a taker and a re-claiming owner) cannot both win.
A staged save may commit only within ``COMMIT_WITHIN`` of its start, well before its pending
claims expire (``ABANDONED_AFTER``), so nobody takes over a claim that may still be committed.
"""
# mypy: disable-error-code="no-untyped-call"
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from ulid import ULID

from shared import clock
from shared.catalog.tables import (
    PRODUCT_SK,
    CatalogItem,
    CodeClaim,
    ImageRecord,
    ProductRecord,
    SkuRecord,
    StagedSave,
    claim_sk,
    parse_sku_sk,
    product_pk,
    save_sk,
    sku_sk,
)
from shared.errors import Conflict
from shared.ids import new_id
from shared.keys import shop_pk
from shared.tx import LIMIT, ConditionsFailed, Writes, write_chunks

COMMIT_WITHIN = timedelta(minutes=1)  # a staged save commits within this of its start, or gives up
ABANDONED_AFTER = timedelta(minutes=5)  # then its pending claims expire and its leftovers are garbage
JOURNAL_TTL = timedelta(days=1)  # the last resort for a crashed save of a product nobody saves again
ClaimKey = tuple[str, str]  # (SKUCODE|BARCODE, CODE in upper case)
Key = tuple[str, str]  # (pk, sk)


def new_token() -> str:
    """A save's token: a ULID, so its age is known from the token itself."""
    return new_id()


def token_time(token: str) -> datetime:
    return ULID.from_str(token).datetime


def abandoned(token: str, now: datetime | None = None) -> bool:
    """Written by a save that can no longer commit ("" = before revisions existed)."""
    return not token or token_time(token) + ABANDONED_AFTER < (now or clock.now())


def live_keys(product: ProductRecord) -> set[str] | None:
    """Sort keys of the SKU items the product names; None for a product saved before SKU
    revisions existed (then every SKU item is live)."""
    if product.sku_revs is None:
        return None
    return {sku_sk(sku_id, rev) for rev, ids in product.sku_revs.items() for sku_id in ids}


def grouped(revs: dict[str, str]) -> dict[str, list[str]]:
    """``{sku: rev}`` as stored: ``{rev: [skus]}`` (a few revisions per product, so smaller)."""
    out: dict[str, list[str]] = {}
    for sku_id, rev in revs.items():
        out.setdefault(rev, []).append(sku_id)
    return out


class ClaimTaken(Exception):
    def __init__(self, key: ClaimKey) -> None:
        super().__init__(f"{key[0]} {key[1]} is taken")
        self.key = key


@dataclass
class SavePlan:
    """Everything one product save writes, before deciding how."""

    shop_id: str
    product_id: str
    token: str
    claims: list[tuple[str, str]]  # (kind, code as entered), SKU order
    releases: list[ClaimKey]
    sku_puts: list[SkuRecord]
    superseded: list[Key]  # SKU items the save stops naming
    dropped_images: list[ImageRecord]
    head: Writes  # the product write, the counters and the outbox items
    expected: dict[ClaimKey, CodeClaim | None] = field(default_factory=dict)  # take-overs

    @property
    def pk(self) -> str:
        return product_pk(self.shop_id, self.product_id)

    def single(self) -> Writes:
        writes = Writes()
        for kind, code in self.claims:
            self._claim(writes, kind, code, None)
        for kind, code in self.releases:
            writes.delete(CodeClaim(shop_pk(self.shop_id), claim_sk(kind, code)),
                          CodeClaim.pk.does_not_exist() | (CodeClaim.product_id == self.product_id),
                          ("release", kind, code))
        for rec in self.sku_puts:
            writes.put(rec)
        for pk, sk in self.superseded:
            writes.delete(SkuRecord(pk, sk))
        for image in self.dropped_images:
            writes.delete(image)
        writes.extend(self.head)
        return writes

    def _claim(self, writes: Writes, kind: str, code: str, pending_until: str | None) -> None:
        key = (kind, code.upper())
        item = CodeClaim(shop_pk(self.shop_id), claim_sk(kind, code), product_id=self.product_id, code=code,
                         token=self.token, pending_until=pending_until)
        writes.put(item, expectation(self.expected.get(key)), ("claim", *key))


def expectation(existing: CodeClaim | None) -> Any:
    """The condition that a claim is still exactly as read (None: still absent)."""
    if existing is None:
        return CodeClaim.pk.does_not_exist()
    if existing.token:
        return CodeClaim.token == existing.token
    return CodeClaim.token.does_not_exist() & (CodeClaim.product_id == existing.product_id)


# -- claims -------------------------------------------------------------------------------------
def _read_claims(shop_id: str, keys: Iterable[ClaimKey]) -> dict[ClaimKey, CodeClaim]:
    wanted = [(shop_pk(shop_id), claim_sk(kind, code)) for kind, code in dict.fromkeys(keys)]
    found: dict[ClaimKey, CodeClaim] = {}
    for start in range(0, len(wanted), 100):
        for claim in CodeClaim.batch_get(wanted[start:start + 100], consistent_read=True):
            kind, _, code = claim.sk.partition("#")
            found[(kind, code)] = claim
    return found


def _listed(shop_id: str, product_ids: Iterable[str]) -> dict[str, set[ClaimKey]]:
    """The codes each product lists now (strongly consistent)."""
    keys = [(product_pk(shop_id, p), PRODUCT_SK) for p in dict.fromkeys(product_ids)]
    out: dict[str, set[ClaimKey]] = {}
    for start in range(0, len(keys), 100):
        for p in ProductRecord.batch_get(keys[start:start + 100], consistent_read=True,
                                         attributes_to_get=["pk", "sk", "kind", "sku_codes", "barcodes"]):
            out[p.product_id] = ({("SKUCODE", c.upper()) for c in p.sku_codes or []}
                                 | {("BARCODE", c.upper()) for c in p.barcodes or []})
    return out


def _pending(claim: CodeClaim, now: datetime) -> bool:
    return bool(claim.pending_until) and str(claim.pending_until) > clock.iso(now)


def _in_flight(shop_id: str, claims: Iterable[CodeClaim]) -> set[str]:
    """Tokens of the staged saves still running among these claims' writers: pending, and with
    their journal still there. (A save writes its journal before its first claim and deletes it
    only after its commit and tidy, or its abort; so a pending claim without a journal belongs
    to a save that is over, and is held only if its product lists the code.)"""
    now = clock.now()
    keys = {(product_pk(shop_id, c.product_id), save_sk(str(c.token))) for c in claims if _pending(c, now)}
    found: set[str] = set()
    wanted = sorted(keys)
    for start in range(0, len(wanted), 100):
        for journal in StagedSave.batch_get(wanted[start:start + 100], consistent_read=True,
                                            attributes_to_get=["pk", "sk", "kind"]):
            found.add(journal.token)
    return found


def inspect(shop_id: str, keys: list[ClaimKey]) -> tuple[dict[ClaimKey, CodeClaim | None], list[ClaimKey]]:
    """Of the claims that stopped a save: which are free to take over (with the state to expect)
    and which are really taken. Claims are read before their products, so a product seen not to
    list a code did not list it when the claim was read either."""
    claims = _read_claims(shop_id, keys)
    running = _in_flight(shop_id, claims.values())
    settled = [c.product_id for c in claims.values() if c.token not in running]
    listed = _listed(shop_id, settled) if settled else {}
    free: dict[ClaimKey, CodeClaim | None] = {}
    taken: list[ClaimKey] = []
    for key in keys:
        claim = claims.get(key)
        if claim is None:
            free[key] = None
        elif claim.token in running or key in listed.get(claim.product_id, set()):
            taken.append(key)
        else:
            free[key] = claim  # a leftover: of a crashed save, or of a release that did not happen
    return free, taken


def _commit_claims(plan: SavePlan, claims: list[tuple[str, str]], pending_until: str | None,
                   whole: bool = False) -> None:
    """Commit ``claims`` (``whole``: with the rest of a single-transaction save), taking over
    leftover claims; ClaimTaken names the first code (in SKU order) that is really taken."""
    order = {(kind, code.upper()): i for i, (kind, code) in enumerate(claims)}
    for _ in range(3):
        if whole:
            writes = plan.single()
        else:
            writes = Writes()
            for kind, code in claims:
                plan._claim(writes, kind, code, pending_until)
        try:
            writes.commit()
            return
        except ConditionsFailed as exc:
            failed = [(label[1], label[2]) for label in exc.labels if label[0] == "claim"]
            if not failed:
                raise
            free, taken = inspect(plan.shop_id, failed)
            if taken:
                raise ClaimTaken(min(taken, key=lambda k: order.get(k, 0))) from exc
            plan.expected.update(free)
    raise Conflict("write_conflict")


def release_unlisted(shop_id: str, product_id: str, keys: Iterable[ClaimKey], token: str | None = None) -> int:
    """Delete the product's claims of these codes unless it lists them (again); ``token``: only
    claims written by that save. Pending claims (a save in flight) are left. Idempotent."""
    claims = {k: c for k, c in _read_claims(shop_id, keys).items()
              if c.product_id == product_id and (token is None or c.token == token)}
    running = _in_flight(shop_id, claims.values())
    claims = {k: c for k, c in claims.items() if c.token not in running}
    if not claims:
        return 0
    listed = _listed(shop_id, [product_id]).get(product_id, set())
    return _delete_if([(c, expectation(c)) for k, c in claims.items() if k not in listed])


def _delete_if(items: list[tuple[CodeClaim, Any]]) -> int:
    """Conditional deletes, 100 per transaction; an item whose condition fails is skipped."""
    done = 0
    for start in range(0, len(items), LIMIT):
        chunk = items[start:start + LIMIT]
        for _ in range(3):
            writes = Writes()
            for claim, condition in chunk:
                writes.delete(claim, condition, ("claim", claim.sk))
            try:
                writes.commit()
                done += len(chunk)
                break
            except ConditionsFailed as exc:
                failed = {label[1] for label in exc.labels}
                chunk = [(c, cond) for c, cond in chunk if c.sk not in failed]
            except Conflict:
                continue
    return done


# -- the stages -----------------------------------------------------------------------------------
def commit_single(plan: SavePlan) -> None:
    """A save that fits one transaction: all of it at once (ConditionsFailed / ClaimTaken)."""
    _commit_claims(plan, plan.claims, None, whole=True)


def journal(plan: SavePlan) -> StagedSave:
    started = token_time(plan.token)
    record = StagedSave(plan.pk, save_sk(plan.token), claims=[claim_sk(k, c) for k, c in plan.claims],
                        created_at=clock.iso(started), expires_at=started + JOURNAL_TTL)
    record.save()
    return record


def claim(plan: SavePlan) -> None:
    """Stage 1: the new codes, pending, in transactions of up to 100."""
    pending_until = clock.iso(token_time(plan.token) + ABANDONED_AFTER)
    for start in range(0, len(plan.claims), LIMIT):
        _commit_claims(plan, plan.claims[start:start + LIMIT], pending_until)


def write_revisions(plan: SavePlan) -> None:
    """Stage 2: the new SKU revisions; nobody reads them before the commit names them."""
    write_chunks(CatalogItem, plan.sku_puts, [])


def commit(plan: SavePlan) -> None:
    """Stage 3: the product item (now naming the new revisions), counters and events, at once."""
    if clock.now() > token_time(plan.token) + COMMIT_WITHIN:
        raise Conflict("write_conflict")  # too late: its pending claims may soon be taken over
    plan.head.commit()


def tidy(plan: SavePlan) -> None:
    """Stage 4, after the commit: what the product no longer names. Idempotent; the indexer
    does the same from the stream when a crash stops it here."""
    write_chunks(CatalogItem, [], [*plan.superseded, *((i.pk, i.sk) for i in plan.dropped_images)])
    release_unlisted(plan.shop_id, plan.product_id, plan.releases)
    write_chunks(CatalogItem, [], [(plan.pk, save_sk(plan.token))])


def abort(plan: SavePlan) -> None:
    """Take back what a refused save wrote: its claims, its revisions, its journal."""
    mine = [(CodeClaim(shop_pk(plan.shop_id), claim_sk(k, c)), CodeClaim.token == plan.token) for k, c in plan.claims]
    _delete_if(mine)
    write_chunks(CatalogItem, [], [*((r.pk, r.sk) for r in plan.sku_puts), (plan.pk, save_sk(plan.token))])


def commit_staged(plan: SavePlan) -> None:
    """A save bigger than one transaction, stage by stage. A refusal (ClaimTaken,
    ConditionsFailed of the commit, a conflict) is answered after ``abort``; anything else
    (a timeout: did the commit happen?) leaves the garbage to the sweep."""
    journal(plan)
    try:
        claim(plan)
        write_revisions(plan)
        commit(plan)
    except (ClaimTaken, ConditionsFailed, Conflict):
        abort(plan)
        raise
    tidy(plan)


def sweep(shop_id: str, product_id: str, garbage: list[SkuRecord], journals: list[StagedSave]) -> None:
    """Leftovers of crashed staged saves seen by a later read of the partition: revisions
    nobody names, and journals, once they are abandoned (never those of a save in flight)."""
    now = clock.now()
    old = [(r.pk, r.sk) for r in garbage if abandoned(parse_sku_sk(r.sk)[1], now)]
    for record in journals:
        if abandoned(record.token, now):
            sweep_journal(shop_id, product_id, record.token, record.claims or [])
            old.append((record.pk, record.sk))
    if old:
        write_chunks(CatalogItem, [], old)


def sweep_journal(shop_id: str, product_id: str, token: str, claims: list[str]) -> None:
    """The claims of an abandoned save that its product does not list."""
    keys = [(kind, code) for kind, _, code in (sk.partition("#") for sk in claims)]
    release_unlisted(shop_id, product_id, keys, token=token)

