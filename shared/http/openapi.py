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

ERROR_SCHEMA = {
    "type": "object", "required": ["error"],
    "properties": {"error": {"type": "object", "required": ["code", "message"], "properties": {
        "code": {"type": "string", "examples": ["validation_failed"]},
        "message": {"type": "string", "description": "In the caller's language (Accept-Language: zh-CN or en)"},
        "details": {"type": "object"}}}},
}
_ERRORS = {"400": "Bad request", "401": "Not signed in", "403": "Permission missing",
           "404": "Not found (also another shop's record)", "409": "Version conflict or state not allowing it",
           "422": "Invalid fields (details.fields names each)"}


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
        for code, text in _ERRORS.items():
            op["responses"][code] = {"description": text,
                                     "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        params = [{"name": n, "in": "path", "required": True, "schema": {"type": "string"}}
                  for n in re.findall(r"\{(\w+)\}", s.path)]
        if s.access == "shop":
            params.append({"name": "X-Shop-Id", "in": "header", "required": True, "schema": {"type": "string"},
                           "description": "The shop the request acts on"})
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
        op["security"] = [] if s.access == "public" else [{"cognito": []}]
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
            "description": "Cognito ID token from POST /auth/signin"}}},
    }


def _mode(model: type[BaseModel], specs: list[RouteSpec]) -> str:
    return "validation" if model in {s.body for s in specs} else "serialization"
