"""分摊: spreading an order-level amount (a discount, freight) over the lines that may carry it.

``allocate(amount, weights)``: each eligible line (weight > 0) gets the floor of its pro-rata
share; the remainder goes to the LAST ELIGIBLE line (DOMAIN.md §5.3: yudao gives it to the last
line even when that line is not eligible, and the amount then disappears). The shares always
sum to ``amount`` exactly; a line of weight 0 always gets 0. Example: 1500 over 6000/5000 →
818/682.
"""
from __future__ import annotations


def allocate(amount: int, weights: list[int]) -> list[int]:
    if amount < 0:
        raise ValueError("amount must not be negative")
    if any(w < 0 for w in weights):
        raise ValueError("weights must not be negative")
    total = sum(weights)
    if amount and total == 0:
        raise ValueError("no eligible line to carry the amount")
    shares = [amount * w // total if total else 0 for w in weights]
    last = max(i for i, w in enumerate(weights) if w > 0) if total else None
    if last is not None:
        shares[last] += amount - sum(shares)
    return shares
