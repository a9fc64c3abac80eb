"""check_notice: a genuine notice for the wrong amount, currency, merchant or app changes nothing."""
import pytest

from shared.payments import NoticeMismatch, PaymentNotice, check_notice
from tests.unit.payments_keys import credentials, sandbox


def notice(provider="alipay", **over):
    ids = {"alipay": (sandbox()["alipay"]["seller_id"], sandbox()["alipay"]["app_id"]),
           "wechat_pay": (sandbox()["wechat_pay"]["mchid"], sandbox()["wechat_pay"]["appid"]), "stripe": (None, None)}[provider]
    base = {"provider": provider, "event_id": "e1", "event_type": "x", "out_trade_no": "SD1", "provider_trade_no": "T1",
            "status": "paid", "amount_fen": 12900, "currency": "CNY", "merchant_id": ids[0], "app_id": ids[1], "raw": {}}
    return PaymentNotice(**{**base, **over})


@pytest.mark.parametrize("provider", ["alipay", "wechat_pay", "stripe"])
def test_the_expected_notice_passes(provider):
    check_notice(notice(provider), 12900, credentials(provider))


@pytest.mark.parametrize(("provider", "over", "field"), [
    ("alipay", {"amount_fen": 12899}, "amount"),
    ("alipay", {"merchant_id": "2088000000000000"}, "merchant_id"),
    ("alipay", {"merchant_id": None}, "merchant_id"),
    ("alipay", {"app_id": "2021000000000000"}, "app_id"),
    ("wechat_pay", {"app_id": None}, "app_id"),
    ("wechat_pay", {"currency": "USD"}, "currency"),
    ("stripe", {"amount_fen": None}, "amount"),
    ("stripe", {"status": "partially_refunded", "refunded_total_fen": 13000}, "refunded_total"),
])
def test_a_mismatch_names_the_field(provider, over, field):
    with pytest.raises(NoticeMismatch) as raised:
        check_notice(notice(provider, **over), 12900, credentials(provider))
    assert field in [p["field"] for p in raised.value.problems]


def test_credentials_of_another_provider_do_not_match():
    with pytest.raises(NoticeMismatch):
        check_notice(notice("alipay"), 12900, credentials("wechat_pay"))
