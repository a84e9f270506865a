"""`vaxclean merge` on real files: split a list, edit the hamlet files the way people do
(openpyxl edits, LibreOffice re-saves as .xlsx/.ods/.xls, renamed files and sheets, moved
and inserted columns, sorted and deleted rows, a person typed under the list, a damaged key,
IDs typed as numbers, dates typed as dates, two copies of one file edited differently, a
hamlet that sends nothing, a file of another split) and check what lands in MERGED."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import unicodedata
import uuid
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import openpyxl
import pytest
import xlsxwriter

from tests.conftest import (
    FIRST,
    HAMLETS,
    HEADER_ROW,
    PER,
    Sheet,
    make_original,
    person,
    records_of,
    row_of,
    sha256_of,
    sheet_rows,
    soffice_or_skip,
    write_people,
)
from tests.conftest import ORIGINAL_TODAY as TODAY
from vaxclean_xl.cli.merge import add_merge_parser
from vaxclean_xl.commands.merge import MergeError, merge_files
from vaxclean_xl.commands.split import split_file
from vaxclean_xl.core.collate import hamlet_order
from vaxclean_xl.errors import InputError, OutputError
from vaxclean_xl.formats.hamlet_file import layout as L
from vaxclean_xl.formats.merge_report import (
    FALLBACK_REASON,
    SHEET_ADDED,
    SHEET_CHANGES,
    SHEET_CONFLICTS,
    SHEET_FILES,
    SHEET_MISSING,
    SHEET_NOT_RETURNED,
    SHEET_ORIGINAL_EDITS,
    SHEET_REJECTED,
)

pytestmark = pytest.mark.usefixtures("module_log_dir")  # the log checked below

# --------------------------------------------------------------------------- fixtures


def other_sex_id(i: int) -> str:
    """Record i's ID with the other sex in its century digit: what a sex correction needs
    to stay consistent with the ID (alone, it would be held back as ID101)."""
    old = person(i)["id"]
    return old[:3] + {"0": "1", "1": "0", "2": "3", "3": "2"}[old[3]] + old[4:]


def soffice_jobs(jobs: list[tuple[Path, str, Path]]) -> list[Path]:
    """Run LibreOffice conversions in parallel (one private profile each): (src, fmt, outdir)."""
    exe = soffice_or_skip()
    procs = []
    for src, fmt, outdir in jobs:
        profile = Path("/tmp") / f"lo-profile-{uuid.uuid4().hex}"
        outdir.mkdir(parents=True, exist_ok=True)
        cmd = [exe, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
               "--convert-to", fmt, "--outdir", str(outdir), str(src)]
        procs.append((subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE),
                      profile, outdir / f"{src.stem}.{fmt.split(':')[0]}"))
    outs = []
    for proc, profile, out in procs:
        try:
            stdout, stderr = proc.communicate(timeout=300)
        finally:
            shutil.rmtree(profile, ignore_errors=True)
        assert out.exists(), f"soffice failed: {stdout!r} {stderr!r}"
        outs.append(out)
    return outs


def workbook_values(path: Path) -> dict[str, list[list[object]]]:
    wb = openpyxl.load_workbook(path)
    return {ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in wb}


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    """Split a 48-record list into 12 hamlet files, then return them edited in every way."""
    base = tmp_path_factory.mktemp("merge")
    original = make_original(base / "danh-sach.xlsx")
    outcome = split_file(original, base / "chia", all_records=True, today=TODAY)
    files = {f.hamlet: f.path for f in outcome.files}
    assert set(files) == set(HAMLETS)
    ret = base / "tra-ve"
    shutil.copytree(base / "chia", ret)
    f = {h: ret / p.name for h, p in files.items()}
    expect: dict[tuple[int, str], object] = {}  # (record index, field) -> MERGED cell value
    lo_jobs = []

    # Xóm Đông: name fixed and a note, then re-saved by LibreOffice as .xlsx
    i0, i1, *_ = records_of("Xóm Đông")
    s = Sheet(f["Xóm Đông"])
    s.set(i0, "Họ và tên (sửa)", "Nguyễn Văn Đông Hải")
    s.set(i1, "Ghi chú của thôn", "Đã chuyển đi nơi khác")
    for folder in ("lo-in", "ods-in", "xls-in"):
        (base / folder).mkdir()
    lo_jobs.append((s.save(base / "lo-in" / f["Xóm Đông"].name), "xlsx", ret))
    f["Xóm Đông"].unlink()
    expect[(i0, "full_name")] = "Nguyễn Văn Đông Hải"

    # Xóm Tây: a date typed as a real date and one as d/m/yyyy text, saved as .ods
    i0, i1, *_ = records_of("Xóm Tây")
    s = Sheet(f["Xóm Tây"])
    s.set(i0, "Ngày sinh (sửa)", dt.datetime(1951, 3, 5))  # (the ID's year: consistent)
    s.set(i1, "Ngày sinh (sửa)", "7/8/1963")
    lo_jobs.append((s.save(base / "ods-in" / f["Xóm Tây"].name), "ods", ret))
    f["Xóm Tây"].unlink()
    expect[(i0, "dob")] = dt.datetime(1951, 3, 5)
    expect[(i1, "dob")] = dt.datetime(1963, 8, 7)

    # Thôn Bắc: sex fixed, saved as .xls
    i0, *_ = records_of("Thôn Bắc")
    s = Sheet(f["Thôn Bắc"])
    s.set(i0, "Giới tính (sửa)", "Nữ")
    s.set(i0, "Số CCCD/CMND (sửa)", other_sex_id(i0))
    lo_jobs.append((s.save(base / "xls-in" / f["Thôn Bắc"].name), "xls", ret))
    f["Thôn Bắc"].unlink()
    expect[(i0, "sex")] = "Nữ"
    expect[(i0, "id_number")] = other_sex_id(i0)

    # Thôn Nam: ID fixed (text, leading zero kept), file renamed
    i0, *_ = records_of("Thôn Nam")
    s = Sheet(f["Thôn Nam"])
    s.set(i0, "Số CCCD/CMND (sửa)", "001153000777")
    s.save()
    f["Thôn Nam"].rename(ret / "tra ve thon nam (1).xlsx")
    expect[(i0, "id_number")] = "001153000777"

    # Ấp Một: sheet renamed, headers retyped (capitals and a line break, decomposed accents)
    i0, i1, *_ = records_of("Ấp Một")
    s = Sheet(f["Ấp Một"])
    s.set(i1, "Họ và tên (sửa)", "Hoàng Thị Một Sửa")
    s.set(i0, "Ngày sinh (sửa)", "15/06/1954")
    s.ws.cell(L.HEADER_ROW, s.col["Họ và tên (sửa)"], "HỌ VÀ TÊN\n(SỬA)")
    s.ws.cell(L.HEADER_ROW, s.col["Ngày sinh (sửa)"],
              unicodedata.normalize("NFD", "ngày sinh  (sửa)"))
    s.ws.title = "Sheet1"
    s.save()
    expect[(i1, "full_name")] = "Hoàng Thị Một Sửa"
    expect[(i0, "dob")] = dt.datetime(1954, 6, 15)

    # Ấp Hai: two columns inserted before the corrections (one used for a remark), the ID
    # correction column moved to the far right
    i0, i1, *_ = records_of("Ấp Hai")
    s = Sheet(f["Ấp Hai"])
    at = s.col["Họ và tên (sửa)"]
    s.ws.insert_cols(at, 2)
    s.ws.cell(L.HEADER_ROW, at, "Ghi chú thêm")
    s.refresh()
    s.set(i0, "Ghi chú thêm", "con thứ hai")
    old = s.col["Số CCCD/CMND (sửa)"]
    new = s.ws.max_column + 1
    for r in range(L.HEADER_ROW, s.ws.max_row + 1):
        s.ws.cell(r, new, s.ws.cell(r, old).value)
        s.ws.cell(r, old).value = None
    s.ws.cell(L.HEADER_ROW, old, "")
    s.refresh()
    s.set(i0, "Họ và tên (sửa)", "Phan Văn Hai Mới")
    s.set(i1, "Số CCCD/CMND (sửa)", "001167000888")
    s.ws.column_dimensions[openpyxl.utils.get_column_letter(new)].hidden = True
    s.save()
    expect[(i0, "full_name")] = "Phan Văn Hai Mới"
    expect[(i1, "id_number")] = "001167000888"

    # Khu Ba: rows sorted (reversed), one record copied under the list with another
    # correction (duplicate key: a conflict), corrections on the sorted rows
    recs = records_of("Khu Ba")
    s = Sheet(f["Khu Ba"])
    width = s.col[L.STATUS_HEADER]
    rows = [[s.ws.cell(L.FIRST_ROW + k, c).value for c in range(1, width + 1)]
            for k in range(len(recs))]
    for k, values in enumerate(reversed(rows)):
        for c, v in enumerate(values, start=1):
            s.ws.cell(L.FIRST_ROW + k, c, v)
    s.set(recs[0], "Ngày sinh (sửa)", "01/02/1956")
    s.set(recs[3], "Họ và tên (sửa)", "Vũ Văn Ba Sửa")
    dup = L.FIRST_ROW + len(recs)  # the blank row between the list and the signatures
    for c, v in enumerate(rows[2], start=1):
        s.ws.cell(dup, c, v)
    s.set(recs[2], "Họ và tên (sửa)", "Tên Thứ Nhất")  # first row with that key
    s.ws.cell(dup, s.col["Họ và tên (sửa)"], "Tên Thứ Hai")
    s.save()
    expect[(recs[0], "dob")] = dt.datetime(1956, 2, 1)
    expect[(recs[3], "full_name")] = "Vũ Văn Ba Sửa"
    expect[(recs[2], "full_name")] = person(recs[2])["name"]  # conflict: original kept

    # Tổ Bốn: a row deleted, a new person typed under the list (no key)
    recs = records_of("Tổ Bốn")
    s = Sheet(f["Tổ Bốn"])
    s.ws.delete_rows(s.row(recs[1]))
    new_row = s.last_record_row() + 1
    for header, value in [("Họ và tên", "Đỗ Thị Mới Sinh"), ("Ngày sinh", "12/12/2001"),
                          ("Giới tính", "Nữ"), ("Số CCCD/CMND", "001301009999"),
                          ("Thôn/Xóm", "Tổ Bốn")]:
        s.ws.cell(new_row, s.col[header], value)
    s.set(recs[2], "Giới tính (sửa)", "Nam")
    s.set(recs[2], "Số CCCD/CMND (sửa)", other_sex_id(recs[2]))
    signer = max(r for r in range(1, s.ws.max_row + 1)
                 if s.ws.cell(r, s.col["Họ và tên"]).value == "(Ký, ghi rõ họ tên)") + 3
    s.ws.cell(signer, s.col["Họ và tên"], "Trần Văn Rà Soát")  # the reviewer signs by name
    s.save()
    expect[(recs[2], "sex")] = "Nam"
    expect[(recs[2], "id_number")] = other_sex_id(recs[2])

    # Bản Năm: key column shown, one key damaged, one cleared; both rows corrected
    recs = records_of("Bản Năm")
    s = Sheet(f["Bản Năm"])
    s.ws.column_dimensions["A"].hidden = False
    r2, r3 = s.row(recs[2]), s.row(recs[3])
    key = s.ws.cell(r2, 1).value
    s.ws.cell(r2, 1, key[:-1] + ("0" if key[-1] != "0" else "1"))
    s.ws.cell(r3, 1).value = None
    s.ws.cell(r2, s.col["Giới tính (sửa)"], "Nữ")
    s.ws.cell(r2, s.col["Số CCCD/CMND (sửa)"], other_sex_id(recs[2]))
    s.ws.cell(r3, s.col["Họ và tên (sửa)"], "Đặng Thị Năm Sửa")
    s.save()
    expect[(recs[2], "sex")] = "Nữ"
    expect[(recs[2], "id_number")] = other_sex_id(recs[2])
    expect[(recs[3], "full_name")] = "Đặng Thị Năm Sửa"

    # Làng Sáu: IDs typed as numbers (a float, and an int that lost its leading zero); each
    # is read as its digits, and none may replace the valid ID (held back, originals kept)
    recs = records_of("Làng Sáu")
    s = Sheet(f["Làng Sáu"])
    s.set(recs[0], "Số CCCD/CMND (sửa)", 1.2345678901e11)
    s.set(recs[1], "Số CCCD/CMND (sửa)", 1097000555)  # 10 digits, an int
    s.set(recs[2], "Số CCCD/CMND (sửa)", 38097000555)  # 11 digits: '038097000555'
    s.save()
    held = {(recs[0], "id_number"): "123456789010", (recs[1], "id_number"): "1097000555",
            (recs[2], "id_number"): "38097000555"}
    for i, fld in held:
        expect[(i, fld)] = person(i)["id"]

    # Xóm Bảy: two copies of the file edited differently (conflict) and alike (no conflict)
    recs = records_of("Xóm Bảy")
    copy = ret / "Xom-Bay (ban sua lai).xlsx"
    shutil.copy(f["Xóm Bảy"], copy)
    s = Sheet(f["Xóm Bảy"])
    s.set(recs[0], "Họ và tên (sửa)", "Trần Văn Bảy A")
    s.set(recs[1], "Giới tính (sửa)", "Nữ")
    s.set(recs[1], "Số CCCD/CMND (sửa)", other_sex_id(recs[1]))
    s.save()
    s = Sheet(copy)
    s.set(recs[0], "Họ và tên (sửa)", "Trần Văn Bảy B")
    s.set(recs[1], "Giới tính (sửa)", " nữ")
    s.set(recs[1], "Số CCCD/CMND (sửa)", other_sex_id(recs[1]))
    s.save()
    expect[(recs[0], "full_name")] = person(recs[0])["name"]  # conflict: original kept
    expect[(recs[1], "sex")] = "Nữ"
    expect[(recs[1], "id_number")] = other_sex_id(recs[1])

    # Xóm Tám: not returned
    f["Xóm Tám"].unlink()

    # A file of another split (another list) and a file that is not a hamlet file at all
    other = make_original(base / "xa-khac.xlsx", n=8, title="KHÁC")
    other_split = split_file(other, base / "chia-khac", all_records=True, today=TODAY)
    shutil.copy(other_split.files[0].path, ret / "Xom-Dong-khac.xlsx")
    shutil.copy(original, ret / "danh-sach-cu.xlsx")

    soffice_jobs(lo_jobs)
    inputs = sorted(p for p in ret.iterdir() if p.name != L.MANIFEST_NAME)
    return {"base": base, "original": original, "ret": ret, "expect": expect,
            "inputs": inputs, "split": outcome, "held": held}


@pytest.fixture(scope="module")
def merged(scenario):
    base = scenario["base"]
    before = ({p.name: sha256_of(p) for p in scenario["inputs"]}
              | {"orig": sha256_of(scenario["original"])})
    outcome = merge_files(scenario["original"], [scenario["ret"]], base / "gop.xlsx",
                          base / "gop.json", today=TODAY)
    after = ({p.name: sha256_of(p) for p in scenario["inputs"]}
             | {"orig": sha256_of(scenario["original"])})
    assert before == after, "ORIGINAL and the returned files must not be touched"
    return outcome


# --------------------------------------------------------------------------- tests


def test_every_correction_lands_in_merged(scenario, merged):
    ws = openpyxl.load_workbook(merged.output)["Danh sách"]
    header = {ws.cell(HEADER_ROW, c).value: c for c in range(1, ws.max_column + 1)}
    col = {"full_name": header["Họ và tên"], "dob": header["Ngày sinh"],
           "sex": header["Giới tính"], "id_number": header["Số CCCD/CMND"]}
    for (i, fld), value in scenario["expect"].items():
        assert ws.cell(row_of(i), col[fld]).value == value, (HAMLETS[i % 12], fld)
    # untouched records keep their values; IDs stay text with their zeros
    untouched = records_of("Xóm Tám")[0]
    assert ws.cell(row_of(untouched), col["id_number"]).value == person(untouched)["id"]
    assert ws.cell(row_of(untouched), col["id_number"]).number_format == "@"
    # titles and footers of the list are kept
    assert ws["A1"].value == "TRẠM Y TẾ XÃ AN BÌNH"
    assert ws.cell(FIRST + 48, 1).value == "Tổng cộng: 48 người"
    # a changed cell is yellow with the old and new value and the hamlet in its note
    i = records_of("Xóm Đông")[0]
    cell = ws.cell(row_of(i), col["full_name"])
    assert cell.fill.fgColor.rgb == "FFFFEB9C"
    assert f"Cũ: {person(i)['name']} → Mới: Nguyễn Văn Đông Hải (Xóm Đông)" in cell.comment.text
    # the hamlet's note and the inserted column's remark go to the note status column
    notes = {ws.cell(r, header["Ghi chú của thôn"]).value for r in range(FIRST, FIRST + 48)}
    assert "Đã chuyển đi nơi khác" in notes
    assert "Ghi chú thêm: con thứ hai" in notes


def test_checks_of_changed_rows_equal_a_fresh_validation(merged):
    """The merge checks ORIGINAL while it reads and then only the changed rows: the findings
    must be those of validating the merged list from scratch (MERGED read back)."""
    from vaxclean_xl.core.validate import validate_rows
    from vaxclean_xl.io.reader import read_table

    assert merged.report["summary"]["changes"] > 0
    table = read_table(merged.output, sheet="Danh sách")
    fresh = validate_rows(table.rows, table.columns, name_fonts=table.name_fonts, today=TODAY)

    def codes(result):
        return {rec.row: sorted(f.code for f in rec.findings) for rec in result.records}

    assert codes(fresh) == codes(merged.result)
    assert fresh.summary() == merged.result.summary()


def test_revalidated_like_validate(merged):
    ws = openpyxl.load_workbook(merged.output)["Danh sách"]
    header = {ws.cell(HEADER_ROW, c).value: c for c in range(1, ws.max_column + 1)}
    i = records_of("Làng Sáu")[2]  # 11-digit ID typed as a number over a valid one: held
    assert not ws.cell(row_of(i), header["Lỗi"]).value  # the valid original stays
    id_cell = ws.cell(row_of(i), header["Số CCCD/CMND"])
    assert id_cell.value == person(i)["id"]
    assert id_cell.fill.fgColor.rgb == "FFFFEB9C"  # yellow: something to look at
    assert "«38097000555»" in id_cell.comment.text and "ID005" in id_cell.comment.text
    assert "giữ giá trị gốc" in id_cell.comment.text
    data = merged.report
    assert data["validation"] == merged.result.summary()
    assert data["validation"]["records"] == 48
    # every invalid correction was held back: the merged list has no error
    assert merged.exit_code == (1 if merged.result.has_errors else 0) == 0
    assert "Tổng hợp" in openpyxl.load_workbook(merged.output).sheetnames


def test_report_lists_everything(scenario, merged):
    data = json.loads((scenario["base"] / "gop.json").read_text(encoding="utf-8"))
    assert data == json.loads(json.dumps(merged.report))
    assert data["schema"] == "vaxclean.merge/1"
    s = data["summary"]
    assert s["records_in"] == s["records_out"] == 48
    files = {Path(f["path"]).name: f for f in data["files"]}
    assert files["Xom-Dong-khac.xlsx"]["status"] == "refused"
    assert "lần chia khác" in files["Xom-Dong-khac.xlsx"]["reason"]
    assert files["danh-sach-cu.xlsx"]["status"] == "refused"
    assert "(sửa)" in files["danh-sach-cu.xlsx"]["reason"]
    merged_names = {n for n, f in files.items() if f["status"] == "merged"}
    assert {"Xom-Dong.xlsx", "Xom-Tay.ods", "Thon-Bac.xls", "tra ve thon nam (1).xlsx",
            "Xom-Bay (ban sua lai).xlsx", "Xom-Bay.xlsx"} <= merged_names
    assert s["files"] == len(files) == 14 and s["refused"] == 2
    assert files["Ap-Mot.xlsx"]["sheet"] == "Sheet1"
    assert files["Ban-Nam.xlsx"]["matched_by_values"]
    assert files["Khu-Ba.xlsx"]["duplicate_rows"]

    # changes: every expected change, sorted by (row, field); the fallback says so
    changes = {(c["row"], c["field"]): c for c in data["changes"]}
    conflict_cells = {(c["row"], c["field"]) for c in data["conflicts"]}
    for i, fld in scenario["expect"]:
        if (row_of(i), fld) in conflict_cells or (i, fld) in scenario["held"]:
            continue
        assert (row_of(i), fld) in changes, (HAMLETS[i % 12], fld)
    assert len(changes) == s["changes"] == len(scenario["expect"]) - 2 - len(scenario["held"])
    rejected = {(r["row"], r["field"]): r["new"] for r in data["rejected"]}
    assert rejected == {(row_of(i), f): v for (i, f), v in scenario["held"].items()}
    assert s["rejected"] == 3
    order = [(c["row"], ["full_name", "dob", "sex", "id_number"].index(c["field"]))
             for c in data["changes"]]
    assert order == sorted(order)
    ban = records_of("Bản Năm")
    assert changes[(row_of(ban[2]), "sex")]["match"] == FALLBACK_REASON
    assert changes[(row_of(ban[3]), "full_name")]["match"] == FALLBACK_REASON
    assert changes[(row_of(records_of("Xóm Đông")[0]), "full_name")]["match"] == "key"
    bay = records_of("Xóm Bảy")[1]
    assert changes[(row_of(bay), "sex")]["new"] == "Nữ"

    # conflicts: two copies of one file, and a key repeated within a file
    conflicts = {(c["row"], c["field"]): c for c in data["conflicts"]}
    assert s["conflicts"] == 2
    c = conflicts[(row_of(records_of("Xóm Bảy")[0]), "full_name")]
    assert c["kind"] == "files"
    assert sorted(p["value"] for p in c["proposals"]) == ["Trần Văn Bảy A", "Trần Văn Bảy B"]
    c = conflicts[(row_of(records_of("Khu Ba")[2]), "full_name")]
    assert c["kind"] == "duplicate_key"
    assert sorted(p["value"] for p in c["proposals"]) == ["Tên Thứ Hai", "Tên Thứ Nhất"]

    # added, missing, not returned
    assert s["added"] == 1
    (a,) = data["added"]
    assert a["hamlet"] == "Tổ Bốn" and a["values"]["Họ và tên"] == "Đỗ Thị Mới Sinh"
    assert a["values"]["Số CCCD/CMND"] == "001301009999"
    assert [(m["row"], m["hamlet"]) for m in data["missing"]] == [
        (row_of(records_of("Tổ Bốn")[1]), "Tổ Bốn")]
    assert data["not_returned"] == ["Xóm Tám"]
    assert s["missing"] == 1 and s["not_returned"] == 1


def test_log_holds_row_numbers_not_personal_data(merged, module_log_dir):
    log = (module_log_dir / "vaxclean.log").read_text(encoding="utf-8")
    assert FALLBACK_REASON in log and "records_in=48 records_out=48" in log
    for i in range(PER * len(HAMLETS)):
        p = person(i)
        assert p["name"] not in log and p["id"] not in log
    for change in merged.report["changes"]:
        if change["field"] != "sex":  # 'Nam' is also in a file name
            assert change["new"] not in log


def test_merge_sheets(merged):
    path = merged.output
    names = openpyxl.load_workbook(path).sheetnames
    assert names[0] == "Danh sách"
    for name in (SHEET_FILES, SHEET_CHANGES, SHEET_CONFLICTS, SHEET_ADDED, SHEET_MISSING,
                 SHEET_NOT_RETURNED, "Tổng hợp"):
        assert name in names
    log = sheet_rows(path, SHEET_CHANGES)
    assert len(log) == merged.summary.changes
    assert {r["Dòng"] for r in log} == {c["row"] for c in merged.report["changes"]}
    conflicts = sheet_rows(path, SHEET_CONFLICTS)
    assert {r["Đề nghị"] for r in conflicts} == {
        "Trần Văn Bảy A", "Trần Văn Bảy B", "Tên Thứ Nhất", "Tên Thứ Hai"}
    added = sheet_rows(path, SHEET_ADDED)
    assert [(r["Thôn/xóm"], r["Họ và tên"], r["Ngày sinh"]) for r in added] == [
        ("Tổ Bốn", "Đỗ Thị Mới Sinh", "12/12/2001")]
    missing = sheet_rows(path, SHEET_MISSING)
    i = records_of("Tổ Bốn")[1]
    assert [(r["Dòng"], r["Họ và tên"]) for r in missing] == [(row_of(i), person(i)["name"])]
    assert [r["Thôn/xóm"] for r in sheet_rows(path, SHEET_NOT_RETURNED)] == ["Xóm Tám"]
    files = sheet_rows(path, SHEET_FILES)
    assert sum(1 for r in files if r["Trạng thái"] == "Từ chối") == 2
    # the missing record is still in the list, as it was
    ws = openpyxl.load_workbook(path)["Danh sách"]
    assert ws.cell(row_of(i), 2).value == person(i)["name"]


def test_merge_is_deterministic(scenario, merged, tmp_path):
    again = merge_files(scenario["original"], [scenario["ret"]], tmp_path / "again.xlsx",
                        today=TODAY)
    reverse = merge_files(scenario["original"], list(reversed(scenario["inputs"])),
                          tmp_path / "reverse.xlsx", today=TODAY)
    first = workbook_values(merged.output)
    assert workbook_values(again.output) == first
    assert workbook_values(reverse.output) == first
    assert reverse.report["changes"] == merged.report["changes"]
    assert reverse.report["conflicts"] == merged.report["conflicts"]


def test_without_manifest_the_split_is_recognised_from_the_original(scenario, merged, tmp_path):
    ret = tmp_path / "ret"
    shutil.copytree(scenario["ret"], ret)
    (ret / L.MANIFEST_NAME).unlink()
    outcome = merge_files(scenario["original"], [ret], tmp_path / "m.xlsx", today=TODAY)
    assert outcome.report["changes"] == merged.report["changes"]
    assert outcome.report["missing"] == merged.report["missing"]
    assert outcome.report["not_returned"] == ["Xóm Tám"]
    refused = {Path(f["path"]).name for f in outcome.report["files"] if f["status"] == "refused"}
    assert refused == {"Xom-Dong-khac.xlsx", "danh-sach-cu.xlsx"}
    assert workbook_values(outcome.output)["Danh sách"] == \
        workbook_values(merged.output)["Danh sách"]


def test_changed_original_is_refused_unless_forced(scenario, tmp_path):
    changed = make_original(tmp_path / "danh-sach.xlsx", title="AN BÌNH MỚI")
    with pytest.raises(MergeError) as err:
        merge_files(changed, [scenario["ret"]], tmp_path / "m.xlsx", today=TODAY)
    assert err.value.exit_code == 2 and "--force" in err.value.message
    assert not (tmp_path / "m.xlsx").exists()
    forced = merge_files(changed, [scenario["ret"]], tmp_path / "m.xlsx", today=TODAY,
                         force=True)
    assert forced.summary.changes > 0
    assert forced.summary.records_in == forced.summary.records_out == 48


def test_cli_exit_codes_and_unusable_inputs(scenario, tmp_path, capsys):
    parser = argparse.ArgumentParser(prog="vaxclean")
    add_merge_parser(parser.add_subparsers(dest="command"))
    out, rep = tmp_path / "gop.xlsx", tmp_path / "gop.json"
    one = scenario["ret"] / "Xom-Bay.xlsx"
    args = parser.parse_args(["merge", str(scenario["original"]), str(one), "-o", str(out),
                              "--json", str(rep)])
    code = args.func(args)
    printed = capsys.readouterr().out
    assert code in (0, 1) and out.exists() and rep.exists()
    assert "Danh sách đã gộp" in printed
    data = json.loads(rep.read_text(encoding="utf-8"))
    assert data["summary"]["changes"] == 3  # name, sex and ID of Xóm Bảy, no second copy
    assert data["missing"] == []

    # nothing usable: exit 2 with one message, nothing written
    junk = tmp_path / "hong.xlsx"
    junk.write_bytes(b"not a workbook at all")
    with pytest.raises(MergeError) as err:
        merge_files(scenario["original"], [junk], tmp_path / "x.xlsx")
    assert err.value.exit_code == 2 and "hong.xlsx" in err.value.message
    with pytest.raises(MergeError):
        merge_files(scenario["original"], [tmp_path / "khong-co"], tmp_path / "x.xlsx")
    assert not (tmp_path / "x.xlsx").exists()
    # unreadable ORIGINAL, or MERGED over an input
    with pytest.raises(InputError):
        merge_files(junk, [one], tmp_path / "x.xlsx")
    with pytest.raises(OutputError):
        merge_files(scenario["original"], [one], scenario["original"])


def test_folder_scan_skips_outputs_original_and_temp_files(scenario, tmp_path):
    ret = tmp_path / "ret"
    ret.mkdir()
    shutil.copy(scenario["ret"] / "Xom-Bay.xlsx", ret)
    shutil.copy(scenario["ret"] / L.MANIFEST_NAME, ret)
    original = shutil.copy(scenario["original"], ret / "danh-sach.xlsx")
    (ret / "~$Xom-Bay.xlsx").write_bytes(b"lock")
    (ret / ".~lock.Xom-Bay.xlsx#").write_bytes(b"lock")
    first = merge_files(original, [ret], today=TODAY)  # default output beside ORIGINAL
    assert first.output == ret / "danh-sach.gop.xlsx"
    second = merge_files(original, [ret], today=TODAY)  # the first output is not an input
    assert [Path(f["path"]).name for f in second.report["files"]] == ["Xom-Bay.xlsx"]
    assert second.report["not_returned"] == [h for h in sorted(HAMLETS, key=hamlet_order)
                                             if h != "Xóm Bảy"]
    assert os.path.exists(original)


def test_resaved_original_without_manifest_matches_on_keys(scenario, merged, tmp_path):
    """ORIGINAL re-saved since the split (other bytes, same records) and no manifest: the
    split id is accepted because its keys point at rows whose original values agree."""
    resaved = make_original(tmp_path / "danh-sach.xlsx", title="AN BÌNH (lưu lại)")
    ret = tmp_path / "ret"
    shutil.copytree(scenario["ret"], ret)
    (ret / L.MANIFEST_NAME).unlink()
    outcome = merge_files(resaved, [ret], tmp_path / "m.xlsx", today=TODAY)
    data = outcome.report
    assert data["source_matches_split"] is False and data["missing_checked"] is False
    assert data["changes"] == merged.report["changes"]
    assert data["conflicts"] == merged.report["conflicts"]
    refused = {Path(f["path"]).name for f in data["files"] if f["status"] == "refused"}
    assert refused == {"Xom-Dong-khac.xlsx", "danh-sach-cu.xlsx"}
    assert merged.report["source_matches_split"] is True


def test_password_protected_hamlet_files(tmp_path):
    import msoffcrypto
    from msoffcrypto.format.ooxml import OOXMLFile

    original = make_original(tmp_path / "ds.xlsx", n=len(HAMLETS))
    split = split_file(original, tmp_path / "chia", all_records=True, password="mk-2022",
                       today=TODAY)
    enc = next(f.path for f in split.files if f.hamlet == "Xóm Đông")
    plain = tmp_path / "plain.xlsx"
    with enc.open("rb") as fi, plain.open("wb") as fo:
        office = msoffcrypto.OfficeFile(fi)
        office.load_key(password="mk-2022")
        office.decrypt(fo)
    s = Sheet(plain)
    s.set(0, "Họ và tên (sửa)", "Nguyễn Văn Mật Khẩu")
    s.save()
    back = tmp_path / "tra-ve" / "Xom-Dong.xlsx"
    back.parent.mkdir()
    with plain.open("rb") as fi, back.open("wb") as fo:
        OOXMLFile(fi).encrypt("mk-2022", fo)
    with pytest.raises(MergeError) as err:
        merge_files(original, [back], tmp_path / "m.xlsx", today=TODAY)
    assert "--password" in err.value.message
    outcome = merge_files(original, [back], tmp_path / "m.xlsx", today=TODAY,
                          password="mk-2022")
    assert [(c["row"], c["new"]) for c in outcome.report["changes"]] == [
        (row_of(0), "Nguyễn Văn Mật Khẩu")]


# --------------------------------------------------------------------------- MERGED: own book


def make_rich_original(path: Path, n: int = len(HAMLETS)) -> Path:
    """A list kept with care: a dropdown on the sex column, set widths, a font for names, a
    conditional format, a defined name and a second sheet."""
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Danh sách")
    guide = wb.add_worksheet("Hướng dẫn")
    bold = wb.add_format({"bold": True})
    text = wb.add_format({"num_format": "@"})
    date = wb.add_format({"num_format": "dd/mm/yyyy"})
    name_font = wb.add_format({"font_name": "Times New Roman", "font_size": 13})
    ws.merge_range("A1:G1", "TRẠM Y TẾ XÃ AN BÌNH", bold)
    write_people(ws, n, bold=bold, text=text, date=date, name=name_font)
    last = FIRST + n - 1
    ws.data_validation(f"D{FIRST}:D{last}", {"validate": "list", "source": ["Nam", "Nữ"]})
    ws.conditional_format(f"A{FIRST}:A{last}",
                          {"type": "cell", "criteria": ">", "value": 10, "format": bold})
    ws.set_column("B:B", 32)
    ws.set_column("E:E", 18)
    wb.define_name("DanhSach", f"='Danh sách'!$A${HEADER_ROW}:$G${last}")
    guide.write("A1", "Cột Giới tính chỉ nhận Nam hoặc Nữ.")
    guide.write_number("A2", 2022)
    wb.close()
    return path


def _sheet_parts(path: Path) -> tuple[dict[str, bytes], dict[str, str]]:
    """(zip members, sheet name -> its part)."""
    with zipfile.ZipFile(path) as z:
        members = {n: z.read(n) for n in z.namelist()}
    rels = {r.get("Id"): r.get("Target")
            for r in ET.fromstring(members["xl/_rels/workbook.xml.rels"])}
    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    rid = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    parts = {}
    for sheet in ET.fromstring(members["xl/workbook.xml"]).iter(f"{main}sheet"):
        target = rels[sheet.get(rid)]
        parts[sheet.get("name")] = target.lstrip("/") if target.startswith("/") else "xl/" + target
    return members, parts


@pytest.fixture(scope="module")
def rich(tmp_path_factory):
    """A rich list split, two hamlet files corrected, merged."""
    tmp_path = tmp_path_factory.mktemp("rich")
    original = make_rich_original(tmp_path / "ds.xlsx")
    split = split_file(original, tmp_path / "chia", all_records=True, today=TODAY)
    back = next(f.path for f in split.files if f.hamlet == HAMLETS[0])
    s = Sheet(back)
    s.set(0, "Họ và tên (sửa)", "Nguyễn Văn Sửa Tên")
    s.set(0, "Ngày sinh (sửa)", "02/01/1950")
    s.set(0, "Số CCCD/CMND (sửa)", "001050000123")
    s.save()
    s = Sheet(next(f.path for f in split.files if f.hamlet == HAMLETS[1]))
    s.set(1, "Giới tính (sửa)", "Nam")
    s.set(1, "Số CCCD/CMND (sửa)", other_sex_id(1))
    s.save()
    before = original.read_bytes()
    out = tmp_path / "ds.gop.xlsx"
    outcome = merge_files(original, [tmp_path / "chia"], out, today=TODAY)
    assert original.read_bytes() == before
    return original, outcome


def test_merged_is_the_users_own_workbook(rich):
    original, outcome = rich
    out = outcome.output
    assert outcome.summary.changes == 5
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[:3] == ["Danh sách", "Hướng dẫn", "Tổng hợp"]
    assert set(wb.sheetnames[3:]) == {SHEET_FILES, SHEET_CHANGES, SHEET_CONFLICTS, SHEET_ADDED,
                                      SHEET_MISSING, SHEET_NOT_RETURNED, SHEET_REJECTED,
                                      SHEET_ORIGINAL_EDITS}
    ws = wb["Danh sách"]
    # the corrections, each in its cell's own look
    assert ws["B5"].value == "Nguyễn Văn Sửa Tên"
    assert ws["B5"].font.name == "Times New Roman" and ws["B5"].font.sz == 13
    assert ws["B5"].fill.fgColor.rgb == "FFFFEB9C"  # the change is marked
    assert ws["C5"].value == dt.datetime(1950, 1, 2) and ws["C5"].number_format == "dd/mm/yyyy"
    assert ws["E5"].value == "001050000123" and ws["E5"].number_format == "@"
    assert ws["D6"].value == "Nam"
    # everything else of the user's workbook
    assert ws["B7"].font.name == "Times New Roman" and ws["B7"].value == person(2)["name"]
    assert ws.column_dimensions["B"].width == pytest.approx(32, abs=1)
    assert ws.column_dimensions["E"].width == pytest.approx(18, abs=1)
    (dv,) = ws.data_validations.dataValidation
    assert str(dv.sqref) == f"D{FIRST}:D{FIRST + len(HAMLETS) - 1}"
    assert dv.type == "list" and dv.formula1 == '"Nam,Nữ"'
    assert ws.conditional_formatting
    assert [str(r) for r in ws.merged_cells.ranges] == ["A1:G1"]
    assert "DanhSach" in wb.defined_names
    assert wb["Hướng dẫn"]["A1"].value == "Cột Giới tính chỉ nhận Nam hoặc Nữ."
    assert wb["Hướng dẫn"]["A2"].value == 2022
    # the other sheet, the shared strings, the theme: byte for byte
    src_members, src_sheets = _sheet_parts(original)
    out_members, out_sheets = _sheet_parts(out)
    assert out_members[out_sheets["Hướng dẫn"]] == src_members[src_sheets["Hướng dẫn"]]
    for name in ("xl/sharedStrings.xml", "xl/theme/theme1.xml", "docProps/core.xml"):
        assert out_members[name] == src_members[name], name
    # the merge's sheets still read as tables (header in row 1)
    assert {(r["Dòng"], r["Giá trị mới"]) for r in sheet_rows(out, SHEET_CHANGES)} == {
        (FIRST, "Nguyễn Văn Sửa Tên"), (FIRST, "02/01/1950"), (FIRST, "001050000123"),
        (FIRST + 1, "Nam"), (FIRST + 1, other_sex_id(1))}


@pytest.mark.libreoffice
def test_libreoffice_opens_merged(rich, tmp_path):
    from tests.conftest import soffice_convert

    _original, outcome = rich
    lo = soffice_convert(outcome.output, "xlsx", tmp_path / "lo")
    wb = openpyxl.load_workbook(lo)
    assert wb.sheetnames[:3] == ["Danh sách", "Hướng dẫn", "Tổng hợp"]
    ws = wb["Danh sách"]
    assert ws["B5"].value == "Nguyễn Văn Sửa Tên" and ws["E5"].value == "001050000123"
    assert ws["C5"].value == dt.datetime(1950, 1, 2) and ws["D6"].value == "Nam"
    assert [str(dv.sqref) for dv in ws.data_validations.dataValidation] == [
        f"D{FIRST}:D{FIRST + len(HAMLETS) - 1}"]
    assert sheet_rows(lo, SHEET_CHANGES)[0]["Giá trị mới"] == "Nguyễn Văn Sửa Tên"


def test_csv_original_gets_a_plain_copy_with_the_corrections(tmp_path):
    import csv

    original = tmp_path / "ds.csv"
    with original.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["TRẠM Y TẾ XÃ AN BÌNH"])
        w.writerow([])
        w.writerow([])
        w.writerow(["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD/CMND",
                    "Số điện thoại", "Thôn/Xóm"])
        for i in range(len(HAMLETS)):
            p = person(i)
            w.writerow([i + 1, p["name"], p["dob"].strftime("%d/%m/%Y"), p["sex"], p["id"],
                        p["phone"], p["hamlet"]])
    split = split_file(original, tmp_path / "chia", all_records=True, today=TODAY)
    s = Sheet(next(f.path for f in split.files if f.hamlet == HAMLETS[0]))
    s.set(0, "Họ và tên (sửa)", "Nguyễn Văn Sửa Tên")
    s.set(0, "Số CCCD/CMND (sửa)", "001050000123")
    s.save()
    out = tmp_path / "ds.gop.xlsx"
    outcome = merge_files(original, [tmp_path / "chia"], out, today=TODAY)
    assert outcome.summary.changes == 2
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[1] == "Tổng hợp" and SHEET_CHANGES in wb.sheetnames
    ws = wb[wb.sheetnames[0]]
    assert ws["A1"].value == "TRẠM Y TẾ XÃ AN BÌNH"
    assert ws["B5"].value == "Nguyễn Văn Sửa Tên" and ws["B6"].value == person(1)["name"]
    assert ws["E5"].value == "001050000123" and ws["E5"].number_format == "@"
    assert ws["E6"].value == person(1)["id"]  # untouched IDs keep their zeros too
