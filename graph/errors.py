"""Domain exceptions: every problem carries a Japanese and an English message."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "Problem",
    "GraphError",
    "ValidationError",
    "NeedsMapping",
    "NotFound",
    "Forbidden",
    "Damaged",
]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, named so a coordinator can find and fix it.

    ``where`` names the place (``"nodes.csv line 4"``, ``"node 'h1'"``, ``"tie 3"``);
    ``ja`` and ``en`` say what is wrong in each language.
    """

    where: str
    ja: str
    en: str

    def message(self, lang: str = "en") -> str:
        """The problem as one line in ``lang`` ("ja" or "en")."""
        text = self.ja if lang == "ja" else self.en
        return f"{self.where}: {text}" if self.where else text


class GraphError(Exception):
    """Base of every domain error; ``problems`` lists what is wrong."""

    def __init__(self, problems: list[Problem] | Problem):
        if isinstance(problems, Problem):
            problems = [problems]
        self.problems = list(problems)
        super().__init__("; ".join(p.message("en") for p in self.problems))

    def message(self, lang: str = "en") -> str:
        """Every problem, one per line, in ``lang``."""
        return "\n".join(p.message(lang) for p in self.problems)


class ValidationError(GraphError):
    """The input is invalid; nothing was written."""


class NeedsMapping(ValidationError):
    """A table whose headers do not say which column is the name, the kind, …

    Carries what a mapping step shows: the file's name, its ``columns`` (headers as written),
    the first ``rows`` and the ``missing`` columns (``"label"``, ``"kind"`` …).
    """

    def __init__(
        self,
        problems: list[Problem] | Problem,
        file: str,
        columns: list[str],
        rows: list[list[str]],
        missing: list[str],
    ):
        super().__init__(problems)
        self.file = file
        self.columns = columns
        self.rows = rows
        self.missing = missing


class NotFound(GraphError):
    """A session, node, tie or note that does not exist."""


class Forbidden(GraphError):
    """The caller may not do this at all (a blocked phone); nothing was written."""


class Damaged(GraphError):
    """A session file that cannot be read (cut, overwritten, a disk error)."""
