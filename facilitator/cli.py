"""The `tsunagari` command line: sessions, import/export, flags and what-if, serving."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from graph.analysis import FLAG_KINDS, flags, whatif
from graph.errors import GraphError
from graph.io import FORMATS, read_graph, write_graph

from .storage import Session, Store

__all__ = ["main"]

DEMO_TITLE = "茶志内地区 お宝さがし（デモ）"


def _lang() -> str:
    """The language of messages: TSUNAGARI_LANG ("ja" or "en"), Japanese by default."""
    return "en" if os.environ.get("TSUNAGARI_LANG", "ja").lower().startswith("en") else "ja"


class UserError(click.ClickException):
    """A mistake the user can fix: printed without a traceback, exit status 2."""

    exit_code = 2

    def show(self, file=None) -> None:
        click.echo(self.format_message(), err=True)


def _fail(error: GraphError) -> UserError:
    return UserError(error.message(_lang()))


def _say(ja: str, en: str) -> str:
    return ja if _lang() == "ja" else en


def _store(ctx: click.Context) -> Store:
    return Store(ctx.obj["data"])


def _open(ctx: click.Context, session_id: str) -> Session:
    try:
        return _store(ctx).open(session_id)
    except GraphError as e:
        raise _fail(e) from None


def _load_graph(ctx: click.Context, source: str):
    """A graph file read directly, or the graph of a session in the data folder."""
    try:
        if Path(source).is_file():
            return read_graph(source), {}
        with _open(ctx, source) as session:
            return session.graph(), session.meta().get("settings", {})
    except GraphError as e:
        raise _fail(e) from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--data",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="TSUNAGARI_DATA",
    default="sessions",
    show_default=True,
    help="Data folder holding one SQLite file per session (env TSUNAGARI_DATA).",
)
@click.pass_context
def main(ctx: click.Context, data: Path) -> None:
    """Tsunagari (つながり): community-building workshops — notes, ties, the community tree.

    Messages are in Japanese; set TSUNAGARI_LANG=en for English.
    """
    ctx.obj = {"data": data}


@main.command()
@click.argument("title")
@click.option("--area", default="", help="District or area the session maps (地区).")
@click.pass_context
def new(ctx: click.Context, title: str, area: str) -> None:
    """Create a session; print its id and join code."""
    try:
        with _store(ctx).create(title, area=area) as session:
            meta = session.meta()
    except GraphError as e:
        raise _fail(e) from None
    click.echo(f"{meta['id']}\t{meta['code']}\t{meta['title']}")


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@click.pass_context
def sessions(ctx: click.Context, as_json: bool) -> None:
    """List the sessions in the data folder."""
    rows = _store(ctx).list()
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo(_say("セッションはまだありません。", "No sessions yet."))
    for row in rows:
        click.echo(
            f"{row['id']}\t{row['code']}\t{row['created'][:10]}\t{row['title']}"
            f"\t{row.get('area') or ''}\t{row['nodes']} nodes / {row['ties']} ties"
        )


@main.command("import")
@click.argument("session_id", metavar="SESSION")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_context
def import_(ctx: click.Context, session_id: str, file: Path) -> None:
    """Import a .graphml, .json or nodes.csv (with ties.csv beside it) into SESSION.

    The whole file is checked first: on any problem nothing is written and every problem is
    listed with its file and line.
    """
    try:
        G = read_graph(file)
        with _open(ctx, session_id) as session:
            session.import_graph(G, actor="cli")
    except GraphError as e:
        raise _fail(e) from None
    click.echo(
        _say(
            f"{G.number_of_nodes()}件のノードと{G.number_of_edges()}件のつながりを取り込みました。",
            f"Imported {G.number_of_nodes()} nodes and {G.number_of_edges()} ties.",
        )
    )


@main.command()
@click.argument("session_id", metavar="SESSION")
@click.option("--format", "fmt", type=click.Choice(FORMATS), required=True, help="File format.")
@click.option(
    "-o", "--output", type=click.Path(path_type=Path), required=True, help="Where to write."
)
@click.pass_context
def export(ctx: click.Context, session_id: str, fmt: str, output: Path) -> None:
    """Export the graph of SESSION (csv: a folder, or a .zip, with nodes.csv and ties.csv)."""
    with _open(ctx, session_id) as session:
        G = session.graph()
    for path in write_graph(G, output, fmt):
        click.echo(str(path))


@main.command("flags")
@click.argument("source", metavar="SESSION_OR_FILE")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array of flags.")
@click.pass_context
def flags_(ctx: click.Context, source: str, as_json: bool) -> None:
    """List the flags (気づき) of a session, or of a graph file read directly."""
    G, settings = _load_graph(ctx, source)
    found = flags(G, settings)
    if as_json:
        items = [f.to_dict(_lang()) for f in found]
        click.echo(json.dumps(items, ensure_ascii=False, indent=2))
        return
    for f in found:
        title = FLAG_KINDS[f.flag][0 if _lang() == "ja" else 1]
        click.echo(f"[{title}] {f.reason_ja if _lang() == 'ja' else f.reason_en}")
    if not found:
        click.echo(_say("気づきはありません。", "No flags."))


@main.command("whatif")
@click.argument("source", metavar="SESSION_OR_FILE")
@click.argument("person")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@click.pass_context
def whatif_(ctx: click.Context, source: str, person: str, as_json: bool) -> None:
    """Which households would lose their support if PERSON were away (in hospital, …)."""
    G, _ = _load_graph(ctx, source)
    try:
        units = whatif(G, person)
    except GraphError as e:
        raise _fail(e) from None
    if as_json:
        click.echo(json.dumps(units, ensure_ascii=False, indent=2))
        return
    for unit in units:
        ja = (
            "外とのつながりがなくなります"
            if unit["effect"] == "isolated"
            else "支え手がいなくなります"
        )
        en = (
            "would lose every outside contact"
            if unit["effect"] == "isolated"
            else ("would have no supporter left")
        )
        click.echo(f"{unit['label']}: {_say(ja, en)}")
    if not units:
        click.echo(_say("影響を受ける世帯はありません。", "No household would be cut off."))


def demo_session(store: Store) -> str:
    """The id of the demo session in ``store``, created from the fictional demo on first use."""
    from graph.demo import demo_graph

    for row in store.list():
        if row["title"] == DEMO_TITLE:
            return row["id"]
    with store.create(DEMO_TITLE, area="茶志内地区", actor="demo") as session:
        session.import_graph(demo_graph(), actor="demo")
        return session.id


@main.command()
@click.pass_context
def demo(ctx: click.Context) -> None:
    """Create the fictional demo session (茶志内地区, ~50 households) if missing; print its id."""
    click.echo(demo_session(_store(ctx)))


@main.command()
@click.option(
    "--host",
    default="0.0.0.0",
    show_default=True,
    help="Address to listen on; 0.0.0.0 lets phones on the same network join.",
)
@click.option(
    "--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="Port."
)
@click.option(
    "--data",
    "data_folder",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Data folder (overrides the --data given before the command).",
)
@click.option(
    "--facilitator-key",
    envvar="TSUNAGARI_FACILITATOR_KEY",
    default=None,
    help="Key of the facilitator URL (env TSUNAGARI_FACILITATOR_KEY); "
    "else one is generated once and kept in the data folder.",
)
@click.option(
    "--threads",
    type=click.IntRange(1, 512),
    default=24,
    show_default=True,
    help="Worker threads: each open live screen holds one, the phones share the rest.",
)
@click.option(
    "--demo", is_flag=True, help="Create the fictional demo session if missing; print its code."
)
@click.pass_context
def serve(
    ctx: click.Context,
    host: str,
    port: int,
    data_folder: Path | None,
    facilitator_key: str | None,
    threads: int,
    demo: bool,
) -> None:
    """Run the workshop server (waitress); print the join URL, its QR code and the facilitator URL."""
    from .serve import ListenError, run

    try:
        run(
            data_folder or ctx.obj["data"],
            host=host,
            port=port,
            key=facilitator_key,
            threads=threads,
            demo=demo,
            echo=click.echo,
            encoding=getattr(sys.stdout, "encoding", None),
        )
    except ListenError as e:
        raise UserError(
            _say(
                f"{host}:{port} で待ち受けられません（{e.reason}）。"
                "別のポートを --port で指定してください。",
                f"cannot listen on {host}:{port} ({e.reason}); choose another port with --port.",
            )
        ) from None


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
