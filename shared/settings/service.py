"""Reading and changing a shop's settings. Each change is one transaction: the section with its
version bumped (conditional on the version the caller saw) and a ``SettingsModified`` outbox item.

The personal values of the sections (``SettingsModified.personal``: contacts, the bank account,
extra recipients of notifications) are stored sealed with the shop's key (``shared.crypto``),
answered masked to roles without ``personal_data.view``, and a masked value sent back unchanged
keeps the stored one (``shared.privacy.restore_masked``).
"""
from __future__ import annotations

import copy
from datetime import date
from functools import lru_cache
from typing import Any

from pydantic import BaseModel
from pynamodb.exceptions import DoesNotExist, TransactWriteError
from pynamodb.transactions import TransactWrite

from shared.crypto import seal_tree, unseal_tree
from shared.db import ItemKey, connection, version_condition
from shared.errors import VersionConflict, field_error
from shared.events.base import Actor, changed_fields
from shared.events.outbox import outbox_item
from shared.identity.events import ShopCreated
from shared.keys import shop_of
from shared.privacy import MaskedValueChanged, mask, restore_masked, visible
from shared.settings import logo, secrets
from shared.settings.events import Section, SettingsModified
from shared.settings.models import (
    PAYMENT_SECRETS,
    ApprovalSettings,
    ApprovalSettingsView,
    BusinessHours,
    BusinessHoursView,
    DeliveryFee,
    DeliveryFeeView,
    DeliveryRegions,
    DeliveryRegionsView,
    NotificationSettings,
    NotificationSettingsView,
    OrderReview,
    OrderReviewView,
    OrderTimers,
    OrderTimersView,
    PaymentMethods,
    PaymentMethodsView,
    ProfileUpdate,
    ProfileView,
    SettingsView,
    ShopProfile,
)
from shared.settings.tables import SETTINGS_SK, SETTINGS_TABLE_ENV, SettingsItem, key

PERSONAL = SettingsModified.personal
SEALED = PERSONAL | PAYMENT_SECRETS  # personal values and the payment providers' secrets

SECTION_MODELS: dict[str, type[BaseModel]] = {
    "profile": ShopProfile,
    "payment_methods": PaymentMethods,
    "delivery_regions": DeliveryRegions,
    "business_hours": BusinessHours,
    "notifications": NotificationSettings,
    "approvals": ApprovalSettings,
    "delivery_fee": DeliveryFee,
    "order_review": OrderReview,
    "order_timers": OrderTimers,
}


def _load(shop_id: str) -> SettingsItem | None:
    try:
        return SettingsItem.get(*key(shop_id), consistent_read=True)
    except DoesNotExist:
        return None


def _section(item: SettingsItem | None, section: str) -> tuple[dict[str, Any], int]:
    """The stored section (defaults when never saved) and its version (0 = never saved)."""
    data = getattr(item, section, None) if item else None
    version = int(getattr(item, f"{section}_version", None) or 0) if item else 0
    if data is None:
        return _defaults(section), version
    assert item is not None
    return unseal_tree(item.data_scope(), data), version


def _defaults(section: str) -> dict[str, Any]:
    return copy.deepcopy(_default_sections()[section])


@lru_cache(maxsize=1)
def _default_sections() -> dict[str, dict[str, Any]]:
    """Defaults of a section never saved (computed once: they are the same for every shop)."""
    return {name: _build_default(name) for name in SECTION_MODELS}


def _build_default(section: str) -> dict[str, Any]:
    if section == "profile":
        return ShopProfile(name="未命名店铺").model_dump(mode="json")
    model = SECTION_MODELS[section]()
    if isinstance(model, (PaymentMethods, NotificationSettings)):
        model = model.completed()
    return model.model_dump(mode="json")


def read_section(shop_id: str, section: str) -> dict[str, Any]:
    """One stored section (its defaults when never saved), for other capabilities' consumers:
    e.g. notifications read which channels a topic uses. Eventually consistent is enough there."""
    data, _ = _section(_load(shop_id), section)
    return secrets.redact(data) if section == "payment_methods" else data


def payment_methods_with_secrets(shop_id: str) -> dict[str, Any]:
    """The payment-methods section with its secrets opened: for ``shared.payments.credentials``
    alone (the webhook and the payment start build the provider credentials from it)."""
    data, _ = _section(_load(shop_id), "payment_methods")
    return data


def item_key(shop_id: str) -> ItemKey:
    """For routes that read the settings item together with the auth check (one round trip)."""
    return (SettingsItem, *key(shop_id))


def get_settings(shop_id: str, item: SettingsItem | object | None = ..., may_see: bool = True) -> SettingsView:
    """All sections; ``item`` when the caller already read it (None: the shop has none yet);
    personal values masked unless ``may_see``."""
    if item is ...:
        item = _load(shop_id)
    assert item is None or isinstance(item, SettingsItem)
    profile, pv = _section(item, "profile")
    payments, mv = _section(item, "payment_methods")
    regions, rv = _section(item, "delivery_regions")
    hours, hv = _section(item, "business_hours")
    notices, nv = _section(item, "notifications")
    approvals, av = _section(item, "approvals")
    _, dv = _section(item, "delivery_fee")
    review, orv = _section(item, "order_review")
    timers, otv = _section(item, "order_timers")
    view = SettingsView(
        profile=ProfileView(**profile, version=pv, logo_url=logo.url_of(profile.get("logo_key"))),
        payment_methods=PaymentMethodsView(**secrets.redact(payments), version=mv),
        delivery_regions=DeliveryRegionsView(**regions, version=rv),
        business_hours=BusinessHoursView(**hours, version=hv),
        # Completed on read too: a topic registered after the shop saved shows with its defaults.
        notifications=NotificationSettingsView(**NotificationSettings(**notices).completed().model_dump(), version=nv),
        approvals=ApprovalSettingsView(**{**ApprovalSettings().model_dump(), **approvals}, version=av),
        delivery_fee=DeliveryFeeView(**delivery_fee_of(item).model_dump(), version=dv),
        order_review=OrderReviewView(**{**OrderReview().model_dump(), **review}, version=orv),
        order_timers=OrderTimersView(**{**OrderTimers().model_dump(), **timers}, version=otv),
    )
    return view if may_see else SettingsView.model_validate(mask(view.model_dump()))


def delivery_fee_of(item: SettingsItem | None) -> DeliveryFee:
    """The shop's delivery fee from its settings item (read by the caller, e.g. with the order's
    other reads in one BatchGetItem); the defaults when never saved."""
    data, _ = _section(item, "delivery_fee")
    return DeliveryFee(**{**DeliveryFee().model_dump(), **data})


def order_review_of(item: SettingsItem | None) -> OrderReview:
    """The shop's review rules (defaults: no rule, no finance step) from its settings item."""
    data, _ = _section(item, "order_review")
    return OrderReview(**{**OrderReview().model_dump(), **data})


def order_timers_of(item: SettingsItem | None) -> OrderTimers:
    """The shop's order timers (defaults 30 minutes / 10 days) from its settings item."""
    data, _ = _section(item, "order_timers")
    return OrderTimers(**{**OrderTimers().model_dump(), **data})


def section_of(item: SettingsItem | None, section: str) -> dict[str, Any]:
    """One section from a settings item read by the caller (its defaults when never saved)."""
    data, _ = _section(item, section)
    return data


def load_item(shop_id: str) -> SettingsItem | None:
    """The shop's settings item (None when never saved), for ``*_of`` readers."""
    return _load(shop_id)


def approval_policy(shop_id: str) -> ApprovalSettings:
    """The shop's separation-of-duties settings (defaults when never saved)."""
    data = read_section(shop_id, "approvals")
    return ApprovalSettings(**{**ApprovalSettings().model_dump(), **data})


def update_section(shop_id: str, section: Section, new: BaseModel, expected_version: int,
                   actor: Actor) -> tuple[dict[str, Any], int]:
    """Replace one section. Returns the stored section and its new version.

    Raises VersionConflict when ``expected_version`` is not the stored one. An update that
    changes nothing stores nothing and emits nothing.
    """
    item = _load(shop_id)
    old, current = _section(item, section)
    if expected_version != current:
        raise VersionConflict(expected=expected_version, current=current)
    sent = new.model_dump(mode="json", exclude={"version"})
    shown = secrets.redact if section == "payment_methods" else (lambda data: data)
    if section == "payment_methods":
        sent = secrets.keep_stored(old, sent)
        check_credentials(sent)
    try:
        new_data = restore_masked(old, sent)
    except MaskedValueChanged as exc:
        raise field_error(exc.field, "masked_value_changed") from exc
    changed = changed_fields(old, new_data)
    if not changed and current > 0:
        return shown(old), current
    event = SettingsModified(shop_id=shop_id, actor=actor, section=section, old=shown(old), new=shown(new_data),
                             changed=changed)
    version_attr = getattr(SettingsItem, f"{section}_version")
    target = SettingsItem(*key(shop_id))
    try:
        with TransactWrite(connection=connection()) as tx:
            tx.update(target, actions=[getattr(SettingsItem, section).set(seal_tree(shop_id, new_data, SEALED)),
                                       version_attr.set(current + 1)],
                      condition=version_condition(version_attr, current))
            tx.save(outbox_item(SETTINGS_TABLE_ENV, event))
    except TransactWriteError as exc:
        if _condition_failed(exc):
            _, now = _section(_load(shop_id), section)
            raise VersionConflict(expected=expected_version, current=now) from exc
        raise
    return shown(new_data), current + 1


def check_credentials(section: dict[str, Any]) -> None:
    """A provider whose credentials are all given must make valid ``shared.payments`` credentials
    (a wrong APIv3 key length, an app id of the wrong shape): 422 naming the field, nothing saved.
    Incomplete credentials are allowed (the method is then not offered for online payment)."""
    from pydantic import ValidationError

    from shared.payments.credentials import SETTINGS_NAME, build

    for i, method in enumerate(section.get("methods", [])):
        try:
            build(method)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(SETTINGS_NAME.get(str(p), str(p)) for p in first["loc"] if p != "provider")
            raise field_error(f"methods.{i}.{method.get('code')}.settings.{where}", "invalid_payment_credentials") from exc


def _condition_failed(exc: TransactWriteError) -> bool:
    return any(getattr(r, "code", None) == "ConditionalCheckFailed" for r in (exc.cancellation_reasons or []) if r)


def update_profile(shop_id: str, update: ProfileUpdate, actor: Actor, may_see: bool = True) -> ProfileView:
    """Save the profile; a new ``logo_key`` (from an upload) is checked and moved first."""
    stored, _ = _section(_load(shop_id), "profile")
    data = update.model_dump(exclude={"version"})
    if data["logo_key"] and data["logo_key"] != stored.get("logo_key"):
        data["logo_key"] = logo.accept(shop_id, data["logo_key"])
    saved, version = update_section(shop_id, "profile", ShopProfile(**data), update.version, actor)
    return ProfileView.model_validate(visible({**saved, "version": version, "logo_url": logo.url_of(saved.get("logo_key"))},
                                              may_see))


def on_shop_created(event: ShopCreated) -> None:
    """A new shop's profile starts with its name; a redelivery finds version 1 and does nothing."""
    _, version = _section(_load(event.shop_id), "profile")
    if version:
        return
    actor = event.actor or Actor.system("shop-created")
    try:
        update_section(event.shop_id, "profile", ShopProfile(name=event.new["name"]), 0, actor)
    except VersionConflict:
        pass  # a concurrent delivery or the owner got there first


def prune_closed_days(shop_id: str, today: date) -> bool:
    """Drop closed days before ``today`` (run daily by the scheduler). True if anything changed."""
    item = _load(shop_id)
    hours, version = _section(item, "business_hours")
    current = BusinessHours.model_validate(hours)
    kept = [d for d in current.closed_days if d.date >= today]
    if len(kept) == len(current.closed_days):
        return False
    update_section(shop_id, "business_hours", BusinessHours(weekly=current.weekly, closed_days=kept), version,
                   Actor.system("prune-closed-days"))
    return True


def prune_all_shops(today: date | None = None) -> int:
    """Prune past closed days in every shop. A scheduled job, not a request: it pages through
    the settings items with a Scan (one item per shop) instead of keeping an index of all shops.
    """
    from shared import clock

    today = today or clock.now().date()
    pruned = 0
    for item in SettingsItem.scan(SettingsItem.sk == SETTINGS_SK):
        if prune_closed_days(shop_of(item.pk), today):
            pruned += 1
    return pruned
