"""The words offices use: Japanese column headers, kind words and values, mapped to the vocabulary.

A municipal office's list says 「名称」「種別」 and 「場所」「団体」, not ``label``, ``kind``,
``place``, ``group``. Every reader passes its records through :func:`normalise_records`, and
the CSV reader maps its headers with :func:`column_name`.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from typing import Any

from ..vocabulary import NODE_KINDS, TIE_KINDS

__all__ = [
    "COLUMN_WORDS",
    "NODE_KIND_WORDS",
    "TIE_KIND_WORDS",
    "column_name",
    "english_aliases",
    "node_kind",
    "tie_kind",
    "normalise_records",
]


def _fold(text: str) -> str:
    """NFKC (full-width letters, half-width kana), lower case, no spaces or brackets' padding."""
    return "".join(unicodedata.normalize("NFKC", str(text)).lower().split())


def _words(table: Mapping[str, str]) -> dict[str, str]:
    return {_fold(word): target for word, target in table.items()}


#: Header words of office lists and the column each one means.
COLUMN_WORDS: dict[str, str] = _words(
    {
        "ID": "id",
        "番号": "id",
        "識別子": "id",
        "名称": "label",
        "名前": "label",
        "氏名": "label",
        "ラベル": "label",
        "表示名": "label",
        "種別": "kind",
        "種類": "kind",
        "区分": "kind",
        "分類": "kind",
        "元": "source",
        "から": "source",
        "始点": "source",
        "支え手": "source",
        "先": "target",
        "へ": "target",
        "終点": "target",
        "相手": "target",
        "年代": "age_band",
        "年齢層": "age_band",
        "地区": "district",
        "地域": "district",
        "町内": "district",
        "一人暮らし": "lives_alone",
        "ひとり暮らし": "lives_alone",
        "独居": "lives_alone",
        "高齢者のみ": "elderly_only",
        "同意": "consent",
        "カテゴリ": "category",
        "カテゴリー": "category",
        "頻度": "frequency",
        "季節": "season",
        "時期": "season",
        "段階": "stage",
        "状態": "status",
        "情報源": "origin",
    }
)


#: English headers other tools write (``name``, ``type``, ``from``, ``to``): read as the column
#: they mean only when the file has no column of that name already, so a file with both
#: ``label`` and ``name`` keeps ``name`` as an attribute instead of being refused.
ENGLISH_ALIASES: dict[str, str] = {
    "name": "label",
    "type": "kind",
    "from": "source",
    "to": "target",
}


def english_aliases(header: list[str]) -> list[str]:
    """``header`` with each English alias read as its column where that column is missing.

    >>> english_aliases(["id", "Name", "type"]), english_aliases(["label", "name"])
    (['id', 'label', 'kind'], ['label', 'name'])
    """
    out = list(header)
    for i, cell in enumerate(header):
        target = ENGLISH_ALIASES.get(_fold(cell))
        if target and target not in out:
            out[i] = target
    return out


def _kind_words(kinds: Mapping[str, Any], extra: Mapping[str, str]) -> dict[str, str]:
    """Each kind's id, English name, Japanese name and each part of it (「見守り・声かけ」)."""
    table: dict[str, str] = {}
    for kind in kinds.values():
        table[kind.id] = kind.id
        table[kind.en] = kind.id
        table[kind.ja] = kind.id
        for part in kind.ja.split("・"):
            table.setdefault(part, kind.id)
    table.update(extra)
    return _words(table)


#: Kind words of a nodes list: 人・世帯・団体・場所・機関・活動・歴史・困りごと・案 and more.
NODE_KIND_WORDS: dict[str, str] = _kind_words(
    NODE_KINDS,
    {
        "住民": "person",
        "個人": "person",
        "家": "household",
        "団体": "group",
        "サロン": "group",
        "施設": "place",
        "事業所": "institution",
        "機関": "institution",
        "行事": "activity",
        "歴史": "story",
        "文化": "story",
        "課題": "need",
        "案": "idea",
        "アイデア": "idea",
    },
)

#: Kind words of a ties list (開催場所 → held_at, 見守り → watch, …).
TIE_KIND_WORDS: dict[str, str] = _kind_words(
    TIE_KINDS,
    {"会場": "held_at", "家族": "kin", "声掛け": "watch", "雪かき": "snow", "送り迎え": "ride"},
)

# Values of the optional attributes in Japanese.
_VALUE_WORDS: dict[str, dict[str, str]] = {
    "frequency": _words({"毎日": "daily", "週1": "weekly", "毎週": "weekly", "月1": "monthly"}),
    "season": _words({"通年": "all_year", "冬のみ": "winter_only", "冬以外": "not_in_winter"}),
    "consent": _words({"実名": "named", "イニシャル": "initials", "匿名": "anonymous"}),
    "stage": _words({"案": "proposed", "試行": "trial", "実現": "realised"}),
    "origin": _words({"本人": "self", "伝聞": "hearsay"}),
}
_VALUE_WORDS["frequency"].update(_words({"まれ": "rarely", "たまに": "rarely"}))


def column_name(header: str) -> str:
    """The column an office header means (``"名称"`` → ``"label"``), else the header itself.

    >>> column_name(" 名称 "), column_name("ＩＤ"), column_name("Kind"), column_name("備考")
    ('label', 'id', 'kind', '備考')
    """
    text = header.strip()
    folded = _fold(text)
    if folded in ("id", "kind", "label", "source", "target"):
        return folded
    return COLUMN_WORDS.get(folded, text)


def node_kind(word: Any) -> Any:
    """The node kind a word means (``"場所"`` → ``"place"``); unknown words are returned as given.

    >>> node_kind("場所"), node_kind("団体・グループ"), node_kind("案"), node_kind("木")
    ('place', 'group', 'idea', '木')
    """
    return NODE_KIND_WORDS.get(_fold(word), word) if isinstance(word, str) else word


def tie_kind(word: Any) -> Any:
    """The tie kind a word means (``"開催場所"`` → ``"held_at"``), else the word as given.

    >>> tie_kind("開催場所"), tie_kind("見守り"), tie_kind("snow")
    ('held_at', 'watch', 'snow')
    """
    return TIE_KIND_WORDS.get(_fold(word), word) if isinstance(word, str) else word


def _values(record: dict) -> dict:
    for name, words in _VALUE_WORDS.items():
        value = record.get(name)
        if isinstance(value, str) and _fold(value) in words:
            record[name] = words[_fold(value)]
    return record


def normalise_records(nodes: list[dict], ties: list[dict]) -> tuple[list[dict], list[dict]]:
    """Records with office words for kinds and values replaced by the vocabulary's ids.

    >>> normalise_records([{"id": "a", "kind": "場所", "label": "集会所"}],
    ...                   [{"source": "s", "target": "a", "kind": "開催場所", "season": "冬のみ"}])
    ([{'id': 'a', 'kind': 'place', 'label': '集会所'}], [{'source': 's', 'target': 'a', \
'kind': 'held_at', 'season': 'winter_only'}])
    """
    nodes = [_values({**n, "kind": node_kind(n.get("kind"))}) for n in nodes]
    ties = [_values({**t, "kind": tie_kind(t.get("kind"))}) for t in ties]
    return nodes, ties
