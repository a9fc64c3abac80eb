"""分摊: spreading an order-level amount (a discount, freight) over the lines that may carry it.

``allocate(amount, weights)``: each eligible line (weight > 0) gets the floor of its pro-rata
share; the remainder goes to the LAST ELIGIBLE line (DOMAIN.md §5.3: yudao gives it to the last
line even when that line is not eligible, and the amount then disappears). The shares always
sum to ``amount`` exactly; a line of weight 0 always gets 0. Example: 1500 over 6000/5000 →
818/682.

When the amount does not exceed the weights (a discount capped at what the lines carry), no line
gets more than its weight: a remainder that would push the last eligible line past its own weight
(6 over 3/3/1: 2/2/2, a line of 1 paying −1) spills back to the eligible lines before it (3/2/1).
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
        if amount <= total:
            _spill_back(shares, weights, last)
    return shares


def _spill_back(shares: list[int], weights: list[int], last: int) -> None:
    excess = shares[last] - weights[last]
    i = last
    while excess > 0:
        shares[i] -= excess
        i -= 1
        while weights[i] == 0:
            i -= 1
        shares[i] += excess
        excess = shares[i] - weights[i]
