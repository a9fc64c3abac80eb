"""``ShopApp``: a Chalice app whose routes are declared with their permission and models.

    app = ShopApp("settings")

    @app.api("PUT", "/settings/profile", permission="settings.edit", body=ProfileUpdate,
             response=ProfileView, summary="Update the shop profile")
    def put_profile(req: ApiRequest) -> ProfileView: ...

Every route gets the same treatment: the caller's language from ``Accept-Language``; the
signed-in user from the Cognito claims API Gateway put in the request context; the shop from
``X-Shop-Id`` checked against the user's membership (not a member: 404); the declared
permission demanded; body and query parsed by their pydantic models (malformed JSON: 400,
invalid fields: 422 naming each field); an ``Idempotency-Key`` honoured on creating routes
(scoped to shop, user or buyer and the whole request target: method, path with its parameters, query);
personal data masked in the answer unless the caller holds ``personal_data.view``, and cost
prices null unless they hold ``purchasing.view_costs`` (routes declaring ``costs=True``); every
error answered in the one error shape; and every request logged with its Lambda context
and API Gateway's request id, the correlation id the events it causes carry
(``shared.observability``). A route declared without a permission must say
``public=True`` or ``permission=SIGNED_IN`` (any signed-in user, no shop) or ``permission=SHOP_MEMBER`` (any active
member of the ``X-Shop-Id`` shop) or ``permission=BUYER`` (a storefront buyer of the path's shop,
token of the buyer pool): forgetting is a TypeError at import.
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ValidationError

from shared.auth.context import AuthContext
from shared.auth.permissions import VIEW_COSTS, is_known
from shared.errors import BadRequest, NotAuthenticated, NotFound, ShopDeskError, ValidationFailed
from shared.i18n import pick_language

SIGNED_IN = "signed_in"  # a route any signed-in user may call, outside any shop (e.g. /me)
# A shop-scoped route every active member of the shop may call, whatever their roles (a custom
# role may grant nothing): the member's own things, e.g. their notifications.
SHOP_MEMBER = "shop_member"
# A storefront route of a signed-in buyer (docs/buyers.md): the token from the buyer pool, the
# shop from the ``{shop_id}`` path, the buyer known to that shop; ``req.buyer`` is the session.
BUYER = "buyer"
MAX_BODY_BYTES = 256 * 1024
B = TypeVar("B")
Q = TypeVar("Q")


@dataclass(frozen=True)
class SignedInUser:
    user_id: str
    email: str  # the login on the user's record (not a token claim)
    facts: Any = None  # shared.identity.sessions.TokenFacts of the verified token


@dataclass
class ApiRequest(Generic[B, Q]):
    language: str
    path: dict[str, str]
    headers: dict[str, str]
    body: B = None  # type: ignore[assignment]
    query: Q = None  # type: ignore[assignment]
    user: SignedInUser | None = None
    ctx: AuthContext | None = None
    request_id: str = ""
    prefetched: list[Any] = field(default_factory=list)
    source_ip: str | None = None
    response_headers: dict[str, str] = field(default_factory=dict)  # e.g. Set-Cookie of the auth routes
    buyer: Any = None  # shared.buyers.sessions.BuyerSession on BUYER routes

    @property
    def shop(self) -> AuthContext:
        """The auth context of a shop-scoped route (always set there)."""
        assert self.ctx is not None
        return self.ctx


@dataclass(frozen=True)
class RouteSpec:
    method: str
    path: str
    name: str
    permission: str | None
    access: Literal["public", "user", "shop", "buyer"]
    body: type[BaseModel] | None
    query: type[BaseModel] | None
    response: type[BaseModel] | None
    status: int
    summary: str
    description: str
    idempotent: bool
    tags: tuple[str, ...] = field(default=())
    prefetch: Callable[[str], list[Any]] | None = None
    headers: tuple[tuple[str, str], ...] = ()  # added to successful answers (e.g. Cache-Control)
    costs: bool = False  # the answer carries cost prices: null without purchasing.view_costs
    errors: tuple[int, ...] = ()  # statuses beyond those its declaration implies (openapi.statuses)


class ShopApp:
    def __init__(self, name: str) -> None:
        from chalice.app import Chalice

        self.name = name
        self.chalice = Chalice(app_name=f"shopdesk-{name}")
        self.chalice.register_middleware(_observe, "http")
        self.specs: list[RouteSpec] = []

    def __call__(self, event: dict[str, Any], context: Any) -> Any:
        return self.chalice(event, context)

    def api(self, method: str, path: str, *, permission: str | None = None, public: bool = False,
            body: type[BaseModel] | None = None, query: type[BaseModel] | None = None,
            response: type[BaseModel] | None = None, status: int = 200, summary: str = "",
            idempotent: bool = False, prefetch: Callable[[str], list[Any]] | None = None,
            headers: dict[str, str] | None = None, costs: bool = False, errors: tuple[int, ...] = (),
            ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        if public == (permission is not None):
            raise TypeError(f"{method} {path}: declare exactly one of permission=... or public=True")
        if permission is not None and permission not in (SIGNED_IN, SHOP_MEMBER, BUYER) and not is_known(permission):
            raise TypeError(f"{method} {path}: unknown permission {permission!r} (see shared.auth.permissions)")
        if permission == BUYER and "{shop_id}" not in path:
            raise TypeError(f"{method} {path}: a buyer route names its shop in the path")
        access: Literal["public", "user", "shop", "buyer"] = (
            "public" if public else "user" if permission == SIGNED_IN else "buyer" if permission == BUYER else "shop")

        def register(fn: Callable[..., Any]) -> Callable[..., Any]:
            spec = RouteSpec(method=method, path=path, name=fn.__name__, permission=None if public else permission,
                             access=access, body=body, query=query, response=response, status=status,
                             summary=summary or (fn.__doc__ or "").strip().split("\n")[0],
                             description=(fn.__doc__ or "").strip(), idempotent=idempotent, tags=(self.name,),
                             prefetch=prefetch, headers=tuple((headers or {}).items()), costs=costs,
                             errors=errors)
            self.specs.append(spec)

            def view(**path_params: str) -> Any:
                return self._handle(spec, fn, path_params)

            view.__name__ = fn.__name__
            self.chalice.route(path, methods=[method], content_types=["*/*"], name=fn.__name__)(view)
            return fn

        return register

    # -- the one request pipeline ---------------------------------------------------------
    def _handle(self, spec: RouteSpec, fn: Callable[..., Any], path_params: dict[str, str]) -> Any:
        from chalice.app import Response

        request = self.chalice.current_request
        assert request is not None
        headers = {k.lower(): v for k, v in (request.headers or {}).items()}
        language = pick_language(headers.get("accept-language"))
        context = request.context or {}
        request_id = str(context.get("requestId", ""))
        try:
            req: ApiRequest[Any, Any] = ApiRequest(language=language, path=path_params, headers=headers,
                                                   request_id=request_id,
                                                   source_ip=client_address(context, headers))
            self._authenticate(spec, req, context, headers)
            check_path(path_params)
            body = request.raw_body or b""
            raw = body.encode() if isinstance(body, str) else body
            if spec.body is not None:
                req.body = parse_body(spec.body, raw)
            if spec.query is not None:
                req.query = parse_model(spec.query, dict(request.query_params or {}), location="query")

            def run() -> dict[str, Any]:
                result = fn(req)
                return {"status": spec.status, "body": _dump(spec.response, result)}

            if spec.idempotent and headers.get("idempotency-key"):
                from shared.idempotency import run_once

                scope = idempotency_scope(spec, req, dict(request.query_params or {}))
                outcome = run_once(scope, headers["idempotency-key"], json.loads(raw or b"null"), run,
                                   lambda_context=self.chalice.lambda_context,
                                   shop_id=req.ctx.shop_id if req.ctx else req.buyer.shop_id if req.buyer else None)
            else:
                outcome = run()
            body = outcome["body"]
            if req.ctx is not None and not req.ctx.can("personal_data.view"):
                from shared.privacy import mask

                body = mask(body)  # personal data, by key name, in every shop answer (shared/privacy.py)
            if spec.costs and req.ctx is not None and not req.ctx.can(VIEW_COSTS):
                from shared.privacy import without_costs

                body = without_costs(body)
            return Response(body=json.dumps(body, ensure_ascii=False), status_code=outcome["status"],
                            headers={"Content-Type": "application/json; charset=utf-8", **dict(spec.headers),
                                     **req.response_headers})
        except ShopDeskError as exc:
            return Response(body=json.dumps(exc.body(language), ensure_ascii=False), status_code=exc.status,
                            headers={"Content-Type": "application/json; charset=utf-8", **exc.headers})
        except Exception:
            from shared.observability import logger

            logger().exception("unhandled error", extra={"route": f"{spec.method} {spec.path}"})
            err = ShopDeskError("internal_error", request_id=request_id)
            return Response(body=json.dumps(err.body(language), ensure_ascii=False), status_code=500,
                            headers={"Content-Type": "application/json; charset=utf-8"})

    @staticmethod
    def _authenticate(spec: RouteSpec, req: ApiRequest[Any, Any], context: dict[str, Any],
                      headers: dict[str, str]) -> None:
        if spec.access == "public":
            return
        claims = (context.get("authorizer") or {}).get("claims") or {}
        if not claims.get("sub"):
            raise NotAuthenticated()
        from shared.buyers import sessions as buyer_sessions

        if spec.access == "buyer":
            check_path({"shop_id": req.path.get("shop_id", "")})
            req.buyer = buyer_sessions.authenticate(claims, req.path.get("shop_id", ""))
            return
        if buyer_sessions.from_buyer_pool(claims):  # a buyer's token never opens a staff route
            raise NotAuthenticated()
        from shared.identity.sessions import TokenFacts

        facts = TokenFacts.of(claims)
        if spec.access == "user":
            from shared.identity.access import signed_in

            profile = signed_in(facts)
            # Who the user is comes from their record, never from a claim they could edit.
            req.user = SignedInUser(user_id=facts.user_id, email=str(profile.login if profile else ""), facts=facts)
            return
        shop_id = headers.get("x-shop-id", "").strip()
        if not shop_id:
            raise BadRequest("shop_required", details={"field": "X-Shop-Id"})
        from shared.identity.access import authorize

        # The membership, the session checks and the route's main item (``prefetch``) come in
        # one round trip.
        keys = spec.prefetch(shop_id) if spec.prefetch else []
        req.ctx, req.prefetched = authorize(facts, shop_id, source_ip=req.source_ip,
                                            user_agent=headers.get("user-agent"), prefetch=keys)
        req.user = SignedInUser(user_id=facts.user_id, email=req.ctx.email, facts=facts)
        if spec.permission and spec.permission != SHOP_MEMBER:
            req.ctx.require(spec.permission)


def _observe(request: Any, get_response: Callable[[Any], Any]) -> Any:
    """Chalice middleware, the equivalent of powertools' ``ConvertToMiddleware(
    logger.inject_lambda_context(correlation_id_path=API_GATEWAY_REST))`` that is safe in the
    local runtime's threads: the Lambda context and the request id on every log line of the
    request (and on the events it causes), and one line per request for the operator."""
    import time

    from shared.observability import invocation, log

    context = request.context or {}
    started = time.perf_counter()
    with invocation(request.lambda_context, correlation_id=str(context.get("requestId") or "") or None):
        response = get_response(request)
        log.info("request", extra={"method": request.method, "route": context.get("resourcePath"),
                                   "status": getattr(response, "status_code", None),
                                   "duration_ms": round((time.perf_counter() - started) * 1000, 1)})
    return response


def client_address(context: dict[str, Any], headers: dict[str, str]) -> str | None:
    """The caller's address, as per-address limits count it.

    API Gateway's ``sourceIp``, unless the template names a trusted proxy's header
    (``VIEWER_IP_HEADER``: the admin's CloudFront function overwrites ``x-viewer-ip`` with the
    viewer's address, and the template sets the variable only when the WAF refuses requests that
    bypass CloudFront). Behind CloudFront ``sourceIp`` is an edge server shared by many viewers.
    """
    from shared.config import settings

    header = settings().viewer_ip_header
    if header and headers.get(header):
        return headers[header].strip()
    value = (context.get("identity") or {}).get("sourceIp")
    return str(value) if value else None


def check_path(params: dict[str, str]) -> None:
    """A path id that cannot be of its kind is not found (and never reaches a table key)."""
    from shared.ids import PATH_PARAMETERS

    for name, value in params.items():
        pattern = PATH_PARAMETERS.get(name)
        if pattern and not re.fullmatch(pattern, value or ""):
            raise NotFound("not_found", details={"field": name})


def idempotency_scope(spec: RouteSpec, req: ApiRequest[Any, Any], query: dict[str, str]) -> str:
    """What one ``Idempotency-Key`` belongs to: the shop, the user and the whole request target
    (method, path with its parameters, query). The same key sent to two purchase orders is two
    requests, not a repeat of the first."""
    from urllib.parse import quote, urlencode

    path = spec.path
    for name, value in req.path.items():
        path = path.replace("{" + name + "}", quote(value, safe=""))
    target = f"{spec.method} {path}" + (f"?{urlencode(sorted(query.items()))}" if query else "")
    if req.buyer is not None:  # a storefront buyer: their shop and their own id
        return f"{req.buyer.shop_id}:{req.buyer.buyer_id}:{target}"
    return f"{req.ctx.shop_id if req.ctx else '-'}:{req.user.user_id if req.user else '-'}:{target}"


def parse_body(model: type[BaseModel], raw: bytes) -> Any:
    if len(raw) > MAX_BODY_BYTES:
        raise ShopDeskError("payload_too_large", limit=MAX_BODY_BYTES)
    try:
        data = json.loads(raw or b"null")
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise BadRequest("invalid_json", details={"position": getattr(exc, "pos", None)}) from exc
    if not isinstance(data, dict):
        raise ValidationFailed([{"field": "body", "type": "model_type", "params": {}}])
    return parse_model(model, data, location="body")


def parse_model(model: type[BaseModel], data: dict[str, Any], *, location: str) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ValidationFailed.of(exc) from exc


def _dump(model: type[BaseModel] | None, result: Any) -> Any:
    if isinstance(result, BaseModel):
        return result.model_dump(mode="json")
    if model is not None:
        return model.model_validate(result).model_dump(mode="json")
    return result
