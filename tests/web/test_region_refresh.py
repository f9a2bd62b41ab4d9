"""The dashboard refreshes every region a change touched in one request, and only those."""

import re

import pytest
from flask import template_rendered

from facilitator.regions import touched
from facilitator.storage import Store
from graph.demo import demo_graph

HX = {"HX-Request": "true"}
#: Every region the dashboard refreshes live, each with the seq it was drawn at.
ALL = ("queue", "feed", "counts", "controls", "tie_form", "tie_results", "nodes", "flags")


@pytest.fixture
def demo_id(app):
    with Store(app.config["DATA"]).create("茶志内 デモ") as s:
        s.import_graph(demo_graph(), "test")
        return s.id


@pytest.fixture
def rendered(app):
    """The names of the templates rendered while the test runs."""
    names: list[str] = []

    def record(sender, template, context, **extra):
        names.append(template.name)

    template_rendered.connect(record, app)
    yield names
    template_rendered.disconnect(record, app)


def _note(app, session_id: str, text: str = "朝市を開く") -> tuple[str, int]:
    with Store(app.config["DATA"]).open(session_id) as s:
        phone = s.participant(s.add_participant("スマホ"))["id"]
        note = s.add_note(phone, "idea", text)["id"]
        return note, s.last_seq()


def _regions(fac, session_id: str, since: int, names=ALL, **options):
    query = "&".join(
        [*(f"{name}={since}" for name in names), *(f"{k}={v}" for k, v in options.items())]
    )
    return fac.get(f"/sessions/{session_id}/regions?{query}", headers=HX)


def _swapped(html: str) -> dict[str, str]:
    """The out-of-band regions of an answer: id → its HTML."""
    found = {}
    for match in re.finditer(r'<(section|div) id="([\w-]+)"[^>]*hx-swap-oob="true"', html):
        end = html.find(f"</{match.group(1)}>\n", match.end())
        found[match.group(2)] = html[match.start() : end]
    return found


def test_one_request_redraws_every_region_an_approved_note_touched(app, fac, demo_id):
    note, seq = _note(app, demo_id)
    before = _swapped(_regions(fac, demo_id, seq - 1).get_data(as_text=True))
    assert "data-queue-count>1<" in before["queue"]
    approved = fac.post(f"/sessions/{demo_id}/notes/{note}/approve", headers=HX)
    assert approved.status_code == 200

    answer = _regions(fac, demo_id, seq, open=1)
    assert answer.status_code == 200
    regions = _swapped(answer.get_data(as_text=True))
    # Each region the approval touched, drawn as it is now, by its id, at the new seq.
    assert set(regions) == {"queue", "feed", "counts", "tie-form", "node-results", "flags"}
    assert "data-queue-count>0<" in regions["queue"]
    assert "朝市を開く" in regions["node-results"] and "朝市を開く" in regions["tie-form"]
    assert "地図に追加済み" in regions["feed"]  # the note is "on the map" in the feed
    for html in regions.values():
        assert f"since={seq + 1}" in html
    # The tie list and the controls show nothing an approved note changes: not drawn.
    assert "tie-results" not in regions and "controls" not in regions


def test_an_untouched_region_is_not_drawn_and_nothing_touched_is_204(app, fac, demo_id, rendered):
    note, seq = _note(app, demo_id)
    # A written note touches the queue, the feed and the counts; the map's regions stay.
    answer = _regions(fac, demo_id, seq - 1)
    assert set(_swapped(answer.get_data(as_text=True))) == {"queue", "feed", "counts"}
    assert "facilitation/_node_results.html" not in rendered
    assert "facilitation/_tie_results.html" not in rendered
    assert "facilitation/_flags.html" not in rendered
    rendered.clear()
    # Drawn at the newest seq already: nothing to draw, nothing rendered.
    assert _regions(fac, demo_id, seq).status_code == 204
    assert rendered == []


def test_the_closed_tie_form_stays_when_a_note_is_approved_and_follows_an_edit(app, fac, demo_id):
    note, seq = _note(app, demo_id)
    assert fac.post(f"/sessions/{demo_id}/notes/{note}/approve", headers=HX).status_code == 200
    closed = _regions(fac, demo_id, seq, names=("tie_form_closed", "tie_results"))
    assert closed.status_code == 204
    page = fac.get(f"/sessions/{demo_id}").get_data(as_text=True)
    assert 'data-region="tie_form_closed"' in page  # the demo has notes to join: closed form
    with Store(app.config["DATA"]).open(demo_id) as s:
        node = next(n["id"] for n in s.db["nodes"].rows if n["label"] == "朝市を開く")
        s.update_node(node, "test", label="朝市をひらく")
    redrawn = _regions(fac, demo_id, seq + 1, names=("tie_form_closed", "tie_results"))
    assert set(_swapped(redrawn.get_data(as_text=True))) == {"tie-form", "tie-results"}


def test_the_regions_keep_their_own_options(app, fac, demo_id):
    note, seq = _note(app, demo_id)
    fac.post(f"/sessions/{demo_id}/notes/{note}/approve", headers=HX)
    answer = _regions(fac, demo_id, seq, names=("nodes",), q="朝市")
    results = _swapped(answer.get_data(as_text=True))["node-results"]
    assert "朝市を開く" in results and "q=%E6%9C%9D%E5%B8%82" in results
    assert results.count("data-node=") == 1


def test_without_htmx_the_regions_answer_is_the_dashboard(fac, demo_id):
    answer = fac.get(f"/sessions/{demo_id}/regions?queue=0")
    assert answer.status_code == 303
    assert answer.headers["Location"].endswith(f"/sessions/{demo_id}")


def test_the_stream_names_what_an_approval_touched(app, demo_id):
    note, seq = _note(app, demo_id)
    with Store(app.config["DATA"]).open(demo_id) as s:
        s.approve_note(note, "test")
        assert touched(s, seq) == {"queue", "feed", "counts", "ties", "tie_form", "nodes"} | {
            "flags",
            "wall",
            "tree",
        }
        assert touched(s, seq - 1) >= {"queue", "feed", "counts"}
        assert touched(s, s.last_seq()) == frozenset()
        assert "tie_results" in touched(s, 0)  # too far back or unknown: everything


def test_a_session_file_made_again_under_its_name_is_read_afresh(app, demo_id):
    # What a change touched is kept per file and seqs (every screen's stream asks the same):
    # a file put in its place (a backup brought back) holds other events at the same seqs.
    store = Store(app.config["DATA"])
    note, seq = _note(app, demo_id)
    with store.open(demo_id) as s:
        path = s.path
        s.approve_note(note, "test")
        assert "nodes" in touched(s, seq, seq + 1)
    with store.create("別の会") as other:
        other_path = other.path
        for n in range(seq + 1 - other.last_seq()):
            other.set_meta("test", title=f"別の会 {n}")  # changes of the meta only
        after = other.last_seq() - 1
    assert after == seq  # the same seqs as the change asked about above
    replaced = path.with_name("replacement.sqlite")
    replaced.write_bytes(other_path.read_bytes())
    for suffix in ("-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    replaced.replace(path)
    with store.open(demo_id) as s:
        assert s.last_seq() == after + 1
        assert (
            touched(s, after, after + 1)
            == touched(s, after)
            == {"controls", "counts"}
            | {
                "flags",
                "tree",
            }
        )
