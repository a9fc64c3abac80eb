"""Outbound supplier webhooks cannot be aimed inside (issue 9, point 8): a shop admin who can
save a supplier's webhook URL must not be able to make ShopDesk POST to the cloud's metadata
service, a loopback port or a private network. Checked when the URL is saved (422, nothing
stored) and again when a PO is sent, after DNS resolution (a URL stored before the check, or a
name that now resolves inside, is refused; the supplier's system is never called). What the
user sees about a failed delivery is a fixed code, never an exception text or an address."""
from __future__ import annotations

import uuid

import pytest

from tests.integration.conftest import Api, eventually
from tests.integration.inventory import product
from tests.integration.receiver import Receiver
from tests.integration.test_purchasing import po, submitted, supplier

INSIDE = [
    "https://127.0.0.1/hooks",
    "https://127.1.2.3:8443/hooks",
    "https://localhost/hooks",
    "https://shop.localhost/hooks",
    "https://[::1]/hooks",
    "https://0.0.0.0/hooks",
    "https://[::]/hooks",
    "https://10.0.0.5/hooks",
    "https://172.16.3.4/hooks",
    "https://192.168.1.1/hooks",
    "https://100.64.0.1/hooks",  # carrier-grade NAT
    "https://169.254.169.254/latest/meta-data/iam/security-credentials/",  # EC2 metadata
    "https://[fd00:ec2::254]/latest/meta-data/",  # EC2 metadata over IPv6 (ULA)
    "https://[fe80::1]/hooks",  # link-local
    "https://[::ffff:127.0.0.1]/hooks",  # IPv4-mapped loopback
    "https://[::ffff:169.254.169.254]/hooks",
    "https://224.0.0.1/hooks",  # multicast
    "https://[ff02::1]/hooks",
    "https://2130706433/hooks",  # 127.0.0.1 written as one number
    "https://0x7f.0.0.1/hooks",  # ... in hex
    "https://017700000001/hooks",  # ... in octal
    "https://metadata.google.internal/computeMetadata/v1/",
    "https://printer/hooks",  # a single-label (intranet) name
    "https://nas.local/hooks",
    "http://erp.silk.example/hooks",  # a public name, but not https
]


@pytest.mark.parametrize("url", INSIDE)
def test_a_webhook_url_inside_is_refused_when_saved(owner: Api, url: str):
    created = owner.post("/suppliers", json={"name": f"供应商 {uuid.uuid4().hex[:4]}", "webhook_url": url})
    assert created.status_code == 422, (url, created.status_code, created.text)
    assert created.json()["error"]["details"]["field"] == "webhook_url"
    assert owner.get("/suppliers").json()["items"] == []  # nothing stored


def test_updating_to_an_inside_url_is_refused_and_changes_nothing(owner: Api):
    sup = supplier(owner, webhook_url="https://erp.silk.example/hooks")
    body = {k: sup[k] for k in ("name", "contact", "phone", "email", "address", "lead_time_days", "payment_terms",
                                "notes", "active")}
    answer = owner.put(f"/suppliers/{sup['id']}", json={**body, "webhook_url": "https://169.254.169.254/latest/",
                                                        "version": sup["version"]})
    assert answer.status_code == 422 and answer.json()["error"]["details"]["field"] == "webhook_url", answer.text
    after = owner.get(f"/suppliers/{sup['id']}").json()
    assert after["webhook_url"] == "https://erp.silk.example/hooks" and after["version"] == sup["version"]


def test_a_loopback_receiver_is_reachable_only_on_a_port_the_local_run_allows(owner: Api):
    allowed, other = Receiver(200), Receiver(200, allowed=False)
    try:
        assert supplier(owner, webhook_url=allowed.url)["webhook_url"] == allowed.url
        refused = owner.post("/suppliers", json={"name": "本机", "webhook_url": other.url})
        assert refused.status_code == 422, refused.text
        assert refused.json()["error"]["details"]["field"] == "webhook_url"
    finally:
        allowed.close()
        other.close()


def _stored_before_the_check(shop_id: str, supplier_id: str, url: str) -> None:
    """A supplier saved before URLs were checked: its URL is written as it was then."""
    from shared.purchasing.suppliers import load
    from shared.purchasing.tables import SupplierRecord

    record = load(shop_id, supplier_id)
    assert record is not None
    record.update([SupplierRecord.webhook_url.set(url)])


def test_an_inside_url_already_stored_is_refused_at_send_time_and_never_called(owner: Api):
    inside = Receiver(200, allowed=False)  # a service listening on this machine
    try:
        prd = product(owner)
        for url, code in ((inside.url, "invalid_url"), (inside.url.replace("http:", "https:"), "address_not_allowed"),
                          ("http://169.254.169.254/latest/meta-data/", "invalid_url"),
                          ("https://169.254.169.254/latest/meta-data/", "address_not_allowed"),
                          ("https://10.1.2.3/hooks", "address_not_allowed")):
            sup = supplier(owner, webhook_url="https://erp.silk.example/hooks")
            _stored_before_the_check(owner.shop_id, sup["id"], url)
            order = submitted(owner, sup["id"], prd, [(0, 1, 100)])
            state = eventually(lambda o=order: po(owner, o["id"])["webhook"]["attempts"] >= 1
                               and po(owner, o["id"])["webhook"], timeout=40)
            assert state["status"] in ("retrying", "failed") and state["last_status_code"] is None, state
            assert state["last_error"] == code, (url, state)
        assert inside.calls == [], "ShopDesk called a service inside"
    finally:
        inside.close()


def test_delivery_errors_the_user_sees_are_fixed_codes_not_exception_text(owner: Api):
    nobody = Receiver(200)
    url = nobody.url
    nobody.close()  # an allowed port where nothing listens any more: the connection is refused
    prd = product(owner)
    sup = supplier(owner, webhook_url=url)
    order = submitted(owner, sup["id"], prd, [(0, 1, 100)])
    state = eventually(lambda: po(owner, order["id"])["webhook"]["attempts"] >= 1 and po(owner, order["id"])["webhook"],
                       timeout=40)
    assert state["last_error"] == "connection_failed", state
    timeline = [e for e in po(owner, order["id"])["timeline"] if e["entry"] == "webhook_delivery"]
    assert timeline and all("Errno" not in str(e) and "refused" not in str(e).lower() for e in timeline), timeline
