"""Notifications of the inventory capability (registered in ``shared.notifications.triggers``):
a stock went low (topic ``low_stock``) and the daily digest of low stock (``stock_digest``).

They go to those who act on stock: ``inventory.edit`` is held by the owner and warehouse staff
(customer service only views stock). The events carry the names, so a builder reads nothing.
"""
from __future__ import annotations

from typing import Any

from shared.inventory.events import StockDigestCompiled, StockLow
from shared.notifications.delivery import Delivery, Localized

AUDIENCE = "inventory.edit"
SHOWN = 5  # SKUs named in a digest's text (the link lists them all)
TEXT_MAX = 500


def _sku(d: dict[str, Any]) -> str:
    label = d.get("sku_label") or d.get("sku_code") or d.get("sku_id") or d.get("resource_id") or ""
    return f"{d.get('product_name') or ''} {label}".strip()


def stock_low(event: StockLow) -> Delivery:
    d = event.model_dump(mode="json")
    sku, code = _sku(d), d.get("sku_code") or ""
    place_zh = f"「{d['warehouse_name']}」" if d.get("warehouse_name") else ""
    place_en = f" in {d['warehouse_name']}" if d.get("warehouse_name") else ""
    code_zh, code_en = (f"（编码 {code}）", f" (code {code})") if code else ("", "")
    return Delivery(
        shop_id=d["shop_id"], topic="low_stock", audience=AUDIENCE,
        title=Localized(zh=f"库存预警：{sku}"[:TEXT_MAX], en=f"Low stock: {sku}"[:TEXT_MAX]),
        body=Localized(zh=f"{sku}{code_zh}{place_zh}可用库存 {d['available']}，已不高于预警值 {d['threshold']}，"
                          "请及时补货。"[:TEXT_MAX],
                       en=f"{sku}{code_en}: {d['available']} available{place_en}, at or below the safety stock of "
                          f"{d['threshold']}. Time to restock."[:TEXT_MAX]),
        link=f"/inventory/stock/{d['resource_id']}", dedupe_key=d["event_id"],
        data={"kind": "stock_low", "sku_id": d["resource_id"], "product_id": d["product_id"],
              "warehouse_id": d["warehouse_id"], "available": d["available"], "threshold": d["threshold"]})


def _listing(lines: list[dict[str, Any]], count: int, language: str) -> str:
    parts = [f"{_sku(line)} {line['available']}/{line['threshold']}" for line in lines[:SHOWN]]
    more = count - len(parts)
    if language == "zh":
        text = "；".join(parts) + (f"；等共 {count} 个" if more > 0 else "")
        return f"以下 SKU 可用库存不高于预警值（可用/预警）：{text}。"[:TEXT_MAX]
    text = "; ".join(parts) + (f"; {count} in all" if more > 0 else "")
    return f"At or below their safety stock (available/threshold): {text}."[:TEXT_MAX]


def stock_digest(event: StockDigestCompiled) -> Delivery:
    d = event.model_dump(mode="json")
    lines, count, date = d.get("lines") or [], int(d["count"]), d["date"]
    return Delivery(
        shop_id=d["shop_id"], topic="stock_digest", audience=AUDIENCE,
        title=Localized(zh=f"库存日报 {date}：{count} 个 SKU 库存不足", en=f"Stock digest {date}: {count} SKU(s) low"),
        body=Localized(zh=_listing(lines, count, "zh"), en=_listing(lines, count, "en")),
        link="/inventory/stock?low_only=true", dedupe_key=f"stock_digest:{d['shop_id']}:{date}",
        data={"kind": "stock_digest", "date": date, "count": count})
