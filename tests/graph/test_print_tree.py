"""Tests for graph.print_tree: the tree on paper, readable where it is printed."""

from __future__ import annotations

import pytest

from graph.demo import demo_graph
from graph.print_tree import PT, print_tree
from graph.pseudonym import public_labels
from graph.report import report_lists


@pytest.fixture(scope="module")
def demo():
    return demo_graph()


@pytest.mark.parametrize("width", [182.0, 396.0, 564.0])
def test_no_two_notes_overlap_and_all_fit_the_paper(demo, width):
    T = print_tree(demo, public_labels(demo, content=True), width=width)
    notes = T["notes"]
    for i, a in enumerate(notes):
        assert 0 <= a["x"] and a["x"] + a["w"] <= width + 0.01
        for b in notes[i + 1 :]:
            apart = (
                a["x"] + a["w"] <= b["x"]
                or b["x"] + b["w"] <= a["x"]
                or a["y"] + a["h"] <= b["y"]
                or b["y"] + b["h"] <= a["y"]
            )
            assert apart, (a["id"], b["id"])
    assert T["font"] * 0.85 >= 7 * PT  # residents' lines too


def test_every_resident_is_in_their_households_note(demo):
    labels = {n: demo.nodes[n]["label"] for n in demo}
    T = print_tree(demo, labels)
    households = {n["id"]: " ".join(n["small"]) for n in T["notes"] if n["kind"] == "household"}
    assert len(households) == 50
    for u, v, kind in demo.edges(data="kind"):
        if kind == "lives_in":
            assert labels[u].split()[0] in households[v].replace(" ", " ")


def test_a4_tree_fits_one_page(demo):
    assert print_tree(demo, public_labels(demo, content=True))["height"] < 240


def test_report_lists_what_a_meeting_reads(demo):
    L = report_lists(demo, public_labels(demo, content=True))
    assert "くりの木サロン" in L["treasures"]["group"]
    assert ("ゴミ出しが大変", 6) == L["needs"][0][:2]
    assert {stage for _, stage, _ in L["ideas"]} <= {"proposed", "trial", "realised"}
    assert len(L["ideas"]) == 4
