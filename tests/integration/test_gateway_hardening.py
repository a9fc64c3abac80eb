"""The local gateway's own defences, tried as a hostile web page or client would (issue 9,
point 11, local side): security headers on the admin UI, the API docs and API answers; CORS only
for the app's own origin; the ``/__local`` controls refusing cross-site and non-JSON requests;
request bodies bounded before they are read; no exception text in any answer."""
from __future__ import annotations

import json
import socket
from urllib.parse import urlsplit

import pytest
import requests

from tests.integration.conftest import Api

EVIL = "https://evil.example"
PAGES = ["/", "/index.html", "/api-docs/", "/api/openapi.json", "/api/settings"]


def csp(answer: requests.Response) -> dict[str, list[str]]:
    header = answer.headers.get("Content-Security-Policy", "")
    directives = [d.strip().split() for d in header.split(";") if d.strip()]
    return {d[0]: d[1:] for d in directives}


@pytest.mark.parametrize("path", PAGES)
def test_every_answer_carries_the_security_headers(system, owner: Api, path: str):
    answer = owner.get(path.removeprefix("/api")) if path.startswith("/api/") else requests.get(system.url + path,
                                                                                                 timeout=30)
    assert answer.status_code == 200, answer.text[:200]
    policy = csp(answer)
    assert policy.get("frame-ancestors") == ["'none'"], answer.headers
    assert "'unsafe-inline'" not in policy.get("script-src", policy.get("default-src", ["*"]))
    assert "'unsafe-eval'" not in policy.get("script-src", policy.get("default-src", ["*"]))
    assert policy.get("object-src", policy.get("default-src")) in (["'none'"],), policy
    assert answer.headers.get("X-Content-Type-Options") == "nosniff"
    assert answer.headers.get("X-Frame-Options") == "DENY"
    assert answer.headers.get("Referrer-Policy") in ("no-referrer", "strict-origin-when-cross-origin", "same-origin")


def test_the_admin_ui_may_run_only_its_own_scripts(system):
    policy = csp(requests.get(system.url + "/", timeout=30))
    assert policy.get("script-src") == ["'self'"], policy
    assert policy.get("base-uri") == ["'self'"] and policy.get("form-action") == ["'self'"], policy


def test_api_errors_and_unknown_paths_carry_them_too(system):
    for path in ("/api/settings", "/api/no/such/route", "/no-such-file.js"):
        answer = requests.get(system.url + path, timeout=30)
        assert answer.status_code in (401, 404), answer.status_code
        assert answer.headers.get("X-Content-Type-Options") == "nosniff", path
        assert csp(answer).get("frame-ancestors") == ["'none'"], path


def test_cors_answers_only_the_apps_own_origin(system, owner: Api):
    own = system.url
    preflight = {"Access-Control-Request-Method": "PUT", "Access-Control-Request-Headers": "authorization,x-shop-id"}
    hostile = requests.options(f"{system.url}/api/settings/profile", headers={"Origin": EVIL, **preflight}, timeout=30)
    assert "Access-Control-Allow-Origin" not in hostile.headers, hostile.headers
    friendly = requests.options(f"{system.url}/api/settings/profile", headers={"Origin": own, **preflight}, timeout=30)
    assert friendly.headers.get("Access-Control-Allow-Origin") == own, friendly.headers
    assert "Origin" in friendly.headers.get("Vary", "")
    # A real request from another origin is answered, but the browser is given no permission to read it.
    read = owner.get("/settings", headers={"Origin": EVIL})
    assert read.status_code == 200 and read.headers.get("Access-Control-Allow-Origin") not in ("*", EVIL)


SCHEDULE = "SettingsPruneFunction.Daily"


def fired_count(system) -> int:
    return int(requests.get(f"{system.url}/__local/health", timeout=30).json().get("fired", {}).get(SCHEDULE, 0))


def test_local_controls_refuse_a_cross_site_form_post(system):
    """A page elsewhere can make the browser POST a form (enctype text/plain carries JSON-looking
    text) to 127.0.0.1: the control must not run."""
    body = json.dumps({"schedule": SCHEDULE})
    before = fired_count(system)
    attacks = [
        {"Content-Type": "text/plain", "Origin": EVIL},
        {"Content-Type": "application/x-www-form-urlencoded", "Origin": EVIL},
        {"Content-Type": "multipart/form-data; boundary=x", "Origin": "null"},
        {"Content-Type": "application/json", "Origin": EVIL},  # (a CORS preflight would be skipped by no browser)
        {"Content-Type": "text/plain"},  # no Origin, but not JSON
        {"Content-Type": "application/json", "Sec-Fetch-Site": "cross-site"},
    ]
    for headers in attacks:
        answer = requests.post(f"{system.url}/__local/fire", data=body, headers=headers, timeout=60)
        assert answer.status_code in (403, 415), (headers, answer.status_code, answer.text)
        assert answer.json()["error"]["code"] in ("local_cross_origin", "local_json_only"), answer.text
        assert "Access-Control-Allow-Origin" not in answer.headers
    assert fired_count(system) == before
    # A DNS-rebinding page (evil name -> 127.0.0.1) is same-origin to the browser: the Host tells.
    rebound = requests.post(f"{system.url}/__local/fire", json={"schedule": SCHEDULE},
                            headers={"Host": f"evil.example:{urlsplit(system.url).port}"}, timeout=60)
    assert rebound.status_code == 403, rebound.text
    assert fired_count(system) == before
    same = requests.post(f"{system.url}/__local/fire", json={"schedule": SCHEDULE},
                         headers={"Origin": system.url}, timeout=60)
    assert same.status_code == 200, same.text
    assert fired_count(system) == before + 1


def test_local_controls_answer_bad_input_without_exception_text(system):
    answer = requests.post(f"{system.url}/__local/fire", json={"schedule": "NoSuch.Schedule'<script>"}, timeout=60)
    assert answer.status_code == 404, answer.text
    assert "NoSuch" not in answer.text and "Traceback" not in answer.text and "KeyError" not in answer.text
    broken = requests.post(f"{system.url}/__local/fire", data=b"{not json", headers={"Content-Type": "application/json"},
                           timeout=60)
    assert broken.status_code == 400 and "Expecting" not in broken.text, broken.text


def _raw(system, head: bytes, body: bytes = b"") -> bytes:
    """One request on a raw socket; the answer as far as the server sends it (or closes)."""
    port = urlsplit(system.url).port
    with socket.create_connection(("127.0.0.1", port), timeout=20) as s:
        s.sendall(head + body)
        chunks = []
        try:
            while True:
                data = s.recv(65536)
                if not data:
                    break
                chunks.append(data)
                if b"\r\n\r\n" in b"".join(chunks) and b'"error"' in b"".join(chunks):
                    break
        except TimeoutError:
            pass  # nothing (more) came
        return b"".join(chunks)


def test_a_huge_body_is_refused_without_being_read(system):
    """Content-Length of 50 MiB, and only a few bytes sent: the gateway must answer 413 at once
    rather than wait for (and buffer) 50 MiB."""
    head = (b"POST /api/auth/signin HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\n\r\n" % (50 * 1024 * 1024))
    answer = _raw(system, head, b'{"email": "')
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert b'"payload_too_large"' in answer
    assert b"Connection: close" in answer


def test_bodies_of_unknown_length_and_nonsense_lengths_are_refused(system):
    chunked = _raw(system, b"POST /api/auth/signin HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n",
                   b"5\r\nhello\r\n0\r\n\r\n")
    assert chunked.startswith(b"HTTP/1.1 411"), chunked[:200]
    for length in (b"-1", b"abc", b"1e9"):
        answer = _raw(system, b"POST /api/auth/signin HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " + length
                      + b"\r\n\r\n")
        assert answer.startswith(b"HTTP/1.1 400"), (length, answer[:200])
        assert b"invalid literal" not in answer and b"Traceback" not in answer


def test_a_body_within_the_gateway_bound_but_over_the_apps_bound_is_still_refused_by_the_app(owner: Api):
    """The app's own JSON bound (256 KiB) stays, answered in the one error shape."""
    answer = owner.put("/settings/profile", data=b'{"name": "' + b"x" * (300 * 1024) + b'"}',
                       headers={"Content-Type": "application/json"})
    assert answer.status_code == 400 and answer.json()["error"]["code"] == "payload_too_large", answer.text[:200]
