"""The buyer's address book and the regions it picks from (docs/buyers.md)."""
from __future__ import annotations

from shared.buyers.models import DivisionList, DivisionView
from shared.errors import NotFound
from shared.settings import regions as divisions


def regions(parent: str | None) -> DivisionList:
    if parent is not None:
        found = divisions.region(parent)
        if found is None or found.level == "district":
            raise NotFound("not_found", details={"field": "parent"})
    items = [DivisionView(code=r.code, name=r.name, name_en=r.name_en, level=r.level,
                        has_children=bool(divisions.children(r.code))) for r in divisions.children(parent)]
    return DivisionList(items=items)
