"""What a button shows the user: status bar, Vietnamese message boxes, file/folder pickers.

Why a small facade instead of calling ``book.app`` everywhere: the engines differ. On
Windows/macOS Excel (COM/AppleScript) everything works; on xlwings' remote engine (used by
the tests and by Office.js clients) the status bar does not exist and a message box is a
queued action, and pickers are impossible. The facade degrades quietly where a feature
is missing (a status bar is a courtesy, not a requirement) and records every message in
``messages`` so tests and the dispatcher can see what the user was told.

Pickers are done in Python through Excel's own dialogs (``Application.FileDialog``) so that
Vietnamese folder names travel as Unicode over COM; passing paths from VBA through
``RunPython``'s command line (cmd.exe) would break on "&", "%" and quotes.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

TITLE = "Làm sạch TC"

# Office constants (msoFileDialogFilePicker / msoFileDialogFolderPicker).
_FILE_PICKER = 3
_FOLDER_PICKER = 4


def engine_name(book: Any) -> str:
    """'excel' for Windows/macOS Excel, 'remote' for the JSON engine, else the name."""
    try:
        return str(book.app.engine.name)
    except Exception:
        return "unknown"


def is_windows_com(book: Any) -> bool:
    """True when ``book`` is driven over COM on Windows (where ``.api`` is Excel's COM)."""
    return sys.platform == "win32" and engine_name(book) == "excel"


class Ui:
    """Messages, status bar and pickers for one click, tied to the calling book."""

    def __init__(self, book: Any, title: str = TITLE) -> None:
        self.book = book
        self.title = title
        self.messages: list[tuple[str, str]] = []  # (kind, text) shown to the user
        self._status_ok = True

    # --- status bar -------------------------------------------------------------------

    def status(self, text: str | None) -> None:
        """Show ``text`` in Excel's status bar (None gives the bar back to Excel)."""
        if not self._status_ok:
            return
        try:
            self.book.app.status_bar = text if text is not None else False
        except Exception:  # remote engine: no status bar; never fail a click over it
            self._status_ok = False

    # --- message boxes ----------------------------------------------------------------

    def _alert(self, kind: str, text: str, buttons: str = "ok") -> str | None:
        self.messages.append((kind, text))
        mode = "critical" if kind == "error" else "info"
        try:
            return self.book.app.alert(text, title=self.title, buttons=buttons, mode=mode)
        except Exception:
            # No UI to show it (e.g. Excel closed meanwhile): stderr reaches xlwings' own
            # error box on Windows, which is better than nothing.
            print(text, file=sys.stderr)
            return None

    def info(self, text: str) -> None:
        self._alert("info", text)

    def error(self, text: str) -> None:
        self._alert("error", text)

    def confirm(self, text: str) -> bool:
        """OK/Cancel question; engines that cannot answer (remote) count as OK."""
        answer = self._alert("confirm", text, buttons="ok_cancel")
        return answer in (None, "ok")

    # --- pickers (Windows Excel only) -------------------------------------------------

    def pick_folder(self, title: str) -> Path | None:
        """A folder chosen in Excel's folder dialog; None when cancelled or unsupported."""
        dialog = self._dialog(_FOLDER_PICKER, title)
        if dialog is None:
            return None
        if not dialog.Show():
            return None
        return Path(str(dialog.SelectedItems.Item(1)))

    def pick_files(self, title: str, *, filter_label: str = "Tệp Excel",
                   patterns: str = "*.xlsx;*.xlsm;*.xls;*.ods") -> list[Path]:
        """Files chosen in Excel's file dialog (multi-select); [] when cancelled."""
        dialog = self._dialog(_FILE_PICKER, title)
        if dialog is None:
            return []
        dialog.AllowMultiSelect = True
        dialog.Filters.Clear()
        dialog.Filters.Add(filter_label, patterns)
        if not dialog.Show():
            return []
        items = dialog.SelectedItems
        return [Path(str(items.Item(i))) for i in range(1, int(items.Count) + 1)]

    def _dialog(self, kind: int, title: str) -> Any | None:
        if not is_windows_com(self.book):
            self.error("Hộp chọn tệp/thư mục chỉ có trên Excel for Windows. Hãy dùng lệnh "
                       "vaxclean trong cửa sổ dòng lệnh (xem Hướng dẫn).")
            return None
        dialog = self.book.app.api.FileDialog(kind)
        dialog.Title = title
        folder = _book_folder(self.book)
        if folder is not None:
            dialog.InitialFileName = str(folder) + "\\"
        return dialog

    # --- opening results --------------------------------------------------------------

    def open_workbook(self, path: Path) -> None:
        """Open an output workbook in the same Excel so the user sees the result."""
        if engine_name(self.book) != "excel":
            return
        try:
            self.book.app.books.open(str(path))
        except Exception:
            self.info(f"Không mở được tệp tự động; tệp nằm tại:\n{path}")


def _book_folder(book: Any) -> Path | None:
    try:
        full = Path(str(book.fullname))
    except Exception:
        return None
    return full.parent if full.parent != Path(".") and full.parent.is_dir() else None
