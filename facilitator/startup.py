"""What keeps the server's start-up short (bench/startup.py, issue 14: ≤ 3× a bare Flask app).

- URL builders compiled on first use: Werkzeug compiles two URL builders (Python source, then
  ``compile``) for every rule as it is added — for the app's ~90 routes ~65 ms of a ~1 s
  start, spent on routes most workshops never build a URL for. :class:`LazyBuilderRule`
  keeps the matching as it is and compiles each builder when it is first used, once.
- Templates' compiled code kept between starts: Jinja compiles a template to Python on its
  first render (~40 ms for the phones' first page). :func:`template_cache` keeps that code in
  Jinja's own per-user cache folder (in the system's temporary folder, made private by
  Jinja), keyed by each template's source, as Python keeps ``.pyc`` files.
"""

from __future__ import annotations

from collections.abc import Callable

from jinja2 import BytecodeCache, FileSystemBytecodeCache
from werkzeug.routing import Rule

__all__ = ["LazyBuilderRule", "template_cache"]


class LazyBuilderRule(Rule):
    """A :class:`~werkzeug.routing.Rule` whose URL builders compile on first use."""

    def _compile_builder(self, append_unknown: bool = True) -> Callable[..., tuple[str, str]]:
        compiled: list[Callable[..., tuple[str, str]]] = []
        build_now = super()._compile_builder

        def build(rule: Rule, *args, **kwargs) -> tuple[str, str]:
            if not compiled:
                compiled.append(build_now(append_unknown))
            return compiled[0](rule, *args, **kwargs)

        return build


def template_cache() -> BytecodeCache | None:
    """Jinja's file cache of compiled templates, or None where no private folder can be made."""
    try:
        return FileSystemBytecodeCache()
    except (OSError, RuntimeError):  # a read-only or foreign-owned temporary folder
        return None
