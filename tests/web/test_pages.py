"""Every page: served offline, escaped, in Japanese first, with a complete catalogue."""

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from facilitator.storage import Store
from graph.demo import demo_graph

ROOT = Path(__file__).parents[2]
PO = ROOT / "facilitator/translations/ja/LC_MESSAGES/messages.po"
MO = PO.with_suffix(".mo")
KEYWORDS = {"_": None, "gettext": None, "lazy_gettext": None, "_l": None}
EXTERNAL = re.compile(
    r"""(?:src|href|action|sse-connect|hx-get|hx-post|data-[\w-]*url)\s*=\s*["']\s*(?:https?:)?//""",
    re.I,
)
XSS = "<img src=x onerror=\"document.title='XSS'\">"


def _msgids():
    found = set()
    for path in ("facilitator", "templates"):
        method = [("**.py", "python")] if path == "facilitator" else [("**.html", "jinja2")]
        for item in extract_from_dir(ROOT / path, method_map=method, keywords=KEYWORDS):
            msgid = item[2]
            found.add(msgid if isinstance(msgid, str) else msgid[0])
    return found


def _catalogue():
    with PO.open("rb") as f:
        return read_po(f)


def test_every_visible_string_has_a_japanese_translation():
    catalogue = _catalogue()
    missing = sorted(m for m in _msgids() if not (catalogue.get(m) and catalogue[m].string))
    assert missing == []


def test_compiled_catalogue_matches_the_po_file():
    with MO.open("rb") as f:
        compiled = {m.id: m.string for m in read_mo(f) if m.id}
    source = {m.id: m.string for m in _catalogue() if m.id and m.string}
    assert compiled == source, "run: pybabel compile -d facilitator/translations -D messages"


@pytest.fixture
def demo(app):
    store = Store(app.config["DATA"])
    with store.create(f"デモ {XSS}", area=XSS) as s:
        G = demo_graph()
        G.add_node("xss", kind="group", label=XSS)
        s.import_graph(G, "test")
        note = s.add_note(s.participant(s.add_participant("<b>x</b>"))["id"], "idea", XSS)
        return s.id, s.meta()["code"], note["id"]


def _pages(app, sid, code):
    rules = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        if rule.endpoint.startswith("api.") or "stream" in rule.rule:
            continue
        values = {"session_id": sid, "code": code, "region": "queue"}
        url = rule.rule
        for arg in rule.arguments:
            if arg not in values:
                break
            url = re.sub(rf"<(?:[^:>]+:)?{arg}>|<any\([^)]*\):{arg}>", values[arg], url)
        else:
            rules.append(url)
    return sorted(set(rules))


def test_no_page_loads_anything_from_another_host_or_unescaped(app, demo):
    sid, code, _ = demo
    fac = app.test_client()
    fac.get("/login?key=test-key")
    phone = app.test_client()
    phone.post("/j", data={"code": code})
    pages = _pages(app, sid, code)
    assert len(pages) > 10
    for url in pages:
        for client in (fac, phone):
            for headers in ({}, {"HX-Request": "true"}):
                response = client.get(url, headers=headers)
                if response.mimetype not in ("text/html",):
                    continue
                text = response.get_data(as_text=True)
                assert not EXTERNAL.search(text), url
                assert "<img src=x" not in text, url
                assert "Content-Security-Policy" in response.headers


def test_pages_are_japanese_by_default_and_english_on_request(client):
    assert "参加" in client.get("/j").get_data(as_text=True)
    assert "Join" in client.get("/j", headers={"Accept-Language": "en"}).get_data(as_text=True)
    english = client.get("/j?lang=en")
    assert 'lang="en"' in english.get_data(as_text=True)
    assert 'lang="en"' in client.get("/j").get_data(as_text=True)  # the switch is remembered


def test_every_setting_is_documented_in_the_readme():
    from facilitator import SETTINGS

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for setting in SETTINGS:
        assert f"| `{setting}` |" in readme, setting
