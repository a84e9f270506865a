"""A command run on an output of the tool replaces its own columns and sheets (issue 9,
item 6): validate on an annotated copy, the police merge into a merged list, and a user's
own sheet that happens to share a name with ours. Also: "Tổng hợp" prints on A4."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import openpyxl
import pytest

from tests.conftest import NAME_OK, RESULT, edit_hamlet_file, fill_police, soffice_convert
from vaxclean_xl.commands.merge import merge_files
from vaxclean_xl.commands.police_list import police_list
from vaxclean_xl.commands.split import split_file
from vaxclean_xl.commands.validate import validate_file
from vaxclean_xl.core.presentation import DOSE_STATUS_HEADER, STATUS_HEADERS
from vaxclean_xl.formats.annotated_list import SUMMARY_SHEET
from vaxclean_xl.sample import SHEET, generate_sample

TODAY = dt.date(2024, 5, 1)


pytestmark = pytest.mark.usefixtures("module_log_dir")


def _status_block(path: Path, header_row: int) -> tuple[list[int], dict[int, tuple]]:
    """Columns (1-based) headed "Phân loại", and each row's three status values."""
    ws = openpyxl.load_workbook(path)[SHEET]
    heads = [c.column for c in ws[header_row] if c.value == STATUS_HEADERS[0]]
    first = heads[0]
    values = {r: tuple(ws.cell(r, first + k).value for k in range(3))
              for r in range(header_row + 1, ws.max_row + 1)}
    return heads, values


def _sheet_values(path: Path, name: str) -> list[tuple]:
    return list(openpyxl.load_workbook(path)[name].iter_rows(values_only=True))


def _notes(path: Path) -> dict[str, str]:
    ws = openpyxl.load_workbook(path)[SHEET]
    return {c.coordinate: c.comment.text for row in ws.iter_rows() for c in row if c.comment}


@pytest.fixture(scope="module")
def validated_twice(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    base = tmp_path_factory.mktemp("rerun-validate")
    src = base / "ds.xlsx"
    generate_sample(src, rows=80, seed=11, today=TODAY)
    first = validate_file(src, base / "a.xlsx", base / "a.json", today=TODAY)
    second = validate_file(first.output, base / "b.xlsx", base / "b.json", today=TODAY)
    return {"base": base, "first": first, "second": second}


def test_validate_on_its_own_output_rewrites_its_columns_and_sheet(validated_twice,
                                                                    tmp_path: Path) -> None:
    first, second = validated_twice["first"], validated_twice["second"]
    header_row = first.table.header_row
    heads_a, status_a = _status_block(first.output, header_row)
    heads_b, status_b = _status_block(second.output, header_row)
    assert heads_b == heads_a and len(heads_a) == 1  # one block, in the same columns
    assert status_b == status_a
    ws = openpyxl.load_workbook(second.output)[SHEET]
    assert [ws.cell(header_row, heads_b[0] + k).value for k in range(3)] == STATUS_HEADERS
    # nothing appended after the block (the sample carries doses: "Mũi tiêm" ends it)
    assert ws.cell(header_row, heads_b[0] + 3).value == DOSE_STATUS_HEADER
    assert ws.max_column == heads_b[0] + 3
    names = openpyxl.load_workbook(second.output).sheetnames
    assert names.count(SUMMARY_SHEET) == 1 and not any("(2)" in n for n in names)
    assert names == openpyxl.load_workbook(first.output).sheetnames
    assert _sheet_values(second.output, SUMMARY_SHEET) == _sheet_values(first.output,
                                                                        SUMMARY_SHEET)
    assert second.result.summary() == first.result.summary()
    notes_a, notes_b = _notes(first.output), _notes(second.output)
    assert notes_a and notes_b == notes_a  # not one note repeated under the other
    _opens_in_libreoffice(second.output, tmp_path)


def _opens_in_libreoffice(path: Path, outdir: Path) -> None:
    """The package is still valid: LibreOffice prints every sheet of it."""
    pdf = soffice_convert(path, "pdf", outdir)
    pages = re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf.read_bytes())
    assert len(pages) >= len(openpyxl.load_workbook(path).sheetnames)


@pytest.fixture(scope="module")
def police_merged(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """validate → split → a hamlet note → merge → police list → police answer → merge the
    police's list into the merged list (the README's flow, in two calls)."""
    base = tmp_path_factory.mktemp("rerun-merge")
    src = base / "ds.xlsx"
    generate_sample(src, rows=60, seed=3, today=TODAY)
    checked = validate_file(src, base / "ds.kiemtra.xlsx", today=TODAY)
    split = split_file(src, base / "chia", today=TODAY)
    file_of = {rec.row: f.path for f in split.files for rec in f.records}
    rows = sorted(file_of)[:2]
    edit_hamlet_file(file_of[rows[0]], {rows[0]: {"Ghi chú của thôn": "Đã hỏi gia đình"}})
    gop = merge_files(src, [base / "chia"], base / "gop.xlsx", today=TODAY)
    made = police_list(gop.output, base / "ca.xlsx", today=TODAY)
    fill_police(made.output, base / "ca-tra-ve.xlsx",
                {rows[0]: {RESULT: "Đúng"}, rows[1]: {RESULT: "Sai", NAME_OK: ""}})
    gop2 = merge_files(gop.output, [base / "ca-tra-ve.xlsx"], base / "gop2.xlsx", today=TODAY)
    again = validate_file(gop2.output, base / "gop2.kiemtra.xlsx", today=TODAY)
    return {"base": base, "header_row": checked.table.header_row, "gop": gop.output,
            "gop2": gop2.output, "again": again.output}


def test_police_merge_into_merged_list_has_each_sheet_once(police_merged,
                                                           tmp_path: Path) -> None:
    gop_names = openpyxl.load_workbook(police_merged["gop"]).sheetnames
    names = openpyxl.load_workbook(police_merged["gop2"]).sheetnames
    assert not any(re.search(r"\(\d+\)$", n) for n in names), names
    assert len(names) == len(set(names))
    assert names[: len(gop_names)] == gop_names  # our sheets rewritten where they were
    assert names.count(SUMMARY_SHEET) == 1
    header_row = police_merged["header_row"]
    for out in ("gop", "gop2", "again"):
        heads, _ = _status_block(police_merged[out], header_row)
        assert len(heads) == 1, out
    assert _status_block(police_merged["gop2"], header_row)[0] == _status_block(
        police_merged["gop"], header_row)[0]
    again = openpyxl.load_workbook(police_merged["again"]).sheetnames
    assert again == names  # validate on the final list: still each sheet once
    _opens_in_libreoffice(police_merged["gop2"], tmp_path)


def test_users_own_summary_sheet_survives_reruns(tmp_path: Path) -> None:
    src = tmp_path / "ds.xlsx"
    generate_sample(src, rows=30, seed=2, today=TODAY)
    wb = openpyxl.load_workbook(src)
    own = wb.create_sheet(SUMMARY_SHEET)
    own["A1"] = "Tổng hợp của trạm, tháng 4"
    wb.save(src)
    a = validate_file(src, tmp_path / "a.xlsx", today=TODAY).output
    b = validate_file(a, tmp_path / "b.xlsx", today=TODAY).output
    for out in (a, b):
        names = openpyxl.load_workbook(out).sheetnames
        assert names[-2:] == [SUMMARY_SHEET, f"{SUMMARY_SHEET} (2)"]
        assert _sheet_values(out, SUMMARY_SHEET) == [("Tổng hợp của trạm, tháng 4",)]
    assert _sheet_values(b, f"{SUMMARY_SHEET} (2)") == _sheet_values(a, f"{SUMMARY_SHEET} (2)")


def test_summary_sheet_prints_on_one_a4_page(tmp_path: Path) -> None:
    """A short list whose own sheet fits one page: the PDF has that page and one page for
    "Tổng hợp" (tables and chart together)."""
    src = tmp_path / "ds.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = SHEET
    ws.append(["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD/CMND", "Thôn/Xóm"])
    people = [("Nguyễn Văn An", "01/02/1960", "Nam", "001060012345", "Thôn 1"),
              ("Trần Thị Bình", "31/02/1970", "Nữ", "", "Thôn 2"),
              ("Lê Văn Cường", "05/06/1980", "Nam", "00108001234", "Thôn 1"),
              ("Phạm Thị Dung", "07/08/1990", "Nữ", "001190012345", "Thôn 3")]
    for i, p in enumerate(people, start=1):
        ws.append([i, *p])
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = ws.page_setup.fitToHeight = 1
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    wb.save(src)
    out = validate_file(src, tmp_path / "kq.xlsx", today=TODAY).output
    summary = openpyxl.load_workbook(out)[SUMMARY_SHEET]
    assert summary.page_setup.paperSize == 9
    assert summary.page_setup.orientation == "landscape"
    assert summary.page_setup.fitToWidth == 1 and summary.sheet_properties.pageSetUpPr.fitToPage
    copy = tmp_path / "pdf-src" / "kq.xlsx"
    copy.parent.mkdir()
    shutil.copyfile(out, copy)
    pdf = soffice_convert(copy, "pdf", tmp_path / "pdf")
    assert len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf.read_bytes())) == 2


def test_rerun_after_libreoffice_resaved_the_output(validated_twice, tmp_path: Path) -> None:
    """Staff open the annotated copy in LibreOffice and save it: our mark on "Tổng hợp" (a
    sheet-scoped defined name) survives, so the next run still replaces the sheet."""
    first = validated_twice["first"]
    resaved = soffice_convert(first.output, "xlsx", tmp_path / "lo")
    out = validate_file(resaved, tmp_path / "c.xlsx", today=TODAY).output
    names = openpyxl.load_workbook(out).sheetnames
    assert names == openpyxl.load_workbook(first.output).sheetnames
    assert _sheet_values(out, SUMMARY_SHEET) == _sheet_values(first.output, SUMMARY_SHEET)
    header_row = first.table.header_row
    assert _status_block(out, header_row) == _status_block(first.output, header_row)
