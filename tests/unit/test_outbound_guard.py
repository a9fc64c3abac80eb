"""``shared.outbound`` against DNS rebinding and without the local allowance (issue 9, point 8).

Only DNS is played here (``socket.getaddrinfo`` answers a name the way a hostile name server
would); the connection is real, to a listener on 127.0.0.1 that counts who connects."""
from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest

from shared import outbound

REAL_GETADDRINFO = socket.getaddrinfo


class Listener:
    """A TCP listener on 127.0.0.1 that accepts and closes, counting connections."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted += 1
            conn.close()

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    lis = Listener()
    yield lis
    lis.close()


def hostile_dns(monkeypatch: pytest.MonkeyPatch, name: str, answers: list[list[str]]) -> list[str]:
    """``name`` resolves to answers[0] on the first query, answers[1] on the next, ..."""
    asked: list[str] = []

    def getaddrinfo(host, port, *args, **kwargs):
        if host != name:
            return REAL_GETADDRINFO(host, port, *args, **kwargs)
        asked.append(host)
        addresses = answers[min(len(asked), len(answers)) - 1]
        return [(socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
                for a in addresses]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return asked


def test_a_name_that_rebinds_after_the_check_is_connected_at_the_address_checked(monkeypatch, listener):
    """First answer 127.0.0.1 (allowed here for this port), every later one 10.255.255.1: the
    connection must go to the address that was checked, so the listener sees it."""
    monkeypatch.setenv(outbound.LOCAL_PORTS_ENV, str(listener.port))
    asked = hostile_dns(monkeypatch, "supplier.example", [["127.0.0.1"], ["10.255.255.1"]])
    code, failure = outbound.post(f"https://supplier.example:{listener.port}/po", b"{}", {})
    assert listener.accepted == 1 and len(asked) == 1, (listener.accepted, asked)
    # The listener speaks no TLS and hangs up (a failed handshake or a reset): but it was reached.
    assert code is None and failure in ("tls_failed", "connection_failed")


def test_a_name_resolving_inside_is_refused_at_send_and_nothing_connects(monkeypatch, listener):
    monkeypatch.setenv(outbound.LOCAL_PORTS_ENV, str(listener.port))
    for answers in (["10.0.0.7"], ["169.254.169.254"], ["93.184.216.34", "192.168.0.2"], ["fd00:ec2::254"]):
        hostile_dns(monkeypatch, "supplier.example", [answers])
        assert outbound.post(f"https://supplier.example:{listener.port}/po", b"{}", {}) == \
            (None, "address_not_allowed"), answers
        with pytest.raises(outbound.Refused):
            outbound.check_url(f"https://supplier.example:{listener.port}/po")
    assert listener.accepted == 0


def test_without_the_local_allowance_the_same_loopback_url_is_refused(monkeypatch, listener):
    url = f"http://127.0.0.1:{listener.port}/po"
    monkeypatch.setenv(outbound.LOCAL_PORTS_ENV, str(listener.port))
    outbound.check_url(url)  # allowed while the local run lists the port
    monkeypatch.delenv(outbound.LOCAL_PORTS_ENV)
    with pytest.raises(outbound.Refused):
        outbound.check_url(url)
    assert outbound.post(url, b"{}", {}) == (None, "invalid_url")
    assert outbound.post(url.replace("http:", "https:"), b"{}", {}) == (None, "address_not_allowed")
    monkeypatch.setenv(outbound.LOCAL_PORTS_ENV, str(listener.port + 1 if listener.port < 65535 else 1))
    assert outbound.post(url.replace("http:", "https:"), b"{}", {}) == (None, "address_not_allowed")
    assert listener.accepted == 0


@pytest.mark.parametrize("address", ["127.0.0.1", "10.1.1.1", "172.31.255.255", "192.168.10.10", "169.254.169.254",
                                     "100.100.100.200", "0.0.0.0", "255.255.255.255", "224.0.0.251", "::1", "::",
                                     "fe80::1", "fc00::1", "fd00:ec2::254", "ff02::1", "::ffff:10.0.0.1",
                                     "2002:a9fe:a9fe::", "64:ff9b::7f00:1", "2001:0:4136:e378:8000:63bf:3fff:fdd2"])
def test_inside_addresses_are_not_public(address):
    assert not outbound.is_public(address)


@pytest.mark.parametrize("address", ["93.184.216.34", "1.1.1.1", "2606:4700:4700::1111", "2002:5db8:d822::"])
def test_public_addresses_are(address):
    assert outbound.is_public(address)
