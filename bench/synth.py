"""Large synthetic session graphs in the Tsunagari vocabulary, for benchmarks.

``synthetic_graph(n_households, seed)`` draws a made-up town: districts of about 190
households, most of one or two older residents, with neighbours who watch over them, clear
snow, give rides and share food, a few busy helpers, groups and activities with their
organisers, places, institutions, needs and ideas. Proportions follow a workshop map: about
40% households, 50% persons, 10% everything else; about 2.8 ties per node.

Speed over checking: nodes and ties are added to the graph directly (tie keys ``t0``, ``t1``,
…), not through ``graph.model.build_graph``, but every tie joins node kinds the vocabulary
allows. The same ``(n_households, seed)`` always gives the same graph.

    town()  ≈  9,000 nodes / 25,000 ties (≈ 19 districts)
    city()  ≈ 30,000 nodes / 80,000 ties (≈ 63 districts)
"""

from __future__ import annotations

import random

import networkx as nx

__all__ = ["synthetic_graph", "town", "city", "TOWN_HOUSEHOLDS", "CITY_HOUSEHOLDS"]

TOWN_HOUSEHOLDS = 3_600
CITY_HOUSEHOLDS = 12_000
_PER_DISTRICT = 190

_FAMILIES = (
    "佐藤 鈴木 高橋 田中 伊藤 渡辺 山本 中村 小林 加藤 吉田 山田 佐々木 山口 松本 井上 木村 "
    "林 斎藤 清水 工藤 菊地 成田 今野 三浦 阿部 石川 遠藤 坂本 原田"
).split()
_GIVEN = (
    "正雄 和子 ハナ 恵子 勇 キヨ 茂 節子 清 トシ 幸子 博 久子 実 弘 信子 ミツ 勝 良子 文子 隆 "
    "洋子 昭 静子 武 春江 誠 光男 進 千代"
).split()
_GROUPS = ("町内会", "老人クラブ", "サロン", "体操の会", "自主防災組織", "除雪ボランティア")
_GROUPS += ("手芸の会", "お祭り実行委員会")
_ACTIVITIES = (
    ("サロン", "salon"),
    ("百歳体操", "exercise"),
    ("雪かき隊", "snow"),
    ("ゴミ出し当番", "errand"),
    ("移動販売", "errand"),
    ("茶話会", "talk"),
    ("見守り訪問", "watch"),
)
_PLACES = ("集会所", "会館", "神社", "商店", "移動販売車の停留所")
_INSTITUTIONS = ("地域包括支援センター", "社会福祉協議会", "診療所", "訪問介護事業所")
_STORIES = ("秋祭り", "雪まつり", "昔の炭鉱")
_NEEDS = (
    ("ゴミ出しが大変", "errand"),
    ("屋根の雪下ろしができない", "snow"),
    ("玄関前の除雪が追いつかない", "snow"),
    ("通院の足がない", "ride"),
    ("買い物に行けない", "errand"),
    ("話し相手がいない", "talk"),
    ("電球の交換ができない", "other"),
)
_IDEAS = ("雪かき当番を作る", "サロンに送迎を", "ゴミ出しサポーター", "見守りカレンダー")

_AGE_BANDS = ("under-65", "65-74", "75-84", "85+")
_AGE_WEIGHTS = (25, 30, 28, 17)
_CONSENTS = ("named", "initials", "anonymous")
_SUPPORT_KINDS = ("watch", "snow", "ride", "errand", "share")
_SUPPORT_WEIGHTS = (30, 25, 12, 15, 18)
_FREQUENCIES = ("daily", "weekly", "monthly", "rarely")
_STAGES = ("proposed", "trial", "realised")


def synthetic_graph(
    n_households: int, seed: int = 0, districts: int | None = None
) -> nx.MultiDiGraph:
    """A synthetic town of ``n_households`` households, identical for the same ``seed``.

    Parameters
    ----------
    n_households : int
        About 40% of the nodes; ties come to about 7 per household.
    seed : int
        Seed of the private ``random.Random``.
    districts : int, optional
        Number of districts (丁目/地区); one per ~190 households by default.

    Returns
    -------
    MultiDiGraph
        About 3% of households are isolated (formal care at most), about 2% of nodes and
        ties are pending and 0.5% hidden, about 5% of the non-snow support ties are
        ``not_in_winter`` and most snow ties ``winter_only``.

    Examples
    --------
    >>> G = synthetic_graph(200, seed=1)
    >>> 400 < G.number_of_nodes() < 600 and 1_000 < G.number_of_edges() < 1_800
    True
    """
    rng = random.Random(seed)
    n_districts = districts or max(1, round(n_households / _PER_DISTRICT))
    nodes: list[tuple[str, dict]] = []
    ties: list[tuple[str, str, str, dict]] = []
    rand, choice, randint = rng.random, rng.choice, rng.randint

    def status(attrs: dict) -> dict:
        r = rand()
        if r < 0.02:
            attrs["status"] = "pending"
        elif r < 0.025:
            attrs["status"] = "hidden"
        return attrs

    def node(prefix: str, kind: str, label: str, **attrs) -> str:
        nid = f"{prefix}{len(nodes)}"
        nodes.append((nid, status({"kind": kind, "label": label, **attrs})))
        return nid

    def tie(u: str, v: str, kind: str, **attrs) -> None:
        ties.append((u, v, f"t{len(ties)}", status({"kind": kind, **attrs})))

    # Town-wide institutions every district can reach.
    town_institutions = [node("in", "institution", name) for name in _INSTITUTIONS[:2]]
    all_persons: list[str] = []
    per_district = [n_households // n_districts] * n_districts
    for d in range(n_households % n_districts):
        per_district[d] += 1

    for d, n_here in enumerate(per_district):
        district = f"第{d + 1}地区"
        places = [node("pl", "place", f"{district}{name}") for name in _PLACES]
        institutions = town_institutions + [
            node("in", "institution", f"{district}{name}") for name in _INSTITUTIONS[2:]
        ]
        for name in _STORIES:
            node("st", "story", f"{district}の{name}")
        needs = [
            node("nd", "need", label, category=category) for label, category in _NEEDS + _NEEDS[:5]
        ]
        groups = [node("g", "group", f"{district}{name}") for name in _GROUPS]
        activities = [
            node("a", "activity", f"{district}{name}", category=category, frequency="weekly")
            for name, category in _ACTIVITIES
        ]
        for idea in _IDEAS + _IDEAS[:1]:
            iid = node("id", "idea", idea, stage=choice(_STAGES))
            for nid in rng.sample(needs, randint(1, 2)):
                tie(iid, nid, "addresses")

        households: list[str] = []
        isolated: set[str] = set()
        home: dict[str, str] = {}
        residents: dict[str, list[str]] = {}
        active: list[tuple[str, str]] = []  # (person, age band) of connected households
        for _ in range(n_here):
            family = choice(_FAMILIES)
            size = 1 if rand() < 0.75 else 2
            hid = node("h", "household", f"{family}さん宅", district=district)
            if size == 1 and rand() < 0.7:
                nodes[-1][1]["lives_alone"] = True
            households.append(hid)
            alone = rand() < 0.03
            if alone:
                isolated.add(hid)
            residents[hid] = []
            for _ in range(size):
                age = rng.choices(_AGE_BANDS, _AGE_WEIGHTS)[0]
                pid = node(
                    "p",
                    "person",
                    f"{family} {choice(_GIVEN)}",
                    age_band=age,
                    consent=choice(_CONSENTS),
                )
                tie(pid, hid, "lives_in")
                home[pid] = hid
                residents[hid].append(pid)
                if not alone:
                    active.append((pid, age))
        people = [p for p, _ in active] or [p for h in households for p in residents[h]]
        all_persons.extend(people)

        # Most neighbours help someone now and then; one helper in twenty-five is a
        # 世話焼きさん who turns up four times as often.
        helpers = [p for p in people if rand() < 0.7] or people[:1]
        pool = helpers + [p for p in helpers if rand() < 0.04] * 3

        for gid in groups + activities:
            for pid in rng.sample(people, min(len(people), choice((1, 1, 2, 2, 3)))):
                tie(pid, gid, "role")
            if rand() < 0.9:
                tie(gid, choice(places), "held_at")
        for gid in groups:
            if rand() < 0.5:
                other = choice(institutions + groups)
                if other != gid:
                    tie(gid, other, "links")
        for aid in activities:
            if rand() < 0.3:
                tie(aid, choice(needs), "addresses")
        gatherings = groups + activities
        for pid, age in active:
            older = age != "under-65"
            if rand() < (0.55 if older else 0.3):
                for gid in rng.sample(gatherings, randint(1, 3)):
                    tie(pid, gid, "member")
            if rand() < 0.4:
                other = choice(people)
                if home.get(other) != home[pid]:
                    tie(pid, other, "talk", frequency=choice(_FREQUENCIES))

        for hid in households:
            if rand() < 0.25:
                tie(choice(institutions), hid, "care", frequency=choice(_FREQUENCIES[:3]))
            if rand() < 0.35:
                tie(choice((hid, *residents[hid])), choice(needs), "has_need")
            if hid in isolated:
                continue
            if rand() < 0.15:
                tie(choice(all_persons), hid, "kin")
            for _ in range(choice((0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 6))):
                kind = rng.choices(_SUPPORT_KINDS, _SUPPORT_WEIGHTS)[0]
                r = rand()
                if r < 0.9:
                    source = choice(pool)
                    if home.get(source) == hid:
                        continue
                elif r < 0.97:
                    source = choice(groups)
                else:
                    source = choice(institutions)
                target = hid if rand() < 0.85 else choice(residents[hid])
                attrs = {"frequency": choice(_FREQUENCIES)}
                if kind == "snow":
                    if rand() < 0.8:
                        attrs["season"] = "winter_only"
                elif rand() < 0.05:
                    attrs["season"] = "not_in_winter"
                tie(source, target, kind, **attrs)

    G = nx.MultiDiGraph(
        title=f"合成データ（{n_households}世帯, seed {seed}）", area=f"合成市町村 {seed}"
    )
    G.add_nodes_from(nodes)
    G.add_edges_from(ties)
    return G


def town(seed: int = 0) -> nx.MultiDiGraph:
    """A town-sized graph: about 9,000 nodes and 25,000 ties."""
    return synthetic_graph(TOWN_HOUSEHOLDS, seed)


def city(seed: int = 0) -> nx.MultiDiGraph:
    """A city-sized graph: about 30,000 nodes and 80,000 ties."""
    return synthetic_graph(CITY_HOUSEHOLDS, seed)
