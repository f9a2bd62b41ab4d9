"""The live stream brings the tree along (stream_push.py): a tree screen gets the picture of
each change without asking, the same one tree.json gives, projector-safe on the projector,
and only while the facilitator is logged in."""

import json

from facilitator import live_model
from tests.web.conftest import KEY

SECRET = "佐藤 花子"  # a resident without consent: the room sees a pseudonym, never this


def _events(text: str) -> list[tuple[str, str]]:
    out = []
    for block in text.split("\n\n"):
        lines = dict(
            line.split(": ", 1) for line in block.splitlines() if ": " in line and line[0] != ":"
        )
        if "event" in lines:
            out.append((lines["event"], lines.get("data", "")))
    return out


def _approve(fac, store, session_id, kind="person", text=SECRET):
    with store.open(session_id) as s:
        phone = s.participant(s.add_participant("p"))["id"]
        note = s.add_note(phone, kind, text)["id"]
    answer = fac.post(f"/api/v1/sessions/{session_id}/notes/{note}/approve")
    assert answer.status_code == 200, answer.text
    return answer.get_json()["node"]["id"]


def _stream(client, session_id, after, tree):
    query = f"once=1&after={after}" + (f"&tree={tree}" if tree else "")
    response = client.get(f"/sessions/{session_id}/stream?{query}")
    assert response.status_code == 200
    return _events(response.get_data(as_text=True))


def _seq(store, session_id):
    with store.open(session_id) as s:
        return s.last_seq()


def test_the_projector_stream_carries_the_projector_tree_of_the_change(fac, store, session_id):
    _approve(fac, store, session_id, "group", "朝市の会")
    before = _seq(store, session_id)
    node = _approve(fac, store, session_id)
    events = _stream(fac, session_id, before, "projector")
    names = [name for name, _ in events]
    assert names[-1] == "changed" and "tree" in names
    assert names.index("tree") < names.index("changed")
    pushed = json.loads(dict(events)["tree"])
    asked = fac.get(f"/sessions/{session_id}/tree.json?view=projector").get_json()
    assert pushed == asked
    assert pushed["seq"] == _seq(store, session_id)
    assert node in {n["id"] for n in pushed["nodes"]}
    # Projector-safe: no name without consent, no flag.
    assert SECRET not in json.dumps(pushed, ensure_ascii=False)
    assert pushed["flags"] == [] and pushed["flags_total"] == 0


def test_the_facilitators_stream_carries_the_private_tree(fac, store, session_id):
    before = _seq(store, session_id)
    _approve(fac, store, session_id)
    pushed = json.loads(dict(_stream(fac, session_id, before, "private"))["tree"])
    assert pushed == fac.get(f"/sessions/{session_id}/tree.json").get_json()
    assert SECRET in {n["name"] for n in pushed["nodes"]}


def test_no_tree_comes_along_unasked_or_for_a_change_the_tree_does_not_show(
    fac, store, session_id
):
    before = _seq(store, session_id)
    _approve(fac, store, session_id)
    assert "tree" not in dict(_stream(fac, session_id, before, None))
    assert "tree" not in dict(_stream(fac, session_id, before, "anything"))
    approved = _seq(store, session_id)
    with store.open(session_id) as s:  # a written note: the tree does not change
        s.add_note(s.participant(s.add_participant("q"))["id"], "idea", "草刈り")
    assert "tree" not in dict(_stream(fac, session_id, approved, "projector"))
    # A screen catching up from 0 loads its picture itself.
    assert "tree" not in dict(_stream(fac, session_id, 0, "projector"))


def test_a_stream_whose_facilitator_logged_out_carries_no_more_trees(app, store, session_id):
    browser = app.test_client()
    assert browser.get(f"/login?key={KEY}").status_code == 302
    response = browser.get(
        f"/sessions/{session_id}/stream?after={_seq(store, session_id)}&tree=private",
        buffered=False,
    )
    chunks = iter(response.response)
    assert next(chunks).startswith(b"retry:")
    assert browser.post("/logout").status_code in (200, 302, 303)
    _approve(browser_with_key(app), store, session_id)
    app.extensions["tsunagari_broker"].notify(session_id)
    rest = b"".join(chunks).decode()  # the stream ends instead of carrying the picture
    assert SECRET not in rest and "event: tree" not in rest
    response.close()


def browser_with_key(app):
    other = app.test_client()
    assert other.get(f"/login?key={KEY}").status_code == 302
    return other


def test_screens_on_the_stream_and_asking_share_one_layout_per_approved_note(
    fac, store, session_id
):
    _approve(fac, store, session_id, "group", "朝市の会")
    fac.get(f"/sessions/{session_id}/tree.json")
    before = _seq(store, session_id)
    _approve(fac, store, session_id)
    counts = dict(live_model.COUNTS)
    for tree in ("projector", "private", "projector", "private"):
        assert "tree" in dict(_stream(fac, session_id, before, tree))
    fac.get(f"/sessions/{session_id}/tree.json")
    fac.get(f"/sessions/{session_id}/tree.json?view=projector")
    spent = {k: live_model.COUNTS.get(k, 0) - counts.get(k, 0) for k in live_model.COUNTS}
    assert spent.get("layout", 0) <= 1 and spent.get("analyse", 0) <= 1
    assert spent.get("update", 0) + spent.get("rebuild", 0) <= 1
    assert spent.get("payload", 0) <= 2  # one per view


def _data(text: str, event: str) -> str:
    for block in text.split("\n\n"):
        lines = block.split("\n")
        if f"event: {event}" in lines:
            return "\n".join(line[6:] for line in lines if line.startswith("data: "))
    raise AssertionError(f"no {event} event")


def test_the_wall_projectors_stream_carries_the_wall_of_the_change(fac, store, session_id):
    before = _seq(store, session_id)
    node = _approve(fac, store, session_id)
    response = fac.get(f"/sessions/{session_id}/stream?once=1&after={before}&wall=1")
    text = response.get_data(as_text=True)
    pushed = _data(text, "wall")
    asked = fac.get(f"/sessions/{session_id}/projector/wall", headers={"HX-Request": "true"})
    assert pushed == asked.get_data(as_text=True)
    assert f'data-node="{node}"' in pushed and SECRET not in pushed
    assert text.index("event: wall") < text.index("event: changed")
    # Not unasked, and not for a change the wall does not show.
    assert "event: wall" not in fac.get(
        f"/sessions/{session_id}/stream?once=1&after={before}"
    ).get_data(as_text=True)
