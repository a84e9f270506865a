"""The one module that converts office files (a PDF of the police list, a legacy .xls
template to .xlsx and back): headless LibreOffice, or Excel itself inside the add-in.

Why LibreOffice: no maintained Python library writes BIFF8 (.xls) or lays out a PDF from
a workbook's print setup; LibreOffice does both from the command line, on every system.
A private profile folder keeps a run from clashing with a LibreOffice the user has open
(which would otherwise swallow the request and exit without a file); the process runs in
its own group so that a timeout ends it and nothing else.

Why Excel too: a station PC has Excel but seldom LibreOffice, and the platform's template
is a legacy .xls. Inside Excel (the ribbon buttons on Windows) the same .xls <-> .xlsx
conversions go through Excel's own Save As, in a hidden Excel instance of our own (so the
user's windows, and a workbook of the same name they have open, are left alone).

The caller chooses the converter (:class:`LibreOfficeConverter`, :class:`ExcelConverter`);
both write the target plainly (a temp file of the caller's, e.g. a path of an output
batch) and raise :class:`OfficeError`.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from vaxclean_xl.io.atomic import OutputBatch, atomic_path

__all__ = ["CONVERT_TIMEOUT", "EXCEL_FILE_FORMATS", "Converter", "ExcelConverter",
           "LibreOfficeConverter", "OfficeError", "convert_file", "excel_save_as",
           "find_soffice"]

CONVERT_TIMEOUT = 180  # seconds; a first LibreOffice start on an old PC takes a while


class OfficeError(Exception):
    """LibreOffice (or Excel) is missing, could not start, timed out or wrote nothing.

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


# --------------------------------------------------------------------------- converters


class Converter(Protocol):
    """Converts a workbook between .xlsx and .xls; ``name`` is shown in messages."""

    name: str

    def convert(self, src: Path, target: Path, ext: str) -> Path:
        """Write ``src`` as ``target`` in the format ``ext`` ("xlsx" or "xls")."""
        ...


LIBREOFFICE_FILTERS = {"xlsx": "xlsx", "xls": "xls:MS Excel 97"}  # BIFF8 export filter


@dataclass(slots=True)
class LibreOfficeConverter:
    """Headless LibreOffice (the command line's converter)."""

    soffice: str | None = None
    timeout: float = CONVERT_TIMEOUT
    name: str = "LibreOffice"

    def convert(self, src: Path, target: Path, ext: str) -> Path:
        """``soffice --convert-to``; ``target`` written plainly (the caller's temp path)."""
        return convert_file(src, target, LIBREOFFICE_FILTERS[ext], soffice=self.soffice,
                            timeout=self.timeout, atomic=False)


EXCEL_FILE_FORMATS = {"xlsx": 51, "xls": 56}  # xlOpenXMLWorkbook, xlExcel8 (BIFF8)


def excel_save_as(app: Any, src: Path, target: Path, ext: str) -> Path:
    """Open ``src`` in the xlwings ``app`` and Save As ``target`` in Excel's format for
    ``ext``; the book is closed whatever happens. Excel writes into a private folder under
    the right extension (it names files by it), then the file is copied to ``target``."""
    fmt = EXCEL_FILE_FORMATS[ext]
    with tempfile.TemporaryDirectory(prefix="vaxclean-excel-") as tmp:
        produced = Path(tmp) / f"{src.stem}.{ext}"
        # read-only: the template stays free for the user's own Excel, and is never changed
        book = app.books.open(str(Path(src).resolve()), update_links=False, read_only=True)
        try:
            with contextlib.suppress(Exception):  # no compatibility dialog for .xls
                book.api.CheckCompatibility = False
            book.api.SaveAs(str(produced), FileFormat=fmt)
        finally:
            book.close()
        if not produced.is_file() or produced.stat().st_size == 0:
            raise OfficeError("no_output")
        shutil.copyfile(produced, target)
    return target


@dataclass(slots=True)
class ExcelConverter:
    """Excel's own Save As through xlwings (the add-in's converter on Windows).

    A hidden Excel instance is started on the first conversion and quit by :meth:`close`
    (use it as a context manager): one start for the conversions of one export.
    """

    name: str = "Excel"
    _app: Any = field(default=None, repr=False)

    def convert(self, src: Path, target: Path, ext: str) -> Path:
        """Excel's Save As of ``src`` to ``target`` (``ext`` "xlsx" or "xls")."""
        if self._app is None:
            try:
                import xlwings as xw

                self._app = xw.App(visible=False, add_book=False)
                self._app.display_alerts = False
                self._app.screen_updating = False
            except ImportError as exc:
                raise OfficeError("missing") from exc
            except Exception as exc:  # no Excel, or COM refused to start it
                raise OfficeError("start") from exc
        try:
            return excel_save_as(self._app, src, target, ext)
        except OfficeError:
            raise
        except Exception as exc:  # COM errors: the file is not a workbook Excel can open
            raise OfficeError("no_output") from exc

    def close(self) -> None:
        """Quit the hidden Excel instance, if one was started."""
        if self._app is not None:
            app, self._app = self._app, None
            with contextlib.suppress(Exception):
                app.quit()

    def __enter__(self) -> ExcelConverter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
