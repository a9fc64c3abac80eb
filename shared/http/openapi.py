"""The OpenAPI 3.1 document, generated from the apps' route declarations and pydantic models.

OpenAPI 3.1 uses JSON Schema 2020-12, which is what pydantic emits, so the models' schemas go
into ``components/schemas`` unchanged.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, models_json_schema

from shared.http.app import RouteSpec
from shared.ids import PATH_PARAMETERS, ULID_PATTERN

ERROR_SCHEMA = {
    "type": "object", "required": ["error"],
    "properties": {"error": {"type": "object", "required": ["code", "message"], "properties": {
        "code": {"type": "string", "examples": ["validation_failed"]},
        "message": {"type": "string", "description": "In the caller's language (Accept-Language: zh-CN or en)"},
        "details": {"type": "object"}}}},
}
# Every error status an operation can answer, and why; ``statuses`` picks an operation's from
# its declaration, so the document lists exactly what a client must be ready for.
_ERRORS = {
    "400": "Bad request: malformed JSON, body over 256 KiB, missing X-Shop-Id, invalid cursor, idempotency key reused",
    "401": "Not signed in (no or invalid token), or wrong credentials",
    "403": "The caller's roles lack the operation's permission (details.permission)",
    "404": "Not found: the shop (not a member), the path's record (also another shop's), or an id of the wrong form",
    "409": "Conflict: stale version, a state that does not allow it, a duplicate, or the same request still running",
    "422": "Invalid fields (details.fields names each, details.field the first)",
    "429": "Throttled (the API stage's rate limit, or a per-client limit)",
    "503": "Not set up on this deployment yet (details say what is missing)",
}
EXAMPLE_SHOP = "shp_demo"  # the demo shop every local system seeds


def statuses(spec: RouteSpec) -> list[int]:
    """The statuses an operation can answer, derived from its declaration (see docs/api.md)."""
    from shared.http.app import SHOP_MEMBER, SIGNED_IN

    path_params = bool(re.search(r"\{\w+\}", spec.path))
    writes = spec.method != "GET"
    found = {spec.status, 429}
    if spec.body is not None or spec.query is not None or spec.access == "shop" or spec.idempotent:
        found.add(400)
    if spec.access != "public":
        found.add(401)
    if spec.permission not in (None, SIGNED_IN, SHOP_MEMBER):
        found.add(403)
    if spec.access == "shop" or path_params:
        found.add(404)
    if spec.idempotent or (writes and spec.access != "public") or _versioned(spec.body):
        found.add(409)
    if spec.body is not None or spec.query is not None or (writes and spec.access != "public"):
        found.add(422)
    found.update(spec.errors)
    return sorted(found)


def _versioned(model: type[BaseModel] | None) -> bool:
    return model is not None and "version" in model.model_fields


class _AnswerSchema(GenerateJsonSchema):
    """An answer carries every field, defaults included (``model_dump`` excludes nothing), so a
    response schema lists them all as required; a request body keeps its defaults optional."""

    def field_is_required(self, field: Any, total: bool) -> bool:
        if self.mode == "serialization" and field["type"] != "typed-dict-field":
            return field.get("serialization_exclude_if") is None
        return super().field_is_required(field, total)


def document(specs: Iterable[RouteSpec], *, title: str = "ShopDesk API", version: str = "1.0.0") -> dict[str, Any]:
    specs = sorted(specs, key=lambda s: (s.path, s.method))
    models: set[type[BaseModel]] = set()
    for s in specs:
        models.update(m for m in (s.body, s.response, s.query) if m is not None)
    ordered = sorted(models, key=lambda m: m.__name__)
    keyed, defs = models_json_schema([(m, "validation" if m in {s.body for s in specs} else "serialization")
                                      for m in ordered], ref_template="#/components/schemas/{model}",
                                      schema_generator=_AnswerSchema)
    schemas = dict(defs.get("$defs", {}))
    schemas["Error"] = ERROR_SCHEMA

    def ref(model: type[BaseModel], mode: Any) -> dict[str, Any]:
        return dict(keyed[(model, mode)])

    paths: dict[str, dict[str, Any]] = {}
    for s in specs:
        op: dict[str, Any] = {
            "operationId": s.name, "summary": s.summary, "description": s.description, "tags": list(s.tags),
            "responses": {str(s.status): {"description": "OK", "content": {"application/json": {
                "schema": ref(s.response, _mode(s.response, specs)) if s.response else {}}}}},
        }
        for code in statuses(s):
            if code != s.status:
                op["responses"][str(code)] = {"description": _ERRORS[str(code)], "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        if s.raw:  # a provider's webhook: the provider's own answer formats (docs/payments.md)
            op["responses"] = {
                "200": {"description": "Received, or refused in the provider's format (Alipay: `success` / "
                                       "`failure`; Stripe: `{\"received\": true}`)", "content": {"*/*": {"schema": {}}}},
                "204": {"description": "Received (WeChat Pay)"},
                "400": {"description": "Refused: malformed, bad signature or timestamp (Stripe, WeChat Pay)",
                        "content": {"*/*": {"schema": {}}}},
                "401": {"description": "Refused: bad signature or stale timestamp (WeChat Pay)",
                        "content": {"*/*": {"schema": {}}}},
                "404": {"description": _ERRORS["404"], "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Error"}}}},
                "429": {"description": _ERRORS["429"], "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Error"}}}},
            }
        links = _links(s, specs)
        if links:
            op["responses"][str(s.status)]["links"] = links
        params = [_path_parameter(n) for n in re.findall(r"\{(\w+)\}", s.path)]
        if s.access == "shop":
            params.append({"name": "X-Shop-Id", "in": "header", "required": True,
                           "schema": {"type": "string", "pattern": PATH_PARAMETERS["shop_id"],
                                      "examples": [EXAMPLE_SHOP]},
                           "description": "The shop the request acts on (a shop the caller is an active member of)"})
        if s.idempotent:
            params.append({"name": "Idempotency-Key", "in": "header", "required": False,
                           "schema": {"type": "string", "maxLength": 200},
                           "description": "A repeat with the same key returns the first answer and does nothing else"})
        if s.query is not None:
            properties = s.query.model_json_schema()["properties"]
            for name, field in s.query.model_fields.items():
                public = field.alias or name
                params.append({"name": public, "in": "query", "required": field.is_required(),
                               "schema": properties[public]})
        if params:
            op["parameters"] = params
        if s.body is not None:
            op["requestBody"] = {"required": True, "content": {"application/json": {"schema": ref(s.body, "validation")}}}
        op["security"] = [] if s.access == "public" else [{"buyer": []}] if s.access == "buyer" else [{"cognito": []}]
        if s.permission and s.access == "shop":
            op["x-permission"] = s.permission
        paths.setdefault(s.path, {})[s.method.lower()] = op
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version,
                 "description": "ShopDesk back office API. Money is integer minor units (分) plus a currency."},
        "servers": [{"url": "/api"}],
        "paths": paths,
        "components": {"schemas": schemas, "securitySchemes": {"cognito": {
            "type": "http", "scheme": "bearer", "bearerFormat": "JWT",
            "description": "Cognito ID token from POST /auth/signin"}, "buyer": {
            "type": "http", "scheme": "bearer", "bearerFormat": "JWT",
            "description": "Buyer pool ID token from POST /storefront/{shop_id}/auth/signin (storefront buyer routes)"}}},
    }


def _mode(model: type[BaseModel], specs: list[RouteSpec]) -> str:
    return "validation" if model in {s.body for s in specs} else "serialization"


def _path_parameter(name: str) -> dict[str, Any]:
    pattern = PATH_PARAMETERS.get(name)
    schema: dict[str, Any] = {"type": "string"}
    if pattern:
        schema.update(pattern=pattern, examples=[_example_id(name, pattern)])
    return {"name": name, "in": "path", "required": True, "schema": schema}


def _example_id(name: str, pattern: str) -> str:
    """A value of the parameter's form (the demo shop's id for shops)."""
    if name == "shop_id":
        return EXAMPLE_SHOP
    if name == "user_id":
        return "0c56fe79-95c9-43ac-9b35-82c56bcc3224"
    if name == "code":
        return "role_01jbx8y2q7"
    if name == "order_id":
        return "ORD-20260101-0001"
    if name == "provider":
        return "alipay"
    if name == "request_id":
        return "3f2a9c0d41b7e8a6c5d4f3e2a1b0c9d8e7f6a5b4"
    if name == "warehouse_id":
        return "wh_default"  # every shop has it, so generated requests reach the real code
    prefix = pattern[1:].split(ULID_PATTERN)[0].lstrip("^")
    return f"{prefix}01JBX8Y2Q7M3N4P5R6S7T8V9W0"


def _fields(model: type[BaseModel] | None) -> dict[str, Any]:
    return dict(model.model_fields) if model is not None else {}


def _links(source: RouteSpec, specs: list[RouteSpec]) -> dict[str, Any]:
    """OpenAPI links from an operation's answer to the operations that take the ids it gives:
    what a create returns (``id``, or a field named like the parameter) and the first item of a
    list. A fuzzer (and a reader) follows them to reach real records instead of 404s."""
    if source.response is None or source.access == "public":
        return {}
    fields = _fields(source.response)
    item_fields: dict[str, Any] = {}
    items = fields.get("items")
    if items is not None:
        inner = getattr(items.annotation, "__args__", (None,))[0]
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            item_fields = _fields(inner)
    links: dict[str, Any] = {}
    for target in specs:
        if target is source or target.access != source.access or not target.path.startswith(source.path + "/"):
            continue
        names = re.findall(r"\{(\w+)\}", target.path[len(source.path):])
        if not names:
            continue
        first_is_next = target.path[len(source.path):].startswith("/{" + names[0] + "}")
        params: dict[str, str] = {}
        for n in names:
            if n in fields:
                params[n] = f"$response.body#/{n}"
            elif n == names[0] and first_is_next and "id" in fields and source.method == "POST":
                params[n] = "$response.body#/id"
            elif n in item_fields and n != "user_id":  # a list's first member may be the caller
                params[n] = f"$response.body#/items/0/{n}"
            elif n == names[0] and first_is_next and "id" in item_fields and n != "user_id":
                params[n] = "$response.body#/items/0/id"
        if params:
            links[target.name] = {"operationId": target.name, "parameters": params}
    return links
