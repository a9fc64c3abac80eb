"""The buyer's address book, the regions it picks from, and the shop card the storefront shows (docs/buyers.md)."""
from __future__ import annotations

from shared.buyers.models import (
    MAX_ADDRESSES,
    AddressInput,
    AddressList,
    AddressUpdate,
    AddressView,
    DivisionList,
    DivisionView,
    StorefrontShop,
    normalize_mobile,
)
from shared.buyers.tables import AddressItem, address_sk, buyer_pk
from shared.errors import NotFound, Unprocessable, VersionConflict, field_error
from shared.settings import regions as divisions
from shared.tx import ConditionsFailed, Stale, Writes, retrying


def regions(parent: str | None) -> DivisionList:
    if parent is not None:
        found = divisions.region(parent)
        if found is None or found.level == "district":
            raise NotFound("not_found", details={"field": "parent"})
    items = [DivisionView(code=r.code, name=r.name, name_en=r.name_en, level=r.level,
                        has_children=bool(divisions.children(r.code))) for r in divisions.children(parent)]
    return DivisionList(items=items)


# -- the address book -------------------------------------------------------------------------------
def _names(code: str) -> str:
    found = divisions.region(code) if code else None
    return found.name if found else ""


def _view(item: AddressItem) -> AddressView:
    return AddressView(id=str(item.address_id), name=str(item.name), mobile=str(item.mobile), province=str(item.province),
                       province_name=_names(str(item.province)), city=str(item.city or ""),
                       city_name=_names(str(item.city or "")), district=str(item.district or ""),
                       district_name=_names(str(item.district or "")), detail=str(item.detail),
                       is_default=item.is_default == "1", version=int(item.version), created_at=str(item.created_at))


def _check_regions(body: AddressInput) -> None:
    wrong = divisions.check_address(body.province, body.city or None, body.district or None)
    if wrong:
        raise field_error(wrong, "unknown_region", code=getattr(body, wrong))


def _all(shop_id: str, buyer_id: str) -> list[AddressItem]:
    return list(AddressItem.query(buyer_pk(shop_id, buyer_id), AddressItem.sk.startswith("ADDR#"), consistent_read=True))


def list_addresses(shop_id: str, buyer_id: str) -> AddressList:
    items = _all(shop_id, buyer_id)
    ordered = [a for a in items if a.is_default == "1"] + sorted(
        (a for a in items if a.is_default != "1"), key=lambda a: str(a.address_id), reverse=True)
    return AddressList(items=[_view(a) for a in ordered])


def get(shop_id: str, buyer_id: str, address_id: str) -> AddressView:
    """The buyer's address (404 ``address_id`` for another buyer's or an unknown one)."""
    try:
        return _view(AddressItem.get(buyer_pk(shop_id, buyer_id), address_sk(address_id), consistent_read=True))
    except AddressItem.DoesNotExist:
        raise NotFound("not_found", details={"field": "address_id"}) from None


def _unset_default(writes: Writes, others: list[AddressItem], keep: str) -> None:
    for other in others:
        if other.is_default == "1" and other.address_id != keep:
            writes.update(other, actions=[AddressItem.is_default.set(""), AddressItem.version.add(1)],
                          condition=AddressItem.version == other.version, label=("stale",))


def _commit(writes: Writes) -> None:
    try:
        writes.commit()
    except ConditionsFailed as exc:
        raise Stale() from exc


def create(shop_id: str, buyer_id: str, body: AddressInput) -> AddressView:
    from shared import clock
    from shared.ids import new_id

    _check_regions(body)
    address_id = new_id("adr_")

    def attempt() -> AddressItem:
        others = _all(shop_id, buyer_id)
        if len(others) >= MAX_ADDRESSES:
            raise Unprocessable("address_book_full", details={"limit": MAX_ADDRESSES}, limit=MAX_ADDRESSES)
        default = body.is_default or not any(o.is_default == "1" for o in others)
        item = AddressItem(pk=buyer_pk(shop_id, buyer_id), sk=address_sk(address_id), address_id=address_id,
                           name=body.name, mobile=normalize_mobile(body.mobile), province=body.province,
                           city=body.city, district=body.district, detail=body.detail, is_default="1" if default else "",
                           created_at=clock.now().isoformat(), version=1)
        writes = Writes()
        writes.put(item, condition=AddressItem.sk.does_not_exist(), label=("exists",))
        if default:
            _unset_default(writes, others, address_id)
        _commit(writes)
        return item

    return _view(retrying(attempt))


def update(shop_id: str, buyer_id: str, address_id: str, body: AddressUpdate) -> AddressView:
    _check_regions(body)
    current = get(shop_id, buyer_id, address_id)
    if current.version != body.version:
        raise VersionConflict(expected=body.version, current=current.version)

    def attempt() -> AddressItem:
        others = _all(shop_id, buyer_id)
        mine = next((o for o in others if o.address_id == address_id), None)
        if mine is None:
            raise NotFound("not_found", details={"field": "address_id"})
        if int(mine.version) != body.version:
            raise VersionConflict(expected=body.version, current=int(mine.version))
        default = body.is_default or mine.is_default == "1"
        item = AddressItem(pk=mine.pk, sk=mine.sk, address_id=address_id, name=body.name,
                           mobile=normalize_mobile(body.mobile), province=body.province, city=body.city,
                           district=body.district, detail=body.detail, is_default="1" if default else "",
                           created_at=mine.created_at, version=body.version + 1)
        writes = Writes()
        writes.put(item, condition=AddressItem.version == body.version, label=("stale",))
        if body.is_default:
            _unset_default(writes, others, address_id)
        _commit(writes)
        return item

    return _view(retrying(attempt))


def delete(shop_id: str, buyer_id: str, address_id: str) -> None:
    """Remove an address; when it was the default, the newest other one becomes the default."""
    def attempt() -> None:
        others = _all(shop_id, buyer_id)
        mine = next((o for o in others if o.address_id == address_id), None)
        if mine is None:
            raise NotFound("not_found", details={"field": "address_id"})
        writes = Writes()
        writes.delete(mine, condition=AddressItem.version == mine.version, label=("stale",))
        rest = sorted((o for o in others if o.address_id != address_id), key=lambda o: str(o.address_id))
        if mine.is_default == "1" and rest:
            heir = rest[-1]
            writes.update(heir, actions=[AddressItem.is_default.set("1"), AddressItem.version.add(1)],
                          condition=AddressItem.version == heir.version, label=("stale",))
        _commit(writes)

    retrying(attempt)


def shop_card(shop_id: str) -> StorefrontShop:
    """The shop's name, currency and logo for the storefront (404 for a shop that does not exist)."""
    from shared import db
    from shared.settings import service

    (item,) = db.batch_get([service.item_key(shop_id)])
    if item is None:
        raise NotFound("shop_not_found", details={"field": "shop_id"})
    profile = service.get_settings(shop_id, item).profile
    return StorefrontShop(shop_id=shop_id, name=profile.name, currency=profile.currency, logo=profile.logo_url)
