"""The police list contract: its layout, the workbook writer and the reader of returned lists.

Procedure steps 2–3: after the hamlets' review, the health station hands the commune police
(Công an xã) a list of the people whose data still needs verifying; the police check each
person against the National Population Database (CSDLQG về dân cư), write "Đúng"/"Sai" and
the correct values, sign, and hand the list back. ``merge`` will later take that returned
list back into the station's list ("the police's values win over the hamlets'").

Why writer and reader live in one module: the reader finds columns by the header texts
the writer puts there (never by position: people move, insert and hide columns, LibreOffice
and WPS re-save files), so both sides import the same constants and cannot drift.

Layout decisions (the contract):

* one data sheet :data:`DATA_SHEET`, title block in rows 1–6, two header rows
  (:data:`HEADER_TOP_ROW`, :data:`HEADER_ROW`), records from :data:`FIRST_ROW`;
* a hidden first column with the record key (``hamlet_file.layout.make_key`` with a list
  id derived from the source file's SHA-256) and a very hidden meta sheet
  (``readback.META_SHEET``: :class:`PoliceMeta`), like the hamlet files; the reader finds
  both through ``formats.readback``, the hamlet reader's routine;
* the police's correct values in ONE COLUMN PER FIELD ("Họ và tên đúng", "Ngày sinh đúng",
  "Giới tính đúng", "Số CCCD đúng") under a merged group header "Thông tin đúng theo
  CSDLQG": clearer to fill by hand than free text, and parseable without guessing;
* "Kết quả đối chiếu (Đúng/Sai)" with a Đúng/Sai dropdown, and "Ghi chú";
* one group row per hamlet (the hamlet's name in the STT column, merged across), so the
  reader takes as records only rows with a key, or with a number in STT and some value.

What the station writes is a :class:`PoliceList` (its :class:`PoliceMeta` and one
:class:`ListGroup` of :class:`ListRow` per hamlet); what comes back is read as a
:class:`PoliceFile` of :class:`PoliceRow`.

The print helpers (:class:`Formats`, :func:`official_date`, :func:`write_heading`,
:func:`write_signatures`, :func:`setup_print`) are shared with ``edit-list``, whose
worklist is printed and signed the same way.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vaxclean_xl.core.model import FIELD_LABEL_VI
from vaxclean_xl.core.normalize import (
    SEX_LABEL,
    cell_text,
    fold,
    format_date,
    id_text,
    parse_date,
    parse_sex,
)
from vaxclean_xl.errors import E, InputError
from vaxclean_xl.formats.hamlet_file.layout import make_key, parse_key, sha256_file
from vaxclean_xl.formats.readback import (
    KEY_HEADER,
    META_SHEET,
    STT_HEADER,
    Layout,
    Role,
    blank,
    read_back,
    role_table,
    write_meta_sheet,
)
from vaxclean_xl.settings import Settings

SCHEMA = "vaxclean.police/1"
DATA_SHEET = "Danh sách đối chiếu"

TITLE = ("DANH SÁCH ĐỀ NGHỊ ĐỐI CHIẾU, XÁC THỰC THÔNG TIN CÔNG DÂN "
         "ĐÃ TIÊM VẮC XIN COVID-19")
NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập – Tự do – Hạnh phúc"

HEADER_TOP_ROW = 7  # 1-based Excel rows: group headers / single headers (merged down)
HEADER_ROW = 8  # sub-headers of the groups
FIRST_ROW = 9  # first data row (a hamlet's group row or a record)

ORIG_HEADERS: dict[str, str] = {
    **{f: FIELD_LABEL_VI[f] for f in ("full_name", "dob", "sex", "id_number")},
    "hamlet": "Thôn/ấp",  # the police's word for the hamlet
}
PROBLEM_HEADER = "Nội dung cần xác minh"
RESULT_HEADER = "Kết quả đối chiếu (Đúng/Sai)"
CORRECT_GROUP = "Thông tin đúng theo CSDLQG"
CORRECT_HEADERS: dict[str, str] = {
    "full_name": "Họ và tên đúng",
    "dob": "Ngày sinh đúng",
    "sex": "Giới tính đúng",
    "id_number": "Số CCCD đúng",
}
NOTE_HEADER = "Ghi chú"
VERDICTS: tuple[str, str] = ("Đúng", "Sai")

# Other spellings the reader accepts (a header retyped by hand, an older wording).
HEADER_ALIASES: dict[str, tuple[str, str | None]] = {
    "Số CCCD/CMND đúng": ("correct", "id_number"),
    "Số CMND/CCCD đúng": ("correct", "id_number"),
    "Thôn/Xóm": ("orig", "hamlet"),
    "Kết quả đối chiếu": ("result", None),
    "Kết quả": ("result", None),
    "Ghi chú của công an": ("note", None),
}


@dataclass(frozen=True, slots=True)
class Column:
    """One column of the police list: what it holds, its header, width and owner."""

    role: str  # key | stt | orig | problem | result | correct | note
    field: str | None
    header: str
    width: float
    police: bool = False  # filled in by the police (unlocked, yellow)
    group: str | None = None  # merged group header above (two header rows)
    text: bool = False  # '@' number format: IDs and dates stay text


COLUMNS: tuple[Column, ...] = (
    Column("key", None, KEY_HEADER, 18, text=True),
    Column("stt", None, STT_HEADER, 5),
    Column("orig", "full_name", ORIG_HEADERS["full_name"], 22),
    Column("orig", "dob", ORIG_HEADERS["dob"], 11, text=True),
    Column("orig", "sex", ORIG_HEADERS["sex"], 7),
    Column("orig", "id_number", ORIG_HEADERS["id_number"], 14, text=True),
    Column("orig", "hamlet", ORIG_HEADERS["hamlet"], 12),
    Column("problem", None, PROBLEM_HEADER, 34),
    Column("result", None, RESULT_HEADER, 11, police=True, text=True),
    *(Column("correct", f, h, 20 if f == "full_name" else (9 if f == "sex" else 12),
             police=True, group=CORRECT_GROUP, text=True)
      for f, h in CORRECT_HEADERS.items()),
    Column("note", None, NOTE_HEADER, 14, police=True, text=True),
)
COL: dict[str, int] = {c.header: i for i, c in enumerate(COLUMNS)}
KEY_COL = COL[KEY_HEADER]
STT_COL = COL[STT_HEADER]
ORIG_COL: dict[str, int] = {f: COL[h] for f, h in ORIG_HEADERS.items()}
PROBLEM_COL = COL[PROBLEM_HEADER]
RESULT_COL = COL[RESULT_HEADER]
CORRECT_COL: dict[str, int] = {f: COL[h] for f, h in CORRECT_HEADERS.items()}
NOTE_COL = COL[NOTE_HEADER]
LAST_COL = len(COLUMNS) - 1
POLICE_HEADERS: tuple[str, ...] = tuple(c.header for c in COLUMNS if c.police)

# Signature blocks (0-based first/last column): police left, preparer middle, station right.
SIGN_POLICE = (STT_COL, ORIG_COL["sex"])
SIGN_PREPARER = (ORIG_COL["id_number"], PROBLEM_COL)
SIGN_STATION = (RESULT_COL, LAST_COL)


def list_id_for(source_sha256: str) -> str:
    """Deterministic id of the police list of one source file (8 hex digits, the form
    ``make_key`` needs); distinct from the split ids of the same file."""
    return hashlib.sha256(f"{source_sha256}:police".encode()).hexdigest()[:8]


# --- names and dates of the title and signature blocks ---------------------------------------

_LEVELS = (("thi tran", "thị trấn"), ("phuong", "phường"), ("xa", "xã"))


def commune_parts(commune: str) -> tuple[str, str]:
    """(level, name) of a commune setting: 'xã An Bình' -> ('xã', 'An Bình'), 'Phường 3'
    -> ('phường', '3'), 'An Bình' -> ('xã', 'An Bình') (a commune unless told otherwise)."""
    words = commune.split()
    folded = fold(commune)
    for key, level in _LEVELS:
        n = len(key.split())
        if folded.startswith(key + " ") and len(words) > n:
            return level, " ".join(words[n:])
    return "xã", " ".join(words)


def unit_name(kind: str, explicit: str, commune: str) -> str:
    """Upper-case unit line: the explicit setting ('Công an xã An Bình'), else built from
    the commune ('CÔNG AN XÃ AN BÌNH'), else a blank to fill by hand."""
    if explicit.strip():
        return " ".join(explicit.split()).upper()
    level, name = commune_parts(commune)
    return f"{kind} {level} {name or '……………'}".upper()


def police_unit(s: Settings) -> str:
    return unit_name("Công an", s.police_unit, s.commune)


def station_unit(s: Settings) -> str:
    return unit_name("Trạm Y tế", s.station, s.commune)


def official_date(day: _dt.date | None, place: str = "") -> str:
    """'An Bình, ngày 05 tháng 3 năm 2026' as Decree 30/2020/NĐ-CP writes dates: a zero
    before days below 10 and before months 1 and 2 only; blanks when ``day`` is None."""
    where = place.strip() or "……"
    if day is None:
        return f"{where}, ngày …… tháng …… năm ……"
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"{where}, ngày {day.day:02d} tháng {month} năm {day.year}"


def place_name(s: Settings) -> str:
    """The place of the date line: the commune's name without its level word."""
    return commune_parts(s.commune)[1] if s.commune.strip() else ""


# --- shared print helpers (police list and edit worklist) ------------------------------------

class Formats:
    """The formats of a printed, signed list (Times New Roman, as official documents)."""

    def __init__(self, wb: Any) -> None:
        font = {"font_name": "Times New Roman", "font_size": 12, "valign": "vcenter"}
        cell = {**font, "border": 1}
        add = wb.add_format
        self.unit = add({**font, "bold": True, "align": "center"})
        self.nation = add({**font, "bold": True, "align": "center"})
        self.motto = add({**font, "bold": True, "underline": True, "align": "center"})
        self.date = add({**font, "italic": True, "align": "center"})
        self.title = add({**font, "bold": True, "font_size": 14, "align": "center",
                          "text_wrap": True})
        self.subtitle = add({**font, "italic": True, "align": "center", "text_wrap": True})
        self.note = add({**font, "italic": True, "font_size": 11, "text_wrap": True,
                         "align": "left", "valign": "top"})
        self.head = add({**cell, "bold": True, "align": "center", "text_wrap": True,
                         "bg_color": "#D9E1F2"})
        self.head_police = add({**cell, "bold": True, "align": "center", "text_wrap": True,
                                "bg_color": "#FFE699"})
        self.group = add({**cell, "bold": True, "bg_color": "#EDEDED"})
        self.key = add({**cell, "num_format": "@", "font_color": "#808080"})
        self.stt = add({**cell, "align": "center"})
        self.cell = add({**cell, "text_wrap": True})
        self.text = add({**cell, "num_format": "@"})
        self.problem = add({**cell, "font_size": 11, "text_wrap": True})
        self.edit = add({**cell, "num_format": "@", "locked": False, "bg_color": "#FFF2CC",
                         "text_wrap": True})
        self.bold = add({**font, "bold": True})
        self.italic = add({**font, "italic": True})
        self.sign_title = add({**font, "bold": True, "align": "center", "text_wrap": True})
        self.sign_note = add({**font, "italic": True, "align": "center"})
        self.sign_name = add({**font, "bold": True, "align": "center"})
        self.cf_bad = add({"bg_color": "#FFC7CE", "font_color": "#9C0006"})
        self.cf_good = add({"bg_color": "#C6EFCE", "font_color": "#006100"})
        self.cf_todo = add({"bg_color": "#F8CBAD"})


def write_heading(ws: Any, F: Formats, *, left: Sequence[str], left_cols: tuple[int, int],
                  right_cols: tuple[int, int], span: tuple[int, int], date_line: str,
                  title: str, lines: Sequence[tuple[str, Any]]) -> int:
    """The official title block: units on the left, the national motto on the right, the
    date under it, then the title and further lines; returns the next free row (0-based)."""

    def put(r: int, cols: tuple[int, int], text: str, fmt: Any) -> None:
        if cols[0] == cols[1]:
            ws.write_string(r, cols[0], text, fmt)
        else:
            ws.merge_range(r, cols[0], r, cols[1], text, fmt)

    for r, text in enumerate(left[:2]):
        put(r, left_cols, text, F.unit)
    put(0, right_cols, NATION, F.nation)
    put(1, right_cols, MOTTO, F.motto)
    put(2, right_cols, date_line, F.date)
    put(3, span, title, F.title)
    ws.set_row(3, 36)
    r = 4
    for text, fmt in lines:
        put(r, span, text, fmt)
        r += 1
    return r


@dataclass(frozen=True, slots=True)
class SignBlock:
    """One signature block under a list: who signs, how, and the signer's printed name."""

    cols: tuple[int, int]
    title: str
    note: str
    name: str
    date_line: str = ""


def write_signatures(ws: Any, F: Formats, row: int, blocks: Sequence[SignBlock],
                     space: int = 4) -> int:
    """Signature blocks side by side from ``row`` (0-based); returns the last row used."""

    def put(r: int, cols: tuple[int, int], text: str, fmt: Any) -> None:
        if cols[0] == cols[1]:
            ws.write_string(r, cols[0], text, fmt)
        else:
            ws.merge_range(r, cols[0], r, cols[1], text, fmt)

    has_date = any(b.date_line for b in blocks)
    r = row
    if has_date:
        for b in blocks:
            if b.date_line:
                put(r, b.cols, b.date_line, F.date)
        r += 1
    for b in blocks:
        put(r, b.cols, b.title, F.sign_title)
        put(r + 1, b.cols, b.note, F.sign_note)
    name_row = r + 2 + space
    for b in blocks:
        if b.name:
            put(name_row, b.cols, b.name, F.sign_name)
    return name_row


def wrapped_lines(text: str, width: float, size: float = 12) -> int:
    """Lines a wrapped cell needs: greedy word wrap at the characters a column of ``width``
    holds at ``size`` points (measured on LibreOffice's stand-in for Times New Roman,
    the widest of the usual fonts, so Excel and WPS get a little air, never overlap)."""
    per_line = max(4, int(width * 0.92 * 12 / size))
    lines = 0
    for para in text.split("\n"):
        used = 0
        lines += 1
        for word in para.split():
            n = len(word)
            if used and used + 1 + n > per_line:
                lines += 1
                used = 0
            while n > per_line:  # a word longer than the column breaks anywhere
                lines += 1
                n -= per_line
            used += n + (1 if used else 0)
    return max(lines, 1)


def fit_height(cells: Sequence[tuple[str, float, float]]) -> float | None:
    """The height (points) of a row fitting its tallest wrapped cell ((text, column width,
    font size)); None when the default height holds it. One computation for rows written
    through XlsxWriter (:func:`fit_row`) and rows inserted as XML (``xlsx.insert_rows``)."""
    points = max(wrapped_lines(t, w, size) * (size * 1.32) for t, w, size in cells) + 3
    return round(points, 1) if points > 18 else None


def fit_row(ws: Any, row: int, cells: Sequence[tuple[str, float, float]]) -> None:
    """Set a row's height to its tallest wrapped cell ((text, column width, font size)).
    Why by hand: LibreOffice keeps the stored height of an .xlsx row instead of fitting
    it, so a long message would print over the next row."""
    points = fit_height(cells)
    if points is not None:
        ws.set_row(row, points)


def setup_print(ws: Any, *, header_rows: tuple[int, int], last_row: int, first_col: int,
                last_col: int) -> None:
    """A4 landscape, one page wide, header rows on every page, 'Trang x/y' footer."""
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(*header_rows)
    ws.print_area(0, first_col, last_row, last_col)
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
    ws.center_horizontally()
    ws.set_footer("&CTrang &P/&N")


# --- the police list workbook ----------------------------------------------------------------

@dataclass(slots=True)
class ListRow:
    """What the police see of one record (all text, as the station's list shows it)."""

    key: str
    source_row: int
    values: dict[str, str]  # field -> text (ORIG_HEADERS fields)
    problems: str


@dataclass(slots=True)
class ListGroup:
    """One hamlet's records, under one group row."""

    hamlet: str
    rows: list[ListRow] = field(default_factory=list)


@dataclass(slots=True)
class PoliceMeta:
    """The meta sheet of a police list: which list of which source file it is."""

    list_id: str
    source_sha256: str
    source_file: str = ""
    source_sheet: str = ""
    created: str = ""  # ISO date the list was made
    records: int = 0

    def to_dict(self) -> dict[str, str]:
        """The key/value rows of the meta sheet, in the order they are written."""
        return {"schema": SCHEMA, "list_id": self.list_id, "source_sha256": self.source_sha256,
                "source_file": self.source_file, "source_sheet": self.source_sheet,
                "created": self.created, "records": str(self.records)}

    @classmethod
    def from_dict(cls, meta: dict[str, str]) -> PoliceMeta | None:
        """The meta of a returned list (None when its meta sheet was lost)."""
        if not meta.get("schema", "").startswith("vaxclean.police/"):
            return None
        count = meta.get("records", "")
        return cls(meta.get("list_id", ""), meta.get("source_sha256", ""),
                   meta.get("source_file", ""), meta.get("source_sheet", ""),
                   meta.get("created", ""), int(count) if count.isdigit() else 0)


@dataclass(slots=True)
class PoliceList:
    """What a police list holds as the station writes it (:func:`write_police_workbook`)."""

    meta: PoliceMeta
    groups: list[ListGroup] = field(default_factory=list)

    @property
    def rows(self) -> list[ListRow]:
        """Every record row, in list order."""
        return [r for g in self.groups for r in g.rows]


def write_police_workbook(path: str | Path, *, groups: Sequence[ListGroup], settings: Settings,
                          meta: dict[str, str], today: _dt.date) -> int:
    """Write the police list to ``path`` (the caller makes it atomic); returns the 0-based
    last row of the print area."""
    from vaxclean_xl.io.reader import column_letter
    from vaxclean_xl.xlsx.workbook import new_workbook

    wb = new_workbook(path)
    wb.set_properties({"title": TITLE.capitalize(), "author": "vaxclean", "comments": SCHEMA})
    F = Formats(wb)
    ws = wb.add_worksheet(DATA_SHEET)
    metas = wb.add_worksheet(META_SHEET)
    s = settings
    police, station = police_unit(s), station_unit(s)

    # --- title block
    level, commune = commune_parts(s.commune)
    place = ", ".join(x for x in (f"{level} {commune or '……………'}", s.district, s.province)
                      if x.strip())
    total = sum(len(g.rows) for g in groups)
    write_heading(
        ws, F, left=[police, station], left_cols=(STT_COL, ORIG_COL["sex"]),
        right_cols=(PROBLEM_COL, LAST_COL), span=(STT_COL, LAST_COL),
        date_line=official_date(today, place_name(s)), title=TITLE,
        lines=[
            (f"({s.station or 'Trạm Y tế ……………'}; {place})", F.subtitle),
            ("Đề nghị Công an xã/phường đối chiếu từng người với Cơ sở dữ liệu quốc gia về "
             "dân cư; ghi «Đúng» hoặc «Sai» vào cột «Kết quả đối chiếu»; nếu Sai, ghi thông "
             "tin đúng vào các cột «Thông tin đúng theo CSDLQG» (chỉ ghi ô nào khác).", F.note),
        ])
    ws.set_row(5, 32)

    # --- two header rows: single headers merged down, the correct-value group merged across
    top, sub = HEADER_TOP_ROW - 1, HEADER_ROW - 1
    groups_seen: dict[str, list[int]] = {}
    for i, col in enumerate(COLUMNS):
        fmt = F.head_police if col.police else F.head
        if col.group:
            groups_seen.setdefault(col.group, []).append(i)
            ws.write_string(sub, i, col.header, fmt)
        else:
            ws.merge_range(top, i, sub, i, col.header, fmt)
    for name, cols in groups_seen.items():
        ws.merge_range(top, cols[0], top, cols[-1], name, F.head_police)
    ws.set_row(top, 24)
    ws.set_row(sub, 36)
    for i, col in enumerate(COLUMNS):
        ws.set_column(i, i, col.width, None, {"hidden": col.role == "key"})

    # --- records, grouped by hamlet
    r = FIRST_ROW - 1
    stt = 0
    record_ranges: list[tuple[int, int]] = []
    for g in groups:
        ws.merge_range(r, STT_COL, r, LAST_COL, f"Thôn/ấp: {g.hamlet} ({len(g.rows)} người)",
                       F.group)
        ws.write_blank(r, KEY_COL, None, F.key)
        r += 1
        start = r
        for row in g.rows:
            stt += 1
            ws.write_string(r, KEY_COL, row.key, F.key)
            ws.write_number(r, STT_COL, stt, F.stt)
            for f, c in ORIG_COL.items():
                ws.write_string(r, c, row.values.get(f, ""),
                                F.text if COLUMNS[c].text else F.cell)
            ws.write_string(r, PROBLEM_COL, row.problems, F.problem)
            fit_row(ws, r, [(row.problems, COLUMNS[PROBLEM_COL].width, 11),
                            *((row.values.get(f, ""), COLUMNS[c].width, 12)
                              for f, c in ORIG_COL.items())])
            for i, col in enumerate(COLUMNS):
                if col.police:
                    ws.write_blank(r, i, None, F.edit)
            r += 1
        if r > start:
            record_ranges.append((start, r - 1))
    last_data = r - 1
    if not groups:
        ws.merge_range(r, STT_COL, r, LAST_COL, "Không có người nào cần đối chiếu.", F.italic)
        last_data = r
        r += 1

    # --- dropdowns and colours on the record rows only (not on the hamlet rows)
    if record_ranges:
        def dv(c: int, source: list[str], title: str, message: str) -> None:
            (a, b), *rest = record_ranges
            ws.data_validation(a, c, b, c, {
                "validate": "list", "source": source, "input_title": title,
                "input_message": message, "error_title": title,
                "error_message": f"Chọn {' hoặc '.join(source)}.", "error_type": "warning",
                "other_cells": [[x, c, y, c] for x, y in rest]})

        dv(RESULT_COL, list(VERDICTS), "Kết quả đối chiếu",
           "Đúng: thông tin khớp CSDLQG. Sai: ghi thông tin đúng vào các cột bên phải.")
        dv(CORRECT_COL["sex"], ["Nam", "Nữ"], "Giới tính đúng", "Chọn Nam hoặc Nữ.")
        first, last = FIRST_ROW - 1, last_data
        res = f"${column_letter(RESULT_COL)}{FIRST_ROW}"
        c0, c1 = min(CORRECT_COL.values()), max(CORRECT_COL.values())
        corr = f"${column_letter(c0)}{FIRST_ROW}:${column_letter(c1)}{FIRST_ROW}"
        ws.conditional_format(first, RESULT_COL, last, RESULT_COL, {
            "type": "formula", "criteria": f'={res}="Sai"', "format": F.cf_bad})
        ws.conditional_format(first, RESULT_COL, last, RESULT_COL, {
            "type": "formula", "criteria": f'={res}="Đúng"', "format": F.cf_good})
        ws.conditional_format(first, c0, last, c1, {
            "type": "formula", "criteria": f'=AND({res}="Sai",COUNTA({corr})=0)',
            "format": F.cf_todo})

    # --- total and signature blocks
    r += 1
    ws.merge_range(r, STT_COL, r, PROBLEM_COL,
                   f"Tổng số: {total} người cần đối chiếu, thuộc {len(groups)} thôn/ấp.",
                   F.italic)
    r += 2
    end = write_signatures(ws, F, r, [
        SignBlock(SIGN_POLICE, police, "(Ký, ghi rõ họ tên, đóng dấu)", s.police_head,
                  official_date(None, place_name(s))),
        SignBlock(SIGN_PREPARER, "NGƯỜI LẬP BIỂU", "(Ký, ghi rõ họ tên)", s.preparer),
        SignBlock(SIGN_STATION, station, "(Ký, ghi rõ họ tên, đóng dấu)", s.station_head,
                  official_date(today, place_name(s))),
    ])

    # --- view, protection (only the police's yellow cells are editable), print
    ws.freeze_panes(FIRST_ROW - 1, ORIG_COL["full_name"] + 1)
    ws.protect("", {"format_columns": True, "format_rows": True, "autofilter": True,
                    "select_locked_cells": True, "select_unlocked_cells": True})
    setup_print(ws, header_rows=(top, sub), last_row=end, first_col=STT_COL,
                last_col=LAST_COL)
    ws.activate()

    write_meta_sheet(metas, meta)
    wb.close()
    return end


# --- reading a returned police list ----------------------------------------------------------

class NotAPoliceList(InputError):  # noqa: N818 - a user-facing refusal, like InputError
    """A returned file that is not a police list of vaxclean; ``message`` says why."""

    code = E.NOT_A_POLICE_LIST


def _is_header(kinds: set[str]) -> bool:
    """The verdict column plus a correct-value or key column: our (sub-)header row."""
    return "result" in kinds and bool(kinds & {"correct", "key"})


READ_LAYOUT = Layout(
    schema_prefix="vaxclean.police/",
    roles=role_table({
        KEY_HEADER: ("key", None),
        STT_HEADER: ("stt", None),
        PROBLEM_HEADER: ("problem", None),
        RESULT_HEADER: ("result", None),
        NOTE_HEADER: ("note", None),
        **{h: ("orig", f) for f, h in ORIG_HEADERS.items()},
        **{h: ("correct", f) for f, h in CORRECT_HEADERS.items()},
        **HEADER_ALIASES,
    }),
    accept=_is_header,
    merged_headers=True,
)


@dataclass(slots=True)
class PoliceRow:
    """One record row of a returned police list.

    Texts are normalised for the merge: IDs typed as numbers become digit text (a lost
    leading zero stays lost: the merge's validation reports it), dates stored as dates or
    serial numbers become dd/mm/yyyy, sex Nam/Nữ when recognisable; everything else is the
    trimmed NFC text as typed.
    """

    file_row: int  # Excel row number in the returned file
    key_text: str
    key: tuple[str, int] | None  # (list id, source row) of an intact key
    stt: str
    orig: dict[str, str]  # field -> the station's value as printed
    verdict: str | None  # "Đúng", "Sai", or None (blank or not recognised)
    verdict_text: str  # the result cell as typed
    correct: dict[str, str]  # field -> non-blank correct value (CORRECT_HEADERS fields)
    note: str

    @property
    def unresolved(self) -> bool:
        """Marked wrong without any correct value: the merge cannot fix it by itself."""
        return self.verdict == "Sai" and not self.correct


@dataclass(slots=True)
class PoliceFile:
    """A returned police list as read."""

    path: Path
    sha256: str
    meta: dict[str, str]  # the meta sheet's key/value rows ({} when it was lost)
    sheet: str
    header_row: int  # Excel row of the sub-header row
    columns: dict[Role, int]  # role -> 0-based column found
    rows: list[PoliceRow]

    @property
    def police_meta(self) -> PoliceMeta | None:
        """The typed meta sheet (None when it was lost)."""
        return PoliceMeta.from_dict(self.meta)

    @property
    def list_id(self) -> str | None:
        """The list the file says it is: the meta sheet, else most of its keys."""
        if self.meta.get("list_id"):
            return self.meta["list_id"]
        ids = [r.key[0] for r in self.rows if r.key]
        return max(sorted(set(ids)), key=ids.count) if ids else None


def read_police_return(path: str | Path) -> list[PoliceRow]:
    """The record rows of a police list returned by the police (see :func:`read_police_file`)."""
    return read_police_file(path).rows


def read_police_file(path: str | Path) -> PoliceFile:
    """Read a returned police list (.xlsx/.xlsm/.xls/.ods, re-saved by Excel, WPS or
    LibreOffice, sheet renamed, columns moved); :class:`NotAPoliceList` when unusable."""
    path = Path(path)
    if not path.is_file():
        raise NotAPoliceList(f"Không tìm thấy tệp «{path.name}».")
    found = read_back(path, READ_LAYOUT, NotAPoliceList, f" «{path.name}»")
    if found is None:
        raise NotAPoliceList(f"Tệp «{path.name}» không phải danh sách đối chiếu của công an "
                             "do vaxclean tạo (không thấy cột «Kết quả đối chiếu»).")
    roles = found.roles
    return PoliceFile(path=path, sha256=sha256_file(path), meta=found.meta, sheet=found.sheet,
                      header_row=found.header_row, columns={r: c for c, r in roles.items()},
                      rows=_rows(found.rows, found.header_row, roles))


_STT_RE = re.compile(r"^[0-9]+(\.0+)?$")


def verdict_of(value: object) -> str | None:
    """'Đúng'/'Sai' from what the police typed ('đúng', 'DUNG', 'Đ', 'sai', 'S'…)."""
    key = fold(cell_text(value)).rstrip(".")
    if key in ("dung", "d"):
        return "Đúng"
    if key in ("sai", "s"):
        return "Sai"
    return None


def field_text(field_name: str, value: object) -> str:
    """A returned cell as text: IDs digit text, dates dd/mm/yyyy, sex Nam/Nữ if known."""
    if blank(value):
        return ""
    if field_name == "id_number":
        return id_text(value)[0]
    if field_name == "dob" and not isinstance(value, str):
        day, _problem = parse_date(value)
        return format_date(day) if day else cell_text(value)
    if field_name == "sex":
        sex = parse_sex(cell_text(value))
        return SEX_LABEL[sex] if sex else cell_text(value)
    return cell_text(value)


def _rows(sheet_rows: list[tuple[int, list]], header_row: int,
          roles: dict[int, Role]) -> list[PoliceRow]:
    col = {r: c for c, r in roles.items()}
    orig = {f: c for (k, f), c in col.items() if k == "orig" and f}
    correct = {f: c for (k, f), c in col.items() if k == "correct" and f}
    out: list[PoliceRow] = []
    for n, values in sheet_rows:
        if n <= header_row:
            continue
        width = len(values)

        def at(c: int | None, values: list = values, width: int = width) -> object:
            return values[c] if c is not None and c < width else None

        key_raw = at(col.get(("key", None)))
        key_text = "" if blank(key_raw) else cell_text(key_raw)
        stt = cell_text(at(col.get(("stt", None))))
        row_orig = {f: field_text(f, at(c)) for f, c in orig.items()}
        # A record has a key, or (key lost) a number in STT and some value: hamlet rows,
        # the total line and the signature blocks have neither.
        if not key_text and not (_STT_RE.match(stt) and any(row_orig.values())):
            continue
        raw_verdict = at(col.get(("result", None)))
        out.append(PoliceRow(
            file_row=n, key_text=key_text, key=parse_key(key_text), stt=stt, orig=row_orig,
            verdict=verdict_of(raw_verdict), verdict_text=cell_text(raw_verdict),
            correct={f: t for f, c in correct.items() if (t := field_text(f, at(c)))},
            note=cell_text(at(col.get(("note", None)))),
        ))
    return out


__all__ = [
    "COLUMNS", "CORRECT_HEADERS", "META_SHEET", "ORIG_HEADERS", "POLICE_HEADERS", "SCHEMA",
    "ListGroup", "ListRow", "NotAPoliceList", "PoliceFile", "PoliceList", "PoliceMeta",
    "PoliceRow", "list_id_for", "make_key", "parse_key", "read_police_file",
    "read_police_return", "sha256_file", "write_police_workbook",
]
