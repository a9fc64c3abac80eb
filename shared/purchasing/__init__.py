"""Purchasing (采购): suppliers, purchase orders from draft to received, receiving that posts
stock through the inventory ledger and keeps each SKU's moving-average cost, signed webhooks
to and from a supplier's system, and replenishment suggestions from daily sales counters.
Design, keys and costs: docs/purchasing.md."""
