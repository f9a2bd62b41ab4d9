"""A flag (気づき): its kinds and titles, the thresholds, and its reason worded on demand.

Shared by the analysis (``graph.analysis``), the flags from scratch (``graph.cold_flags``) and
the live flags (``graph.live_flags``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .vocabulary import TIE_KINDS

__all__ = ["DEFAULT_SETTINGS", "FLAG_KINDS", "INFREQUENT", "Flag", "merged_settings"]

#: Per-session thresholds of the structural flags (DESIGN.md §4 gives no published numbers).
DEFAULT_SETTINGS: dict[str, int] = {
    "overload_households": 5,
    "overload_roles": 3,
    "overload_sole": 2,
}

#: Flag ids with their Japanese and English titles, in the order they are listed.
FLAG_KINDS: dict[str, tuple[str, str]] = {
    "isolated_household": ("つながり要確認", "Connections to check"),
    "single_supporter": ("支え手が1人だけ", "A single supporter"),
    "winter_risk": ("冬の孤立リスク", "Winter isolation risk"),
    "infrequent_contact": ("行き来が月1回以下", "Contact monthly or rarer"),
    "overloaded_person": ("担い手集中", "Helper carrying a heavy load"),
    "no_participation": ("参加の場なし", "No place to take part"),
    "succession_risk": ("後継リスク", "Succession risk"),
    "resource_gap": ("資源の空白", "Resource gap"),
}

#: Tie frequencies below weekly: contact with people outside the household less than once a
#: week is the Tokyo Metropolitan Institute of Gerontology's definition of social isolation.
INFREQUENT = frozenset({"monthly", "rarely"})

_HONORIFICS = ("さん", "様", "さま", "氏", "宅", "家", "ちゃん", "くん", "君")


def _reason(flag: str, d: Mapping[str, Any], lang: str) -> str:
    """The plain-language reason of one flag; ``d`` holds the labels and counts it names."""
    name = d.get("label") or ""
    san = _san(name)
    ja = lang == "ja"
    if flag == "isolated_household":
        if ja:
            tail = "（専門職の支援のみ）。" if d.get("formal_care") else "。"
            return f"{san}には、世帯の外との支え合いや参加のつながりがまだ見えていません{tail}"
        tail = " (formal care only)." if d.get("formal_care") else "."
        return (
            "No informal support, group membership or role from outside the household "
            f"is recorded for {name}{tail}"
        )
    if flag == "single_supporter":
        helper = d["supporter_label"]
        if ja:
            return f"{san}を支えているのは{_san(helper)}だけです。"
        return f"{name} is supported by {helper} alone."
    if flag == "winter_risk":
        parts = []
        if d["summer_only"]:
            parts.append(
                f"冬になると{san}の外とのつながりが途切れます（雪のない季節だけのつながりです）"
                if ja
                else f"{name} loses every outside contact in winter"
            )
        if d["snow_gap"]:
            parts.append(
                f"{san}には雪の困りごとがありますが、除雪のつながりがありません"
                if ja
                else f"{name} has a snow need but no snow-clearing tie"
            )
        return "。".join(parts) + "。" if ja else "; ".join(parts) + "."
    if flag == "infrequent_contact":
        if ja:
            return (
                f"{san}の世帯の外との行き来は、どれも月1回以下です"
                "（週1回未満の交流は社会的孤立の目安とされています）。"
            )
        return (
            f"Every contact of {name} outside the household is monthly or rarer "
            "(less than weekly contact is a common marker of social isolation)."
        )
    if flag == "overloaded_person":
        load, only, roles = d["load"], d["sole"], d["roles"]
        if ja:
            text = f"{san}は{load}世帯を支えています"
            text += f"（うち{only}世帯は{san}だけが支え手）" if only else ""
            text += f"。世話役を{roles}つ担っています" if roles else ""
            return text + "。"
        text = f"{name} supports {load} households"
        text += f" ({only} of them have no other supporter)" if only else ""
        text += f"; organiser of {roles} groups or activities" if roles else ""
        return text + "."
    if flag == "no_participation":
        band = d["age_band"]
        if ja:
            return f"{san}（{band}歳）の、団体や活動への参加がまだ見えていません。"
        return f"{name} (aged {band}) takes part in no group or activity yet."
    if flag == "succession_risk":
        organiser = d["organiser_label"]
        if ja:
            return f"{name}の世話役は{_san(organiser)}だけです。"
        return f"{organiser} is the only organiser of {name}."
    tk = TIE_KINDS[d["category"]]
    if ja:
        return f"この集まりには「{tk.ja}」のつながりがまだひとつもありません。"
    return f"No {tk.en.lower()} tie has been recorded in this session."


@dataclass(slots=True)
class Flag:
    """A prompt for follow-up about one node (or the whole session when ``node`` is None).

    ``details`` holds what the reason names (counts, the supporter, …); the reasons are
    worded on demand, so flagging a city costs no string formatting.
    """

    flag: str
    node: str | None
    label: str | None
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def category(self) -> str | None:
        """The support category of a ``resource_gap`` flag."""
        return self.details.get("category")

    @property
    def reason_ja(self) -> str:
        """The reason in Japanese, e.g. 「佐藤さんは7世帯を支えています…」."""
        return _reason(self.flag, {"label": self.label, **self.details}, "ja")

    @property
    def reason_en(self) -> str:
        """The reason in English."""
        return _reason(self.flag, {"label": self.label, **self.details}, "en")

    def to_dict(self, lang: str = "ja") -> dict[str, Any]:
        """The JSON form: ``flag``, ``node``, ``label``, ``reason`` (in ``lang``), both reasons."""
        ja, en = self.reason_ja, self.reason_en
        data = {
            "flag": self.flag,
            "title": FLAG_KINDS[self.flag][0 if lang == "ja" else 1],
            "node": self.node,
            "label": self.label,
            "reason": ja if lang == "ja" else en,
            "reason_ja": ja,
            "reason_en": en,
            **self.details,
        }
        return data


def _san(label: str) -> str:
    """「佐藤」→「佐藤さん」; labels that already carry an honorific stay as they are."""
    return label if label.endswith(_HONORIFICS) else f"{label}さん"


def merged_settings(settings: Mapping[str, Any] | None) -> dict[str, int]:
    """:data:`DEFAULT_SETTINGS` with the known keys of ``settings`` (as ints) applied."""
    merged = dict(DEFAULT_SETTINGS)
    for key, value in (settings or {}).items():
        if key in merged:
            merged[key] = int(value)
    return merged
