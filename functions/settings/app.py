"""Shop settings (系统参数设置): profile and logo, payment methods, delivery regions, business hours,
notification channels."""
from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

from shared.events.consumer import consume
from shared.http import ApiRequest, ShopApp
from shared.identity.events import ShopCreated
from shared.observability import observed
from shared.privacy import visible
from shared.settings import logo, service
from shared.settings.events import Section
from shared.settings.models import (
    ApprovalSettings,
    ApprovalSettingsUpdate,
    ApprovalSettingsView,
    BusinessHours,
    BusinessHoursUpdate,
    BusinessHoursView,
    DeliveryFee,
    DeliveryFeeUpdate,
    DeliveryFeeView,
    DeliveryRegions,
    DeliveryRegionsUpdate,
    DeliveryRegionsView,
    LogoUpload,
    LogoUploadRequest,
    NotificationSettings,
    NotificationSettingsUpdate,
    NotificationSettingsView,
    OrderReview,
    OrderReviewUpdate,
    OrderReviewView,
    OrderTimers,
    OrderTimersUpdate,
    OrderTimersView,
    PaymentMethods,
    PaymentMethodsUpdate,
    PaymentMethodsView,
    ProfileUpdate,
    ProfileView,
    Region,
    RegionList,
    SettingsView,
)
from shared.settings.regions import PROVINCES

app = ShopApp("settings")

S = TypeVar("S", bound=BaseModel)
V = TypeVar("V", bound=BaseModel)


def _fields(req: ApiRequest[Any, None], model: type[S]) -> S:
    """The section a PUT body describes: its fields without ``version``."""
    return model(**req.body.model_dump(exclude={"version"}))


def _store(req: ApiRequest[Any, None], section: Section, new: BaseModel, view: type[V], *,
           personal: bool = False) -> V:
    """Replace one section at the caller's version (409 on another) and answer it as ``view``;
    ``personal``: masked for callers without ``personal_data.view``."""
    saved, version = service.update_section(req.shop.shop_id, section, new, req.body.version, req.shop.actor)
    answer = {**saved, "version": version}
    return view.model_validate(visible(answer, req.shop.can("personal_data.view")) if personal else answer)


@app.api("GET", "/settings", permission="settings.view", response=SettingsView,
         prefetch=lambda shop_id: [service.item_key(shop_id)])
def get_settings(req: ApiRequest[None, None]) -> SettingsView:
    """All settings sections of the current shop, each with its version."""
    return service.get_settings(req.shop.shop_id, req.prefetched[0], may_see=req.shop.can("personal_data.view"))


@app.api("GET", "/settings/regions", permission="settings.view", response=RegionList)
def list_regions(req: ApiRequest[None, None]) -> RegionList:
    """Province-level divisions of China (GB/T 2260) a shop can deliver to."""
    return RegionList(items=[Region(code=c, name_zh=zh, name_en=en) for c, zh, en in PROVINCES])


@app.api("PUT", "/settings/profile", permission="settings.edit", body=ProfileUpdate, response=ProfileView)
def put_profile(req: ApiRequest[ProfileUpdate, None]) -> ProfileView:
    """Update the shop profile; a new logo_key must come from a logo upload of this shop."""
    return service.update_profile(req.shop.shop_id, req.body, req.shop.actor, may_see=req.shop.can("personal_data.view"))


@app.api("POST", "/settings/logo-uploads", permission="settings.edit", body=LogoUploadRequest, response=LogoUpload,
         status=201, idempotent=True)
def start_logo_upload(req: ApiRequest[LogoUploadRequest, None]) -> LogoUpload:
    """A presigned S3 POST for a logo image; save its key in the profile afterwards."""
    return logo.start_upload(req.shop.shop_id, req.body.content_type, req.body.size)


@app.api("PUT", "/settings/payment-methods", permission="settings.edit", body=PaymentMethodsUpdate,
         response=PaymentMethodsView)
def put_payment_methods(req: ApiRequest[PaymentMethodsUpdate, None]) -> PaymentMethodsView:
    """Enable, disable and configure payment methods (methods not listed are disabled)."""
    new = PaymentMethods(methods=req.body.methods).completed()
    return _store(req, "payment_methods", new, PaymentMethodsView, personal=True)


@app.api("PUT", "/settings/delivery-regions", permission="settings.edit", body=DeliveryRegionsUpdate,
         response=DeliveryRegionsView)
def put_delivery_regions(req: ApiRequest[DeliveryRegionsUpdate, None]) -> DeliveryRegionsView:
    """Choose the provinces the shop delivers to."""
    return _store(req, "delivery_regions", DeliveryRegions(provinces=req.body.provinces), DeliveryRegionsView)


@app.api("PUT", "/settings/business-hours", permission="settings.edit", body=BusinessHoursUpdate,
         response=BusinessHoursView)
def put_business_hours(req: ApiRequest[BusinessHoursUpdate, None]) -> BusinessHoursView:
    """Opening hours per weekday and closed days."""
    new = BusinessHours(weekly=req.body.weekly, closed_days=req.body.closed_days)
    return _store(req, "business_hours", new, BusinessHoursView)


@app.api("PUT", "/settings/notifications", permission="settings.edit", body=NotificationSettingsUpdate,
         response=NotificationSettingsView)
def put_notifications(req: ApiRequest[NotificationSettingsUpdate, None]) -> NotificationSettingsView:
    """Per topic: e-mail and SMS on or off, and up to 5 extra e-mail addresses and mobile numbers."""
    new = NotificationSettings(topics=req.body.topics).completed()
    return _store(req, "notifications", new, NotificationSettingsView, personal=True)


@app.api("PUT", "/settings/approvals", permission="settings.edit", body=ApprovalSettingsUpdate,
         response=ApprovalSettingsView)
def put_approvals(req: ApiRequest[ApprovalSettingsUpdate, None]) -> ApprovalSettingsView:
    """Separation of duties: above these amounts the creator of a PO or stocktake cannot approve it."""
    from shared.auth.grants import require_within_own

    # Turning the rule off or raising a limit is an owner's decision, like granting.
    require_within_own(req.shop, {"purchasing.approve", "inventory.approve"}, field="separate_approver")
    return _store(req, "approvals", _fields(req, ApprovalSettings), ApprovalSettingsView)


@app.api("PUT", "/settings/delivery-fee", permission="settings.edit", body=DeliveryFeeUpdate,
         response=DeliveryFeeView)
def put_delivery_fee(req: ApiRequest[DeliveryFeeUpdate, None]) -> DeliveryFeeView:
    """The flat delivery fee and the free-shipping threshold every quote prices freight with."""
    return _store(req, "delivery_fee", _fields(req, DeliveryFee), DeliveryFeeView)


@app.api("PUT", "/settings/order-review", permission="settings.edit", body=OrderReviewUpdate,
         response=OrderReviewView)
def put_order_review(req: ApiRequest[OrderReviewUpdate, None]) -> OrderReviewView:
    """Auto-review rules of paid orders (by priority) and the finance review step (docs/orders.md)."""
    return _store(req, "order_review", _fields(req, OrderReview), OrderReviewView)


@app.api("PUT", "/settings/order-timers", permission="settings.edit", body=OrderTimersUpdate,
         response=OrderTimersView)
def put_order_timers(req: ApiRequest[OrderTimersUpdate, None]) -> OrderTimersView:
    """Minutes an unpaid order waits before it cancels itself; days after delivery before it completes."""
    return _store(req, "order_timers", _fields(req, OrderTimers), OrderTimersView)


# -- consumers and schedules -------------------------------------------------------------------------
def on_shop_created(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Consumer of ShopCreated: the new shop's profile carries its name (once)."""
    return consume(event, context, ShopCreated, service.on_shop_created)


@observed
def prune_closed_days(event: dict[str, Any], context: Any) -> dict[str, int]:
    """Daily schedule: forget closed days that are past, in every shop."""
    from shared.settings.service import prune_all_shops

    return {"pruned": prune_all_shops()}
