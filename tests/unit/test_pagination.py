import pytest

from shared.errors import BadRequest
from shared.pagination import decode_cursor, encode_cursor

KEY = {"pk": {"S": "SHOP#a"}, "sk": {"S": "AUDIT#01"}}


def test_cursor_round_trips_within_its_scope():
    assert decode_cursor(encode_cursor(KEY, "a:all"), "a:all") == KEY


def test_no_more_pages_has_no_cursor():
    assert encode_cursor(None, "a:all") is None


@pytest.mark.parametrize("cursor", ["garbage", "", "a" * 40])
def test_forged_or_broken_cursors_are_refused(cursor):
    if not cursor:
        assert decode_cursor(cursor, "a:all") is None
        return
    with pytest.raises(BadRequest) as err:
        decode_cursor(cursor, "a:all")
    assert err.value.code == "invalid_cursor"


def test_a_cursor_of_another_shop_is_refused():
    with pytest.raises(BadRequest):
        decode_cursor(encode_cursor(KEY, "a:all"), "b:all")


def test_a_tampered_cursor_is_refused():
    import base64

    raw = base64.urlsafe_b64decode(encode_cursor(KEY, "a:all") + "==")
    forged = base64.urlsafe_b64encode(raw.replace(b"SHOP#a", b"SHOP#b")).decode().rstrip("=")
    with pytest.raises(BadRequest):
        decode_cursor(forged, "a:all")
