"""The words of the community map: node kinds, tie kinds and attribute values (DESIGN.md §3)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "NodeKind",
    "TieKind",
    "NODE_KINDS",
    "TIE_KINDS",
    "NODE_ATTRIBUTES",
    "TIE_ATTRIBUTES",
    "STATUSES",
    "INFORMAL",
    "DIRECTED_SUPPORT",
    "MUTUAL",
    "PARTICIPATION",
    "SUPPORT_CATEGORIES",
    "OLDER_AGE_BANDS",
    "KIND_ATTRIBUTES",
    "tie_allowed",
]


@dataclass(frozen=True)
class NodeKind:
    """A kind of sticky note: a person, a household, a group, …"""

    id: str
    ja: str
    en: str


@dataclass(frozen=True)
class TieKind:
    """A kind of tie and the node kinds it may join (``sources`` → ``targets``)."""

    id: str
    ja: str
    en: str
    sources: frozenset[str]
    targets: frozenset[str]


def _nk(id: str, ja: str, en: str) -> tuple[str, NodeKind]:
    return id, NodeKind(id, ja, en)


def _tk(id: str, ja: str, en: str, sources: str, targets: str) -> tuple[str, TieKind]:
    return id, TieKind(id, ja, en, frozenset(sources.split()), frozenset(targets.split()))


NODE_KINDS: dict[str, NodeKind] = dict(
    [
        _nk("person", "人", "Person"),
        _nk("household", "世帯", "Household"),
        _nk("group", "団体・グループ", "Group"),
        _nk("place", "場所", "Place"),
        _nk("institution", "機関・事業所", "Institution"),
        _nk("activity", "活動", "Activity"),
        _nk("story", "歴史・文化", "Story"),
        _nk("need", "困りごと", "Need"),
        _nk("idea", "取り組み案", "Idea"),
    ]
)

#: Who may give everyday support: a person, and a group or activity as a whole (雪かき隊 → 除雪
#: → a household is the commonest tie of a Hokkaido winter), and an institution.
_SUPPORT_FROM = "person group activity institution"
_SUPPORT_TO = "person household"

TIE_KINDS: dict[str, TieKind] = dict(
    [
        _tk("lives_in", "同居", "Lives in", "person", "household"),
        _tk("member", "参加", "Member of", "person", "group activity"),
        _tk("role", "世話役", "Organiser of", "person", "group activity"),
        _tk("watch", "見守り・声かけ", "Watching over", _SUPPORT_FROM, _SUPPORT_TO),
        _tk("snow", "除雪", "Snow clearing", _SUPPORT_FROM, _SUPPORT_TO),
        _tk("ride", "送迎・付き添い", "Rides", _SUPPORT_FROM, _SUPPORT_TO),
        _tk("errand", "買い物・ゴミ出し", "Shopping and rubbish", _SUPPORT_FROM, _SUPPORT_TO),
        _tk("share", "おすそ分け", "Sharing food", _SUPPORT_FROM, _SUPPORT_TO),
        _tk("talk", "話し相手・茶飲み友だち", "Someone to talk to", "person", "person"),
        _tk("kin", "別居の家族", "Family living apart", "person", "person household"),
        _tk("care", "専門職の支援", "Professional care", "institution", _SUPPORT_TO),
        _tk("held_at", "開催場所", "Held at", "group activity", "place"),
        _tk(
            "links",
            "連携",
            "Works with",
            "group institution",
            "group institution",
        ),
        _tk("has_need", "困りごと", "Has a need", "person household", "need"),
        _tk("addresses", "解決につながる", "Addresses", "idea activity", "need"),
    ]
)

DIRECTED_SUPPORT = frozenset({"watch", "snow", "ride", "errand", "share"})
MUTUAL = frozenset({"talk", "kin"})
INFORMAL = DIRECTED_SUPPORT | MUTUAL
PARTICIPATION = frozenset({"member", "role"})
#: The categories whose complete absence is a resource gap.
SUPPORT_CATEGORIES = ("watch", "snow", "ride", "errand")
OLDER_AGE_BANDS = frozenset({"65-74", "75-84", "85+"})

#: Moderation state of a node or tie; a missing status means approved.
STATUSES = ("pending", "approved", "hidden")

#: Allowed values of the optional node attributes (``None`` = free text, ``bool`` = yes/no).
NODE_ATTRIBUTES: dict[str, tuple[str, ...] | type | None] = {
    "age_band": ("under-65", "65-74", "75-84", "85+"),
    "lives_alone": bool,
    "elderly_only": bool,
    "district": None,
    "consent": ("named", "initials", "anonymous"),
    "category": tuple(sorted(DIRECTED_SUPPORT | MUTUAL | {"care", "salon", "exercise", "other"})),
    "frequency": ("daily", "weekly", "monthly", "rarely"),
    "season": ("all_year", "winter_only", "not_in_winter"),
    "stage": ("proposed", "trial", "realised"),
    "status": STATUSES,
}

#: The attributes the facilitator's inspector offers for each node kind (any attribute of
#: :data:`NODE_ATTRIBUTES` is stored; these are the ones that mean something for the kind).
KIND_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "person": ("consent", "age_band", "district"),
    "household": ("consent", "district", "lives_alone", "elderly_only"),
    "group": ("category", "frequency", "season", "district"),
    "place": ("district",),
    "institution": ("category", "district"),
    "activity": ("category", "frequency", "season", "district"),
    "story": ("season",),
    "need": ("category",),
    "idea": ("stage",),
}

#: Allowed values of the optional tie attributes.
TIE_ATTRIBUTES: dict[str, tuple[str, ...] | type | None] = {
    "frequency": ("daily", "weekly", "monthly", "rarely"),
    "season": ("all_year", "winter_only", "not_in_winter"),
    # DESIGN.md calls this `source`; that name is taken by the tie's start node in every
    # format (records, node-link JSON, CSV), so the attribute is `origin`.
    "origin": ("self", "hearsay"),
    "status": STATUSES,
}


def tie_allowed(kind: str, source_kind: str, target_kind: str) -> bool:
    """Whether a tie of ``kind`` may run from a ``source_kind`` node to a ``target_kind`` node.

    Examples
    --------
    >>> tie_allowed("snow", "person", "household")
    True
    >>> tie_allowed("lives_in", "household", "person")
    False
    """
    tk = TIE_KINDS.get(kind)
    return tk is not None and source_kind in tk.sources and target_kind in tk.targets
