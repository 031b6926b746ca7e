"""Search keys: casefolded and transliterated, so a query in one script finds another."""

from __future__ import annotations

import pytest

from matchmaking.search_keys import company_search_key, matches, search_words, spellings

STEP = company_search_key("ТОО «Степь Агро Импорт»", "Алматы", "https://www.step-agro.kz")


@pytest.mark.parametrize(
    ("query", "found"),
    [
        pytest.param("Степь", True, id="cyrillic"),
        pytest.param("СТЕПЬ", True, id="cyrillic-upper-case"),
        pytest.param("STEP", True, id="latin"),
        pytest.param("Stepʹ", True, id="prime-as-soft-sign"),
        pytest.param("ＳＴＥＰ", True, id="full-width"),
        pytest.param("импорт almaty", True, id="words-across-fields-and-scripts"),
        pytest.param("www", False, id="website-without-www"),
        pytest.param("https", False, id="website-without-scheme"),
        pytest.param("Степь Export", False, id="every-word"),
    ],
)
def test_query_words_match_the_key(query: str, found: bool):
    assert matches(search_words(query), STEP) is found


def test_keys_and_words_hold_no_like_wildcards_or_punctuation():
    assert search_words("«Степь»  %_ 50%") == [("степь", "step"), ("50",)]
    assert not set("%_«»'") & set(company_search_key("«A_%'b»", "", ""))


def test_chinese_keeps_its_characters_and_gets_pinyin():
    key = company_search_key("重庆长安汽车", "重庆", "")
    assert matches(search_words("长安"), key) and matches(search_words("zhongqing"), key)


def test_chinese_is_read_by_phrase_too():
    """重 reads zhong alone (重量) but chong in 重庆: both spellings are kept, so the city's
    usual Latin name finds its Chinese companies and its Chinese name finds Latin ones."""
    key = company_search_key("重庆长安汽车", "", "")
    assert matches(search_words("chongqing"), key) and matches(search_words("changan"), key)
    assert matches(search_words("重庆"), company_search_key("Chongqing Machinery Co", "", ""))
    assert not matches(search_words("重庆"), company_search_key("Zhongshan Foods", "", ""))
    assert spellings("Степь") == ("степь", "step")  # no Chinese: no pinyin, nothing loaded


def test_sector_names_match_in_every_language_and_not_on_short_words() -> None:
    from matchmaking.search_keys import search_words
    from matchmaking.services.taxonomy import sector_names_matching

    def names(query: str) -> list[list[str]]:
        return [sector_names_matching(word) for word in search_words(query)]

    assert names("трактор") == names("拖拉机") == names("tuolaji") == [["Tractors"]]
    # The sub-sector, not every sub-sector of "Fertilisers and chemicals" (Удобрения и
    # химическая продукция), which the word begins too.
    assert names("Удобрения") == names("化肥") == [["Fertilisers"]]
    # Words begin with the query ("ural" is inside "agricultural"); Chinese is matched as
    # written (the pinyin of 车, "che", begins "chemicals"); short words name nothing.
    assert names("ural") == names("车") == names("x") == names("т") == [[]]


def test_russian_is_also_spelled_as_passports_spell_it() -> None:
    from matchmaking.search_keys import matches, search_key, search_words, spellings

    assert spellings("Байкал") == ("байкал", "baykal", "baikal")
    assert spellings("Степь") == ("степь", "step")  # no letter spelt otherwise
    # Either way round: a Latin name written the passport way and a Cyrillic query, and back.
    assert matches(search_words("Байкал"), search_key("Baikal Trading LLC"))
    assert matches(search_words("baikal"), search_key("ООО «Байкал»"))
    assert matches(search_words("Юг"), search_key("Iug Agro"))


def test_a_word_matches_at_the_start_of_a_word_and_chinese_anywhere() -> None:
    """ "Урал" (ural) was found inside "Agricultural": a word now begins a word of the key; a
    Chinese one is found anywhere (Chinese has no spaces), and so is its pinyin from any
    syllable on."""
    from matchmaking.search_keys import matches, search_key, search_words

    def finds(query: str, *fields: str) -> bool:
        return matches(search_words(query), search_key(*fields))

    assert not finds("Урал", "Agricultural Machinery Co")
    assert finds("Урал", "Ural Motors") and finds("ural", "ООО «Уралмаш»")
    assert finds("агро", "ТОО «Степь Агро»") and not finds("агро", "ТОО «Степьагро»")
    assert finds("трактор", "Колёсные тракторы")  # a word's start: its other forms too
    assert finds("长安", "重庆长安汽车") and finds("changan", "重庆长安汽车")
    assert finds("qiche", "重庆长安汽车") and finds("chongqing", "重庆长安汽车")
    assert not finds("hangan", "重庆长安汽车")  # not from inside a syllable
    assert finds("step agro", "Step-Agro LLP")  # every word, in any order and field
