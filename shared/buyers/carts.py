"""The buyer's cart, kept on the server: one item per buyer (``CART``) holding the lines
(``sku_id``, ``product_id``, ``qty``) in the order added and a version. Every change reads the
cart and writes it back conditional on the version it read; a concurrent change makes it read
and apply again (``shared.tx.retrying``), so two tabs adding at once both land.

Prices are never stored: the view prices the available lines with the orders' pipeline
(``shared.orders.quote``), the same one checkout uses. A line whose SKU went off shelf stays in
the cart, marked unavailable, until the buyer removes it.

Merge (the cart the page kept while signed out, sent at sign-in): the same SKU takes the larger
of the two quantities (the signed-out cart was often built from this very cart, so adding would
double it); new SKUs are appended; unknown or off-shelf SKUs, and lines past
``CART_MAX_LINES``, are dropped and named in the answer.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pynamodb.exceptions import PutError

from shared.buyers.models import (
    CART_MAX_LINES,
    CartDrop,
    CartLineInput,
    CartLineView,
    CartView,
)
from shared.buyers.tables import CART, CartItem, buyer_pk
from shared.errors import Unprocessable, field_error
from shared.orders.models import MAX_QTY, QuoteLineInput
from shared.tx import Stale, retrying

Line = dict[str, Any]


def _read(shop_id: str, buyer_id: str) -> CartItem:
    try:
        return CartItem.get(buyer_pk(shop_id, buyer_id), CART, consistent_read=True)
    except CartItem.DoesNotExist:
        return CartItem(pk=buyer_pk(shop_id, buyer_id), sk=CART, lines=[], version=0)


def _write(cart: CartItem, lines: list[Line]) -> CartItem:
    from shared import clock

    previous = int(cart.version or 0)
    new = CartItem(pk=cart.pk, sk=CART, lines=lines, version=previous + 1, updated_at=clock.now().isoformat())
    condition = CartItem.version.does_not_exist() if previous == 0 else CartItem.version == previous
    try:
        new.save(condition=condition)
    except PutError as exc:
        if getattr(exc, "cause_response_code", None) == "ConditionalCheckFailedException":
            raise Stale() from exc
        raise
    return new


def _change(shop_id: str, buyer_id: str, apply: Callable[[list[Line]], list[Line]]) -> CartItem:
    def attempt() -> CartItem:
        cart = _read(shop_id, buyer_id)
        return _write(cart, apply([dict(line) for line in cart.lines or []]))

    return retrying(attempt)


def _facts(shop_id: str, lines: list[Line]) -> Any:
    from shared.orders.quote import read_facts

    inputs = [QuoteLineInput(product_id=line["product_id"], sku_id=line["sku_id"], qty=line["qty"]) for line in lines]
    return read_facts(shop_id, inputs) if inputs else None


def _problem(facts: Any, line: Line) -> str | None:
    sku = facts.skus.get(line["sku_id"]) if facts else None
    if sku is None or sku.product_id != line["product_id"]:
        return "unknown_sku"
    return None if sku.sellable else "not_on_sale"


def view(shop_id: str, cart: CartItem, dropped: list[CartDrop] | None = None) -> CartView:
    from shared.orders.quote import price

    lines = list(cart.lines or [])
    facts = _facts(shop_id, lines)
    out, priced = [], []
    for line in lines:
        sku = facts.skus.get(line["sku_id"]) if facts else None
        ok = _problem(facts, line) is None
        out.append(CartLineView(product_id=line["product_id"], sku_id=line["sku_id"], qty=int(line["qty"]),
                                name=sku.name if sku else "", spec_values=list(sku.spec_values) if sku else [],
                                unit_price=sku.price if sku else None, available=ok))
        if ok:
            priced.append(QuoteLineInput(product_id=line["product_id"], sku_id=line["sku_id"], qty=int(line["qty"])))
    quote = price(priced, facts) if priced else None
    if quote is not None:
        images = {q.sku_id: q.image for q in quote.lines}
        for line_view in out:
            line_view.image = images.get(line_view.sku_id)
    return CartView(lines=out, version=int(cart.version or 0), quote=quote, dropped=dropped or [])


def get(shop_id: str, buyer_id: str) -> CartView:
    return view(shop_id, _read(shop_id, buyer_id))


def _check_sellable(shop_id: str, body: CartLineInput) -> None:
    problem = _problem(_facts(shop_id, [body.model_dump()]), body.model_dump())
    if problem:
        raise field_error("sku_id", problem, sku_id=body.sku_id)


def add(shop_id: str, buyer_id: str, body: CartLineInput) -> CartView:
    """Add ``qty`` of a SKU on sale (to the line already there, up to the most one line holds)."""
    _check_sellable(shop_id, body)

    def apply(lines: list[Line]) -> list[Line]:
        for line in lines:
            if line["sku_id"] == body.sku_id:
                if line["qty"] + body.qty > MAX_QTY:
                    raise field_error("qty", "less_than_equal", le=MAX_QTY - line["qty"])
                line["qty"] += body.qty
                return lines
        if len(lines) >= CART_MAX_LINES:
            raise Unprocessable("cart_full", details={"limit": CART_MAX_LINES}, limit=CART_MAX_LINES)
        return [*lines, {"product_id": body.product_id, "sku_id": body.sku_id, "qty": body.qty}]

    return view(shop_id, _change(shop_id, buyer_id, apply))


def set_qty(shop_id: str, buyer_id: str, sku_id: str, qty: int) -> CartView:
    def apply(lines: list[Line]) -> list[Line]:
        for line in lines:
            if line["sku_id"] == sku_id:
                line["qty"] = qty
                return lines
        raise field_error("sku_id", "not_in_cart")

    return view(shop_id, _change(shop_id, buyer_id, apply))


def remove(shop_id: str, buyer_id: str, sku_id: str) -> CartView:
    def apply(lines: list[Line]) -> list[Line]:
        kept = [line for line in lines if line["sku_id"] != sku_id]
        if len(kept) == len(lines):
            raise field_error("sku_id", "not_in_cart")
        return kept

    return view(shop_id, _change(shop_id, buyer_id, apply))


def merge(shop_id: str, buyer_id: str, incoming: list[CartLineInput]) -> CartView:
    facts = _facts(shop_id, [line.model_dump() for line in incoming])
    dropped: list[CartDrop] = []
    wanted: list[Line] = []
    for line in incoming:
        problem = _problem(facts, line.model_dump())
        if problem:
            dropped.append(CartDrop(sku_id=line.sku_id, reason=problem))
        else:
            wanted.append(line.model_dump())

    def apply(lines: list[Line]) -> list[Line]:
        dropped[:] = [d for d in dropped if d.reason != "cart_full"]
        by_sku = {line["sku_id"]: line for line in lines}
        for line in wanted:
            if line["sku_id"] in by_sku:
                by_sku[line["sku_id"]]["qty"] = max(by_sku[line["sku_id"]]["qty"], line["qty"])
            elif len(lines) < CART_MAX_LINES:
                by_sku[line["sku_id"]] = dict(line)
                lines.append(by_sku[line["sku_id"]])
            else:
                dropped.append(CartDrop(sku_id=line["sku_id"], reason="cart_full"))
        return lines

    return view(shop_id, _change(shop_id, buyer_id, apply), dropped)


# -- what checkout uses (stable: shared.orders callers) --------------------------------------------------------
def lines(shop_id: str, buyer_id: str) -> list[QuoteLineInput]:
    """The cart's lines as the pipeline takes them (unavailable ones included: pricing names them)."""
    return [QuoteLineInput(product_id=line["product_id"], sku_id=line["sku_id"], qty=int(line["qty"]))
            for line in _read(shop_id, buyer_id).lines or []]


def clear_lines(shop_id: str, buyer_id: str, sku_ids: set[str]) -> None:
    """Remove the ordered SKUs from the cart (after an order was placed)."""
    _change(shop_id, buyer_id, lambda current: [line for line in current if line["sku_id"] not in sku_ids])
