"""A tree brought along the live stream as what changed since the screen's picture.

After each approved note the stream brought every tree screen the whole payload
(stream_push.py): on a town's overview 600 KB for the projector and 900 KB for the
facilitator, of which one note and its ties had changed — sent, and parsed by the screen's
laptop, after every change. Now each view's payload remembers, per live model, what its
notes and ties were at the last seqs it was made for (:func:`remember`), and the stream
brings a *delta* against the newest of those before the live seq: the notes and ties whose
JSON text differs or that are new, the ids of those gone, and the rest of the payload
(scene, legend, flags, …) whole. Its ``base`` is the seq of the picture it applies to; a
screen whose picture is at another seq (it loaded later, it missed a push) ignores it and
asks for the whole picture as before (static/js/tree.js). The whole payload still answers
``tree.json``.
"""

from __future__ import annotations

import json
import threading
import weakref
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import compress, filterfalse
from operator import itemgetter, ne
from typing import Any

__all__ = ["PayloadParts", "payload_parts", "remember", "delta_answer", "DELTA_SHARE"]

#: Past this share of the whole payload's size, the whole payload is brought instead (a
#: delta as large as the whole saves nothing).
DELTA_SHARE = 1.0
#: Views remembered per live model (each its two newest seqs).
_VIEWS_KEPT = 16

_START = '{"nodes":null,"edges":null'


@dataclass(frozen=True)
class PayloadParts:
    """A payload's notes and ties (their JSON texts in the payload's order, and by id) and
    the JSON text of the rest after them (``,"options":…}``)."""

    texts: tuple[list[str], list[str]]
    nodes: Mapping[str, str]
    edges: Mapping[str, str]
    rest: str

    def body(self) -> bytes:
        """The whole payload as JSON bytes: the same bytes as ``json.dumps`` of it, from the
        notes' and ties' kept JSON texts (not encoding a town's thousands again per seq)."""
        nodes, edges = ",".join(self.texts[0]), ",".join(self.texts[1])
        return f'{{"nodes":[{nodes}],"edges":[{edges}]{self.rest}'.encode()

    def size(self) -> int:
        """About how many bytes :meth:`body` is (its texts' characters)."""
        return sum(map(len, self.texts[0])) + sum(map(len, self.texts[1])) + len(self.rest)


def _json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def payload_parts(data: Mapping[str, Any], raw: Mapping[str, list[str]]) -> PayloadParts:
    """The parts of a ``tree.tree_payload`` whose nodes' and edges' JSON texts are ``raw``."""
    ids = itemgetter("id")  # a town's ~800 notes and ~3,000 ties per view: no Python loop
    nodes = dict(zip(map(ids, data["nodes"]), raw["nodes"], strict=True))
    edges = dict(zip(map(ids, data["edges"]), raw["edges"], strict=True))
    rest = _json({**data, "nodes": None, "edges": None})[len(_START) :]
    return PayloadParts((raw["nodes"], raw["edges"]), nodes, edges, rest)


_lock = threading.Lock()
#: Per live model: view key → its parts at the newest seqs they were made for (seq, parts).
_made: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def remember(live, key: tuple, parts: PayloadParts) -> None:
    """Keep ``parts`` of the view ``key`` at ``live``'s seq (``live``: a live model's
    ``Version``; without a model, nothing is kept)."""
    model = live.model
    if model is None:
        return
    with _lock:
        views = _made.setdefault(model, OrderedDict())
        made = views.setdefault(key, [])
        views.move_to_end(key)
        made.append((live.seq, parts))
        made.sort(key=lambda item: item[0])
        del made[:-2]
        while len(views) > _VIEWS_KEPT:
            views.popitem(last=False)


def _before(live, key: tuple) -> tuple[int, PayloadParts] | None:
    """The newest parts of the view ``key`` kept for a seq before ``live``'s."""
    if live.model is None:
        return None
    with _lock:
        made = _made.get(live.model, {}).get(key, [])
        older = [item for item in made if item[0] < live.seq]
    return older[-1] if older else None


def _changed(old: Mapping[str, str], new: Mapping[str, str]) -> tuple[str, str]:
    """The JSON texts of ``new``'s items not as in ``old`` and the ids gone (as JSON)."""
    texts = new.values()  # compared side by side in C: most of a town's are the same
    changed = ",".join(compress(texts, map(ne, map(old.get, new), texts)))
    return changed, _json(list(filterfalse(new.__contains__, old)))


def delta_answer(found) -> bytes:
    """The stream's tree message for the payload ``found`` (``tree.payload_of``): a delta
    against the view's newest earlier parts (``{"seq", "title", "base", "delta": true,
    "nodes", "removed", "edges", "edges_removed", …}``) when one is kept and is smaller than
    :data:`DELTA_SHARE` of the whole, else the whole answer."""
    live, key = found.live, found.key

    def compute() -> tuple[int, bytes] | None:
        before = _before(live, key)
        if before is None:
            return None
        base, old = before
        nodes, removed = _changed(old.nodes, found.parts.nodes)
        edges, edges_removed = _changed(old.edges, found.parts.edges)
        body = (
            f'{{"base":{base},"delta":true,"nodes":[{nodes}],"removed":{removed},'
            f'"edges":[{edges}],"edges_removed":{edges_removed}{found.parts.rest}'
        ).encode()
        return (base, body) if len(body) < DELTA_SHARE * found.parts.size() else None

    delta = live.memo(("delta", key), compute)
    return found.answer() if delta is None else found.head + b"," + delta[1][1:]
