"""`vaxclean split`: one self-checking, protected, printable workbook per hamlet."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from tests.conftest import soffice_convert
from vaxclean_xl.cli import main
from vaxclean_xl.formats.hamlet_file import layout as L
from vaxclean_xl.formats.hamlet_file.writer import CORR_COL, NOTE_COL, ORIG_COL, STATUS_COL

ROWS = [
    ["Nguyễn Văn An", "01/05/1990", "Nam", "001090123456", "Xóm 1"],
    ["Tèo", "1985", "x", "Không có", "xóm 1"],
    ["Lê Thị Bình", "01/01/1991", "Nữ", 40191123456, "XÓM  1"],
    ["Phạm Văn Cường", "03/03/1980", "Nam", "001080123456", "Xóm Đông"],
    ["Đỗ Văn Dũng", "31/02/1980", "Nam", "001080123457", "Xóm Động"],
    ["Vũ Thị Em", "03/03/1980", "Nam", "001180123456", ""],
]


def make_list(path: Path) -> Path:
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("Danh sách")
    ws.write_row(0, 0, ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD", "Thôn/Xóm"])
    for i, row in enumerate(ROWS, start=1):
        ws.write_number(i, 0, i)
        ws.write_row(i, 1, row)
    settings = wb.add_worksheet("Cài đặt")
    settings.write_column(0, 0, ["Trạm Y tế", "Xã/Phường", "Hạn gửi lại",
                                 "Gửi lại cho (tên, điện thoại)"])
    settings.write_column(0, 1, ["Trạm Y tế xã An Bình", "An Bình", "30/11/2026",
                                 "Chị Lan 0912345678"])
    wb.close()
    return path


def test_split_files_names_rows_and_manifest(tmp_path, capsys):
    src = make_list(tmp_path / "ds.xlsx")
    out = tmp_path / "thon"
    assert main(["split", str(src), "-d", str(out)]) == 0
    names = sorted(p.name for p in out.iterdir())
    # default: only records with an error; 'Xóm 1', 'xóm 1', 'XÓM  1' are one hamlet,
    # 'Xóm Đông' and 'Xóm Động' are two (accents are not folded away)
    assert names == ["Chua-ro-thon.xlsx", "Xom-1.xlsx", "Xom-Dong.xlsx", "manifest.json"]
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    assert manifest["schema"] == "vaxclean.split/1"
    assert manifest["source"]["sha256"] == L.sha256_file(src)
    by_file = {h["file"]: h for h in manifest["hamlets"]}
    assert [r["row"] for r in by_file["Xom-1.xlsx"]["records"]] == [3, 4]
    assert [r["row"] for r in by_file["Xom-Dong.xlsx"]["records"]] == [6]
    assert by_file["Xom-Dong.xlsx"]["hamlet"] == "Xóm Động"
    for h in manifest["hamlets"]:
        assert h["sha256"] == L.sha256_file(out / h["file"])
        for r in h["records"]:
            assert L.parse_key(r["key"]) == (manifest["split_id"], r["row"])

    wb = openpyxl.load_workbook(out / "Xom-1.xlsx")
    assert wb.sheetnames == [L.DATA_SHEET, L.GUIDE_SHEET, L.CODES_SHEET, L.META_SHEET]
    ws = wb[L.DATA_SHEET]
    headers = [ws.cell(L.HEADER_ROW, c + 1).value for c in range(len(L.COLUMNS))]
    assert headers == list(L.COLUMNS)
    assert headers[CORR_COL["full_name"]:CORR_COL["full_name"] + 5] == [
        "Họ và tên (sửa)", "Ngày sinh (sửa)", "Giới tính (sửa)", "Số CCCD/CMND (sửa)",
        "Ghi chú của thôn"]
    # only this hamlet's rows, originals as text, the key hidden
    first = L.FIRST_ROW
    assert [ws.cell(first + i, ORIG_COL["full_name"] + 1).value for i in range(3)] == [
        "Tèo", "Lê Thị Bình", None]
    assert ws.cell(first + 1, ORIG_COL["id_number"] + 1).value == "40191123456"
    assert ws.cell(first + 1, ORIG_COL["id_number"] + 1).number_format == "@"
    assert ws.column_dimensions["A"].hidden
    assert L.parse_key(ws.cell(first, 1).value)[1] == 3
    # protection: originals locked, corrections and note unlocked, text format for ID/date
    assert ws.protection.sheet
    assert ws.cell(first, ORIG_COL["full_name"] + 1).protection.locked
    for c in (*CORR_COL.values(), NOTE_COL):
        assert not ws.cell(first, c + 1).protection.locked
    assert ws.cell(first, CORR_COL["id_number"] + 1).number_format == "@"
    assert ws.cell(first, CORR_COL["dob"] + 1).number_format == "@"
    assert ws.cell(first, STATUS_COL + 1).value.startswith("=IF(")
    # dropdown for sex, input message for the ID
    dvs = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    sex_letter = openpyxl.utils.get_column_letter(CORR_COL["sex"] + 1)
    sex_dv = next(dv for ref, dv in dvs.items() if ref.startswith(sex_letter))
    assert sex_dv.type == "list" and sex_dv.formula1 == '"Nam,Nữ"'
    id_letter = openpyxl.utils.get_column_letter(CORR_COL["id_number"] + 1)
    id_dv = next(dv for ref, dv in dvs.items() if ref.startswith(id_letter))
    assert "giữ số 0 ở đầu" in id_dv.prompt
    # print setup
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight == 0
    assert ws.print_title_rows == f"${L.HEADER_ROW}:${L.HEADER_ROW}"
    assert "&P" in ws.oddFooter.center.text
    # settings from the workbook's 'Cài đặt' sheet in the title and the guide
    assert "TRẠM Y TẾ XÃ AN BÌNH" in ws["A1"].value
    guide = " ".join(str(c.value) for c in wb[L.GUIDE_SHEET]["A"] if c.value)
    assert "30/11/2026" in guide and "Chị Lan 0912345678" in guide
    assert wb[L.META_SHEET].sheet_state == "veryHidden"
    meta = {r[0]: r[1] for r in wb[L.META_SHEET].iter_rows(values_only=True)}
    assert meta["split_id"] == manifest["split_id"] and meta["hamlet"] == "Xóm 1"
    printed = capsys.readouterr().out
    assert "Xom-1.xlsx" in printed


def test_split_all_and_no_macros(tmp_path):
    src = make_list(tmp_path / "ds.xlsx")
    out = tmp_path / "thon"
    assert main(["split", str(src), "-d", str(out), "--all"]) == 0
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    assert sum(len(h["records"]) for h in manifest["hamlets"]) == len(ROWS)
    for h in manifest["hamlets"]:
        with zipfile.ZipFile(out / h["file"]) as z:
            names = z.namelist()
            assert not any("vbaProject" in n for n in names)
            assert not any("externalLink" in n for n in names)
            sheet = z.read("xl/worksheets/sheet1.xml").decode()
            assert "_xlfn." not in sheet  # no functions newer than Excel 2010


def test_split_password(tmp_path):
    import msoffcrypto

    src = make_list(tmp_path / "ds.xlsx")
    out = tmp_path / "thon"
    assert main(["split", str(src), "-d", str(out), "--password", "matkhau123"]) == 0
    enc = out / "Xom-1.xlsx"
    assert not zipfile.is_zipfile(enc)
    with open(enc, "rb") as fh:
        office = msoffcrypto.OfficeFile(fh)
        assert office.is_encrypted()
        office.load_key(password="matkhau123")
        plain = io.BytesIO()
        office.decrypt(plain)
    wb = openpyxl.load_workbook(plain)
    assert wb[L.DATA_SHEET].cell(L.FIRST_ROW, ORIG_COL["full_name"] + 1).value == "Tèo"
    with open(enc, "rb") as fh, pytest.raises(Exception):  # noqa: B017 - wrong password
        office = msoffcrypto.OfficeFile(fh)
        office.load_key(password="sai")
        office.decrypt(io.BytesIO())


@pytest.mark.libreoffice
def test_hamlet_file_opens_in_libreoffice_and_prints(tmp_path):
    src = make_list(tmp_path / "ds.xlsx")
    out = tmp_path / "thon"
    main(["split", str(src), "-d", str(out)])
    pdf = soffice_convert(out / "Xom-1.xlsx", "pdf", tmp_path / "pdf")
    assert pdf.read_bytes().startswith(b"%PDF")
