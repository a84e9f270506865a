"""The progress workbook (``vaxclean progress``): one sheet per commune list, one line per
hamlet, a total line and a chart of the records still open; when a passport report of the
list was read, three more columns at the right give each hamlet's passport readiness
(persons ready to sign, blocked, without doses).

Its layout (columns, header texts, the rows above the table), its typed content
(:class:`ProgressWorkbook`: what a reader of the workbook sees), the writer and the reader
live here; ``commands.progress`` only works out the figures.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vaxclean_xl.core.model import CATEGORY_ORDER, Category
from vaxclean_xl.core.normalize import cell_text
from vaxclean_xl.core.passport import STATUS_LABEL_VI, Status

UNKNOWN_HAMLET = "(không xác định được thôn)"
TOTAL_LABEL = "Tổng cộng"
YES, NO = "Có", "Chưa"
DEFAULT_NAME = "Danh sách"  # a list (and its sheet) known by no file name

GROUPS: tuple[Category, ...] = tuple(CATEGORY_ORDER)  # NO_ID, BAD_ID_FORMAT, BAD_PERSONAL, OK
GROUP_HEADERS = {Category.NO_ID: "Không có số", Category.BAD_ID_FORMAT: "Sai định dạng",
                 Category.BAD_PERSONAL_INFO: "Sai thông tin", Category.OK: "Đúng"}
# (attribute of a line, header); the group columns come first
COLUMNS: tuple[tuple[str, str], ...] = (
    ("hamlet", "Thôn/xóm"),
    *((c.value, GROUP_HEADERS[c]) for c in GROUPS),
    ("files_sent", "Tệp đã gửi"),
    ("records_sent", "Bản ghi đã gửi"),
    ("returned", "Đã trả về"),
    ("changes", "Thay đổi đã gộp"),
    ("police_verified", "Công an đã xác minh"),
    ("exported", "Đã xuất file import"),
    ("edited", "Đã sửa trên nền tảng"),
    ("open", "Còn tồn"),
)
COL = {name: i for i, (name, _h) in enumerate(COLUMNS)}
COUNTS: tuple[str, ...] = ("files_sent", "records_sent", "changes", "police_verified",
                           "exported", "edited")  # the plain counts, in COLUMNS order
HEADER_TOP_ROW = 6  # 0-based rows of the two header rows (title and notes above)
GROUPS_HEADER = "Khi kiểm tra (số bản ghi)"
SENT_HEADER = "Gửi thôn"
# the kinds of files read, as the line "Tệp đã đọc — …" names them (in this order)
KIND_VI = {"validation": "báo cáo kiểm tra", "manifest": "danh mục chia tệp",
           "merge": "báo cáo gộp", "police": "danh sách công an", "import": "báo cáo import",
           "worklist": "danh sách sửa tay", "passport": "báo cáo hộ chiếu vắc xin"}
TITLE = "Tiến độ làm sạch dữ liệu: "
SOURCE = "Danh sách gốc: "
USED = "Tệp đã đọc — "
OPEN_NOTE = ("Còn tồn = số bản ghi có lỗi khi kiểm tra, trừ số bản ghi đó đã đúng sau lần gộp "
             "gần nhất.")
CHART_TITLE = "Bản ghi còn tồn theo thôn/xóm"
# passport readiness: status values, their headers under one group header, after COLUMNS
PASSPORT_STATUSES: tuple[str, ...] = tuple(s.value for s in Status)
PASSPORT_HEADERS: dict[str, str] = {s.value: STATUS_LABEL_VI[s] for s in Status}
PASSPORT_GROUP_HEADER = "Hộ chiếu vắc xin (số người)"
PASSPORT_COL = len(COLUMNS)  # 0-based column of the first passport status


@dataclass(slots=True)
class ProgressLine:
    """One line of a sheet as shown; None is an empty cell."""

    hamlet: str
    groups: dict[Category, int] | None  # the four groups at validation (None: no report)
    files_sent: int = 0
    records_sent: int = 0
    returned: bool | None = None  # Có / Chưa (None: no file was sent)
    changes: int = 0
    police_verified: int = 0
    exported: int = 0
    edited: int = 0
    open: int | None = None
    passport: dict[str, int] | None = None  # status value -> persons (None: no report)


@dataclass(slots=True)
class ProgressSheet:
    """One commune list: its heading, its hamlet lines and the total line (whose
    ``returned`` is None: the total cell counts the lines' "Có")."""

    name: str  # the sheet's name
    list_name: str
    source: str  # the original list as shown: its path, else its name
    sha256: str | None  # the first 16 hex digits of its SHA-256 (None: not known)
    used: dict[str, int]  # KIND_VI key -> files of that kind read
    note: str  # "" when there is nothing to say
    lines: list[ProgressLine]
    total: ProgressLine

    @property
    def open_per_hamlet(self) -> bool:
        """Whether the lines give "Còn tồn" (else only the total, an estimate, does)."""
        return any(line.open is not None for line in self.lines)

    @property
    def with_passport(self) -> bool:
        """Whether the sheet shows passport readiness (a passport report was read)."""
        return self.total.passport is not None or any(
            line.passport is not None for line in self.lines)


@dataclass(slots=True)
class ProgressWorkbook:
    sheets: list[ProgressSheet] = field(default_factory=list)


_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def sheet_names_for(stems: Sequence[str]) -> list[str]:
    """Excel sheet names from file stems: forbidden characters replaced, at most 31
    characters, unique (case-insensitively, as Excel compares them), never "History"."""
    used: set[str] = set()
    out: list[str] = []
    for stem in stems:
        base = _BAD_SHEET_CHARS.sub("-", stem).strip().strip("'") or DEFAULT_NAME
        if base.casefold() == "history":
            base = f"{base} (1)"
        name, n = base[:31], 2
        while name.casefold() in used:
            suffix = f" ({n})"
            name, n = base[:31 - len(suffix)] + suffix, n + 1
        used.add(name.casefold())
        out.append(name)
    return out


# --------------------------------------------------------------------------- writing


def line_values(line: ProgressLine) -> list[object]:
    """The cells of one line, in :data:`COLUMNS` order ("" for an empty cell)."""
    values: list[object] = [line.hamlet]
    values += [line.groups.get(c, 0) if line.groups is not None else "" for c in GROUPS]
    values += [line.files_sent, line.records_sent,
               "" if line.returned is None else (YES if line.returned else NO),
               line.changes, line.police_verified, line.exported, line.edited,
               "" if line.open is None else line.open]
    return values


def write_progress_workbook(path: Path, workbook: ProgressWorkbook) -> None:
    """The workbook: per sheet a heading, the two header rows, the lines, the total line
    (formulas over the lines, with their values) and, when the lines give "Còn tồn", a
    bar chart of it."""
    from xlsxwriter.utility import xl_rowcol_to_cell

    from vaxclean_xl.xlsx.workbook import new_workbook

    wb = new_workbook(path)
    try:
        wb.set_properties({"title": "Tiến độ làm sạch dữ liệu tiêm chủng COVID-19",
                           "author": "vaxclean"})
        title = wb.add_format({"bold": True, "font_size": 14})
        note = wb.add_format({"italic": True, "font_color": "#595959"})
        head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1,
                              "text_wrap": True, "align": "center", "valign": "vcenter"})
        cell = wb.add_format({"border": 1})
        num = wb.add_format({"border": 1, "align": "center"})
        open_fmt = wb.add_format({"border": 1, "align": "center", "bold": True,
                                  "font_color": "#C00000"})
        tot = wb.add_format({"border": 1, "bold": True, "bg_color": "#F2F2F2"})
        tot_num = wb.add_format({"border": 1, "bold": True, "bg_color": "#F2F2F2",
                                 "align": "center"})

        for sh in workbook.sheets:
            ws = wb.add_worksheet(sh.name)
            ws.write_string(0, 0, f"{TITLE}{sh.list_name}", title)
            sha = f" (SHA-256 {sh.sha256}…)" if sh.sha256 else ""
            ws.write_string(1, 0, f"{SOURCE}{sh.source}{sha}", note)
            used = "; ".join(f"{KIND_VI[k]}: {n}" for k, n in sh.used.items())
            ws.write_string(2, 0, f"{USED}{used}.", note)
            ws.write_string(3, 0, OPEN_NOTE, note)
            if sh.note:
                ws.write_string(4, 0, sh.note, note)

            top, sub = HEADER_TOP_ROW, HEADER_TOP_ROW + 1
            g0, g1 = COL[GROUPS[0].value], COL[GROUPS[-1].value]
            ws.merge_range(top, g0, top, g1, GROUPS_HEADER, head)
            s0, s1 = COL["files_sent"], COL["records_sent"]
            ws.merge_range(top, s0, top, s1, SENT_HEADER, head)
            for i, (_attr, header) in enumerate(COLUMNS):
                if g0 <= i <= g1 or s0 <= i <= s1:
                    ws.write_string(sub, i, header, head)
                else:
                    ws.merge_range(top, i, sub, i, header, head)
            ws.set_row(sub, 32)
            ws.set_column(0, 0, 24)
            ws.set_column(1, len(COLUMNS) - 1, 12)
            passport = sh.with_passport
            if passport:
                p0, p1 = PASSPORT_COL, PASSPORT_COL + len(PASSPORT_STATUSES) - 1
                ws.merge_range(top, p0, top, p1, PASSPORT_GROUP_HEADER, head)
                for c, status in enumerate(PASSPORT_STATUSES, p0):
                    ws.write_string(sub, c, PASSPORT_HEADERS[status], head)
                ws.set_column(p0, p1, 12)

            first = sub + 1
            for r, line in enumerate(sh.lines, start=first):
                for c, v in enumerate(line_values(line)):
                    fmt = open_fmt if c == COL["open"] else (cell if c == 0 else num)
                    _put(ws, r, c, v, fmt)
                if passport:
                    for c, v in enumerate(_passport_values(line), PASSPORT_COL):
                        _put(ws, r, c, v, num)
            last = first + len(sh.lines) - 1
            total_row = last + 1
            per_hamlet = sh.open_per_hamlet
            ws.write_string(total_row, 0, TOTAL_LABEL, tot)
            totals = line_values(sh.total)
            totals[COL["returned"]] = sum(1 for line in sh.lines if line.returned)
            for c in range(1, len(COLUMNS)):
                value = totals[c]
                if not sh.lines or value == "" or (c == COL["open"] and not per_hamlet):
                    _put(ws, total_row, c, value, tot_num)
                    continue
                a, b = xl_rowcol_to_cell(first, c), xl_rowcol_to_cell(last, c)
                formula = (f'=COUNTIF({a}:{b},"{YES}")' if c == COL["returned"]
                           else f"=SUM({a}:{b})")
                ws.write_formula(total_row, c, formula, tot_num, value)
            if passport:
                for c, value in enumerate(_passport_values(sh.total), PASSPORT_COL):
                    if not sh.lines or value == "":
                        _put(ws, total_row, c, value, tot_num)
                        continue
                    a, b = xl_rowcol_to_cell(first, c), xl_rowcol_to_cell(last, c)
                    ws.write_formula(total_row, c, f"=SUM({a}:{b})", tot_num, value)
            ws.freeze_panes(first, 1)

            if per_hamlet:
                chart = wb.add_chart({"type": "bar"})  # clustered (XlsxWriter's default)
                oc = COL["open"]
                chart.add_series({
                    "name": [sh.name, top, oc],
                    "categories": [sh.name, first, 0, last, 0],
                    "values": [sh.name, first, oc, last, oc],
                    "fill": {"color": "#C00000"},
                    "data_labels": {"value": True},
                })
                chart.set_title({"name": CHART_TITLE})
                chart.set_legend({"none": True})
                chart.set_y_axis({"reverse": True})  # bar chart: y is the hamlet axis
                chart.set_x_axis({"min": 0, "major_gridlines": {"visible": True}})
                height = max(288, 40 + 22 * len(sh.lines))
                ws.insert_chart(total_row + 2, 0, chart,
                                {"x_scale": 1.6, "y_scale": height / 288})
    finally:
        wb.close()


def _passport_values(line: ProgressLine) -> list[object]:
    """A line's passport cells (zeros for a hamlet the report does not name)."""
    counts = line.passport or {}
    return [counts.get(s, 0) for s in PASSPORT_STATUSES]


def _put(ws: Any, r: int, c: int, value: object, fmt: Any) -> None:
    if isinstance(value, int) and not isinstance(value, bool):
        ws.write_number(r, c, value, fmt)
    elif value == "":
        ws.write_blank(r, c, None, fmt)
    else:
        ws.write_string(r, c, str(value), fmt)


# --------------------------------------------------------------------------- reading


_SOURCE_RE = re.compile(re.escape(SOURCE) + r"(.*?)(?: \(SHA-256 ([0-9a-f]+)…\))?", re.S)


def read_progress_workbook(path: str | Path) -> ProgressWorkbook:
    """A progress workbook as written (the total line's values are the formulas' values)."""
    from vaxclean_xl.io.reader import iter_sheet_rows, sheet_names

    path = Path(path)
    return ProgressWorkbook([_read_sheet(name, list(iter_sheet_rows(path, name)))
                             for name in sheet_names(path)])


def _read_sheet(name: str, rows: list[tuple[int, list]]) -> ProgressSheet:
    cells = {n - 1: values for n, values in rows}  # 0-based rows, as written

    def text(r: int) -> str:
        values = cells.get(r) or [""]
        return cell_text(values[0])

    src = _SOURCE_RE.fullmatch(text(1))
    used_text = text(2).removeprefix(USED).removesuffix(".")
    by_label = {label: kind for kind, label in KIND_VI.items()}
    used = {by_label[k]: int(n) for k, _sep, n in
            (part.partition(": ") for part in used_text.split("; ") if part)}
    lines: list[ProgressLine] = []
    total = ProgressLine(TOTAL_LABEL, None)
    sub = cells.get(HEADER_TOP_ROW + 1) or []
    passport = cell_text(sub[PASSPORT_COL] if len(sub) > PASSPORT_COL else None) == \
        PASSPORT_HEADERS[PASSPORT_STATUSES[0]]
    for r in sorted(cells):
        if r <= HEADER_TOP_ROW + 1:
            continue
        line = _read_line(cells[r], passport)
        if line.hamlet == TOTAL_LABEL:
            line.returned = None
            total = line
            break
        lines.append(line)
    return ProgressSheet(name=name, list_name=text(0).removeprefix(TITLE),
                         source=src.group(1) if src else "", sha256=src.group(2) if src else None,
                         used=used, note=text(4), lines=lines, total=total)


def _read_line(values: list, passport: bool = False) -> ProgressLine:
    cells = [values[c] if c < len(values) else None
             for c in range(PASSPORT_COL + len(PASSPORT_STATUSES))]

    def number(attr: str) -> int | None:
        v = cells[COL[attr]]
        return None if v is None or cell_text(v) == "" else int(v)

    groups = None
    if number(GROUPS[0].value) is not None:
        groups = {c: number(c.value) or 0 for c in GROUPS}
    returned = cell_text(cells[COL["returned"]])
    return ProgressLine(cell_text(cells[0]), groups,
                        **{a: number(a) or 0 for a in COUNTS},
                        returned=None if returned == "" else returned == YES,
                        open=number("open"),
                        passport={s: int(cells[c] or 0) for c, s in
                                  enumerate(PASSPORT_STATUSES, PASSPORT_COL)}
                        if passport else None)


def is_progress_workbook(path: str | Path) -> bool:
    """Whether ``path`` is a progress workbook (its first sheet starts with the title):
    ``progress`` may replace its own earlier output found in a folder it reads, nothing
    else there."""
    from vaxclean_xl.io.reader import iter_sheet_rows, sheet_names

    try:
        first = sheet_names(path)[0]
        for _, values in iter_sheet_rows(path, first):
            return bool(values) and cell_text(values[0]).startswith(TITLE)
    except Exception:  # unreadable or empty: not ours
        return False
    return False
