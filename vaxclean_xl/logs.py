"""Where the tool logs, and how: row numbers and rule codes only, never personal data.

A crash is written to the log as the exception type and the stack of code locations; the
exception message is left out because library messages may quote cell values.
"""

from __future__ import annotations

import datetime as _dt
import os
import sys
import traceback
from pathlib import Path


def log_dir() -> Path:
    base = os.environ.get("VAXCLEAN_LOG_DIR")
    if base:
        return Path(base)
    if sys.platform == "win32" and os.environ.get("LOCALAPPDATA"):
        return Path(os.environ["LOCALAPPDATA"]) / "vaxclean" / "logs"
    return Path.home() / ".vaxclean" / "logs"


def log_path() -> Path:
    return log_dir() / "vaxclean.log"


def log_line(text: str) -> Path:
    """Append one line to the log; return the log path."""
    path = log_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(f"{_dt.datetime.now().isoformat(timespec='seconds')} {text}\n")
    except OSError:
        pass
    return path


def log_crash(exc: BaseException, action: str) -> Path:
    """Log an unexpected failure without its message (which may hold cell values)."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = " <- ".join(f"{Path(f.filename).name}:{f.lineno}:{f.name}" for f in frames[::-1])
    return log_line(f"CRASH action={action} type={type(exc).__name__} at {where}")
