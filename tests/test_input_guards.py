"""Inputs a fuzzing review found that crashed a command or passed as a clean list: a value
at the sheet's last cell (calamine would abort the process asking for 512 GiB), a styled
cell in the last column (no room for the status columns), a folder given as the list, a
list with its header and no record. Each is now one Vietnamese line, exit 2, nothing
written, the input unchanged."""

from __future__ import annotations

import hashlib
from pathlib import Path

import openpyxl
import pytest
from openpyxl.styles import PatternFill

from vaxclean_xl.cli import main
from vaxclean_xl.commands.edit_list import edit_list
from vaxclean_xl.commands.validate import validate_file
from vaxclean_xl.errors import VaxcleanError
from vaxclean_xl.io.reader import read_table
from vaxclean_xl.sample import SHEET, generate_sample


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("guards") / "base.xlsx"
    generate_sample(path, rows=40, seed=5, doses=False)
    return path


def _edited(base: Path, out: Path, edit) -> Path:
    wb = openpyxl.load_workbook(base)
    edit(wb)
    wb.save(out)
    return out


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _refused(src: Path, code: str, *words: str) -> VaxcleanError:
    before = _sha(src)
    out = src.with_name("kq.xlsx")
    with pytest.raises(VaxcleanError) as err:
        validate_file(src, out, src.with_name("kq.json"))
    assert err.value.code == code
    assert all(w in err.value.message for w in words), err.value.message
    assert not out.exists() and not src.with_name("kq.json").exists()
    assert _sha(src) == before
    assert not [p for p in src.parent.iterdir() if p.name.startswith(".kq")]  # no temp left
    return err.value


def test_value_in_the_last_cell_is_refused_not_an_abort(base, tmp_path):
    def far(wb):
        wb[SHEET]["XFD1048576"] = "x"
    src = _edited(base, tmp_path / "far.xlsx", far)
    _refused(src, "E109", "XFD1048576", "Ctrl+End")
    assert main(["validate", str(src)]) == 2


def test_far_value_on_another_sheet_does_not_stop_the_list(base, tmp_path):
    def far(wb):
        ws = wb.create_sheet("Nháp")
        ws["A1"], ws["XFD1048576"] = "ghi chú", "x"
    src = _edited(base, tmp_path / "nhap.xlsx", far)
    assert len(read_table(src).rows) == 40
    with pytest.raises(VaxcleanError) as err:  # asked for by name, it is refused
        read_table(src, sheet="Nháp")
    assert err.value.code == "E109"


def test_styled_last_cell_is_read_and_a_far_value_in_reach_is_fine(base, tmp_path):
    def styled(wb):
        wb[SHEET]["XFD1048576"].fill = PatternFill("solid", fgColor="FFFF00")
    src = _edited(base, tmp_path / "styled.xlsx", styled)
    assert len(read_table(src).rows) == 40  # a style is no value: the list reads as it is
    # ... but the annotated copy has no column left for its status columns
    _refused(src, "E109", "XFD", "không còn cột trống")

    def near(wb):
        wb[SHEET]["AZ5000"] = "ghi chú"
    assert read_table(_edited(base, tmp_path / "near.xlsx", near)).rows


@pytest.mark.parametrize("folder", [".", "sub"])
def test_a_folder_as_the_list(tmp_path, monkeypatch, capsys, folder):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sub").mkdir()
    assert main(["validate", folder]) == 2
    err = capsys.readouterr().err
    assert "là một thư mục, không phải tệp danh sách" in err and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sub"]


def test_header_without_records(base, tmp_path):
    def no_rows(wb):
        ws = wb[SHEET]
        ws.delete_rows(7, ws.max_row)
    src = _edited(base, tmp_path / "hdr.xlsx", no_rows)
    _refused(src, "E105", "không có bản ghi nào")
    csv = tmp_path / "hdr.csv"
    csv.write_text("Họ và tên,Ngày sinh,Giới tính,Số CCCD\n", encoding="utf-8")
    _refused(csv, "E105", "không có bản ghi nào")
    # the platform's export given to edit-list as the original, with no record in it
    with pytest.raises(VaxcleanError) as err:
        edit_list(base, tmp_path / "sua.xlsx", baseline=src)
    assert err.value.code == "E105" and not (tmp_path / "sua.xlsx").exists()


@pytest.mark.parametrize("args", [
    ["validate", "{src}", "-o", "kq.csv"], ["validate", "{src}", "-o", "kq"],
    ["export-import", "{src}", "-o", "r.csv"], ["passport", "{src}", "-o", "hc.json"],
])
def test_a_workbook_output_needs_a_workbook_suffix(base, tmp_path, monkeypatch, capsys, args):
    """An .xlsx written under a .csv (or no) suffix would not open as the user expects."""
    monkeypatch.chdir(tmp_path)
    assert main([a.format(src=base) for a in args]) == 2
    err = capsys.readouterr().err
    assert "phải có đuôi .xlsx" in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def _added_after_renaming_headers(base: Path, tmp_path: Path, signer: str | None) -> int:
    """Split ``base``, rename a returned file's headers ("Tên", "CCCD", "Sửa tên"), put
    ``signer`` under "(Ký, ghi rõ họ tên)", merge it back: the people counted as added."""
    from vaxclean_xl.commands.merge import merge_files
    from vaxclean_xl.commands.split import split_file

    split_file(base, tmp_path / "chia")
    first = sorted((tmp_path / "chia").glob("*.xlsx"))[0]
    back = tmp_path / "ve"
    back.mkdir()
    wb = openpyxl.load_workbook(first)
    ws = wb.worksheets[0]
    texts = [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
    assert "NGƯỜI RÀ SOÁT" in texts  # the block the test is about is there
    ws["C6"], ws["F6"], ws["I6"] = "Tên", "CCCD", "Sửa tên"
    if signer:
        sign = next(c for row in ws.iter_rows() for c in row if c.value == "(Ký, ghi rõ họ tên)")
        ws.cell(sign.row + 3, sign.column).value = signer
    wb.save(back / first.name)
    out = merge_files(base, [back], tmp_path / "gop.xlsx", tmp_path / "gop.json")
    return out.report["summary"]["added"]


@pytest.mark.parametrize("signer", [None, "Trần Thị Hoa"])
def test_renamed_headers_keep_the_signature_block_out_of_added_people(base, tmp_path, signer):
    """A hamlet that renames the headers must not turn the file's signature lines, or the
    name signed under them, into people it added."""
    assert _added_after_renaming_headers(base, tmp_path, signer) == 0


def test_messages_say_what_is_wrong(base, tmp_path, capsys):
    """The original given as its own returned file, and the import file and its report
    under one name, are said as such (not "no returned file" alone, not "same as the
    input")."""
    assert main(["merge", str(base), str(base)]) == 2
    assert "là danh sách gốc, không phải tệp thôn gửi lại" in capsys.readouterr().err
    out = tmp_path / "r.xlsx"
    assert main(["export-import", str(base), "-o", str(out), "--report", str(out)]) == 2
    err = capsys.readouterr().err
    assert "Hai tệp kết quả cùng tên «r.xlsx»" in err and not out.exists()


def test_an_empty_styled_far_cell_is_no_value(base, tmp_path):
    """<c r="XFD1048576" s="1"></c> under a huge <dimension> holds no value: calamine reads
    the sheet as it is, so the guard lets it through (only a real value is refused)."""
    import re
    import zipfile

    from vaxclean_xl.io.reader.extent import check_extent

    def rewrite(dst: Path, cell: bytes) -> Path:
        with zipfile.ZipFile(base) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as z:
            for info in zin.infolist():
                data = zin.read(info.filename)
                if info.filename == "xl/worksheets/sheet1.xml":
                    data = re.sub(rb'<dimension ref="[^"]*"/>',
                                  b'<dimension ref="A1:XFD1048576"/>', data)
                    data = data.replace(b"</sheetData>",
                                        b'<row r="1048576">' + cell + b"</row></sheetData>")
                z.writestr(info, data)
        return dst
    check_extent(rewrite(tmp_path / "empty.xlsx", b'<c r="XFD1048576" s="1"></c>'),
                 "xlsx", SHEET)
    with pytest.raises(VaxcleanError) as err:
        check_extent(rewrite(tmp_path / "value.xlsx",
                             b'<c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c>'),
                     "xlsx", SHEET)
    assert err.value.code == "E109"
