"""The order export's row: what a merchant reads in each column, personal fields masked without
``personal_data.view`` (the desk's helpers), amounts in yuan, times in the shop's zone, headers
and labels in the starter's language."""
from __future__ import annotations

from decimal import Decimal
from zoneinfo import ZoneInfo

from shared.orders.desk_export import COLUMNS, headers, order_row
from shared.orders.tables import ORDER_SK, OrderRecord

SHANGHAI = ZoneInfo("Asia/Shanghai")


def record() -> OrderRecord:
    return OrderRecord(
        "SHOP#shp_1#ORD#ord_1", ORDER_SK, order_id="ord_1", number="26120800000001", buyer_id="byr_1",
        buyer_mobile="+8613800000000", currency="CNY",
        lines=[{"name": "碎花连衣裙", "spec_values": ["红色", "M"], "qty": 2}, {"name": "丝巾", "spec_values": [], "qty": 1}],
        subtotal=25800, discount_total=1000, freight=800, payable=25600, item_count=3, quote_hash="h",
        payment_status="paid", fulfilment_status="to_ship", tab="to_ship", receiver_name="王芳",
        receiver_mobile="13912345678", receiver_detail="文三路 90 号 7 幢", province="330000", memo="加急",
        flag="red", payment_method="wechat_pay", paid_trade_no="4200001234", created_at="2026-12-07T16:30:00Z",
        paid_at="2026-12-07T16:31:05Z", updated_at="2026-12-07T16:31:05Z", tab_pk="x", created_sk="x", buyer_pk="x")


def test_a_row_in_clear_in_english():
    row = dict(zip([k for k, _, _ in COLUMNS], order_row(record(), "en", True, SHANGHAI), strict=True))
    assert row["placed_at"] == "2026-12-08 00:30:00" and row["paid_at"] == "2026-12-08 00:31:05"
    assert (row["status"], row["payment_status"], row["payment_method"], row["flag"]) == ("To ship", "Paid", "WeChat Pay", "Red")
    assert (row["buyer"], row["receiver"], row["receiver_mobile"]) == ("13800000000", "王芳", "13912345678")
    assert row["address"] == "文三路 90 号 7 幢" and row["province"] == "Zhejiang"
    assert row["lines"] == "碎花连衣裙 (红色/M) × 2; 丝巾 × 1" and row["item_count"] == 3
    assert (row["subtotal"], row["discount"], row["freight"], row["payable"]) == (
        Decimal("258.00"), Decimal("10.00"), Decimal("8.00"), Decimal("256.00"))
    assert row["trade_no"] == "4200001234" and row["memo"] == "加急"


def test_a_masked_row_in_chinese_hides_every_personal_field():
    values = order_row(record(), "zh-CN", False, SHANGHAI)
    row = dict(zip(headers("zh-CN"), values, strict=True))
    assert (row["买家手机"], row["收货人"], row["收货人手机"]) == ("138****0000", "王*", "139****5678")
    assert row["详细地址"].endswith("****") and "90 号" not in row["详细地址"]
    assert (row["订单状态"], row["付款状态"], row["支付方式"], row["省份"]) == ("待发货", "已付款", "微信支付", "浙江省")
    for clear in ("13800000000", "王芳", "13912345678", "文三路 90 号 7 幢"):
        assert clear not in [str(v) for v in values]
