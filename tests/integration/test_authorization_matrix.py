"""The authorization matrix, generated from the route declarations and the permission registry:
every protected route x every built-in role, plus no token, a disabled member and a member of
another shop.

- Every call runs on real records: reads on records made once for the module (``World.shared``),
  writes on throwaway records made for the route, and a fresh one for each allowed caller when
  the call uses its record up (a delete, a state change). So an allowed call does real work: it
  must answer 2xx, unless its case names the 4xx it may answer instead and why.
- An allowed call never answers 401, 403 or 5xx; a denied one answers exactly 403 naming the
  route's permission, and the records the route would change read the same before and after.
- No call of any kind answers 5xx.
"""
from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests

from shared.auth.built_in_roles import BUILT_IN_ROLES
from shared.auth.permissions import ALL, VIEW_COSTS
from shared.http.app import SHOP_MEMBER
from tests.contract.test_template_contract import API_FUNCTIONS, load_module
from tests.integration.conftest import PASSWORD, Api, eventually, new_shop, sign_in

SPECS = sorted((s for logical in API_FUNCTIONS for s in load_module(logical).app.specs),
               key=lambda s: (s.path, s.method))
# Staff routes; the storefront's buyer routes (buyer pool tokens) have their own test below.
PROTECTED = [s for s in SPECS if s.access not in ("public", "buyer")]
BUYER_ROUTES = [s for s in SPECS if s.access == "buyer"]
SHOP_SCOPED = [s for s in SPECS if s.access == "shop"]
ROLES = sorted(BUILT_IN_ROLES)
Target = dict[str, Any]


def holds(role: str, spec) -> bool:
    return spec.access == "user" or spec.permission == SHOP_MEMBER or spec.permission in BUILT_IN_ROLES[role].permissions


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:8].upper()}"


def ok(answer: requests.Response, *expected: int) -> Any:
    assert answer.status_code in (expected or (200, 201, 202)), answer.text
    return answer.json()


# -- the shop, its staff and its records ---------------------------------------------------------------------
class World:
    """The matrix shop: a member of each built-in role, and the owner's helpers that make real
    records through the API (the same calls the UI makes)."""

    def __init__(self, system: Any) -> None:
        from shared.identity import access, signin

        self.system = system
        self.shop_id = new_shop("权限矩阵店")
        self.api: dict[str, Api] = {}
        self.user_ids: dict[str, str] = {}
        self.logins: dict[str, str] = {}
        for role in ROLES:
            email = f"matrix-{role}-{uuid.uuid4().hex[:6]}@matrix.test"
            user_id = signin.create_staff_login(email, PASSWORD)
            access.upsert_user(user_id, email, role)
            access.add_member(user_id, self.shop_id, {role})
            self.api[role] = Api(system.url, sign_in(system, email), self.shop_id)
            self.user_ids[role] = user_id
            self.logins[role] = email
        self.owner = self.api["owner"]
        self.shared = self._shared()

    # catalog
    def product(self) -> dict[str, Any]:
        from tests.integration.test_catalog_products import create

        return dict(create(self.owner, sizes=["S"]))

    def stocked(self, qty: int = 20, warehouse_id: str | None = None) -> Target:
        prd = self.product()
        body = {"product_id": prd["id"], "sku_id": prd["skus"][0]["id"], "qty": qty,
                **({"warehouse_id": warehouse_id} if warehouse_id else {})}
        ok(self.owner.post("/inventory/receipts", json=body), 201)
        return {"product": prd, "product_id": prd["id"], "sku_id": prd["skus"][0]["id"]}

    def category(self) -> Target:
        answer = ok(self.owner.post("/categories", json={"name": unique("分类")}), 201)
        return {"category_id": answer["id"]}

    def listed(self) -> Target:
        prd = self.product()
        ok(self.owner.post(f"/products/{prd['id']}/list", json={}))
        return {"product_id": prd["id"], "product": prd}

    # inventory
    def warehouse(self) -> Target:
        answer = ok(self.owner.post("/inventory/warehouses", json={"name": unique("仓"), "code": unique("W")}), 201)
        return {"warehouse_id": answer["id"]}

    def reservation(self) -> Target:
        target = self.stocked()
        order_id = unique("ord_")
        body = {"order_id": order_id, "lines": [{"sku_id": target["sku_id"], "product_id": target["product_id"], "qty": 1}]}
        ok(self.owner.post("/inventory/reservations", json=body), 201)
        return {**target, "order_id": order_id}

    def order(self) -> Target:
        """A buyer's order (placed through the orders domain: the buyer routes are not there yet)."""
        from shared.orders import placing, quote
        from shared.orders.models import Buyer, PlaceOrder, QuoteLineInput

        target = self.stocked()
        ok(self.owner.post(f"/products/{target['product_id']}/list", json={}))
        lines = [QuoteLineInput(product_id=target["product_id"], sku_id=target["sku_id"], qty=1)]
        body = PlaceOrder(lines=lines, quote_hash=quote.quote(self.shop_id, lines).quote_hash,
                          receiver={"name": "矩阵收货人", "mobile": "13700000000", "province": "110000",
                                    "detail": "长安街 1 号"})
        order = placing.place(self.shop_id, Buyer(buyer_id="byr_matrix"), body, request_id=unique("req"))
        return {**target, "order_id": order.id}

    def paid_order(self) -> Target:
        """An order paid and waiting for review (待审核)."""
        from shared.orders import lifecycle, views

        target = self.order()
        payable = int(views.load_order(self.shop_id, target["order_id"]).payable)
        lifecycle.apply_payment(self.shop_id, target["order_id"],
                                lifecycle.PaymentFacts("alipay", payable, unique("T")))
        # the review rules' consumer decides (no rule here: the review queue) before the calls
        eventually(lambda: any(t["kind"] == "review_queue" for t in self.read(f"/orders/{target['order_id']}")["timeline"]),
                   timeout=40)
        return target

    def finance_order(self) -> Target:
        """A paid order the service staff reviewed into 待财审."""
        from shared.events.base import Actor
        from shared.orders import lifecycle

        target = self.paid_order()
        lifecycle.transition(self.shop_id, target["order_id"], "review_to_finance", Actor.system("matrix"))
        return target

    def held_order(self) -> Target:
        target = self.order()
        ok(self.owner.post(f"/orders/{target['order_id']}/hold", json={"reason": "矩阵挂起"}))
        return target

    def stocktake(self, counted: bool = False) -> Target:
        where = self.warehouse()
        target = self.stocked(qty=5, warehouse_id=where["warehouse_id"])
        answer = ok(self.owner.post("/inventory/stocktakes", json={"warehouse_id": where["warehouse_id"]}), 201)
        if counted:
            ok(self.owner.put(f"/inventory/stocktakes/{answer['id']}/lines",
                              json={"lines": [{"sku_id": target["sku_id"], "counted": 4}]}))
        return {**target, **where, "stocktake_id": answer["id"]}

    # purchasing
    def supplier(self) -> Target:
        answer = ok(self.owner.post("/suppliers", json={"name": unique("供应商"), "contact": "周经理",
                                                        "phone": "13800138000", "lead_time_days": 7}), 201)
        return {"supplier_id": answer["id"]}

    def po(self, status: str = "draft") -> Target:
        target = {**self.stocked(), **self.supplier()}
        line = {"product_id": target["product_id"], "sku_id": target["sku_id"], "qty": 10, "unit_cost": 500}
        po = ok(self.owner.post("/purchase-orders", json={"supplier_id": target["supplier_id"], "lines": [line]}), 201)
        if status in ("submitted", "partially_received"):
            po = ok(self.owner.post(f"/purchase-orders/{po['id']}/submit", json={"version": po["version"]}))
        if status == "partially_received":
            ok(self.owner.post(f"/purchase-orders/{po['id']}/receipts",
                               json={"lines": [{"sku_id": target["sku_id"], "qty": 4}]}), 201)
        return {**target, "po_id": po["id"]}

    # identity
    def member(self, role: str = "marketing", disabled: bool = False) -> Target:
        from shared.identity import access, signin

        email = f"matrix-member-{uuid.uuid4().hex[:8]}@matrix.test"
        user_id = signin.create_staff_login(email, PASSWORD)
        access.upsert_user(user_id, email, role)
        access.add_member(user_id, self.shop_id, {role})
        if disabled:
            ok(self.owner.post(f"/staff/{user_id}/disable"))
        return {"user_id": user_id, "login": email}

    def role(self) -> Target:
        answer = ok(self.owner.post("/roles", json={"name_zh": unique("角色"), "name_en": unique("Role "),
                                                    "permissions": ["catalog.view"]}), 201)
        return {"code": answer["code"]}

    def _shared(self) -> Target:
        """One real record of every kind the read routes name."""
        from shared.notifications.delivery import deliver

        stock = self.stocked()
        image = ok(self.owner.post(f"/products/{stock['product_id']}/image-uploads",
                                   json={"content_type": "image/png", "size": 100}), 201)
        job = ok(self.owner.post("/products/exports", json={"format": "csv"}), 202)
        title = {"zh-CN": "矩阵通知", "en": "Matrix notice"}
        deliver(self.shop_id, "low_stock", "settings.view", title, title, "/", f"matrix:{uuid.uuid4().hex}", {})
        notes = {role: ok(self.api[role].get("/notifications"))["items"][0]["id"] for role in ROLES}
        return {**stock, **self.reservation(), **self.stocktake(), **self.po(), **self.member(), **self.role(),
                **self.category(), "product_id": stock["product_id"], "sku_id": stock["sku_id"], "shop_id": self.shop_id,
                "image_id": image["image_id"], "job_id": job["id"], "notes": notes}

    # reading what a route would change (as the owner, through the API unless said otherwise)
    def read(self, path: str, **params: Any) -> Any:
        answer = self.owner.get(path, params=params or None)
        return answer.json() if answer.status_code == 200 else answer.status_code

    def claims(self, code: str) -> bool:
        """Whether a SKU code is taken in the shop (a strongly consistent read: the product list is
        an eventually consistent index)."""
        from shared.catalog.tables import CodeClaim, claim_sk
        from shared.keys import shop_pk

        try:
            CodeClaim.get(shop_pk(self.shop_id), claim_sk("SKUCODE", code), consistent_read=True)
            return True
        except CodeClaim.DoesNotExist:
            return False

    def images(self, product_id: str) -> list[str]:
        from shared.catalog.tables import ImageRecord, product_pk

        return sorted(r.sk for r in ImageRecord.query(product_pk(self.shop_id, product_id),
                                                      ImageRecord.sk.startswith("IMAGE#"), consistent_read=True))

    def order_export(self) -> Target:
        return {"job_id": ok(self.owner.post("/orders/exports", json={"format": "csv"}), 202)["id"]}

    def order_exports(self) -> list[str]:
        """The shop's order export jobs (read from the table: no route lists them)."""
        from shared.keys import shop_pk
        from shared.orders.tables import OrderExportJob

        return sorted(r.sk for r in OrderExportJob.query(shop_pk(self.shop_id), OrderExportJob.sk.startswith("JOB#"),
                                                         consistent_read=True))

    def exports(self) -> list[str]:
        import boto3

        bucket = self.system.env["MEDIA_BUCKET"]
        listed = boto3.client("s3").list_objects_v2(Bucket=bucket, Prefix=f"exports/{self.shop_id}/")
        return sorted(o["Key"] for o in listed.get("Contents", []))

    def mail_to(self, login: str) -> int:
        from tests.integration.test_staff_api import sent_emails

        return len(sent_emails(self.system, login))


# -- the cases: how each write route gets a real record, a valid body, and what it would change --------------
@dataclass(frozen=True)
class Case:
    make: Callable[[World], Target] | None = None  # the route's throwaway record(s); None: the shared ones
    body: Callable[[World, Target], Any] | None = None  # at call time (versions are read then)
    params: Callable[[World, Target], dict[str, Any]] | None = None
    state: Callable[[World, Target], Any] | None = None  # what a denied call must leave as it was
    fresh: bool = False  # the call uses its record up: a new one for every allowed caller
    may_answer: frozenset[int] = field(default_factory=frozenset)  # 4xx an allowed call may give instead of 2xx
    why: str = ""  # why may_answer, or why there is no state to compare
    session: bool = False  # the call ends the session it is made with: it gets a sign-in of its own


def settings_case(key: str) -> Case:
    def body(w: World, t: Target) -> dict[str, Any]:
        current = dict(w.read("/settings")[key])
        current.pop("logo_url", None)
        return current

    return Case(body=body, state=lambda w, t: w.read("/settings"))


def product_body(w: World, t: Target, **changes: Any) -> dict[str, Any]:
    current = w.read(f"/products/{t['product_id']}")
    keep = ("name", "description", "category_id", "brand", "currency", "attributes", "specs", "skus", "version")
    return {**{k: current[k] for k in keep}, **changes}


def new_product(w: World) -> Target:
    from tests.integration.test_catalog_products import body

    made = body(sizes=["S"])
    return {"new": made, "code": made["skus"][0]["code"]}


def version_of(path: str, **extra: Any) -> Callable[[World, Target], dict[str, Any]]:
    def body(w: World, t: Target) -> dict[str, Any]:
        return {"version": w.read(path.format(**t))["version"], **extra}

    return body


def po_body(w: World, t: Target) -> dict[str, Any]:
    po = w.read(f"/purchase-orders/{t['po_id']}")
    lines = [{"product_id": ln["product_id"], "sku_id": ln["sku_id"], "qty": ln["qty"] + 1,
              "unit_cost": ln["unit_cost"]} for ln in po["lines"]]
    return {"supplier_id": po["supplier_id"], "lines": lines, "notes": "矩阵修改", "version": po["version"]}


def staff_update(w: World, t: Target) -> dict[str, Any]:
    member = w.read(f"/staff/{t['user_id']}")
    return {"version": member["version"], "name": unique("员工"), "roles": ["marketing", "finance"]}


def supplier_body(w: World, t: Target) -> dict[str, Any]:
    s = w.read(f"/suppliers/{t['supplier_id']}")
    keep = ("name", "contact", "phone", "email", "address", "lead_time_days", "payment_terms")
    return {**{k: s[k] for k in keep}, "lead_time_days": 12, "version": s["version"]}


def stock_of(w: World, t: Target) -> Any:
    return w.read(f"/inventory/stock/{t['sku_id']}")


def stock_settings(w: World, t: Target) -> dict[str, Any]:
    view = stock_of(w, t)
    return {"product_id": t["product_id"], "threshold": 3, "version": view["warehouses"][0]["version"]}


def sku_suppliers(w: World, t: Target) -> dict[str, Any]:
    return {"supplier_id": t["supplier_id"], "preferred": True,
            "version": w.read(f"/purchasing/skus/{t['sku_id']}")["version"]}


def transfer_target(w: World) -> Target:
    return {**w.stocked(), "to_warehouse_id": w.warehouse()["warehouse_id"]}


def transfer_body(w: World, t: Target) -> dict[str, Any]:
    source = stock_of(w, t)["warehouses"][0]["warehouse_id"]
    return {"product_id": t["product_id"], "sku_id": t["sku_id"], "from_warehouse_id": source,
            "to_warehouse_id": t["to_warehouse_id"], "qty": 2}


def reservation_body(w: World, t: Target) -> dict[str, Any]:
    return {"order_id": t["order_id"], "lines": [{"sku_id": t["sku_id"], "product_id": t["product_id"], "qty": 1}]}


def category_move(w: World, t: Target) -> dict[str, Any]:
    parent = w.category()["category_id"]
    return {"parent_id": parent, "version": node(w, t["category_id"])["version"]}


def node(w: World, category_id: str) -> dict[str, Any]:
    def walk(nodes: list[dict[str, Any]]) -> dict[str, Any] | None:
        for n in nodes:
            if n["id"] == category_id:
                return n
            found = walk(n["children"])
            if found:
                return found
        return None

    found = walk(w.read("/categories")["items"])
    assert found is not None
    return found


def listing(path: str, **params: Any) -> Callable[[World, Target], Any]:
    """The ids a list shows (what the records say may change on their own: a job runs)."""
    return lambda w, t: sorted(item["id"] for item in w.read(path, limit=100, **params)["items"])


def one(path: str) -> Callable[[World, Target], Any]:
    return lambda w, t: w.read(path.format(**t))


CASES: dict[tuple[str, str], Case] = {
    # settings
    # (every PUT /settings/<section>: the section as read, sent back; see case_of)
    ("POST", "/settings/logo-uploads"): Case(body=lambda w, t: {"content_type": "image/png", "size": 1000},
                                             state=lambda w, t: w.read("/settings")),
    # staff and roles
    ("POST", "/staff"): Case(make=lambda w: {"login": f"inv-{uuid.uuid4().hex[:8]}@matrix.test"}, fresh=True,
                             body=lambda w, t: {"login": t["login"], "name": "新同事", "roles": ["marketing"]},
                             state=lambda w, t: w.read("/staff", limit=100)),
    ("PUT", "/staff/{user_id}"): Case(make=World.member, body=staff_update, state=one("/staff/{user_id}")),
    ("DELETE", "/staff/{user_id}"): Case(make=World.member, state=one("/staff/{user_id}"), fresh=True),
    ("POST", "/staff/{user_id}/disable"): Case(make=World.member, state=one("/staff/{user_id}"), fresh=True),
    ("POST", "/staff/{user_id}/enable"): Case(make=lambda w: w.member(disabled=True), state=one("/staff/{user_id}"),
                                              fresh=True),
    ("POST", "/roles"): Case(body=lambda w, t: {"name_zh": unique("角色"), "name_en": unique("Role "),
                                                "permissions": ["catalog.view", "inventory.view"]},
                             state=lambda w, t: w.read("/roles")),
    ("PUT", "/roles/{code}"): Case(make=World.role, state=lambda w, t: w.read("/roles"),
                                   body=lambda w, t: {"name_zh": unique("角色"), "name_en": unique("Role "),
                                                      "permissions": ["catalog.view", "orders.view"],
                                                      "version": next(r["version"] for r in w.read("/roles")["items"]
                                                                      if r["code"] == t["code"])}),
    ("DELETE", "/roles/{code}"): Case(make=World.role, state=lambda w, t: w.read("/roles"), fresh=True),
    # catalog
    ("POST", "/categories"): Case(body=lambda w, t: {"name": unique("分类")}, state=lambda w, t: w.read("/categories")),
    ("PUT", "/categories/{category_id}"): Case(make=World.category, state=lambda w, t: w.read("/categories"),
                                               body=lambda w, t: {"name": unique("分类"),
                                                                  "version": node(w, t["category_id"])["version"]}),
    ("POST", "/categories/{category_id}/move"): Case(make=World.category, body=category_move, fresh=True,
                                                     state=lambda w, t: node(w, t["category_id"])),
    ("DELETE", "/categories/{category_id}"): Case(make=World.category, state=lambda w, t: w.read("/categories"),
                                                  fresh=True),
    ("POST", "/products"): Case(make=new_product, body=lambda w, t: t["new"], fresh=True,
                                state=lambda w, t: w.claims(t["code"])),
    ("PUT", "/products/{product_id}"): Case(make=World.stocked, body=lambda w, t: product_body(w, t, name=unique("商品")),
                                            state=one("/products/{product_id}")),
    ("PUT", "/products/{product_id}/specs"): Case(
        make=World.stocked, state=one("/products/{product_id}"),
        body=lambda w, t: {"version": w.read(f"/products/{t['product_id']}")["version"],
                           "specs": [{"name": "颜色", "values": ["红色", "蓝色", unique("色")]},
                                     {"name": "尺码", "values": ["S"]}]}),
    ("DELETE", "/products/{product_id}"): Case(make=World.stocked, state=one("/products/{product_id}"), fresh=True),
    ("POST", "/products/{product_id}/list"): Case(make=World.stocked, body=lambda w, t: {}, fresh=True,
                                                  state=one("/products/{product_id}")),
    ("POST", "/products/{product_id}/delist"): Case(make=World.listed, body=lambda w, t: {}, fresh=True,
                                                    state=one("/products/{product_id}")),
    ("POST", "/products/bulk-shelf"): Case(make=World.stocked, fresh=True, state=one("/products/{product_id}"),
                                           body=lambda w, t: {"action": "list", "ids": [t["product_id"]]}),
    ("POST", "/products/{product_id}/image-uploads"): Case(
        make=World.stocked, body=lambda w, t: {"content_type": "image/jpeg", "size": 2000},
        state=lambda w, t: w.images(t["product_id"])),
    ("POST", "/products/imports"): Case(
        body=lambda w, t: {"format": "csv", "filename": "products.csv", "size": 2000},
        state=listing("/products/jobs")),
    ("POST", "/products/exports"): Case(body=lambda w, t: {"format": "xlsx"}, state=listing("/products/jobs")),
    # inventory
    ("POST", "/inventory/receipts"): Case(make=World.stocked, state=stock_of,
                                          body=lambda w, t: {"product_id": t["product_id"], "sku_id": t["sku_id"], "qty": 3}),
    ("POST", "/inventory/adjustments"): Case(make=World.stocked, state=stock_of,
                                             body=lambda w, t: {"product_id": t["product_id"], "sku_id": t["sku_id"],
                                                                "delta": -1, "reason": "破损"}),
    ("POST", "/inventory/transfers"): Case(make=transfer_target, body=transfer_body, state=stock_of),
    ("PUT", "/inventory/stock/{sku_id}/settings"): Case(make=World.stocked, body=stock_settings, state=stock_of,
                                                         fresh=True),
    ("POST", "/inventory/reservations"): Case(
        make=lambda w: {**w.stocked(), "order_id": unique("ord_")}, body=reservation_body, fresh=True,
        state=lambda w, t: (stock_of(w, t), w.read(f"/inventory/reservations/{t['order_id']}"))),
    ("GET", "/orders/{order_id}"): Case(make=World.order),
    ("POST", "/orders/{order_id}/review"): Case(make=World.paid_order, fresh=True, state=one("/orders/{order_id}"),
                                                body=version_of("/orders/{order_id}")),
    ("POST", "/orders/bulk-review"): Case(make=World.paid_order, fresh=True, state=one("/orders/{order_id}"),
                                          body=lambda w, t: {"ids": [t["order_id"]]}),
    ("POST", "/orders/{order_id}/finance-review"): Case(make=World.finance_order, fresh=True,
                                                        state=one("/orders/{order_id}"),
                                                        body=version_of("/orders/{order_id}")),
    ("PUT", "/orders/{order_id}/memo"): Case(make=World.order, state=one("/orders/{order_id}"),
                                             body=version_of("/orders/{order_id}", memo="矩阵备注")),
    ("PUT", "/orders/{order_id}/flag"): Case(make=World.order, state=one("/orders/{order_id}"),
                                             body=version_of("/orders/{order_id}", flag="purple")),
    ("POST", "/orders/{order_id}/hold"): Case(make=World.order, fresh=True, state=one("/orders/{order_id}"),
                                              body=lambda w, t: {"reason": "矩阵挂起"}),
    ("POST", "/orders/{order_id}/release"): Case(make=World.held_order, fresh=True, state=one("/orders/{order_id}"),
                                                 body=lambda w, t: {}),
    ("POST", "/orders/bulk"): Case(make=World.order, state=one("/orders/{order_id}"),
                                   body=lambda w, t: {"action": "flag", "ids": [t["order_id"]], "flag": "green"}),
    ("POST", "/orders/exports"): Case(body=lambda w, t: {"format": "csv", "filter": {"tab": "pending_review"}},
                                      state=lambda w, t: w.order_exports()),
    ("GET", "/orders/exports/{job_id}"): Case(make=World.order_export),
    ("POST", "/orders/{order_id}/cancel"): Case(make=World.order, fresh=True, state=one("/orders/{order_id}"),
                                                body=version_of("/orders/{order_id}", reason="矩阵取消")),
    ("POST", "/inventory/reservations/{order_id}/deduct"): Case(
        make=World.reservation, fresh=True, state=lambda w, t: (stock_of(w, t), one("/inventory/reservations/{order_id}")(w, t))),
    ("POST", "/inventory/reservations/{order_id}/release"): Case(
        make=World.reservation, fresh=True, state=lambda w, t: (stock_of(w, t), one("/inventory/reservations/{order_id}")(w, t))),
    ("POST", "/inventory/movements/export"): Case(
        body=lambda w, t: {"format": "csv", "filter": {"sku_id": t["sku_id"]}}, state=lambda w, t: w.exports()),
    ("POST", "/inventory/warehouses"): Case(body=lambda w, t: {"name": unique("仓"), "code": unique("W")},
                                            state=lambda w, t: w.read("/inventory/warehouses")),
    ("PUT", "/inventory/warehouses/{warehouse_id}"): Case(
        make=World.warehouse, state=one("/inventory/warehouses/{warehouse_id}"),
        body=lambda w, t: {**{k: v for k, v in w.read(f"/inventory/warehouses/{t['warehouse_id']}").items()
                              if k in ("name", "code", "address", "active", "version")}, "priority": 50}),
    ("DELETE", "/inventory/warehouses/{warehouse_id}"): Case(make=World.warehouse, fresh=True,
                                                             state=one("/inventory/warehouses/{warehouse_id}")),
    ("POST", "/inventory/stocktakes"): Case(make=World.warehouse, fresh=True,
                                            body=lambda w, t: {"warehouse_id": t["warehouse_id"]},
                                            state=listing("/inventory/stocktakes")),
    ("PUT", "/inventory/stocktakes/{stocktake_id}/lines"): Case(
        make=World.stocktake, state=one("/inventory/stocktakes/{stocktake_id}"),
        body=lambda w, t: {"lines": [{"sku_id": t["sku_id"], "counted": 3}]}),
    ("POST", "/inventory/stocktakes/{stocktake_id}/approve"): Case(
        make=lambda w: w.stocktake(counted=True), fresh=True,
        state=lambda w, t: (one("/inventory/stocktakes/{stocktake_id}")(w, t), stock_of(w, t))),
    ("POST", "/inventory/stocktakes/{stocktake_id}/cancel"): Case(make=World.stocktake, fresh=True,
                                                                  state=one("/inventory/stocktakes/{stocktake_id}")),
    # purchasing
    ("POST", "/suppliers"): Case(body=lambda w, t: {"name": unique("供应商"), "lead_time_days": 5},
                                 state=listing("/suppliers")),
    ("PUT", "/suppliers/{supplier_id}"): Case(make=World.supplier, body=supplier_body, state=one("/suppliers/{supplier_id}")),
    ("DELETE", "/suppliers/{supplier_id}"): Case(make=World.supplier, fresh=True, state=one("/suppliers/{supplier_id}")),
    ("POST", "/suppliers/{supplier_id}/webhook-secret"): Case(make=World.supplier, state=one("/suppliers/{supplier_id}")),
    ("PUT", "/purchasing/skus/{sku_id}/suppliers"): Case(make=lambda w: {**w.stocked(), **w.supplier()},
                                                         body=sku_suppliers, state=one("/purchasing/skus/{sku_id}")),
    ("POST", "/purchase-orders"): Case(
        make=lambda w: {**w.stocked(), **w.supplier()}, state=listing("/purchase-orders"),
        body=lambda w, t: {"supplier_id": t["supplier_id"], "lines": [
            {"product_id": t["product_id"], "sku_id": t["sku_id"], "qty": 5, "unit_cost": 800}]}),
    ("POST", "/purchase-orders/from-suggestions"): Case(
        make=World.supplier, state=listing("/purchase-orders"), body=lambda w, t: {"supplier_id": t["supplier_id"]},
        may_answer=frozenset({422}), why="a new supplier has nothing to suggest yet (422 no_suggestions)"),
    ("PUT", "/purchase-orders/{po_id}"): Case(make=World.po, body=po_body, state=one("/purchase-orders/{po_id}")),
    ("POST", "/purchase-orders/{po_id}/submit"): Case(make=World.po, fresh=True, body=version_of("/purchase-orders/{po_id}"),
                                                      state=one("/purchase-orders/{po_id}")),
    ("POST", "/purchase-orders/{po_id}/cancel"): Case(make=World.po, fresh=True, state=one("/purchase-orders/{po_id}"),
                                                      body=version_of("/purchase-orders/{po_id}", reason="矩阵")),
    ("POST", "/purchase-orders/{po_id}/close"): Case(make=lambda w: w.po("partially_received"), fresh=True,
                                                     body=version_of("/purchase-orders/{po_id}"),
                                                     state=one("/purchase-orders/{po_id}")),
    ("POST", "/purchase-orders/{po_id}/receipts"): Case(
        make=lambda w: w.po("submitted"), state=lambda w, t: (one("/purchase-orders/{po_id}")(w, t), stock_of(w, t)),
        body=lambda w, t: {"lines": [{"sku_id": t["sku_id"], "qty": 1}]}),
    # anyone signed in, or any member
    ("PUT", "/me"): Case(body=lambda w, t: {"name": unique("我")}),
    ("POST", "/me/password"): Case(body=lambda w, t: {"old_password": "Not-the-password-1", "new_password": "Brand-new-9"},
                                   may_answer=frozenset({400, 422}),
                                   why="a wrong old password: the matrix members keep their sessions"),
    ("POST", "/shops"): Case(body=lambda w, t: {"name": unique("新店")}),
    ("POST", "/auth/signout"): Case(session=True),
    ("POST", "/me/invitations/{shop_id}/accept"): Case(
        may_answer=frozenset({404}), why="the matrix members hold no pending invitation (test_security_identity accepts one)"),
    ("POST", "/me/invitations/{shop_id}/decline"): Case(
        may_answer=frozenset({404}), why="the matrix members hold no pending invitation (test_security_identity declines one)"),
    ("POST", "/notifications/read-all"): Case(),
    ("POST", "/notifications/{notification_id}/read"): Case(),
}


def case_of(spec) -> Case:
    """The route's case; a settings section (PUT /settings/<section>) needs none of its own."""
    if (spec.method, spec.path) in CASES:
        return CASES[(spec.method, spec.path)]
    if spec.method == "PUT" and re.fullmatch(r"/settings/[a-z-]+", spec.path):
        return settings_case(spec.path.rsplit("/", 1)[1].replace("-", "_"))
    return Case()


def path_of(spec, target: Target, role: str) -> str:
    def value(name: str) -> str:
        if name == "notification_id":
            return str(target["notes"][role])
        return str(target[name])

    return re.sub(r"\{(\w+)\}", lambda m: value(m.group(1)), spec.path)


def call(w: World, role: str, spec, case: Case, target: Target, api: Api | None = None) -> requests.Response:
    if api is None and case.session:
        api = Api(w.system.url, sign_in(w.system, w.logins[role]), w.shop_id)
    api = api or w.api[role]
    body = case.body(w, target) if case.body else ({} if spec.body is not None else None)
    params = case.params(w, target) if case.params else ({"sku_id": target["sku_id"]}
                                                         if spec.path == "/inventory/movements" else None)
    headers = {"Idempotency-Key": str(uuid.uuid4())} if spec.idempotent else None
    return api.call(spec.method, path_of(spec, target, role), json=body, params=params, headers=headers)


@pytest.fixture(scope="module")
def world(system) -> World:
    return World(system)


@pytest.mark.parametrize("spec", PROTECTED, ids=lambda s: f"{s.method} {s.path}")
def test_each_role_is_allowed_exactly_what_it_holds_and_allowed_calls_do_real_work(world: World, spec):
    case = case_of(spec)
    writes = spec.method != "GET"
    assert not writes or case.state or spec.access == "user" or spec.permission == SHOP_MEMBER, \
        f"{spec.method} {spec.path}: a write route needs a case saying what a denied call must leave as it was"
    target = case.make(world) if case.make else world.shared

    def refused(role: str) -> str | None:
        before = case.state(world, target) if writes and case.state else None
        answer = call(world, role, spec, case, target)
        if answer.status_code != 403 or answer.json()["error"]["details"].get("permission") != spec.permission:
            return f"{role} ALLOWED: {answer.status_code} {answer.text[:160]}"
        if writes and case.state and case.state(world, target) != before:
            return f"{role} was refused but something changed"
        return None

    def allowed(role: str, on: Target) -> str | None:
        answer = call(world, role, spec, case, on)
        if answer.status_code in (401, 403) or answer.status_code >= 500:
            return f"{role} DENIED or FAILED: {answer.status_code} {answer.text[:160]}"
        if answer.status_code >= 300 and answer.status_code not in case.may_answer:
            return f"{role} did no work: {answer.status_code} {answer.text[:160]}"
        return None

    holding = [r for r in ROLES if holds(r, spec)]
    # Refused calls change nothing, so they may run side by side; so may allowed calls that each
    # use a record of their own. Allowed calls sharing a record run one after the other.
    with ThreadPoolExecutor(3) as pool:
        problems = list(pool.map(refused, [r for r in ROLES if not holds(r, spec)]))
        if case.fresh and case.make:
            make = case.make
            targets = [target, *pool.map(lambda _: make(world), holding[1:])]
            problems += pool.map(allowed, holding, targets)
        else:
            problems += [allowed(role, target) for role in holding]
    problems = [p for p in problems if p]
    assert problems == [], f"{spec.method} {spec.path}:\n" + "\n".join(problems)


def test_no_token_is_401_on_every_protected_route(system, world: World):
    anonymous = Api(system.url, None, world.shop_id)

    def check(spec) -> str | None:
        answer = call(world, "owner", spec, Case(), world.shared, anonymous)
        return None if answer.status_code == 401 else f"{spec.method} {spec.path}: {answer.status_code}"

    with ThreadPoolExecutor(3) as pool:
        assert [w for w in pool.map(check, PROTECTED) if w] == []


def test_a_disabled_member_and_a_member_of_another_shop_get_404_everywhere(system, world: World, make_staff):
    victim = make_staff(world.shop_id, "owner")
    me = victim.get("/me").json()["user"]
    assert world.owner.post(f"/staff/{me['id']}/disable").status_code == 200
    # The disable ended their sessions (401); signed in again, the shop "does not exist" for them.
    assert victim.get("/settings").status_code == 401
    victim = Api(system.url, sign_in(system, me["login"]), world.shop_id)
    stranger = make_staff(new_shop("隔壁店"), "owner")
    stranger.shop_id = world.shop_id

    def check(who: str, api: Api, spec) -> str | None:
        answer = call(world, "owner", spec, Case(), world.shared, api)
        if answer.status_code == 404 and answer.json()["error"]["code"] == "shop_not_found":
            return None
        return f"{who}: {spec.method} {spec.path}: {answer.status_code}"

    calls = [(who, api, spec) for who, api in (("disabled", victim), ("other shop", stranger)) for spec in SHOP_SCOPED]
    with ThreadPoolExecutor(3) as pool:
        assert [w for w in pool.map(lambda c: check(*c), calls) if w] == []


def test_the_matrix_covers_every_route_role_and_permission_in_use():
    assert len(PROTECTED) * len(ROLES) >= 500
    in_use = {s.permission for s in SHOP_SCOPED} - {SHOP_MEMBER}
    assert in_use <= ALL
    purchasing = {p for p in ALL if p.startswith("purchasing.")}
    # purchasing.view_costs opens no route: it decides whether the routes answering cost prices show them.
    assert purchasing - {"purchasing.export", VIEW_COSTS} <= in_use, "purchasing routes demand their own purchasing.* permissions"
    assert any(s.costs for s in SHOP_SCOPED), "no route declares cost prices: purchasing.view_costs would guard nothing"
    assert {"settings.edit", "staff.edit", "roles.edit", "audit.export", "inventory.approve"} <= in_use
    for role in ROLES:  # every role is refused somewhere and allowed somewhere, or the matrix proves little
        assert any(holds(role, s) for s in SHOP_SCOPED)
        assert role == "owner" or any(not holds(role, s) for s in SHOP_SCOPED)
    unknown = {k for k in CASES if k not in {(s.method, s.path) for s in PROTECTED}}
    assert unknown == set(), f"cases of routes that do not exist: {unknown}"


def test_buyer_routes_take_only_a_buyer_token_and_staff_routes_never_take_one(system, world: World):
    """The two pools kept apart: a staff token (the owner's) or none on every buyer route, and a
    signed-in buyer's token of this shop on every staff route: 401, nothing reached."""
    from tests.integration.buyers import sign_in_buyer

    assert BUYER_ROUTES, "no buyer route declared"
    buyer = sign_in_buyer(system, world.shop_id)
    ids = {"shop_id": world.shop_id, "address_id": "adr_" + "0" * 26, "sku_id": "sku_" + "0" * 26,
           "order_id": "0" * 20, "request_id": "orq_" + "0" * 26}
    as_buyer = Api(system.url, buyer.token, world.shop_id)
    anonymous = Api(system.url, None, world.shop_id)

    def buyer_route(spec) -> str | None:
        path = re.sub(r"\{(\w+)\}", lambda m: ids[m.group(1)], spec.path)
        body = {} if spec.body is not None else None
        got = [api.call(spec.method, path, json=body).status_code for api in (world.owner, anonymous)]
        return None if got == [401, 401] else f"{spec.method} {spec.path}: staff/none {got}"

    def staff_route(spec) -> str | None:
        answer = call(world, "owner", spec, Case(), world.shared, as_buyer)
        return None if answer.status_code == 401 else f"{spec.method} {spec.path}: buyer token {answer.status_code}"

    with ThreadPoolExecutor(3) as pool:
        problems = [p for p in [*pool.map(buyer_route, BUYER_ROUTES), *pool.map(staff_route, PROTECTED)] if p]
    assert problems == []
