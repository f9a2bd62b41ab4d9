"""The private flags panel of the dashboard: the flags with their reasons, and the what-if."""

from __future__ import annotations

from graph.analysis import FLAG_KINDS
from graph.model import is_active

from . import web
from .storage import Session

__all__ = ["flags_ctx"]


def flags_ctx(session: Session, person: str | None = None) -> dict:
    """The flags of ``session`` in the user's language, the persons a what-if may pick, and
    the what-if for ``person`` if one is given."""
    live = web.live_version(session)
    G = live.G
    lang = web.lang()
    settings = session.meta()["settings"]

    def found_flags() -> list[dict]:
        return [
            {
                "flag": f.flag,
                "title": FLAG_KINDS[f.flag][0 if lang == "ja" else 1],
                "label": f.label,
                "reason": f.reason_ja if lang == "ja" else f.reason_en,
            }
            for f in live.flags(settings)
        ]

    def approved_persons() -> list[dict]:
        return [
            {"id": n, "label": d.get("label", n)}
            for n, d in G.nodes(data=True)
            if d.get("kind") == "person" and is_active(d)
        ]

    # Made once per seq (and language, thresholds): every screen and refresh shares them.
    found = live.memo(("flag_rows", lang, tuple(sorted((settings or {}).items()))), found_flags)
    persons = live.memo("persons", approved_persons)
    result = live.whatif(person) if person else None
    person_label = G.nodes[person].get("label", person) if person else None
    return {
        "flags": found,
        "persons": persons,
        "whatif": result,
        "whatif_person": person,
        "whatif_label": person_label,
    }
