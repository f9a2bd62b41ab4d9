"""The private flags panel of the dashboard: the flags with their reasons, and the what-if."""

from __future__ import annotations

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
        return [
            {"id": n, "label": d.get("label", n)}
            for n, d in G.nodes(data=True)
            if d.get("kind") == "person" and is_active(d)
        ]

    # Made once per seq (and language, thresholds): every screen and refresh shares them.
    found, total = live.memo(
        ("flag_rows", lang, tuple(sorted((settings or {}).items()))), found_flags
    )
    persons = live.memo("persons", approved_persons)

    def options() -> Markup:
        return Markup(
            "".join(
                f'<option value="{escape(p["id"])}"'
                f"{' selected' if p['id'] == person else ''}>{escape(p['label'])}</option>"
                for p in persons
            )
        )

    # Thousands of persons on a town-sized map: the options are made once per seq.
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
