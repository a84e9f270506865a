"""`vaxclean edit-list`: the worklist of records to fix by hand on the national platform."""

from __future__ import annotations

import argparse
import datetime as _dt
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from openpyxl.styles import Font

from tests.conftest import generated_sample, soffice_convert, soffice_or_skip
from vaxclean_xl.cli.edit_list import add_edit_parser
from vaxclean_xl.commands import edit_list as E
from vaxclean_xl.commands.merge import merge_files
from vaxclean_xl.commands.split import split_file
from vaxclean_xl.commands.validate import validate_file
from vaxclean_xl.core.collate import hamlet_order
from vaxclean_xl.core.legacy_text import legacy_to_unicode
from vaxclean_xl.core.normalize import parse_date, parse_sex
from vaxclean_xl.formats import worklist as W
from vaxclean_xl.formats.hamlet_file import layout as HL
from vaxclean_xl.sample import (
    C_DOB,
    C_HAMLET,
    C_ID,
    C_NAME,
    C_SEX,
    FIRST_DATA_ROW,
    SHEET,
)
from vaxclean_xl.settings import Settings

TODAY = _dt.date(2024, 5, 1)
SETTINGS = Settings(commune="Xuân Lập", station="Trạm Y tế xã Xuân Lập",
                    station_head="Trần Thị Trưởng", preparer="Ngô Văn Lập")
FIRST = W.FIRST_ROW
L = openpyxl.utils.get_column_letter


def col(c: int) -> str:
    return L(c + 1)


NAME_NOW, NAME_NEW = col(W.PAIR_COL["full_name"]), col(W.PAIR_COL["full_name"] + 1)
DOB_NOW, DOB_NEW = col(W.PAIR_COL["dob"]), col(W.PAIR_COL["dob"] + 1)
SEX_NOW, SEX_NEW = col(W.PAIR_COL["sex"]), col(W.PAIR_COL["sex"] + 1)
ID_NOW, ID_NEW = col(W.PAIR_COL["id_number"]), col(W.PAIR_COL["id_number"] + 1)
DONE = col(W.DONE_COL)


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    return generated_sample(tmp_path_factory.mktemp("edit") / "goc.xlsx", rows=150, seed=3,
                            today=TODAY)


def first_with(truth: dict, errors: list[str]) -> int:
    return next(r["row"] for r in truth["records"] if r["errors"] == errors)


def listed(ws) -> dict[int, int]:
    """Source row -> worklist row."""
    out = {}
    r = FIRST
    while isinstance(ws[f"B{r}"].value, int):
        out[ws[f"B{r}"].value] = r
        r += 1
    return out


def fill(cell) -> str:
    return cell.fill.fgColor.rgb[-6:] if cell.fill.fill_type else ""


# --- without a baseline: the list itself and the certain fixes --------------------------------

@pytest.fixture(scope="module")
def plain(sample, tmp_path_factory):
    out = tmp_path_factory.mktemp("edit-out") / "sua-tay.xlsx"
    return E.edit_list(sample[0], out, today=TODAY, settings=SETTINGS)


def test_structure_headers_and_print_setup(plain):
    wb = openpyxl.load_workbook(plain.output)
    # the sample carries histories, some with dose errors: their sheet comes second
    assert wb.sheetnames == [W.SHEET, W.DOSE_SHEET] and plain.doses
    ws = wb[W.SHEET]
    merged = {str(m) for m in ws.merged_cells.ranges}
    assert ws["A1"].value == "TRẠM Y TẾ XÃ XUÂN LẬP"
    assert ws["J1"].value == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    assert ws["J3"].value == "Xuân Lập, ngày 01 tháng 5 năm 2024"
    assert ws["A4"].value == W.TITLE and "A4:N4" in merged and ws["A4"].font.b
    top, sub = W.HEADER_TOP_ROW, W.HEADER_ROW
    for c, text in {"A": "STT", "B": "Dòng", "C": "Thôn/Xóm", "L": "Nội dung sai",
                    "M": "Lưu ý", "N": "Đã sửa trên nền tảng"}.items():
        assert ws[f"{c}{top}"].value == text and f"{c}{top}:{c}{sub}" in merged
        assert ws[f"{c}{top}"].font.b
    for (now, new), label in zip(((NAME_NOW, NAME_NEW), (DOB_NOW, DOB_NEW),
                                  (SEX_NOW, SEX_NEW), (ID_NOW, ID_NEW)),
                                 ("Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD/CMND"),
                                 strict=True):
        assert ws[f"{now}{top}"].value == label and f"{now}{top}:{new}{top}" in merged
        assert (ws[f"{now}{sub}"].value, ws[f"{new}{sub}"].value) == ("Trên nền tảng",
                                                                      "Sửa thành")
        assert ws[f"{now}{sub}"].font.b and ws[f"{new}{sub}"].font.b
    # print: A4 landscape, one page wide, headers on every page, page numbers
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9
    assert ws.sheet_properties.pageSetUpPr.fitToPage and int(ws.page_setup.fitToHeight) == 0
    assert ws.print_title_rows == f"${top}:${sub}"
    assert ws.oddFooter.center.text == "Trang &P/&N"
    assert ws.auto_filter.ref == f"A{sub}:N{FIRST + plain.count - 1}"
    assert ws.freeze_panes == f"D{FIRST}"
    values = {c.value for row in ws.iter_rows() for c in row}
    assert {"NGƯỜI LẬP BIỂU", "Ngô Văn Lập", "Trần Thị Trưởng",
            "(Ký, ghi rõ họ tên, đóng dấu)"} <= values


def test_records_are_the_bad_personal_info_ones_by_hamlet(plain, sample):
    truth = sample[1]
    ws = openpyxl.load_workbook(plain.output)[W.SHEET]
    rows = listed(ws)
    expected = {r["row"] for r in truth["records"] if r["category"] == "BAD_PERSONAL_INFO"}
    assert set(rows) == expected and plain.count == len(expected)
    order = [ws[f"C{r}"].value for r in sorted(rows.values())]
    assert order == sorted(order, key=hamlet_order)
    assert [ws[f"A{r}"].value for r in sorted(rows.values())] == list(range(1, len(rows) + 1))
    for r in rows.values():
        for c in (DOB_NOW, DOB_NEW, ID_NOW, ID_NEW):
            assert ws[f"{c}{r}"].number_format == "@"
        assert ws[f"{DONE}{r}"].value == "Chưa"


def test_certain_fix_highlighted_unknown_value_red(plain, sample):
    truth = sample[1]
    ws = openpyxl.load_workbook(plain.output)[W.SHEET]
    rows = listed(ws)
    tcvn3 = rows[first_with(truth, ["NAME004"])]
    assert ws[f"{NAME_NOW}{tcvn3}"].value != ws[f"{NAME_NEW}{tcvn3}"].value
    assert fill(ws[f"{NAME_NOW}{tcvn3}"]) == "FCE4D6"
    assert fill(ws[f"{NAME_NEW}{tcvn3}"]) == "C6EFCE" and ws[f"{NAME_NEW}{tcvn3}"].font.b
    # unchanged fields: same value, no highlight
    assert ws[f"{ID_NOW}{tcvn3}"].value == ws[f"{ID_NEW}{tcvn3}"].value
    assert fill(ws[f"{ID_NEW}{tcvn3}"]) == ""
    assert "TCVN3" in ws[f"L{tcvn3}"].value
    # the CCCD's sex digit disagrees with the sex cell: which one is wrong is unknown
    sex_digit = rows[first_with(truth, ["ID101"])]
    for c in (SEX_NEW, ID_NEW):
        assert ws[f"{c}{sex_digit}"].value is None and fill(ws[f"{c}{sex_digit}"]) == "FFC7CE"
    assert ws[f"M{sex_digit}"].value == "Chờ xác minh: Giới tính, Số CCCD/CMND."
    year_only = rows[first_with(truth, ["DOB003"])]
    assert ws[f"{DOB_NEW}{year_only}"].value is None
    assert plain.changed_cells == sum(1 for r in rows.values()
                                      if fill(ws[f"{NAME_NEW}{r}"]) == "C6EFCE"
                                      or fill(ws[f"{DOB_NEW}{r}"]) == "C6EFCE"
                                      or fill(ws[f"{SEX_NEW}{r}"]) == "C6EFCE"
                                      or fill(ws[f"{ID_NEW}{r}"]) == "C6EFCE")


def test_progress_column_and_counter(plain):
    ws = openpyxl.load_workbook(plain.output)[W.SHEET]
    last = FIRST + plain.count - 1
    dv = next(d for d in ws.data_validations.dataValidation if d.formula1 == '"Có,Chưa"')
    assert str(dv.sqref) == f"{DONE}{FIRST}:{DONE}{last}"
    rng = f"${DONE}${FIRST}:${DONE}${last}"
    counter = ws[f"A{W.COUNTER_ROW}"]
    assert counter.value == f'="Đã sửa: "&COUNTIF({rng},"Có")&"/"&COUNTA({rng})'
    assert counter.font.b
    rules = [r.formula[0] for cf in ws.conditional_formatting for r in cf.rules]
    assert f'${DONE}{FIRST}="Có"' in rules


def test_counter_recalculated_by_libreoffice(plain, tmp_path):
    soffice_or_skip()
    wb = openpyxl.load_workbook(plain.output)
    ws = wb[W.SHEET]
    ws[f"{DONE}{FIRST}"] = "Có"
    ws[f"{DONE}{FIRST + 2}"] = "Có"
    ticked = tmp_path / "da-tick.xlsx"
    wb.save(ticked)
    calc = soffice_convert(ticked, "xlsx", tmp_path / "lo", recalc=True)
    value = openpyxl.load_workbook(calc, data_only=True)[W.SHEET][f"A{W.COUNTER_ROW}"].value
    assert value == f"Đã sửa: 2/{plain.count}"


# --- with the platform's original list as baseline -------------------------------------------

@pytest.fixture(scope="module")
def cleaned(sample, tmp_path_factory):
    """INPUT: the original list after hamlets and police corrected some records."""
    src, truth = sample
    d = tmp_path_factory.mktemp("edit-base")
    wb = openpyxl.load_workbook(src)
    ws = wb[SHEET]

    def cell(row: int, c: int):
        return ws.cell(row, c + 1)

    rows = {
        "dob_fixed": first_with(truth, ["DOB003"]),
        "name_fixed": first_with(truth, ["NAME004"]),
        "still_bad": first_with(truth, ["SEX002"]),
        "other_person": first_with(truth, ["NAME003"]),
        "no_id": first_with(truth, ["ID001"]),
        "ok_changed": FIRST_DATA_ROW,
        "ok_same": FIRST_DATA_ROW + 1,
    }
    assert all(truth["records"][r - FIRST_DATA_ROW]["category"] == "OK"
               for r in (rows["ok_changed"], rows["ok_same"]))
    year = str(cell(rows["dob_fixed"], C_DOB).value).strip()
    cell(rows["dob_fixed"], C_DOB).value = f"12/03/{year}"
    fixed = cell(rows["name_fixed"], C_NAME)
    fixed.value = legacy_to_unicode(fixed.value, "TCVN3")
    fixed.font = Font(name="Times New Roman", size=12)
    cell(rows["other_person"], C_NAME).value = "Lê Thị Mới"
    cell(rows["other_person"], C_DOB).value = "02/02/1985"
    cell(rows["other_person"], C_SEX).value = "Nữ"
    cell(rows["other_person"], C_ID).value = "038185999999"
    cell(rows["no_id"], C_ID).value = "038185999998"
    old = cell(rows["ok_changed"], C_NAME).value
    cell(rows["ok_changed"], C_NAME).value = old + " Anh"
    out = d / "da-lam-sach.xlsx"
    wb.save(out)
    hamlets = {k: cell(r, C_HAMLET).value for k, r in rows.items()}
    return out, rows, hamlets


def test_baseline_current_from_original_corrected_from_input(sample, cleaned, tmp_path):
    src, truth = sample
    fixed_list, rows, _hamlets = cleaned
    outcome = E.edit_list(fixed_list, tmp_path / "w.xlsx", baseline=src, today=TODAY,
                          settings=SETTINGS)
    ws = openpyxl.load_workbook(outcome.output)[W.SHEET]
    got = listed(ws)
    expected = {r["row"] for r in truth["records"] if r["category"] == "BAD_PERSONAL_INFO"}
    assert set(got) == expected | {rows["ok_changed"]}
    assert rows["no_id"] not in got and rows["ok_same"] not in got

    r = got[rows["dob_fixed"]]
    assert ws[f"{DOB_NEW}{r}"].value.startswith("12/03/")
    assert ws[f"{DOB_NOW}{r}"].value == ws[f"{DOB_NEW}{r}"].value[-4:]
    assert fill(ws[f"{DOB_NEW}{r}"]) == "C6EFCE" and fill(ws[f"{DOB_NOW}{r}"]) == "FCE4D6"
    assert ws[f"M{r}"].value is None or ws[f"M{r}"].value == ""
    assert "chỉ có năm" in ws[f"L{r}"].value  # what was wrong on the platform

    r = got[rows["name_fixed"]]
    assert fill(ws[f"{NAME_NEW}{r}"]) == "C6EFCE" and ws[f"{NAME_NEW}{r}"].font.b

    r = got[rows["ok_changed"]]
    assert ws[f"{NAME_NEW}{r}"].value == ws[f"{NAME_NOW}{r}"].value + " Anh"
    assert ws[f"L{r}"].value == "Đã sửa theo rà soát của thôn/công an."

    r = got[rows["still_bad"]]
    assert fill(ws[f"{SEX_NEW}{r}"]) == "FFC7CE"
    assert ws[f"M{r}"].value.startswith("Giá trị mới còn lỗi: ")

    r = got[rows["other_person"]]
    assert "cùng một người" in ws[f"M{r}"].value
    assert outcome.mismatched == 1 and outcome.still_wrong >= 1
    assert ws[f"{ID_NEW}{r}"].value == "038185999999"


def test_cli(sample, cleaned, tmp_path, capsys):
    parser = argparse.ArgumentParser(prog="vaxclean")
    add_edit_parser(parser.add_subparsers(dest="command", required=True))
    out = tmp_path / "w.xlsx"
    args = parser.parse_args(["edit-list", str(cleaned[0]), "-o", str(out), "--baseline",
                              str(sample[0])])
    assert args.func(args) == 0
    text = capsys.readouterr().out
    assert "Đã lập danh sách sửa trực tiếp trên nền tảng:" in text
    assert "khác hẳn danh sách gốc" in text and str(out) in text
    assert out.exists()


# --- without a baseline: the merged list's own change log ------------------------------------

def _fill_returned(split, fixes: dict[int, dict[str, object]]) -> None:
    """Type corrections into the hamlet files as a hamlet worker would (openpyxl)."""
    for hf in split.files:
        wanted = {rec.row for rec in hf.records} & set(fixes)
        if not wanted:
            continue
        wb = openpyxl.load_workbook(hf.path)
        ws = wb[HL.DATA_SHEET]
        cols = {ws.cell(HL.HEADER_ROW, c).value: c for c in range(1, ws.max_column + 1)}
        for r in range(HL.FIRST_ROW, ws.max_row + 1):
            key = HL.parse_key(ws.cell(r, cols[HL.KEY_HEADER]).value)
            if key and key[1] in wanted:
                for f, value in fixes[key[1]].items():
                    ws.cell(r, cols[HL.CORR_HEADERS[f]], value)
        wb.save(hf.path)


@pytest.fixture(scope="module")
def merged_flow(sample, tmp_path_factory):
    """The README's flow on real files: validate → split → corrections typed into the
    returned hamlet files → merge. Returns (original, merged, rows by role, old values)."""
    src, truth = sample
    d = tmp_path_factory.mktemp("edit-log")
    original = d / "goc.xlsx"
    original.write_bytes(src.read_bytes())
    validate_file(original, d / "goc.kiemtra.xlsx", d / "goc.json", today=TODAY)
    split = split_file(original, d / "gui-thon", all_records=True, today=TODAY)
    ws = openpyxl.load_workbook(original)[SHEET]
    rows = {"dob_fixed": first_with(truth, ["DOB003"]),
            "name_fixed": first_with(truth, ["NAME004"]),
            "no_id": first_with(truth, ["ID001"]),
            "ok_changed": FIRST_DATA_ROW}
    old = {k: {"dob": ws.cell(r, C_DOB + 1).value, "name": ws.cell(r, C_NAME + 1).value}
           for k, r in rows.items()}
    dob, _ = parse_date(ws.cell(rows["no_id"], C_DOB + 1).value)
    male = parse_sex(ws.cell(rows["no_id"], C_SEX + 1).value) == "M"
    digit = (0 if male else 1) + (2 if dob.year >= 2000 else 0)
    _fill_returned(split, {
        rows["dob_fixed"]: {"dob": f"12/03/{str(old['dob_fixed']['dob']).strip()}"},
        rows["name_fixed"]: {"full_name": legacy_to_unicode(old["name_fixed"]["name"], "TCVN3")},
        rows["no_id"]: {"id_number": f"001{digit}{dob.year % 100:02d}999998"},
        rows["ok_changed"]: {"full_name": old["ok_changed"]["name"] + " Anh"},
    })
    merged = d / "goc.gop.xlsx"
    merge_files(original, [d / "gui-thon"], merged, d / "gop.json", today=TODAY)
    return original, merged, rows, old


def test_without_baseline_the_change_log_gives_the_platform_values(merged_flow, sample,
                                                                   tmp_path):
    original, merged, rows, old = merged_flow
    truth = sample[1]
    log = E.edit_list(merged, tmp_path / "log.xlsx", today=TODAY, settings=SETTINGS)
    ws = openpyxl.load_workbook(log.output)[W.SHEET]
    got = listed(ws)
    # the records the hamlets fixed are there, with what the platform still holds
    bad_before = {r["row"] for r in truth["records"] if r["category"] == "BAD_PERSONAL_INFO"}
    assert set(got) == bad_before | {rows["ok_changed"]}
    assert log.basis == W.BASIS_LOG and log.warnings == [] and log.logged == 4
    assert rows["no_id"] not in got  # imported, not edited by hand

    r = got[rows["dob_fixed"]]
    year = str(old["dob_fixed"]["dob"]).strip()
    assert (ws[f"{DOB_NOW}{r}"].value, ws[f"{DOB_NEW}{r}"].value) == (year, f"12/03/{year}")
    assert fill(ws[f"{DOB_NOW}{r}"]) == "FCE4D6" and fill(ws[f"{DOB_NEW}{r}"]) == "C6EFCE"
    assert "chỉ có năm" in ws[f"L{r}"].value  # what is wrong on the platform

    r = got[rows["name_fixed"]]
    assert ws[f"{NAME_NOW}{r}"].value == old["name_fixed"]["name"]  # the TCVN3 text
    assert ws[f"{NAME_NEW}{r}"].value == legacy_to_unicode(old["name_fixed"]["name"], "TCVN3")
    assert fill(ws[f"{NAME_NEW}{r}"]) == "C6EFCE"

    r = got[rows["ok_changed"]]
    assert ws[f"{NAME_NOW}{r}"].value == old["ok_changed"]["name"]
    assert ws[f"{NAME_NEW}{r}"].value == old["ok_changed"]["name"] + " Anh"
    assert ws[f"L{r}"].value == "Đã sửa theo rà soát của thôn/công an."

    # a record nobody fixed keeps its certain fix (VNI name -> Unicode), as without a log
    vni = got[first_with(truth, ["NAME005"])]
    assert ws[f"{NAME_NOW}{vni}"].value != ws[f"{NAME_NEW}{vni}"].value
    assert fill(ws[f"{NAME_NEW}{vni}"]) == "C6EFCE"
    assert "danh sách gốc" not in ws["A5"].value and "Nhật ký thay đổi" in ws["A5"].value

    # the same records and values as with the platform's original list as baseline
    base = E.edit_list(merged, tmp_path / "base.xlsx", baseline=original, today=TODAY,
                       settings=SETTINGS)
    assert [r.source_row for r in log.rows] == [r.source_row for r in base.rows]
    by_row = {r.source_row: r for r in base.rows}
    fixed = [x for x in log.rows if x.corrected_since]
    assert {x.source_row for x in fixed} == {rows["dob_fixed"], rows["name_fixed"],
                                             rows["ok_changed"]}
    for mine in fixed:  # (the others get certain fixes instead of the same values again)
        theirs = by_row[mine.source_row]
        assert (mine.current, mine.corrected) == (theirs.current, theirs.corrected)


def edit_cli(args: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="vaxclean")
    add_edit_parser(parser.add_subparsers(dest="command", required=True))
    ns = parser.parse_args(["edit-list", *args])
    return ns.func(ns)


def test_cli_reads_the_log_and_warns_only_without_one(merged_flow, tmp_path, capsys):
    original, merged, _rows, _old = merged_flow
    assert edit_cli([str(merged), "-o", str(tmp_path / "a.xlsx")]) == 0
    out, err = capsys.readouterr()
    assert "Giá trị trên nền tảng lấy từ trang «Nhật ký thay đổi»: 4 bản ghi" in out
    assert err == ""
    # a list merge never wrote: what is missing is said, in Vietnamese, on stderr; exit 0
    assert edit_cli([str(original), "-o", str(tmp_path / "b.xlsx")]) == 0
    out, err = capsys.readouterr()
    assert err == f"Lưu ý: {E.NO_BASIS_WARNING}\n"
    assert "Không có --original" in err and "KHÔNG có trong danh sách" in err
    assert (tmp_path / "b.xlsx").exists()


def test_later_log_sheets_do_not_hide_the_platform_value(tmp_path):
    """A second merge of the merged list adds "Nhật ký thay đổi (2)": the value the platform
    holds is the old value of the FIRST logged change of a cell."""
    path = tmp_path / "two-logs.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    wb.add_worksheet("Danh sách").write_row(0, 0, ["Họ và tên"])
    head = ["Tệp", "Thôn/xóm", "Dòng", "Trường", "Giá trị cũ", "Giá trị mới", "Cách khớp"]
    later = wb.add_worksheet("Nhật ký thay đổi (2)")  # written first, read second
    later.write_row(0, 0, head)
    later.write_row(1, 0, ["cong-an.xlsx", "Công an xã", 9, "Ngày sinh", "12/03/1950",
                           "13/03/1950", "theo mã bản ghi"])
    later.write_row(2, 0, ["cong-an.xlsx", "Công an xã", 10, "Giới tính", "Nam", "Nữ",
                           "theo mã bản ghi"])
    first = wb.add_worksheet("Nhật ký thay đổi")
    first.write_row(0, 0, head)
    first.write_row(1, 0, ["Xom-1.xlsx", "Xóm 1", 9, "Ngày sinh", "1950", "12/03/1950",
                           "theo mã bản ghi"])
    first.write_row(2, 0, ["Xom-1.xlsx", "Xóm 1", 11, "Số điện thoại", "09", "0912345678",
                           "theo mã bản ghi"])
    wb.close()
    assert E.logged_originals(path) == {9: {"dob": "1950"}, 10: {"sex": "Nam"}}
    assert E.logged_originals(original_without_log(tmp_path)) is None


def original_without_log(tmp_path: Path) -> Path:
    path = tmp_path / "plain.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    wb.add_worksheet("Danh sách").write_row(0, 0, ["Họ và tên"])
    wb.close()
    return path
