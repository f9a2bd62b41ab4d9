"""The private flags panel of the dashboard: the flags with their reasons, and the what-if."""

from __future__ import annotations

import functools
from itertools import compress, repeat
from operator import eq

from markupsafe import Markup, escape

from graph.analysis import FLAG_KINDS
from graph.model import is_active

from . import web
from .storage import Session

__all__ = ["flags_ctx", "FLAGS_SHOWN"]

#: How many hints the panel lists (a town-sized map has thousands; the tree marks them all).
FLAGS_SHOWN = 60


def flags_ctx(session: Session, person: str | None = None) -> dict:
    """The flags of ``session`` in the user's language, the persons a what-if may pick, and
    the what-if for ``person`` if one is given."""
    live = web.live_version(session)
    G = live.G
    lang = web.lang()
    settings = session.meta()["settings"]

    def found_flags() -> tuple[list[dict], int]:
        every = live.flags(settings)
        shown = [
            {
                "flag": f.flag,
                "title": FLAG_KINDS[f.flag][0 if lang == "ja" else 1],
                "label": f.label,
                "reason": f.reason_ja if lang == "ja" else f.reason_en,
            }
            for f in every[:FLAGS_SHOWN]
        ]
        return shown, len(every)

    def approved_persons() -> list[dict]:
        # The persons picked without a Python loop over a town's thousands of other nodes.
        attrs = G._node
        kinds = map(dict.get, attrs.values(), repeat("kind"))
        persons = compress(attrs, map(eq, kinds, repeat("person")))
        return [{"id": n, "label": d.get("label", n)} for n in persons if is_active(d := attrs[n])]

    # Made once per seq (and language, thresholds): every screen and refresh shares them.
    found, total = live.memo(
        ("flag_rows", lang, tuple(sorted((settings or {}).items()))), found_flags
    )
    persons = live.memo("persons", approved_persons)

    def options() -> Markup:
        return Markup("".join([_option(p["id"], p["label"], p["id"] == person) for p in persons]))

    # Thousands of persons on a town-sized map: the options are made once per seq, each
    # escaped once for as long as its name stays the same.
    person_options = live.memo(("person_options", person), options)
    result = live.whatif(person) if person else None
    person_label = G.nodes[person].get("label", person) if person else None
    return {
        "flags": found,
        "flags_more": total - len(found),
        "persons": persons,
        "person_options": person_options,
        "whatif": result,
        "whatif_person": person,
        "whatif_label": person_label,
    }


@functools.lru_cache(maxsize=65536)
def _option(node: str, label: str, selected: bool) -> str:
    """One person's ``<option>`` of the what-if, escaped."""
    return (
        f'<option value="{escape(node)}"{" selected" if selected else ""}>{escape(label)}</option>'
    )
