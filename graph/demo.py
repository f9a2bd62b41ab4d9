"""A fictional demo district, 茶志内地区, for trying Tsunagari without anyone's real data.

The demo is the map a workshop in a snowy Hokkaido district might draw after an evening of
お宝さがし: 50 households (世帯) in four blocks (1丁目–4丁目), the 80 people living in them
(most of them 75 or older, many living alone), eight groups, six activities, the places they
meet, the professionals who visit, three stories, seven everyday difficulties and four ideas.
Every name, household and tie is made up; 茶志内 is used only as a place name.

The data is hand-written, so :func:`demo_graph` returns the same graph every time. It is
drawn so that each flag of DESIGN.md §4 has something to find:

- isolated households (つながり要確認): 山田さん宅 (h12) and 後藤さん宅 (h34) see only
  professionals; 中島さん宅 (h27) and 太田さん宅 (h41) have no tie to anyone outside;
- two 世話焼きさん (担い手集中): 高橋 恵子 (p004) watches over, shops for and visits six
  households and is the only supporter of two (h14, h22); 工藤 誠 (p032) clears snow for
  seven and is the only supporter of two (h29, h36);
- 佐藤 正雄 (p001) is organiser of three groups (町内会, 自主防災組織, 秋祭り実行委員会);
- くりの木サロン (g03) has one organiser, 高橋 恵子 (後継リスク);
- 青木さん宅 (h38) cannot clear the roof snow and nobody clears it (冬の孤立リスク);
- 菊地さん宅 (h44) has one contact, a neighbour who goes with him to the clinic by bicycle
  and only outside winter (season ``not_in_winter``): the winter view loses it;
- 14 people aged 65+ take part in no group or activity yet (参加の場なし).

Examples
--------
>>> G = demo_graph()
>>> G.graph["title"]
'茶志内地区 お宝さがし（デモ）'
>>> sum(1 for _, kind in G.nodes(data="kind") if kind == "household")
50
>>> G.nodes["h03"]["label"], G.nodes["p004"]["label"]
('高橋さん宅', '高橋 恵子')
"""

from __future__ import annotations

from typing import Any

import networkx as nx

from .model import build_graph
from .vocabulary import OLDER_AGE_BANDS, TIE_ATTRIBUTES

__all__ = ["TITLE", "AREA", "demo_records", "demo_graph"]

TITLE = "茶志内地区 お宝さがし（デモ）"
AREA = "茶志内地区"

# (household, family name, 丁目, ((person, given name, age band, consent), ...)).
# One person: lives alone; everyone 65+: an older people's household.
_HOUSEHOLDS: tuple[tuple[str, str, int, tuple[tuple[str, str, str, str], ...]], ...] = (
    ("h01", "佐藤", 1, (("p001", "正雄", "65-74", "named"), ("p002", "和子", "65-74", "named"))),
    ("h02", "鈴木", 1, (("p003", "ハナ", "85+", "initials"),)),
    ("h03", "高橋", 1, (("p004", "恵子", "65-74", "named"), ("p005", "勇", "75-84", "named"))),
    ("h04", "田中", 1, (("p006", "キヨ", "85+", "anonymous"),)),
    ("h05", "伊藤", 1, (("p007", "茂", "75-84", "initials"), ("p008", "節子", "75-84", "initials"))),
    ("h06", "渡辺", 1, (("p009", "清", "85+", "initials"),)),
    ("h07", "山本", 1, (("p010", "健一", "under-65", "named"), ("p011", "由美", "under-65", "named"), ("p012", "トシ", "85+", "named"))),
    ("h08", "中村", 1, (("p013", "幸子", "85+", "initials"),)),
    ("h09", "小林", 1, (("p014", "博", "75-84", "named"), ("p015", "久子", "75-84", "named"))),
    ("h10", "加藤", 1, (("p016", "実", "75-84", "anonymous"),)),
    ("h11", "吉田", 1, (("p017", "弘", "65-74", "named"), ("p018", "信子", "65-74", "named"), ("p019", "マツ", "85+", "initials"))),
    ("h12", "山田", 1, (("p020", "ミツ", "85+", "anonymous"),)),
    ("h13", "佐々木", 1, (("p021", "勝", "75-84", "initials"), ("p022", "良子", "75-84", "initials"))),
    ("h14", "山口", 2, (("p023", "文子", "85+", "initials"),)),
    ("h15", "松本", 2, (("p024", "隆", "65-74", "named"), ("p025", "洋子", "65-74", "named"))),
    ("h16", "井上", 2, (("p026", "正", "85+", "initials"),)),
    ("h17", "木村", 2, (("p027", "昭", "75-84", "named"), ("p028", "静子", "75-84", "named"))),
    ("h18", "林", 2, (("p029", "八重", "85+", "anonymous"),)),
    ("h19", "斎藤", 2, (("p030", "武", "85+", "initials"), ("p031", "春江", "75-84", "initials"))),
    ("h20", "工藤", 2, (("p032", "誠", "under-65", "named"), ("p033", "真理", "under-65", "named"))),
    ("h21", "森", 2, (("p034", "冨美子", "75-84", "initials"),)),
    ("h22", "池田", 2, (("p035", "光男", "85+", "anonymous"),)),
    ("h23", "橋本", 2, (("p036", "進", "75-84", "named"), ("p037", "美代子", "75-84", "named"))),
    ("h24", "阿部", 2, (("p038", "千代", "85+", "initials"),)),
    ("h25", "石川", 2, (("p039", "豊", "75-84", "initials"), ("p040", "芳子", "85+", "initials"))),
    ("h26", "山下", 2, (("p041", "修", "65-74", "named"), ("p042", "京子", "65-74", "named"))),
    ("h27", "中島", 3, (("p043", "松男", "85+", "anonymous"),)),
    ("h28", "石井", 3, (("p044", "浩", "65-74", "named"), ("p045", "悦子", "65-74", "named"))),
    ("h29", "小川", 3, (("p046", "房子", "85+", "initials"),)),
    ("h30", "前田", 3, (("p047", "忠", "75-84", "initials"), ("p048", "敏子", "75-84", "initials"))),
    ("h31", "岡田", 3, (("p049", "初江", "75-84", "named"),)),
    ("h32", "長谷川", 3, (("p050", "大輔", "under-65", "named"), ("p051", "彩", "under-65", "named"), ("p052", "ツル", "85+", "initials"))),
    ("h33", "藤田", 3, (("p053", "栄子", "75-84", "initials"),)),
    ("h34", "後藤", 3, (("p054", "稔", "85+", "anonymous"), ("p055", "ヨシ", "85+", "anonymous"))),
    ("h35", "近藤", 3, (("p056", "明", "65-74", "named"), ("p057", "恵美子", "65-74", "named"))),
    ("h36", "村上", 3, (("p058", "孝", "85+", "initials"),)),
    ("h37", "遠藤", 3, (("p059", "一郎", "75-84", "initials"), ("p060", "澄子", "75-84", "initials"))),
    ("h38", "青木", 3, (("p061", "正子", "75-84", "named"),)),
    ("h39", "坂本", 4, (("p062", "利夫", "75-84", "named"), ("p063", "貞子", "75-84", "named"))),
    ("h40", "福田", 4, (("p064", "清子", "85+", "initials"),)),
    ("h41", "太田", 4, (("p065", "茂雄", "75-84", "anonymous"),)),
    ("h42", "西村", 4, (("p066", "和夫", "65-74", "named"), ("p067", "久美子", "65-74", "named"))),
    ("h43", "藤井", 4, (("p068", "キミ", "85+", "initials"),)),
    ("h44", "菊地", 4, (("p069", "勇作", "75-84", "initials"),)),
    ("h45", "金子", 4, (("p070", "義雄", "75-84", "named"), ("p071", "富子", "75-84", "named"))),
    ("h46", "岡本", 4, (("p072", "サダ", "85+", "anonymous"),)),
    ("h47", "今野", 4, (("p073", "健", "65-74", "named"), ("p074", "礼子", "65-74", "named"))),
    ("h48", "三浦", 4, (("p075", "時子", "85+", "initials"),)),
    ("h49", "成田", 4, (("p076", "保", "75-84", "initials"), ("p077", "和江", "75-84", "initials"))),
    ("h50", "原田", 4, (("p078", "達也", "under-65", "named"), ("p079", "直美", "under-65", "named"), ("p080", "翔太", "under-65", "named"))),
)  # fmt: skip

# (id, label, category or None, organisers, members, place it meets at or None)
_GROUPS = (
    ("g01", "茶志内町内会", None, "p001 p024",
     "p004 p010 p014 p017 p027 p032 p036 p041 p044 p050 p056 p062 p066 p070 p073 p078", "pl01"),
    ("g02", "老人クラブ 寿会", None, "p014 p036",
     "p005 p007 p008 p015 p021 p022 p028 p030 p037 p039 p047 p048 p059 p060 p063 p071 p076 p077",
     "pl01"),
    ("g03", "くりの木サロン", "salon", "p004",
     "p003 p012 p013 p031 p034 p042 p049 p053 p064", "pl02"),
    ("g04", "いきいき体操の会", "exercise", "p018 p045",
     "p002 p008 p015 p025 p028 p037 p048 p057 p063 p071 p074 p077", "pl01"),
    ("g05", "茶志内自主防災組織", None, "p001 p044", "p010 p032 p050 p066 p078", "pl01"),
    ("g06", "除雪ボランティア", "snow", "p032 p078", "p010 p017 p041 p050 p056 p066 p080", None),
    ("g07", "ちくちく手芸の会", None, "p025 p057", "p011 p022 p060 p074 p079", "pl02"),
    ("g08", "秋祭り実行委員会", None, "p001 p041 p073", "p010 p033 p051 p078 p079 p080", "pl04"),
)  # fmt: skip

# (id, label, attributes, organisers, members, place or None, needs it helps with)
_ACTIVITIES = (
    ("a01", "くりの木サロン（毎週水曜）", {"category": "salon", "frequency": "weekly"},
     "p004 p042", "p003 p013 p023", "pl02", "nd06"),
    ("a02", "いきいき百歳体操", {"category": "exercise", "frequency": "weekly"},
     "p018 p067", "p007 p009 p038 p040", "pl01", ""),
    ("a03", "朝の雪かき隊", {"category": "snow", "frequency": "daily", "season": "winter_only"},
     "p032 p050", "p010 p017 p066", None, "nd04"),
    ("a04", "ゴミ出し当番", {"category": "errand", "frequency": "weekly"},
     "p024 p036", "p041 p044", None, "nd01"),
    ("a05", "移動販売車（火・金）", {"category": "errand", "frequency": "weekly"},
     "", "p053 p058 p068", "pl03", "nd05"),
    ("a06", "寿会の茶話会", {"category": "talk", "frequency": "monthly"},
     "p014 p063", "p029 p052 p075", "pl01", ""),
)  # fmt: skip

_PLACES = (
    ("pl01", "茶志内福祉会館"),
    ("pl02", "2丁目集会所"),
    ("pl03", "移動販売車の停留所（旧駅前）"),
    ("pl04", "茶志内神社"),
    ("pl05", "岡村商店"),
)

_INSTITUTIONS = (
    ("in01", "地域包括支援センター"),
    ("in02", "社会福祉協議会"),
    ("in03", "茶志内診療所"),
    ("in04", "訪問介護事業所ひだまり"),
    ("in05", "茶志内郵便局"),
)

_STORIES = (
    ("st01", "秋祭り（茶志内神社の例大祭）", {}),
    ("st02", "雪まつり（町内会の雪像づくり）", {"season": "winter_only"}),
    ("st03", "冬の回覧板リレー", {"season": "winter_only"}),
)

# (id, label, category, who has it — households or persons; "?" marks hearsay)
_NEEDS = (
    ("nd01", "ゴミ出しが大変", "errand", "h02 h06 h14 h22 h24 h40"),
    ("nd02", "屋根の雪下ろしができない", "snow", "h02 h16 h29 h36 h38"),
    ("nd03", "通院の足がない", "ride", "h13 h19 h25 h31 h44"),
    ("nd04", "玄関前の除雪が追いつかない", "snow", "h06 h09 h43 h46"),
    ("nd05", "冬は買い物に行けない", "errand", "h21 h27? h33 h44 h48"),
    ("nd06", "話し相手がいない", "talk", "p029 p065?"),
    ("nd07", "電球の交換ができない", "other", "h18 h37"),
)

# (id, label, stage, needs it addresses)
_IDEAS = (
    ("id01", "雪かき当番を作る", "proposed", "nd02 nd04"),
    ("id02", "サロンに送迎を", "proposed", "nd03 nd06"),
    ("id03", "ゴミ出しサポーターを増やす", "trial", "nd01"),
    ("id04", "4丁目にも移動販売の停留所を", "realised", "nd05"),
)

# (from, kind, to — one or more ids, tie attribute values)
_SUPPORT = (
    # 高橋 恵子, the 1丁目 世話焼きさん: six households, the only supporter of h14 and h22.
    ("p004", "watch", "h02 h08 h19 h22", "weekly"),
    ("p004", "watch", "h14", "daily"),
    ("p004", "errand", "h14 h22", "weekly"),
    ("p004", "ride", "h19", "monthly"),
    ("p004", "share", "h31", "monthly"),
    ("p004", "talk", "p049", "weekly"),
    # 工藤 誠 and his small tractor: seven households, the only supporter of h29 and h36.
    ("p032", "snow", "h09 h16 h21 h24 h25 h29 h36", "daily winter_only"),
    ("p001", "watch", "h04", "weekly"),
    ("p001", "snow", "h02", "winter_only"),
    ("p001", "talk", "p036", "weekly"),
    ("p002", "share", "h04", "monthly"),
    ("p002", "talk", "p008", "weekly"),
    ("p005", "talk", "p047", "weekly"),
    ("p010", "snow", "h06 h08", "winter_only"),
    ("p010", "ride", "h13", "monthly"),
    ("p011", "share", "h06", "monthly"),
    ("p011", "errand", "h06", "weekly"),
    ("p011", "kin", "h10", "weekly"),
    ("p012", "talk", "p003", "weekly"),
    ("p014", "talk", "p021", "monthly"),
    ("p017", "snow", "h10 h13", "winter_only"),
    ("p017", "ride", "h05", "monthly"),
    ("p018", "share", "h05 h09", "monthly"),
    ("p018", "talk", "p015", "weekly"),
    ("p019", "talk", "p012", "weekly"),
    ("p024", "watch", "h16 h18 h21 h24", "monthly"),
    ("p027", "watch", "h18", "weekly not_in_winter"),
    ("p028", "share", "h16", "monthly"),
    ("p028", "talk", "p026", "weekly"),
    ("p036", "watch", "h21 h24", "weekly"),
    ("p037", "share", "h21", "monthly"),
    ("p037", "talk", "p034", "weekly"),
    ("p041", "snow", "h25", "winter_only"),
    ("p041", "errand", "h19", "weekly"),
    ("p042", "watch", "h25", "weekly"),
    ("p042", "share", "h17", "monthly"),
    ("p044", "ride", "h30", "monthly"),
    ("p044", "watch", "h31 h38", "weekly"),
    ("p044", "talk", "p056", "weekly"),
    ("p045", "share", "h38", "monthly"),
    ("p045", "talk", "p061", "weekly"),
    ("p048", "talk", "p060", "weekly"),
    ("p050", "snow", "h30 h33 h37", "winter_only"),
    ("p051", "ride", "h25", "monthly"),
    ("p051", "errand", "h33", "weekly"),
    ("p056", "snow", "h37", "winter_only"),
    ("p056", "errand", "h33", "weekly"),
    ("p057", "kin", "h37", "weekly"),
    ("p062", "share", "h40 h45", "weekly not_in_winter"),
    ("p063", "talk", "p064", "weekly"),
    ("p063", "watch", "h43", "weekly"),
    ("p066", "snow", "h49", "winter_only"),
    ("p066", "ride", "h48", "monthly"),
    ("p067", "watch", "h40 h43 h46 h48", "monthly"),
    ("p070", "talk", "p076", "monthly"),
    # 菊地さん's only tie: 今野さん cycles with him to the clinic, but not in the snow.
    ("p073", "ride", "h44", "monthly not_in_winter"),
    ("p078", "snow", "h40 h43 h46 h48", "winter_only"),
    ("p079", "ride", "h49", "monthly"),
    ("p079", "share", "h39 h45", "monthly"),
    ("p080", "snow", "h49", "winter_only"),
    ("p080", "errand", "h48", "weekly"),
    ("g01", "watch", "h10", "monthly"),
    ("g06", "snow", "h02 h06", "winter_only"),
    ("in05", "watch", "h46", "weekly"),
    # Formal care: the only outside contact of h12 and h34.
    ("in01", "care", "h12 h34", "monthly"),
    ("in01", "care", "p023", "monthly"),
    ("in02", "care", "h24", "weekly"),
    ("in03", "care", "h12 h34 h40", "monthly"),
    ("in04", "care", "h02 h16 h34", "weekly"),
)

_LINKS = (
    ("g01", "in02"),
    ("g05", "g01"),
    ("g02", "in01"),
    ("g06", "in02"),
    ("in02", "g03"),
    ("in01", "in02"),
    ("in01", "in03"),
    ("in01", "in04"),
)

# Tie attribute value → attribute name ("weekly" → "frequency"); the values are all distinct.
_ATTRIBUTE_OF = {value: name for name in ("frequency", "season") for value in TIE_ATTRIBUTES[name]}


def _tie_attrs(words: str) -> dict[str, str]:
    return {_ATTRIBUTE_OF[word]: word for word in words.split()}


def demo_records() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The demo district as node and tie records, ready for :func:`graph.model.build_graph`.

    Returns
    -------
    (nodes, ties) : two lists of dicts
        Fresh lists on every call, always with the same content. Tie ids run ``t001``,
        ``t002``, … in a fixed order.

    Examples
    --------
    >>> nodes, ties = demo_records()
    >>> nodes[0]["label"], nodes[0]["district"], nodes[0]["elderly_only"]
    ('佐藤さん宅', '1丁目', True)
    >>> ties[0]
    {'source': 'p001', 'target': 'h01', 'kind': 'lives_in', 'id': 't001'}
    """
    nodes = [*_household_nodes(), *_person_nodes(), *_community_nodes()]
    ties = [*_lives_in_ties(), *_gathering_ties(), *_support_ties(), *_need_ties()]
    for i, record in enumerate(ties, 1):
        record["id"] = f"t{i:03d}"
    return nodes, ties


def _tie(source: str, kind: str, target: str, /, **attrs: str) -> dict[str, Any]:
    return {"source": source, "target": target, "kind": kind, **attrs}


def _household_nodes() -> list[dict[str, Any]]:
    nodes = []
    for hid, family, block, people in _HOUSEHOLDS:
        label = f"{family}さん宅"
        household = {"id": hid, "kind": "household", "label": label, "district": f"{block}丁目"}
        if len(people) == 1:
            household["lives_alone"] = True
        if all(age in OLDER_AGE_BANDS for _, _, age, _ in people):
            household["elderly_only"] = True
        nodes.append(household)
    return nodes


def _person_nodes() -> list[dict[str, Any]]:
    return [
        {
            "id": pid,
            "kind": "person",
            "label": f"{family} {given}",
            "age_band": age,
            "consent": consent,
        }
        for _, family, _, people in _HOUSEHOLDS
        for pid, given, age, consent in people
    ]


def _community_nodes() -> list[dict[str, Any]]:
    """Groups, activities, places, institutions, stories, needs and ideas, in that order."""
    nodes: list[dict[str, Any]] = []
    for gid, label, category, *_ in _GROUPS:
        nodes.append({"id": gid, "kind": "group", "label": label})
        if category:
            nodes[-1]["category"] = category
    for aid, label, attrs, *_ in _ACTIVITIES:
        nodes.append({"id": aid, "kind": "activity", "label": label, **attrs})
    for table, kind in ((_PLACES, "place"), (_INSTITUTIONS, "institution")):
        nodes.extend({"id": nid, "kind": kind, "label": label} for nid, label in table)
    nodes.extend({"id": sid, "kind": "story", "label": lbl, **a} for sid, lbl, a in _STORIES)
    for nid, label, category, _ in _NEEDS:
        nodes.append({"id": nid, "kind": "need", "label": label, "category": category})
    for iid, label, stage, _ in _IDEAS:
        nodes.append({"id": iid, "kind": "idea", "label": label, "stage": stage})
    return nodes


def _lives_in_ties() -> list[dict[str, Any]]:
    return [_tie(pid, "lives_in", hid) for hid, _, _, people in _HOUSEHOLDS for pid, *_ in people]


def _gathering_ties() -> list[dict[str, Any]]:
    """Who organises and who joins each group and activity, and where it is held."""
    ties = []
    gatherings = [(g[0], g[3], g[4], g[5]) for g in _GROUPS]
    gatherings += [(a[0], a[3], a[4], a[5]) for a in _ACTIVITIES]
    for gid, organisers, members, place in gatherings:
        ties.extend(_tie(pid, "role", gid) for pid in organisers.split())
        ties.extend(_tie(pid, "member", gid) for pid in members.split())
        if place:
            ties.append(_tie(gid, "held_at", place))
    return ties


def _support_ties() -> list[dict[str, Any]]:
    """Everyday support between people and households, then the links between groups."""
    ties = [
        _tie(source, kind, target, **_tie_attrs(words))
        for source, kind, targets, words in _SUPPORT
        for target in targets.split()
    ]
    ties.extend(_tie(source, "links", target) for source, target in _LINKS)
    return ties


def _need_ties() -> list[dict[str, Any]]:
    """Who has each difficulty (``?``: only heard of), then what addresses it."""
    ties = []
    for nid, _, _, who in _NEEDS:
        for holder in who.split():
            if holder.endswith("?"):
                ties.append(_tie(holder[:-1], "has_need", nid, origin="hearsay"))
            else:
                ties.append(_tie(holder, "has_need", nid))
    for aid, *_, needs in _ACTIVITIES:
        ties.extend(_tie(aid, "addresses", nid) for nid in needs.split())
    for iid, _, _, needs in _IDEAS:
        ties.extend(_tie(iid, "addresses", nid) for nid in needs.split())
    return ties


def demo_graph() -> nx.MultiDiGraph:
    """The demo district 「茶志内地区」 as a session graph, identical on every call.

    Returns
    -------
    MultiDiGraph
        Built through :func:`graph.model.build_graph`, with graph attributes ``title``
        (「茶志内地区 お宝さがし（デモ）」) and ``area`` (「茶志内地区」).

    Examples
    --------
    >>> G = demo_graph()
    >>> G.graph["area"], G.number_of_nodes() > 150, G.number_of_edges() > 300
    ('茶志内地区', True, True)
    """
    nodes, ties = demo_records()
    return build_graph(nodes, ties, title=TITLE, area=AREA)
