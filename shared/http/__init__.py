"""The thin HTTP glue every Chalice app shares: one way to declare a route with its permission,
models, errors and idempotency; and the OpenAPI document generated from those declarations.
Domain modules never import this package.
"""
from shared.http.app import ApiRequest, RouteSpec, ShopApp

__all__ = ["ApiRequest", "RouteSpec", "ShopApp"]
