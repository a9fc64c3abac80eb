"""Property-based (hypothesis): random sequences of receipts, adjustments, reservations, releases,
deductions, transfers, shard changes and replayed requests, run against DynamoDB Local through
the domain services, compared with a model after every step. The model decides whether each
operation is valid: a valid one that the service refuses fails the test, as does an invalid one
it does. Whatever the sequence: on hand and reserved equal the sums of the movements, available =
on hand - reserved never goes negative, refusals change nothing, and a replayed request changes
nothing. (Reservations are recorded where the service put them, checked against the model.)"""
from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from shared.auth.context import AuthContext
from shared.auth.permissions import ALL
from shared.errors import ShopDeskError
from tests.integration.conftest import Api

WAREHOUSES = ("wh_default", "second")
qty = st.integers(1, 6)
where = st.sampled_from(WAREHOUSES)
ops = st.one_of(
    st.tuples(st.just("receive"), where, qty),
    st.tuples(st.just("adjust"), where, st.integers(-6, 6).filter(bool)),
    st.tuples(st.just("reserve"), st.one_of(st.none(), where), qty),
    st.tuples(st.just("release"), st.integers(0, 7), st.just(0)),
    st.tuples(st.just("deduct"), st.integers(0, 7), st.just(0)),
    st.tuples(st.just("transfer"), where, qty),
    st.tuples(st.just("shards"), where, st.integers(1, 3)),
    st.tuples(st.just("replay"), st.integers(0, 7), st.just(0)),
)


@dataclass
class Model:
    on_hand: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    reserved: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    orders: list[tuple[str, str, int, str]] = field(default_factory=list)  # order, warehouse, qty, status

    def available(self, w: str) -> int:
        return self.on_hand[w] - self.reserved[w]

    @staticmethod
    def other(w: str) -> str:
        return WAREHOUSES[1 - WAREHOUSES.index(w)]

    def reserving(self, w: str | None, n: int) -> str | None:
        """Where a reservation of ``n`` goes: the named warehouse, else the first (by priority)
        with enough available."""
        return next((x for x in ([w] if w else WAREHOUSES) if self.available(x) >= n), None)

    def refusal(self, op: str, a: Any, b: int) -> str | None:
        """The refusal the service must answer, or None when the operation is valid."""
        if op == "transfer" and self.available(a) < b:
            return "insufficient_stock"
        if op == "adjust" and b < 0 and self.available(a) < -b:
            return "insufficient_stock"
        if op == "reserve" and self.reserving(a, b) is None:
            return "insufficient_stock"
        if op in ("release", "deduct") and self.orders:
            status = self.orders[a % len(self.orders)][3]
            return None if status in ("reserved", "released" if op == "release" else "deducted") \
                else "reservation_closed"
        return None

    def apply(self, op: str, a: Any, b: int) -> None:
        """The model's side of an operation the service did."""
        if op in ("receive", "adjust"):
            self.on_hand[a] += b
        elif op in ("release", "deduct") and self.orders:
            i = a % len(self.orders)
            order_id, w, n, status = self.orders[i]
            if status == "reserved":
                self.reserved[w] -= n
                if op == "deduct":
                    self.on_hand[w] -= n
                self.orders[i] = (order_id, w, n, "released" if op == "release" else "deducted")
        elif op == "transfer":
            self.on_hand[a] -= b
            self.on_hand[self.other(a)] += b


@pytest.fixture
def setting(owner: Api) -> dict:
    from shared.inventory import warehouses
    from shared.inventory.models import WarehouseCreate

    ctx = AuthContext(user_id="prop", email="prop@test.shop", shop_id=owner.shop_id, roles=frozenset({"owner"}),
                      permissions=ALL)
    second = warehouses.create(ctx, WarehouseCreate(name="第二仓", code="SECOND", priority=10))
    return {"ctx": ctx, "ids": {"wh_default": "wh_default", "second": second.id}}


# The boundaries, always tried: every unit taken, moved or reserved; a closed reservation; a
# shard count lowered under a reservation (refused only if the reserved shard would go).
@example(steps=[("receive", "wh_default", 3), ("adjust", "wh_default", -3), ("adjust", "wh_default", -1)])
@example(steps=[("receive", "second", 4), ("transfer", "second", 4), ("transfer", "second", 1)])
@example(steps=[("receive", "wh_default", 2), ("reserve", None, 2), ("deduct", 0, 0), ("release", 0, 0),
                ("replay", 0, 0)])
@example(steps=[("receive", "wh_default", 1), ("reserve", "wh_default", 1), ("adjust", "wh_default", -1),
                ("release", 0, 0), ("adjust", "wh_default", -1)])
@example(steps=[("receive", "wh_default", 5), ("shards", "wh_default", 3), ("reserve", "wh_default", 5),
                ("shards", "wh_default", 1), ("deduct", 0, 0), ("shards", "wh_default", 1)])
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(ops, min_size=1, max_size=8))
def test_any_sequence_keeps_the_ledger_equal_to_the_stock_and_available_non_negative(owner: Api, setting, steps):
    from shared.inventory import ledger, reservations, shards, stock
    from shared.inventory.models import (
        Adjustment,
        MovementFilter,
        Receipt,
        ReservationCreate,
        StockSettings,
        Transfer,
    )
    from tests.integration.inventory import product

    ctx, ids = setting["ctx"], setting["ids"]
    prd = product(owner)
    sku_id, product_id = prd["skus"][0]["id"], prd["id"]
    model = Model()
    for op, a, b in steps:
        # What the model says the service must answer: None (done) or the code of the refusal.
        expected = model.refusal(op, a, b)
        if op == "shards":
            current = stock.read(ctx.shop_id, sku_id, ids[a])
            # Which shard a reservation took its units from is the service's choice, not the
            # model's: a shard count that would drop a shard holding reserved units is refused.
            held = {x.k for x in current.shards if x.reserved}
            expected = "shards_busy" if any(k >= b for k in held) else None
        refused = None
        try:
            if op == "receive":
                ledger.receive(ctx, Receipt(product_id=product_id, sku_id=sku_id, warehouse_id=ids[a], qty=b))
            elif op == "adjust":
                ledger.adjust(ctx, Adjustment(product_id=product_id, sku_id=sku_id, warehouse_id=ids[a], delta=b,
                                              reason="测试"))
            elif op == "reserve":
                order_id = f"ord_{uuid.uuid4().hex[:10]}"
                answer = reservations.reserve(ctx, ReservationCreate(order_id=order_id, warehouse_id=ids[a] if a else None,
                                                                      lines=[{"sku_id": sku_id, "product_id": product_id,
                                                                              "qty": b}]))
                chosen = model.reserving(a, b)
                assert chosen is not None and answer.lines[0].warehouse_id == ids[chosen], (answer, chosen)
                model.orders.append((order_id, chosen, b, "reserved"))
                model.reserved[chosen] += b
            elif op in ("release", "deduct") and model.orders:
                order_id = model.orders[a % len(model.orders)][0]
                (reservations.release if op == "release" else reservations.deduct)(ctx, order_id)
            elif op == "transfer":
                ledger.transfer(ctx, Transfer(product_id=product_id, sku_id=sku_id, from_warehouse_id=ids[a],
                                              to_warehouse_id=ids[model.other(a)], qty=b))
            elif op == "shards":
                version = int(current.head.settings_version or 0) if current.head else 0
                shards.update_settings(ctx, sku_id, StockSettings(product_id=product_id, warehouse_id=ids[a],
                                                                  shards=b, version=version))
            elif op == "replay" and model.orders:
                order_id, w, n, status = model.orders[a % len(model.orders)]
                again = reservations.reserve(ctx, ReservationCreate(order_id=order_id, lines=[
                    {"sku_id": sku_id, "product_id": product_id, "qty": n}]))
                assert again.replayed and again.status == status
        except ShopDeskError as exc:
            refused = exc.code
        # A refusal the model does not expect fails the test as surely as an unexpected success.
        assert refused == expected, f"{op}({a}, {b}): expected {expected or 'success'}, got {refused or 'success'}"
        if refused is None:
            model.apply(op, a, b)
        stocks = stock.read_sku(ctx.shop_id, sku_id)
        for w in WAREHOUSES:
            s = stocks.get(ids[w])
            found = (s.on_hand, s.reserved, s.available) if s else (0, 0, 0)
            assert found == (model.on_hand[w], model.reserved[w], model.available(w)), (op, a, b, w, found)
            assert found[2] >= 0
            if s:
                assert all(x.available >= 0 and x.reserved >= 0 and x.available == x.on_hand - x.reserved
                           for x in s.shards)
    sums: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for m in ledger.all_movements(ctx.shop_id, MovementFilter(sku_id=sku_id)):
        sums[m.warehouse_id][0] += int(m.on_hand_delta)
        sums[m.warehouse_id][1] += int(m.reserved_delta)
    for w in WAREHOUSES:
        assert tuple(sums.get(ids[w], [0, 0])) == (model.on_hand[w], model.reserved[w])
