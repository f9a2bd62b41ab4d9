"""What several of the coordinator's test modules use."""

from graph.demo import demo_graph

HX = {"HX-Request": "true"}
#: Every person and household label of the demo: a pseudonymised output holds none of them.
DEMO_NAMES = sorted(
    {d["label"] for _, d in demo_graph().nodes(data=True) if d["kind"] in ("person", "household")}
)


def names_in(data: bytes) -> list[str]:
    return [name for name in DEMO_NAMES if name.encode() in data]
