"""Sessions the demo is not: generated maps of ~170 nodes in other shapes (issue 9).

``shaped(name, seed)`` gives node-link data (``{"graph", "nodes", "edges"}``) that
``tsunagari import`` and ``graph.formats.nodelink.from_node_link`` read: many groups, places
and ideas with long Japanese, English and emoji labels in 12 districts; persons only, no
household, in one district; a village mix like the demo's in 12 districts. The same name and
seed always give the same map.
"""

from __future__ import annotations

import random

LONG_JA = (
    "北海道空知郡茶志内町字東三線北十二号の集会所",
    "冬のあいだだけ開く雪あかりの除雪ボランティア隊",
    "地域の子どもたちと高齢者が一緒に遊ぶ放課後の居場所づくり🌸",
    "移動販売車の停留所（旧駅前ロータリー付近）",
)
LONG_EN = (
    "Neighbourhood snow clearing volunteers of the east side",
    "Saturday morning community breakfast club 🍙🍵",
    "Ride sharing to the clinic in town every Tuesday",
)
FAMILY = "佐藤 鈴木 高橋 田中 伊藤 渡辺 山本 中村 小林 加藤 吉田 山田 佐々木 山口 松本".split()
GIVEN = "花子 太郎 恵子 誠 和子 勇 キヨ 茂 節子 清 健一 由美 トシ 幸子 博 久子".split()

#: name → (districts, notes of each kind, households); persons fill up to 170 nodes.
SHAPES = {
    "many_notes": (
        12,
        {"group": 30, "activity": 15, "place": 20, "story": 10, "institution": 15, "idea": 25},
        20,
    ),
    "only_persons": (
        1,
        {"group": 8, "activity": 4, "place": 4, "story": 2, "institution": 2, "idea": 6},
        0,
    ),
    "village": (
        12,
        {"group": 10, "activity": 6, "place": 6, "story": 3, "institution": 5, "idea": 6},
        45,
    ),
}
NEEDS = 8


def _label(r: random.Random, kind: str, i: int) -> str:
    return r.choice(
        [f"{r.choice(LONG_JA)}{i}", f"{r.choice(LONG_EN)} {i}", f"🎉サロン{i}✨", f"{kind}の会{i}"]
    )


def shaped(name: str, seed: int = 0) -> dict:
    """The node-link data of the shape ``name`` (a key of :data:`SHAPES`)."""
    r = random.Random(f"{name}-{seed}")
    n_districts, counts, n_households = SHAPES[name]
    districts = [f"{i + 1}丁目" for i in range(n_districts)]
    nodes: list[dict] = []
    edges: list[dict] = []
    ids: dict[str, list[str]] = {}
    for kind, n in [*counts.items(), ("need", NEEDS)]:
        for i in range(n):
            node = f"{kind}{i}"
            extra = {"district": r.choice(districts)} if kind in ("group", "place") else {}
            nodes.append({"id": node, "kind": kind, "label": _label(r, kind, i), **extra})
            ids.setdefault(kind, []).append(node)
    persons: list[str] = []
    for h in range(n_households):
        family, district = r.choice(FAMILY), r.choice(districts)
        alone = r.random() < 0.3
        nodes.append(
            {"id": f"h{h}", "kind": "household", "label": f"{family}さん宅", "district": district}
            | ({"lives_alone": True} if alone else {})
        )
        for j in range(1 if alone else r.randint(2, 3)):
            person = f"p{h}-{j}"
            nodes.append(
                {
                    "id": person,
                    "kind": "person",
                    "label": f"{family} {r.choice(GIVEN)}",
                    "age_band": r.choice(["65-74", "75-84", "85+"]),
                    "district": district,
                }
            )
            edges.append({"source": person, "target": f"h{h}", "kind": "lives_in"})
            persons.append(person)
    k = 0
    while len(nodes) < 170:
        nodes.append(
            {
                "id": f"q{k}",
                "kind": "person",
                "label": f"{r.choice(FAMILY)} {r.choice(GIVEN)}",
                "age_band": "85+",
                "district": r.choice(districts),
            }
        )
        persons.append(f"q{k}")
        k += 1
    homes = [f"h{h}" for h in range(n_households)] or persons
    for person in persons:
        home = r.choice(homes)
        if not person.startswith(f"p{home[1:]}-") and home != person:
            edges.append(
                {"source": person, "target": home, "kind": r.choice(["watch", "snow", "errand"])}
            )
        if r.random() < 0.5:
            edges.append({"source": person, "target": r.choice(ids["group"]), "kind": "member"})
    for i, person in enumerate(persons[:6]):
        edges.append(
            {"source": person, "target": ids["group"][i % len(ids["group"])], "kind": "role"}
        )
    for need in ids["need"]:
        edges.append({"source": r.choice(ids["idea"]), "target": need, "kind": "addresses"})
        edges.append({"source": r.choice(homes), "target": need, "kind": "has_need"})
    return {"graph": {}, "nodes": nodes, "edges": edges}
