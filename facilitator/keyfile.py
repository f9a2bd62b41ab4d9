"""Secrets kept in the data folder: written whole or not at all, never accepted short."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

__all__ = ["MIN_KEY_LENGTH", "kept_secret", "write_private"]

#: Shortest facilitator key accepted: a 4-digit key was guessed in seconds (issue 13).
MIN_KEY_LENGTH = 16


def write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically, readable by the owner only (0600).

    The bytes go to a temporary file beside ``path``, are flushed to the disk and renamed into
    place: a full disk or a crash leaves the old file (or none), never an empty or cut one.
    """
    partial = path.with_name(f".{path.name}.{secrets.token_hex(4)}.partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def kept_secret(data: Path, name: str) -> str:
    """A random secret generated on first start and kept in ``data/name`` across restarts.

    An empty, short or unreadable file (say, left by a start on a full disk) is never used: a
    new secret replaces it. Raises ``OSError`` when the secret cannot be written.
    """
    path = data / name
    try:
        secret = path.read_text(encoding="ascii").strip()
    except (FileNotFoundError, UnicodeDecodeError):
        secret = ""
    if len(secret) >= MIN_KEY_LENGTH:
        try:
            os.chmod(path, 0o600)
        except OSError:
            pass  # a file system without modes (FAT stick): nothing to tighten
        return secret
    secret = secrets.token_urlsafe(24)
    write_private(path, (secret + "\n").encode("ascii"))
    return secret
