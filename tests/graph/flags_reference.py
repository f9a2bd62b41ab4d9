"""A slow, plain reference of ``graph.analysis``: the flag rules written tie by tie.

It reads the graph only through NetworkX's public views (``G.nodes(data=True)``,
``G.edges(keys=True, data=True)``), makes no attempt at speed, and states each rule the way
DESIGN.md and the analysis docstrings word it, so that the fast path in ``graph/analysis.py``
can be compared with it on random graphs (``tests/graph/test_flags_oracle.py``).
"""

from __future__ import annotations

from graph.vocabulary import (
    DIRECTED_SUPPORT,
    INFORMAL,
    OLDER_AGE_BANDS,
    PARTICIPATION,
    SUPPORT_CATEGORIES,
)

FLAG_ORDER = (
    "isolated_household",
    "single_supporter",
    "winter_risk",
    "infrequent_contact",
    "overloaded_person",
    "no_participation",
    "succession_risk",
    "resource_gap",
)


def _approved_node(attrs, node, exclude) -> bool:
    return attrs.get("status", "approved") == "approved" and node not in exclude


def reference_units(G, exclude=frozenset()) -> dict:
    """Every field of :class:`graph.analysis.Units`, as plain dicts, sets and lists."""
    nodes = {n: a for n, a in G.nodes(data=True) if _approved_node(a, n, exclude)}
    kind = {n: a.get("kind") for n, a in nodes.items()}

    # Homes: a person lives in the smallest approved household with an approved lives_in tie.
    home = {}
    for u, v, _key, d in G.edges(keys=True, data=True):
        if kind.get(u) != "person" or kind.get(v) != "household":
            continue
        if d.get("kind") != "lives_in" or d.get("status", "approved") != "approved":
            continue
        if u not in home or v < home[u]:
            home[u] = v
    unit_of, members, persons = {}, {}, []
    for n, k in kind.items():
        if k == "household":
            unit_of[n] = n
            members.setdefault(n, []).insert(0, n)
        elif k == "person":
            unit_of[n] = home.get(n, n)
            persons.append(n)
            members.setdefault(unit_of[n], []).append(n)

    contact, winter, frequent, formal = set(), set(), set(), set()
    supporters, load, roles, organisers = {}, {}, {}, {}
    participates, snow_into, snow_need, present = set(), set(), set(), set()
    for u, v, _key, d in G.edges(keys=True, data=True):
        if u not in kind or v not in kind:
            continue
        if d.get("status") not in (None, "approved"):
            continue
        tk = d.get("kind")
        uu, uv = unit_of.get(u), unit_of.get(v)
        outside = uu != uv
        u_counts = kind[u] != "institution"
        v_counts = kind[v] != "institution"
        if tk in INFORMAL or tk in PARTICIPATION:
            if outside:
                often = d.get("frequency")
                if not often and tk in PARTICIPATION:
                    often = nodes[v].get("frequency")
                reached = []
                if uu is not None and v_counts:
                    reached.append(uu)
                if uv is not None and u_counts:
                    reached.append(uv)
                for unit in reached:
                    contact.add(unit)
                    if d.get("season") != "not_in_winter":
                        winter.add(unit)
                    if often not in ("monthly", "rarely"):
                        frequent.add(unit)
            if tk in DIRECTED_SUPPORT:
                present.add(tk)
                if uv is not None and outside and u_counts:
                    supporters.setdefault(uv, set()).add(u)
                    if kind[u] == "person":
                        load.setdefault(u, set()).add(uv)
                if tk == "snow" and uv is not None:
                    snow_into.add(uv)
            elif tk in PARTICIPATION:
                participates.add(u)
                if tk == "role":
                    roles.setdefault(u, set()).add(v)
                    organisers.setdefault(v, set()).add(u)
            elif outside:  # talk and kin support either way
                if uv is not None and u_counts:
                    supporters.setdefault(uv, set()).add(u)
                if uu is not None and v_counts:
                    supporters.setdefault(uu, set()).add(v)
        elif tk == "care":
            if uv is not None:
                formal.add(uv)
        elif tk == "has_need":
            if uu is not None and nodes[v].get("category") == "snow":
                snow_need.add(uu)
    return {
        "unit_of": unit_of,
        "members": members,
        "persons": persons,
        "labels": {n: str(a.get("label", n)) for n, a in nodes.items()},
        "contact": contact,
        "winter_contact": winter,
        "frequent_contact": frequent,
        "supporters": supporters,
        "formal": formal,
        "load": load,
        "roles": roles,
        "organisers": organisers,
        "participates": participates,
        "snow_into": snow_into,
        "snow_need": snow_need,
        "kinds_present": present,
        "nodes": nodes,
    }


def reference_flags(G, settings=None) -> list[tuple]:
    """``(flag, node, label, details)`` of every flag, by flag kind then node."""
    limits = {"overload_households": 5, "overload_roles": 3, "overload_sole": 2}
    for key, value in (settings or {}).items():
        if key in limits:
            limits[key] = int(value)
    U = reference_units(G)
    labels, nodes = U["labels"], U["nodes"]
    out = []
    for unit in U["members"]:
        isolated = unit not in U["contact"]
        if isolated:
            out.append(
                ("isolated_household", unit, labels[unit], {"formal_care": unit in U["formal"]})
            )
        helpers = U["supporters"].get(unit, set())
        if not isolated and len(helpers) == 1:
            helper = next(iter(helpers))
            details = {"supporter": helper, "supporter_label": labels[helper]}
            out.append(("single_supporter", unit, labels[unit], details))
        if not isolated and unit not in U["frequent_contact"]:
            out.append(("infrequent_contact", unit, labels[unit], {}))
        summer_only = not isolated and unit not in U["winter_contact"]
        snow_gap = unit in U["snow_need"] and unit not in U["snow_into"]
        if summer_only or snow_gap:
            details = {"summer_only": summer_only, "snow_gap": snow_gap}
            out.append(("winter_risk", unit, labels[unit], details))
    for person in U["persons"]:
        load = len(U["load"].get(person, ()))
        roles = len(U["roles"].get(person, ()))
        sole = sum(1 for s in U["supporters"].values() if s == {person})
        if (
            load >= limits["overload_households"]
            or roles >= limits["overload_roles"]
            or sole >= limits["overload_sole"]
        ):
            details = {"load": load, "roles": roles, "sole": sole}
            out.append(("overloaded_person", person, labels[person], details))
        band = nodes[person].get("age_band")
        if band in OLDER_AGE_BANDS and person not in U["participates"]:
            out.append(("no_participation", person, labels[person], {"age_band": band}))
    for node, organisers in U["organisers"].items():
        persons = [p for p in organisers if nodes[p].get("kind") == "person"]
        if len(persons) == 1:
            details = {"organiser": persons[0], "organiser_label": labels[persons[0]]}
            out.append(("succession_risk", node, labels[node], details))
    for category in SUPPORT_CATEGORIES:
        if category not in U["kinds_present"]:
            out.append(("resource_gap", None, None, {"category": category}))
    out.sort(key=lambda f: (FLAG_ORDER.index(f[0]), f[1] or ""))
    return out
