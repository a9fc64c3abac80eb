import re

from shared.i18n import MESSAGES, message, pick_language


def test_every_message_exists_in_both_languages_with_the_same_placeholders():
    for key, entry in MESSAGES.items():
        assert set(entry) == {"en", "zh-CN"}, key
        assert set(re.findall(r"\{(\w+)\}", entry["en"])) == set(re.findall(r"\{(\w+)\}", entry["zh-CN"])), key


def test_language_follows_accept_language():
    assert pick_language("en-US,en;q=0.9") == "en"
    assert pick_language("zh-TW,zh;q=0.9") == "zh-CN"
    assert pick_language("fr-FR, en;q=0.5") == "en"
    assert pick_language(None) == "zh-CN"


def test_missing_parameters_stay_visible_instead_of_crashing():
    assert "{current}" in message("version_conflict", "en", expected=1)
