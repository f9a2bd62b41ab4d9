"""Finding residents' names in free text, in any script, and taking them out."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

import networkx as nx

from . import names as _names
from .names import hepburn, kana_readings, spellings

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
# What the dictionary may read as one word with a one-kanji name: 「林家」「森様」.
_WORD_SUFFIXES = frozenset("家宅様氏君殿邸方")
_WORD_TAILS = _WORD_SUFFIXES | frozenset("前横裏奥隣脇側")
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
    return text.translate(_names._KATA_TO_HIRA).translate(_names._VARIANTS).translate(_SOUNDS)


# Kana that sound the same in names: 「シヅエ」 is 「しずえ」.
_SOUNDS = str.maketrans({"ぢ": "じ", "づ": "ず", "ゐ": "い", "ゑ": "え"})
# The vowel a long-vowel mark stands for after each vowel: 「イチロー」 reads 「いちろう」.
_LONG = {"a": "あ", "i": "い", "u": "う", "e": "い", "o": "う"}


def _long_vowel(previous: str) -> str:
    roman = hepburn(previous)
    return _LONG.get(roman[-1:], "ー")


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
                out[-1] = combined.translate(_SOUNDS)
                continue
        if folded == "ー" and out and _is_hira(out[-1]) and out[-1] != "ー":
            folded = _long_vowel(out[-1])
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
        run = folded[i:j]
        # A run ending in 家/宅/様… is read as a name and its suffix: 「正一家」 is 正一+家,
        # not 正+一家.
        split = len(run) > 1 and run[-1] in _WORD_SUFFIXES
        tokens = _words(run[:-1]) + _words(run[-1]) if split else _words(run)
        for surface, kana in tokens:
            out.extend(kana)
            spans.extend([(at, at + len(surface))] * len(kana))
            at += len(surface)
            bounds.add(len(out))
        i = j
    return "".join(out), spans, bounds


def _is_katakana(ch: str) -> bool:
    return "\u30a1" <= ch <= "\u30fa" or ch == "ー" or "\uff66" <= ch <= "\uff9f"


def _katakana_word(text: str, a: int, b: int) -> bool:
    """Whether ``text[a:b]`` is written in katakana and neither neighbour is katakana."""
    if not all(_is_katakana(c) for c in text[a:b]):
        return False
    return not (a > 0 and _is_katakana(text[a - 1])) and not (
        b < len(text) and _is_katakana(text[b])
    )


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
        tokens = _tagged(word)
        if tokens and all(pos == "人名" for _, _, pos in tokens):
            # The dictionary knows the names: 「長谷川」 stays whole, 「林八重」 is 林 + 八重.
            return parts + [surface for surface, _, _ in tokens if len(tokens) > 1]
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
    where: str  # "folded" (as written), "reading" (hiragana), "roman" or "word" (one kanji)
    short: bool


def _parts(words: Iterable[str]) -> set[str]:
    """Each name, its space-separated pieces, and the family and given names inside them."""
    parts: set[str] = set()
    for word in words:
        pieces = [p for p in re.split(r"[\s・·‧,、]+", word) if p]
        parts.update(pieces)
        if len(pieces) == 1:
            parts.update(_split_word(_names.normalise_name(word)))
        for piece in pieces:
            parts.update(_person_tokens(_names.normalise_name(piece)))
    return {p for p in parts if p}


def _tagged(text: str) -> list:
    tagger = _names._converter()
    if tagger is _names._UNAVAILABLE or not text:
        return []
    with _names._tagger_lock:
        return [
            (w.surface, getattr(w.feature, "kana", None), getattr(w.feature, "pos3", None))
            for w in tagger(text)
        ]


def _person_tokens(word: str) -> list[str]:
    """The family and given names the dictionary sees in a name: 「佐々木茂」 → 佐々木, 茂."""
    tokens = _tagged(word)
    if len(tokens) < 2:
        return []
    return [surface for surface, _, pos in tokens if pos == "人名"]


@functools.lru_cache(maxsize=4096)
def _name_readings(folded: str) -> frozenset[str]:
    """The hiragana readings of a (folded) name: as read in a text, and as a person's name.

    MeCab's best reading of the name alone and after 「さん」's context, and its other
    readings as a person's name (「中島」 なかじま・なかしま, 「幸子」 さちこ・ゆきこ).
    """
    out = set()
    for text in (folded, folded + "さん"):
        kana = _names._fold(_reading(text)[0])
        out.add(kana.removesuffix("さん") if text != folded else kana)
    tagger = _names._converter()
    if tagger is not _names._UNAVAILABLE and any(_is_kanji(c) for c in folded):
        with _names._tagger_lock:
            best = tagger.nbest(folded, 8)
        for sentence in best.split("EOS"):
            rows = [line.split("\t") for line in sentence.strip().splitlines()]
            if len(rows) == 1 and len(rows[0]) > 4 and "人名" in rows[0][4]:
                out.add(_names._fold(rows[0][2]))
    return frozenset(k for k in out if k and all(_is_hira(c) for c in k))


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

        def add(text: str, where: str) -> None:
            if len(text) >= {"roman": 3, "word": 1}.get(where, 2):
                short = where != "roman" and len(text) < 3
                variants[(text, where)] = _Variant(text, where, short)

        kana_only: set[str] = set()
        for part in _parts(words):
            folded = _folded(part)[0].replace(" ", "")
            if not folded:
                continue
            if not any(_is_kanji(c) for c in folded):
                kana_only |= _name_readings(folded)
                kana_only |= kana_readings(folded) if folded.isascii() else set()
            add(folded, "folded")
            if len(folded) == 1 and _is_kanji(folded):
                add(folded, "word")  # 「森」: only where it is a word of its own (not 森林)
            for kana in _name_readings(folded):
                add(kana, "reading")
                for roman in spellings(kana):
                    add(roman, "roman")
            if folded.isascii():
                add(folded, "roman")
                for kana in kana_readings(folded):
                    add(kana, "reading")
        self._variants = sorted(variants.values(), key=lambda v: -len(v.text))
        # Names written in kana or romaji only, looked for in kanji read as a name (新田).
        self._readings = {k for k in kana_only if len(k) >= 3}

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Spans of ``text`` (original positions) that name someone, merged and extended."""
        folded, origin = _folded(text)
        read, read_spans, bounds = _reading(folded)
        found: list[tuple[int, int]] = []
        words = set(read_spans)
        starts = {a: b for a, b in words}
        for v in self._variants:
            if v.where == "word":
                for a, b in _occurrences(v.text, folded):
                    end = starts.get(a)
                    if (a, b) in words or (end and folded[b:end] in _WORD_TAILS):
                        found.append((a, b))  # 「林の奥」「林家前」, not 「林道」
                continue
            # Kana and romaji as written; a reading also inside the kanji words, whole words.
            for a, b in _occurrences(v.text, folded):
                if self._fits(v, folded, a, b, _katakana_word(text, origin[a], origin[b - 1] + 1)):
                    found.append((a, b))
            if v.where != "reading" or v.short:
                continue
            for a, b in _occurrences(v.text, read):
                if a in bounds and b in bounds:
                    found.append((read_spans[a][0], read_spans[b - 1][1]))
        for a, b in words:
            # A kanji word read otherwise as a name: 「新田」 is しんた, and にった as a name.
            word = folded[a:b]
            if not _is_kanji(word[0]):
                continue
            if self._readings & _name_readings(word) or (
                len(word) > 1
                and word[-1] in _WORD_SUFFIXES
                and self._readings & _name_readings(word[:-1])
            ):
                found.append((a, b))
        found += self._honorific_spans(folded)
        if not found:
            return []
        merged = self._merge(folded, sorted(found))
        return [(origin[a], origin[b - 1] + 1) for a, b in merged]

    @staticmethod
    def _fits(v: _Variant, folded: str, a: int, b: int, katakana: bool) -> bool:
        """Whether a match stands as a word; ``katakana``: written in katakana among others."""
        before = folded[a - 1] if a > 0 else ""
        after = folded[b] if b < len(folded) else ""
        if v.where == "roman":
            return not (before.isascii() and before.isalpha()) and not (
                after.isascii() and after.isalpha()
            )
        if not v.short or _HONORIFIC.match(folded, b) or katakana:
            return True
        # Two kana alone (「うめ」): a word only between non-kana, or before a particle.
        return not _is_hira(before) and (not _is_hira(after) or after in _KANA_PARTICLES)

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
