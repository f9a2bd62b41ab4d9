"""Finding residents' names in free text, in any script, and taking them out."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

import networkx as nx

from . import names as _names

__all__ = ["NameFinder", "name_words", "looks_private"]

# Honorifics and household words that follow a name (longest first).
_AFTER_NAME = (
    "のおたく",
    "のお宅",
    "のいえ",
    "の家",
    "ちゃん",
    "さんち",
    "さま",
    "さん",
    "くん",
    "たく",
    "殿",
    "様",
    "氏",
    "君",
    "宅",
    "家",
    "方",
    "邸",
)
# Where something is relative to a home: 「佐藤さん宅前の」「加藤さんの隣の」.
_PLACE_WORDS = (
    "の向かい",
    "向かい",
    "の近く",
    "近く",
    "のそば",
    "そば",
    "の隣",
    "となり",
    "隣",
    "の前",
    "まえ",
    "前",
    "の横",
    "横",
    "の裏",
    "裏",
    "の脇",
    "脇",
    "付近",
    "周辺",
    "の奥",
    "奥",
    "側",
)
_JOINERS = ("の", "が", "と", "や", "・", " ")
# An honorific after something that reads as a name, even a name the map does not hold.
_HONORIFIC = re.compile(r"(さんち|ちゃん|さま|さん|くん|様|氏|君|殿|宅)")
_NOT_AFTER = {"様": "子々式相態", "氏": "神子", "宅": "配地急建", "さま": "ざ", "君": "が"}
_NOT_BEFORE_HOUSE = set("住自在帰社別舎拙")
_KANA_PARTICLES = set("のがとにはをでへもや")
# A district that says something private rather than where.
_PRIVATE = re.compile(
    r"さん|様|さま|氏|宅|くん|君|ちゃん|一人|独居|ひとり|暮らし|歳|才|認知|病|障|要介護|施設|入院"
)


def _fold_char(ch: str) -> str:
    text = unicodedata.normalize("NFKC", ch).lower()
    if text.isascii() is False and unicodedata.normalize("NFD", text)[0].isascii():
        text = unicodedata.normalize("NFD", text)[0]  # 「Katō」 reads as 「kato」
    return text.translate(_names._KATA_TO_HIRA).translate(_names._VARIANTS)


def _is_kanji(ch: str) -> bool:
    return (
        "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" or ch in "々〆" or ch > "\uffff"
    )


def _is_hira(ch: str) -> bool:
    return "\u3041" <= ch <= "\u309f" or ch == "ー"


def _folded(text: str) -> tuple[str, list[int]]:
    """``text`` folded char by char (NFKC, lower, hiragana), and each folded char's origin."""
    out: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        folded = _fold_char(ch)
        if folded in ("\u3099", "\u309a", " \u3099", " \u309a", "゛", "゜") and out:
            mark = "\u3099" if folded.strip() in ("\u3099", "゛") else "\u309a"
            combined = unicodedata.normalize("NFC", out[-1] + mark)
            if len(combined) == 1:
                out[-1] = combined
                continue
        for c in folded:
            out.append(c)
            where.append(i)
    return "".join(out), where


def _words(run: str) -> list[tuple[str, str]]:
    """(written, hiragana reading) of each dictionary word of a kanji run."""
    tagger = _names._converter()
    if tagger is _names._UNAVAILABLE:
        return [(run, run)]
    with _names._tagger_lock:  # one MeCab tagger is not to be used by two threads at once
        words = [(w.surface, getattr(w.feature, "kana", None), w.is_unk) for w in tagger(run)]
    if "".join(surface for surface, _, _ in words) != run:
        return [(run, _names._fold(_names._to_kana(tagger, run)))]
    return [
        (surface, _names._fold(kana) if kana and kana != "*" and not unk else surface)
        for surface, kana, unk in words
    ]


def _reading(folded: str) -> tuple[str, list[tuple[int, int]], set[int]]:
    """The hiragana reading of the kanji words of a folded text.

    Returns the reading, the folded span each reading char comes from, and the positions in
    the reading where a dictionary word starts or ends: a name read inside a longer word
    (「ちょう」 in 「町内会」) is not a name.
    """
    out: list[str] = []
    spans: list[tuple[int, int]] = []
    bounds: set[int] = {0}
    i = 0
    while i < len(folded):
        if not _is_kanji(folded[i]):
            out.append(folded[i])
            spans.append((i, i + 1))
            i += 1
            bounds.add(len(out))
            continue
        j = i
        while j < len(folded) and _is_kanji(folded[j]):
            j += 1
        at = i
        for surface, kana in _words(folded[i:j]):
            out.extend(kana)
            spans.extend([(at, at + len(surface))] * len(kana))
            at += len(surface)
            bounds.add(len(out))
        i = j
    return "".join(out), spans, bounds


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


def _hepburn(kana: str) -> str:
    """Hepburn romaji of hiragana (「しょういち」 → 「shouichi」); "" if it is not all kana."""
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


def _romaji(kana: str) -> set[str]:
    roman = _hepburn(kana)
    if not roman:
        return set()
    short = roman.replace("ou", "o").replace("oo", "o").replace("uu", "u")
    return {roman, short, short.replace("ei", "e")} - {""}


def _split_word(word: str) -> list[str]:
    """An unspaced name split where kanji give way to kana (「加藤トシ子」 → 加藤, トシ子).

    An all-kanji name of 3 to 5 characters is taken as a family name of 2 (or 3) and a
    given name: 「佐藤花子」 → 佐藤, 花子.
    """
    parts = [word]
    for i in range(1, len(word)):
        if _is_kanji(word[i - 1]) and not _is_kanji(word[i]):
            parts += [word[:i], word[i:]]
            break
    if len(parts) == 1 and 3 <= len(word) <= 5 and all(_is_kanji(c) for c in word):
        parts += [word[:2], word[2:]]
        if len(word) == 5:
            parts += [word[:3], word[3:]]
    return parts


def name_words(G: nx.MultiDiGraph) -> set[str]:
    """Every name a person or household node carries, and its family and given names.

    All statuses count: a hidden resident's name must not survive in another label either.

    >>> from graph.model import build_graph
    >>> G = build_graph([{"id": "p", "kind": "person", "label": "加藤トシ子"},
    ...                  {"id": "h", "kind": "household", "label": "佐藤さん宅"}], [])
    >>> sorted(name_words(G))
    ['とし子', '佐藤', '加藤', '加藤とし子']
    """
    words: set[str] = set()
    for _, attrs in G.nodes(data=True):
        if attrs.get("kind") not in ("person", "household"):
            continue
        label = str(attrs.get("label") or "")
        pieces = [p for p in re.split(r"[\s・·‧,、]+", label) if p]
        for part in pieces:
            key = _names.normalise_name(part)
            if key:
                words.update(_split_word(key) if len(pieces) == 1 else [key])
        whole = _names.normalise_name(label)
        if whole:
            words.add(whole)
    return {w for w in words if w}


@dataclass(frozen=True)
class _Variant:
    text: str
    where: str  # "folded" (as written), "reading" (hiragana) or "roman"
    short: bool


class NameFinder:
    """Finds the given names in a text however it is written, with honorific and place words.

    >>> f = NameFinder(["佐藤 ウメ"])
    >>> f.scrub("佐藤ウメさん宅前のゴミ集積所")
    'ゴミ集積所'
    >>> f.scrub("ｻﾄｳさんの畑"), f.scrub("Sato-san no hatake"), f.scrub("さとうさんちの畑")
    ('畑', 'no hatake', '畑')
    >>> f.contains("福祉会館"), f.contains("山本さんの隣")
    (False, True)
    """

    def __init__(self, words: Iterable[str]):
        variants: dict[tuple[str, str], _Variant] = {}
        parts = set()
        for word in words:
            pieces = [p for p in re.split(r"[\s・·‧,、]+", word) if p]
            parts.update(pieces)
            if len(pieces) == 1:
                parts.update(_split_word(_names.normalise_name(word)))
        for word in parts:
            for part in [word]:
                folded = _folded(part)[0].replace(" ", "")
                if len(folded) >= 2:
                    variants[(folded, "folded")] = _Variant(folded, "folded", len(folded) < 3)
                kana = _reading(folded)[0] if folded else ""
                kana = _names._fold(kana)
                if len(kana) >= 2 and all(_is_hira(c) for c in kana):
                    variants[(kana, "reading")] = _Variant(kana, "reading", len(kana) < 3)
                    for roman in _romaji(kana):
                        if len(roman) >= 3:
                            variants[(roman, "roman")] = _Variant(roman, "roman", False)
        self._variants = sorted(variants.values(), key=lambda v: -len(v.text))

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Spans of ``text`` (original positions) that name someone, merged and extended."""
        folded, origin = _folded(text)
        read, read_spans, bounds = _reading(folded)
        found: list[tuple[int, int]] = []
        for v in self._variants:
            # Kana and romaji as written; a reading also inside the kanji words, whole words.
            for a, b in _occurrences(v.text, folded):
                if self._fits(v, folded, a, b):
                    found.append((a, b))
            if v.where != "reading" or v.short:
                continue
            for a, b in _occurrences(v.text, read):
                if a in bounds and b in bounds:
                    found.append((read_spans[a][0], read_spans[b - 1][1]))
        found += self._honorific_spans(folded)
        if not found:
            return []
        merged = self._merge(folded, sorted(found))
        return [(origin[a], origin[b - 1] + 1) for a, b in merged]

    @staticmethod
    def _fits(v: _Variant, folded: str, a: int, b: int) -> bool:
        before = folded[a - 1] if a > 0 else ""
        after = folded[b] if b < len(folded) else ""
        if v.where == "roman":
            return not (before.isascii() and before.isalpha()) and not (
                after.isascii() and after.isalpha()
            )
        if v.short and (_is_hira(before) or (_is_hira(after) and not _HONORIFIC.match(folded, b))):
            return _HONORIFIC.match(folded, b) is not None
        return True

    @staticmethod
    def _honorific_spans(folded: str) -> list[tuple[int, int]]:
        out = []
        for m in _HONORIFIC.finditer(folded):
            a, b = m.span()
            word = m.group()
            nxt = folded[b] if b < len(folded) else ""
            if nxt and nxt in _NOT_AFTER.get(word, ""):
                continue
            start = a
            if a > 0 and not _is_hira(folded[a - 1]):
                while start > 0 and a - start < 8:
                    c = folded[start - 1]
                    if _is_hira(c) or not (c.isalnum() or c == "ー"):
                        break
                    start -= 1
            else:
                while start > 0 and a - start < 6 and _is_hira(folded[start - 1]):
                    if folded[start - 1] in _KANA_PARTICLES:
                        break
                    start -= 1
            if start == a:
                continue
            if word == "様" and folded[a - 1] in "神仏王殿客":
                continue
            if word == "宅" and folded[a - 1] in _NOT_BEFORE_HOUSE:
                continue
            if (
                word in ("さん", "さま")
                and nxt
                and _is_hira(nxt)
                and nxt not in "のちとがにやへもは"
            ):
                continue
            out.append((start, b))
        return out

    @staticmethod
    def _merge(folded: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
        merged: list[list[int]] = []
        for a, b in spans:
            if merged and a <= merged[-1][1] + (1 if folded[merged[-1][1] : a].isspace() else 0):
                merged[-1][1] = max(merged[-1][1], b)
            else:
                merged.append([a, b])
        out = []
        for a, b in merged:
            b = _extend(folded, b)
            if out and a <= out[-1][1]:
                out[-1] = (out[-1][0], max(out[-1][1], b))
            else:
                out.append((a, b))
        return out

    def contains(self, text: str) -> bool:
        """Whether ``text`` names anyone (a known name, or anything before an honorific)."""
        return bool(text) and bool(self.spans(text))

    def scrub(self, text: str) -> str:
        """``text`` without the names found in it (and their honorifics and place words)."""
        spans = self.spans(text)
        if not spans:
            return text
        out, pos = [], 0
        for a, b in spans:
            out.append(text[pos:a])
            pos = b
        out.append(text[pos:])
        return _tidy("".join(out))


_ROMAN_AFTER = re.compile(r"[- ]?(san|sama|chan|kun|shi|taku|ke)(?![a-z])")


def _occurrences(needle: str, haystack: str) -> list[tuple[int, int]]:
    """Where ``needle`` occurs in ``haystack`` (str.find: no regex per name variant)."""
    out = []
    at = haystack.find(needle)
    while at >= 0:
        out.append((at, at + len(needle)))
        at = haystack.find(needle, at + 1)
    return out


def _extend(folded: str, b: int) -> int:
    """Past the honorifics, household words and place words after a name."""
    m = _ROMAN_AFTER.match(folded, b)
    if m:
        b = m.end()
    for words in (_AFTER_NAME, _AFTER_NAME, _PLACE_WORDS, _JOINERS):
        gap = len(folded[b:]) - len(folded[b:].lstrip())
        for w in words:
            if folded.startswith(w, b + gap):
                b += gap + len(w)
                break
    return b


def _tidy(text: str) -> str:
    text = re.sub(r"[（(「『【\[]\s*[）)」』】\]]", "", text)
    text = re.sub(r"\s+", " ", text).strip(" 　・、,の")
    return text


def looks_private(district: str) -> bool:
    """Whether a district says something about someone rather than where (kept out of files).

    >>> looks_private("1丁目"), looks_private("加藤さんの隣の青い屋根"), looks_private("一人暮らし")
    (False, True, True)
    """
    return bool(_PRIVATE.search(district)) or len(district) > 30
