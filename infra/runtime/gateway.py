"""A local API Gateway: REST proxy events for the template's routes, the Cognito authorizer,
CORS preflight, and the built admin UI on the same port.

- ``/api/<route>`` -> the function whose ``Api`` event declares that path and method; the
  stage's base path is ``/api`` here (on AWS the UI gets the API's URL at build time).
- Routes without ``Auth: {Authorizer: NONE}`` need a valid Cognito ID token (RS256, issuer =
  the pool, audience = the app client, not expired), exactly what API Gateway's Cognito
  authorizer checks; its claims reach the function in ``requestContext.authorizer.claims``.
- ``/api/openapi.json`` is the OpenAPI document generated from the running routes.
- ``/__local/...`` are local-only controls (health, firing a schedule, guard counters).
- ``mounts``: local stand-ins of outside services under their own prefix (the payment sandbox
  under ``/__sandbox/pay``), handed the raw request; never part of a deployment.
- Everything else is a file of ``frontend/dist``.
"""
from __future__ import annotations

import base64
import json
import mimetypes
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

API_PREFIX = "/api"
DIST = ROOT / "frontend" / "dist"
# (method, path below the mount, query string, headers, raw body) -> (status, headers, body)
Mount = Callable[[str, str, str, dict[str, str], bytes], tuple[int, dict[str, str], bytes]]
UNAUTHORIZED = {"error": {"code": "not_authenticated", "message": "请先登录。Please sign in.", "details": {}}}


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
    def __init__(self, stack: Stack, pool: FunctionPool, verifier: CognitoVerifier, *, stage: str,
                 openapi: Callable[[], dict[str, Any]], controls: dict[str, Callable[[dict[str, Any]], Any]],
                 mounts: dict[str, Mount] | None = None) -> None:
        self.stack = stack
        self.pool = pool
        self.verifier = verifier
        self.stage = stage
        # API Gateway prefers the most specific path: /products/jobs before /products/{product_id}.
        self.routes: list[Route] = sorted(stack.routes(), key=lambda r: [s.startswith("{") for s in r.path.split("/")])
        self.openapi = openapi
        self.controls = controls
        self.mounts = mounts or {}
        self.server: ThreadingHTTPServer | None = None
        self.cors_headers = self._cors()

    def _cors(self) -> dict[str, str]:
        cors = self.stack.resolve(self.stack.of_type("AWS::Serverless::Api")["ShopApi"]["Properties"].get("Cors", {}))
        strip = lambda s: str(s).strip("'")  # noqa: E731  (SAM writes them as quoted literals)
        return {"Access-Control-Allow-Origin": strip(cors.get("AllowOrigin", "'*'")),
                "Access-Control-Allow-Headers": strip(cors.get("AllowHeaders", "'*'")),
                "Access-Control-Allow-Methods": strip(cors.get("AllowMethods", "'*'"))}

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

        self.server = ThreadingHTTPServer((host, port), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, name="gateway", daemon=True).start()
        return int(self.server.server_address[1])

    def stop(self) -> None:
        if self.server:
            self.server.shutdown()
            self.server.server_close()

    # -- one request ---------------------------------------------------------------------------
    def handle(self, h: BaseHTTPRequestHandler) -> None:
        url = urlsplit(h.path)
        length = int(h.headers.get("Content-Length") or 0)
        body = h.rfile.read(length) if length else b""
        try:
            if url.path.startswith(API_PREFIX + "/") or url.path == API_PREFIX:
                status, headers, payload = self.api(h, url.path[len(API_PREFIX):] or "/", url.query, body)
            elif url.path.startswith("/__local/"):
                status, headers, payload = self.control(url.path, body)
            elif mount := next((m for m in self.mounts if url.path.startswith(m + "/")), None):
                status, headers, payload = self.mounts[mount](h.command, url.path[len(mount):], url.query,
                                                              dict(h.headers.items()), body)
            else:
                status, headers, payload = self.static(url.path, h.command)
        except Exception as exc:  # the gateway itself failed: say so, in the one error shape
            import traceback

            traceback.print_exc()
            status, headers = 502, {"Content-Type": "application/json"}
            payload = json.dumps({"error": {"code": "bad_gateway", "message": str(exc), "details": {}}}).encode()
        h.send_response(status)
        for k, v in headers.items():
            h.send_header(k, v)
        h.send_header("Content-Length", str(len(payload)))
        h.end_headers()
        if h.command != "HEAD":
            h.wfile.write(payload)

    def api(self, h: BaseHTTPRequestHandler, path: str, query: str, body: bytes) -> tuple[int, dict[str, str], bytes]:
        method = h.command
        json_headers = {"Content-Type": "application/json", **self.cors_headers}
        if method == "OPTIONS":
            return 204, dict(self.cors_headers), b""
        if path == "/openapi.json" and method == "GET":
            return 200, json_headers, json.dumps(self.openapi(), ensure_ascii=False).encode()
        route, params, path_known = self.match(method, path)
        if route is None:
            if not path_known:
                return 404, json_headers, _error("route_not_found", h, method=method, path=path)
            allowed = self.allowed(path)
            return 405, {**json_headers, "Allow": ", ".join(allowed)}, _error(
                "method_not_allowed", h, details={"allowed": allowed}, method=method, path=path)
        claims = None
        if not route.public:
            auth = h.headers.get("Authorization", "")
            token = auth[7:] if auth.lower().startswith("bearer ") else auth
            claims = self.verifier.claims(token) if token else None
            if claims is None:
                return 401, json_headers, json.dumps(UNAUTHORIZED, ensure_ascii=False).encode()
        event = self.event(h, route, path, params, query, body, claims)
        with guard.api_request():
            result = self.pool[route.function].invoke(event, event["requestContext"]["requestId"])
        out_headers = {**self.cors_headers, **(result.get("headers") or {})}
        for k, values in (result.get("multiValueHeaders") or {}).items():
            out_headers[k] = ", ".join(values)
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

    def control(self, path: str, body: bytes) -> tuple[int, dict[str, str], bytes]:
        name = path[len("/__local/"):].strip("/")
        action = self.controls.get(name)
        if action is None:
            return 404, {"Content-Type": "application/json"}, b'{"error":{"code":"not_found"}}'
        result = action(json.loads(body or b"{}"))
        return 200, {"Content-Type": "application/json"}, json.dumps(result).encode()

    def static(self, path: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
        if method not in ("GET", "HEAD"):
            body = json.dumps({"error": {"code": "method_not_allowed", "message": method, "details": {}}}).encode()
            return 405, {"Content-Type": "application/json", "Allow": "GET, HEAD"}, body
        if path in ("", "/"):
            path = "/index.html"
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


def _error(code: str, h: BaseHTTPRequestHandler, *, details: dict[str, Any] | None = None, **params: Any) -> bytes:
    """An answer of the gateway itself in the one error shape, in the caller's language."""
    from shared.i18n import message, pick_language

    text = message(code, pick_language(h.headers.get("Accept-Language")), **params)
    return json.dumps({"error": {"code": code, "message": text, "details": details or {}}}, ensure_ascii=False).encode()
