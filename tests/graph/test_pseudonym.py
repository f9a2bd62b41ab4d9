"""Pseudonymisation that holds: generated names in every script, hidden notes, stable ids."""

from __future__ import annotations

import random
import unicodedata

import pytest

from graph.io import FORMATS, read_graph, write_graph
from graph.model import build_graph
from graph.pseudonym import pseudonym_ids, pseudonymise, public_labels
from graph.scrub import NameFinder

from .test_pseudonymise import written_bytes

# (kanji, katakana, romaji) — none of these is in the demo district.
FAMILIES = [
    ("渡辺", "ワタナベ", "watanabe"),
    ("小林", "コバヤシ", "kobayashi"),
    ("山口", "ヤマグチ", "yamaguchi"),
    ("松本", "マツモト", "matsumoto"),
    ("井上", "イノウエ", "inoue"),
    ("木村", "キムラ", "kimura"),
    ("清水", "シミズ", "shimizu"),
    ("森田", "モリタ", "morita"),
    ("池田", "イケダ", "ikeda"),
    ("石川", "イシカワ", "ishikawa"),
    ("前田", "マエダ", "maeda"),
    ("藤井", "フジイ", "fujii"),
]
GIVENS = [
    ("キヨ", "キヨ", "kiyo"),
    ("ハツ", "ハツ", "hatsu"),
    ("正一", "ショウイチ", "shoichi"),
    ("和子", "カズコ", "kazuko"),
    ("勇", "イサム", "isamu"),
    ("すみれ", "スミレ", "sumire"),
    ("フミエ", "フミエ", "fumie"),
    ("武雄", "タケオ", "takeo"),
]
HONORIFICS = ["さん", "様", "さま", "ちゃん", "くん", "さん宅", "家", "宅", "さんち"]
TEMPLATES = [
    "{n}{h}前のゴミ集積所",
    "{n}{h}の夜回り",
    "{n}{h}の畑",
    "{n}{h}横の空き地",
    "お茶会（{n}{h}）",
]


def _forms(kanji: str, kana: str, roman: str) -> list[str]:
    half = unicodedata.normalize("NFKC", kana)  # already full width; make half width below
    half = "".join(chr(_HALF.get(ord(c), ord(c))) for c in kana) if kana else half
    return [kanji, kana, _hira(kana), roman.capitalize(), roman.upper(), half]


def _hira(kana: str) -> str:
    return "".join(chr(ord(c) - 0x60) if "ァ" <= c <= "ヶ" else c for c in kana)


# A few half-width katakana (enough for the names above).
_HALF = {
    ord(full): ord(half)
    for full, half in zip(
        "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワンー",
        "ｱｲｳｴｵｶｷｸｹｺｻｼｽｾｿﾀﾁﾂﾃﾄﾅﾆﾇﾈﾉﾊﾋﾌﾍﾎﾏﾐﾑﾒﾓﾔﾕﾖﾗﾘﾙﾚﾛﾜﾝｰ",
        strict=True,
    )
}


def _generated(seed: int):
    """A map whose kept labels, districts and title name its residents in varied scripts."""
    rng = random.Random(seed)
    nodes, ties, secrets = [], [], set()
    for i, (family, given) in enumerate(zip(rng.sample(FAMILIES, 8), GIVENS, strict=True)):
        person = f"p{i}"
        nodes.append({"id": person, "kind": "person", "label": f"{family[0]} {given[0]}"})
        nodes.append({"id": f"h{i}", "kind": "household", "label": f"{family[0]}さん宅"})
        ties.append({"id": f"l{i}", "source": person, "target": f"h{i}", "kind": "lives_in"})
        written = rng.choice(_forms(*family))
        if written[:1].isascii():
            written += " "
        template = TEMPLATES[i % len(TEMPLATES)]
        label = template.format(n=written, h=rng.choice(HONORIFICS))
        kind = ["place", "activity", "group", "story"][i % 4]
        nodes.append({"id": f"k{i}", "kind": kind, "label": label})
        nodes.append(
            {
                "id": f"d{i}",
                "kind": "place",
                "label": f"集会所{i}",
                "district": f"{written}さんの隣",
            }
        )
        given_form = rng.choice(_forms(*given))
        nodes.append({"id": f"g{i}", "kind": "group", "label": f"{given_form}ちゃんと歩く会"})
        secrets.update(f for f in _forms(*family) + _forms(*given) if len(f) >= 2)
    # Hidden and pending notes leave nothing behind, not even their kept labels.
    nodes.append({"id": "x1", "kind": "group", "label": "秘密の会合", "status": "hidden"})
    nodes.append({"id": "x2", "kind": "place", "label": "未承認の場所", "status": "pending"})
    ties.append({"id": "xt", "source": "p0", "target": "h1", "kind": "watch", "status": "hidden"})
    secrets.update({"秘密の会合", "未承認の場所"})
    G = build_graph(nodes, ties, title="渡辺さんの地区の集い", area="北町")
    return G, secrets


def _leaks(data: str, secrets: set[str]) -> list[str]:
    low = data.lower()
    return sorted(s for s in secrets if s in data or s.lower() in low)


@pytest.mark.parametrize("seed", range(6))
def test_no_generated_name_survives_in_the_graph(seed):
    G, secrets = _generated(seed)
    P = pseudonymise(G)
    text = repr(list(P.nodes(data=True))) + repr(list(P.edges(data=True))) + repr(P.graph)
    assert _leaks(text, secrets) == []
    assert "x1" not in G or all(a.get("label") != "秘密の会合" for _, a in P.nodes(data=True))
    assert P.number_of_nodes() == G.number_of_nodes() - 2
    assert P.number_of_edges() == G.number_of_edges() - 1


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_generated_name_in_any_written_file(tmp_path, fmt):
    G, secrets = _generated(99)
    target = tmp_path / {"csv": "m.zip", "json": "m.json"}.get(fmt, f"m.{fmt}")
    paths = write_graph(pseudonymise(G), target, fmt)
    data = written_bytes(paths).decode("utf-8", "replace")
    assert _leaks(data, secrets) == []
    read_graph(paths[0])


def test_kept_kinds_are_generalised_not_dropped():
    G = build_graph(
        [
            {"id": "p", "kind": "person", "label": "佐藤 ウメ"},
            {"id": "q", "kind": "person", "label": "加藤トシ子"},
            {"id": "s1", "kind": "place", "label": "佐藤ウメさん宅前のゴミ集積所"},
            {"id": "s2", "kind": "activity", "label": "加藤トシ子さんの夜回り"},
            {
                "id": "s3",
                "kind": "place",
                "label": "福祉会館",
                "district": "加藤さんの隣の青い屋根",
            },
            {"id": "s4", "kind": "group", "label": "山本さん"},
        ],
        [],
    )
    P = pseudonymise(G)
    labels = sorted(P.nodes(data="label"))
    assert ("場所-001", "ゴミ集積所（場所-001）") in labels
    assert ("活動-001", "夜回り（活動-001）") in labels
    assert ("場所-002", "福祉会館") in labels and "district" not in P.nodes["場所-002"]
    # A name the map does not hold is still a name when an honorific follows it.
    assert ("団体-001", "団体（団体-001）") in labels


def test_public_labels_keep_plain_resources():
    G = build_graph(
        [
            {"id": "p", "kind": "person", "label": "実 太郎"},
            {"id": "a", "kind": "group", "label": "実行委員会"},
            {"id": "b", "kind": "institution", "label": "在宅介護支援センター"},
            {"id": "c", "kind": "story", "label": "氏神様のお祭り"},
        ],
        [],
    )
    assert public_labels(G) == {
        "p": "人-001",
        "a": "実行委員会",
        "b": "在宅介護支援センター",
        "c": "氏神様のお祭り",
    }


def test_pseudonyms_are_stable_when_nodes_are_added_or_hidden():
    nodes = [{"id": f"n{i}", "kind": "person", "label": f"人{i}"} for i in (2, 9)]
    G = build_graph(nodes, [])
    first = pseudonym_ids(G)
    G.add_node("n10", kind="person", label="新しい人")
    G.add_node("n1", kind="person", label="もう一人")
    G.nodes["n2"]["status"] = "hidden"
    second = pseudonym_ids(G, first)
    assert {n: second[n] for n in first} == first
    assert sorted(second.values()) == ["人-001", "人-002", "人-003", "人-004"]
    P = pseudonymise(G, second)
    assert "人-001" not in P and P.nodes[second["n9"]]["label"] == second["n9"]


@pytest.mark.parametrize(
    "text",
    ["ｶﾄｳさんの畑", "かとうさんちの畑", "KATO-san no hatake", "Katō家の畑", "加藤様の畑"],
)
def test_a_name_is_found_in_any_script(text):
    assert NameFinder(["加藤 トシ子"]).contains(text)
