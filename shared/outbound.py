"""Outbound HTTP to URLs that shop staff type in (supplier webhooks today): https to a public host
only, so that nobody can aim ShopDesk at the cloud's metadata service, a loopback port or a
private network (SSRF).

- ``check_url`` when the URL is saved: https, no credentials, not an internal-looking name
  (``localhost``, ``*.local``, ``*.internal``, single labels ...), and every address the host
  resolves to now is public. A name that does not resolve yet is accepted; sending checks again.
- ``post`` when sending: the host is resolved once, every address checked, and the connection
  made to the checked address (TLS still verifies the certificate for the host name), so a DNS
  answer that changes between check and connect (DNS rebinding) cannot reach inside. No proxy,
  no redirects. Failures come back as a fixed code (``FAILURES``), never exception text.

"Public" is ``ipaddress``'s ``is_global`` minus multicast, with IPv4 addresses embedded in IPv6
(mapped, 6to4, Teredo, NAT64) judged as IPv4. Locally, the tests' receivers listen on 127.0.0.1:
``SHOPDESK_LOCAL_WEBHOOK_PORTS`` (comma-separated ports) lets http(s) reach exactly those
loopback ports. Only the local runtime's callers set it; the template never does (a contract
test holds that).
"""
from __future__ import annotations

import http.client
import ipaddress
import os
import socket
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

LOCAL_PORTS_ENV = "SHOPDESK_LOCAL_WEBHOOK_PORTS"
TIMEOUT_SECONDS = 5
MAX_ANSWER_BYTES = 64 * 1024
# Names that only mean something inside a network (RFC 6761/6762/8375 and cloud conventions).
INTERNAL_SUFFIXES = (".localhost", ".local", ".internal", ".intranet", ".lan", ".home.arpa", ".localdomain",
                     ".arpa")
INTERNAL_NAMES = ("localhost", "localhost.localdomain", "metadata", "instance-data")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")

Failure = Literal["invalid_url", "address_not_allowed", "unresolvable", "timeout", "connection_failed", "tls_failed"]
FAILURES: tuple[Failure, ...] = ("invalid_url", "address_not_allowed", "unresolvable", "timeout", "connection_failed",
                                 "tls_failed")


class Refused(Exception):
    """The URL may not be called; ``code`` is one of ``FAILURES``."""

    def __init__(self, code: Failure) -> None:
        super().__init__(code)
        self.code: Failure = code


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str  # as written (the TLS name and the Host header)
    port: int
    path: str  # path and query
    address: str  # the checked IP address to connect to


def _local_ports() -> frozenset[int]:
    raw = os.environ.get(LOCAL_PORTS_ENV, "")
    return frozenset(int(p) for p in raw.replace(" ", "").split(",") if p.isdigit())


def _embedded_v4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped:
        return ip.ipv4_mapped
    if ip.sixtofour:
        return ip.sixtofour
    if ip.teredo:
        return ip.teredo[1]
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def is_public(address: str) -> bool:
    """An address the internet can route to: not loopback, private (RFC 1918, ULA), link-local
    (the metadata services), shared (CGNAT), reserved, unspecified or multicast."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        inner = _embedded_v4(ip)
        if inner is not None and not is_public(str(inner)):
            return False
    return bool(ip.is_global and not ip.is_multicast)


def _allowed(address: str, port: int) -> bool:
    if is_public(address):
        return True
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    return ip.is_loopback and port in _local_ports()


def _parse(url: str) -> tuple[str, str, int, str]:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise Refused("invalid_url") from exc
    host = (parts.hostname or "").rstrip(".")
    if parts.scheme not in ("https", "http") or not host or parts.username or parts.password:
        raise Refused("invalid_url")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return parts.scheme, host, port or (443 if parts.scheme == "https" else 80), path


def _internal_name(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
        return False  # an address literal is judged by its address
    except ValueError:
        pass
    lowered = host.lower()
    return lowered in INTERNAL_NAMES or lowered.endswith(INTERNAL_SUFFIXES) or "." not in lowered


def _resolve(host: str, port: int) -> list[str]:
    # getaddrinfo also reads the odd IPv4 spellings (2130706433, 0x7f.1, 0177.0.0.1) as addresses.
    answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(a[4][0]) for a in answers))


def _numeric(host: str, port: int) -> list[str] | None:
    """The addresses of a host written as an address, in any spelling libc reads (2130706433,
    0x7f.1, 0177.0.0.1 are all 127.0.0.1), without DNS; None for a name."""
    try:
        answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_NUMERICHOST)
    except (socket.gaierror, UnicodeError):
        return None
    return [str(a[4][0]) for a in answers]


def _static_checks(url: str) -> tuple[str, str, int, str, list[str] | None]:
    """What can be judged without DNS; (scheme, host, port, path, addresses of a literal)."""
    scheme, host, port, path = _parse(url)
    numeric = _numeric(host, port)
    loopback_literal = bool(numeric) and all(ipaddress.ip_address(a.split("%", 1)[0]).is_loopback
                                             for a in numeric or [])
    if scheme != "https" and not (loopback_literal and port in _local_ports()):
        raise Refused("invalid_url")
    if numeric is not None and not all(_allowed(a, port) for a in numeric):
        raise Refused("address_not_allowed")
    if numeric is None and _internal_name(host):
        raise Refused("address_not_allowed")
    return scheme, host, port, path, numeric


def check_url(url: str) -> None:
    """At save time: raises ``Refused`` for a URL that may not be called (see the module doc)."""
    _, host, port, _, numeric = _static_checks(url)
    if numeric is not None:
        return
    try:
        addresses = _resolve(host, port)
    except (socket.gaierror, UnicodeError):
        return  # not resolvable from here (yet): checked again, after resolution, when sending
    if not all(_allowed(a, port) for a in addresses):
        raise Refused("address_not_allowed")


def resolve(url: str) -> Target:
    """At send time: the URL checked again, its host resolved once and every address checked;
    the connection goes to ``address``."""
    scheme, host, port, path, numeric = _static_checks(url)
    try:
        addresses = numeric or _resolve(host, port)
    except (socket.gaierror, UnicodeError) as exc:
        raise Refused("unresolvable") from exc
    if not addresses:
        raise Refused("unresolvable")
    if not all(_allowed(a, port) for a in addresses):
        raise Refused("address_not_allowed")
    return Target(scheme=scheme, host=host, port=port, path=path, address=addresses[0])


def _connection(target: Target) -> http.client.HTTPConnection:
    def to_checked_address(address: tuple[str, int], timeout: float | None = None,
                           source_address: tuple[str, int] | None = None) -> socket.socket:
        return socket.create_connection((target.address, address[1]), timeout, source_address)

    conn: http.client.HTTPConnection
    if target.scheme == "https":
        import ssl

        conn = http.client.HTTPSConnection(target.host, target.port, timeout=TIMEOUT_SECONDS,
                                           context=ssl.create_default_context())
    else:
        conn = http.client.HTTPConnection(target.host, target.port, timeout=TIMEOUT_SECONDS)
    # The TLS handshake (SNI, certificate check) and the Host header use the name; the TCP
    # connection goes to the address that was checked, never to a second DNS answer.
    conn._create_connection = to_checked_address  # type: ignore[attr-defined]
    return conn


def post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int | None, Failure | None]:
    """POST ``body``; (HTTP status, None) when the server answered, else (None, failure code)."""
    try:
        target = resolve(url)
    except Refused as exc:
        return None, exc.code
    conn = _connection(target)
    try:
        conn.request("POST", target.path, body=body, headers=headers)
        answer = conn.getresponse()
        answer.read(MAX_ANSWER_BYTES)
        return int(answer.status), None
    except TimeoutError:
        return None, "timeout"
    except OSError as exc:
        import ssl

        return None, "tls_failed" if isinstance(exc, ssl.SSLError) else "connection_failed"
    except (http.client.HTTPException, ValueError):
        return None, "connection_failed"
    finally:
        conn.close()
