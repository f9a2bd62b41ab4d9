"""`tsunagari import`: a file into a session — new nodes, or the update of an edited export."""

from __future__ import annotations

from pathlib import Path

import click

from graph.errors import GraphError, NeedsMapping
from graph.io import read_graph

from .cli_common import UserError, fail, say
from .storage import Store
from .storage.updates import FileUpdate

__all__ = ["import_", "parse_map"]

# Lines of added / changed / removed listed before asking; the rest is counted.
_SHOWN = 30
_TABLE_WORDS = {"nodes": ("", ""), "ties": ("つながり ", "tie ")}


def parse_map(pairs: tuple[str, ...]) -> dict[str, str]:
    """``("団体名=名称", "備考=-")`` → ``{"団体名": "名称", "備考": "-"}``; UserError otherwise."""
    mapping = {}
    for pair in pairs:
        old, sep, new = pair.partition("=")
        if not sep or not old.strip() or not new.strip():
            raise UserError(
                say(
                    f"--map は 元の列名=新しい列名 の形で指定してください: {pair!r}",
                    f"--map takes OLD=NEW (a header of the file = a column): {pair!r}",
                )
            )
        mapping[old.strip()] = new.strip()
    return mapping


def _mapping_help(e: NeedsMapping) -> UserError:
    rows = "\n".join("  " + " | ".join(row) for row in e.rows)
    first = e.columns[0] if e.columns else "列名"
    return UserError(
        say(
            f"{e.file}: 名前（label）や種類（kind）がどの列か分かりません"
            f"（足りない列: {', '.join(e.missing)}）。\n"
            f"ファイルの列: {', '.join(e.columns)}\n最初の行:\n{rows}\n"
            f"--map で指定してください。例: --map {first}=名称 --map 分野=種別 --map 備考=-"
            "（- はその列を読みません）",
            f"{e.file}: cannot tell which column is the label or the kind "
            f"(missing: {', '.join(e.missing)}).\n"
            f"Columns of the file: {', '.join(e.columns)}\nFirst rows:\n{rows}\n"
            f"Say it with --map, e.g. --map {first}=label --map field=kind --map note=- "
            "(- leaves a column out)",
        )
    )


def _show_plan(plan: FileUpdate) -> None:
    counts = plan.counts()
    click.echo(
        say(
            "このセッションから書き出したファイルです。取り込むと次のように更新します: "
            f"追加 {counts['added']}件、変更 {counts['changed']}件、削除 {counts['removed']}件",
            "This file was exported from this session; importing it updates the session: "
            f"{counts['added']} added, {counts['changed']} changed, {counts['removed']} removed",
        )
    )
    for mark, items in (("+", plan.added), ("~", plan.changed), ("-", plan.removed)):
        for table, item_id, shown in items[:_SHOWN]:
            word = _TABLE_WORDS[table][0 if say("ja", "en") == "ja" else 1]
            click.echo(f"  {mark} {word}{shown} ({item_id})")
        if len(items) > _SHOWN:
            click.echo(f"  {mark} … +{len(items) - _SHOWN}")


@click.command("import")
@click.argument("session_id", metavar="SESSION")
@click.argument("file", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--map",
    "pairs",
    multiple=True,
    metavar="OLD=NEW",
    help="CSV: read the column headed OLD as NEW (名称/label, 種別/kind, …; - leaves it out). "
    "Repeat for each column.",
)
@click.option("--yes", "-y", is_flag=True, help="Apply an update of the session without asking.")
@click.pass_context
def import_(ctx: click.Context, session_id: str, file: Path, pairs: tuple, yes: bool) -> None:
    """Import a .graphml, .json, .gexf, .zip or nodes.csv (with ties.csv beside it) into SESSION.

    CSV may be UTF-8 (with or without BOM) or Excel's CP932 (Shift_JIS) and have Japanese
    headers (名称, 種別, …) and kind words (人, 世帯, 場所, 団体, …). The whole file is checked
    first: on any problem nothing is written and every problem is listed with its file and
    line. A file exported from SESSION (its ids are the session's) updates it: what would be
    added, changed and removed is listed and applied as one undoable event after a yes
    (--yes applies it without asking).
    """
    mapping = parse_map(pairs)
    try:
        G = read_graph(file, columns=mapping)
    except NeedsMapping as e:
        raise _mapping_help(e) from None
    except GraphError as e:
        raise fail(e) from None
    if encoding := G.graph.pop("encoding", None):
        click.echo(say(f"文字コード {encoding} として読みました。", f"Read as {encoding}."))
    try:
        with Store(ctx.obj["data"]).open(session_id) as session:
            if not session.is_own_file(G):
                session.refuse_pseudonymised_copy(G)
                session.import_graph(G, actor="cli")
            else:
                plan = session.plan_update(G)
                _show_plan(plan)
                if not plan:
                    click.echo(say("変更はありません。", "Nothing to change."))
                    return
                if not yes and not click.confirm(say("更新しますか？", "Apply?"), default=False):
                    raise UserError(say("何も変更していません。", "Nothing was changed."))
                plan, _ = session.apply_update(G, actor="cli")
                counts = plan.counts()
                click.echo(
                    say(
                        f"更新しました（追加 {counts['added']}、変更 {counts['changed']}、"
                        f"削除 {counts['removed']}）。取り消すには画面の「元に戻す」を使います。",
                        f"Updated ({counts['added']} added, {counts['changed']} changed, "
                        f"{counts['removed']} removed); undo takes it back as one step.",
                    )
                )
                return
    except GraphError as e:
        raise fail(e) from None
    click.echo(
        say(
            f"{G.number_of_nodes()}件のノードと{G.number_of_edges()}件のつながりを取り込みました。",
            f"Imported {G.number_of_nodes()} nodes and {G.number_of_edges()} ties.",
        )
    )
