"""The synthetic sample list: layout, ground truth, and the rules measured against it.

The sample is an oracle: every record carries the codes it was built with. Reading it back
with the real reader and validating it must find those codes (precision and recall per
(row, code) pair) and the expected category. Mismatches are printed with the cells, so a
failing run says which rule or which injection is wrong.
"""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from vaxclean_xl.core.catalogue import all_rules
from vaxclean_xl.core.model import Severity, is_dose_field
from vaxclean_xl.core.validate import Validation, validate_rows
from vaxclean_xl.io.reader import Table, read_table
from vaxclean_xl.sample import (
    CONSTANT_MEMORY_ABOVE,
    DOSE_ERROR_MIX,
    DOSE_WARNING_MIX,
    ERROR_MIX,
    MAX_DOSES,
    NOTES_SHEET,
    SCHEMA,
    SHEET,
    WARNING_MIX,
    category_of,
    dose_columns,
    expected_category,
    generate_sample,
    to_tcvn3,
    to_vni,
)

TODAY = dt.date(2024, 6, 15)
ROWS = 2000
SEED = 12  # a Gia Lai commune: many Jrai names ("Ksor H'Ble") next to Kinh ones
SHOWN = ("full_name", "dob", "sex", "id_number", "phone", "hamlet")


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> tuple[Path, dict, Table, Validation]:
    path = tmp_path_factory.mktemp("sample") / "danh-sach.xlsx"
    truth_path = generate_sample(path, rows=ROWS, seed=SEED, today=TODAY)
    truth = json.loads(truth_path.read_text(encoding="utf-8"))
    table = read_table(path)
    result = validate_rows(table.rows, table.columns, name_fonts=table.name_fonts, today=TODAY)
    return path, truth, table, result


def _pairs(truth: dict, severity: str) -> set[tuple[int, str]]:
    return {(r["row"], c) for r in truth["records"] for c in r[severity]}


def _found(result: Validation, severity: Severity) -> set[tuple[int, str]]:
    return {(rec.row, f.code) for rec in result.records for f in rec.findings
            if f.severity is severity and not is_dose_field(f.field)}


def _show(table: Table, result: Validation, pairs: set[tuple[int, str]], label: str) -> None:
    cells = dict(table.rows)
    codes = {rec.row: [f.code for f in rec.findings] for rec in result.records}
    for row, code in sorted(pairs)[:60]:
        values = cells.get(row)
        shown = {f: values[table.columns[f]] for f in SHOWN if values and f in table.columns}
        print(f"{label} row {row} {code}: cells={shown!r} font={table.name_fonts.get(row)!r} "
              f"found={codes.get(row)}")


def _precision_recall(truth_pairs: set, found_pairs: set) -> tuple[float, float]:
    hit = len(truth_pairs & found_pairs)
    return hit / max(1, len(found_pairs)), hit / max(1, len(truth_pairs))


def test_truth_file_shape(sample):
    path, truth, _table, _result = sample
    assert path.with_name("danh-sach.truth.json").exists()
    assert truth["schema"] == SCHEMA
    assert (truth["seed"], truth["rows"], truth["sheet"]) == (SEED, ROWS, SHEET)
    assert (truth["header_row"], truth["first_data_row"]) == (5, 7)
    assert truth["last_data_row"] == 7 + ROWS - 1
    rows = [r["row"] for r in truth["records"]]
    assert rows == list(range(truth["first_data_row"], truth["last_data_row"] + 1))
    for rec in truth["records"]:
        assert set(rec) == {"row", "category", "errors", "warnings", "vaccination",
                            "dose_errors", "dose_warnings"}
        assert rec["category"] == expected_category(rec["errors"])
        assert len(rec["dose_errors"]) + len(rec["dose_warnings"]) <= 1
        assert rec["vaccination"] == ("ERROR" if rec["dose_errors"] else "WARNING"
                                      if rec["dose_warnings"] else rec["vaccination"])


def test_layout_is_read_like_a_real_list(sample):
    """Title block, numbering row, total and signature rows are not records."""
    _path, truth, table, _result = sample
    assert table.sheet == truth["sheet"]
    assert table.header_row == truth["header_row"]
    assert table.first_data_row == truth["first_data_row"]
    assert table.last_data_row == truth["last_data_row"]
    assert [row for row, _ in table.rows] == [r["row"] for r in truth["records"]]
    assert {"full_name", "dob", "sex", "id_number", "phone", "hamlet"} <= set(table.columns)


def test_error_codes_precision_and_recall(sample):
    _path, truth, table, result = sample
    expected, found = _pairs(truth, "errors"), _found(result, Severity.ERROR)
    precision, recall = _precision_recall(expected, found)
    _show(table, result, found - expected, "FALSE POSITIVE")
    _show(table, result, expected - found, "MISSED")
    print(f"errors: {len(expected)} expected, precision {precision:.4f}, recall {recall:.4f}")
    assert precision >= 0.99
    assert recall >= 0.99


def test_warning_codes_precision_and_recall(sample):
    _path, truth, table, result = sample
    expected, found = _pairs(truth, "warnings"), _found(result, Severity.WARNING)
    precision, recall = _precision_recall(expected, found)
    _show(table, result, found - expected, "FALSE POSITIVE (warning)")
    _show(table, result, expected - found, "MISSED (warning)")
    assert precision >= 0.99
    assert recall >= 0.99


def test_category_accuracy(sample):
    _path, truth, table, result = sample
    want = {r["row"]: r["category"] for r in truth["records"]}
    wrong = [(rec.row, want[rec.row], rec.category.value) for rec in result.records
             if want[rec.row] != rec.category.value]
    for row, expected, got in wrong[:60]:
        print(f"CATEGORY row {row}: expected {expected}, got {got}")
    accuracy = 1 - len(wrong) / len(result.records)
    assert len(result.records) == ROWS
    assert accuracy >= 0.99


def test_error_mix_covers_every_single_record_error(sample):
    _path, truth, _table, _result = sample
    errors = Counter(c for r in truth["records"] for c in r["errors"])
    warnings = Counter(c for r in truth["records"] for c in r["warnings"])
    assert set(ERROR_MIX) <= set(errors)
    assert errors["ID103"] >= 2 and warnings["REC001"] >= 2
    assert set(WARNING_MIX) <= set(warnings)
    # Exactly one injected error per record; about a quarter of the records.
    assert all(len(r["errors"]) <= 1 for r in truth["records"])
    share = sum(1 for r in truth["records"] if r["errors"]) / ROWS
    assert 0.2 <= share <= 0.32
    assert dict(sorted((errors + warnings).items())) == truth["counts"]


def test_truth_categories_agree_with_the_catalogue():
    by_code = {r.code: r for r in all_rules()}
    for code in [*ERROR_MIX, "ID103"]:
        rule = by_code[code]
        assert rule.severity is Severity.ERROR, code
        assert rule.category.value == category_of(code), code
    for code in [*WARNING_MIX, "REC001"]:
        assert by_code[code].severity is Severity.WARNING, code
    assert expected_category(["DOB001", "ID005"]) == "BAD_ID_FORMAT"
    assert expected_category(["ID102", "ID001"]) == "NO_ID"
    assert expected_category([]) == "OK"


def test_same_seed_same_files_other_seed_other_truth(tmp_path):
    a = generate_sample(tmp_path / "a" / "x.xlsx", rows=300, seed=5, today=TODAY)
    b = generate_sample(tmp_path / "b" / "x.xlsx", rows=300, seed=5, today=TODAY)
    c = generate_sample(tmp_path / "c" / "x.xlsx", rows=300, seed=6, today=TODAY)
    assert a.read_bytes() == b.read_bytes()
    assert (tmp_path / "a" / "x.xlsx").read_bytes() == (tmp_path / "b" / "x.xlsx").read_bytes()
    assert json.loads(a.read_text())["records"] != json.loads(c.read_text())["records"]


def test_user_features_are_in_the_workbook(sample):
    """What an annotator must keep: dropdown, conditional format, widths, panes, names."""
    import openpyxl

    path, truth, _table, _result = sample
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == [SHEET, NOTES_SHEET]
    ws = wb[SHEET]
    assert ws["A1"].value.startswith("SỞ Y TẾ")
    assert ws["F1"].value == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    assert ws["A2"].value.startswith("TRẠM Y TẾ XÃ")
    assert ws["A3"].value == "DANH SÁCH ĐỐI TƯỢNG TIÊM CHỦNG COVID-19 CẦN LÀM SẠCH DỮ LIỆU"
    assert "A3:K3" in {str(r) for r in ws.merged_cells.ranges}
    # the header on two rows like the import template's: identity cells merged down,
    # "Tên vắc xin" before each group "Mũi N" over its three sub-columns
    assert [c.value for c in ws[4]][:3] == ["STT", "Họ và tên", "Ngày sinh"]
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"A4:A5", "B4:B5", "K4:K5", "L4:L5", "M4:O4", "P4:P5", "Q4:S4", "Y4:AA4"} <= merged
    assert [ws.cell(4, c).value for c in (12, 13, 16, 17, 20, 21, 24, 25)] == [
        "Tên vắc xin", "Mũi 1", "Tên vắc xin", "Mũi 2", "Tên vắc xin", "Mũi 3 (nhắc lại)",
        "Tên vắc xin", "Mũi 4 (nhắc lại lần 2)"]
    assert [ws.cell(5, c).value for c in (13, 14, 15)] == [
        "Ngày tiêm", "Lô vắc xin", "Địa điểm tiêm"]
    assert [c.value for c in ws[6]][:3] == ["(1)", "(2)", "(3)"]
    assert ws.cell(6, 27).value == "(27)"
    last = truth["last_data_row"]
    assert ws.cell(last + 1, 1).value.startswith("Tổng cộng")
    assert ws.cell(last + 4, 2).value == "NGƯỜI LẬP BIỂU"
    assert ws.cell(last + 5, 2).value == "(Ký, ghi rõ họ tên)"
    assert ws.cell(last + 9, 2).value  # the signer's name
    assert ws.freeze_panes == "C7"
    assert ws.column_dimensions["B"].width > 20
    dvs = ws.data_validations.dataValidation
    assert any(dv.type == "list" and dv.formula1 == '"Nam,Nữ"'
               and str(dv.sqref) == f"D7:D{last}" for dv in dvs)
    assert list(ws.conditional_formatting)
    assert "DanhSachTiem" in wb.defined_names
    # ID and phone cells are text ('@') except where the error is a number cell.
    by_row = {r["row"]: r for r in truth["records"]}
    for row in range(7, 60):
        cell = ws.cell(row, 5)
        if by_row[row]["errors"] == ["ID005"]:
            assert isinstance(cell.value, int) and cell.number_format != "@"
        elif isinstance(cell.value, str):
            assert cell.number_format == "@"


def test_legacy_fonts_on_legacy_names(sample):
    path, truth, table, _result = sample
    fonts = {r["row"]: table.name_fonts.get(r["row"]) for r in truth["records"]
             if r["errors"] in (["NAME004"], ["NAME005"])}
    assert fonts
    for rec in truth["records"]:
        if rec["errors"] == ["NAME004"]:
            assert fonts[rec["row"]] == ".VnTime"
        elif rec["errors"] == ["NAME005"]:
            assert fonts[rec["row"]] == "VNI-Times"


def test_legacy_encoders_match_the_published_examples():
    assert to_tcvn3("Nguyễn Văn Hương") == "NguyÔn V¨n H\u00ad¬ng"
    assert to_tcvn3("Đặng Thị Lý") == "§Æng ThÞ Lý"
    assert to_tcvn3("Ánh") is None  # VN3 has no toned capitals
    assert to_vni("Nguyễn Văn") == "Nguyeãn Vaên"
    assert to_vni("Trường Đặng Thị Mỹ") == "Tröôøng Ñaëng Thò Myõ"


def test_bad_arguments(tmp_path):
    with pytest.raises(ValueError):
        generate_sample(tmp_path / "x.xlsx", rows=0)
    with pytest.raises(ValueError):
        generate_sample(tmp_path / "x.xlsx", error_rate=1.5)
    with pytest.raises(ValueError):
        generate_sample(tmp_path / "x.xls")


def test_no_errors_when_error_rate_is_zero(tmp_path):
    truth_path = generate_sample(tmp_path / "ok.xlsx", rows=400, seed=3, today=TODAY,
                                 error_rate=0.0)
    truth = json.loads(truth_path.read_text())
    assert all(not r["errors"] and r["category"] == "OK" for r in truth["records"])
    table = read_table(tmp_path / "ok.xlsx")
    result = validate_rows(table.rows, table.columns, name_fonts=table.name_fonts, today=TODAY)
    assert not result.has_errors


@pytest.mark.slow
def test_constant_memory_list(tmp_path):
    """Above 50,000 rows the list is written row by row (constant_memory)."""
    rows = CONSTANT_MEMORY_ABOVE + 1000
    path = tmp_path / "big.xlsx"
    truth = json.loads(generate_sample(path, rows=rows, seed=9, today=TODAY).read_text())
    with zipfile.ZipFile(path) as zf:
        assert "xl/sharedStrings.xml" not in zf.namelist()  # inline strings: constant_memory
    table = read_table(path)
    assert (table.first_data_row, table.last_data_row) == (7, 6 + rows)
    assert len(table.rows) == rows
    result = validate_rows(table.rows, table.columns, name_fonts=table.name_fonts, today=TODAY)
    expected, found = _pairs(truth, "errors"), _found(result, Severity.ERROR)
    precision, recall = _precision_recall(expected, found)
    _show(table, result, found - expected, "FALSE POSITIVE")
    _show(table, result, expected - found, "MISSED")
    assert precision >= 0.99 and recall >= 0.99


# --- vaccination histories -------------------------------------------------------------------

def test_doses_leave_the_identity_content_and_truth_unchanged(tmp_path):
    """The same seed gives the same people, identity cells and truth with or without the dose
    columns; without them the list is the identity-only layout (subtitle, one header row)."""
    with_doses = generate_sample(tmp_path / "a" / "x.xlsx", rows=300, seed=5, today=TODAY)
    without = generate_sample(tmp_path / "b" / "x.xlsx", rows=300, seed=5, today=TODAY,
                              doses=False)
    ta, tb = json.loads(with_doses.read_text()), json.loads(without.read_text())
    identity = ("row", "category", "errors", "warnings")
    assert [{k: r[k] for k in identity} for r in ta["records"]] == tb["records"]
    assert ta["counts"] == tb["counts"] and "dose_counts" not in tb
    a, b = read_table(tmp_path / "a" / "x.xlsx"), read_table(tmp_path / "b" / "x.xlsx")
    assert (a.header_row, a.first_data_row, a.last_data_row, a.columns) == (
        b.header_row, b.first_data_row, b.last_data_row, b.columns)
    width = len(b.rows[0][1])
    assert [(r, v[:width]) for r, v in a.rows] == b.rows
    assert b.dose_layout is None or not b.dose_layout
    assert a.dose_layout.wide == {n: dose_columns(n) for n in range(1, MAX_DOSES + 1)}


def test_histories_follow_the_schedules(sample):
    """Two to four doses per person (none only for the few born too late), in date order,
    in the platform's spellings, between the first vaccination in Vietnam and today."""
    _path, truth, table, _result = sample
    by_row = {r["row"]: r for r in truth["records"]}
    result = validate_rows(table.rows, table.columns, name_fonts=table.name_fonts, today=TODAY,
                           dose_layout=table.dose_layout, person_rows=table.person_rows)
    clean = [rec for rec in result.records  # the histories with no injected problem
             if by_row[rec.row]["vaccination"] in ("OK", "NONE")]
    assert len(clean) >= 0.85 * ROWS
    counts = Counter(len(rec.doses) for rec in clean)
    assert set(counts) <= {0, 2, 3, 4} and counts[2] and counts[3] and counts[4]
    assert counts[0] <= ROWS // 50
    spellings = Counter()
    for rec in clean:
        if not rec.doses:
            assert by_row[rec.row]["errors"] == ["DOB004"]  # born after today: no dose
            continue
        dates = [d.date for d in rec.doses]
        assert all(dates) and dates == sorted(dates)
        assert dt.date(2021, 3, 8) <= dates[0] and dates[-1] < TODAY
        assert [d.number for d in rec.doses] == list(range(1, len(rec.doses) + 1))
        spellings.update(d.vaccine for d in rec.doses)
    assert {"AstraZeneca", "Pfizer", "Moderna", "Vero Cell"} <= set(spellings)
    assert set(spellings) <= {"AstraZeneca", "Pfizer", "Moderna", "Vero Cell", "Sputnik V",
                              "Hayat-Vax", "Abdala"}


def test_dose_codes_precision_and_recall(sample):
    """The injected dose problems are exactly what the DOSE rules find (one per history
    that has one; the clean histories draw nothing), and the records' vaccination status."""
    _path, truth, table, _result = sample
    result = validate_rows(table.rows, table.columns, name_fonts=table.name_fonts, today=TODAY,
                           dose_layout=table.dose_layout, person_rows=table.person_rows)
    found = {(rec.row, f.code) for rec in result.records for f in rec.findings
             if is_dose_field(f.field)}
    expected = {(r["row"], c) for r in truth["records"]
                for c in r["dose_errors"] + r["dose_warnings"]}
    _show(table, result, found - expected, "FALSE POSITIVE (dose)")
    _show(table, result, expected - found, "MISSED (dose)")
    assert found == expected
    want = {r["row"]: r["vaccination"] for r in truth["records"]}
    assert {rec.row: rec.vaccination for rec in result.records} == want
    # the identity verdicts are those of the list read without its doses
    assert [(r.row, r.category) for r in result.records] == [
        (r.row, r.category) for r in _result.records]
    codes = Counter(c for _row, c in expected)
    assert set(codes) == set(DOSE_ERROR_MIX) | set(DOSE_WARNING_MIX)
    assert dict(sorted(codes.items())) == truth["dose_counts"]
    assert 0.05 <= len(expected) / ROWS <= 0.15
    by_code = {r.code: r for r in all_rules()}
    for code in DOSE_ERROR_MIX:
        assert by_code[code].severity is Severity.ERROR, code
    for code in DOSE_WARNING_MIX:
        assert by_code[code].severity is Severity.WARNING, code


def test_no_dose_problems_when_error_rate_is_zero(tmp_path):
    truth_path = generate_sample(tmp_path / "ok.xlsx", rows=300, seed=4, today=TODAY,
                                 error_rate=0.0)
    truth = json.loads(truth_path.read_text())
    assert all(r["vaccination"] in ("OK", "NONE") for r in truth["records"])
    table = read_table(tmp_path / "ok.xlsx")
    result = validate_rows(table.rows, table.columns, today=TODAY,
                           dose_layout=table.dose_layout, person_rows=table.person_rows)
    assert not [f for rec in result.records for f in rec.findings if is_dose_field(f.field)]
    assert {rec.vaccination for rec in result.records} <= {"OK", "NONE"}
