"""Inventory (库存): stock per SKU and warehouse with an append-only movement ledger,
warehouses and transfers, order reservations, sharded counters for flash-sale SKUs.
Design, keys and capacity: docs/inventory.md."""
