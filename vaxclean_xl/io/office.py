"""Headless LibreOffice, the one converter of office files the tool uses (a PDF of the
police list, a legacy .xls template to .xlsx and back).

Why LibreOffice: no maintained Python library writes BIFF8 (.xls) or lays out a PDF from
a workbook's print setup; LibreOffice does both from the command line, on every system.
A private profile folder keeps a run from clashing with a LibreOffice the user has open
(which would otherwise swallow the request and exit without a file); the process runs in
its own group so that a timeout ends it and nothing else.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from vaxclean_xl.io.atomic import OutputBatch, atomic_path

__all__ = ["CONVERT_TIMEOUT", "OfficeError", "convert_file", "find_soffice"]

CONVERT_TIMEOUT = 180  # seconds; a first LibreOffice start on an old PC takes a while


class OfficeError(Exception):
    """LibreOffice is missing, could not start, timed out or wrote nothing.

    ``reason`` is "missing", "start", "timeout" or "no_output": callers word their own
    Vietnamese message from it (what was already written differs per command).
    """

    def __init__(self, reason: str, timeout: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.timeout = timeout


def find_soffice() -> str | None:
    """LibreOffice's command: on PATH, else its usual Windows/macOS install folders."""
    for name in ("soffice", "libreoffice"):
        exe = shutil.which(name)
        if exe:
            return exe
    candidates = [Path("/Applications/LibreOffice.app/Contents/MacOS/soffice")]
    for var in ("PROGRAMFILES", "PROGRAMFILES(X86)", "PROGRAMW6432"):
        base = os.environ.get(var)
        if base:
            candidates.append(Path(base) / "LibreOffice" / "program" / "soffice.exe")
    return next((str(p) for p in candidates if p.is_file()), None)


def convert_file(src: Path, target: Path, fmt: str, *, soffice: str | None = None,
                 timeout: float = CONVERT_TIMEOUT, batch: OutputBatch | None = None,
                 atomic: bool = True) -> Path:
    """Convert ``src`` to ``target`` with ``soffice --convert-to fmt`` (e.g. "pdf",
    "xlsx", "xls:MS Excel 97"); ``target`` is written atomically, as part of ``batch``
    when given, or copied plainly when ``atomic`` is False (a temp file of the caller's).
    """
    exe = soffice or find_soffice()
    if exe is None:
        raise OfficeError("missing")
    ext = fmt.split(":", 1)[0]
    with tempfile.TemporaryDirectory(prefix="vaxclean-office-") as tmp:
        profile, outdir = Path(tmp) / "profile", Path(tmp) / "out"
        cmd = [exe, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
               "--nolockcheck", "--convert-to", fmt, "--outdir", str(outdir), str(src)]
        _run_soffice(cmd, timeout)
        produced = outdir / f"{src.stem}.{ext}"
        if not produced.is_file() or produced.stat().st_size == 0:
            raise OfficeError("no_output")
        if batch is not None:
            shutil.copyfile(produced, batch.path(target))
        elif atomic:
            with atomic_path(target) as out:
                shutil.copyfile(produced, out)
        else:
            shutil.copyfile(produced, target)
    return target


def _run_soffice(cmd: list[str], timeout: float) -> None:
    """Run LibreOffice in its own process group, so that on timeout the whole group
    (the ``soffice`` wrapper and its ``soffice.bin``) is ended, and nothing else."""
    posix = os.name == "posix"
    try:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=posix)
    except OSError as exc:
        raise OfficeError("start") from exc
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        if posix:
            import signal

            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
        else:
            proc.kill()
        proc.wait()
        raise OfficeError("timeout", timeout) from exc
