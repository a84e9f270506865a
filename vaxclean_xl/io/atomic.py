"""Atomic output: write every output of a run to temp files, rename them all at the end.

A user must never find a half-written output (a crash mid-write leaves the old file or
nothing), an output must never be the input itself, and a run that fails (exit 2) must
leave nothing written: not the workbook without its report, not one of two files.
On Windows a file held open by Excel cannot be replaced, so the final step first moves
every existing target aside (which fails the same way, before anything new is in place)
and rolls back when any step fails.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import tempfile
from collections.abc import Iterator
from pathlib import Path

from vaxclean_xl.errors import E, OutputError, os_error_cause

__all__ = ["OutputBatch", "atomic_path", "output_batch", "refuse_same_file",
           "require_suffix"]


def refuse_same_file(output: Path, *inputs: Path) -> None:
    """Raise when ``output`` would overwrite one of ``inputs``."""
    out = Path(output).resolve()
    for src in inputs:
        src = Path(src)
        if out == src.resolve() or (out.exists() and src.exists() and out.samefile(src)):
            raise OutputError(
                f"Tệp kết quả «{out.name}» trùng với tệp đầu vào; hãy chọn tên khác.",
                code=E.OUTPUT_IS_INPUT,
            )


def require_suffix(output: Path, allowed: tuple[str, ...] = (".xlsx", ".xlsm")) -> None:
    """Raise when a workbook ``output`` is not named with one of the ``allowed`` suffixes:
    an .xlsx written under .csv (or no) suffix does not open as the user expects."""
    if Path(output).suffix.lower() not in allowed:
        raise OutputError(
            f"Tệp kết quả «{Path(output).name}» là sổ tính Excel nên phải có đuôi "
            f"{' hoặc '.join(allowed)}, không phải «{Path(output).suffix or '(không đuôi)'}».",
            code=E.OUTPUT_SUFFIX)


def _output_error(target: Path, exc: OSError, *, existing: bool = False) -> OutputError:
    """One Vietnamese line naming ``target`` and the likely cause of ``exc``."""
    cause, code = os_error_cause(exc, existing=existing)
    return OutputError(f"Không ghi được tệp «{target}»: {cause}.", code=code)


class OutputBatch:
    """The outputs of one run: temp paths now, all renamed onto their targets at the end."""

    def __init__(self) -> None:
        self._pairs: list[tuple[Path, Path]] = []  # (temp, target)
        self._made_dirs: list[Path] = []

    def path(self, target: str | Path) -> Path:
        """Check ``target`` can be written and return a temp path beside it to write to."""
        target = Path(target)
        key = target.resolve()
        if any(t.resolve() == key for _, t in self._pairs):
            raise OutputError(
                f"Hai tệp kết quả cùng tên «{target}»; hãy chọn tên khác nhau.",
                code=E.DUPLICATE_OUTPUT)
        if target.is_dir():
            raise _output_error(target, IsADirectoryError(errno.EISDIR, "", str(target)))
        try:
            self._make_parents(target.parent)
            # the target's own extension last: writers and converters that go by it
            # (macro-enabled or not, LibreOffice's filters) see the real kind of file
            fd, tmp = tempfile.mkstemp(prefix=f".{target.stem}.",
                                       suffix=".tmp" + target.suffix, dir=target.parent)
        except OSError as exc:
            raise _output_error(target, exc) from exc
        os.close(fd)
        tmp_path = Path(tmp)
        self._pairs.append((tmp_path, target))
        return tmp_path

    def _make_parents(self, folder: Path) -> None:
        """Create missing folders, remembering them so a failed run removes them again."""
        missing: list[Path] = []
        probe = folder
        while not probe.exists() and probe != probe.parent:
            missing.append(probe)
            probe = probe.parent
        for d in reversed(missing):
            d.mkdir()
            self._made_dirs.append(d)

    def target_of(self, tmp: str | Path) -> Path | None:
        """The target whose temp is ``tmp`` (to name the right file in an error)."""
        for t, target in self._pairs:
            if str(t) == str(tmp):
                return target
        return None

    def discard(self) -> None:
        """Remove every temp and every folder this batch created; no target is touched."""
        for tmp, _ in self._pairs:
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)
        for d in reversed(self._made_dirs):
            with contextlib.suppress(OSError):
                d.rmdir()
        self._pairs.clear()
        self._made_dirs.clear()

    def commit(self) -> None:
        """Put every temp in place, or (on any failure) none of them, and raise."""
        backups: list[tuple[Path, Path]] = []  # (target, backup)
        placed: list[Path] = []
        try:
            for _, target in self._pairs:
                if target.is_dir() and not target.is_symlink():
                    raise _output_error(target, IsADirectoryError(errno.EISDIR, "", str(target)))
                if not os.path.lexists(target):
                    continue
                backup = _backup_name(target)
                try:
                    os.replace(target, backup)
                except OSError as exc:
                    raise _output_error(target, exc, existing=True) from exc
                backups.append((target, backup))
            for tmp, target in self._pairs:
                try:
                    os.replace(tmp, target)
                except OSError as exc:
                    raise _output_error(target, exc, existing=True) from exc
                placed.append(target)
        except BaseException:
            for target in placed:
                with contextlib.suppress(OSError):
                    target.unlink()
            for target, backup in reversed(backups):
                with contextlib.suppress(OSError):
                    os.replace(backup, target)
            self.discard()
            raise
        for _, backup in backups:
            with contextlib.suppress(OSError):
                backup.unlink()
        self._pairs.clear()
        self._made_dirs.clear()


def _backup_name(target: Path) -> Path:
    """A free hidden name beside ``target`` to move the old file to while renaming."""
    while True:
        cand = target.with_name(f".{target.name}.{secrets.token_hex(4)}.bak")
        if not os.path.lexists(cand):
            return cand


@contextlib.contextmanager
def output_batch() -> Iterator[OutputBatch]:
    """All-or-nothing outputs: on normal exit every temp replaces its target; on any
    exception every temp is removed and no target is touched.

    An OSError raised while writing a temp (its ``filename`` is one of the temps, or the
    disk is full) becomes an :class:`OutputError` naming the real target.
    """
    batch = OutputBatch()
    try:
        yield batch
    except OSError as exc:
        batch_target = batch.target_of(exc.filename) if exc.filename else None
        if batch_target is None and exc.errno in (errno.ENOSPC, errno.EDQUOT) and batch._pairs:
            batch_target = batch._pairs[-1][1]
        batch.discard()
        if batch_target is not None:
            raise _output_error(batch_target, exc) from exc
        raise
    except BaseException:
        batch.discard()
        raise
    batch.commit()


@contextlib.contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """Yield a temp path in the target's folder; rename it onto ``target`` on success."""
    with output_batch() as batch:
        yield batch.path(target)
