"""The error types of ShopDesk. Each maps to the one error shape of CONVENTIONS.md:

    {"error": {"code": "...", "message": "...", "details": {...}}}

The message is rendered in the caller's language at response time from ``shared.i18n``.
"""
from __future__ import annotations

from typing import Any


class ShopDeskError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, code: str | None = None, *, details: dict[str, Any] | None = None,
                 headers: dict[str, str] | None = None, **params: Any):
        self.code = code or type(self).code
        self.details = details or {}
        self.headers = headers or {}  # sent with the error answer (e.g. Retry-After of a 429)
        self.params = params
        super().__init__(f"{self.code} {params or ''}")

    def body(self, language: str) -> dict[str, Any]:
        from shared.i18n import message

        return {"error": {"code": self.code, "message": message(self.code, language, **self.params), "details": self.details}}


class BadRequest(ShopDeskError):
    status = 400


class ValidationFailed(ShopDeskError):
    status = 422
    code = "validation_failed"

    def __init__(self, fields: list[dict[str, Any]]):
        names = [f["field"] for f in fields]
        super().__init__("validation_failed", details={"fields": fields}, fields=names)
        self.fields = fields

    @classmethod
    def of(cls, exc: Any) -> ValidationFailed:
        """The failure of a pydantic model's validation (``pydantic.ValidationError``), one entry
        per field: the API's 422 for bodies and queries, and domain code that validates what an
        outside system sent (a supplier's webhook)."""
        return cls([_field(e) for e in exc.errors(include_url=False)])

    def body(self, language: str) -> dict[str, Any]:
        from shared.i18n import field_message, message

        rendered = [
            {"field": f["field"], "type": f["type"],
             "message": field_message(f["type"], language, f.get("params", {}), f.get("fallback"))}
            for f in self.fields
        ]
        summary = "; ".join(f"{f['field']} {f['message']}" for f in rendered)
        first = rendered[0]["field"] if rendered else None
        return {"error": {"code": self.code, "message": message(self.code, language, fields=summary),
                          "details": {"fields": rendered, "field": first}}}


def _field(error: Any) -> dict[str, Any]:
    # Discriminated unions keep their tag in the location ("methods.0.alipay.settings.merchant_id"):
    # it names which payment method the field belongs to, so it stays.
    loc = [str(p) for p in error.get("loc", ())]
    params = {k: v for k, v in (error.get("ctx") or {}).items() if isinstance(v, (str, int, float, list, tuple))}
    return {"field": ".".join(loc) or "body", "type": error["type"], "params": params, "fallback": error.get("msg")}


def field_error(field: str, type_: str, **params: Any) -> ValidationFailed:
    """A validation failure of one field, raised by domain code (e.g. a logo that is not an image)."""
    return ValidationFailed([{"field": field, "type": type_, "params": params}])


class Unprocessable(ShopDeskError):
    """Well-formed input the domain cannot accept (a logo that is not an image, ...)."""

    status = 422


class NotAuthenticated(ShopDeskError):
    status = 401
    code = "not_authenticated"


class Forbidden(ShopDeskError):
    status = 403
    code = "forbidden"


class NotFound(ShopDeskError):
    status = 404
    code = "not_found"


class Conflict(ShopDeskError):
    status = 409
    code = "conflict"


class VersionConflict(Conflict):
    code = "version_conflict"

    def __init__(self, *, expected: int, current: int):
        super().__init__("version_conflict", details={"expected": expected, "current": current},
                         expected=expected, current=current)


class Throttled(ShopDeskError):
    status = 429
    code = "throttled"


class Unavailable(ShopDeskError):
    """Something the deployment has not set up yet (e.g. online payment without a public URL)."""

    status = 503
    code = "unavailable"
