"""One function per ribbon button; each takes the calling book (and a :class:`Ui`).

Why functions of ``book`` rather than of ``xw.Book.caller()``: the dispatcher gets the
caller once and passes it in, so the same functions run against xlwings' remote engine in
the tests (a ``xw.Book(json=...)``), against a mock caller, and from Excel.

Rules every handler follows:

* read the sheet in ONE call (``read_grid``), plan everything in Python (``marks``), then
  write in bulk: one values block for the status columns, a few colour calls (``paint``);
* never change the user's data except in "Áp dụng gợi ý sửa", and there only the cells
  the rules are certain about, each one coloured green and noted old → new;
* messages are Vietnamese and short; failures are :class:`VaxcleanError` (shown as is) or
  crashes (logged without personal data by the dispatcher);
* the log gets counts, row numbers and rule codes only.
"""

from __future__ import annotations

import datetime as _dt
import inspect
import os
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vaxclean_xl.errors import E, VaxcleanError
from vaxclean_xl.excel import registry
from vaxclean_xl.excel.paint import (
    COLOURS,
    HEADER_COLOUR,
    TOOL_COLOURS,
    Cell,
    PaintReport,
    SheetMarks,
    add_notes,
    apply_fills,
    read_marks,
    remove_notes,
)
from vaxclean_xl.excel.ui import Ui, engine_name, is_windows_com
from vaxclean_xl.logs import log_line

SOURCE_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".csv")
STATUS_WIDTH = 30  # characters; the status texts are long, the cells wrap nothing


@dataclass(slots=True)
class SheetOutcome:
    """What a sheet button did (returned for tests and logged as counts)."""

    records: int = 0
    groups: dict[str, int] = field(default_factory=dict)
    warnings: int = 0
    flagged: int = 0  # cells coloured red/yellow
    cleared: int = 0  # old tool fills removed
    notes: int = 0  # notes added
    notes_removed: int = 0
    fixes: int = 0  # cells changed by "Áp dụng gợi ý sửa"
    vaccination: dict[str, int] = field(default_factory=dict)  # people per doses' status
    paint: PaintReport = field(default_factory=PaintReport)


# --------------------------------------------------------------------------- helpers


def _ui(book: Any, ui: Ui | None) -> Ui:
    return ui if ui is not None else Ui(book)


class _Quiet:
    """Screen updating off while writing (COM only: it speeds every call up)."""

    def __init__(self, book: Any) -> None:
        self.book = book
        self.active = engine_name(book) == "excel"

    def __enter__(self) -> _Quiet:
        if self.active:
            try:
                self.book.app.screen_updating = False
            except Exception:
                self.active = False
        return self

    def __exit__(self, *exc: object) -> None:
        if self.active:
            try:
                self.book.app.screen_updating = True
            except Exception:
                pass


def _locate(book: Any, ui: Ui, *, fonts: bool = True) -> tuple[Any, Any]:
    """(active sheet, SheetList) of the calling book; one read of the used range (and,
    with ``fonts``, one or two for the name column's fonts)."""
    from vaxclean_xl.excel.sheet import locate_list, read_grid

    sheet = book.sheets.active
    if engine_name(book) == "excel":
        try:
            locked = bool(sheet.api.ProtectContents)
        except Exception:
            locked = False
        if locked:
            raise VaxcleanError("Trang tính đang bị khóa (Review > Unprotect Sheet / Xem lại > "
                                "Bỏ bảo vệ trang tính). Hãy bỏ khóa rồi bấm lại.",
                                code=E.SHEET_PROTECTED)
    ui.status("Làm sạch TC: đang đọc danh sách…")
    grid = read_grid(sheet)
    found = locate_list(grid, sheet_name=str(sheet.name), path=str(book.fullname))
    if fonts:
        found.table.name_fonts = name_fonts(book, sheet, found)
    return sheet, found


def name_fonts(book: Any, sheet: Any, found: Any) -> dict[int, str]:
    """Legacy fonts (.VnTime, VNI-Times) of the name cells, as the file reader finds them.

    A name typed in TCVN3/VNI is only recognisable with its cell's font. Excel answers
    "the font of the whole name column" in one call (a name if uniform, None if mixed);
    a mixed column is read per cell from the SpreadsheetML of that column (Windows, one
    call). Engines that cannot tell fonts (remote) get {}: then the text alone decides.
    """
    from vaxclean_xl.core.legacy_text import could_be_legacy
    from vaxclean_xl.io.reader import legacy_font

    col = found.table.columns.get("full_name")
    rows = [r for r, _ in found.table.rows]
    if col is None or not rows or engine_name(book) != "excel":
        return {}
    if not any(col < len(v) and could_be_legacy(v[col]) for _r, v in found.table.rows):
        return {}  # no name that could be 8-bit legacy text: fonts cannot matter
    try:
        uniform = sheet.range((rows[0], col + 1), (rows[-1], col + 1)).font.name
    except Exception:
        return {}
    if isinstance(uniform, str):
        return dict.fromkeys(rows, uniform) if legacy_font(uniform) else {}
    marks = read_marks(book, sheet, (rows[0], col + 1, rows[-1], col + 1))
    if marks is None:
        return {}
    return {r: f for (r, _c), f in marks.fonts.items() if legacy_font(f)}


def _validate(found: Any, today: _dt.date | None, ui: Ui, book: Any = None) -> Any:
    """The list validated as ``vaxclean validate`` does it: doses too when the list has
    dose columns, with the station's vaccine aliases from the book's "Cài đặt" sheet."""
    from vaxclean_xl.commands.common import validate_table

    n = len(found.table.rows)
    aliases = _vaccine_aliases(book) if book is not None and found.doses else None
    ui.status(f"Làm sạch TC: đang kiểm tra {n:,} người…".replace(",", "."))
    return validate_table(found.table, today, vaccine_aliases=aliases)


def _vaccine_aliases(book: Any) -> dict[str, str]:
    """The station's own vaccine spellings from the book's "Cài đặt" sheet (one read);
    none without the sheet. A wrong entry is the settings' Vietnamese message."""
    from vaxclean_xl.settings import SETTINGS_SHEET, settings_from_rows

    names = [str(s.name) for s in book.sheets]
    if SETTINGS_SHEET not in names:
        return {}
    rows = book.sheets[SETTINGS_SHEET].used_range.options(ndim=2).value or []
    return settings_from_rows([list(r) for r in rows]).vaccine_aliases


def _existing_marks(book: Any, sheet: Any, found: Any, result: Any = None
                    ) -> tuple[set[Cell], list[Cell]]:
    """(cells the tool coloured before, cells with a tool note) in the list's field and
    dose columns.

    Windows: read from Excel in one call, exact colours. Elsewhere: derived from the tool's
    own status columns (no notes can be read there); the dose cells they name are found
    through the list's records (``result``, or the list validated here for its doses).
    """
    from vaxclean_xl.excel.marks import field_block, old_marks_from_status

    block = field_block(found)
    columns = found.mark_columns()
    marks: SheetMarks | None = read_marks(book, sheet, block) if block else None
    if marks is None:
        if result is None and found.doses and found.status_found:
            from vaxclean_xl.commands.common import validate_table

            result = validate_table(found.table)
        return old_marks_from_status(found, result.records if result is not None else ()), []
    fills = {c for c in marks.tool_fills() if c[1] in columns}
    notes = [c for c in marks.tool_notes() if c[1] in columns]
    return fills, notes


def _write(book: Any, sheet: Any, found: Any, result: Any, ui: Ui, fixes: list[Any]
           ) -> SheetOutcome:
    """Write status, colours and notes for ``result`` (shared by validate and apply_fixes)."""
    from vaxclean_xl.excel.marks import plan_marks

    plan = plan_marks(found, result, fixes)
    old_fills, old_notes = _existing_marks(book, sheet, found, result)
    changes: dict[Cell, str | None] = {cell: None for cell in old_fills - plan.fills.keys()}
    changes.update(plan.fills)
    out = SheetOutcome(records=len(result.records), groups=result.summary(),
                       warnings=result.warnings, flagged=plan.flagged,
                       cleared=len(old_fills - plan.fills.keys()), fixes=len(fixes))
    if found.doses:
        out.vaccination = dict(Counter(rec.vaccination for rec in result.records))
    ui.status("Làm sạch TC: đang ghi kết quả…")
    with _Quiet(book):
        status = sheet.range((plan.status_top, plan.status_col))
        status.value = plan.status_block
        top, left, _bottom, right = plan.header_rect
        header = sheet.range((top, left), (top, right))
        header.color = HEADER_COLOUR
        header.column_width = STATUS_WIDTH
        if plan.width > plan.headers:  # an old "Mũi tiêm" column, the doses gone since
            sheet.range((top, right + 1), (top, left + plan.width - 1)).color = None
        out.notes_removed = len(old_notes)
        remove_notes(book, sheet, old_notes)
        scratch = max(found.grid.right, left + plan.width - 1) + 2
        out.paint = apply_fills(book, sheet, changes, scratch_col=scratch)
        if plan.notes:
            out.notes, _supported = add_notes(sheet, plan.notes)
    return out


def _report_text(out: SheetOutcome) -> str:
    g = out.groups
    bad = out.records - g.get("OK", 0)
    lines = [
        f"Đã kiểm tra {out.records:,} người: {g.get('OK', 0):,} đúng, {bad:,} sai thông tin."
        .replace(",", "."),
        f"  Không có số CCCD/CMND: {g.get('NO_ID', 0)}",
        f"  Sai định dạng số CCCD/CMND: {g.get('BAD_ID_FORMAT', 0)}",
        f"  Sai thông tin cá nhân cơ bản: {g.get('BAD_PERSONAL_INFO', 0)}",
        f"  Cảnh báo cần xem lại: {out.warnings}",
    ]
    if out.vaccination:
        v = out.vaccination
        lines.append(f"  Mũi tiêm: {v.get('ERROR', 0)} người sai thông tin mũi tiêm, "
                     f"{v.get('WARNING', 0)} người cần xem lại mũi tiêm")
    lines.append("Ô đỏ là lỗi, ô vàng cần xem lại; lý do ở cột «Lỗi», cách sửa ở cột «Gợi ý "
                 "sửa»" + ("; mũi tiêm ở cột «Mũi tiêm»." if out.vaccination else "."))
    if out.flagged and not out.notes:
        lines.append("(Nhiều ô sai nên không thêm ghi chú vào từng ô; xem cột «Lỗi».)")
    return "\n".join(lines)


def _log(action: str, out: SheetOutcome, started: float, **extra: object) -> None:
    import time

    g = out.groups
    parts = [f"excel {action} records={out.records}"]
    parts += [f"{k}={g[k]}" for k in ("OK", "NO_ID", "BAD_ID_FORMAT", "BAD_PERSONAL_INFO")
              if k in g]
    parts += [f"flagged={out.flagged}", f"cleared={out.cleared}", f"notes={out.notes}",
              f"paint={out.paint.strategy}:{out.paint.calls}"]
    if out.paint.fallback:
        parts.append(f"fallback={out.paint.fallback}")
    parts += [f"{k}={v}" for k, v in extra.items()]
    parts.append(f"seconds={time.monotonic() - started:.2f}")
    log_line(" ".join(parts))


# --------------------------------------------------------------------------- buttons


def validate_sheet(book: Any, ui: Ui | None = None, *, today: _dt.date | None = None
                   ) -> SheetOutcome:
    """Kiểm tra danh sách: validate the active sheet in place.

    Colours bad cells (red error, yellow warning; dose cells too), writes the three status
    columns right of the list (four, with "Mũi tiêm", on a list with dose columns), adds
    notes when few cells are marked, and removes the marks of an earlier run that no longer
    apply. The user's values are not touched.
    """
    import time

    started = time.monotonic()
    ui = _ui(book, ui)
    sheet, found = _locate(book, ui)
    result = _validate(found, today, ui, book)
    out = _write(book, sheet, found, result, ui, [])
    ui.status(None)
    _log("validate", out, started)
    ui.info(_report_text(out))
    return out


def clear_marks(book: Any, ui: Ui | None = None) -> SheetOutcome:
    """Xóa đánh dấu: remove only what the tool added to the active sheet.

    The tool's fills (its exact colours, in the list's field cells), its notes (text
    starting with "[" + a rule code) and its status columns (found by their header texts,
    side by side: three, or four with "Mũi tiêm"). The user's own colours, notes and values
    stay.
    """
    import time

    started = time.monotonic()
    ui = _ui(book, ui)
    sheet, found = _locate(book, ui, fonts=False)
    old_fills, old_notes = _existing_marks(book, sheet, found)
    out = SheetOutcome(records=len(found.table.rows), cleared=len(old_fills),
                       notes_removed=len(old_notes))
    if not old_fills and not old_notes and not found.status_found:
        ui.info("Trang tính này không có đánh dấu nào của công cụ.")
        return out
    ui.status("Làm sạch TC: đang xóa đánh dấu…")
    with _Quiet(book):
        remove_notes(book, sheet, old_notes)
        scratch = max(found.grid.right, found.status_col + 2) + 2
        out.paint = apply_fills(book, sheet, dict.fromkeys(old_fills), scratch_col=scratch)
        if found.status_found:
            bottom = max([found.table.last_data_row, found.table.header_row,
                          *found.old_status_rows])
            sheet.range((found.table.header_row, found.status_col),
                        (bottom, found.status_col + found.status_width - 1)).clear()
    ui.status(None)
    _log("clear_marks", out, started, status_columns=int(found.status_found),
         notes_removed=len(old_notes))
    parts = [f"{len(old_fills)} ô tô màu"]
    if old_notes:
        parts.append(f"{len(old_notes)} ghi chú")
    if found.status_found:
        from vaxclean_xl.core.presentation import DOSE_STATUS_HEADER, STATUS_HEADERS

        names = [*STATUS_HEADERS, DOSE_STATUS_HEADER][:found.status_width]
        count = {3: "ba", 4: "bốn"}[found.status_width]
        parts.append(f"{count} cột " + ", ".join(f"«{h}»" for h in names))
    ui.info("Đã xóa đánh dấu của công cụ: " + ", ".join(parts) + ".")
    return out


def apply_fixes(book: Any, ui: Ui | None = None, *, rows: set[int] | None = None,
                all_rows: bool = False, today: _dt.date | None = None) -> SheetOutcome:
    """Áp dụng gợi ý sửa: apply the certain fixes to the selected rows.

    ``rows`` (Excel row numbers) defaults to the rows of Excel's current selection;
    ``all_rows`` applies to every record. Each changed cell is written (Text format for
    digit strings so no leading zero is lost), coloured green and noted "cũ → mới"; the
    list is then re-validated and its status columns rewritten.
    """
    import time

    from vaxclean_xl.excel.marks import certain_fixes, needs_text_format, selected_rows

    started = time.monotonic()
    ui = _ui(book, ui)
    sheet, found = _locate(book, ui)
    if all_rows:
        wanted: set[int] | None = None
    elif rows is not None:
        wanted = set(rows)
    else:
        selection = book.app.selection
        wanted = selected_rows(selection.address if selection is not None else None)
    by_row = dict(found.table.rows)  # every row of the list: a person's dose rows too
    for person in found.table.person_rows.values():
        by_row.update(person)
    records = {r for r, _ in found.table.rows}
    if wanted is not None and not (wanted & by_row.keys()):
        ui.info("Hãy bôi đen các dòng cần sửa (trong danh sách) rồi bấm lại "
                "«Áp dụng gợi ý sửa».")
        return SheetOutcome(records=len(records))
    result = _validate(found, today, ui, book)
    fixes = certain_fixes(found, result, wanted)
    if not fixes:
        ui.info("Các dòng đã chọn không có lỗi nào sửa tự động được chắc chắn. "
                "Xem cột «Lỗi» để sửa tay.")
        return SheetOutcome(records=len(records))
    ui.status(f"Làm sạch TC: đang sửa {len(fixes)} ô…")
    with _Quiet(book):
        for run in _runs(fixes):
            rng = sheet.range((run[0].row, run[0].col), (run[-1].row, run[0].col))
            if any(needs_text_format(fx) for fx in run):
                rng.number_format = "@"
            rng.value = [[fx.new] for fx in run]
    # Re-validate with the new values, then rewrite status, colours and notes.
    for fx in fixes:
        values = by_row[fx.row]
        values.extend([None] * (fx.col - len(values)))
        values[fx.col - 1] = fx.new
    result = _validate(found, today, ui, book)
    out = _write(book, sheet, found, result, ui, fixes)
    ui.status(None)
    codes = Counter(fx.code for fx in fixes)
    _log("apply_fixes", out, started, rows=len({fx.row for fx in fixes}),
         codes=",".join(f"{c}:{n}" for c, n in sorted(codes.items())))
    where = "«Gợi ý sửa»" + (" và «Mũi tiêm»" if found.doses else "")
    ui.info(f"Đã sửa {len(fixes)} ô ở {len({fx.row for fx in fixes})} dòng (tô xanh; giá trị "
            f"cũ → mới ghi ở cột {where}" + (" và ghi chú" if out.notes else "") + ").\n"
            + _report_text(out))
    return out


def _runs(fixes: list[Any]) -> list[list[Any]]:
    """Fixes grouped into vertical runs (same column, consecutive rows): one write each."""
    runs: list[list[Any]] = []
    for fx in sorted(fixes, key=lambda f: (f.col, f.row)):
        if runs and runs[-1][-1].col == fx.col and runs[-1][-1].row == fx.row - 1:
            runs[-1].append(fx)
        else:
            runs.append([fx])
    return runs


# --------------------------------------------------------------------------- file commands


def saved_source(book: Any, ui: Ui) -> Path | None:
    """The workbook's file on disk, saved; None when the user cancels.

    The file commands (split, merge, police list, import file) read the saved file, not
    the live sheet (they record its SHA-256 and the hamlet files point back to it), so
    unsaved changes are saved first, with the user's consent.
    """
    full = str(book.fullname)
    if "://" in full:
        raise VaxcleanError(
            "Tệp đang mở từ OneDrive/SharePoint (đường dẫn web). Hãy lưu một bản vào máy "
            "(Tệp > Lưu thành > Máy tính này) rồi bấm lại.", code=E.WEB_PATH)
    path = Path(full)
    if not path.is_file():
        raise VaxcleanError("Danh sách chưa được lưu thành tệp. Hãy lưu (Ctrl+S) rồi bấm lại.",
                            code=E.UNSAVED_WORKBOOK)
    if path.suffix.lower() not in SOURCE_SUFFIXES:
        raise VaxcleanError(f"Không dùng được tệp «{path.name}»: cần tệp .xlsx, .xlsm, .xls, "
                            ".ods hoặc .csv.", code=E.WORKBOOK_TYPE)
    if is_windows_com(book):
        try:
            dirty = not bool(book.api.Saved)
        except Exception:
            dirty = False
        if dirty:
            if not ui.confirm("Danh sách có thay đổi chưa lưu. Công cụ đọc tệp đã lưu trên "
                              "máy nên cần lưu trước. Lưu ngay và tiếp tục?"):
                return None
            book.save()
    return path


def _open_folder(book: Any, folder: Path) -> None:
    if sys.platform == "win32" and engine_name(book) == "excel":
        try:
            os.startfile(str(folder))  # type: ignore[attr-defined]  # Windows only
        except OSError:
            pass


def split_hamlets(book: Any, ui: Ui | None = None, *, outdir: str | Path | None = None,
                  all_records: bool = False) -> Any:
    """Chia theo thôn: one self-checking workbook per hamlet (``split_file``).

    Asks for the output folder when ``outdir`` is None; uses the active sheet and the
    workbook's "Cài đặt" sheet. Returns the library's ``SplitOutcome`` (None if cancelled).
    """
    from vaxclean_xl.commands.split import SplitRefused, split_file

    ui = _ui(book, ui)
    src = saved_source(book, ui)
    if src is None:
        return None
    target = Path(outdir) if outdir else ui.pick_folder(
        "Chọn thư mục lưu các tệp gửi thôn/xóm")
    if target is None:
        return None
    ui.status("Làm sạch TC: đang chia danh sách theo thôn/xóm…")
    sheet = str(book.sheets.active.name)
    try:
        outcome = split_file(src, target, all_records=all_records, sheet=sheet)
    except SplitRefused as exc:
        ui.status(None)
        # the folder holds files already out in the hamlets: never replaced; a new round
        # goes into its own sub-folder, on the user's word
        if not ui.confirm(f"{exc.why}\n\nBấm OK để tạo lần chia "
                          f"mới trong một thư mục con của «{target}» (các tệp đã gửi giữ "
                          "nguyên), hoặc Cancel để chọn thư mục khác."):
            return None
        outcome = split_file(src, target, all_records=all_records, sheet=sheet,
                             new_round=True)
    ui.status(None)
    total = sum(len(f.records) for f in outcome.files)
    folder = outcome.folder or target
    log_line(f"excel split files={len(outcome.files)} records={total} "
             f"round={outcome.round_no} written={len(outcome.written)}")
    names = "\n".join(f"  {f.path.name}: {len(f.records)} người" for f in outcome.files[:15])
    more = f"\n  … và {len(outcome.files) - 15} tệp khác" if len(outcome.files) > 15 else ""
    if outcome.reused and not outcome.written:
        head = (f"Thư mục này đã có đúng lần chia này ({len(outcome.files)} tệp, {total} "
                "người): không ghi lại tệp nào, các tệp đã sửa được giữ nguyên.\n")
    else:
        lan = f" (lần chia {outcome.round_no})" if outcome.round_no > 1 else ""
        head = f"Đã tạo {len(outcome.files)} tệp ({total} người cần rà soát){lan} trong thư mục:\n"
    ui.info(f"{head}{folder}\n{names}{more}\nGửi mỗi thôn/xóm tệp của mình; khi nhận lại, bấm "
            "«Gộp file trả về».")
    _open_folder(book, folder)
    return outcome


def merge_returns(book: Any, ui: Ui | None = None, *,
                  files: list[str | Path] | None = None) -> Any:
    """Gộp file trả về: merge the returned hamlet files (``merge_files``).

    Asks for the files when ``files`` is None. Writes '<tên>.gop.xlsx' beside this
    workbook and opens it. Returns the library's ``MergeOutcome`` (None if cancelled).
    """
    from vaxclean_xl.commands.merge import merge_files

    ui = _ui(book, ui)
    src = saved_source(book, ui)
    if src is None:
        return None
    chosen = [Path(f) for f in files] if files else ui.pick_files(
        "Chọn các tệp thôn/xóm gửi lại (giữ Ctrl để chọn nhiều tệp)")
    if not chosen:
        return None
    ui.status("Làm sạch TC: đang gộp các tệp trả về…")
    outcome = merge_files(src, chosen)
    ui.status(None)
    s = outcome.merge_report.summary
    log_line(f"excel merge files={s.files} refused={s.refused} changes={s.changes} "
             f"conflicts={s.conflicts}")
    held = ""
    if s.rejected or s.original_edits:
        held = (f"\nGiữ giá trị gốc vì đề nghị sửa sai quy tắc: {s.rejected} (trang «Sửa "
                f"chưa hợp lệ»); sửa vào cột gốc, chưa áp dụng: {s.original_edits} (trang "
                "«Sửa vào cột gốc»).")
    ui.info(f"Đã gộp {s.files - s.refused}/{s.files} tệp: {s.changes} thay đổi, "
            f"{s.conflicts} xung đột (giữ giá trị gốc), {s.added} người bổ sung, "
            f"{s.missing} thiếu, {s.not_returned} thôn chưa trả về.{held}\n"
            f"Danh sách đã gộp: {outcome.output}")
    ui.open_workbook(Path(outcome.output))
    return outcome


def run_file_command(book: Any, ui: Ui | None, button_id: str) -> Any:
    """Run the library command of a file button (registry ``command``) on this workbook.

    The contract for such commands: ``f(src: Path, ...) -> outcome`` writing beside
    ``src`` by default; ``sheet=`` is passed when accepted; the outcome's ``output`` /
    ``report`` paths (if any) are shown and the first .xlsx is opened. A command that is
    not written yet raises :class:`registry.FeatureMissing` (a message, not a crash).
    """
    ui = _ui(book, ui)
    btn = registry.button(button_id)
    if btn.command is None:
        raise ValueError(f"{button_id}: no command in the registry")
    func = registry.resolve(btn.command)
    src = saved_source(book, ui)
    if src is None:
        return None
    kwargs: dict[str, Any] = {}
    try:
        params = inspect.signature(func).parameters
    except (TypeError, ValueError):
        params = {}  # type: ignore[assignment]
    if "sheet" in params:
        kwargs["sheet"] = str(book.sheets.active.name)
    ui.status(f"Làm sạch TC: {btn.label}…")
    outcome = func(src, **kwargs)
    ui.status(None)
    paths = [p for name in ("output", "report", "pdf")
             if isinstance(p := getattr(outcome, name, None), Path)]
    log_line(f"excel {button_id} outputs={len(paths)}")
    lines = [f"{btn.label}: xong."]
    written = getattr(outcome, "written", getattr(outcome, "count", None))
    if isinstance(written, int):
        lines.append(f"Đã ghi {written} người.")
    not_eligible = getattr(outcome, "not_eligible", None)
    if isinstance(not_eligible, list) and not_eligible:
        lines.append(f"{len(not_eligible)} người chưa đủ điều kiện (xem báo cáo).")
    for w in [*(getattr(outcome, "warnings", None) or []),
              *([m] if isinstance(m := getattr(outcome, "pdf_message", None), str) else [])]:
        lines.append(f"Lưu ý: {w}")
    lines += [f"Tệp: {p}" for p in paths]
    ui.info("\n".join(lines))
    for p in paths:
        if p.suffix.lower() in (".xlsx", ".xlsm"):
            ui.open_workbook(p)
            break
    return outcome


def police_list(book: Any, ui: Ui | None = None) -> Any:
    """Danh sách Công an: the list the commune police check and sign."""
    return run_file_command(book, ui, "police")


def export_import(book: Any, ui: Ui | None = None) -> Any:
    """Xuất file Import: the national platform's import file (``export_import``).

    The template is the "Cài đặt" sheet's ``import_template`` (none: the spec's layout).
    A legacy .xls template is converted by Excel's own Save As when the button runs in
    Excel on Windows (station PCs have Excel, seldom LibreOffice), by LibreOffice
    elsewhere; the import file is then written as .xls (to upload) and as .xlsx (to look
    at), and the .xlsx is opened.
    """
    from contextlib import nullcontext

    from vaxclean_xl.io.office import ExcelConverter, LibreOfficeConverter

    ui = _ui(book, ui)
    src = saved_source(book, ui)
    if src is None:
        return None
    btn = registry.button("export_import")
    ui.status(f"Làm sạch TC: {btn.label}…")
    command = registry.resolve(btn.command or "")
    with (ExcelConverter() if is_windows_com(book)
          else nullcontext(LibreOfficeConverter())) as converter:
        outcome = command(src, sheet=str(book.sheets.active.name), converter=converter,
                          xlsx_copy=True)
    ui.status(None)
    log_line(f"excel export_import written={outcome.written} "
             f"not_eligible={len(outcome.not_eligible)} converter={outcome.converter or '-'}")
    lines = [f"{btn.label}: xong.", f"Đã ghi {outcome.written} người."]
    if outcome.not_eligible:
        lines.append(f"{len(outcome.not_eligible)} người chưa đủ điều kiện (xem báo cáo).")
    lines += [f"Lưu ý: {w}" for w in outcome.warnings]
    lines.append(f"Tệp để tải lên Nền tảng: {outcome.output}")
    if outcome.xlsx_copy is not None:
        lines.append(f"Bản .xlsx (để xem, cùng nội dung): {outcome.xlsx_copy}")
    lines.append(f"Báo cáo: {outcome.report}")
    ui.info("\n".join(lines))
    shown = outcome.xlsx_copy or outcome.output
    ui.open_workbook(shown if shown.suffix.lower() == ".xlsx" else outcome.report)
    return outcome


def edit_list(book: Any, ui: Ui | None = None) -> Any:
    """Danh sách sửa trực tiếp: records to correct by hand on the platform."""
    return run_file_command(book, ui, "edit_list")


def passport(book: Any, ui: Ui | None = None) -> Any:
    """Hộ chiếu vắc xin: who can be signed for a vaccine passport today, why not the
    others (the workbook to print and sign, and the JSON report ``progress`` reads)."""
    return run_file_command(book, ui, "passport")


PROGRESS_SUFFIX = ".tiendo.xlsx"


def progress(book: Any, ui: Ui | None = None) -> Any:
    """Tiến độ: the progress workbook per hamlet, from what the other buttons wrote.

    The library command reads the outputs it is given (files and folders, walked); the
    buttons write everything beside the list, so the inputs are this workbook and its
    folder, and the report is '<tên>.tiendo.xlsx' beside it, opened when done.
    """
    ui = _ui(book, ui)
    btn = registry.button("progress")
    func = registry.resolve(btn.command or "")
    src = saved_source(book, ui)
    if src is None:
        return None
    output = src.with_name(src.stem + PROGRESS_SUFFIX)
    ui.status(f"Làm sạch TC: {btn.label}…")
    outcome = func([src, src.parent], output)
    ui.status(None)
    lists = getattr(outcome, "lists", [])
    log_line(f"excel progress lists={len(lists)}")
    lines = [f"Đã lập báo cáo tiến độ cho {len(lists)} danh sách (đọc các tệp kết quả trong "
             f"thư mục {src.parent}).", f"Tệp: {output}"]
    lines += [f"Lưu ý: {w}" for w in getattr(outcome, "warnings", None) or []]
    ui.info("\n".join(lines))
    ui.open_workbook(output)
    return outcome


# --------------------------------------------------------------------------- help


def open_settings(book: Any, ui: Ui | None = None) -> Any:
    """Cài đặt: activate the workbook's "Cài đặt" sheet, creating it with the labels.

    The file commands read the station's settings from this sheet (labels in column A,
    values in column B), so staff enter them once, in Excel.
    """
    from vaxclean_xl.settings import LABELS_VI, SETTINGS_SHEET

    ui = _ui(book, ui)
    names = [str(s.name) for s in book.sheets]
    if SETTINGS_SHEET in names:
        sheet = book.sheets[SETTINGS_SHEET]
        sheet.activate()
        return sheet
    sheet = book.sheets.add(SETTINGS_SHEET, after=book.sheets[len(names) - 1])
    block: list[list[str]] = [
        ["Cài đặt của Trạm Y tế: điền ở cột B (một lần), các nút xuất tệp sẽ dùng.", ""],
        ["", ""],
        ["Mục", "Giá trị"],
    ]
    block += [[label, ""] for label in LABELS_VI.values()]
    sheet.range("A1").value = block
    sheet.range("A3:B3").color = HEADER_COLOUR
    sheet.range("A:A").column_width = 34
    sheet.range("B:B").column_width = 40
    sheet.activate()
    log_line("excel settings created")
    ui.info("Đã tạo trang «Cài đặt». Điền cột B (tên xã, trạm, công an, người ký, hạn gửi "
            "lại…), rồi lưu tệp.")
    return sheet


GUIDE_NAME = "huong-dan-excel.md"


def guide_path() -> Path | None:
    """docs/huong-dan-excel.md of the installation (checkout, editable or wheel)."""
    from vaxclean_xl.resources import resource_dir

    path = resource_dir("docs") / GUIDE_NAME
    return path if path.is_file() else None


def guide_html(markdown: str) -> str:
    """A minimal, dependency-free Markdown → HTML for the guide (headings, lists with
    continuation lines, tables, paragraphs, bold, code): a readable page in the browser."""
    import html
    import re

    def inline(text: str) -> str:
        text = html.escape(text)
        text = re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", text)
        return re.sub(r"`(.+?)`", r"<code>\1</code>", text)

    out: list[str] = []
    para: list[str] = []
    item: list[str] = []
    state = ""  # "", "list" or "table"

    def close_item() -> None:
        if item:
            out.append(f"<li>{inline(' '.join(item))}</li>")
            item.clear()

    def flush() -> None:
        nonlocal state
        if para:
            out.append("<p>" + inline(" ".join(para)) + "</p>")
            para.clear()
        close_item()
        if state == "list":
            out.append("</ul>")
        elif state == "table":
            out.append("</table>")
        state = ""

    for line in markdown.splitlines():
        stripped = line.strip()
        heading = re.match(r"^(#{1,4})\s+(.*)", stripped)
        bullet = re.match(r"^(?:[-*]|\d+\.)\s+(.*)", stripped)
        if not stripped:
            if state != "list":
                flush()
        elif stripped.startswith("|"):
            cells = [c.strip() for c in stripped.strip("|").split("|")]
            if all(re.fullmatch(r":?-{3,}:?", c) for c in cells):
                continue  # the header separator row
            if state != "table":
                flush()
                out.append("<table border=\"1\" cellpadding=\"4\">")
                state = "table"
            out.append("<tr>" + "".join(f"<td>{inline(c)}</td>" for c in cells) + "</tr>")
        elif heading:
            flush()
            level = len(heading.group(1))
            out.append(f"<h{level}>{inline(heading.group(2))}</h{level}>")
        elif bullet and (state == "list" or not line[:1].isspace()):
            if state != "list":
                flush()
                out.append("<ul>")
                state = "list"
            close_item()
            item.append(bullet.group(1))
        elif state == "list" and line[:1].isspace():
            item.append(stripped)  # continuation of the current item
        else:
            if state:
                flush()
            para.append(stripped)
    flush()
    body = "\n".join(out)
    return ("<!DOCTYPE html><html lang=\"vi\"><head><meta charset=\"utf-8\">"
            "<title>Hướng dẫn Làm sạch TC</title><style>body{font-family:Segoe UI,Arial,"
            "sans-serif;max-width:52em;margin:2em auto;line-height:1.5}code{background:#eee}"
            "</style></head><body>\n" + body + "\n</body></html>\n")


def open_guide(book: Any, ui: Ui | None = None) -> Path | None:
    """Hướng dẫn: render the Vietnamese guide to HTML and open it in the browser."""
    from vaxclean_xl.logs import log_dir

    ui = _ui(book, ui)
    src = guide_path()
    if src is None:
        raise VaxcleanError("Không tìm thấy tệp hướng dẫn trong bản cài đặt. Hãy cài lại "
                            "vaxclean.", code=E.GUIDE_MISSING)
    target = log_dir().parent / "huong-dan-excel.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(guide_html(src.read_text(encoding="utf-8")), encoding="utf-8")
    if engine_name(book) == "excel":
        import webbrowser

        webbrowser.open(target.as_uri())
    return target


def show_doctor(book: Any, ui: Ui | None = None) -> dict[str, Any]:
    """Kiểm tra cài đặt: show versions and paths (for whoever supports the station)."""
    from vaxclean_xl.excel.diagnostics import doctor, doctor_lines

    ui = _ui(book, ui)
    info = doctor()
    info["excel_engine"] = engine_name(book)
    ui.info("\n".join(doctor_lines(info)))
    return info


__all__ = [
    "COLOURS",
    "TOOL_COLOURS",
    "SheetOutcome",
    "apply_fixes",
    "clear_marks",
    "edit_list",
    "export_import",
    "merge_returns",
    "open_guide",
    "open_settings",
    "passport",
    "police_list",
    "progress",
    "run_file_command",
    "saved_source",
    "show_doctor",
    "split_hamlets",
    "validate_sheet",
]
