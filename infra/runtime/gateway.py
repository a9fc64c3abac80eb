"""A local API Gateway: REST proxy events for the template's routes, the Cognito authorizer,
CORS preflight, and the built admin UI on the same port.

- Cookies pass both ways as API Gateway passes them: the request's ``Cookie`` header reaches
  the function, and each ``Set-Cookie`` of the answer goes out as its own header line (the
  refresh-token cookie of ``/api/auth``).
- ``/api/<route>`` -> the function whose ``Api`` event declares that path and method; the
  stage's base path is ``/api`` here (on AWS the UI gets the API's URL at build time).
- Routes without ``Auth: {Authorizer: NONE}`` need a valid Cognito ID token (RS256, issuer =
  the pool, audience = the app client, not expired), exactly what API Gateway's Cognito
  authorizer checks; its claims reach the function in ``requestContext.authorizer.claims``.
  Each route is checked against its own authorizer's pool (``StaffPool`` by default,
  ``BuyerPool`` for the storefront's buyer routes): a token of the other pool is a 401.
- ``/api/openapi.json`` is the OpenAPI document generated from the running routes.
- ``/__local/...`` are local-only controls (health, firing a schedule, guard counters), served
  only when the local system passes them in (``controls``); see ``local_control``.
- ``mounts``: local stand-ins of outside services under their own prefix (the payment sandbox
  under ``/__sandbox/pay``), handed the raw request; never part of a deployment.
- Everything else is a file of ``frontend/dist``.

Hardening (issue 9, point 11; the deployed hosting's headers are the template's):
- every answer carries ``Content-Security-Policy`` (the admin UI and the API docs: scripts only
  from this origin; API answers: nothing at all), ``X-Content-Type-Options: nosniff``,
  ``X-Frame-Options: DENY``, ``Referrer-Policy: no-referrer``, ``Cross-Origin-Opener-Policy``;
- CORS answers only the app's own origin (this gateway's, plus the template's ``AllowOrigin``
  when it names one, plus ``SHOPDESK_CORS_ORIGINS``), never ``*``;
- request bodies are bounded before they are read (``MAX_BODY_BYTES``, API Gateway's 10 MiB);
  a chunked or nonsense length is refused, and the connection closed;
- no answer carries exception text: the gateway's own failures are a 502 with a request id.
"""
from __future__ import annotations

import base64
import json
import logging
import mimetypes
import os
import re
import socket
import threading
import time
import uuid
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from infra.runtime import guard
from infra.runtime.functions import FunctionPool
from infra.stack import ROOT, Route, Stack

log = logging.getLogger("shopdesk.gateway")
API_PREFIX = "/api"
DIST = ROOT / "frontend" / "dist"
MAX_BODY_BYTES = 10 * 1024 * 1024  # API Gateway's payload limit; the apps bound JSON bodies at 256 KiB
CORS_ORIGINS_ENV = "SHOPDESK_CORS_ORIGINS"  # more origins allowed to call the API (comma-separated)
_DIGITS = re.compile(r"^[0-9]{1,15}$")
# The admin SPA and the API docs: Vue's build and Swagger UI load every script from this origin
# and inject none inline; styles may be inline (Element Plus and Swagger UI set style attributes,
# the API docs page has one <style> block). Product images and uploads go to the media bucket.
PAGE_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob: "
               "{media}; connect-src 'self' {media}; font-src 'self' data:; object-src 'none'; base-uri 'self'; "
               "form-action 'self'; frame-ancestors 'none'")
API_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
COMMON_HEADERS = {"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer",
                  "Cross-Origin-Opener-Policy": "same-origin"}


class Refusal(Exception):
    """An answer the gateway gives itself, in the one error shape; ``close``: drop the connection
    (the body was not read)."""

    def __init__(self, status: int, code: str, *, close: bool = False, **params: Any) -> None:
        super().__init__(code)
        self.status, self.code, self.close, self.params = status, code, close, params


def error_body(code: str, language: str, *, details: dict[str, Any] | None = None, **params: Any) -> bytes:
    """An answer of the gateway itself in the one error shape, in the caller's language."""
    from shared.i18n import message

    return json.dumps({"error": {"code": code, "message": message(code, language, **params), "details": details or {}}},
                      ensure_ascii=False).encode()


def _media_type(value: str | None) -> str:
    return (value or "").split(";", 1)[0].strip().lower()
# (method, path below the mount, query string, headers, raw body) -> (status, headers, body)
Mount = Callable[[str, str, str, dict[str, str], bytes], tuple[int, dict[str, str], bytes]]


class CognitoVerifier:
    def __init__(self, jwks_url: str, issuer: str, audience: str) -> None:
        import jwt

        self._jwt = jwt
        self._jwks = jwt.PyJWKClient(jwks_url, cache_keys=True, lifespan=3600)
        self.issuer = issuer
        self.audience = audience

    def claims(self, token: str) -> dict[str, Any] | None:
        try:
            key = self._jwks.get_signing_key_from_jwt(token)
            claims = self._jwt.decode(token, key.key, algorithms=["RS256"], audience=self.audience,
                                      issuer=self.issuer, options={"require": ["exp", "sub"]})
        except Exception:  # any invalid token is simply "unauthorized", as in API Gateway
            return None
        if claims.get("token_use") != "id":
            return None
        return {k: (v if isinstance(v, str) else json.dumps(v) if isinstance(v, (list, dict)) else str(v))
                for k, v in claims.items()}


class Gateway:
    def __init__(self, stack: Stack, pool: FunctionPool, verifiers: dict[str, CognitoVerifier], *, stage: str,
                 openapi: Callable[[], dict[str, Any]],
                 controls: dict[str, Callable[[dict[str, Any]], Any]] | None = None, media_origin: str = "",
                 mounts: dict[str, Mount] | None = None) -> None:
        self.stack = stack
        self.pool = pool
        self.verifiers = verifiers  # by the template's authorizer name (StaffPool, BuyerPool)
        self.stage = stage
        # API Gateway prefers the most specific path: /products/jobs before /products/{product_id}.
        self.routes: list[Route] = sorted(stack.routes(), key=lambda r: [s.startswith("{") for s in r.path.split("/")])
        self.openapi = openapi
        self.controls = controls  # None: no /__local at all (only the local system passes them)
        self.mounts = mounts or {}
        self.server: ThreadingHTTPServer | None = None
        self.port = 0
        self.page_policy = PAGE_POLICY.format(media=media_origin).replace("  ", " ")
        self.cors_allow, self.template_origins = self._cors()

    def _cors(self) -> tuple[dict[str, str], set[str]]:
        """The template's CORS settings: its allowed headers and methods, and its origin when it
        names one ('*' is never answered: the app's own origin is)."""
        cors = self.stack.resolve(self.stack.of_type("AWS::Serverless::Api")["ShopApi"]["Properties"].get("Cors", {}))
        strip = lambda s: str(s).strip("'")  # noqa: E731  (SAM writes them as quoted literals)
        origin = strip(cors.get("AllowOrigin", "'*'"))
        allow = {"Access-Control-Allow-Headers": strip(cors.get("AllowHeaders", "'*'")),
                 "Access-Control-Allow-Methods": strip(cors.get("AllowMethods", "'*'")), "Access-Control-Max-Age": "600"}
        return allow, ({origin} if origin and origin != "*" else set())

    def own_hosts(self) -> set[str]:
        """The Host headers this gateway answers to as itself (not a DNS-rebound name)."""
        return {f"127.0.0.1:{self.port}", f"localhost:{self.port}", f"[::1]:{self.port}"}

    def own_origins(self) -> set[str]:
        return {f"http://{host}" for host in self.own_hosts()}

    def allowed_origins(self) -> set[str]:
        extra = {o.strip().rstrip("/") for o in os.environ.get(CORS_ORIGINS_ENV, "").split(",") if o.strip()}
        return self.own_origins() | self.template_origins | extra

    def cors_headers(self, origin: str | None, *, preflight: bool = False) -> dict[str, str]:
        """CORS for an allowed origin only; ``Vary: Origin`` so that caches keep them apart."""
        if not origin or origin not in self.allowed_origins():
            return {"Vary": "Origin"}
        headers = {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}
        return {**headers, **self.cors_allow} if preflight else headers

    def security_headers(self, path: str) -> dict[str, str]:
        is_page = not (path.startswith(API_PREFIX + "/") or path == API_PREFIX or path.startswith("/__local/"))
        return {**COMMON_HEADERS, "Content-Security-Policy": self.page_policy if is_page else API_POLICY}

    def match(self, method: str, path: str) -> tuple[Route | None, dict[str, str], bool]:
        """(route, path parameters, whether the path exists with another method)."""
        # As API Gateway: the most specific resource that matches wins, then its method; so PUT
        # /products/bulk-shelf is a method that resource lacks, not PUT /products/{product_id}.
        resource = next((r.path for r in self.routes if r.pattern.match(path)), None)
        if resource is None:
            return None, {}, False
        for route in self.routes:
            if route.path == resource and route.method == method:
                found = route.pattern.match(path)
                assert found is not None
                return route, {k: unquote(v) for k, v in found.groupdict().items()}, True
        return None, {}, True

    def allowed(self, path: str) -> list[str]:
        """The methods the routes of this path answer (for a 405's Allow header)."""
        resource = next((r.path for r in self.routes if r.pattern.match(path)), None)
        return sorted({r.method for r in self.routes if r.path == resource} | {"OPTIONS"})

    def serve(self, host: str, port: int) -> int:
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            server_version = "ShopDeskLocal"

            def setup(self) -> None:
                super().setup()
                # Headers and body go out in two writes: without this, Nagle's algorithm and the
                # client's delayed ACK add ~40 ms to every keep-alive response.
                self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def log_message(self, fmt: str, *args: Any) -> None:  # quiet; the functions log
                pass

            def do_GET(self) -> None:
                gateway.handle(self)

            do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_HEAD = do_GET

            def __getattr__(self, name: str) -> Any:
                # Any other method (TRACE, CONNECT, made-up verbs) is the client's mistake: it
                # reaches ``handle`` and gets 405 with an Allow header, not http.server's 501.
                if name.startswith("do_"):
                    return self.do_GET
                raise AttributeError(name)

        class Server(ThreadingHTTPServer):
            # socketserver's default listen backlog is 5: a burst of clients (promotion traffic,
            # the concurrency tests' 16 at once) overflows it and connections get reset.
            request_queue_size = 128

        self.server = Server((host, port), Handler)
        self.server.daemon_threads = True
        self.port = int(self.server.server_address[1])
        threading.Thread(target=self.server.serve_forever, name="gateway", daemon=True).start()
        return self.port

    def stop(self) -> None:
        if self.server:
            self.server.shutdown()
            self.server.server_close()

    # -- one request ---------------------------------------------------------------------------
    def handle(self, h: BaseHTTPRequestHandler) -> None:
        from shared.i18n import pick_language

        url = urlsplit(h.path)
        language = pick_language(h.headers.get("Accept-Language"))
        json_type = {"Content-Type": "application/json; charset=utf-8"}
        try:
            body = self.read_body(h)
            if url.path.startswith(API_PREFIX + "/") or url.path == API_PREFIX:
                status, headers, payload = self.api(h, url.path[len(API_PREFIX):] or "/", url.query, body)
            elif url.path.startswith("/__local/") and self.controls is not None:
                status, headers, payload = self.local_control(h, url.path, body)
            elif mount := next((m for m in self.mounts if url.path.startswith(m + "/")), None):
                status, headers, payload = self.mounts[mount](h.command, url.path[len(mount):], url.query,
                                                              dict(h.headers.items()), body)
            else:
                status, headers, payload = self.static(url.path, h.command)
        except Refusal as refused:
            status, headers = refused.status, dict(json_type)
            payload = error_body(refused.code, language, **refused.params)
            if refused.close:
                h.close_connection = True
                headers["Connection"] = "close"
        except Exception:  # the gateway itself failed: said in the one error shape, details in the log
            request_id = str(uuid.uuid4())
            log.exception("gateway failure (request %s) on %s %s", request_id, h.command, url.path)
            status, headers = 502, dict(json_type)
            payload = error_body("bad_gateway", language, request_id=request_id)
        headers = {**self.security_headers(url.path), **headers}
        h.send_response(status)
        for k, v in headers.items():
            for line in (v if isinstance(v, list) else [v]):
                h.send_header(k, line)
        h.send_header("Content-Length", str(len(payload)))
        h.end_headers()
        if h.command != "HEAD":
            h.wfile.write(payload)

    @staticmethod
    def read_body(h: BaseHTTPRequestHandler) -> bytes:
        """The body, read only when its declared length is within ``MAX_BODY_BYTES``."""
        if h.headers.get("Transfer-Encoding"):
            raise Refusal(411, "length_required", close=True)
        lengths = h.headers.get_all("Content-Length") or []
        if not lengths:
            return b""
        if len(set(lengths)) != 1 or not _DIGITS.match(lengths[0].strip()):
            raise Refusal(400, "bad_content_length", close=True)
        length = int(lengths[0])
        if length > MAX_BODY_BYTES:
            raise Refusal(413, "payload_too_large", close=True, limit=MAX_BODY_BYTES)
        return h.rfile.read(length) if length else b""

    def api(self, h: BaseHTTPRequestHandler, path: str, query: str, body: bytes) -> tuple[int, dict[str, Any], bytes]:
        from shared.i18n import pick_language

        method = h.command
        origin = h.headers.get("Origin")
        cors = self.cors_headers(origin)
        json_headers = {"Content-Type": "application/json; charset=utf-8", **cors}
        language = pick_language(h.headers.get("Accept-Language"))
        if method == "OPTIONS":
            return 204, self.cors_headers(origin, preflight=True), b""
        if path == "/openapi.json" and method == "GET":
            return 200, json_headers, json.dumps(self.openapi(), ensure_ascii=False).encode()
        route, params, path_known = self.match(method, path)
        if route is None:
            if not path_known:
                return 404, json_headers, error_body("route_not_found", language, method=method, path=path[:200])
            allowed = self.allowed(path)
            return 405, {**json_headers, "Allow": ", ".join(allowed)}, error_body(
                "method_not_allowed", language, details={"allowed": allowed}, method=method, path=path[:200])
        claims = None
        if not route.public:
            auth = h.headers.get("Authorization", "")
            token = auth[7:] if auth.lower().startswith("bearer ") else auth
            verifier = self.verifiers.get(route.authorizer)
            claims = verifier.claims(token) if token and verifier else None
            if claims is None:
                return 401, json_headers, error_body("not_authenticated", language)
        event = self.event(h, route, path, params, query, body, claims)
        with guard.api_request():
            result = self.pool[route.function].invoke(event, event["requestContext"]["requestId"])
        # API Gateway answers its request id (the correlation id of what the request causes).
        out_headers: dict[str, Any] = {**cors, "x-amzn-RequestId": event["requestContext"]["requestId"],
                                       **(result.get("headers") or {})}
        for k, values in (result.get("multiValueHeaders") or {}).items():
            # Cookies cannot be folded into one comma-joined line: one Set-Cookie line each.
            out_headers[k] = list(values) if k.lower() == "set-cookie" else ", ".join(values)
        payload = result.get("body") or ""
        raw = base64.b64decode(payload) if result.get("isBase64Encoded") else payload.encode()
        return int(result.get("statusCode", 200)), out_headers, raw

    def event(self, h: BaseHTTPRequestHandler, route: Route, path: str, params: dict[str, str], query: str,
              body: bytes, claims: dict[str, Any] | None) -> dict[str, Any]:
        multi_q = parse_qs(query, keep_blank_values=True)
        headers = {k: v for k, v in h.headers.items()}
        try:
            text, b64 = (body.decode("utf-8") if body else None), False
        except UnicodeDecodeError:
            text, b64 = base64.b64encode(body).decode(), True
        request_id = str(uuid.uuid4())
        return {
            "resource": route.path, "path": path, "httpMethod": route.method,
            "headers": headers, "multiValueHeaders": {k: h.headers.get_all(k) for k in headers},
            "queryStringParameters": {k: v[-1] for k, v in multi_q.items()} or None,
            "multiValueQueryStringParameters": multi_q or None,
            "pathParameters": params or None, "stageVariables": None,
            "requestContext": {
                "resourcePath": route.path, "httpMethod": route.method, "path": f"/{self.stage}{path}",
                "stage": self.stage, "requestId": request_id, "requestTimeEpoch": int(time.time() * 1000),
                "identity": {"sourceIp": h.client_address[0], "userAgent": h.headers.get("User-Agent")},
                "authorizer": {"claims": claims} if claims else None,
            },
            "body": text, "isBase64Encoded": b64,
        }

    def local_control(self, h: BaseHTTPRequestHandler, path: str, body: bytes) -> tuple[int, dict[str, str], bytes]:
        """``/__local/<name>``: reads by GET, actions by POST, and only from this machine's own
        pages or tools: the Host must be this gateway's (a DNS-rebound name is refused), an
        Origin or Sec-Fetch-Site must say same origin, and a POST must be JSON (a cross-site
        form can send text/plain, urlencoded or multipart, never application/json without a
        CORS preflight, which gets no permission here). No CORS headers are ever sent."""
        if h.headers.get("Host", "") not in self.own_hosts():
            raise Refusal(403, "local_cross_origin")
        origin = h.headers.get("Origin")
        if origin is not None and origin not in self.own_origins():
            raise Refusal(403, "local_cross_origin")
        if h.headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
            raise Refusal(403, "local_cross_origin")
        assert self.controls is not None
        name = path[len("/__local/"):].strip("/")
        action = self.controls.get(name)
        if action is None:
            raise Refusal(404, "not_found")
        if h.command == "POST":
            if _media_type(h.headers.get("Content-Type")) != "application/json":
                raise Refusal(415, "local_json_only")
            try:
                data = json.loads(body or b"{}")
            except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                raise Refusal(400, "invalid_json") from exc
            if not isinstance(data, dict):
                raise Refusal(400, "invalid_json")
        elif h.command in ("GET", "HEAD"):
            data = {}
        else:
            raise Refusal(405, "method_not_allowed", method=h.command, path=path)
        result = action(data)
        return 200, {"Content-Type": "application/json; charset=utf-8"}, json.dumps(result).encode()

    def static(self, path: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
        if method not in ("GET", "HEAD"):
            body = json.dumps({"error": {"code": "method_not_allowed", "message": method, "details": {}}}).encode()
            return 405, {"Content-Type": "application/json", "Allow": "GET, HEAD"}, body
        if path in ("", "/"):
            path = "/index.html"
        if path == "/shop":  # the storefront app is frontend/dist/shop/index.html
            return 301, {"Location": "/shop/", "Cache-Control": "no-cache"}, b""
        if path.endswith("/"):
            path += "index.html"
        target = (DIST / path.lstrip("/")).resolve()
        if not str(target).startswith(str(DIST.resolve())) or not target.is_file():
            if not (DIST / "index.html").is_file():
                msg = "The admin UI is not built yet: run `make run` (it builds frontend/dist)."
                return 404, {"Content-Type": "text/plain; charset=utf-8"}, msg.encode()
            return 404, {"Content-Type": "text/plain; charset=utf-8"}, b"not found"
        ctype = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if ctype.startswith("text/") or ctype in ("application/javascript", "application/json"):
            ctype += "; charset=utf-8"
        # Vite puts content-hashed files under assets/; everything else may change in place.
        cache = "public, max-age=31536000, immutable" if path.startswith("/assets/") else "no-cache"
        return 200, {"Content-Type": ctype, "Cache-Control": cache}, target.read_bytes()
