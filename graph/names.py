"""Name keys for Japanese labels: width/kana folding, honorifics, readings, search and duplicates,
and names in romaji (「Satō」「Satoh」「Syoiti」, and the kana of 「Tanaka Yuki」)."""

from __future__ import annotations

import functools
import itertools
import re
import threading
import unicodedata
from collections.abc import Hashable, Iterable

__all__ = [
    "normalise_name",
    "reading",
    "name_keys",
    "matches",
    "likely_duplicates",
    "hepburn",
    "spellings",
    "kana_readings",
]

# Longest first, so that 「さま」 is tried before a shorter suffix could eat part of it.
_SUFFIXES = ("ちゃん", "さん", "さま", "くん", "様", "氏", "宅", "家", "君")

# Middle dots people type between given and family names (U+FF65 becomes U+30FB under NFKC).
_DOTS = {ord(c): None for c in "・·‧"}

# Katakana ァ..ヶ sit exactly 0x60 above hiragana ぁ..ゖ.
_KATA_TO_HIRA = {code: code - 0x60 for code in range(0x30A1, 0x30F7)}

# Name variants (異体字) that NFKC leaves alone and the dictionary may not know: without
# this 「髙橋さん」 and 「高橋さん」 would never meet. Only characters seen in names belong here.
_VARIANTS = str.maketrans(
    {"髙": "高", "﨑": "崎", "𠮷": "吉", "栁": "柳", "德": "徳", "槗": "橋", "靍": "鶴"}
)

_tagger = None
_tagger_lock = threading.Lock()
_UNAVAILABLE = object()


def _fold(text: str) -> str:
    """NFKC, lower-case, katakana to hiragana, no whitespace or middle dots; no suffix stripping."""
    text = unicodedata.normalize("NFKC", text).lower().translate(_VARIANTS)
    text = text.translate(_KATA_TO_HIRA).translate(_DOTS)
    return "".join(text.split())


@functools.lru_cache(maxsize=8192)
def normalise_name(text: str) -> str:
    """Return the key of ``text`` used to detect duplicates and to merge them.

    The text is NFKC-normalised (so half- and full-width forms agree), lower-cased, katakana is
    folded to hiragana, all whitespace (including the ideographic space U+3000) and middle dots
    are removed, and trailing honorifics and household suffixes (さん, 様/さま, 氏, 宅, 家,
    ちゃん, くん, 君) are stripped, repeatedly, but never down to an empty string.

    Parameters
    ----------
    text : str
        A label as a resident typed it.

    Returns
    -------
    str
        The normalised key; empty only when ``text`` has nothing but whitespace and dots.

    Examples
    --------
    >>> normalise_name("佐藤さん宅")
    '佐藤'
    >>> normalise_name("ｻﾄｳ") == normalise_name("サトウ") == normalise_name("さとう")
    True
    >>> normalise_name("田中・花子")
    '田中花子'
    >>> normalise_name("さん")
    'さん'

    Notes
    -----
    Runs in O(n) for a text of n characters. Stripping is a heuristic: a label that really ends
    in one of the suffixes (「農家」) loses it too, which only makes it a little easier to find.
    """
    key = _fold(text)
    stripped = True
    while stripped:
        stripped = False
        for suffix in _SUFFIXES:
            if key.endswith(suffix) and len(key) > len(suffix):
                key = key[: -len(suffix)]
                stripped = True
                break
    return key


def _converter():
    """The shared reader, loaded on the first reading; ``_UNAVAILABLE`` without one.

    MeCab (through fugashi, MIT and BSD) with the UniDic dictionary of ``unidic-lite`` (BSD):
    the dictionary is memory-mapped, so loading it takes tens of milliseconds and a few MB,
    and it reads more names than pykakasi did (bench/kana.py).
    """
    global _tagger
    if _tagger is None:
        with _tagger_lock:
            if _tagger is None:
                try:
                    import fugashi
                    import unidic_lite
                except ImportError:
                    _tagger = _UNAVAILABLE
                else:
                    from pathlib import Path

                    dicdir = Path(unidic_lite.DICDIR)
                    rc = dicdir / "mecabrc"
                    _tagger = fugashi.Tagger(f'-r "{rc}" -d "{dicdir}"')
    return _tagger


def _to_kana(tagger, text: str) -> str:
    """Katakana for ``text``: each word's dictionary reading, an unknown word as written."""
    with _tagger_lock:  # one MeCab tagger is not to be used by two threads at once
        words = [(w.surface, getattr(w.feature, "kana", None), w.is_unk) for w in tagger(text)]
    return "".join(
        kana if kana and kana != "*" and not unk else surface for surface, kana, unk in words
    )


@functools.lru_cache(maxsize=8192)
def reading(text: str) -> str:
    """Return the hiragana reading of ``text``, normalised like :func:`normalise_name`.

    Kanji are read with MeCab and the UniDic dictionary (``fugashi`` and ``unidic-lite``,
    shipped as packages, so this works offline). Without them the reading is
    :func:`normalise_name` of the text.

    Parameters
    ----------
    text : str
        A label as a resident typed it.

    Returns
    -------
    str
        The reading in hiragana; letters, digits and unreadable characters are kept as they are.

    Examples
    --------
    >>> reading("佐藤さん")
    'さとう'
    >>> reading("佐藤さん") == reading("サトウ") == reading("ｻﾄｳ様")
    True
    >>> reading("田中 花子")
    'たなかはなこ'

    Notes
    -----
    Suffixes are stripped from the written label before it is read, not from the reading, so
    that 「計算」 keeps its 「さん」. The first call loads the dictionary (tens of
    milliseconds, memory-mapped); later calls take tens of microseconds and are cached.
    """
    key = normalise_name(text)
    converter = _converter()
    if converter is _UNAVAILABLE:
        return key
    return _fold(_to_kana(converter, key))


def name_keys(text: str) -> frozenset[str]:
    """Return the keys under which ``text`` counts as the same name as another label.

    Parameters
    ----------
    text : str
        A label.

    Returns
    -------
    frozenset of str
        ``{normalise_name(text), reading(text)}`` without the empty string, so blank labels
        match nothing.

    Examples
    --------
    >>> sorted(name_keys("佐藤さん宅"))
    ['さとう', '佐藤']
    >>> name_keys("さとうさん")
    frozenset({'さとう'})
    >>> name_keys(" ")
    frozenset()
    """
    return frozenset(key for key in (normalise_name(text), reading(text)) if key)


def matches(query: str, text: str) -> bool:
    """Whether an active-search ``query`` finds the label ``text``.

    True when the normalised query is a substring of the normalised text or of its reading,
    so a query in かな, カナ, half-width ｶﾅ or 漢字 finds the label however it was written.

    Parameters
    ----------
    query : str
        What the user has typed so far.
    text : str
        A label to test.

    Returns
    -------
    bool
        True if the label should be offered. An empty query matches every label.

    Examples
    --------
    >>> matches("さと", "佐藤")
    True
    >>> matches("ｻﾄｳ", "佐藤さん")
    True
    >>> matches("田中", "田中 花子")
    True
    >>> matches("加藤", "佐藤")
    False

    Notes
    -----
    O(len(query) * len(text)) after the reading of ``text`` is cached.
    """
    needle = normalise_name(query)
    return needle in normalise_name(text) or needle in reading(text)


def likely_duplicates(label: str, candidates: Iterable[tuple[Hashable, str]]) -> list[Hashable]:
    """Return the ids of the candidates that probably name the same thing as ``label``.

    Parameters
    ----------
    label : str
        The new or selected label.
    candidates : iterable of (id, label) pairs
        The labels to compare with; the caller leaves out ``label``'s own id.

    Returns
    -------
    list
        The ids whose :func:`name_keys` share a key with ``label``'s, in the candidates' order.

    Examples
    --------
    >>> likely_duplicates("佐藤さん宅", [("n1", "さとうさん"), ("n2", "加藤"), ("n3", "サトウ")])
    ['n1', 'n3']

    Notes
    -----
    O(m) readings for m candidates, each cached. Names that sound alike but are written
    differently (「佐藤」 and 「佐東」) are flagged too: the facilitator decides.
    """
    keys = name_keys(label)
    return [node for node, other in candidates if keys & name_keys(other)]


# -- names in romaji ----------------------------------------------------------------------

_KANA_ROMAN = dict(
    zip(
        "あいうえおかきくけこさしすせそたちつてとなにぬねのはひふへほまみむめもやゆよらりるれろわをん"
        "がぎぐげござじずぜぞだぢづでどばびぶべぼぱぴぷぺぽ",
        "a i u e o ka ki ku ke ko sa shi su se so ta chi tsu te to na ni nu ne no ha hi fu he ho "
        "ma mi mu me mo ya yu yo ra ri ru re ro wa o n ga gi gu ge go za ji zu ze zo da ji zu de "
        "do ba bi bu be bo pa pi pu pe po".split(),
        strict=True,
    )
)
_SMALL = {"ゃ": "ya", "ゅ": "yu", "ょ": "yo"}
_SMALL_VOWELS = {"ぁ": "a", "ぃ": "i", "ぅ": "u", "ぇ": "e", "ぉ": "o"}


def hepburn(kana: str) -> str:
    """Hepburn romaji of hiragana (「しょういち」 → 「shouichi」); "" if it is not all kana.

    >>> hepburn("しょういち"), hepburn("さっぽろ"), hepburn("いちろー"), hepburn("abc")
    ('shouichi', 'sapporo', 'ichiroo', '')
    """
    out: list[str] = []
    double = False
    for ch in kana:
        if ch == "っ":
            double = True
            continue
        if ch in _SMALL and out and out[-1].endswith("i"):
            stem = out[-1][:-1]
            out[-1] = stem + (_SMALL[ch][1:] if stem in ("sh", "ch", "j") else _SMALL[ch])
            continue
        if ch in _SMALL_VOWELS and out:
            out[-1] = out[-1][:-1] + _SMALL_VOWELS[ch]  # ふぁ → fa, てぃ → ti
            continue
        if ch == "ー" and out:
            out.append(out[-1][-1])
            continue
        roman = _KANA_ROMAN.get(ch)
        if roman is None:
            return ""
        if double:
            roman = ("t" if roman.startswith("ch") else roman[0]) + roman
            double = False
        out.append(roman)
    return "".join(out)


_KUNREI = (
    ("sh", "sy"),
    ("ch", "ty"),
    ("tsu", "tu"),
    ("fu", "hu"),
    ("j", "zy"),
)


def spellings(kana: str) -> set[str]:
    """The ways a reading is spelt in romaji, at least 3 letters long.

    Hepburn with long vowels written out, dropped or as 「oh」, the 「m」 before b/m/p, and
    Kunrei-shiki (si, ti, tu, hu, zi, sy…):

    >>> sorted(spellings("さとう"))
    ['sato', 'satoh', 'satou']
    >>> {"saitoh", "syoiti", "homma"} <= spellings("さいとう") | spellings("しょういち") | spellings("ほんま")
    True
    """
    roman = hepburn(kana)
    if not roman:
        return set()
    forms = {roman}
    short = roman.replace("ou", "o").replace("oo", "o").replace("uu", "u")
    forms |= {short, short.replace("ei", "e")}
    forms |= {re.sub(r"o(u|o)", "oh", roman)}
    forms |= {re.sub(r"n(?=[bmp])", "m", f) for f in list(forms)}
    for f in list(forms):
        kunrei = f.replace("shi", "si").replace("chi", "ti").replace("ji", "zi")
        for a, b in _KUNREI:
            kunrei = kunrei.replace(a, b)
        forms.add(kunrei)
    return {f for f in forms if len(f) >= 3}


_ROMAN_KANA = {roman: kana for kana, roman in _KANA_ROMAN.items() if kana not in "をぢづ"}
_ROMAN_KANA.update(
    {
        "si": "し",
        "ti": "ち",
        "tu": "つ",
        "hu": "ふ",
        "zi": "じ",
        "di": "ぢ",
        "du": "づ",
        "wo": "を",
    }
)
for _kana, _roman in list(_KANA_ROMAN.items()):
    if _roman.endswith("i") and len(_roman) > 1 and _kana not in "ぢ":
        stem = _roman[:-1]
        for _small, _sr in _SMALL.items():
            spelt = stem + (_sr[1:] if stem in ("sh", "ch", "j") else _sr)
            _ROMAN_KANA.setdefault(spelt, _kana + _small)
_ROMAN_KANA.update({"sya": "しゃ", "syu": "しゅ", "syo": "しょ", "tya": "ちゃ", "tyu": "ちゅ"})
_ROMAN_KANA.update({"tyo": "ちょ", "zya": "じゃ", "zyu": "じゅ", "zyo": "じょ"})
_LONGEST = max(map(len, _ROMAN_KANA))


def _kana_of(roman: str) -> str:
    """Hiragana of one romaji word, or "" when it is not romaji (「tanaka」 → 「たなか」)."""
    out: list[str] = []
    i = 0
    while i < len(roman):
        ch = roman[i]
        if ch == "n" and (i + 1 == len(roman) or roman[i + 1] not in "aeiouy"):
            out.append("ん")
            i += 1
            continue
        if ch == "m" and i + 1 < len(roman) and roman[i + 1] in "bmp":
            out.append("ん")
            i += 1
            continue
        if (
            ch == "h"
            and out
            and out[-1][-1:] in "おこそとのほもよろごぞどぼぽ"
            and (i + 1 == len(roman) or roman[i + 1] not in "aeiouy")
        ):
            out.append("う")  # Satoh, Ohno
            i += 1
            continue
        if i + 1 < len(roman) and ch == roman[i + 1] and ch not in "aeioun":
            out.append("っ")
            i += 1
            continue
        if roman.startswith("tch", i):
            out.append("っ")
            i += 1
            continue
        for size in range(min(_LONGEST, len(roman) - i), 0, -1):
            kana = _ROMAN_KANA.get(roman[i : i + size])
            if kana:
                out.append(kana)
                i += size
                break
        else:
            return ""
    return "".join(out)


def kana_readings(word: str) -> set[str]:
    """The hiragana a name written in romaji may be read as, long vowels both ways.

    「Sato」 may be 「さと」 or 「さとう」, 「Yuko」 「ゆこ」 or 「ゆうこ」, …; "" forms and
    words that are not romaji give nothing.

    >>> sorted(kana_readings("Sato"))
    ['さと', 'さとう']
    >>> "さいとう" in kana_readings("Saitoh"), kana_readings("Smith")
    (True, set())
    """
    roman = word.lower()
    if not roman.isascii() or not roman.isalpha():
        return set()
    # Each 「o」 and 「u」 not already doubled may stand for a long vowel (at most 3 of them).
    spots = [m.start() for m in re.finditer(r"[ou](?![uoh])", roman)][:3]
    out = set()
    for choice in itertools.product((False, True), repeat=len(spots)):
        spelt = list(roman)
        for at, longer in zip(spots, choice, strict=True):
            if longer:
                spelt[at] += "u"
        kana = _kana_of("".join(spelt))
        if kana:
            out.add(kana)
    return out
