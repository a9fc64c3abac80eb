"""The permission registry: every permission declared once, grouped by resource, with a dotted
code and a description in both languages. The UI's menus, the role editor and the
authorization-matrix test all read this one list (after Saleor's permission enums, finer grained).
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PermissionInfo:
    code: str
    zh: str
    en: str


def _group(resource: str, zh_name: str, en_name: str, actions: dict[str, tuple[str, str]]) -> list[PermissionInfo]:
    return [PermissionInfo(f"{resource}.{action}", f"{zh_name}·{zh}", f"{en_name}: {en}")
            for action, (zh, en) in actions.items()]


_VIEW = {"view": ("查看", "view")}
_CRUD = {**_VIEW, "create": ("新建", "create"), "edit": ("编辑", "edit"), "delete": ("删除", "delete"),
         "export": ("导出", "export")}

REGISTRY: tuple[PermissionInfo, ...] = tuple(
    _group("settings", "系统设置", "Settings", {**_VIEW, "edit": ("编辑", "edit")})
    + _group("audit", "操作日志", "Audit log", {**_VIEW, "export": ("导出", "export")})
    + _group("staff", "员工", "Staff", {**_CRUD})
    + _group("roles", "角色权限", "Roles", {**_VIEW, "create": ("新建", "create"), "edit": ("编辑", "edit"),
                                           "delete": ("删除", "delete")})
    + _group("catalog", "商品", "Products", {**_CRUD})
    + _group("orders", "订单", "Orders", {**_VIEW, "review": ("审单", "review"),
                                          "finance_review": ("财务审核", "finance review"),
                                          "edit": ("备注、旗帜与挂起", "memo, flag and hold"),
                                          "cancel": ("取消订单", "cancel"), "export": ("导出", "export"),
                                          "refund": ("退款", "refund")})
    + _group("inventory", "库存", "Inventory", {**_CRUD, "approve": ("审核", "approve")})
    + _group("purchasing", "采购", "Purchasing", {**_CRUD, "approve": ("审核", "approve"),
                                                  "receive": ("收货入库", "receive goods"),
                                                  "view_costs": ("查看成本价", "see cost prices")})
    + _group("customers", "客户", "Customers", {**_CRUD})
    + _group("personal_data", "个人信息", "Personal data",
             {"view": ("查看完整的手机号、邮箱和地址", "see full phone numbers, e-mails and addresses")})
    + _group("marketing", "营销", "Marketing", {**_CRUD})
    + _group("logistics", "物流", "Logistics", {**_CRUD})
    + _group("finance", "财务", "Finance", {**_CRUD, "approve": ("审核", "approve")})
    + _group("analytics", "报表", "Reports", {**_VIEW, "export": ("导出", "export")})
)
ALL: frozenset[str] = frozenset(p.code for p in REGISTRY)
# Cost prices (purchase costs, SKU cost prices, PO totals) are answered only to holders of this;
# a route declares ``costs=True`` when its answer carries them (shared.http).
VIEW_COSTS = "purchasing.view_costs"
RESOURCES: tuple[str, ...] = tuple(dict.fromkeys(p.code.split(".")[0] for p in REGISTRY))


def is_known(code: str) -> bool:
    return code in ALL
