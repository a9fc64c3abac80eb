"""The SKU matrix (规格组合): every combination of a product's spec values is exactly one SKU,
in spec order then value order (颜色 x 尺码: 红/S, 红/M, 蓝/S, 蓝/M).

Pure functions, no I/O. ``merge`` is what keeps a merchant's work when specs change: adding a
value adds SKUs and keeps every price already entered; removing a value drops its SKUs.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from itertools import product as cartesian

MAX_SKUS = 600  # Taobao's limit per product; also bounds a product's events and reads
Combo = tuple[str, ...]


@dataclass(frozen=True)
class Spec:
    name: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Sku:
    id: str
    values: Combo
    price: int = 0
    strike_price: int | None = None
    cost_price: int | None = None
    weight_g: int = 0
    volume_cm3: int = 0
    code: str = ""
    barcode: str = ""
    status: str = "active"


def combinations(specs: Sequence[Spec]) -> list[Combo]:
    """The matrix in order; a product without specs has one SKU, the empty combination."""
    return list(cartesian(*(s.values for s in specs)))


def size(specs: Sequence[Spec]) -> int:
    return math.prod(len(s.values) for s in specs)


@dataclass(frozen=True)
class Mismatch:
    missing: list[Combo]
    extra: list[Combo]
    duplicates: list[Combo]

    def __bool__(self) -> bool:
        return bool(self.missing or self.extra or self.duplicates)


def compare(specs: Sequence[Spec], given: Sequence[Combo]) -> Mismatch:
    """How a list of SKU combinations differs from the matrix of ``specs``."""
    wanted = combinations(specs)
    wanted_set = set(wanted)
    seen: set[Combo] = set()
    duplicates = []
    for combo in given:
        if combo in seen:
            duplicates.append(combo)
        seen.add(combo)
    return Mismatch(missing=[c for c in wanted if c not in seen], extra=[c for c in given if c not in wanted_set],
                    duplicates=duplicates)


def in_matrix_order(specs: Sequence[Spec], skus: Sequence[Sku]) -> list[Sku]:
    order = {combo: i for i, combo in enumerate(combinations(specs))}
    return sorted(skus, key=lambda s: order[s.values])


def merge(old_specs: Sequence[Spec], old_skus: Sequence[Sku], new_specs: Sequence[Spec],
          new_id: Callable[[], str]) -> list[Sku]:
    """The SKUs of ``new_specs``' matrix, keeping what was entered for the old one.

    - A combination that existed keeps its SKU: same id, price, codes and status.
    - A spec that is new to the product: the existing SKUs take its first value.
    - A spec that was removed: SKUs that now coincide keep the first of them.
    - A new combination is a new SKU whose prices, weight, volume and status are copied from
      the existing SKU sharing most of its values (codes stay empty: they are unique).
    """
    old_names = [s.name for s in old_specs]
    new_names = [s.name for s in new_specs]
    first = {s.name: s.values[0] for s in new_specs if s.values}
    old_views = [(sku, dict(zip(old_names, sku.values, strict=True))) for sku in old_skus]
    used: set[str] = set()
    merged: list[Sku] = []
    for combo in combinations(new_specs):
        wanted = dict(zip(new_names, combo, strict=True))
        match = next((sku for sku, view in old_views if sku.id not in used and _same(view, wanted, first)), None)
        if match is not None:
            used.add(match.id)
            merged.append(replace(match, values=combo))
        else:
            merged.append(_new_sku(new_id(), combo, _nearest(old_views, wanted)))
    return merged


def _same(old: dict[str, str], wanted: dict[str, str], first: dict[str, str]) -> bool:
    return all(old[name] == value if name in old else value == first[name] for name, value in wanted.items())


def _nearest(old_views: Sequence[tuple[Sku, dict[str, str]]], wanted: dict[str, str]) -> Sku | None:
    best, best_score = None, -1
    for sku, view in old_views:
        score = sum(1 for name, value in wanted.items() if view.get(name) == value)
        if score > best_score:
            best, best_score = sku, score
    return best


def _new_sku(sku_id: str, combo: Combo, template: Sku | None) -> Sku:
    if template is None:
        return Sku(id=sku_id, values=combo)
    return replace(template, id=sku_id, values=combo, code="", barcode="")
