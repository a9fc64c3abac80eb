"""Items of the purchasing table (``PURCHASING_TABLE``):

| item               | pk                       | sk                     | notes                                   |
|--------------------|--------------------------|------------------------|-----------------------------------------|
| supplier           | SHOP#<s>                 | SUP#<supplier>         | the shop's suppliers = one Query        |
| PO number counter  | SHOP#<s>                 | POSEQ#<yyyymmdd>       | atomic ADD, numbers PO-<day>-0001       |
| PO number claim    | SHOP#<s>                 | PONUM#<number>         | number -> PO id (webhooks name numbers) |
| supplier in use    | SHOP#<s>                 | SUPUSE#<supplier>      | POs exist: archive, never delete        |
| event seen         | SHOP#<s>                 | SEEN#<event id>        | consumer de-duplication, TTL            |
| purchase order     | SHOP#<s>#PO#<po>         | PO                     | lines as JSON; GSIs po_list/_status/_supplier |
| receipt            | SHOP#<s>#PO#<po>         | RCPT#<at>#<receipt>    | append-only                             |
| timeline entry     | SHOP#<s>#PO#<po>         | LOG#<at>#<id>          | status changes, notices, deliveries     |
| webhook nonce      | SHOP#<s>#SUP#<supplier>  | NONCE#<event id>       | inbound replay guard, TTL               |
| SKU profile        | SHOP#<s>#SKU#<sku>       | PROFILE                | moving-average cost, suppliers, last sale; GSI recent_sales |
| daily sales        | SHOP#<s>#SKU#<sku>       | SALES#<yyyy-mm-dd>     | units sold that day (Asia/Shanghai)     |

A PO's detail (head, receipts, timeline) is one Query of its partition; a SKU's cost, supplier
links and sales of any window are one Query of the SKU's partition.
"""
# mypy: disable-error-code="no-untyped-call"
from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    DiscriminatorAttribute,
    JSONAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from shared.db import ShopItem, TableMeta
from shared.keys import shop_key

PURCHASING_TABLE_ENV = "PURCHASING_TABLE"
PO_SK = "PO"
PROFILE_SK = "PROFILE"


def supplier_sk(supplier_id: str) -> str:
    return f"SUP#{supplier_id}"


def po_pk(shop_id: str, po_id: str) -> str:
    return shop_key(shop_id, "PO", po_id)


def sku_pk(shop_id: str, sku_id: str) -> str:
    return shop_key(shop_id, "SKU", sku_id)


def nonce_pk(shop_id: str, supplier_id: str) -> str:
    return shop_key(shop_id, "SUP", supplier_id)


def po_list_pk(shop_id: str) -> str:
    return shop_key(shop_id, "PO")


def po_status_pk(shop_id: str, status: str) -> str:
    return shop_key(shop_id, "POSTATUS", status)


def po_supplier_pk(shop_id: str, supplier_id: str) -> str:
    return shop_key(shop_id, "POSUP", supplier_id)


def recent_pk(shop_id: str) -> str:
    return shop_key(shop_id, "SOLD")


class PurchasingItem(ShopItem):
    class Meta(metaclass=TableMeta):
        table_env = PURCHASING_TABLE_ENV

    kind = DiscriminatorAttribute()


class SupplierRecord(PurchasingItem, discriminator="supplier"):
    name = UnicodeAttribute()
    name_search = UnicodeAttribute()  # lower case, for the list's contains() filter
    contact = UnicodeAttribute(default="")
    phone = UnicodeAttribute(default="")
    email = UnicodeAttribute(default="")
    address = UnicodeAttribute(default="")
    lead_time_days = NumberAttribute(default=7)
    payment_terms = UnicodeAttribute(default="")
    notes = UnicodeAttribute(default="")
    active = BooleanAttribute(default=True)
    webhook_url = UnicodeAttribute(null=True)
    secret_ct = UnicodeAttribute(null=True)  # KMS ciphertext (base64) of the webhook signing secret
    secret_hint = UnicodeAttribute(null=True)  # last 4 characters, to tell secrets apart
    secret_rotated_at = UnicodeAttribute(null=True)
    version = NumberAttribute(default=1)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()

    @property
    def supplier_id(self) -> str:
        return self.sk.removeprefix("SUP#")


class CounterRecord(PurchasingItem, discriminator="counter"):
    seq = NumberAttribute(default=0)


class NumberClaim(PurchasingItem, discriminator="po_number"):
    po_id = UnicodeAttribute()


class SupplierInUse(PurchasingItem, discriminator="supplier_use"):
    """Written with a supplier's first PO: deleting the supplier is then refused (archive it)."""

    first_po_id = UnicodeAttribute()


class SeenRecord(PurchasingItem, discriminator="seen"):
    expires_at = TTLAttribute()


class NonceRecord(PurchasingItem, discriminator="nonce"):
    expires_at = TTLAttribute()
    received_at = UnicodeAttribute()


class _PoList(GlobalSecondaryIndex["PurchaseOrderRecord"]):
    """A shop's POs, newest first."""

    class Meta:
        index_name = "po_list"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class _PoByStatus(GlobalSecondaryIndex["PurchaseOrderRecord"]):
    """A shop's POs in one status, newest first (and the open ones for on-order quantities)."""

    class Meta:
        index_name = "po_status"
        projection = AllProjection()

    gsi2pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class _PoBySupplier(GlobalSecondaryIndex["PurchaseOrderRecord"]):
    """A supplier's POs, newest first."""

    class Meta:
        index_name = "po_supplier"
        projection = AllProjection()

    gsi3pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class PurchaseOrderRecord(PurchasingItem, discriminator="purchase_order"):
    po_id = UnicodeAttribute()
    number = UnicodeAttribute()
    supplier_id = UnicodeAttribute()
    supplier_name = UnicodeAttribute(default="")
    warehouse_id = UnicodeAttribute()
    status = UnicodeAttribute()  # draft, submitted, partially_received, received, closed, cancelled
    currency = UnicodeAttribute(default="CNY")
    lines = JSONAttribute()  # [{product_id, sku_id, product_name, sku_label, sku_code, supplier_sku_code, qty, unit_cost, received}]
    expected_at = UnicodeAttribute(null=True)  # yyyy-mm-dd
    notes = UnicodeAttribute(default="")
    shipment = JSONAttribute(null=True)  # the supplier's last shipment notice
    webhook = JSONAttribute(null=True)  # outbound delivery: status, attempts, last answer
    version = NumberAttribute(default=1)
    created_by = UnicodeAttribute()
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    submitted_at = UnicodeAttribute(null=True)
    gsi1pk = UnicodeAttribute()
    gsi1sk = UnicodeAttribute()
    gsi2pk = UnicodeAttribute()
    gsi3pk = UnicodeAttribute()
    po_list = _PoList()
    po_status = _PoByStatus()
    po_supplier = _PoBySupplier()


class ReceiptRecord(PurchasingItem, discriminator="po_receipt"):
    receipt_id = UnicodeAttribute()
    lines = JSONAttribute()  # [{sku_id, product_id, qty, unit_cost, avg_cost_after}]
    over_receipt = BooleanAttribute(default=False)
    note = UnicodeAttribute(default="")
    source = UnicodeAttribute(default="api")  # api or webhook
    actor_id = UnicodeAttribute()
    actor_email = UnicodeAttribute(null=True)
    at = UnicodeAttribute()


class TimelineRecord(PurchasingItem, discriminator="po_log"):
    entry = UnicodeAttribute()  # created, edited, submitted, shipment_notice, webhook_delivery, cancelled, closed
    detail = JSONAttribute(null=True)
    actor_id = UnicodeAttribute()
    at = UnicodeAttribute()


class _RecentSales(GlobalSecondaryIndex["SkuProfileRecord"]):
    """SKUs by the day they last sold (sparse: only SKUs that ever sold)."""

    class Meta:
        index_name = "recent_sales"
        projection = AllProjection()

    gsi4pk = UnicodeAttribute(hash_key=True)
    gsi4sk = UnicodeAttribute(range_key=True)


class SkuProfileRecord(PurchasingItem, discriminator="sku_profile"):
    """What purchasing knows about a SKU: its moving-average cost (read by profit reports), its
    suppliers (code, last unit cost) and the preferred one, and when it last sold."""

    sku_id = UnicodeAttribute()
    product_id = UnicodeAttribute(null=True)
    avg_cost = NumberAttribute(null=True)  # fen per unit
    currency = UnicodeAttribute(default="CNY")
    cost_version = NumberAttribute(default=0)  # every change of cost or suppliers
    cost_updated_at = UnicodeAttribute(null=True)
    preferred_supplier_id = UnicodeAttribute(null=True)
    suppliers = JSONAttribute(null=True)  # {supplier_id: {supplier_sku_code, last_unit_cost, updated_at}}
    last_sold_day = UnicodeAttribute(null=True)
    gsi4pk = UnicodeAttribute(null=True)
    gsi4sk = UnicodeAttribute(null=True)  # <last_sold_day>#<sku>
    recent_sales = _RecentSales()


class SalesDayRecord(PurchasingItem, discriminator="sales_day"):
    units = NumberAttribute(default=0)
