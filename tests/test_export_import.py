"""`vaxclean export-import` on real files made here: an original list and its corrected
copy, the validate JSON of the original as baseline, the default import file checked cell by
cell against the spec, and "official-looking" templates (the spec layout plus code-list
sheets, a data validation, a defined name, custom styles, a note; columns reordered and an
extra column) filled in place with every other zip member left byte-identical."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import unicodedata
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from tests.conftest import hide_soffice, sha256_of, soffice_convert
from vaxclean_xl.cli import main
from vaxclean_xl.cli.export_import import add_export_parser
from vaxclean_xl.commands.export_import import export_import
from vaxclean_xl.commands.validate import validate_file
from vaxclean_xl.core.model import Category
from vaxclean_xl.errors import InputError, OutputError, VaxcleanError
from vaxclean_xl.formats.import_file import (
    SPEC_DIR,
    SpecError,
    available_specs,
    header_keys,
    load_code_list,
    load_spec,
    pad_code,
    sex_codes_from_header,
)
from vaxclean_xl.formats.import_report import (
    SHEET_NOT_ELIGIBLE,
    SHEET_SUMMARY,
    SHEET_UNKNOWN_CODES,
    SHEET_WRITTEN,
    read_import_report,
)
from vaxclean_xl.formats.validation_report import load_baseline

TODAY = dt.date(2026, 1, 15)
SPEC = load_spec()
DATA_SHEET = SPEC.sheet

HEADERS = ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD/CMND", "Số điện thoại",
           "Thôn/Xóm", "Địa chỉ", "Nhóm ưu tiên", "Tên vắc xin", "Ngày tiêm", "Lô vắc xin"]

# Each person: (original values, corrected values). Keys: name, dob, sex, id, phone, group.
# dob may be a date (written as a real Excel date) or a text.
PEOPLE = [
    # 1: OK from the start (out of scope with a baseline)
    ({"name": "Nguyễn Văn An", "dob": "12/03/1989", "sex": "Nam", "id": "001089012345",
      "phone": "0912345678", "group": "4"}, None),
    # 2: NO_ID -> corrected, old phone prefix (certain fix 0123 -> 083)
    ({"name": "Trần Thị Bình", "dob": "05/07/1995", "sex": "Nữ", "id": "",
      "phone": "01234567890", "group": ""},
     {"id": "038195001234", "name": unicodedata.normalize("NFD", "Trần Thị Bình")}),
    # 3: BAD_ID_FORMAT (lost leading zero) -> corrected; dob a real date; spaces in name
    ({"name": "Lê  Văn   Cường", "dob": dt.date(2001, 1, 2), "sex": "Nam",
      "id": "35201001235", "phone": "0987654321", "group": "2"},
     {"id": "035201001235"}),
    # 4: NO_ID (placeholder) -> still no ID
    ({"name": "Phạm Thị Dung", "dob": "10/10/1980", "sex": "Nữ", "id": "không có",
      "phone": "", "group": ""},
     {"id": ""}),
    # 5: BAD_ID_FORMAT (separators) -> still wrong (5 digits)
    ({"name": "Hoàng Thị Em", "dob": "01/01/1975", "sex": "Nữ", "id": "0011-7500-1237",
      "phone": "", "group": ""},
     {"id": "12345"}),
    # 6: BAD_PERSONAL_INFO (sex digit) -> corrected (out of scope with a baseline)
    ({"name": "Vũ Thị Gấm", "dob": "20/11/1990", "sex": "Nữ", "id": "001090001238",
      "phone": "", "group": ""},
     {"id": "001190001238"}),
    # 7: NO_ID -> ID added but the date of birth broken
    ({"name": "Đặng Văn Hùng", "dob": "12/12/1985", "sex": "Nam", "id": "",
      "phone": "", "group": ""},
     {"id": "001085001239", "dob": "31/02/1985"}),
]
FIRST_ROW = 4  # Excel row of person 1 in the lists below
ROW = {i + 1: FIRST_ROW + i for i in range(len(PEOPLE))}  # person number -> Excel row
SETTINGS = {"province": "Hà Nội", "province_code": "01", "district": "Quận Ba Đình",
            "district_code": "001", "commune": "Phường Phúc Xá", "ward_code": "00001",
            "priority_group": "9"}


pytestmark = pytest.mark.usefixtures("log_dir")


def write_list(path: Path, corrected: bool) -> Path:
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Danh sách")
    date_fmt = wb.add_format({"num_format": "dd/mm/yyyy"})
    ws.write_string(0, 0, "DANH SÁCH ĐỐI TƯỢNG KHÔNG CÓ/SAI SỐ CCCD")
    for c, h in enumerate(HEADERS):
        ws.write_string(FIRST_ROW - 2, c, h)
    for i, (orig, fix) in enumerate(PEOPLE):
        p = dict(orig)
        if corrected and fix:
            p.update(fix)
        r = FIRST_ROW - 1 + i
        ws.write_number(r, 0, i + 1)
        ws.write_string(r, 1, p["name"])
        if isinstance(p["dob"], dt.date):
            ws.write_datetime(r, 2, dt.datetime.combine(p["dob"], dt.time()), date_fmt)
        else:
            ws.write_string(r, 2, p["dob"])
        ws.write_string(r, 3, p["sex"])
        if p["id"]:
            ws.write_string(r, 4, p["id"])
        if p["phone"]:
            ws.write_string(r, 5, p["phone"])
        ws.write_string(r, 6, f"Tổ {i % 3 + 1}")
        ws.write_string(r, 7, f"Số {i + 10} ngõ Hòa Bình")
        if p["group"]:
            ws.write_string(r, 8, p["group"])
        if i == 0:  # vaccination data the tool cannot know, carried from the input
            ws.write_string(r, 9, "AstraZeneca")
            ws.write_datetime(r, 10, dt.datetime(2021, 8, 15), date_fmt)
            ws.write_string(r, 11, "A1234")
    wb.close()
    return path


@pytest.fixture
def lists(tmp_path: Path) -> dict[str, Path]:
    original = write_list(tmp_path / "goc.xlsx", corrected=False)
    fixed = write_list(tmp_path / "da-sua.xlsx", corrected=True)
    baseline = tmp_path / "goc.json"
    validate_file(original, report=baseline, write_workbook=False, today=TODAY)
    settings = tmp_path / "caidat.json"
    settings.write_text(json.dumps(SETTINGS, ensure_ascii=False), encoding="utf-8")
    return {"original": original, "fixed": fixed, "baseline": baseline, "settings": settings}


# --------------------------------------------------------------------------- the spec


def test_baseline_groups_are_what_the_fixture_says(lists: dict[str, Path]) -> None:
    groups = load_baseline(lists["baseline"])
    assert [groups[ROW[i]] for i in range(1, 8)] == [
        Category.OK, Category.NO_ID, Category.BAD_ID_FORMAT, Category.NO_ID,
        Category.BAD_ID_FORMAT, Category.BAD_PERSONAL_INFO, Category.NO_ID]


def test_shipped_specs_are_consistent() -> None:
    assert "platform-2021" in available_specs()
    for name in available_specs():
        spec = load_spec(name)
        for col in spec.columns:
            assert col.required == ("(*)" in col.header), col.id
        for g in spec.groups:
            assert g.required == ("(*)" in g.header)
    assert [c.letter for c in SPEC.columns] == [chr(65 + i) for i in range(26)]
    text_cols = {c.id for c in SPEC.columns if c.text_format}
    assert {"dob", "sex", "phone", "id_number", "insurance_number", "priority_group",
            "province_code", "district_code", "ward_code", "dose1_date",
            "dose2_date"} <= text_cols
    assert SPEC.sex_codes == {"M": "0", "F": "1"}
    assert SPEC.header_rows == (7, 8) and SPEC.first_data_row == 9
    assert [(g.header, g.first, g.last) for g in SPEC.groups] == [
        ("Nơi ở tạm trú (hiện tại) (*) (Tham khảo PL3)", 9, 15), ("Mũi 1", 17, 19),
        ("Mũi 2", 21, 23)]
    raw = json.loads((SPEC_DIR / "platform-2021.json").read_text(encoding="utf-8"))
    assert all(i.get("evidence") for i in raw["instructions"])


def test_malformed_spec_is_refused(tmp_path: Path) -> None:
    raw = json.loads((SPEC_DIR / "platform-2021.json").read_text(encoding="utf-8"))
    raw["columns"][1]["sources"] = ["field:nickname"]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(SpecError, match="nickname"):
        load_spec(bad)
    with pytest.raises(SpecError):
        load_spec(tmp_path / "missing.json")
    assert load_spec("platform-2021.json").id == load_spec("platform-2021").id == "platform-2021"
    raw = json.loads((SPEC_DIR / "platform-2021.json").read_text(encoding="utf-8"))
    col = {c["id"]: c for c in raw["columns"]}
    for column, key, value, message in (
            ("priority_group", "codes", "no-such-list", "no-such-list"),
            ("province_code", "digits", 0, "digits"),
            ("province_code", "digits", 11, "digits"),
            ("dose1_lot", "sources", ["dose:0:lot"], "dose:0:lot"),
            ("dose1_lot", "sources", ["dose:1:colour"], "dose:1:colour")):
        broken = json.loads(json.dumps(raw))
        next(c for c in broken["columns"] if c["id"] == column)[key] = value
        bad.write_text(json.dumps(broken, ensure_ascii=False), encoding="utf-8")
        with pytest.raises(SpecError, match=message):
            load_spec(bad)
    ok = json.loads(json.dumps(raw))
    next(c for c in ok["columns"] if c["id"] == "province_code")["digits"] = 10
    next(c for c in ok["columns"] if c["id"] == "dose1_lot")["sources"] = ["dose:4:lot"]
    bad.write_text(json.dumps(ok, ensure_ascii=False), encoding="utf-8")
    assert load_spec(bad).column("province_code").digits == 10
    assert col["priority_group"]["codes"] == "priority-groups-qd3355"


def test_header_keys_and_sex_codes() -> None:
    a = header_keys("Số điện thoại(*) (Tối thiểu 10 số)")
    b = header_keys("  SỐ ĐIỆN THOẠI (*)(Tối thiểu 10  số) ")
    assert a == b
    assert header_keys("Giới tính (*) (0:nam, 1:nữ)")[1] == "giới tính"
    assert header_keys("Gioi tinh")[2] == header_keys("Giới tính (*)")[2]
    assert sex_codes_from_header("Giới tính (*) (0:nam, 1:nữ)") == {"M": "0", "F": "1"}
    assert sex_codes_from_header("Giới tính (1: Nam; 2: Nữ)") == {"M": "1", "F": "2"}
    assert sex_codes_from_header("Giới tính") is None


# --------------------------------------------------------------------------- default file


def header_cell(col) -> tuple[int, int]:
    """(row, col) 1-based of a spec column's header text in the default layout."""
    return (SPEC.header_rows[-1] if col.group else SPEC.header_rows[0]), col.index + 1


def test_default_file_structure_matches_the_spec(lists: dict[str, Path]) -> None:
    out = lists["fixed"].with_name("import.xlsx")
    before = sha256_of(lists["fixed"])
    outcome = export_import(lists["fixed"], out, baseline=lists["baseline"],
                            settings_file=lists["settings"], today=TODAY)
    assert sha256_of(lists["fixed"]) == before
    assert outcome.written == 2 and outcome.exit_code == 1
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == [DATA_SHEET]
    ws = wb[DATA_SHEET]
    for ins in SPEC.instructions:
        assert ws.cell(ins.row, 1).value == ins.text
    assert [ins.row for ins in SPEC.instructions] == [1, 2, 3, 4, 5]
    assert all(ws.cell(6, c).value is None for c in range(1, 27))
    expected_merges: set[str] = set()
    widths = {i: d.width for d in ws.column_dimensions.values()
              for i in range(d.min, d.max + 1)}
    for g in SPEC.groups:
        first = openpyxl.utils.get_column_letter(g.first + 1)
        last = openpyxl.utils.get_column_letter(g.last + 1)
        expected_merges.add(f"{first}7:{last}7")
        cell = ws.cell(7, g.first + 1)
        assert cell.value == g.header
        assert (cell.font.color.rgb == "FFFF0000") is g.required
    for col in SPEC.columns:
        if col.group is None:
            expected_merges.add(f"{col.letter}7:{col.letter}8")
        r, c = header_cell(col)
        cell = ws.cell(r, c)
        assert cell.value == col.header, col.id
        assert (cell.font.color.rgb == "FFFF0000") is col.required, col.id
        assert cell.font.b
        width = widths[col.index + 1]
        assert col.width <= width <= col.width + 1, col.id
    assert {str(m) for m in ws.merged_cells.ranges} == expected_merges
    # Exact header texts of domain.md, in order A→Z.
    assert [c.header for c in SPEC.columns][:9] == [
        "#", "Họ và tên (*)", "Ngày sinh dạng dd/mm/yyyy (*)", "Giới tính (*) (0:nam, 1:nữ)",
        "Mã nhóm đối tượng ưu tiên (*) (Tham khảo PL2)", "Đơn vị công tác",
        "Số điện thoại(*) (Tối thiểu 10 số)", "Số CMT/CCCD (Loại 8/9/12 số)",
        "Số thẻ bảo hiểm y tế (Mã thẻ 10/15 ký tự)"]
    assert ws.cell(7, 26).value == "Kết quả import (không điền ô này)"

    # Data from row 9: persons 2 and 3, in list order.
    rows = [[ws.cell(r, c.index + 1) for c in SPEC.columns] for r in (9, 10)]
    assert ws.cell(11, 2).value is None
    by_id = [{c.id: cell for c, cell in zip(SPEC.columns, row, strict=True)} for row in rows]
    for row in by_id:
        for col in SPEC.columns:
            fmt = row[col.id].number_format
            assert fmt == ("@" if col.text_format else "General"), (col.id, fmt)
    p2, p3 = by_id
    assert [p2["stt"].value, p3["stt"].value] == [1, 2]
    assert p2["full_name"].value == "Trần Thị Bình"  # typed decomposed (NFD): written NFC
    assert unicodedata.is_normalized("NFC", p2["full_name"].value)
    assert p3["full_name"].value == "Lê Văn Cường"  # certain fix of the spaces applied
    assert (p2["dob"].value, p2["dob"].data_type) == ("05/07/1995", "s")
    assert (p3["dob"].value, p3["dob"].data_type) == ("02/01/2001", "s")
    assert [p2["sex"].value, p3["sex"].value] == ["1", "0"]
    assert (p2["id_number"].value, p2["id_number"].data_type) == ("038195001234", "s")
    assert p3["id_number"].value == "035201001235"
    assert p2["phone"].value == "0834567890"  # 0123 -> 083, certain fix
    assert (p3["phone"].value, p3["phone"].data_type) == ("0987654321", "s")
    assert p2["priority_group"].value == "9"  # settings default
    assert p3["priority_group"].value == "2"  # from the input
    assert [p2[k].value for k in ("province", "province_code", "district", "district_code",
                                  "ward", "ward_code")] == [
        "Hà Nội", "01", "Quận Ba Đình", "001", "Phường Phúc Xá", "00001"]
    assert p2["address"].value == "Số 11 ngõ Hòa Bình"
    assert p2["import_result"].value is None and p2["dose1_vaccine"].value is None
    # Not eligible: persons 4, 5, 7 (never written), out of scope: 1 and 6.
    names = {ws.cell(r, 2).value for r in range(9, 20)}
    assert not names & {"Phạm Thị Dung", "Hoàng Thị Em", "Đặng Văn Hùng", "Nguyễn Văn An",
                        "Vũ Thị Gấm"}
    assert [n.row for n in outcome.not_eligible] == [ROW[4], ROW[5], ROW[7]]
    assert outcome.out_of_scope == 2  # persons 1 and 6


def test_report_lists_records_still_wrong(lists: dict[str, Path]) -> None:
    out = lists["fixed"].with_name("import.xlsx")
    outcome = export_import(lists["fixed"], out, baseline=lists["baseline"],
                            settings_file=lists["settings"], today=TODAY)
    assert outcome.report == out.with_name("import.baocao.xlsx")
    wb = openpyxl.load_workbook(outcome.report)
    assert wb.sheetnames == [SHEET_SUMMARY, SHEET_NOT_ELIGIBLE, SHEET_WRITTEN]
    ne = [[c.value for c in row] for row in wb[SHEET_NOT_ELIGIBLE].iter_rows(min_row=2)]
    assert [r[0] for r in ne] == [ROW[4], ROW[5], ROW[7]]
    assert [r[1] for r in ne] == ["Phạm Thị Dung", "Hoàng Thị Em", "Đặng Văn Hùng"]
    assert ne[0][3] == "ID001" and ne[1][3] == "ID006" and ne[2][3].startswith("DOB")
    assert all(r[4] for r in ne)  # the Vietnamese messages
    written = [[c.value for c in row] for row in wb[SHEET_WRITTEN].iter_rows(min_row=2)]
    assert written == [[ROW[2], 9, "Trần Thị Bình"], [ROW[3], 10, "Lê Văn Cường"]]
    summary = {r[0].value: r[1].value for r in wb[SHEET_SUMMARY].iter_rows(min_row=2)
               if r[0].value}
    assert summary["Đã ghi vào tệp import"] == 2
    assert summary["Chưa đủ điều kiện (còn sai, không ghi)"] == 3
    assert summary["Ngoài phạm vi import"] == 2


def test_without_baseline_every_correct_record_is_written(lists: dict[str, Path]) -> None:
    out = lists["fixed"].with_name("tat-ca.xlsx")
    outcome = export_import(lists["fixed"], out, settings_file=lists["settings"], today=TODAY)
    assert outcome.written == 4 and outcome.out_of_scope == 0
    assert [r for r, _ in outcome.written_rows] == [ROW[1], ROW[2], ROW[3], ROW[6]]
    assert [n.row for n in outcome.not_eligible] == [ROW[4], ROW[5], ROW[7]]
    assert any("--baseline" in w for w in outcome.warnings)
    ws = openpyxl.load_workbook(out)[DATA_SHEET]
    col = {c.id: c.index + 1 for c in SPEC.columns}
    assert ws.cell(9, col["full_name"]).value == "Nguyễn Văn An"
    assert ws.cell(9, col["dose1_vaccine"]).value == "AstraZeneca"  # carried from the input
    assert ws.cell(9, col["dose1_date"]).value == "15/08/2021"
    assert ws.cell(9, col["dose1_lot"]).value == "A1234"
    assert ws.cell(9, col["dose2_date"]).value is None
    assert ws.cell(12, col["full_name"]).value == "Vũ Thị Gấm"
    assert ws.cell(12, col["id_number"]).value == "001190001238"
    # Empty columns counted per spec column (4 records written, 1 with vaccine data).
    assert outcome.empty_columns["dose1_vaccine"] == 3
    assert outcome.empty_columns["dose2_vaccine"] == 4
    assert outcome.empty_columns["workplace"] == 4
    assert "import_result" not in outcome.empty_columns
    assert "full_name" not in outcome.empty_columns and "province_code" not in \
        outcome.empty_columns
    assert outcome.labels["dose1_vaccine"].startswith("Q ")


def test_missing_settings_codes_are_counted_and_explained(lists: dict[str, Path]) -> None:
    out = lists["fixed"].with_name("khong-cai-dat.xlsx")
    outcome = export_import(lists["fixed"], out, baseline=lists["baseline"], today=TODAY)
    assert outcome.empty_columns["province_code"] == 2
    assert outcome.empty_columns["province"] == 2
    assert any("province_code" in w for w in outcome.warnings)


def test_cli_prints_rows_and_codes_only(lists: dict[str, Path],
                                        capsys: pytest.CaptureFixture[str]) -> None:
    parser = argparse.ArgumentParser(prog="vaxclean")
    add_export_parser(parser.add_subparsers(dest="command"))
    out = lists["fixed"].with_name("cli.xlsx")
    args = parser.parse_args(["export-import", str(lists["fixed"]), "-o", str(out),
                              "--baseline", str(lists["baseline"]),
                              "--settings", str(lists["settings"])])
    assert args.func(args) == 1
    captured = capsys.readouterr()
    assert "Đã ghi 2 bản ghi" in captured.out
    assert f"Dòng {ROW[4]}: ID001" in captured.err
    assert f"Dòng {ROW[5]}: ID006" in captured.err
    for orig, _fix in PEOPLE:
        assert orig["name"].split()[-1] not in captured.err
    assert out.exists() and out.with_name("cli.baocao.xlsx").exists()
    # Everything eligible written and nothing still wrong: exit 0.
    ok = lists["fixed"].with_name("ok.xlsx")
    args = parser.parse_args(["export-import", str(lists["original"]), "-o", str(ok)])
    assert args.func(args) == 1  # the original list has wrong records
    wb = openpyxl.load_workbook(ok)
    assert wb[DATA_SHEET].cell(9, 2).value == "Nguyễn Văn An"


def test_exit_code_zero_when_nothing_is_still_wrong(tmp_path: Path) -> None:
    src = tmp_path / "dung.xlsx"
    wb = xlsxwriter.Workbook(str(src))
    ws = wb.add_worksheet()
    ws.write_row(0, 0, ["Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD"])
    ws.write_row(1, 0, ["Nguyễn Văn An", "12/03/1989", "Nam", "001089012345"])
    wb.close()
    outcome = export_import(src, tmp_path / "i.xlsx", today=TODAY)
    assert (outcome.written, outcome.exit_code) == (1, 0)


def test_refusals(lists: dict[str, Path], tmp_path: Path) -> None:
    with pytest.raises(OutputError):
        export_import(lists["fixed"], lists["fixed"], today=TODAY)
    with pytest.raises(OutputError):
        export_import(lists["fixed"], tmp_path / "a.xlsx", report=lists["fixed"], today=TODAY)
    bad = tmp_path / "bad.json"
    bad.write_text('{"schema": "other/1", "records": []}', encoding="utf-8")
    with pytest.raises(InputError) as err:
        export_import(lists["fixed"], tmp_path / "b.xlsx", baseline=bad, today=TODAY)
    assert err.value.code == "E401"
    xls = tmp_path / "mau.xls"
    xls.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(InputError) as err:
        export_import(lists["fixed"], tmp_path / "c.xls", template=xls, today=TODAY)
    assert err.value.code == "E403"
    blank = tmp_path / "trong.xlsx"
    wb = xlsxwriter.Workbook(str(blank))
    wb.add_worksheet("Sheet1").write(0, 0, "Không phải mẫu")
    wb.close()
    with pytest.raises(InputError, match="tiêu đề"):
        export_import(lists["fixed"], tmp_path / "d.xlsx", template=blank, today=TODAY)
    assert not (tmp_path / "d.xlsx").exists()


# --------------------------------------------------------------------------- user's template


def spec_blocks() -> list[list]:
    """The spec's columns as header blocks: single columns and whole groups."""
    out: list[list] = []
    for col in SPEC.columns:
        if col.group is None:
            out.append([col])
        elif col.group.first == col.index:
            out.append([c for c in SPEC.columns if c.group is col.group])
    return out


def build_official(path: Path, *, order: list[int] | None = None, extra_after: int | None = None,
                   prestyle: bool = True, sex_header: str | None = None,
                   existing_row: bool = False, numbering: bool = False) -> dict[str, int]:
    """An "official-looking" template: the spec layout (blocks in ``order``), an extra
    column, code-list sheets PL2/PL3, a defined name and a list validation using it, custom
    fonts/fills, a note, frozen panes and an autofilter. Returns spec id -> 0-based column."""
    blocks = spec_blocks()
    order = order if order is not None else list(range(len(blocks)))
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet(DATA_SHEET)
    pl2 = wb.add_worksheet("PL2")
    pl3 = wb.add_worksheet("PL3")
    base = {"font_name": "Times New Roman", "font_size": 12}
    head = {**base, "bold": True, "border": 1, "text_wrap": True, "bg_color": "#FFF2CC",
            "align": "center", "valign": "vcenter"}
    red = wb.add_format({**head, "font_color": "#FF0000"})
    black = wb.add_format(head)
    data_text = wb.add_format({**base, "border": 1, "num_format": "@"})
    data_plain = wb.add_format({**base, "border": 1})
    ws.write_string(0, 0, "DANH SÁCH ĐỐI TƯỢNG TIÊM", wb.add_format({**base, "bold": True}))
    ws.write_string(1, 0, "(*) màu đỏ là cột bắt buộc", wb.add_format({**base,
                                                                         "font_color": "red"}))
    ws.write_string(2, 0, "Thông tin không có thì để trống")
    ws.write_string(3, 0, "Bỏ lọc trước khi tải lên")
    where: dict[str, int] = {}
    c = 0
    for n, b in enumerate(order):
        cols = blocks[b]
        if cols[0].group is not None:
            g = cols[0].group
            ws.merge_range(6, c, 6, c + len(cols) - 1, g.header, red if g.required else black)
            for i, col in enumerate(cols):
                ws.write_string(7, c + i, col.header, red if col.required else black)
                where[col.id] = c + i
        else:
            col = cols[0]
            text = sex_header if (sex_header and col.id == "sex") else col.header
            ws.merge_range(6, c, 7, c, text, red if col.required else black)
            where[col.id] = c
        for i, col in enumerate(cols):
            ws.set_column(c + i, c + i, col.width)
            if prestyle:
                for r in range(8, 30):
                    ws.write_blank(r, c + i, None, data_text if col.text_format else data_plain)
        c += len(cols)
        if extra_after is not None and n == extra_after:
            ws.merge_range(6, c, 7, c, "Dân tộc", black)
            where["_extra"] = c
            c += 1
    if numbering:  # "(1) (2) …" under the headers, then a pre-filled '#' column
        for col in where.values():
            ws.write_string(8, col, f"({col + 1})")
        for r in range(9, 40):
            ws.write_number(r, where["stt"], r - 8)
    if existing_row:
        ws.write_number(8, where["stt"], 1)
        ws.write_string(8, where["full_name"], "Người Có Sẵn")
        ws.write_string(8, where["id_number"], "001089000001")
    ws.write_comment(6, where["full_name"], "Ghi đầy đủ họ tên có dấu")
    ws.freeze_panes(8, 0)
    ws.autofilter(7, 0, 7, c - 1)
    pl2.write_row(0, 0, ["Mã nhóm", "Tên nhóm ưu tiên"], wb.add_format({"bold": True}))
    for i in range(1, 10):
        pl2.write_row(i, 0, [str(i), f"Nhóm ưu tiên {i}"])
    pl3.write_row(0, 0, ["Mã tỉnh", "Tên tỉnh"])
    pl3.write_row(1, 0, ["01", "Thành phố Hà Nội"])
    wb.define_name("DS_NHOM", "=PL2!$A$2:$A$10")
    prio = where["priority_group"]
    ws.data_validation(8, prio, 999, prio, {"validate": "list", "source": "=DS_NHOM"})
    wb.close()
    return where


def zip_diff(a: Path, b: Path) -> set[str]:
    with zipfile.ZipFile(a) as za, zipfile.ZipFile(b) as zb:
        assert za.namelist() == zb.namelist()
        return {n for n in za.namelist() if za.read(n) != zb.read(n)}


def cell_values(path: Path, where: dict[str, int], row: int) -> dict[str, object]:
    ws = openpyxl.load_workbook(path)[DATA_SHEET]
    return {cid: ws.cell(row, c + 1).value for cid, c in where.items()}


# Blocks: 0..8 singles A–I, 9 residence group, 10 Q, 11 Mũi 1, 12 U, 13 Mũi 2, 14 Y, 15 Z.
REORDERED = [0, 2, 1, 3, 4, 5, 6, 7, 8, 14, 9, 10, 13, 12, 11, 15]  # Mũi 2 before Mũi 1


def test_fill_reordered_template_keeps_everything_else(lists: dict[str, Path],
                                                       tmp_path: Path) -> None:
    tpl = tmp_path / "mau-nen-tang.xlsx"
    where = build_official(tpl, order=REORDERED, extra_after=1, prestyle=True)
    assert where["dose2_date"] < where["dose1_date"]  # really reordered
    before = sha256_of(tpl)
    out = tmp_path / "da-dien.xlsx"
    outcome = export_import(lists["fixed"], out, template=tpl, settings_file=lists["settings"],
                            today=TODAY)
    assert sha256_of(tpl) == before
    assert outcome.written == 4 and outcome.first_row == 9 and outcome.sheet == DATA_SHEET
    assert outcome.missing_columns == []
    # Only the data sheet changed: the first data row's styles were reused.
    assert zip_diff(tpl, out) == {"xl/worksheets/sheet1.xml"}
    p1 = cell_values(out, where, 9)
    assert p1["stt"] == 1 and p1["full_name"] == "Nguyễn Văn An"
    assert (p1["dob"], p1["sex"], p1["id_number"]) == ("12/03/1989", "0", "001089012345")
    assert (p1["dose1_vaccine"], p1["dose1_date"], p1["dose1_lot"]) == (
        "AstraZeneca", "15/08/2021", "A1234")
    assert p1["dose2_vaccine"] is None and p1["dose2_date"] is None
    assert p1["_extra"] is None
    assert (p1["province_code"], p1["ward"]) == ("01", "Phường Phúc Xá")
    p2 = cell_values(out, where, 10)
    assert (p2["full_name"], p2["sex"], p2["id_number"], p2["phone"]) == (
        "Trần Thị Bình", "1", "038195001234", "0834567890")
    assert cell_values(out, where, 13)["full_name"] is None
    wb = openpyxl.load_workbook(out)
    ws = wb[DATA_SHEET]
    cell = ws.cell(10, where["id_number"] + 1)
    assert (cell.data_type, cell.number_format, cell.font.name) == ("s", "@", "Times New Roman")
    assert ws.cell(10, where["full_name"] + 1).number_format == "General"
    assert "DS_NHOM" in wb.defined_names
    assert [str(dv.sqref) for dv in ws.data_validations.dataValidation] == [
        f"{openpyxl.utils.get_column_letter(where['priority_group'] + 1)}9:"
        f"{openpyxl.utils.get_column_letter(where['priority_group'] + 1)}1000"]
    assert wb.sheetnames == [DATA_SHEET, "PL2", "PL3"]
    with zipfile.ZipFile(out) as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode()
    assert 't="inlineStr"' in xml
    last = openpyxl.utils.get_column_letter(max(where.values()) + 1)
    assert f'<dimension ref="A1:{last}30"/>' in xml  # pre-styled rows reach row 30


def test_fill_template_without_styles_adds_one_text_style(lists: dict[str, Path],
                                                          tmp_path: Path) -> None:
    tpl = tmp_path / "mau.xlsx"
    where = build_official(tpl, prestyle=False, existing_row=True,
                           sex_header="Giới tính (*) (1: Nam, 2: Nữ)")
    out = tmp_path / "ket-qua.xlsx"
    outcome = export_import(lists["fixed"], out, template=tpl, baseline=lists["baseline"],
                            settings_file=lists["settings"], today=TODAY)
    assert zip_diff(tpl, out) == {"xl/worksheets/sheet1.xml", "xl/styles.xml"}
    assert outcome.first_row == 10  # after the row already in the template
    assert any("1 dòng dữ liệu" in w for w in outcome.warnings)
    assert any("Nam=1, Nữ=2" in w for w in outcome.warnings)
    assert cell_values(out, where, 9)["full_name"] == "Người Có Sẵn"
    p2 = cell_values(out, where, 10)
    p3 = cell_values(out, where, 11)
    assert (p2["stt"], p2["full_name"], p2["sex"]) == (2, "Trần Thị Bình", "2")
    assert (p3["stt"], p3["full_name"], p3["sex"], p3["dob"]) == (
        3, "Lê Văn Cường", "1", "02/01/2001")
    ws = openpyxl.load_workbook(out)[DATA_SHEET]
    assert ws.cell(10, where["id_number"] + 1).number_format == "@"
    assert ws.cell(10, where["dob"] + 1).number_format == "@"
    with zipfile.ZipFile(tpl) as a, zipfile.ZipFile(out) as b:
        old = a.read("xl/styles.xml").decode()
        new = b.read("xl/styles.xml").decode()
    n_old = int(re.search(r'<cellXfs count="(\d+)"', old).group(1))
    assert f'<cellXfs count="{n_old + 1}"' in new
    assert new.replace(f'<cellXfs count="{n_old + 1}"', f'<cellXfs count="{n_old}"') \
        .replace('<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" '
                 'applyNumberFormat="1"/></cellXfs>', "</cellXfs>") == old


def test_numbering_row_and_prefilled_counter(lists: dict[str, Path], tmp_path: Path) -> None:
    tpl = tmp_path / "mau-so.xlsx"
    where = build_official(tpl, numbering=True)
    out = tmp_path / "so.xlsx"
    outcome = export_import(lists["fixed"], out, template=tpl, baseline=lists["baseline"],
                            today=TODAY)
    assert outcome.first_row == 10
    assert not any("dòng dữ liệu" in w for w in outcome.warnings)
    assert cell_values(out, where, 9)["full_name"] == "(2)"
    p2, p3 = cell_values(out, where, 10), cell_values(out, where, 11)
    assert (p2["stt"], p2["full_name"], p3["stt"], p3["full_name"]) == (
        1, "Trần Thị Bình", 2, "Lê Văn Cường")
    assert cell_values(out, where, 12)["stt"] == 3  # the template's own numbers stay below
    assert cell_values(out, where, 12)["full_name"] is None


def test_template_missing_columns_are_reported(lists: dict[str, Path], tmp_path: Path) -> None:
    tpl = tmp_path / "mau-thieu.xlsx"
    blocks = spec_blocks()
    keep = [i for i, b in enumerate(blocks) if b[0].id not in ("workplace", "note")]
    where = build_official(tpl, order=keep)
    out = tmp_path / "thieu.xlsx"
    outcome = export_import(lists["fixed"], out, template=tpl, baseline=lists["baseline"],
                            today=TODAY)
    assert outcome.missing_columns == ["workplace", "note"]
    assert "workplace" not in outcome.empty_columns
    assert any("Đơn vị công tác" in w for w in outcome.warnings)
    assert cell_values(out, where, 9)["full_name"] == "Trần Thị Bình"


def test_libreoffice_opens_the_filled_template(lists: dict[str, Path], tmp_path: Path) -> None:
    from python_calamine import CalamineWorkbook

    tpl = tmp_path / "mau-lo.xlsx"
    where = build_official(tpl, order=REORDERED, extra_after=3, prestyle=False)
    out = tmp_path / "dien-lo.xlsx"
    export_import(lists["fixed"], out, template=tpl, baseline=lists["baseline"],
                  settings_file=lists["settings"], today=TODAY)
    ods = soffice_convert(out, "ods", tmp_path / "lo")
    wb = CalamineWorkbook.from_path(str(ods))
    assert wb.sheet_names[:3] == [DATA_SHEET, "PL2", "PL3"]
    rows = wb.get_sheet_by_name(DATA_SHEET).to_python()

    def at(r: int, cid: str) -> object:
        return rows[r - 1][where[cid]]

    assert at(9, "full_name") == "Trần Thị Bình"
    assert at(9, "id_number") == "038195001234"
    assert at(9, "dob") == "05/07/1995"
    assert at(9, "sex") == "1"
    assert at(10, "id_number") == "035201001235"
    assert at(10, "ward_code") == "00001"
    assert rows[6][where["full_name"]] == "Họ và tên (*)"


def test_libreoffice_opens_the_default_file(lists: dict[str, Path], tmp_path: Path) -> None:
    from python_calamine import CalamineWorkbook

    out = tmp_path / "mac-dinh.xlsx"
    export_import(lists["fixed"], out, baseline=lists["baseline"], today=TODAY)
    ods = soffice_convert(out, "ods", tmp_path / "lo")
    rows = CalamineWorkbook.from_path(str(ods)).get_sheet_by_name(DATA_SHEET).to_python()
    col = {c.id: c.index for c in SPEC.columns}
    assert rows[8][col["id_number"]] == "038195001234"
    assert rows[8][col["dob"]] == "05/07/1995"


# --------------------------------------------------------------------------- legacy .xls template

# The PL1 sheet of the platform's template as distributed (reference 1.1): notes in rows 1–5,
# header row 7 (groups merged over row 8's sub-headers), data from row 9, columns A–Z.
PL1_NOTES = [
    "Chú ý:",
    "- Các cột có dấu (*) màu đỏ là bắt buộc nhập",
    "- Địa điểm tiêm nhập Mã cơ sở KCB của cơ sở tiêm, tham khảo tại PL4",
    "- Cột nào không có dữ liệu thì KHÔNG NHẬP",
    "- Bỏ lọc (Filter) trên tất cả các sheet danh mục trước khi tải lên",
]
PL1_SINGLE = {  # column -> header merged over rows 7–8
    "A": "#", "B": "Họ và tên (*)", "C": "Ngày sinh dạng dd/mm/yyyy (*)",
    "D": "Giới tính (*) (0:nam, 1:nữ)", "E": "Mã nhóm đối tượng ưu tiên (*) (Tham khảo PL2)",
    "F": "Đơn vị công tác", "G": "Số điện thoại(*) (Tối thiểu 10 số)",
    "H": "Số CMT/CCCD (Loại 8/9/12 số)", "I": "Số thẻ bảo hiểm y tế (Mã thẻ 10/15 ký tự)",
    "Q": "Tên vắc xin (*) (Tham khảo PL5)", "U": "Tên vắc xin (*) (Tham khảo PL5)",
    "Y": "Ghi chú", "Z": "Kết quả import (không điền ô này)",
}
PL1_GROUPS = {  # (first, last) -> (group header, sub-headers)
    ("J", "P"): ("Nơi ở tạm trú (hiện tại) (*) (Tham khảo PL3)",
                 ["Tỉnh/Thành phố", "Mã Tỉnh/Thành phố (*)", "Quận/Huyện", "Mã Quận/Huyện (*)",
                  "Xã/Phường", "Mã Xã/Phường (*)", "Địa chỉ chi tiết"]),
    ("R", "T"): ("Mũi 1", ["Ngày tiêm dạng dd/mm/yyyy (*)", "Lô vắc xin(*)",
                           "Địa điểm tiêm (*) (Tham khảo PL4)"]),
    ("V", "X"): ("Mũi 2", ["Ngày tiêm dạng dd/mm/yyyy (*)", "Lô vắc xin(*)",
                           "Địa điểm tiêm (*) (Tham khảo PL4)"]),
}
PL1_TEXT_COLS = "CDEGHIKMOQRSTUVWX"  # Text-formatted data cells (codes, dates, numbers)


def col_index(letter: str) -> int:
    return openpyxl.utils.column_index_from_string(letter) - 1


def build_pl1_xls(folder: Path) -> Path:
    """The PL1 template written as .xlsx, then saved as legacy .xls by LibreOffice."""
    src = folder / "mau-pl1.xlsx"
    wb = xlsxwriter.Workbook(str(src))
    ws = wb.add_worksheet("PL1_Danh sach doi tuong tiem")
    base = {"font_name": "Times New Roman", "font_size": 11}
    head = {**base, "bold": True, "border": 1, "text_wrap": True, "align": "center",
            "valign": "vcenter"}
    red, black = wb.add_format({**head, "font_color": "#FF0000"}), wb.add_format(head)
    note = wb.add_format({**base, "italic": True})
    text = wb.add_format({**base, "border": 1, "num_format": "@"})
    plain = wb.add_format({**base, "border": 1})
    for r, line in enumerate(PL1_NOTES):
        ws.write_string(r, 0, line, wb.add_format({**base, "bold": True}) if r == 0 else note)
    for letter, header in PL1_SINGLE.items():
        c = col_index(letter)
        ws.merge_range(6, c, 7, c, header, red if "(*)" in header else black)
    for (first, last), (group, subs) in PL1_GROUPS.items():
        a = col_index(first)
        ws.merge_range(6, a, 6, col_index(last), group, red if "(*)" in group else black)
        for i, sub in enumerate(subs):
            ws.write_string(7, a + i, sub, red if "(*)" in sub else black)
    for c in range(26):
        ws.set_column(c, c, 14)
        for r in range(8, 20):
            ws.write_blank(r, c, None, text if openpyxl.utils.get_column_letter(c + 1)
                           in PL1_TEXT_COLS else plain)
    pl2 = wb.add_worksheet("PL2")
    pl2.write_row(0, 0, ["Mã", "Nhóm đối tượng"])
    pl2.write_row(1, 0, ["9", "Người mắc các bệnh mạn tính; Người trên 65 tuổi"])
    wb.close()
    return soffice_convert(src, "xls", folder / "xls")


def check_pl1_kept(ws: openpyxl.worksheet.worksheet.Worksheet) -> None:
    """The notes, both header rows, the merges and the header formats as in the template."""
    for r, line in enumerate(PL1_NOTES, start=1):
        assert ws.cell(r, 1).value == line
    assert ws.cell(2, 1).font.b is not True and ws.cell(1, 1).font.b is True
    for letter, header in PL1_SINGLE.items():
        cell = ws[f"{letter}7"]
        assert cell.value == header
        assert cell.font.b is True
        assert (cell.font.color.rgb[-6:] == "FF0000") == ("(*)" in header)
        assert f"{letter}7:{letter}8" in {str(m) for m in ws.merged_cells.ranges}
    merged = {str(m) for m in ws.merged_cells.ranges}
    for (first, last), (group, subs) in PL1_GROUPS.items():
        assert ws[f"{first}7"].value == group and f"{first}7:{last}7" in merged
        for i, sub in enumerate(subs):
            assert ws.cell(8, col_index(first) + i + 1).value == sub


def test_legacy_xls_template_is_filled_and_written_as_xls(lists: dict[str, Path],
                                                          tmp_path: Path) -> None:
    tpl = build_pl1_xls(tmp_path)
    assert tpl.suffix == ".xls" and tpl.read_bytes()[:4] == b"\xd0\xcf\x11\xe0"  # BIFF8 (OLE)
    before = sha256_of(tpl)
    out = tmp_path / "import.xls"
    outcome = export_import(lists["fixed"], out, template=tpl, baseline=lists["baseline"],
                            settings_file=lists["settings"], today=TODAY)
    assert sha256_of(tpl) == before
    assert (outcome.written, outcome.first_row, outcome.missing_columns) == (2, 9, [])
    assert outcome.template == tpl and outcome.sheet == "PL1_Danh sach doi tuong tiem"
    assert out.read_bytes()[:4] == b"\xd0\xcf\x11\xe0"  # written back as legacy .xls
    wb = openpyxl.load_workbook(soffice_convert(out, "xlsx", tmp_path / "back"))
    assert wb.sheetnames == ["PL1_Danh sach doi tuong tiem", "PL2"]
    ws = wb["PL1_Danh sach doi tuong tiem"]
    check_pl1_kept(ws)
    expected = {
        9: {"A": 1, "B": "Trần Thị Bình", "C": "05/07/1995", "D": "1", "E": "9",
            "G": "0834567890", "H": "038195001234", "J": "Hà Nội", "K": "01",
            "L": "Quận Ba Đình", "M": "001", "N": "Phường Phúc Xá", "O": "00001",
            "P": "Số 11 ngõ Hòa Bình"},
        10: {"A": 2, "B": "Lê Văn Cường", "C": "02/01/2001", "D": "0", "E": "2",
             "G": "0987654321", "H": "035201001235", "K": "01", "M": "001", "O": "00001"},
    }
    for row, cells in expected.items():
        for letter, value in cells.items():
            cell = ws[f"{letter}{row}"]
            assert cell.value == value, (letter, row)
            if letter in PL1_TEXT_COLS:
                assert (cell.data_type, cell.number_format) == ("s", "@"), (letter, row)
            assert cell.font.name == "Times New Roman"
    for letter in "FIQRSTUVWXYZ":  # nothing known for these: left empty
        assert ws[f"{letter}9"].value is None
    assert all(ws.cell(11, c).value is None for c in range(1, 27))
    assert ws["H12"].number_format == "@"  # the template's formatted rows below are kept


def test_legacy_xls_template_written_as_xlsx_when_asked(lists: dict[str, Path],
                                                        tmp_path: Path) -> None:
    tpl = build_pl1_xls(tmp_path)
    out = tmp_path / "import.xlsx"
    outcome = export_import(lists["fixed"], out, template=tpl, baseline=lists["baseline"],
                            settings_file=lists["settings"], today=TODAY)
    assert outcome.written == 2 and zipfile.is_zipfile(out)
    ws = openpyxl.load_workbook(out)["PL1_Danh sach doi tuong tiem"]
    check_pl1_kept(ws)
    assert (ws["B9"].value, ws["H9"].value, ws["O9"].value) == (
        "Trần Thị Bình", "038195001234", "00001")
    with pytest.raises(VaxcleanError) as err:  # .xls template: .xls or .xlsx, nothing else
        export_import(lists["fixed"], tmp_path / "import.ods", template=tpl, today=TODAY)
    assert err.value.code == "E204"


def test_legacy_xls_template_without_libreoffice_says_how(lists: dict[str, Path],
                                                          tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture) -> None:
    tpl = build_pl1_xls(tmp_path)
    hide_soffice(monkeypatch, tmp_path)
    out = tmp_path / "import.xls"
    code = main(["export-import", str(lists["fixed"]), "-o", str(out), "--template", str(tpl)])
    err = capsys.readouterr().err
    assert code == 2 and not out.exists()
    assert "mau-pl1.xls" in err and "LibreOffice" in err
    assert "Lưu thành (Save As)" in err and "--template mau-pl1.xlsx" in err


# --------------------------------------------------------------------------- codes


def test_priority_group_code_list() -> None:
    groups = load_code_list("priority-groups-qd3355")
    assert sorted(groups.names, key=int) == [str(i) for i in range(1, 17)]
    for typed in ("Nhóm 9", "N9", "9", 9, 9.0, "nhóm 09", "NHÓM  9", "n 9", "Nhóm ưu tiên 9",
                  "Người mắc các bệnh mạn tính; Người trên 65 tuổi", "nguoi tren 65 tuoi",
                  "9. Người trên 65 tuổi", "Nhóm 9: Người mắc các bệnh mạn tính"):
        assert groups.code_of(typed) == "9", typed
    assert (groups.code_of("16"), groups.code_of("N1"), groups.code_of("Lực lượng Công an")) == (
        "16", "1", "4")
    for unknown in ("17", "0", "Nhóm 17", "N", "abc", "", None, "9 - Lực lượng Công an",
                    "Nhóm 9a", "99"):
        assert groups.code_of(unknown) is None, unknown
    assert [pad_code(v, n) for v, n in (("1", 2), ("01", 2), ("4", 3), ("148", 5),
                                        ("00148", 5), ("1.0", 2), ("123456", 5), ("1A", 2))] == [
        "01", "01", "004", "00148", "00148", "01", "123456", "1A"]


def test_codes_written_bare_and_zero_padded(tmp_path: Path) -> None:
    groups = ["Nhóm 9", "N9", "nhóm 09", "Người trên 65 tuổi", "Nhóm 17", "", "4"]
    path = tmp_path / "nhom.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Danh sách")
    ws.write_row(0, 0, ["Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD/CMND",
                        "Nhóm ưu tiên"])
    for i, group in enumerate(groups):
        ws.write_row(i + 1, 0, [f"Nguyễn Văn {'ABCDEFG'[i]}", "12/03/1989", "Nam",
                                f"00108901234{i}", group])
    wb.close()
    settings = tmp_path / "caidat.json"  # codes typed as numbers: padded to 2, 3 and 5 digits
    settings.write_text(json.dumps({"province_code": 1, "district_code": 4, "ward_code": 148,
                                    "priority_group": "Nhóm 11"}), encoding="utf-8")
    out = tmp_path / "import.xlsx"
    outcome = export_import(path, out, settings_file=settings, today=TODAY)
    assert outcome.written == 7
    ws = openpyxl.load_workbook(out)[DATA_SHEET]
    col = {c.id: c.index + 1 for c in SPEC.columns}
    rows = range(SPEC.first_data_row, SPEC.first_data_row + 7)
    assert [ws.cell(r, col["priority_group"]).value for r in rows] == [
        "9", "9", "9", "9", None, "11", "4"]  # unknown left empty; empty: the settings default
    for r in rows:
        assert (ws.cell(r, col["province_code"]).value, ws.cell(r, col["district_code"]).value,
                ws.cell(r, col["ward_code"]).value) == ("01", "004", "00148")
    assert [(u.row, u.value) for u in outcome.unknown_codes] == [(6, "Nhóm 17")]
    assert any("1 ô không nhận ra mã" in w for w in outcome.warnings)
    report = read_import_report(outcome.report)
    assert [(u.row, u.column, u.value) for u in report.unknown_codes] == [
        (6, SPEC.column("priority_group").label, "Nhóm 17")]
    assert SHEET_UNKNOWN_CODES in openpyxl.load_workbook(outcome.report).sheetnames


# --------------------------------------------------------------------------- doses


def write_pl1_list(path: Path, people: list[dict]) -> Path:
    """A list kept in the import template's own layout (rows 7–8 headers with the groups
    "Mũi 1"/"Mũi 2" merged over their sub-headers, data from row 9), with doses."""
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("PL1_Danh sach doi tuong tiem")
    date_fmt = wb.add_format({"num_format": "dd/mm/yyyy"})
    for r, line in enumerate(PL1_NOTES):
        ws.write_string(r, 0, line)
    for letter, header in PL1_SINGLE.items():
        c = col_index(letter)
        ws.merge_range(6, c, 7, c, header)
    for (first, last), (group, subs) in PL1_GROUPS.items():
        ws.merge_range(6, col_index(first), 6, col_index(last), group)
        for i, sub in enumerate(subs):
            ws.write_string(7, col_index(first) + i, sub)
    for i, p in enumerate(people):
        r = 8 + i
        cells = {"A": i + 1, "B": p["name"], "C": p["dob"], "D": p["sex"], "E": p["group"],
                 "G": "0912345678", "H": p["id"], **p["doses"]}
        for letter, value in cells.items():
            if isinstance(value, dt.date):
                ws.write_datetime(r, col_index(letter), dt.datetime.combine(value, dt.time()),
                                  date_fmt)
            elif isinstance(value, int):
                ws.write_number(r, col_index(letter), value)
            elif value:
                ws.write_string(r, col_index(letter), value)
    wb.close()
    return path


DOSE_PEOPLE = [
    {"name": "Nguyễn Văn An", "dob": "12/03/1989", "sex": "Nam", "group": "Nhóm 9",
     "id": "001089012345",
     "doses": {"Q": "AZ", "R": dt.date(2021, 8, 15), "S": "NJ0342", "T": "01001",
               "U": "Pfizer", "V": "20/11/2021", "W": "FK8891", "X": "01001"}},
    {"name": "Trần Thị Bình", "dob": "05/07/1995", "sex": "Nữ", "group": "N13",
     "id": "038195001234",
     "doses": {"Q": "Verocell", "R": "2/10/2021", "S": "202108B2", "T": "38012"}},
    {"name": "Lê Văn Cường", "dob": "02/01/2001", "sex": "Nam", "group": "",
     "id": "035201001235", "doses": {}},
    # a dose error (no such vaccine, before the first vaccination): written as typed, counted
    {"name": "Phạm Thị Dung", "dob": "10/10/1980", "sex": "Nữ", "group": "Nhóm 9",
     "id": "001180001236",
     "doses": {"Q": "Vắc xin lạ", "R": "01/01/2020", "S": "X1", "T": "01001"}},
]


def test_doses_fill_mui_1_and_mui_2(tmp_path: Path) -> None:
    src = write_pl1_list(tmp_path / "ds-mui.xlsx", DOSE_PEOPLE)
    out = tmp_path / "import.xlsx"
    outcome = export_import(src, out, today=TODAY)
    assert outcome.written == 4
    ws = openpyxl.load_workbook(out)[DATA_SHEET]
    got = {r: [ws[f"{letter}{r}"].value for letter in "QRSTUVWX"] for r in (9, 10, 11, 12)}
    assert got[9] == ["AstraZeneca", "15/08/2021", "NJ0342", "01001",
                      "Pfizer", "20/11/2021", "FK8891", "01001"]
    assert got[10] == ["Vero Cell", "02/10/2021", "202108B2", "38012"] + [None] * 4
    assert got[11] == [None] * 8
    assert got[12] == ["Vắc xin lạ", "01/01/2020", "X1", "01001"] + [None] * 4
    assert [w for w in outcome.warnings if "lỗi ở mũi tiêm" in w][0].startswith("1 bản ghi")
    assert [ws[f"E{r}"].value for r in (9, 10, 11)] == ["9", "13", None]
    assert all(ws[f"{letter}9"].number_format == "@" for letter in "QRSTUVWX")
    assert "dose2_vaccine" in outcome.empty_columns  # person 2 had one dose, person 3 none
    assert outcome.empty_columns["dose1_vaccine"] == 1
    assert outcome.empty_columns["dose2_date"] == 3


def test_a_dose_column_takes_that_dose_or_nothing(tmp_path: Path) -> None:
    """Mũi 1 of a person whose list has only their Mũi 2 row stays empty, as does a dose
    part the list has no column for: matched by header text, the import took the booster as
    Mũi 1 and another dose's date (found by a fuzzing review)."""
    src = tmp_path / "mot-dong-mot-mui.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD", "Thôn/Xóm",
               "Mũi thứ", "Ngày tiêm", "Tên vắc xin", "Số lô", "Nơi tiêm"])
    person_a = ["Nguyễn Văn An", "12/03/1989", "Nam", "001089012345", "Thôn 1"]
    person_b = ["Trần Thị Bình", "05/07/1995", "Nữ", "038195001234", "Thôn 1"]
    ws.append([1, *person_a, "1", "15/08/2021", "AstraZeneca", "NJ0342", "01001"])
    ws.append([2, *person_a, "2", "20/11/2021", "Pfizer", "FK8891", "01001"])
    ws.append([3, *person_b, "2", "01/10/2021", "Pfizer", "FK1", "01001"])
    for row in ws.iter_rows(min_row=2):
        row[4].number_format = "@"
    wb.save(src)
    out = tmp_path / "import.xlsx"
    export_import(src, out, today=TODAY)
    data = openpyxl.load_workbook(out)[DATA_SHEET]
    got = {data[f"B{r}"].value: [data[f"{c}{r}"].value for c in "QRSTUVWX"]
           for r in range(9, data.max_row + 1) if data[f"B{r}"].value}
    assert got["Nguyễn Văn An"] == ["AstraZeneca", "15/08/2021", "NJ0342", "01001",
                                    "Pfizer", "20/11/2021", "FK8891", "01001"]
    assert got["Trần Thị Bình"] == [None] * 4 + ["Pfizer", "01/10/2021", "FK1", "01001"]
