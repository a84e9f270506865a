"""Atomic output: write to a temp file beside the target, then rename.

A user must never find a half-written output (a crash mid-write leaves the old file or
nothing), and an output must never be the input itself.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from vaxclean_xl.errors import OutputError


def refuse_same_file(output: Path, *inputs: Path) -> None:
    """Raise when ``output`` would overwrite one of ``inputs``."""
    out = Path(output).resolve()
    for src in inputs:
        src = Path(src)
        if out == src.resolve() or (out.exists() and src.exists() and out.samefile(src)):
            raise OutputError(
                f"Tệp kết quả «{out.name}» trùng với tệp đầu vào; hãy chọn tên khác.",
                code="E201",
            )


@contextlib.contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """Yield a temp path in the target's folder; rename it onto ``target`` on success."""
    target = Path(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=target.suffix + ".tmp",
                                   dir=target.parent)
    except OSError as exc:
        raise OutputError(
            f"Không ghi được vào thư mục «{target.parent}» ({exc.strerror}).", code="E202"
        ) from exc
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.replace(tmp_path, target)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise
