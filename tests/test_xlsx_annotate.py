"""Tests of ``vaxclean_xl.xlsx.annotate`` on real workbooks built by the tests themselves.

The workbooks come from XlsxWriter, openpyxl and LibreOffice (no mocks); results are read
back with openpyxl, with the zip module (byte-for-byte checks) and, when installed, with
LibreOffice headless.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from xml.etree import ElementTree as ET

import openpyxl
import pytest
import xlsxwriter
from openpyxl.comments import Comment

from tests.conftest import soffice_convert, soffice_or_skip
from vaxclean_xl.xlsx import ooxml, stream
from vaxclean_xl.xlsx.annotate import (
    CellMark,
    SameFileError,
    SummarySheet,
    SummaryTable,
    WorkbookPackageError,
    annotate_xlsx,
)
from vaxclean_xl.xlsx.annotate import summary as summary_sheet
from vaxclean_xl.xlsx.annotate.rewriter import SheetRewriter

SHEET = "Danh sách"
HEADER_ROW = 4
FIRST_DATA_ROW = 5
N_ROWS = 20
HEADERS = ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD", "Điện thoại"]
STATUS_HEADERS = ["Kết quả", "Lý do"]
RED, YELLOW = "FFFFC7CE", "FFFFEB9C"
NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}

# openpyxl (used here only to read results) warns that it would drop the x14 validation.
pytestmark = pytest.mark.filterwarnings("ignore:Data Validation extension:UserWarning")

# Excel writes a list validation whose source is on another sheet in the x14 extension list;
# openpyxl drops it on load/save, which is why the annotator must not use openpyxl.
X14_DV = (
    '<ext uri="{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}" '
    'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
    '<x14:dataValidations count="1" '
    'xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main">'
    '<x14:dataValidation type="list" allowBlank="1" showInputMessage="1" showErrorMessage="1">'
    "<x14:formula1><xm:f>Lists!$B$1:$B$3</xm:f></x14:formula1>"
    "<xm:sqref>F5:F24</xm:sqref></x14:dataValidation></x14:dataValidations></ext>"
)

MARKS = [
    CellMark(5, 2, "error", "Ngày sinh không hợp lệ\nKiểm tra lại"),  # C5, a date cell
    CellMark(6, 1, "warning", "Tên viết thường <chữ> & dấu"),  # B6, bold font
    CellMark(6, 1, "error", "Thiếu họ"),  # same cell: error wins, notes joined
    CellMark(7, 4, "warning", "CCCD 9 số"),  # E7
    CellMark(8, 3, "error", "Giới tính trống"),  # D8: empty cell, not in the XML
    CellMark(30, 1, "error", "Dòng không có trong tệp"),  # B30: row not in the XML
]
STATUS_ROWS = {
    5: ["Sai", "Ngày sinh"],
    6: ["Sai", "Họ tên"],
    7: ["Cảnh báo", "CCCD"],
    8: ["Sai", "Giới tính"],
    26: ["Ghi chú", "dòng mới"],
}


def _summary(name: str = "Tổng hợp") -> SummarySheet:
    return SummarySheet(
        name=name,
        title="Kết quả làm sạch danh sách",
        tables=[
            SummaryTable(
                "Theo nhóm", ["Nhóm", "Số người"], [["Đúng", 16], ["Sai", 3], ["Cảnh báo", 1]]
            ),
            SummaryTable("Theo trường", ["Trường", "Số lỗi", "Tỷ lệ"], [["Ngày sinh", 1, 0.05]]),
        ],
        chart_table=0,
        chart_title="Số người theo nhóm",
    )


def _annotate(src: Path, dst: Path, **kw: object) -> None:
    args: dict[str, object] = dict(
        sheet_name=SHEET,
        header_row=HEADER_ROW,
        status_headers=STATUS_HEADERS,
        status_rows=STATUS_ROWS,
        marks=MARKS,
        summary=_summary(),
    )
    args.update(kw)
    annotate_xlsx(src, dst, **args)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- workbook builders


def _xlsxwriter_book(path: Path) -> Path:
    """The user's list as a commune station might keep it: titles, dropdowns, formats, chart."""
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet(SHEET)
    lists = wb.add_worksheet("Lists")
    title = wb.add_format({"bold": True, "font_size": 14})
    head = wb.add_format({"bold": True, "bg_color": "#D9D9D9", "border": 1})
    bold_name = wb.add_format({"bold": True, "font_name": "Times New Roman"})
    date = wb.add_format({"num_format": "dd/mm/yyyy", "italic": True})
    ws.merge_range("A1:F1", "DANH SÁCH TIÊM CHỦNG COVID-19", title)
    ws.write("A2", "Trạm y tế xã Tân Phú")
    ws.set_column("A:A", 6)
    ws.set_column("B:B", 28)
    ws.set_column("C:F", 14)
    for c, h in enumerate(HEADERS):
        ws.write(HEADER_ROW - 1, c, h, head)
    for i in range(N_ROWS):
        r = FIRST_DATA_ROW - 1 + i
        ws.write_number(r, 0, i + 1)
        ws.write_string(r, 1, f"Nguyễn Văn {chr(65 + i)}", bold_name)
        ws.write_datetime(r, 2, dt.datetime(1980 + i, 1 + i % 12, 1 + i), date)
        if i != 3:  # D8 stays empty: a mark must create the cell
            ws.write_string(r, 3, "Nam" if i % 2 else "Nữ")
        ws.write_string(r, 4, f"0012{i:08d}")
        ws.write_string(r, 5, f"09{i:08d}")
    ws.data_validation("D5:D24", {"validate": "list", "source": ["Nam", "Nữ"]})
    ws.conditional_format("A5:A24", {"type": "cell", "criteria": ">", "value": 15, "format": head})
    ws.autofilter("A4:F24")
    wb.define_name("DanhSach", f"='{SHEET}'!$A$4:$F$24")
    for i, (k, v) in enumerate([("Nam", 10), ("Nữ", 12), ("Khác", 1)]):
        lists.write(i, 0, k)
        lists.write(i, 2, v)
    for i, k in enumerate(["Có", "Không", "Chưa rõ"]):
        lists.write(i, 1, k)
    chart = wb.add_chart({"type": "column"})
    chart.add_series({"categories": "=Lists!$A$1:$A$3", "values": "=Lists!$C$1:$C$3"})
    lists.insert_chart("E2", chart)
    wb.close()
    _edit_zip(path, {"xl/worksheets/sheet1.xml": _inject_x14_dv})
    return path


def _inject_x14_dv(xml: bytes) -> bytes:
    text = xml.decode()
    assert "<extLst>" not in text
    return text.replace("</worksheet>", f"<extLst>{X14_DV}</extLst></worksheet>").encode()


def _edit_zip(
    path: Path,
    edits: dict[str, Callable[[bytes], bytes]],
    add: dict[str, bytes] | None = None,
    out: Path | None = None,
) -> Path:
    """Rewrite some members of a zip (test set-up only)."""
    out = out or path
    with zipfile.ZipFile(path) as zin:
        members = [(i, zin.read(i)) for i in zin.infolist()]
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info, data in members:
            zout.writestr(info, edits[info.filename](data) if info.filename in edits else data)
        for name, data in (add or {}).items():
            zout.writestr(name, data)
    return out


def _openpyxl_book(path: Path, *, comments: bool = False) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = SHEET
    ws["A1"] = "DANH SÁCH"
    for c, h in enumerate(HEADERS, start=1):
        ws.cell(HEADER_ROW, c, h).font = openpyxl.styles.Font(bold=True)
    for i in range(N_ROWS):
        r = FIRST_DATA_ROW + i
        ws.cell(r, 1, i + 1)
        ws.cell(r, 2, f"Trần Thị {chr(65 + i)}")
        ws.cell(r, 3, dt.date(1990, 1, 1 + i)).number_format = "dd/mm/yyyy"
        if i != 3:
            ws.cell(r, 4, "Nữ")
        ws.cell(r, 5, f"0012{i:08d}")
        ws.cell(r, 6, f"09{i:08d}")
    if comments:
        ws["B6"].comment = Comment("Ghi chú của cán bộ", "Cán bộ")
        ws["F10"].comment = Comment("Số điện thoại cũ", "Cán bộ")
    wb.save(path)
    return path


def _strip_refs(xml: bytes) -> bytes:
    """Drop ``r`` from rows/cells that follow their neighbour, as some streaming writers do."""
    last = {"row": 0, "col": -1}

    def cell(m: re.Match[str]) -> str:
        col = ooxml.col_index(m.group(2))
        implied = col == last["col"] + 1
        last["col"] = col
        return m.group(1) if implied else m.group(0)

    def row(m: re.Match[str]) -> str:
        r = int(m.group(2))
        implied = r == last["row"] + 1
        last["row"], last["col"] = r, -1
        start = m.group(1) if implied else m.group(0)[: -len(m.group(3))]
        return start + re.sub(r'(<c\b[^>]*?) r="([A-Z]+)\d+"', cell, m.group(3))

    text = re.sub(r'(<row\b[^>]*?) r="(\d+)"([^>]*>.*?</row>)', row, xml.decode(), flags=re.S)
    return text.encode()


def _prefix_sheet(xml: bytes) -> bytes:
    """The same sheet with a prefixed SpreadsheetML namespace (``<x:row>``)."""
    text = xml.decode()
    text = text.replace(f'xmlns="{NS["m"]}"', f'xmlns:x="{NS["m"]}"', 1)
    return re.sub(r"<(/?)([A-Za-z][\w]*)(?=[\s/>])", r"<\1x:\2", text).encode()


# --------------------------------------------------------------------------- checks


def _members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def _sheet_part(members: dict[str, bytes], name: str) -> str:
    wb = ET.fromstring(members["xl/workbook.xml"])
    rels = ET.fromstring(members["xl/_rels/workbook.xml.rels"])
    rid = next(
        s.get("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id")
        for s in wb.iter(f"{{{NS['m']}}}sheet")
        if s.get("name") == name
    )
    target = next(r.get("Target") for r in rels if r.get("Id") == rid)
    return target.lstrip("/") if target.startswith("/") else "xl/" + target


def _assert_cells_sorted(sheet_xml: bytes) -> None:
    """Rows ascending, cells ascending inside each row (Excel refuses anything else)."""
    root = ET.fromstring(sheet_xml)
    last_row = 0
    for row in root.iter(f"{{{NS['m']}}}row"):
        r = int(row.get("r") or last_row + 1)
        assert r > last_row, f"row {r} after {last_row}"
        last_row = r
        last_col = -1
        for c in row.findall("m:c", NS):
            ref = c.get("r")
            col = (
                ooxml.col_index(re.match(r"[A-Z]+", ref).group(0)) if ref else last_col + 1
            )
            assert col > last_col, f"row {r}: cell {ref} out of order"
            last_col = col


def _check_common(dst: Path, *, status_col: int = 6, notes_by_user: dict[str, str] | None = None):
    """What every annotated workbook must show through openpyxl."""
    wb = openpyxl.load_workbook(dst)
    ws = wb[SHEET]
    letter = ooxml.col_letter
    for i, head in enumerate(STATUS_HEADERS):
        cell = ws.cell(HEADER_ROW, status_col + 1 + i)
        assert cell.value == head
        assert cell.font.b
        assert cell.number_format == "@"
    for row, values in STATUS_ROWS.items():
        for i, value in enumerate(values):
            cell = ws.cell(row, status_col + 1 + i)
            assert cell.value == value, (row, i)
            assert cell.number_format == "@"
            assert cell.alignment.wrap_text
    expected = {"C5": RED, "B6": RED, "E7": YELLOW, "D8": RED, "B30": RED}
    for ref, rgb in expected.items():
        assert ws[ref].fill.patternType == "solid", ref
        assert ws[ref].fill.fgColor.rgb == rgb, ref
    assert ws["C6"].fill.patternType in (None, "none")
    notes = {
        "C5": "Ngày sinh không hợp lệ\nKiểm tra lại",
        "B6": "Tên viết thường <chữ> & dấu\nThiếu họ",
        "E7": "CCCD 9 số",
        "D8": "Giới tính trống",
        "B30": "Dòng không có trong tệp",
    }
    for ref, text in notes.items():
        comment = ws[ref].comment
        assert comment is not None, ref
        if notes_by_user and ref in notes_by_user:
            assert notes_by_user[ref] in comment.text
            assert comment.text.rstrip().endswith(text)
        else:
            assert comment.text == text, ref
            assert comment.author == "vaxclean"
    assert ws[f"{letter(status_col)}{HEADER_ROW}"].value == STATUS_HEADERS[0]
    return wb


def _check_summary(
    members: dict[str, bytes], wb: openpyxl.Workbook, name: str = "Tổng hợp", last: bool = True
):
    assert wb.sheetnames[-1] == name or not last
    rows = [list(r) for r in wb[name].iter_rows(values_only=True)]
    assert rows[0][0] == "Kết quả làm sạch danh sách"
    assert ["Nhóm", "Số người", None] == rows[3]
    assert ["Đúng", 16, None] in rows and ["Cảnh báo", 1, None] in rows
    assert ["Ngày sinh", 1, 0.05] in rows
    assert wb[name]["A1"].font.b
    part = _sheet_part(members, name)
    sheet_rels = members[posixpath_rels(part)].decode()
    assert "relationships/drawing" in sheet_rels
    c = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
    charts = {
        n: ET.fromstring(members[n]) for n in members if re.match(r"xl/charts/chart\d+\.xml$", n)
    }
    ours = [
        root
        for root in charts.values()
        if f"'{name}'!$A$5:$A$7" in [f.text for f in root.iter(f"{c}f")]
    ]
    assert len(ours) == 1
    chart = ours[0]
    assert [f.text for f in chart.iter(f"{c}f")] == [
        f"'{name}'!$B$4",
        f"'{name}'!$A$5:$A$7",
        f"'{name}'!$B$5:$B$7",
    ]
    assert chart.find(f".//{c}barDir").get("val") == "bar"
    assert chart.find(f".//{c}grouping").get("val") == "clustered"
    # caches, so viewers show the chart without recalculating
    assert [v.text for v in chart.find(f".//{c}strCache/..").iter(f"{c}v")] == ["Số người"]
    assert [v.text for v in chart.find(f".//{c}cat").iter(f"{c}v")] == ["Đúng", "Sai", "Cảnh báo"]
    assert [v.text for v in chart.find(f".//{c}val").iter(f"{c}v")] == ["16", "3", "1"]


def posixpath_rels(part: str) -> str:
    folder, name = part.rsplit("/", 1)
    return f"{folder}/_rels/{name}.rels"


# --------------------------------------------------------------------------- LibreOffice


def _soffice() -> str:
    return soffice_or_skip()


def _lo_convert(src: Path, out_dir: Path, target: str) -> None:
    """Convert with a private profile so parallel runs do not fight over the lock file."""
    soffice_convert(src, target, out_dir, timeout=240, single=False)


# --------------------------------------------------------------------------- tests


def test_xlsxwriter_workbook_keeps_everything_and_gets_annotations(tmp_path: Path) -> None:
    src = _xlsxwriter_book(tmp_path / "danh_sach.xlsx")
    dst = tmp_path / "out" / "danh_sach_da_kiem_tra.xlsx"
    dst.parent.mkdir()
    before = _members(src)
    _annotate(src, dst)
    assert _members(src) == before  # source untouched
    after = _members(dst)

    changed = {
        "xl/worksheets/sheet1.xml",
        "xl/styles.xml",
        "[Content_Types].xml",
        "xl/workbook.xml",
        "xl/_rels/workbook.xml.rels",
    }
    for name, data in before.items():
        assert name in after, name
        if name not in changed:
            assert after[name] == data, f"{name} changed"
    new_parts = set(after) - set(before)
    assert "xl/worksheets/_rels/sheet1.xml.rels" in new_parts
    assert any(n.startswith("xl/comments") for n in new_parts)
    assert any(n.endswith(".vml") for n in new_parts)

    sheet = after["xl/worksheets/sheet1.xml"].decode()
    orig = before["xl/worksheets/sheet1.xml"].decode()
    assert X14_DV in sheet  # the extension list openpyxl would drop
    for tag in ("dataValidations", "conditionalFormatting", "mergeCells", "autoFilter"):
        block = re.search(rf"<{tag}\b.*?(?:</{tag}>|/>)", orig, re.S).group(0)
        assert block in sheet, tag
    assert sheet.index("<legacyDrawing ") < sheet.index("<extLst>")
    assert sheet.index("<pageMargins") < sheet.index("<legacyDrawing ")
    assert '<dimension ref="A1:H30"/>' in sheet
    assert re.search(r'<col min="7" max="7" width="\d+" customWidth="1"/>', sheet)
    _assert_cells_sorted(after["xl/worksheets/sheet1.xml"])
    ct = after["[Content_Types].xml"].decode()
    assert 'Extension="vml"' in ct and "spreadsheetml.comments+xml" in ct
    assert "drawingml.chart+xml" in ct
    # workbook: defined names and the filter database (localSheetId 0) are unchanged
    wb_xml = after["xl/workbook.xml"].decode()
    orig_names = re.search(r"<definedNames>(.*)</definedNames>", before["xl/workbook.xml"].decode())
    assert "<definedNames>" + orig_names.group(1) in wb_xml  # kept, the added sheet's mark after
    assert '<definedName name="_vaxclean_sheet" localSheetId="2" hidden="1">"Tổng hợp"' in wb_xml
    assert '_xlnm._FilterDatabase" localSheetId="0"' in wb_xml

    wb = _check_common(dst)
    ws = wb[SHEET]
    # original look kept on marked cells
    assert ws["C5"].number_format == "dd/mm/yyyy" and ws["C5"].font.i
    assert ws["C5"].value == dt.datetime(1980, 1, 1)
    assert ws["B6"].font.b and ws["B6"].font.name == "Times New Roman"
    assert ws["A4"].fill.fgColor.rgb == "FFD9D9D9"
    assert ws.column_dimensions["B"].width == pytest.approx(28.7109375, abs=1)
    assert [str(r) for r in ws.merged_cells.ranges] == ["A1:F1"]
    assert [str(dv.sqref) for dv in ws.data_validations.dataValidation] == ["D5:D24"]
    assert ws.conditional_formatting
    assert "DanhSach" in wb.defined_names
    assert wb.sheetnames == [SHEET, "Lists", "Tổng hợp"]
    assert len(wb["Lists"]._charts) == 1
    _check_summary(after, wb)


@pytest.mark.libreoffice
def test_libreoffice_opens_result(tmp_path: Path) -> None:
    _soffice()
    src = _xlsxwriter_book(tmp_path / "ds.xlsx")
    dst = tmp_path / "ket_qua.xlsx"
    _annotate(src, dst)
    csv_dir = tmp_path / "csv"
    _lo_convert(
        dst,
        csv_dir,
        "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1",
    )
    with open(csv_dir / f"ket_qua-{SHEET}.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[HEADER_ROW - 1][6:8] == STATUS_HEADERS
    for row, values in STATUS_ROWS.items():
        assert rows[row - 1][6:8] == values
    assert rows[FIRST_DATA_ROW - 1][1] == "Nguyễn Văn A"
    with open(csv_dir / "ket_qua-Tổng hợp.csv", encoding="utf-8", newline="") as fh:
        summary = list(csv.reader(fh))
    assert ["Đúng", "16", ""] in summary and ["Sai", "3", ""] in summary
    # round trip through LibreOffice's xlsx writer: notes, fills and the chart survived parsing
    _lo_convert(dst, tmp_path / "lo", "xlsx")
    wb = openpyxl.load_workbook(tmp_path / "lo" / "ket_qua.xlsx")
    ws = wb[SHEET]
    assert ws["C5"].comment is not None and "Ngày sinh không hợp lệ" in ws["C5"].comment.text
    assert ws["D8"].fill.fgColor.rgb == RED and ws["E7"].fill.fgColor.rgb == YELLOW
    with zipfile.ZipFile(tmp_path / "lo" / "ket_qua.xlsx") as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) == 2


@pytest.mark.parametrize(
    "producer",
    ["openpyxl", pytest.param("libreoffice", marks=pytest.mark.libreoffice), "no-refs", "prefixed"],
)
def test_other_writers(tmp_path: Path, producer: str) -> None:
    if producer == "openpyxl":
        src = _openpyxl_book(tmp_path / "src.xlsx")
    elif producer == "libreoffice":
        _soffice()
        base = _xlsxwriter_book(tmp_path / "base.xlsx")
        _lo_convert(base, tmp_path / "lo", "xlsx")
        src = tmp_path / "lo" / "base.xlsx"
    elif producer == "no-refs":
        base = _xlsxwriter_book(tmp_path / "base.xlsx")
        src = _edit_zip(base, {"xl/worksheets/sheet1.xml": _strip_refs}, out=tmp_path / "src.xlsx")
        stripped = _members(src)["xl/worksheets/sheet1.xml"].decode()
        assert "<row spans" in stripped and "<c t=" in stripped and '<c r="E8"' in stripped
    else:
        base = _xlsxwriter_book(tmp_path / "base.xlsx")
        src = _edit_zip(
            base, {"xl/worksheets/sheet1.xml": _prefix_sheet}, out=tmp_path / "src.xlsx"
        )
        assert b"<x:row " in _members(src)["xl/worksheets/sheet1.xml"]
    dst = tmp_path / "dst.xlsx"
    before = _members(src)
    _annotate(src, dst)
    after = _members(dst)
    part = _sheet_part(after, SHEET)
    _assert_cells_sorted(after[part])
    wb = _check_common(dst)
    _check_summary(after, wb)
    ws = wb[SHEET]
    assert ws["C5"].number_format.lower().startswith("dd/mm/yy")
    assert ws[f"E{FIRST_DATA_ROW}"].value == "001200000000"
    untouched = [n for n in before if n not in after or before[n] != after[n]]
    assert set(untouched) <= {
        part,
        "xl/styles.xml",
        "[Content_Types].xml",
        "xl/workbook.xml",
        "xl/_rels/workbook.xml.rels",
        posixpath_rels(part),
    }
    if producer == "prefixed":
        sheet = after[part].decode()
        assert "<x:legacyDrawing " in sheet and '<x:c r="G5"' in sheet


def test_existing_comments_are_kept_and_merged(tmp_path: Path) -> None:
    src = _openpyxl_book(tmp_path / "src.xlsx", comments=True)
    dst = tmp_path / "dst.xlsx"
    before = _members(src)
    _annotate(src, dst, summary=None)
    after = _members(dst)
    user_notes = {"B6": "Ghi chú của cán bộ"}
    wb = _check_common(dst, notes_by_user=user_notes)
    ws = wb[SHEET]
    assert ws["F10"].comment.text == "Số điện thoại cũ"
    assert ws["F10"].comment.author == "Cán bộ"
    assert wb.sheetnames == [SHEET]
    sheet = after["xl/worksheets/sheet1.xml"].decode()
    assert sheet.count("<legacyDrawing") == 1
    # the existing comments and VML parts were extended, not duplicated
    assert [n for n in after if "comments" in n] == [n for n in before if "comments" in n]
    vml_name = next(n for n in before if n.endswith(".vml"))
    vml = after[vml_name].decode()
    # openpyxl writes ns0/ns1 prefixes; our shapes use v/o/x, declared on the root
    assert len(re.findall(r"<\w+:shape\b", vml)) == 2 + 4  # 2 user notes + 4 new (B6 merged)
    ids = re.findall(r'id="_x0000_s(\d+)"', vml)
    assert len(ids) == len(set(ids)) == 6
    ET.fromstring(vml)  # still well-formed
    assert not (set(after) - set(before))  # no new part at all


def test_marks_on_missing_cells_and_rows(tmp_path: Path) -> None:
    src = _openpyxl_book(tmp_path / "src.xlsx")
    dst = tmp_path / "dst.xlsx"
    marks = [
        CellMark(2, 5, "warning", "ô trống ở dòng tiêu đề phụ"),  # row 2 not in the XML
        CellMark(5, 10, "error", "xa bên phải"),  # K5, past the status columns
        CellMark(8, 3, "warning", ""),  # D8 missing cell, colour only
        CellMark(40, 0, "error", "cuối"),  # after the last row
        CellMark(3, 0, "error", "trước tiêu đề"),  # row 3 not in the XML
    ]
    annotate_xlsx(
        src,
        dst,
        sheet_name=SHEET,
        header_row=HEADER_ROW,
        status_headers=STATUS_HEADERS,
        status_rows={1: ["ghi chú"], 27: ["mới", "mới 2"]},
        marks=iter(marks),  # any iterable
        summary=None,
    )
    after = _members(dst)
    _assert_cells_sorted(after["xl/worksheets/sheet1.xml"])
    wb = openpyxl.load_workbook(dst)
    ws = wb[SHEET]
    assert ws["F2"].fill.fgColor.rgb == YELLOW and ws["F2"].comment.text.startswith("ô trống")
    assert ws["K5"].fill.fgColor.rgb == RED
    assert ws["D8"].fill.fgColor.rgb == YELLOW and ws["D8"].comment is None
    assert ws["A40"].fill.fgColor.rgb == RED and ws["A40"].comment.text == "cuối"
    assert ws["A3"].fill.fgColor.rgb == RED
    assert ws["G1"].value == "ghi chú" and ws["A1"].value == "DANH SÁCH"
    assert [ws["G27"].value, ws["H27"].value] == ["mới", "mới 2"]
    assert ws["G4"].value == "Kết quả"
    assert ws["E8"].value == "001200000003" and ws["E8"].fill.patternType is None
    dim = re.search(rb'<dimension ref="([^"]+)"', after["xl/worksheets/sheet1.xml"]).group(1)
    assert dim == b"A1:K40"


def test_xlsm_keeps_vba_project(tmp_path: Path) -> None:
    base = _xlsxwriter_book(tmp_path / "base.xlsx")
    vba = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 8  # fake OLE payload
    macro_ct = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"

    def content_types(xml: bytes) -> bytes:
        text = xml.decode().replace(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml", macro_ct
        )
        return text.replace(
            "</Types>",
            '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>',
        ).encode()

    def wb_rels(xml: bytes) -> bytes:
        return xml.replace(
            b"</Relationships>",
            b'<Relationship Id="rId99" Type="http://schemas.microsoft.com/office/2006/'
            b'relationships/vbaProject" Target="vbaProject.bin"/></Relationships>',
        )

    src = _edit_zip(
        base,
        {"[Content_Types].xml": content_types, "xl/_rels/workbook.xml.rels": wb_rels},
        add={"xl/vbaProject.bin": vba},
        out=tmp_path / "src.xlsm",
    )
    dst = tmp_path / "dst.xlsm"
    _annotate(src, dst)
    after = _members(dst)
    assert after["xl/vbaProject.bin"] == vba
    assert macro_ct in after["[Content_Types].xml"].decode()
    assert "vbaProject.bin" in after["xl/_rels/workbook.xml.rels"].decode()
    wb = openpyxl.load_workbook(dst, keep_vba=True)
    assert wb.vba_archive is not None
    _check_common(dst)


def test_own_summary_replaced_in_place_with_fresh_parts(tmp_path: Path) -> None:
    src = _openpyxl_book(tmp_path / "src.xlsx")
    first = tmp_path / "first.xlsx"
    _annotate(src, first)
    second = tmp_path / "second.xlsx"
    # annotate the annotated file again: our own sheet is rewritten in its slot, with new
    # parts (fresh numbers) and the old sheet's drawing and chart gone from the package
    _annotate(first, second, summary=_summary())
    before, members = _members(first), _members(second)
    wb = openpyxl.load_workbook(second)
    assert wb.sheetnames == [SHEET, "Tổng hợp"]
    _check_summary(members, wb, "Tổng hợp")
    old_charts = {n for n in before if n.startswith("xl/charts/")}
    new_charts = {n for n in members if n.startswith("xl/charts/")}
    assert len(old_charts) == len(new_charts) == 1 and not old_charts & new_charts
    ct = members["[Content_Types].xml"].decode()
    for gone in old_charts | {n for n in before if n.startswith("xl/drawings/drawing")}:
        assert gone not in members and f'PartName="/{gone}"' not in ct
    ws = wb[SHEET]
    assert ws["B6"].comment.text.count("Thiếu họ") == 1  # our own note, not repeated
    # at this level the caller says where the status block goes (validate/merge find it)
    assert [ws.cell(HEADER_ROW, c).value for c in range(7, 11)] == STATUS_HEADERS * 2
    wb_xml = members["xl/workbook.xml"].decode()
    ids = re.findall(r'sheetId="(\d+)"', wb_xml)
    assert len(ids) == len(set(ids)) == 2
    assert wb_xml.count('name="_vaxclean_sheet"') == 1


def test_users_own_sheet_of_that_name_is_kept(tmp_path: Path) -> None:
    """A user's sheet called "Tổng hợp" (no mark of ours) stays; ours is "Tổng hợp (2)",
    and the next run replaces that one, not the user's."""
    src = tmp_path / "src.xlsx"
    _openpyxl_book(src)
    wb = openpyxl.load_workbook(src)
    mine = wb.create_sheet("Tổng hợp")
    mine["A1"] = "Bảng của trạm"
    mine.print_area = "A1:B2"  # a name scoped to the user's sheet: must survive
    wb.save(src)
    first, second = tmp_path / "first.xlsx", tmp_path / "second.xlsx"
    _annotate(src, first)
    _annotate(first, second)
    for out in (first, second):
        wb = openpyxl.load_workbook(out)
        assert wb.sheetnames == [SHEET, "Tổng hợp", "Tổng hợp (2)"]
        assert wb["Tổng hợp"]["A1"].value == "Bảng của trạm"
        assert wb["Tổng hợp"].print_area == "'Tổng hợp'!$A$1:$B$2"
        _check_summary(_members(out), wb, "Tổng hợp (2)")
        wb_xml = _members(out)["xl/workbook.xml"].decode()
        assert '<definedName name="_vaxclean_sheet" localSheetId="2" hidden="1">' in wb_xml
        assert wb_xml.count('name="_vaxclean_sheet"') == 1


def test_summary_sheet_prints_on_a4_landscape_one_page_wide(tmp_path: Path) -> None:
    src = _openpyxl_book(tmp_path / "src.xlsx")
    dst = tmp_path / "dst.xlsx"
    _annotate(src, dst)
    ws = openpyxl.load_workbook(dst)["Tổng hợp"]
    assert ws.page_setup.paperSize == 9 and ws.page_setup.orientation == "landscape"
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
    drawing = next(v for k, v in _members(dst).items() if k.startswith("xl/drawings/drawing"))
    top = int(re.search(rb"<xdr:from>.*?<xdr:row>(\d+)</xdr:row>", drawing).group(1))
    assert top <= 2  # beside the first rows: on the first page


def test_refuses_same_file_and_leaves_nothing_on_failure(tmp_path: Path) -> None:
    src = _openpyxl_book(tmp_path / "src.xlsx")
    original = src.read_bytes()
    with pytest.raises(ValueError):
        _annotate(src, src)
    with pytest.raises(SameFileError):
        _annotate(src, tmp_path / "." / "src.xlsx")
    assert src.read_bytes() == original

    not_zip = tmp_path / "fake.xlsx"
    not_zip.write_text("DANH SÁCH;không phải Excel\n", encoding="utf-8")
    dst = tmp_path / "out.xlsx"
    with pytest.raises(WorkbookPackageError):
        _annotate(not_zip, dst)
    with pytest.raises(WorkbookPackageError):
        _annotate(src, dst, sheet_name="Không có")
    with pytest.raises(ValueError):
        _annotate(src, dst, marks=[CellMark(5, 1, "fatal", "x")])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fake.xlsx", "src.xlsx"]


@pytest.mark.parametrize("case", ["too-narrow", "placeholder-no-refs"])
def test_dimension_that_lies_is_not_trusted(tmp_path: Path, case: str) -> None:
    """A wrong <dimension> must not let status columns overwrite the user's data."""
    if case == "too-narrow":  # looks reliable: the collision is found while streaming
        base = _openpyxl_book(tmp_path / "base.xlsx")

        def edit(x: bytes) -> bytes:
            return re.sub(rb'<dimension ref="[^"]+"', b'<dimension ref="A1:C24"', x)
    else:  # a placeholder "A1" (streaming writers) and no r attributes: a scan is needed
        base = _xlsxwriter_book(tmp_path / "base.xlsx")

        def edit(x: bytes) -> bytes:
            return re.sub(rb'<dimension ref="[^"]+"', b'<dimension ref="A1"', _strip_refs(x))

    src = _edit_zip(base, {"xl/worksheets/sheet1.xml": edit}, out=tmp_path / "src.xlsx")
    dst = tmp_path / "dst.xlsx"
    _annotate(src, dst, summary=None)
    ws = openpyxl.load_workbook(dst)[SHEET]
    assert ws["F5"].value == "0900000000"  # user data intact
    assert ws["G4"].value == "Kết quả" and ws["G5"].value == "Sai"
    sheet = _members(dst)["xl/worksheets/sheet1.xml"]
    _assert_cells_sorted(sheet)
    assert re.search(rb'<dimension ref="A1:H30" ?/>', sheet)


def _png() -> bytes:
    """A 1x1 PNG, enough for XlsxWriter's image and header-image parts."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00\xff\x00\x00")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


# CT_Worksheet child order (ECMA-376 part 1, 18.3.1.99)
WORKSHEET_ORDER = (
    "sheetPr dimension sheetViews sheetFormatPr cols sheetData sheetCalcPr sheetProtection "
    "protectedRanges scenarios autoFilter sortState dataConsolidate customSheetViews mergeCells "
    "phoneticPr conditionalFormatting dataValidations hyperlinks printOptions pageMargins "
    "pageSetup headerFooter rowBreaks colBreaks customProperties cellWatches ignoredErrors "
    "smartTags drawing legacyDrawing legacyDrawingHF drawingHF picture oleObjects controls "
    "webPublishItems tableParts extLst"
).split()


def test_legacy_drawing_goes_in_schema_order(tmp_path: Path) -> None:
    png = tmp_path / "logo.png"
    png.write_bytes(_png())
    src = tmp_path / "src.xlsx"
    wb = xlsxwriter.Workbook(str(src))
    ws = wb.add_worksheet(SHEET)
    for c, h in enumerate(HEADERS):
        ws.write(HEADER_ROW - 1, c, h)
    for r in range(FIRST_DATA_ROW - 1, FIRST_DATA_ROW + N_ROWS - 1):
        ws.write_row(r, 0, [r, f"Tên {r}", "1990", "Nam", f"0012{r:08d}", "09"])
    ws.add_table("J4:K8", {"columns": [{"header": "Mã"}, {"header": "Tên"}]})
    ws.insert_image("M2", str(png))
    ws.set_header("&L&G", {"image_left": str(png)})
    ws.write_url("A30", "https://example.org", string="Nguồn")
    wb.close()
    dst = tmp_path / "dst.xlsx"
    _annotate(src, dst, first_status_col=6, summary=None)
    sheet = _members(dst)["xl/worksheets/sheet1.xml"]
    children = [el.tag.split("}")[1] for el in ET.fromstring(sheet)]
    assert {"drawing", "legacyDrawing", "legacyDrawingHF", "tableParts"} <= set(children)
    positions = [WORKSHEET_ORDER.index(name) for name in children]
    assert positions == sorted(positions), children
    wb2 = openpyxl.load_workbook(dst)
    assert wb2[SHEET]["C5"].comment.text.startswith("Ngày sinh")
    assert wb2[SHEET].tables["Table1"].ref == "J4:K8"


def test_chart_template_fallback_matches_file() -> None:
    path = summary_sheet.TEMPLATES_DIR / summary_sheet.CHART_TEMPLATE
    assert path.read_text(encoding="utf-8") == summary_sheet.CHART_TEMPLATE_FALLBACK


# --------------------------------------------------------------------------- new cell values

VALUES: dict[tuple[int, int], object] = {
    (2, 0): "Trạm y tế xã <Tân Phú> & Co",  # A2: plain text replaced
    (4, 0): "Số TT",  # A4: header cell (bold, grey fill, border)
    (5, 0): 42,  # A5: number
    (6, 0): 3.5,
    (5, 2): dt.date(1999, 9, 9),  # C5: a date cell (italic dd/mm/yyyy) keeps its style
    (9, 2): dt.datetime(1990, 1, 2, 10, 30),
    (6, 1): "Nguyễn Văn Mới",  # B6: bold Times New Roman, also marked
    (7, 4): "001099000777",  # E7: an ID in a General cell must stay text
    (5, 5): "0912345678",  # F5: a phone number
    (8, 3): "Nam",  # D8: a cell missing in the XML
    (24, 0): None,  # A24: emptied
    (25, 1): dt.date(2001, 2, 3),  # B25: a row missing in the XML, General style
    (27, 4): "0012",  # E27: another missing row, after a status-only row (26)
}


def _cell_xml(sheet_xml: bytes, ref: str) -> str:
    m = re.search(rf'<(?:\w+:)?c r="{ref}"[^>]*?(?:/>|>.*?</(?:\w+:)?c>)', sheet_xml.decode(), re.S)
    assert m, ref
    return m.group(0)


def test_values_replace_content_and_keep_the_cell_style(tmp_path: Path) -> None:
    src = _xlsxwriter_book(tmp_path / "src.xlsx")
    dst = tmp_path / "dst.xlsx"
    before = _members(src)
    _annotate(src, dst, values=VALUES)
    after = _members(dst)
    # only the parts an annotation changes anyway; the rest byte for byte
    changed = {
        "xl/worksheets/sheet1.xml",
        "xl/styles.xml",
        "[Content_Types].xml",
        "xl/workbook.xml",
        "xl/_rels/workbook.xml.rels",
    }
    assert {n for n in before if before[n] != after.get(n)} <= changed
    sheet = after["xl/worksheets/sheet1.xml"]
    _assert_cells_sorted(sheet)
    assert X14_DV in sheet.decode()
    assert b'<dimension ref="A1:H30"/>' in sheet

    wb = _check_common(dst)  # status columns and marks as without values
    ws = wb[SHEET]
    old = openpyxl.load_workbook(src)[SHEET]
    assert ws["A2"].value == "Trạm y tế xã <Tân Phú> & Co"
    assert ws["A4"].value == "Số TT"
    assert ws["A4"].font.b and ws["A4"].fill.fgColor.rgb == "FFD9D9D9"
    assert ws["A4"].border.left.style == old["A4"].border.left.style == "thin"
    assert ws["A5"].value == 42 and ws["A6"].value == 3.5
    # a date cell keeps its own style (format, italic); the date is a real date
    assert ws["C5"].value == dt.datetime(1999, 9, 9)
    assert ws["C5"].number_format == "dd/mm/yyyy" and ws["C5"].font.i
    assert ws["C5"].fill.fgColor.rgb == RED  # and the mark on it
    assert _cell_xml(after["xl/worksheets/sheet1.xml"], "C5").count("<v>36412</v>") == 1
    assert ws["C9"].value == dt.datetime(1990, 1, 2, 10, 30)
    assert ws["C9"].style_id == old["C9"].style_id  # untouched style index: no clone needed
    # text keeps the font; an ID or phone in a non-text cell gets the Text format
    assert ws["B6"].value == "Nguyễn Văn Mới"
    assert ws["B6"].font.b and ws["B6"].font.name == "Times New Roman"
    assert ws["B6"].fill.fgColor.rgb == RED and "Thiếu họ" in ws["B6"].comment.text
    assert ws["E7"].value == "001099000777" and ws["E7"].number_format == "@"
    assert ws["E7"].fill.fgColor.rgb == YELLOW
    assert ws["F5"].value == "0912345678" and ws["F5"].number_format == "@"
    assert 't="inlineStr"' in _cell_xml(sheet, "E7")
    assert ws["D8"].value == "Nam" and ws["D8"].fill.fgColor.rgb == RED
    assert ws["A24"].value is None
    # created row/cells: a General cell given a date gets a dd/mm/yyyy clone
    assert ws["B25"].value == dt.datetime(2001, 2, 3)
    assert ws["B25"].number_format == "dd/mm/yyyy"
    assert ws["E27"].value == "0012" and ws["E27"].number_format == "@"
    assert [ws["G26"].value, ws["H26"].value] == STATUS_ROWS[26]
    # untouched neighbours
    assert ws["B5"].value == "Nguyễn Văn A" and ws["E8"].value == "001200000003"
    assert ws["C6"].value == old["C6"].value and ws["C6"].style_id == old["C6"].style_id
    assert [str(dv.sqref) for dv in ws.data_validations.dataValidation] == ["D5:D24"]
    assert [str(r) for r in ws.merged_cells.ranges] == ["A1:F1"]


@pytest.mark.parametrize("producer", ["openpyxl", "no-refs", "prefixed"])
def test_values_with_other_writers(tmp_path: Path, producer: str) -> None:
    if producer == "openpyxl":
        src = _openpyxl_book(tmp_path / "src.xlsx")
    else:
        base = _xlsxwriter_book(tmp_path / "base.xlsx")
        edit = _strip_refs if producer == "no-refs" else _prefix_sheet
        src = _edit_zip(base, {"xl/worksheets/sheet1.xml": edit}, out=tmp_path / "src.xlsx")
    dst = tmp_path / "dst.xlsx"
    _annotate(src, dst, values=VALUES)
    _assert_cells_sorted(_members(dst)[_sheet_part(_members(dst), SHEET)])
    ws = _check_common(dst)[SHEET]
    assert ws["B6"].value == "Nguyễn Văn Mới" and ws["D8"].value == "Nam"
    assert ws["C5"].value == dt.datetime(1999, 9, 9)
    assert ws["C5"].number_format.lower().startswith("dd/mm/yy")
    assert ws["E7"].value == "001099000777" and ws["E7"].number_format == "@"
    assert ws["B25"].value == dt.datetime(2001, 2, 3)
    assert ws["E8"].value == "001200000003"  # a neighbour without its own reference


def _with_formulas(xml: bytes) -> bytes:
    """G5:G8 one shared formula (master G5), H5 a plain formula, H6 an array formula."""
    text = xml.decode()
    cells = {
        5: '<c r="G5" t="str"><f t="shared" ref="G5:G8" si="0">LEN(B5)&amp;"!"</f><v>13!</v></c>'
        '<c r="H5"><f>1+1</f><v>2</v></c>',
        6: '<c r="G6" t="str"><f t="shared" si="0"/><v>13!</v></c>'
        '<c r="H6"><f t="array" ref="H6">SUM(A5:A6)</f><v>3</v></c>',
        7: '<c r="G7" t="str"><f t="shared" si="0"/><v>13!</v></c>',
        8: '<c r="G8" t="str"><f t="shared" si="0"/><v>13!</v></c>',
    }
    for row, extra in cells.items():
        text = re.sub(rf'(<row r="{row}"[^>]*>.*?)(</row>)', rf"\g<1>{extra}\2", text,
                      count=1, flags=re.S)
    return re.sub(r'<dimension ref="[^"]+"/>', '<dimension ref="A1:H24"/>', text).encode()


CALC_CHAIN = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<calcChain xmlns="{NS["m"]}"><c r="G5" i="1"/><c r="G6"/><c r="G7"/><c r="G8"/>'
    '<c r="H5"/><c r="H6"/></calcChain>'
)


def _add_calc_chain(base: Path, out: Path) -> Path:
    def rels(xml: bytes) -> bytes:
        return xml.replace(
            b"</Relationships>",
            b'<Relationship Id="rId90" Type="http://schemas.openxmlformats.org/officeDocument/'
            b'2006/relationships/calcChain" Target="calcChain.xml"/></Relationships>',
        )

    def types(xml: bytes) -> bytes:
        return xml.replace(
            b"</Types>",
            b'<Override PartName="/xl/calcChain.xml" ContentType="application/vnd.openxmlformats'
            b'-officedocument.spreadsheetml.calcChain+xml"/></Types>',
        )

    return _edit_zip(
        base,
        {
            "xl/worksheets/sheet1.xml": _with_formulas,
            "xl/_rels/workbook.xml.rels": rels,
            "[Content_Types].xml": types,
        },
        add={"xl/calcChain.xml": CALC_CHAIN.encode()},
        out=out,
    )


@pytest.mark.parametrize("case", ["edited-rows", "untouched-rows", "untranslatable"])
def test_values_drop_formulas_and_keep_shared_formulas_valid(tmp_path: Path, case: str) -> None:
    """A value replacing the master of a shared formula must not leave its members pointing
    at a missing master (Excel would call the file corrupt)."""
    src = _add_calc_chain(_openpyxl_book(tmp_path / "base.xlsx"), tmp_path / "src.xlsx")
    if case == "untranslatable":  # the tokenizer refuses it: members keep their values only
        src = _edit_zip(src, {"xl/worksheets/sheet1.xml": lambda x: x.replace(
            b">LEN(B5)&amp;", b">SUM(B5))&amp;")})
    else:
        assert openpyxl.load_workbook(src)[SHEET]["G8"].value == '=LEN(B8)&"!"'
    dst = tmp_path / "dst.xlsx"
    values: dict[tuple[int, int], object] = {(5, 6): "thay", (5, 7): 7}
    if case == "edited-rows":  # the member that takes over is in a row edited anyway
        values[(6, 7)] = None
    annotate_xlsx(
        src, dst, sheet_name=SHEET, header_row=HEADER_ROW, status_headers=["KQ"],
        status_rows={5: ["x"]}, marks=[], summary=None, values=values,
    )
    after = _members(dst)
    sheet = after["xl/worksheets/sheet1.xml"]
    _assert_cells_sorted(sheet)
    assert "<f" not in _cell_xml(sheet, "G5") and "<f" not in _cell_xml(sheet, "H5")
    ws = openpyxl.load_workbook(dst)[SHEET]
    assert ws["G5"].value == "thay" and ws["H5"].value == 7
    assert ws["I4"].value == "KQ"  # the status column after the formulas
    if case == "untranslatable":
        for r in (6, 7, 8):
            assert _cell_xml(sheet, f"G{r}") == f'<c r="G{r}" t="str"><v>13!</v></c>'
    else:
        # the first remaining member of the shared formula became its master
        assert _cell_xml(sheet, "G6").startswith(
            '<c r="G6" t="str"><f t="shared" ref="G6:G8" si="0">LEN(B6)&amp;"!"</f>'
        )
        assert [ws[f"G{r}"].value for r in (6, 7, 8)] == [f'=LEN(B{r})&"!"' for r in (6, 7, 8)]
    if case == "edited-rows":
        assert "<f" not in _cell_xml(sheet, "H6") and ws["H6"].value is None
    else:  # the array formula of a cell given no value stays
        assert '<f t="array" ref="H6">SUM(A5:A6)</f>' in _cell_xml(sheet, "H6")
    # the calculation chain named replaced formula cells: it is dropped (Excel rebuilds it)
    assert "xl/calcChain.xml" not in after
    assert b"calcChain" not in after["xl/_rels/workbook.xml.rels"]
    assert b"calcChain" not in after["[Content_Types].xml"]
    # without values nothing is dropped
    plain = tmp_path / "plain.xlsx"
    _annotate(src, plain, summary=None, status_rows={}, marks=[])
    assert _members(plain)["xl/calcChain.xml"] == CALC_CHAIN.encode()


@pytest.mark.libreoffice
def test_libreoffice_reads_values_and_recalculates_rehomed_formulas(tmp_path: Path) -> None:
    src = _add_calc_chain(_xlsxwriter_book(tmp_path / "base.xlsx"), tmp_path / "src.xlsx")
    dst = tmp_path / "ket_qua.xlsx"
    _annotate(src, dst, summary=None, values={**VALUES, (5, 6): "thay"})
    # recalc: the rehomed shared formula must compute from the cells it refers to
    out = soffice_convert(dst, "xlsx", tmp_path / "lo", recalc=True)
    ws = openpyxl.load_workbook(out, data_only=True)[SHEET]
    assert ws["G5"].value == "thay"
    assert [ws[f"G{r}"].value for r in (6, 7, 8)] == [
        f"{len('Nguyễn Văn Mới')}!", f"{len('Nguyễn Văn C')}!", f"{len('Nguyễn Văn D')}!"
    ]
    assert ws["C5"].value == dt.datetime(1999, 9, 9) and ws["E7"].value == "001099000777"
    assert ws["B25"].value == dt.datetime(2001, 2, 3) and ws["D8"].value == "Nam"
    assert ws["A2"].value == "Trạm y tế xã <Tân Phú> & Co"
    assert ws["F5"].value == "0912345678"


def test_values_in_a_1904_workbook(tmp_path: Path) -> None:
    src = tmp_path / "src.xlsx"
    wb = xlsxwriter.Workbook(str(src), {"date_1904": True})
    ws = wb.add_worksheet(SHEET)
    ws.write_row(HEADER_ROW - 1, 0, HEADERS)
    ws.write_datetime(FIRST_DATA_ROW - 1, 2, dt.datetime(1980, 1, 1),
                      wb.add_format({"num_format": "dd/mm/yyyy"}))
    wb.close()
    dst = tmp_path / "dst.xlsx"
    values = {(5, 2): dt.date(2000, 1, 1), (6, 2): dt.date(1899, 1, 1)}  # 1899: not a serial
    _annotate(src, dst, values=values, summary=None, marks=[], status_rows={})
    cell = _cell_xml(_members(dst)["xl/worksheets/sheet1.xml"], "C5")
    assert "<v>35064</v>" in cell  # days since 01/01/1904
    ws2 = openpyxl.load_workbook(dst)[SHEET]
    assert ws2["C5"].value == dt.datetime(2000, 1, 1)
    assert ws2["C6"].value == "01/01/1899"


def test_status_columns_go_after_columns_given_values(tmp_path: Path) -> None:
    src = _openpyxl_book(tmp_path / "src.xlsx")
    dst = tmp_path / "dst.xlsx"
    _annotate(src, dst, values={(5, 7): "mới"}, summary=None)
    ws = openpyxl.load_workbook(dst)[SHEET]
    assert ws["H5"].value == "mới"
    assert [ws["I4"].value, ws["J4"].value] == STATUS_HEADERS
    with pytest.raises(ValueError, match="status column"):
        _annotate(src, tmp_path / "x.xlsx", values={(5, 6): "x"}, first_status_col=6)
    with pytest.raises(ValueError):
        _annotate(src, tmp_path / "x.xlsx", values={(0, 1): "x"})
    with pytest.raises(ValueError):
        _annotate(src, tmp_path / "x.xlsx", values={(5, 1): float("nan")})
    with pytest.raises(TypeError):
        _annotate(src, tmp_path / "x.xlsx", values={(5, 1): object()})
    assert not (tmp_path / "x.xlsx").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dst.xlsx", "src.xlsx"]


# --------------------------------------------------------------------------- several sheets


def _table_sheet(name: str, rows: list[list[object]]) -> SummarySheet:
    return SummarySheet(
        name=name,
        title="",
        tables=[SummaryTable("", ["Tệp", "Dòng", "Số CCCD"], rows)],  # type: ignore[arg-type]
        freeze_filter=True,
    )


def test_several_added_sheets(tmp_path: Path) -> None:
    src = _xlsxwriter_book(tmp_path / "src.xlsx")
    dst = tmp_path / "dst.xlsx"
    before = _members(src)
    rows = [["a.xlsx", 5, "001099000777"], ["b.xlsx", 7, ""]]
    sheets = [
        _summary(),
        _table_sheet("Tổng hợp", rows),  # same name: made unique
        _table_sheet("Nhật ký/thay đổi", []),  # forbidden character, no rows
        SummarySheet(name="Lists", title="Hai bảng", tables=_summary().tables),  # taken name
    ]
    _annotate(src, dst, summary=sheets)
    after = _members(dst)
    wb = openpyxl.load_workbook(dst)
    assert wb.sheetnames == [
        SHEET, "Lists", "Tổng hợp", "Tổng hợp (2)", "Nhật ký_thay đổi", "Lists (2)"
    ]
    _check_summary(after, wb, "Tổng hợp", last=False)
    # the chart only for the sheet that asks for one
    charts = [n for n in after if re.match(r"xl/charts/chart\d+\.xml$", n)]
    assert len(charts) == 2  # the user's chart on Lists + ours
    for name in ("Tổng hợp (2)", "Nhật ký_thay đổi", "Lists (2)"):
        assert posixpath_rels(_sheet_part(after, name)) not in after, name
    # fresh part names and ids, user's parts byte for byte
    parts = [_sheet_part(after, n) for n in wb.sheetnames]
    assert len(set(parts)) == len(parts)
    ids = re.findall(rb'sheetId="(\d+)"', after["xl/workbook.xml"])
    assert len(ids) == len(set(ids)) == 6
    for name, data in before.items():
        if name not in {"xl/worksheets/sheet1.xml", "xl/styles.xml", "[Content_Types].xml",
                        "xl/workbook.xml", "xl/_rels/workbook.xml.rels"}:
            assert after[name] == data, name
    # a table sheet: header in row 1, frozen, filtered; text stays text, numbers numbers
    ws = wb["Tổng hợp (2)"]
    assert [list(r) for r in ws.iter_rows(values_only=True)] == [
        ["Tệp", "Dòng", "Số CCCD"], ["a.xlsx", 5, "001099000777"], ["b.xlsx", 7, None]
    ]
    assert ws["A1"].font.b and ws["C2"].number_format == "@"
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:C3"
    empty = wb["Nhật ký_thay đổi"]
    assert [c.value for c in empty[1]] == ["Tệp", "Dòng", "Số CCCD"]
    assert empty.freeze_panes == "A2" and not empty.auto_filter.ref
    wb_xml = after["xl/workbook.xml"].decode()
    assert (
        '<definedName name="_xlnm._FilterDatabase" localSheetId="3" hidden="1">'
        "'Tổng hợp (2)'!$A$1:$C$3</definedName>" in wb_xml
    )
    orig_names = re.search(r"<definedNames>(.*)</definedNames>", before["xl/workbook.xml"].decode())
    assert orig_names.group(1) in wb_xml  # the user's defined names kept
    two = [list(r) for r in wb["Lists (2)"].iter_rows(values_only=True)]
    assert two[0][0] == "Hai bảng" and ["Ngày sinh", 1, 0.05] in two


@pytest.mark.libreoffice
def test_libreoffice_opens_several_added_sheets(tmp_path: Path) -> None:
    _soffice()
    src = _xlsxwriter_book(tmp_path / "ds.xlsx")
    dst = tmp_path / "kq.xlsx"
    sheets = [_summary(), _table_sheet("Nhật ký", [["a.xlsx", 5, "001099000777"]])]
    _annotate(src, dst, summary=sheets, values={(7, 4): "001099000777"})
    csv_dir = tmp_path / "csv"
    _lo_convert(
        dst,
        csv_dir,
        "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1",
    )
    with open(csv_dir / "kq-Nhật ký.csv", encoding="utf-8", newline="") as fh:
        assert list(csv.reader(fh))[:2] == [["Tệp", "Dòng", "Số CCCD"],
                                            ["a.xlsx", "5", "001099000777"]]
    with open(csv_dir / f"kq-{SHEET}.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[6][4] == "001099000777"
    with open(csv_dir / "kq-Tổng hợp.csv", encoding="utf-8", newline="") as fh:
        assert ["Đúng", "16", ""] in list(csv.reader(fh))


def test_output_extension_decides_macros(tmp_path: Path) -> None:
    base = _xlsxwriter_book(tmp_path / "base.xlsx")
    macro_ct = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
    plain_ct = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
    vba_rel = (
        b'<Relationship Id="rId99" Type="http://schemas.microsoft.com/office/2006/'
        b'relationships/vbaProject" Target="vbaProject.bin"/>'
    )
    src = _edit_zip(
        base,
        {
            "[Content_Types].xml": lambda x: x.replace(plain_ct.encode(), macro_ct.encode()),
            "xl/_rels/workbook.xml.rels": lambda x: x.replace(
                b"</Relationships>", vba_rel + b"</Relationships>"
            ),
        },
        add={
            "xl/vbaProject.bin": b"vba",
            "xl/_rels/vbaProject.bin.rels": (
                b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="'
                b'http://schemas.openxmlformats.org/package/2006/relationships"><Relationship '
                b'Id="rId1" Type="http://schemas.microsoft.com/office/2006/relationships/'
                b'vbaProjectSignature" Target="vbaProjectSignature.bin"/></Relationships>'
            ),
            "xl/vbaProjectSignature.bin": b"sig",
        },
        out=tmp_path / "src.xlsm",
    )
    as_xlsx = tmp_path / "dst.xlsx"
    _annotate(src, as_xlsx, summary=None)
    after = _members(as_xlsx)
    assert not {n for n in after if "vbaProject" in n}
    assert plain_ct in after["[Content_Types].xml"].decode()
    assert b"vbaProject" not in after["xl/_rels/workbook.xml.rels"]
    assert b"styles" in after["xl/_rels/workbook.xml.rels"]
    _check_common(as_xlsx)
    as_xlsm = tmp_path / "dst.xlsm"
    _annotate(src, as_xlsm, summary=None)
    assert _members(as_xlsm)["xl/vbaProject.bin"] == b"vba"
    plain_to_xlsm = tmp_path / "plain.xlsm"
    _annotate(base, plain_to_xlsm, summary=None)
    assert macro_ct in _members(plain_to_xlsm)["[Content_Types].xml"].decode()


def test_many_notes_stream_with_every_vml_block_declared(tmp_path):
    """Over 1023 notes need several VML id blocks; the streamed parts declare them all."""
    import re as _re

    import openpyxl as _openpyxl
    import xlsxwriter as _xlsxwriter

    from vaxclean_xl.xlsx.annotate import CellMark, annotate_xlsx

    src = tmp_path / "big.xlsx"
    wb = _xlsxwriter.Workbook(src)
    ws = wb.add_worksheet("DS")
    ws.write_row(0, 0, ["Họ và tên", "Ngày sinh"])
    for r in range(1, 2501):
        ws.write_row(r, 0, [f"Người {r}", "01/01/1990"])
    wb.close()
    out = tmp_path / "out.xlsx"
    marks = [CellMark(r, 1, "error", f"[DOB002] Ngày sinh dòng {r}") for r in range(2, 2502)]
    annotate_xlsx(src, out, sheet_name="DS", header_row=1, status_headers=["Phân loại"],
                  status_rows={}, marks=marks, summary=None)
    with zipfile.ZipFile(out) as z:
        vml = next(z.read(n).decode() for n in z.namelist() if n.endswith(".vml"))
    blocks = [int(b) for b in _re.search(r'data="([\d,]+)"', vml).group(1).split(",")]
    ids = [int(i) for i in _re.findall(r'id="_x0000_s(\d+)"', vml)]
    assert len(ids) == len(set(ids)) == 2500
    assert {i // 1024 for i in ids} == set(blocks) and len(blocks) == 3
    ws2 = _openpyxl.load_workbook(out)["DS"]
    assert ws2["B2501"].comment.text.startswith("[DOB002]")
    assert ws2["B2"].fill.fgColor.rgb.endswith("FFC7CE")


@pytest.mark.parametrize(
    "producer",
    ["xlsxwriter", "openpyxl", "no-refs", "prefixed",
     pytest.param("libreoffice", marks=pytest.mark.libreoffice)],
)
def test_direct_row_edits_equal_the_full_cell_walk(tmp_path: Path, producer: str,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Most rows are edited without walking their cells (_direct_row); the bytes written must
    be those of the full walk, for every writer's markup, with status cells on every row,
    marks, new values (text, digits, dates, empty) on existing and missing cells."""
    if producer == "openpyxl":
        src = _openpyxl_book(tmp_path / "src.xlsx")
    elif producer == "libreoffice":
        soffice_or_skip()
        src = soffice_convert(_xlsxwriter_book(tmp_path / "base.xlsx"), "xlsx", tmp_path / "lo")
    else:
        src = _xlsxwriter_book(tmp_path / "src.xlsx")
        edit = {"no-refs": _strip_refs, "prefixed": _prefix_sheet}.get(producer)
        if edit is not None:
            src = _edit_zip(src, {"xl/worksheets/sheet1.xml": edit}, out=tmp_path / "e.xlsx")
    rows = range(FIRST_DATA_ROW, FIRST_DATA_ROW + N_ROWS + 3)
    status = {r: (["OK", ""] if r % 3 else ["Sai", f"dòng {r} & <lỗi>"]) for r in rows}
    values = {(6, 1): "Nguyễn Văn A", (7, 4): "012345678901", (9, 2): dt.date(1990, 5, 17),
              (10, 5): None, (11, 1): "Tên mới", (12, 3): "Nữ"}
    kw = dict(status_rows=status, values=values, marks=[*MARKS, CellMark(11, 1, "error", "x")])
    _annotate(src, tmp_path / "direct.xlsx", **kw)
    calls: list[int] = []
    real = SheetRewriter._direct_row

    def counted(self, attrs, content, row):  # noqa: ANN001, ANN202 - same signature
        out = real(self, attrs, content, row)
        calls.append(out is not None)
        return out

    monkeypatch.setattr(SheetRewriter, "_direct_row", counted)
    _annotate(src, tmp_path / "counted.xlsx", **kw)
    monkeypatch.setattr(SheetRewriter, "_direct_row",
                        lambda self, attrs, content, row: None)
    _annotate(src, tmp_path / "walk.xlsx", **kw)
    direct, walk = _members(tmp_path / "direct.xlsx"), _members(tmp_path / "walk.xlsx")
    assert direct.keys() == walk.keys()
    assert [n for n in direct if direct[n] != walk[n]] == []
    if producer != "no-refs":  # (cells without r: every row takes the full walk)
        assert sum(calls) >= N_ROWS // 2, calls


def test_read_ahead_and_write_behind_keep_order_and_errors() -> None:
    """The zlib helper threads: blocks arrive in order, and a failure on either thread
    reaches the editing thread (no half-written part passes as finished)."""
    import io

    data = bytes(range(256)) * 70_000  # several CHUNK blocks
    with stream.Prefetch(io.BytesIO(data)) as ahead:
        got = ahead.read(1000) + ahead.read(stream.CHUNK) + ahead.read()
    assert got == data
    written: list[bytes] = []
    with stream.WriteBehind(written.append) as behind:
        for i in range(50):
            behind.write(b"%d," % i)
    assert b"".join(written) == b"".join(b"%d," % i for i in range(50))

    class Broken(io.RawIOBase):
        def read(self, n: int = -1) -> bytes:
            raise OSError("disk gone")

    with pytest.raises(OSError, match="disk gone"), stream.Prefetch(Broken()) as ahead:
        ahead.read(10)

    def full(block: bytes) -> None:
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):  # noqa: PT012 - raised at write or exit
        with stream.WriteBehind(full) as behind:
            behind.write(b"x")


_EDGE_ROWS = [  # (rows after the header row, annotate keyword arguments)
    ('<row r="5"><c r="A5" s="0"/><c><v>7</v></c></row>',
     {"status_rows": {5: ["OK"]}, "marks": [CellMark(5, 1, "error", "n")]}),
    ('<row r="5"><c r="A5"/><c><v>7</v></c><c r="C5"><v>1</v></c></row>',
     {"status_rows": {5: ["OK"]}, "marks": [CellMark(5, 2, "error", "n")]}),
    ("<row r=\"5\" spans='1:3'><c r=\"A5\"><v>1</v></c></row>", {"status_rows": {5: ["OK"]}}),
    ('<row r="5" spans="1:3"><c r="A5"><v>1</v></c></row>',
     {"status_rows": {5: []}, "status_headers": ["S1", "S2"]}),
    ('<row r="5" spans="1:3"><c r="A5"><v>1</v></c></row>',
     {"status_rows": {5: ["x"]}, "status_headers": ["S1", "S2"]}),
    ('<row r="5"/><row r="6"><c s="0" r="A6"><v>1</v></c></row>',
     {"status_rows": {5: ["OK"], 6: ["OK"]}, "marks": [CellMark(6, 0, "warning", "w")]}),
    ('<row r="5"><c r="A5"><v>1</v></c><c><v>2</v></c></row>',
     {"status_rows": {5: ["OK"]}, "first_status_col": 1}),
    ('<row spans="1:2" r="5" ht="20" customHeight="1"><c r="A5" t="inlineStr"><is><t>a&gt;b '
     '&lt;/row&gt;</t></is></c><c r="B5"><v>2</v></c></row>',
     {"status_rows": {5: ["OK"]}, "marks": [CellMark(5, 0, "error", "x")],
      "values": {(5, 1): "0123"}}),
    ('<row r="5"><c r="A5"><v>1</v></c><c r="C5"><v>2</v></c></row>',
     {"status_rows": {5: ["OK"]}, "values": {(5, 1): "abc"}}),
    ('<row r="5"><c r="A5"><f t="shared" ref="A5:A6" si="0">B5+1</f><v>1</v></c><c r="B5">'
     '<v>2</v></c></row><row r="6"><c r="A6"><f t="shared" si="0"/><v>3</v></c><c r="B6"><v>2'
     '</v></c></row>', {"status_rows": {5: ["OK"], 6: ["OK"]}, "values": {(5, 0): "x"}}),
    ('<row r="5" s="3" customFormat="1"><c r="A5"><v>1</v></c></row>',
     {"status_rows": {5: ["OK"]}, "values": {(5, 2): "z"}}),
]


@pytest.mark.parametrize("rows, kw", _EDGE_ROWS)
def test_direct_row_edits_equal_the_full_walk_on_unusual_markup(
        tmp_path: Path, rows: str, kw: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    """Hand-written rows: cells without attributes, single-quoted spans, self-closing rows,
    s before r, escaped markup in text, shared formulas, row styles."""
    base = tmp_path / "base.xlsx"
    book = xlsxwriter.Workbook(str(base))
    book.add_worksheet("DS").write(0, 0, "h")
    book.close()
    sheet = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="'
             f'{NS["m"]}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
             'relationships"><dimension ref="A1:C10"/><sheetData><row r="1"><c r="A1" '
             f't="inlineStr"><is><t>h</t></is></c></row>{rows}</sheetData></worksheet>')
    src = _edit_zip(base, {"xl/worksheets/sheet1.xml": lambda _xml: sheet.encode()},
                    out=tmp_path / "src.xlsx")
    args = {"sheet_name": "DS", "header_row": 1, "status_headers": ["Status"], "marks": [],
            "summary": None, **kw}
    annotate_xlsx(src, tmp_path / "direct.xlsx", **args)
    monkeypatch.setattr(SheetRewriter, "_direct_row",
                        lambda self, attrs, content, row: None)
    annotate_xlsx(src, tmp_path / "walk.xlsx", **args)
    direct, walk = _members(tmp_path / "direct.xlsx"), _members(tmp_path / "walk.xlsx")
    assert [n for n in direct if direct[n] != walk.get(n)] == []
