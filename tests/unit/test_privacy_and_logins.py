import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.identity.logins import normalize, temporary_password
from shared.privacy import mask, mask_email, mask_phone


def test_phones_keep_the_first_three_and_last_four_digits():
    assert mask_phone("13812341234") == "138****1234"
    assert mask_phone("010-12345678") == "010-****5678"


@given(st.from_regex(r"1[3-9]\d{9}", fullmatch=True))
def test_a_masked_mobile_never_shows_the_middle_digits(phone):
    masked = mask_phone(phone)
    assert masked[:3] == phone[:3] and masked[-4:] == phone[-4:] and masked[3:7] == "****"


def test_emails_keep_the_first_letter_and_the_domain():
    assert mask_email("wang.fang@example.com") == "w***@example.com"


def test_masking_walks_nested_records_by_key_name():
    record = {"name": "王芳", "contact_phone": "13800138000", "actor": {"email": "a@b.cn"},
              "items": [{"address": "浙江省杭州市余杭区文一西路 998 号"}], "login": "+8613900001111"}
    out = mask(record)
    assert out["name"] == "王芳" and out["contact_phone"] == "138****8000"
    assert out["actor"]["email"] == "a***@b.cn" and out["items"][0]["address"].endswith("****")
    assert out["login"] == "+86139****1111"
    assert record["contact_phone"] == "13800138000"  # the original is untouched


@pytest.mark.parametrize(("raw", "login"), [
    ("Boss@Example.COM", "boss@example.com"), ("13800138000", "+8613800138000"),
    ("+86 138 0013 8000", "+8613800138000"), ("86-13800138000", "+8613800138000"),
])
def test_logins_are_normalised(raw, login):
    assert normalize(raw) == login


@pytest.mark.parametrize("raw", ["12345", "not-an-email", "23800138000", "a@b"])
def test_anything_else_is_not_a_login(raw):
    assert normalize(raw) is None


def test_temporary_passwords_meet_the_pool_policy_and_differ():
    passwords = {temporary_password() for _ in range(50)}
    assert len(passwords) == 50
    for p in passwords:
        assert len(p) >= 12 and any(c.isupper() for c in p) and any(c.islower() for c in p) and any(c.isdigit() for c in p)


def test_names_accounts_ips_and_who_columns_are_masked_too():
    from shared.privacy import mask

    out = mask({"contact_name": "钱晓燕", "account_number": "6222 0212 0200 4455 667", "source_ip": "203.0.113.9",
                "invited_by": "boss@shop.cn", "created_by": "usr_123", "opened_by": "+8613800138000",
                "extra_phones": ["+8613633334444"], "bank_name": "中国工商银行"})
    assert out == {"contact_name": "钱**", "account_number": "**** 5667", "source_ip": "203.0.*.*",
                   "invited_by": "b***@shop.cn", "created_by": "usr_123", "opened_by": "+86138****8000",
                   "extra_phones": ["+86136****4444"], "bank_name": "中国工商银行"}
    assert mask(out) == out  # masking twice changes nothing


def test_a_masked_value_sent_back_is_replaced_by_the_stored_one():
    from shared.privacy import MaskedValueChanged, mask, restore_masked

    stored = {"contact_phone": "13711112222", "address": "浙江省杭州市西湖区天目山路 181 号", "name": "店",
              "topics": {"x": {"extra_emails": ["a@b.cn", "c@d.cn"]}}}
    shown = mask(stored)
    assert restore_masked(stored, shown) == stored
    edited = {**shown, "name": "新店", "topics": {"x": {"extra_emails": ["c***@d.cn", "new@e.cn"]}}}
    assert restore_masked(stored, edited) == {**stored, "name": "新店", "topics": {"x": {"extra_emails": ["c@d.cn", "new@e.cn"]}}}
    with pytest.raises(MaskedValueChanged) as refused:
        restore_masked(stored, {**shown, "contact_phone": "139****0000"})
    assert refused.value.field == "contact_phone"
    with pytest.raises(MaskedValueChanged):
        restore_masked({}, {"phone": "138****8000"})  # nothing stored to restore: a masked value is not data


def test_logs_lose_e_mails_and_mobile_numbers_even_in_exception_texts():
    import logging

    from shared.privacy import RedactingFormatter, redact_text

    assert redact_text("sent to boss@shop.cn and +8613800138000 (13911112222), order 202612070001") == \
        "sent to b***@shop.cn and +86138****8000 (139****2222), order 202612070001"
    try:
        raise ValueError("login taken: wang@shop.cn")
    except ValueError:
        record = logging.LogRecord("t", logging.ERROR, __file__, 1, "invite of %s failed", ("13800138000",),
                                   exc_info=__import__("sys").exc_info())
    line = RedactingFormatter("%(message)s").format(record)
    assert "13800138000" not in line and "wang@shop.cn" not in line and "w***@shop.cn" in line


def test_cost_fields_are_nulled_wherever_they_are():
    from shared.privacy import without_costs

    po = {"total": {"amount": 1, "currency": "CNY"}, "lines": [{"qty": 2, "unit_cost": 5, "line_total": {"amount": 1}}],
          "receipts": [{"lines": [{"avg_cost_after": 3, "unit_cost": 3}]}]}
    assert without_costs(po) == {"total": None, "lines": [{"qty": 2, "unit_cost": None, "line_total": None}],
                                 "receipts": [{"lines": [{"avg_cost_after": None, "unit_cost": None}]}]}
