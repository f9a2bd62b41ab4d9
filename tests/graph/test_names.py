"""Tests for graph.names: name keys, readings, active search and duplicate detection."""

import pytest

from graph import names
from graph.names import likely_duplicates, matches, name_keys, normalise_name, reading


@pytest.mark.parametrize(
    "text",
    [
        "佐藤",
        "佐藤さん",
        "佐藤さん宅",
        "佐藤 さん",
        "佐藤\u3000さん",
        "佐藤様",
        "佐藤さま",
        "佐藤氏",
        "佐藤家",
        "佐藤君",
        "佐藤くん",
        "佐藤ちゃん",
        " 佐藤さん ",
        "佐藤サン",
        "佐藤ｻﾝ",
    ],
)
def test_normalise_name_strips_spaces_and_suffixes(text):
    assert normalise_name(text) == "佐藤"


@pytest.mark.parametrize("text", ["サトウ", "さとう", "ｻﾄｳ", "さとうさん", "サトウ様", "ｻﾄｳ ｻﾝ"])
def test_normalise_name_folds_width_and_kana(text):
    assert normalise_name(text) == "さとう"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("田中・花子", "田中花子"),
        ("田中･花子", "田中花子"),
        ("ＡＢＣ Ｃａｆé", "abccafé"),
        ("くりの木サロン", "くりの木さろん"),
        ("ヴィラ", "ゔぃら"),
        ("髙橋さん", "高橋"),
        ("山﨑", "山崎"),
    ],
)
def test_normalise_name_other_folds(text, expected):
    assert normalise_name(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("さん", "さん"),
        ("様", "様"),
        ("さんさん", "さん"),
        ("家宅", "家"),
        ("", ""),
        ("　・ ", ""),
    ],
)
def test_normalise_name_never_strips_to_empty(text, expected):
    assert normalise_name(text) == expected


@pytest.mark.parametrize(
    "text", ["佐藤", "佐藤さん", "佐藤さん宅", "さとう", "サトウ", "ｻﾄｳ", "さとう様", "佐藤 様"]
)
def test_reading_of_variants_is_the_same(text):
    assert reading(text) == "さとう"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("田中 花子", "たなかはなこ"),
        ("福祉会館", "ふくしかいかん"),
        ("くりの木サロン", "くりのきさろん"),
        ("髙橋さん", "たかはし"),
        # Variants (異体字) read as their common forms; an unknown word is kept as written,
        # so the reading keeps every character.
        ("山﨑", "やまざき"),
        ("𠮷田", "よしだ"),
        ("A田", "aでん"),
        ("あ\U0001f600い", "あ\U0001f600い"),
        ("", ""),
    ],
)
def test_reading(text, expected):
    assert reading(text) == expected


def test_reading_keeps_san_that_belongs_to_the_word():
    assert reading("計算") == "けいさん"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("佐藤 正雄", "さとうまさお"), ("渡辺勇", "わたなべいさむ"), ("茶志内", "ちゃしない")],
)
def test_reading_of_full_names(text, expected):
    assert reading(text) == expected


def test_reading_without_a_dictionary_falls_back_to_normalise_name(monkeypatch):
    monkeypatch.setattr(names, "_tagger", names._UNAVAILABLE)
    reading.cache_clear()
    try:
        assert reading("佐藤さん") == "佐藤"
        assert reading("サトウ") == "さとう"
    finally:
        reading.cache_clear()


def test_name_keys():
    assert name_keys("佐藤さん宅") == {"佐藤", "さとう"}
    assert name_keys("サトウ") == {"さとう"}
    assert name_keys("") == frozenset()


@pytest.mark.parametrize(
    ("query", "text"),
    [
        ("さと", "佐藤"),
        ("サト", "佐藤"),
        ("ｻﾄｳ", "佐藤さん"),
        ("佐藤", "佐藤さん宅"),
        ("佐藤さん", "佐藤"),
        ("田中", "田中 花子"),
        ("はなこ", "田中 花子"),
        ("田中花子", "田中　花子"),
        ("ＳＡＬ", "Salon くりの木"),
        ("くりのき", "くりの木サロン"),
        ("佐藤", "佐藤木"),
        ("", "佐藤"),
    ],
)
def test_matches(query, text):
    assert matches(query, text)


@pytest.mark.parametrize(
    ("query", "text"),
    [
        ("加藤", "佐藤"),
        ("かと", "佐藤"),
        ("佐藤", "加藤さん"),
        ("鈴木", "田中 花子"),
        ("さとうき", "佐藤"),
    ],
)
def test_matches_negatives(query, text):
    assert not matches(query, text)


@pytest.mark.parametrize(
    "other", ["佐藤", "佐藤さん宅", "佐藤 さん", "佐藤様", "さとうさん", "サトウ", "ｻﾄｳ", "さとう"]
)
def test_likely_duplicates_finds_variants(other):
    assert likely_duplicates("佐藤さん", [("n1", other)]) == ["n1"]


@pytest.mark.parametrize("other", ["加藤", "佐藤木", "佐々木", "さとうき", "", "斎藤"])
def test_likely_duplicates_negatives(other):
    assert likely_duplicates("佐藤さん", [("n1", other)]) == []


def test_likely_duplicates_keeps_candidate_order_and_any_id():
    candidates = [(3, "サトウ"), (1, "加藤"), ((2, "x"), "佐藤家"), (0, "さとう")]
    assert likely_duplicates("佐藤", candidates) == [3, (2, "x"), 0]


def test_likely_duplicates_of_blank_label_is_empty():
    assert likely_duplicates("  ", [("n1", ""), ("n2", "　")]) == []


def test_itaiji_variants_are_duplicates():
    assert likely_duplicates("高橋さん", [("n1", "髙橋"), ("n2", "たかはし")]) == ["n1", "n2"]
