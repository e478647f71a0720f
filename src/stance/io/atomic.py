"""Temp files beside their target, named after the writing process, published with the user's umask.

A temp file is `.{name}.{pid}.{random}.tmp`: a run killed with SIGKILL cannot clean up after itself, so the
next writer of the same target removes temps whose process no longer runs (and never those of a live one).
"""

from __future__ import annotations

import contextlib
import glob
import logging
import os
import re
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)

_TEMP_TAIL = re.compile(r"(\d+)\.\w+\.tmp")


def _prefix(path: Path) -> str:
    return f".{path.name}."


def new_temp(path: Path) -> Path:
    """Create an empty temp file beside `path` whose name carries this process's id."""
    fd, tmp = tempfile.mkstemp(prefix=f"{_prefix(path)}{os.getpid()}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    return Path(tmp)


def process_alive(pid: int) -> bool:
    """True unless the process is certainly gone (on doubt, a temp is kept)."""
    if os.name == "nt" or pid <= 0:
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # PermissionError: another user's live process
        return True
    return True


def remove_stale_temps(path: Path) -> list[Path]:
    """Delete temps of `path` left by processes that no longer run; returns what was removed."""
    prefix = _prefix(path)
    removed = []
    for candidate in path.parent.glob(glob.escape(prefix) + "*.tmp"):
        match = _TEMP_TAIL.fullmatch(candidate.name[len(prefix) :])
        if match is None or process_alive(int(match.group(1))):
            continue
        with contextlib.suppress(FileNotFoundError):
            candidate.unlink()
            removed.append(candidate)
            log.warning("removed %s, left by process %s that no longer runs", candidate, match.group(1))
    return removed


def current_umask() -> int:
    """The process umask, read without changing it where /proc allows."""
    with contextlib.suppress(OSError, ValueError, IndexError):
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def publish(tmp: Path, path: Path) -> Path:
    """Give the temp the mode a plain open() would (mkstemp makes it 0600) and rename it into place."""
    os.chmod(tmp, 0o666 & ~current_umask())
    os.replace(tmp, path)
    return path


def discard(*paths: Path | None) -> None:
    for p in paths:
        if p is not None:
            with contextlib.suppress(FileNotFoundError):
                p.unlink()
