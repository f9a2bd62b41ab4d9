"""What the command line's modules share: the message language and the user's mistakes."""

from __future__ import annotations

import os

import click

from graph.errors import GraphError
from graph.limits import shown

__all__ = ["UserError", "lang", "fail", "say"]


def lang() -> str:
    """The language of messages: TSUNAGARI_LANG ("ja" or "en"), Japanese by default."""
    return "en" if os.environ.get("TSUNAGARI_LANG", "ja").lower().startswith("en") else "ja"


class UserError(click.ClickException):
    """A mistake the user can fix: printed without a traceback, exit status 2."""

    exit_code = 2

    def show(self, file=None) -> None:
        click.echo(self.format_message(), err=True)


def fail(error: GraphError) -> UserError:
    """``error`` as the user's mistake, in the message language (a long list cut short)."""
    return UserError("\n".join(shown([p.message(lang()) for p in error.problems], lang())))


def say(ja: str, en: str) -> str:
    """``ja`` or ``en``, whichever the message language is."""
    return ja if lang() == "ja" else en
