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
