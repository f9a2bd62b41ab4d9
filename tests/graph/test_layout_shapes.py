"""The tree layout on maps that are not the demo (issue 9): generated sessions of ~170 nodes
with many notes and long labels, persons only, a village in 12 districts."""

import math

import pytest

from graph.analysis import analyse
from graph.formats.nodelink import from_node_link
from graph.layout import PERSON_DOT, SCREEN, SLOTS, note_width, slot_of, tree_layout
from tests.shapes import SHAPES, shaped

#: The smallest note text on a 1920×1080 projector each shape must keep (px). The demo's mix
#: (≈80 notes) and a village like it get the issue's 20 px; a map of 135 notes cannot hold 20
#: px notes on one screen, but must not fall back to a tower of tiny notes (it was 9 px).
FLOOR = {"village": 20.0, "only_persons": 20.0, "many_notes": 17.0}


def _boxes(G, layout):
    boxes = {}
    for node, (x, y) in layout.positions.items():
        attrs = G.nodes[node]
        slot = slot_of(attrs["kind"], node in layout.trunk)
        w = note_width(attrs) if slot is SLOTS["note"] else slot.w
        if slot is SLOTS["person"]:  # a dot with its label beneath
            boxes[node] = (x - w / 2, y - PERSON_DOT, x + w / 2, y - PERSON_DOT + slot.h)
        else:
            boxes[node] = (x - w / 2, y - slot.h / 2, x + w / 2, y + slot.h / 2)
    return boxes


def _overlapping(boxes):
    found = []
    ordered = sorted(boxes.items(), key=lambda item: item[1][0])
    for i, (a, (_l1, t1, r1, b1)) in enumerate(ordered):
        for b, (l2, t2, _r2, b2) in ordered[i + 1 :]:
            if l2 >= r1 - 0.01:
                break
            if t1 < b2 - 0.01 and t2 < b1 - 0.01:
                found.append((a, b))
    return found


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("name", sorted(SHAPES))
def test_a_generated_session_fills_a_projector_with_notes_that_do_not_overlap(name, seed):
    G = from_node_link(shaped(name, seed))
    layout = tree_layout(G, analyse(G))
    boxes = _boxes(G, layout)
    assert set(boxes) == set(G.nodes)
    assert not _overlapping(boxes)
    width = max(b[2] for b in boxes.values()) - min(b[0] for b in boxes.values())
    height = max(b[3] for b in boxes.values()) - min(b[1] for b in boxes.values())
    scale = min(SCREEN[0] / width, SCREEN[1] / height)
    assert SLOTS["note"].font * scale >= FLOOR[name], (width, height, scale)


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_one_new_note_moves_no_other_far_on_a_generated_session(name):
    G = from_node_link(shaped(name, 0))
    before = tree_layout(G).positions
    G.add_node("new", kind="group", label="新しいサークル")
    after = tree_layout(G).positions
    shifts = sorted(math.dist(before[n], after[n]) for n in before)
    assert shifts[len(shifts) // 2] <= SLOTS["note"].w  # the median note barely moves
