"""ShopDesk's domain package, shipped to every function as a Lambda layer.

Modules here hold the business rules and the one way of doing each cross-cutting thing
(errors, auth, pagination, ids, money, events, idempotency). Nothing in the domain modules
knows about HTTP; the thin HTTP glue the Chalice apps share lives in ``shared.http``.
"""
