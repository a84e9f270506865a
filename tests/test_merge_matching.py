"""Issue 9.8: a record whose key is damaged is matched by any two of name, date of birth,
ID number and phone that are unique in the returned file and agree with one original
record (real files: a split, hamlet files damaged with openpyxl, a police list)."""

from __future__ import annotations

import openpyxl
import pytest

from tests.conftest import ORIGINAL_TODAY as TODAY
from tests.conftest import PCOL, Sheet, fill_police, make_original, person, records_of, row_of
from vaxclean_xl.commands.merge import merge_files
from vaxclean_xl.commands.police_list import police_list
from vaxclean_xl.commands.split import split_file
from vaxclean_xl.formats import police_list as P
from vaxclean_xl.formats.hamlet_file import layout as L

pytestmark = pytest.mark.usefixtures("log_dir")


def split_all(tmp_path):
    src = make_original(tmp_path / "ds.xlsx")
    split = split_file(src, tmp_path / "chia", all_records=True, today=TODAY)
    return src, {f.hamlet: f.path for f in split.files}


def test_name_and_key_wiped_matches_on_the_other_values(tmp_path):
    src, files = split_all(tmp_path)
    i, j = records_of("Xóm Đông")[:2]
    s = Sheet(files["Xóm Đông"])
    r = s.row(i)
    s.set(i, "Họ và tên (sửa)", "Nguyễn Văn Mới Tên")
    s.ws.cell(r, s.col[L.KEY_HEADER]).value = None
    s.ws.cell(r, s.col["Họ và tên"]).value = None  # the original name wiped too
    # another row: key damaged and ID wiped; name + date of birth (+ phone) still agree
    r2 = s.row(j)
    s.set(j, "Ghi chú của thôn", "đã gặp")
    s.ws.cell(r2, s.col[L.KEY_HEADER]).value = "hỏng"
    s.ws.cell(r2, s.col["Số CCCD/CMND"]).value = None
    s.save()
    out = merge_files(src, [files["Xóm Đông"]], tmp_path / "gop.xlsx", today=TODAY).report
    assert out["added"] == [] and out["missing"] == []
    (change,) = out["changes"]
    assert (change["row"], change["field"], change["new"]) == (
        row_of(i), "full_name", "Nguyễn Văn Mới Tên")
    assert change["match"] == ("khóa hỏng, khớp theo ngày sinh + số cccd/cmnd + số điện "
                               "thoại")
    assert out["notes"] == [{"row": row_of(j), "hamlet": "Xóm Đông", "note": "đã gặp"}]
    (f,) = out["files"]
    assert sorted(f["matched_by_values"]) == sorted([r, r2])


def test_values_shared_by_two_rows_of_the_file_are_not_evidence(tmp_path):
    """The wiped row's date of birth and ID are also on a new person typed under the list:
    neither row is matched on them (one is added, the record is missing), never guessed."""
    src, files = split_all(tmp_path)
    i = records_of("Xóm Tây")[0]
    s = Sheet(files["Xóm Tây"])
    r = s.row(i)
    s.set(i, "Ghi chú của thôn", "không rõ")
    for header in (L.KEY_HEADER, "Họ và tên", "Số điện thoại"):
        s.ws.cell(r, s.col[header]).value = None
    new = s.last_record_row() + 1
    for header in ("Ngày sinh", "Số CCCD/CMND"):
        s.ws.cell(new, s.col[header], s.ws.cell(r, s.col[header]).value)
    s.ws.cell(new, s.col["Họ và tên"], "Người Khác Hẳn")
    s.save()
    out = merge_files(src, [files["Xóm Tây"]], tmp_path / "gop.xlsx", today=TODAY).report
    assert [m["row"] for m in out["missing"]] == [row_of(i)]
    assert len(out["added"]) == 2
    assert out["changes"] == []


def test_police_row_with_damaged_key_and_name_matches_on_dob_and_id(tmp_path):
    src = make_original(tmp_path / "ds.xlsx")
    wb = openpyxl.load_workbook(src)
    ws = wb.active
    i = records_of("Thôn Bắc")[0]
    ws.cell(row_of(i), 4).value = "x"  # a wrong sex: the record goes on the police list
    wb.save(src)
    made = police_list(src, tmp_path / "ca.xlsx", today=TODAY)
    returned = tmp_path / "ca-tra-ve.xlsx"
    rows = fill_police(made.output, returned, {row_of(i): {
        PCOL[P.RESULT_HEADER]: "Sai", PCOL[P.CORRECT_HEADERS["sex"]]: person(i)["sex"]}})
    wb = openpyxl.load_workbook(returned)
    pws = wb[P.DATA_SHEET]
    pws[f"{PCOL[P.KEY_HEADER]}{rows[row_of(i)]}"] = "hỏng"
    pws[f"{PCOL[P.ORIG_HEADERS['full_name']]}{rows[row_of(i)]}"] = "Tên Gõ Lại Khác"
    wb.save(returned)
    out = merge_files(src, [returned], tmp_path / "gop.xlsx", today=TODAY).report
    assert out["police"]["unmatched"] == []
    (change,) = out["changes"]
    assert (change["row"], change["field"], change["new"]) == (row_of(i), "sex",
                                                               person(i)["sex"])
    assert change["match"] == "khóa hỏng, khớp theo ngày sinh + số cccd/cmnd"


def test_edits_in_the_locked_original_columns_are_counted_and_listed(tmp_path, capsys):
    """Issue 9.9: a hamlet that unprotects the sheet and types over the original columns is
    not applied, and the edits are counted (summary, CLI) and listed in their own sheet."""
    from tests.conftest import sheet_rows
    from vaxclean_xl.cli import main
    from vaxclean_xl.formats.merge_report import SHEET_ORIGINAL_EDITS

    src, files = split_all(tmp_path)
    i, j = records_of("Thôn Nam")[:2]
    s = Sheet(files["Thôn Nam"])
    s.ws.cell(s.row(i), s.col["Họ và tên"], person(i)["name"] + " Sửa Nhầm Cột")
    s.ws.cell(s.row(j), s.col["Giới tính"], "Nam" if person(j)["sex"] == "Nữ" else "Nữ")
    s.save()
    out = tmp_path / "gop.xlsx"
    capsys.readouterr()
    main(["merge", str(src), str(files["Thôn Nam"]), "-o", str(out)])
    printed = capsys.readouterr().out
    line = next(x for x in printed.splitlines() if "Sửa vào cột gốc (chưa áp dụng)" in x)
    assert line.split()[-1] == "2"
    rows = sheet_rows(out, SHEET_ORIGINAL_EDITS)
    assert [(r["Dòng"], r["Trường"], r["Thôn ghi vào cột gốc (chưa áp dụng)"]) for r in rows] \
        == [(row_of(i), "Họ và tên", person(i)["name"] + " Sửa Nhầm Cột"),
            (row_of(j), "Giới tính", "Nam" if person(j)["sex"] == "Nữ" else "Nữ")]
    ws = openpyxl.load_workbook(out).active
    assert ws.cell(row_of(i), 2).value == person(i)["name"]  # not applied
    merged = merge_files(src, [files["Thôn Nam"]], tmp_path / "gop2.xlsx", today=TODAY)
    assert merged.summary.original_edits == 2
