"""Purchase cost arithmetic, in integer fen (pure: unit- and property-tested)."""
from __future__ import annotations


def moving_average(on_hand_before: int, avg_before: int | None, qty: int, unit_cost: int) -> int:
    """The moving-average unit cost after receiving ``qty`` units at ``unit_cost``:

        (on_hand_before * avg_before + qty * unit_cost) / (on_hand_before + qty)

    rounded half up to the fen. Without an average yet (or no stock before), the unit cost."""
    before = max(0, on_hand_before)
    if avg_before is None or before == 0:
        return unit_cost
    numerator = before * avg_before + qty * unit_cost
    denominator = before + qty
    return (2 * numerator + denominator) // (2 * denominator)
