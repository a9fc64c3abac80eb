"""The settings rules a merchant meets when editing (pure validation, no I/O)."""
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from shared.settings.models import BusinessHours, DayHours, DeliveryRegions, PaymentMethods, ShopProfile
from shared.settings.regions import PROVINCE_CODES, PROVINCES


def errors(fn):
    with pytest.raises(ValidationError) as err:
        fn()
    return {(".".join(map(str, e["loc"])), e["type"]) for e in err.value.errors()}


def test_there_are_34_province_level_divisions_with_unique_codes():
    assert len(PROVINCES) == 34 == len(PROVINCE_CODES)


@pytest.mark.parametrize("phone", ["13800138000", "010-12345678", "0571-88888888", "400-800-8888"])
def test_mobile_landline_and_400_numbers_are_accepted(phone):
    assert ShopProfile(name="x", contact_phone=phone).contact_phone == phone


@pytest.mark.parametrize("phone", ["12345", "23800138000", "138001380001", "abc"])
def test_bad_phone_numbers_are_refused(phone):
    assert ("contact_phone", "phone") in errors(lambda: ShopProfile(name="x", contact_phone=phone))


def test_unknown_time_zone_and_currency_are_refused():
    found = errors(lambda: ShopProfile(name="x", time_zone="Mars/Olympus", currency="XXX"))
    assert ("time_zone", "time_zone") in found
    assert ("currency", "literal_error") in found


def test_an_enabled_payment_method_needs_its_merchant_id():
    found = errors(lambda: PaymentMethods.model_validate({"methods": [{"code": "alipay", "enabled": True}]}))
    assert ("methods.0.alipay", "method_settings_required") in found


def test_merchant_ids_follow_each_providers_format():
    found = errors(lambda: PaymentMethods.model_validate(
        {"methods": [{"code": "wechat_pay", "settings": {"merchant_id": "2088123"}}]}))
    assert ("methods.0.wechat_pay.settings.merchant_id", "merchant_id") in found


def test_a_method_listed_twice_is_refused():
    assert ("methods", "duplicate") in errors(
        lambda: PaymentMethods.model_validate({"methods": [{"code": "alipay"}, {"code": "alipay"}]}))


def test_completed_lists_all_five_methods_keeping_the_given_ones():
    done = PaymentMethods.model_validate({"methods": [{"code": "cash_on_delivery", "enabled": True}]}).completed()
    assert [m.code for m in done.methods] == ["alipay", "wechat_pay", "stripe", "unionpay", "bank_transfer", "cash_on_delivery"]
    assert done.methods[-1].enabled and not done.methods[0].enabled


def test_unknown_province_is_named_in_the_error():
    with pytest.raises(ValidationError) as err:
        DeliveryRegions(provinces=["110000", "999999"])
    assert err.value.errors()[0]["ctx"]["code"] == "999999"


@given(st.lists(st.sampled_from(sorted(PROVINCE_CODES)), unique=True))
def test_any_set_of_known_provinces_is_accepted_and_sorted(codes):
    assert DeliveryRegions(provinces=codes).provinces == sorted(codes)


def test_closing_before_opening_is_refused_unless_closed():
    assert ("close_before_open" in {t for _, t in errors(lambda: DayHours(weekday=1, open="18:00", close="09:00"))})
    assert DayHours(weekday=1, open="18:00", close="09:00", closed=True).closed


def test_a_week_must_name_each_day_once():
    week = [DayHours(weekday=1)] * 7
    assert ("weekly", "weekdays") in errors(lambda: BusinessHours(weekly=week))


def test_closed_days_are_unique_and_sorted():
    hours = BusinessHours(closed_days=[{"date": "2027-02-07"}, {"date": "2027-02-06"}])
    assert [d.date.isoformat() for d in hours.closed_days] == ["2027-02-06", "2027-02-07"]
    assert ("closed_days", "duplicate") in errors(
        lambda: BusinessHours(closed_days=[{"date": "2027-02-07"}, {"date": "2027-02-07"}]))
