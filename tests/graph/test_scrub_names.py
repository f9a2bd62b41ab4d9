"""Property tests: a resident's name, generated, survives in no pseudonymised file or report.

Names are drawn from pools unrelated to the demo and to the scrubber's own examples, written
on the person's card in one script and inside other labels, districts and the title in
another (kanji, hiragana, katakana, half-width kana, romaji with every long-vowel spelling),
with or without an honorific. Over-scrubbing is allowed (「清水」 the surname takes 「清水」
the spring with it); a leak is not.
"""

from __future__ import annotations

import unicodedata

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph.io import FORMATS, write_graph
from graph.model import build_graph
from graph.pseudonym import pseudonymise, public_labels, public_text
from graph.scrub import NameFinder, name_words

from .test_pseudonymise import written_bytes

# (kanji, hiragana reading, Hepburn with long vowels written out)
FAMILIES = [
    ("佐藤", "さとう", "satou"),
    ("加藤", "かとう", "katou"),
    ("伊藤", "いとう", "itou"),
    ("斎藤", "さいとう", "saitou"),
    ("後藤", "ごとう", "gotou"),
    ("近藤", "こんどう", "kondou"),
    ("遠藤", "えんどう", "endou"),
    ("工藤", "くどう", "kudou"),
    ("鈴木", "すずき", "suzuki"),
    ("高橋", "たかはし", "takahashi"),
    ("田中", "たなか", "tanaka"),
    ("山本", "やまもと", "yamamoto"),
    ("中村", "なかむら", "nakamura"),
    ("吉田", "よしだ", "yoshida"),
    ("佐々木", "ささき", "sasaki"),
    ("井上", "いのうえ", "ino'ue"),
    ("林", "はやし", "hayashi"),
    ("森", "もり", "mori"),
    ("橋本", "はしもと", "hashimoto"),
    ("長谷川", "はせがわ", "hasegawa"),
    ("藤田", "ふじた", "fujita"),
    ("村上", "むらかみ", "murakami"),
    ("大野", "おおの", "oono"),
    ("太田", "おおた", "oota"),
    ("菊地", "きくち", "kikuchi"),
    ("小野寺", "おのでら", "onodera"),
    ("本間", "ほんま", "honma"),
    ("新田", "にった", "nitta"),
]
GIVENS = [
    ("花子", "はなこ", "hanako"),
    ("太郎", "たろう", "tarou"),
    ("一郎", "いちろう", "ichirou"),
    ("正一", "しょういち", "shouichi"),
    ("幸子", "さちこ", "sachiko"),
    ("節子", "せつこ", "setsuko"),
    ("清", "きよし", "kiyoshi"),
    ("茂", "しげる", "shigeru"),
    ("進", "すすむ", "susumu"),
    ("美智子", "みちこ", "michiko"),
    ("恵子", "けいこ", "keiko"),
    ("洋子", "ようこ", "youko"),
    ("翔太", "しょうた", "shouta"),
    ("敏子", "としこ", "toshiko"),
    (None, "うめ", "ume"),
    (None, "きよ", "kiyo"),
    (None, "はる", "haru"),
    (None, "みつ", "mitsu"),
    (None, "しづえ", "shizue"),
]
HONORIFICS = ["", "さん", "様", "さま", "宅", "家", "ちゃん", "くん", "さん宅", "さんち"]
# Labels of kept kinds; {n} is the name as written, {h} the honorific.
TEMPLATES = [
    ("place", "{n}{h}前のゴミ集積所"),
    ("activity", "{n}{h}の夜回り"),
    ("place", "{n}{h}の畑"),
    ("place", "{n}{h}横の空き地"),
    ("group", "お茶会（{n}{h}）"),
    ("activity", "{n}{h}と朝の散歩"),
    ("story", "昔{n}{h}が開いた店"),
    ("need", "{n}{h}のゴミ出し"),
    ("idea", "{n}{h}を囲む食事会"),
]


def _katakana(hira: str) -> str:
    return "".join(chr(ord(c) + 0x60) if "ぁ" <= c <= "ゖ" else c for c in hira)


# Half-width katakana: NFKC turns each back into its full-width form.
_HALF = {unicodedata.normalize("NFKC", chr(c)): chr(c) for c in range(0xFF66, 0xFF9E)}


def _half(hira: str) -> str:
    out = []
    for ch in _katakana(hira):
        if ch in _HALF:
            out.append(_HALF[ch])
            continue
        base, *marks = unicodedata.normalize("NFD", ch)
        out.append(_HALF.get(base, base) + ("ﾞ" if "\u3099" in marks else "ﾟ" if marks else ""))
    return "".join(out)


def _romaji(hepburn: str) -> list[str]:
    """Satou, Sato, Satoh, Satō — as a card or a passport spells it."""
    short = hepburn.replace("ou", "o").replace("oo", "o")
    forms = {hepburn, short, hepburn.replace("ou", "oh").replace("oo", "oh")}
    forms.add(hepburn.replace("ou", "ō").replace("oo", "ō"))
    return sorted(f.replace("'", "") for f in forms)  # 「ino'ue」: no long vowel across '


def forms(name: tuple) -> list[str]:
    """Every way ``name`` may be written (kanji only when it has kanji)."""
    kanji, hira, roman = name
    out = [hira, _katakana(hira), _half(hira)]
    out += [f.capitalize() for f in _romaji(roman)] + [roman.replace("'", "").upper()]
    return ([kanji] if kanji else []) + out


def _secrets(name: tuple) -> set[str]:
    kanji, hira, roman = name
    out = {hira, _katakana(hira), _half(hira), *_romaji(roman)}
    if kanji:
        out.add(kanji)
    return {s for s in out if len(s) >= 1}


def _leaks(text: str, secrets: set[str]) -> list[str]:
    low = unicodedata.normalize("NFKC", text).lower()
    return sorted(
        s
        for s in secrets
        if s in text or unicodedata.normalize("NFKC", s).lower() in low and len(s) > 1
    )


@st.composite
def maps(draw):
    """A map naming its residents in kept labels, a district and the title."""
    people = draw(
        st.lists(
            st.tuples(st.sampled_from(FAMILIES), st.sampled_from(GIVENS)),
            min_size=1,
            max_size=4,
            unique_by=lambda p: p[0][0],
        )
    )
    nodes, ties, secrets = [], [], set()
    title = "地区の集い"
    for i, (family, given_name) in enumerate(people):
        card = draw(st.sampled_from(["kanji", "spaced", "kana", "katakana"]))
        if card == "kanji" and given_name[0]:
            label = family[0] + given_name[0]
        elif card in ("kanji", "spaced"):
            label = f"{family[0]} {given_name[0] or _katakana(given_name[1])}"
        elif card == "kana":
            label = f"{family[1]} {given_name[1]}"
        else:
            label = f"{_katakana(family[1])} {_katakana(given_name[1])}"
        nodes.append({"id": f"p{i}", "kind": "person", "label": label})
        household = draw(st.sampled_from([family[0] + "さん宅", family[0] + "家", family[1]]))
        nodes.append({"id": f"h{i}", "kind": "household", "label": household})
        ties.append({"id": f"l{i}", "source": f"p{i}", "target": f"h{i}", "kind": "lives_in"})
        for j, part in enumerate((family, given_name, family)):
            written = draw(st.sampled_from(forms(part)))
            if card in ("kana", "katakana") and written == part[0] and len(part[1]) < 3:
                written = part[1]  # two kana on the card say nothing of the kanji
            if written.isascii():
                written += " "
            kind, template = draw(st.sampled_from(TEMPLATES))
            text = template.format(n=written, h=draw(st.sampled_from(HONORIFICS)))
            node = {"id": f"k{i}-{j}", "kind": kind, "label": text}
            if j == 2:
                node = {"id": f"k{i}-{j}", "kind": "place", "label": "集会所"}
                node["district"] = f"{written}の向かい"
            nodes.append(node)
        if i == 0:
            title = f"{draw(st.sampled_from(forms(family)))}さんの地区の集い"
        secrets |= _secrets(family) | _secrets(given_name)
    return build_graph(nodes, ties, title=title, area="北町"), secrets


SETTINGS = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)


@SETTINGS
@given(maps())
def test_no_generated_name_survives_pseudonymisation(generated):
    G, secrets = generated
    P = pseudonymise(G)
    text = repr(list(P.nodes(data=True))) + repr(list(P.edges(data=True))) + repr(P.graph)
    assert _leaks(text, secrets) == [], text


@SETTINGS
@given(maps())
def test_no_generated_name_in_the_unnamed_report_labels(generated):
    G, secrets = generated
    finder = NameFinder(name_words(G))
    shown = list(public_labels(G, content=True).values())
    shown += [public_text(G.graph["title"], finder)]
    assert _leaks(" ".join(shown), secrets) == [], " ".join(shown)


@settings(max_examples=8, deadline=None, derandomize=True)
@given(maps(), st.sampled_from(FORMATS))
def test_no_generated_name_in_any_written_file(tmp_path_factory, generated, fmt):
    G, secrets = generated
    folder = tmp_path_factory.mktemp("out")
    target = folder / {"csv": "m.zip", "json": "m.json"}.get(fmt, f"m.{fmt}")
    data = written_bytes(write_graph(pseudonymise(G), target, fmt)).decode("utf-8", "replace")
    assert _leaks(data, secrets) == []


def test_plain_words_are_kept():
    """Safety first, but not blind: words that merely contain a name's sound stay."""
    finder = NameFinder(["森 ハル", "佐藤 ウメ", "田中 ユキ"])
    for text in ("森林公園", "ウメボシ作り", "雪かき隊", "ハルカの会", "福祉会館", "春祭り"):
        assert finder.scrub(text) == text, text
