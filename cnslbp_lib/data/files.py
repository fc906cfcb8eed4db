"""Writing files so that a reader never sees half of one."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

__all__ = ["write_text_atomically"]


def write_text_atomically(path: str | Path, text: str) -> str:
    """Write ``text`` (UTF-8, newlines as given) to ``path`` via a temporary file and a rename.

    Either the whole new file is there or the old one is untouched, even if the
    process is interrupted. Returns the SHA-256 of what was written.
    """
    destination = Path(path)
    handle, temporary = tempfile.mkstemp(dir=destination.parent or Path("."), prefix=f".{destination.name}-")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        # mkstemp creates the file readable by its owner only; give it the usual permissions
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, destination)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
