"""Per-address limits (sign-in, reset codes) count the viewer, not CloudFront's edge server."""
from __future__ import annotations

import pytest

from infra.stack import load_raw_template
from shared import config
from shared.http.app import client_address

CONTEXT = {"identity": {"sourceIp": "130.176.9.1"}}  # a CloudFront edge, shared by many viewers


@pytest.fixture
def viewer_header(monkeypatch):
    def set_to(value: str | None) -> None:
        if value is None:
            monkeypatch.delenv("VIEWER_IP_HEADER", raising=False)
        else:
            monkeypatch.setenv("VIEWER_IP_HEADER", value)
        config.reset()

    yield set_to
    config.reset()


def test_behind_a_verified_cloudfront_the_viewer_address_counts(viewer_header):
    viewer_header("x-viewer-ip")
    assert client_address(CONTEXT, {"x-viewer-ip": "203.0.113.7"}) == "203.0.113.7"
    # A request without the header (never the case behind the distribution) falls back.
    assert client_address(CONTEXT, {}) == "130.176.9.1"


def test_without_origin_verification_a_sent_header_is_ignored(viewer_header):
    for unset in (None, ""):
        viewer_header(unset)
        assert client_address(CONTEXT, {"x-viewer-ip": "203.0.113.7"}) == "130.176.9.1"
    assert client_address({}, {}) is None


def test_the_template_trusts_the_header_only_when_the_waf_refuses_bypassing_requests():
    template = load_raw_template()
    value = template["Globals"]["Function"]["Environment"]["Variables"]["VIEWER_IP_HEADER"]
    assert value == {"Fn::If": ["VerifiesOrigin", "x-viewer-ip", ""]}
    assert template["Conditions"]["VerifiesOrigin"] == {"Fn::Not": [{"Fn::Equals": [{"Ref": "OriginVerifySecret"}, ""]}]}
