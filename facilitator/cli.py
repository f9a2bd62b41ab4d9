"""The `tsunagari` command line: sessions, import/export, flags and what-if, serving."""

from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path

import click

from graph.analysis import FLAG_KINDS, flags, whatif
from graph.compare import diff as compare_graphs
from graph.compare import summary
from graph.errors import GraphError
from graph.io import FORMATS, read_graph, write_graph

from .cli_common import UserError, fail, lang, say
from .cli_import import import_
from .cli_merge import merge_
from .console import safe_console
from .localtime import local_date
from .storage import Session, Store, demo_session

__all__ = ["main"]


_lang = lang
_fail = fail
_say = say


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

    Messages are in Japanese; set TSUNAGARI_LANG=en for English. Characters the console
    cannot show (𠮷 or emoji on a Windows console) are printed as "?".
    """
    safe_console()
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
    rows, damaged = _store(ctx).scan()
    for item in damaged:  # one broken file breaks one session: say which, list the rest
        click.echo(
            _say(
                f"壊れていて読めないファイル: {item['file']}（{item['problem']}）",
                f"damaged, cannot be read: {item['file']} ({item['problem']})",
            ),
            err=True,
        )
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows and not damaged:
        click.echo(_say("セッションはまだありません。", "No sessions yet."))
    for row in rows:
        click.echo(
            f"{row['id']}\t{row['code']}\t{local_date(row['created'])}\t{row['title']}"
            f"\t{row.get('area') or ''}\t{row['nodes']} nodes / {row['ties']} ties"
        )


main.add_command(import_)
main.add_command(merge_)


@main.command()
@click.argument("session_id", metavar="SESSION")
@click.option("--format", "fmt", type=click.Choice(FORMATS), required=True, help="File format.")
@click.option(
    "-o", "--output", type=click.Path(path_type=Path), required=True, help="Where to write."
)
@click.option(
    "--real-names",
    is_flag=True,
    help="Write residents' real names (default: pseudonyms such as 世帯-001, 人-014).",
)
@click.pass_context
def export(ctx: click.Context, session_id: str, fmt: str, output: Path, real_names: bool) -> None:
    """Export the graph of SESSION, pseudonymised unless --real-names; the export is logged.

    csv: a folder, or a .zip, with nodes.csv and ties.csv; gexf opens in Gephi.
    """
    with _open(ctx, session_id) as session:
        paths = write_graph(session.export_graph(real_names), output, fmt)
        session.log_export("cli", fmt, real_names, path=output)
    for path in paths:
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
@click.option(
    "--wifi",
    "wifi_ssid",
    envvar="TSUNAGARI_WIFI",
    default=None,
    help="The hall network (say, this laptop's hotspot): the projector shows its Wi-Fi QR "
    "beside the join QR (env TSUNAGARI_WIFI).",
)
@click.option(
    "--wifi-password",
    envvar="TSUNAGARI_WIFI_PASSWORD",
    default=None,
    help="Its WPA password, 8 to 63 characters (env TSUNAGARI_WIFI_PASSWORD); none: open network.",
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
    wifi_ssid: str | None,
    wifi_password: str | None,
) -> None:
    """Run the workshop server (waitress); print the join URL, its QR code and the facilitator URL."""
    from .serve import ListenError, StartError, run
    from .wifi import wifi_problems

    if problems := wifi_problems(wifi_ssid, wifi_password):
        raise UserError(_say(*problems[0]))

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
            wifi=(wifi_ssid, wifi_password) if wifi_ssid else None,
        )
    except StartError as e:
        raise UserError(_say(e.ja, e.en)) from None
    except ListenError as e:
        raise UserError(
            _say(
                f"{host}:{port} で待ち受けられません（{e.reason}）。"
                "別のポートを --port で指定してください。",
                f"cannot listen on {host}:{port} ({e.reason}); choose another port with --port.",
            )
        ) from None


@main.command()
@click.argument("session_id", metavar="SESSION")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The backup file to write (an SQLite file; replaced if it exists).",
)
@click.pass_context
def backup(ctx: click.Context, session_id: str, output: Path) -> None:
    """Copy SESSION's file to OUTPUT with SQLite's online backup (safe while serving)."""
    with _open(ctx, session_id) as session:
        try:
            session.backup(output)
        except (OSError, sqlite3.Error) as e:
            raise UserError(
                _say(
                    f"{output} に書き込めません（{e}）。",
                    f"cannot write {output} ({e}).",
                )
            ) from None
    click.echo(str(output))


def _graph_at(ctx: click.Context, ref: str):
    """The graph and settings of a file, a session, or ``SESSION@SEQ`` (after event SEQ)."""
    if Path(ref).is_file() or "@" not in ref:
        return _load_graph(ctx, ref)
    session_id, _, seq_text = ref.rpartition("@")
    if not (seq_text.isascii() and seq_text.isdigit()) or len(seq_text) > 18:
        raise UserError(
            _say(
                f"{ref}: @ の後にはイベント番号（数字）を書いてください。",
                f"{ref}: expected SESSION@SEQ with SEQ an event number.",
            )
        )
    with _open(ctx, session_id) as session:
        seq, last = int(seq_text), session.last_seq()
        if seq > last:
            raise UserError(
                _say(
                    f"{ref}: このセッションのイベントは{last}番までです。",
                    f"{ref}: the session's last event is {last}.",
                )
            )
        return session.replay(seq), session.meta().get("settings", {})


@main.command("diff")
@click.argument("before", metavar="A")
@click.argument("after", metavar="B")
@click.option("--json", "as_json", is_flag=True, help="Print the whole comparison as JSON.")
@click.option(
    "--names", is_flag=True, help="Name the households and helpers in the summary (private)."
)
@click.pass_context
def diff_(ctx: click.Context, before: str, after: str, as_json: bool, names: bool) -> None:
    """Compare A (before) with B (after): sessions, graph files, or SESSION@SEQ.

    SESSION@SEQ is the session as it stood after event SEQ. Prints a summary to paste into a
    meeting document (counts only unless --names) and the counts.
    """
    A, settings_a = _graph_at(ctx, before)
    B, settings_b = _graph_at(ctx, after)
    d = compare_graphs(A, B, settings_b or settings_a)
    if as_json:
        click.echo(json.dumps(d.to_dict(), ensure_ascii=False, indent=2, default=str))
        return
    click.echo(summary(d, lang=_lang(), names=names))
    click.echo("")
    was, now = d.counts["before"], d.counts["after"]
    rows = (
        (_say("ノード", "nodes"), was["nodes"], now["nodes"], d.nodes_added, d.nodes_removed),
        (_say("つながり", "ties"), was["ties"], now["ties"], d.ties_added, d.ties_removed),
    )
    for what, n_was, n_now, added, removed in rows:
        click.echo(f"{what}: {n_was} → {n_now} (+{len(added)} / -{len(removed)})")
    click.echo(f"{_say('つながり要確認', 'to check')}: {was['isolated']} → {now['isolated']}")
    for what, items in (
        (_say("変更されたノード", "changed nodes"), d.nodes_changed),
        (_say("変更されたつながり", "changed ties"), d.ties_changed),
        (_say("名前で照合", "matched by name"), d.matches),
        (_say("新たな気づき", "new flags"), d.flags_added),
        (_say("解消した気づき", "resolved flags"), d.flags_resolved),
    ):
        if items:
            click.echo(f"{what}: {len(items)}")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
