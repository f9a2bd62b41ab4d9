"""The start-up shortcuts (facilitator/startup.py) change no URL and no page."""

import re

from werkzeug.routing import Map, Rule

from facilitator import create_app
from facilitator.startup import LazyBuilderRule


def _sample(rule: Rule) -> dict[str, object]:
    """A value every argument of ``rule`` accepts: a choice it lists, a number, or text."""
    values: dict[str, object] = {}
    for i, name in enumerate(sorted(rule.arguments)):
        converter = rule._converters.get(name)
        if items := getattr(converter, "items", None):
            values[name] = sorted(items)[0]
        elif type(converter).__name__ in ("IntegerConverter", "NumberConverter"):
            values[name] = i + 3
        else:
            values[name] = f"茶志内 {i}/x"
    return values


def test_every_route_builds_the_same_url_as_werkzeug_would(app):
    rules = [r for r in app.url_map.iter_rules() if r.endpoint != "static"]
    assert len(rules) > 50 and all(isinstance(r, LazyBuilderRule) for r in rules)
    plain = Map([Rule(r.rule, endpoint=r.endpoint, methods=r.methods) for r in rules])
    lazy, eager = app.url_map.bind("hall.local"), plain.bind("hall.local")
    for rule in rules:
        values = _sample(rule) | {"page": "2", "q": "さとう"}  # unknown ones go to the query
        method = sorted(rule.methods - {"HEAD", "OPTIONS"})[0]
        for full in (False, True):
            assert lazy.build(rule.endpoint, values, method=method, force_external=full) == (
                eager.build(rule.endpoint, values, method=method, force_external=full)
            ), rule.rule


def _without_tokens(page: str) -> str:
    return re.sub(r"[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{20,}", "<token>", page)


def test_a_second_server_draws_the_phones_page_as_the_first(tmp_path):
    pages = []
    for n in range(2):  # the second finds the first's compiled templates in the cache
        app = create_app({"DATA": tmp_path / str(n), "FACILITATOR_KEY": "k" * 20})
        page = app.test_client().get("/j")
        assert page.status_code == 200
        pages.append(_without_tokens(page.get_data(as_text=True)))
    assert "参加する" in pages[0] and "画面に出ているコード" in pages[0]
    assert pages[0] == pages[1]
