"""Guards shared by the XML formats (GraphML, GEXF): illegal characters and refused declarations."""

from __future__ import annotations

from ..errors import Problem, ValidationError

# Characters XML 1.0 cannot carry at all.
XML_ILLEGAL = {c: "\ufffd" for c in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)]}
XML_ILLEGAL.update({0xFFFE: "\ufffd", 0xFFFF: "\ufffd"})


def declaration_refused(where: str) -> Problem:
    """The problem of a file holding a DOCTYPE or ENTITY declaration (which could reach files)."""
    return Problem(
        where,
        "安全のため DOCTYPE や ENTITY の宣言を含む GraphML は読み込めません",
        "GraphML with a DOCTYPE or ENTITY declaration is refused for safety",
    )


def refuse_declarations(data: bytes, name: str) -> None:
    """Raise :class:`ValidationError` if ``data`` declares a DOCTYPE or an ENTITY."""
    # UTF-16/32 spell ASCII with NUL bytes around it; dropping them finds those spellings too.
    plain = data.replace(b"\x00", b"").lower()
    for marker in (b"<!doctype", b"<!entity"):
        at = plain.find(marker)
        if at >= 0:
            line = plain.count(b"\n", 0, at) + 1
            raise ValidationError(declaration_refused(f"{name} line {line}"))
