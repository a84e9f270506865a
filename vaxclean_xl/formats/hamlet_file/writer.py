"""Write one self-checking hamlet workbook (macro-free .xlsx).

XlsxWriter builds the workbook: formats, title block, headers, the guide, the hidden code
and meta sheets, dropdowns, input messages, conditional formats, protection and print
setup, plus ONE template record row. The record rows themselves are then generated as
XML from that template row, with the check formulas stored as Excel *shared formulas*.
Why by hand: XlsxWriter has no shared formulas, and writing ~30 formula cells per record
one call at a time makes a 200,000-row split several times slower than writing plain
values; a shared formula is one tiny element per cell that Excel, WPS and LibreOffice all
expand on load.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from xml.sax.saxutils import escape

from vaxclean_xl.core import sheetcheck
from vaxclean_xl.core.sheetcheck import SheetColumns
from vaxclean_xl.formats.hamlet_file import layout as L
from vaxclean_xl.formats.hamlet_file.layout import HamletFile, HamletRow
from vaxclean_xl.formats.readback import write_meta_sheet
from vaxclean_xl.io.reader import column_letter
from vaxclean_xl.settings import Settings

# Column positions (0-based), derived from the contract's order (the writer's business:
# the reader finds columns by their header texts, wherever the hamlet moved them).
_COL = {h: i for i, h in enumerate(L.COLUMNS)}
ORIG_COL = {f: _COL[h] for f, h in L.ORIG_HEADERS.items()}
CORR_COL = {f: _COL[h] for f, h in L.CORR_HEADERS.items()}
NOTE_COL = _COL[L.NOTE_HEADER]
PROBLEM_COL = _COL[L.PROBLEM_HEADER]
STATUS_COL = _COL[L.STATUS_HEADER]
HELPER_COL = {n: len(L.COLUMNS) + i for i, n in enumerate(sheetcheck.HELPER_NAMES)}
LAST_COL = len(L.COLUMNS) + len(sheetcheck.HELPER_NAMES) - 1
CODES_HELPER = HELPER_COL["codes"]

INPUT_HINTS: dict[str, tuple[str, str]] = {
    "full_name": ("Họ và tên", "Ghi đầy đủ họ, tên đệm và tên, có dấu, theo giấy tờ."),
    "dob": ("Ngày sinh", "Ghi ngày/tháng/năm, năm đủ 4 số, ví dụ 05/03/1985."),
    "sex": ("Giới tính", "Chọn Nam hoặc Nữ."),
    "id_number": ("Số CCCD/CMND", "CCCD: 12 chữ số, giữ số 0 ở đầu. CMND cũ: 9 chữ số."),
}


def sheet_columns(row_offset_sheet: str = L.CODES_SHEET, n_codes: int | None = None,
                  n_rows: int = 1) -> SheetColumns:
    """Where the formulas find things in a data sheet of ``n_rows`` records."""
    n = n_codes or len(sheetcheck.SHEET_CODES)
    return SheetColumns(
        orig={f: column_letter(ORIG_COL[f]) for f in sheetcheck.CHECKED_FIELDS},
        corr={f: column_letter(CORR_COL[f]) for f in sheetcheck.CHECKED_FIELDS},
        helpers={name: column_letter(c) for name, c in HELPER_COL.items()},
        codes_table=f"'{row_offset_sheet}'!$A$2:$B${n + 1}",
        first=L.FIRST_ROW,
        last=L.FIRST_ROW + max(n_rows, 1) - 1,
    )


def write_hamlet_file(path: Path, content: HamletFile, *, settings: Settings) -> None:
    """Write the workbook to ``path`` (caller handles atomicity and encryption)."""
    hamlet, rows = content.hamlet, content.rows
    from vaxclean_xl.xlsx.workbook import new_workbook

    n = max(len(rows), 1)
    first, last = L.FIRST_ROW, L.FIRST_ROW + n - 1
    cols = sheet_columns(n_rows=n)
    wb = new_workbook(path)
    wb.set_properties({"title": f"Danh sách rà soát - {hamlet}", "author": "vaxclean",
                       "comments": L.SCHEMA_FILE})
    F = _Formats(wb)
    ws = wb.add_worksheet(L.DATA_SHEET)
    guide = wb.add_worksheet(L.GUIDE_SHEET)
    codes = wb.add_worksheet(L.CODES_SHEET)
    metas = wb.add_worksheet(L.META_SHEET)

    # --- title block and headers
    station = settings.station or "Trạm Y tế"
    place = ", ".join(x for x in (settings.commune, settings.district, settings.province) if x)
    ws.merge_range(0, 0, 0, STATUS_COL, station.upper(), F.title)
    ws.merge_range(1, 0, 1, STATUS_COL,
                   "DANH SÁCH RÀ SOÁT, BỔ SUNG THÔNG TIN TIÊM CHỦNG COVID-19", F.title)
    ws.merge_range(2, 0, 2, STATUS_COL, f"Thôn/xóm: {hamlet}" + (f" — {place}" if place else ""),
                   F.subtitle)
    due = f"Hạn gửi lại: {settings.deadline}" if settings.deadline else "Hạn gửi lại: ……"
    back = f" — gửi cho: {settings.hamlet_return_to}" if settings.hamlet_return_to else ""
    ws.merge_range(3, 0, 3, STATUS_COL, due + back, F.subtitle)
    ws.merge_range(4, 0, 4, STATUS_COL,
                   "Chỉ sửa các ô nền vàng (cột «(sửa)» và «Ghi chú của thôn»). Cột «Kiểm tra» "
                   "cho biết bản ghi đã đúng chưa. Xem trang «Hướng dẫn».", F.note)
    hr = L.HEADER_ROW - 1
    for i, header in enumerate(L.COLUMNS):
        fmt = F.head_edit if i in CORR_COL.values() or i == NOTE_COL else F.head
        ws.write_string(hr, i, header, fmt)
    for name, c in HELPER_COL.items():
        ws.write_string(hr, c, f"_{name}", F.head)
    ws.set_row(hr, 36)

    # --- column widths, hidden key/helpers
    widths = {_COL[L.KEY_HEADER]: 16, _COL[L.STT_HEADER]: 5, PROBLEM_COL: L.PROBLEM_WIDTH,
              STATUS_COL: L.STATUS_WIDTH, NOTE_COL: 22}
    for f, c in ORIG_COL.items():
        widths[c] = 24 if f == "full_name" else 14
    for f, c in CORR_COL.items():
        widths[c] = 24 if f == "full_name" else 16
    for c, w in widths.items():
        ws.set_column(c, c, w, None, {"hidden": c == _COL[L.KEY_HEADER]})
    ws.set_column(min(HELPER_COL.values()), LAST_COL, 10, None, {"hidden": True})

    # --- template record row (the others are generated from it)
    tr = first - 1
    template = rows[0] if rows else None
    ws.write_string(tr, _COL[L.KEY_HEADER], template.key if template else "", F.key)
    ws.write_number(tr, _COL[L.STT_HEADER], 1, F.locked)
    for f, c in ORIG_COL.items():
        ws.write_string(tr, c, template.values.get(f, "") if template else "",
                        F.orig_text if f in ("id_number", "phone", "dob") else F.orig)
    for f, c in CORR_COL.items():
        ws.write_blank(tr, c, None, F.edit_text if f in ("id_number", "dob") else F.edit)
    ws.write_blank(tr, NOTE_COL, None, F.edit)
    ws.write_string(tr, PROBLEM_COL, template.problems if template else "", F.problem)
    ws.write_string(tr, STATUS_COL, "", F.status)
    for c in HELPER_COL.values():
        ws.write_string(tr, c, "", F.locked)

    # --- dropdown, input messages, conditional formats over every record row
    for f, c in CORR_COL.items():
        title, message = INPUT_HINTS[f]
        opts = {"validate": "any", "input_title": title, "input_message": message}
        if f == "sex":
            opts = {"validate": "list", "source": ["Nam", "Nữ"], "input_title": title,
                    "input_message": message, "error_title": "Giới tính",
                    "error_message": "Chỉ chọn Nam hoặc Nữ.", "error_type": "warning"}
        ws.data_validation(tr, c, last - 1, c, opts)
        letter = column_letter(c)
        codes_ref = f"${column_letter(CODES_HELPER)}{first}"
        hit = ",".join(f'ISNUMBER(SEARCH("{p}",{codes_ref}))'
                       for p in sheetcheck.FIELD_CODE_PREFIXES[f])
        ws.conditional_format(tr, c, last - 1, c, {
            "type": "formula", "criteria": f'=AND(${letter}{first}<>"",OR({hit}))',
            "format": F.cf_bad, "stop_if_true": True})
        ws.conditional_format(tr, c, last - 1, c, {
            "type": "formula", "criteria": f'=${letter}{first}<>""', "format": F.cf_good})
    status_ref = f"${column_letter(STATUS_COL)}{first}"
    ws.conditional_format(tr, STATUS_COL, last - 1, STATUS_COL, {
        "type": "formula", "criteria": f'=LEFT({status_ref},3)="Sai"', "format": F.cf_bad})
    ws.conditional_format(tr, STATUS_COL, last - 1, STATUS_COL, {
        "type": "formula", "criteria": f'=LEFT({status_ref},4)="Đúng"', "format": F.cf_good})

    # --- signature block under the list
    sr = last + 1
    ws.write_string(sr, PROBLEM_COL, "……, ngày …… tháng …… năm ……", F.center)
    ws.write_string(sr + 1, PROBLEM_COL, "TRƯỞNG THÔN/XÓM", F.bold_center)
    ws.write_string(sr + 2, PROBLEM_COL, "(Ký, ghi rõ họ tên)", F.italic_center)
    ws.write_string(sr + 1, _COL["Họ và tên"], "NGƯỜI RÀ SOÁT", F.bold_center)
    ws.write_string(sr + 2, _COL["Họ và tên"], "(Ký, ghi rõ họ tên)", F.italic_center)

    # --- view, protection, print
    ws.freeze_panes(first - 1, _COL["Họ và tên"] + 1)
    ws.protect("", {"format_columns": True, "format_rows": True, "autofilter": True,
                    "sort": False, "select_locked_cells": True,
                    "select_unlocked_cells": True})
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(hr)
    ws.print_area(0, 0, sr + 6, STATUS_COL)
    ws.set_footer("&CTrang &P/&N")
    ws.set_header(f"&L{_hf(station)}&R{_hf(hamlet)}")
    ws.activate()

    _write_guide(guide, F, hamlet, settings)
    codes.write_row(0, 0, ["Mã", "Nội dung"], F.head)
    for i, (code, message) in enumerate(sheetcheck.code_table(), start=1):
        codes.write_string(i, 0, code)
        codes.write_string(i, 1, message)
    codes.hide()
    codes.protect()
    write_meta_sheet(metas, content.meta.to_dict())
    wb.close()
    _expand_rows(path, rows, cols, first)


def _hf(text: str) -> str:
    return text.replace("&", "&&")


class _Formats:
    def __init__(self, wb) -> None:
        base = {"font_name": "Times New Roman", "font_size": 12, "valign": "vcenter",
                "border": 1}
        add = wb.add_format
        self.title = add({"font_name": "Times New Roman", "bold": True, "font_size": 13,
                          "align": "center"})
        self.subtitle = add({"font_name": "Times New Roman", "font_size": 12,
                             "align": "center", "italic": True})
        self.note = add({"font_name": "Times New Roman", "font_size": 11, "italic": True,
                         "font_color": "#7F6000"})
        self.head = add({**base, "bold": True, "align": "center", "text_wrap": True,
                         "bg_color": "#D9E1F2"})
        self.head_edit = add({**base, "bold": True, "align": "center", "text_wrap": True,
                              "bg_color": "#FFE699"})
        self.key = add({**base, "num_format": "@", "font_color": "#808080"})
        self.locked = add(base)
        self.orig = add({**base, "bg_color": "#F2F2F2"})
        self.orig_text = add({**base, "bg_color": "#F2F2F2", "num_format": "@"})
        self.edit = add({**base, "locked": False, "bg_color": "#FFF2CC"})
        self.edit_text = add({**base, "locked": False, "bg_color": "#FFF2CC",
                              "num_format": "@"})
        self.problem = add({**base, "text_wrap": True, "font_size": 11})
        self.status = add({**base, "text_wrap": True, "font_size": 11, "bold": True})
        self.cf_bad = add({"bg_color": "#FFC7CE", "font_color": "#9C0006"})
        self.cf_good = add({"bg_color": "#C6EFCE", "font_color": "#006100"})
        self.center = add({"font_name": "Times New Roman", "align": "center", "italic": True})
        self.bold_center = add({"font_name": "Times New Roman", "align": "center",
                                "bold": True})
        self.italic_center = add({"font_name": "Times New Roman", "align": "center",
                                  "italic": True})
        self.wrap = add({"font_name": "Times New Roman", "font_size": 12, "text_wrap": True,
                         "valign": "top"})
        self.h1 = add({"font_name": "Times New Roman", "font_size": 14, "bold": True})


def _write_guide(ws, F: _Formats, hamlet: str, s: Settings) -> None:
    who = s.hamlet_return_to or "cán bộ Trạm Y tế đã gửi tệp"
    due = s.deadline or "hạn Trạm Y tế đã báo"
    lines = [
        (F.h1, f"HƯỚNG DẪN RÀ SOÁT DANH SÁCH — {hamlet}"),
        (F.wrap, f"Tệp này do {s.station or 'Trạm Y tế'} gửi để thôn/xóm rà soát thông tin "
                 "tiêm chủng COVID-19 của người dân, theo quy trình «làm sạch» dữ liệu "
                 "của Bộ Y tế."),
        (F.h1, "1. Cần kiểm tra gì"),
        (F.wrap, "Với mỗi người trong trang «Danh sách»: họ và tên, ngày sinh, giới tính và "
                 "số CCCD/CMND phải đúng như trên thẻ Căn cước công dân. Cột «Lỗi phát hiện» "
                 "cho biết Trạm Y tế thấy sai ở đâu."),
        (F.h1, "2. Cách sửa"),
        (F.wrap, "Không sửa các cột thông tin gốc (nền xám). Ghi thông tin đúng vào cột có "
                 "chữ «(sửa)» (nền vàng) cùng dòng; thông tin nào đã đúng thì để trống."),
        (F.wrap, "• Số CCCD: đủ 12 chữ số, giữ số 0 ở đầu (ví dụ 001090012345). CMND cũ: 9 "
                 "chữ số. Không gõ dấu cách hay dấu chấm."),
        (F.wrap, "• Ngày sinh: ngày/tháng/năm, năm đủ 4 số (ví dụ 05/03/1985). Không rõ ngày, "
                 "tháng thì ghi 01/01/năm sinh."),
        (F.wrap, "• Giới tính: chọn Nam hoặc Nữ trong danh sách thả xuống."),
        (F.wrap, "• Người đã chuyển đi, đã mất hoặc không có ở thôn: ghi vào «Ghi chú của thôn»."),
        (F.wrap, "• Người còn thiếu trong danh sách: ghi thêm vào các dòng trống ngay dưới "
                 "danh sách (mở khóa trang: Review/Xem lại → Unprotect/Bỏ bảo vệ trang)."),
        (F.h1, "3. Cột «Kiểm tra»"),
        (F.wrap, "Cột này tự kiểm tra khi anh/chị gõ: «Đúng» (nền xanh) là bản ghi đã hợp lệ; "
                 "«Sai: …» (nền đỏ) cho biết còn lỗi gì. Ô sửa đỏ là còn sai, xanh là đã đúng."),
        (F.h1, "4. Gửi lại"),
        (F.wrap, f"Lưu tệp (giữ nguyên tên hoặc đổi tên đều được) và gửi lại cho {who} "
                 f"trước {due}. Có thể mở và lưu bằng Excel, WPS hoặc LibreOffice."),
    ]
    ws.set_column(0, 0, L.GUIDE_WIDTH)
    for i, (fmt, text) in enumerate(lines):
        ws.write_string(i, 0, text, fmt)
        if fmt is F.wrap:
            ws.set_row(i, L.row_height([(text, L.GUIDE_WIDTH)], L.GUIDE_LINE_PT))
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)


# --- generating the record rows from the template row ---------------------------------------

_CELL_RE = re.compile(rb'<c r="([A-Z]+)\d+"(?: s="(\d+)")?')
_BAD_XML = {i: None for i in range(32) if i not in (9, 10, 13)}


def _x(text: str) -> str:
    return escape(text.translate(_BAD_XML))


def _expand_rows(path: Path, rows: Sequence[HamletRow], cols: SheetColumns, first: int
                 ) -> None:
    """Replace the template row of the data sheet by one row per record."""
    tmp = path.with_name(path.name + ".rows")
    part = "xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(path) as zin:
        xml = zin.read(part)
        start = xml.index(f'<row r="{first}" '.encode())
        end = xml.index(b"</row>", start) + len(b"</row>")
        styles = {m.group(1).decode(): m.group(2).decode() if m.group(2) else "0"
                  for m in _CELL_RE.finditer(xml[start:end])}
        row_attrs = re.match(rb'<row ([^>]*)>', xml[start:end]).group(1).decode()  # type: ignore[union-attr]
        row_attrs = re.sub(r'r="\d+"\s*', "", row_attrs)
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as zout:
            for info in zin.infolist():
                if info.filename != part:
                    zout.writestr(info, zin.read(info.filename))
                    continue
                big = zipfile.ZipInfo(info.filename, info.date_time)
                big.compress_type = zipfile.ZIP_DEFLATED
                big._compresslevel = 1  # type: ignore[attr-defined]  # fast deflate
                with zout.open(big, "w", force_zip64=True) as out:
                    out.write(xml[:start])
                    for chunk in _rows_xml(rows, cols, first, styles, row_attrs):
                        out.write(chunk.encode("utf-8"))
                    out.write(xml[end:])
    tmp.replace(path)


def _rows_xml(rows: Sequence[HamletRow], cols: SheetColumns, first: int,
              styles: dict[str, str], row_attrs: str) -> Iterator[str]:
    last = first + max(len(rows), 1) - 1
    letter = column_letter
    key_c, stt_c = letter(_COL[L.KEY_HEADER]), letter(_COL[L.STT_HEADER])
    orig = [(f, letter(c)) for f, c in ORIG_COL.items()]
    blanks = [letter(c) for c in (*CORR_COL.values(), NOTE_COL)]
    prob_c, stat_c = letter(PROBLEM_COL), letter(STATUS_COL)
    helpers = [(name, letter(c)) for name, c in HELPER_COL.items()]
    formula_helpers = [n for n, _ in helpers if n not in sheetcheck.VALUE_HELPERS]
    si = {name: i for i, name in enumerate(formula_helpers)}
    si_status = len(formula_helpers)
    master = sheetcheck.row_formulas(cols, first)
    status_f = sheetcheck.status_formula(cols, first)
    held = sheetcheck.held_values([r.values for r in rows], [r.codes for r in rows])
    row_attrs = re.sub(r'\s*(ht|customHeight)="[^"]*"', "", row_attrs).strip()

    def s(col: str) -> str:
        return f' s="{styles.get(col, "0")}"'

    def text_cell(col: str, r: int, value: str) -> str:
        return (f'<c r="{col}{r}"{s(col)} t="inlineStr"><is><t xml:space="preserve">'
                f'{_x(value)}</t></is></c>')

    blank_xml = "".join(f'<c r="{c}{{r}}"{s(c)}/>' for c in blanks)
    def follower_cell(name: str, col: str) -> str:
        if name in sheetcheck.VALUE_HELPERS:
            return f"{{{name}}}"
        if name == "codes":  # the one helper with a cached value: the Python verdict
            return f'<c r="{col}{{r}}"{s(col)} t="str"><f t="shared" si="{si[name]}"/>{{v}}</c>'
        return f'<c r="{col}{{r}}"{s(col)}><f t="shared" si="{si[name]}"/></c>'

    follower = "".join(follower_cell(n, c) for n, c in helpers)
    batch: list[str] = []
    for i, rec in enumerate(rows or [None]):  # type: ignore[list-item]
        r = first + i
        if rec is None:
            yield f'<row r="{r}" {row_attrs}></row>'
            return
        codes_text = "".join(c + " " for c in rec.codes)
        status_plain = sheetcheck.status_text(rec.codes)
        height = L.row_height([(rec.problems, L.PROBLEM_WIDTH), (status_plain, L.STATUS_WIDTH)])
        parts = [f'<row r="{r}" {row_attrs} ht="{height}" customHeight="1">',
                 text_cell(key_c, r, rec.key),
                 f'<c r="{stt_c}{r}"{s(stt_c)}><v>{i + 1}</v></c>']
        parts += [text_cell(c, r, rec.values.get(f, "")) for f, c in orig]
        parts.append(blank_xml.replace("{r}", str(r)))
        parts.append(text_cell(prob_c, r, rec.problems))
        status = _x(status_plain)
        if i == 0:
            parts.append(f'<c r="{stat_c}{r}"{s(stat_c)} t="str"><f t="shared" '
                         f'ref="{stat_c}{r}:{stat_c}{last}" si="{si_status}">'
                         f'{_x(status_f[1:])}</f><v>{status}</v></c>')
            for n, c in helpers:
                if n in sheetcheck.VALUE_HELPERS:
                    parts.append(text_cell(c, r, held[i][n]))
                    continue
                value = f'<v>{_x(codes_text)}</v>' if n == "codes" else ""
                kind = ' t="str"' if n == "codes" else ""
                parts.append(f'<c r="{c}{r}"{s(c)}{kind}><f t="shared" ref="{c}{r}:{c}{last}" '
                             f'si="{si[n]}">{_x(master[c][1:])}</f>{value}</c>')
        else:
            parts.append(f'<c r="{stat_c}{r}"{s(stat_c)} t="str"><f t="shared" '
                         f'si="{si_status}"/><v>{status}</v></c>')
            cells = follower.replace("{r}", str(r)).replace("{v}", f"<v>{_x(codes_text)}</v>")
            for n in sheetcheck.VALUE_HELPERS:
                cells = cells.replace(f"{{{n}}}", text_cell(letter(HELPER_COL[n]), r, held[i][n]))
            parts.append(cells)
        parts.append("</row>")
        batch.append("".join(parts))
        if len(batch) >= 2000:
            yield "".join(batch)
            batch.clear()
    if batch:
        yield "".join(batch)
