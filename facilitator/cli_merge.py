"""`tsunagari merge`: neighbourhood maps into a new session, never joining two people silently."""

from __future__ import annotations

import json
from pathlib import Path

import click

from graph.errors import GraphError
from graph.io import read_graph
from graph.merge import Candidate, candidates, merge, read_decisions

from .cli_common import UserError, fail, say
from .storage import Store

__all__ = ["merge_"]

_FIELDS = (
    ("age_band", "年齢", "age"),
    ("district", "地区", "district"),
    ("household", "世帯", "home"),
)


def _source_key(ref: str, taken: set[str]) -> str:
    key = Path(ref).stem if Path(ref).is_file() else ref
    base, n = key, 2
    while key in taken:
        key, n = f"{base}_{n}", n + 1
    taken.add(key)
    return key


def _load(data: Path, ref: str):
    try:
        if Path(ref).is_file():
            return read_graph(ref)
        with Store(data).open(ref) as session:
            return session.graph()
    except GraphError as e:
        raise fail(e) from None


def _side(c: Candidate, i: int) -> str:
    (source, node), label = c.nodes[i], c.labels[i]
    ev = c.evidence[i] if c.evidence else None
    facts = []
    if ev is not None:
        for field, ja, en in _FIELDS:
            facts.append(f"{say(ja, en)}: {getattr(ev, field) or '?'}")
        facts.append(say("つながり", "ties") + f": {'; '.join(ev.ties) or '-'}")
    return f"{label} [{source}:{node}] " + ", ".join(facts)


def _listing(found: list[Candidate]) -> None:
    for c in found:
        mark = say("（同じ名前）", " (same name)") if c.exact else ""
        differ = ""
        if c.differences:
            words = {f: say(ja, en) for f, ja, en in _FIELDS}
            differ = say("　違う/不明: ", "  differs or unknown: ") + ", ".join(
                words[f] for f in c.differences
            )
        click.echo(f"{c.id}{mark}{differ}")
        for i in range(2):
            click.echo(f"  {'AB'[i]}: {_side(c, i)}")


def _decisions_template(found: list[Candidate]) -> str:
    entries = [
        {
            "nodes": [
                {"source": s, "id": n, "label": label}
                for (s, n), label in zip(c.nodes, c.labels, strict=True)
            ]
        }
        for c in found
    ]
    return json.dumps({"accept": [], "reject": entries}, ensure_ascii=False, indent=1)


@click.command("merge")
@click.argument("sources", metavar="A B ...", nargs=-1, required=True)
@click.option("-o", "--title", required=True, help="Title of the new, merged session.")
@click.option("--area", default="", help="District or area of the merged session (地区).")
@click.option(
    "--decisions",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help='JSON {"accept": [...], "reject": [...]} of pairs by node ids (as --template writes).',
)
@click.option(
    "--template",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write a decisions file listing every candidate under reject, to edit.",
)
@click.option(
    "--auto",
    is_flag=True,
    help="Join exact matches only (people: same name, age band, district and household).",
)
@click.pass_context
def merge_(
    ctx: click.Context,
    sources: tuple[str, ...],
    title: str,
    area: str,
    decisions: Path | None,
    template: Path | None,
    auto: bool,
) -> None:
    """Merge sessions (or graph files) into a NEW session; print its id. Sources are unchanged.

    Without --decisions or --auto the duplicate candidates are listed side by side (age
    band, district, household, ties) and nothing is created (exit status 2). Decisions name
    each pair by its two nodes and sources, so a changed source never moves one; a decision
    about a pair that is no longer a candidate, or whose names changed, is refused (exit 2).
    --auto joins exact matches only: never two people whose age band, household or district
    differs or is unknown.
    """
    if len(sources) < 2:
        raise UserError(say("2つ以上指定してください。", "give at least two sources."))
    if decisions and auto:
        raise UserError(
            say(
                "--decisions と --auto は一緒に使えません。",
                "use --decisions or --auto, not both.",
            )
        )
    taken: set[str] = set()
    graphs = {_source_key(ref, taken): _load(ctx.obj["data"], ref) for ref in sources}
    found = candidates(graphs)
    if template:
        template.write_text(_decisions_template(found), encoding="utf-8")
    accepted: set[str] | str = "auto" if auto else set()
    if decisions:
        try:
            chosen = read_decisions(json.loads(decisions.read_text("utf-8-sig")))
            chosen.check(found)
        except (ValueError, UnicodeDecodeError) as e:
            raise UserError(
                say(
                    f"{decisions}: JSON として読めません（{e}）。", f"{decisions}: not JSON ({e})."
                )
            ) from None
        except GraphError as e:
            raise fail(e) from None
        accepted = set(chosen.accept)
        undecided = [c.id for c in found if c.id not in chosen.accept | chosen.reject]
        if undecided:
            click.echo(
                say(
                    f"未決定の候補（別々のまま）: {', '.join(undecided)}",
                    f"undecided candidates (kept apart): {', '.join(undecided)}",
                ),
                err=True,
            )
    elif not auto and found:
        _listing(found)
        raise UserError(
            say(
                "重複の候補があります。--template FILE で決定ファイルを書き出し、"
                "同じものを accept に移して --decisions FILE で指定するか、"
                "--auto（すべてが一致するものだけ統合）を指定してください。",
                "there are duplicate candidates: write a decisions file with --template FILE, "
                "move the pairs that are the same to accept and give it with --decisions FILE, "
                "or use --auto (--auto merges exact matches only).",
            )
        )
    try:
        merged = merge(graphs, accepted, title=title, area=area)
        with Store(ctx.obj["data"]).create(title, area=area, graph=merged) as session:
            session_id = session.id
    except GraphError as e:
        raise fail(e) from None
    click.echo(session_id)
