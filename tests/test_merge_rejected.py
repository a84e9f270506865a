"""Issue 9.2: an invalid correction never replaces a valid original (nor one whose fix was
certain). Real files: a list, split, hamlet files typed with openpyxl, a police list filled
as the police would; the held-back pairs are listed in MERGED ("Sửa chưa hợp lệ"), in the
JSON (``rejected``) and in the summary, and ``--accept`` applies one deliberately."""

from __future__ import annotations

import json

import openpyxl
import pytest

from tests.conftest import ORIGINAL_TODAY as TODAY
from tests.conftest import (
    PCOL,
    Sheet,
    fill_police,
    make_original,
    person,
    records_of,
    row_of,
    sheet_rows,
)
from vaxclean_xl.cli import main
from vaxclean_xl.commands.merge import merge_files
from vaxclean_xl.commands.police_list import police_list
from vaxclean_xl.commands.split import split_file
from vaxclean_xl.formats import police_list as P
from vaxclean_xl.formats.merge_report import SHEET_CHANGES, SHEET_REJECTED

DONG = records_of("Xóm Đông")  # four people, all valid in the original list
TAY = records_of("Xóm Tây")

pytestmark = pytest.mark.usefixtures("module_log_dir")


@pytest.fixture(scope="module")
def case(tmp_path_factory):
    base = tmp_path_factory.mktemp("rejected")
    src = make_original(base / "ds.xlsx")
    # record TAY[0]'s ID typed as a number: the leading zeros are lost, the fix is certain
    wb = openpyxl.load_workbook(src)
    ws = wb.active
    lost = TAY[0]
    cell = ws.cell(row_of(lost), 5)
    cell.value = int(person(lost)["id"])
    wb.save(src)
    split = split_file(src, base / "chia", all_records=True, today=TODAY)
    files = {f.hamlet: f.path for f in split.files}
    s = Sheet(files["Xóm Đông"])
    s.set(DONG[0], "Ngày sinh (sửa)", "31/02/1956")  # impossible date over a valid one
    s.set(DONG[1], "Họ và tên (sửa)", "Trần Ngọc Linh2")  # a digit in a valid name
    s.set(DONG[2], "Số CCCD/CMND (sửa)", person(DONG[2])["id"][:-1])  # one digit short
    s.set(DONG[3], "Ngày sinh (sửa)", "10/01/1986")  # valid over valid: an ordinary change
    s.save()
    t = Sheet(files["Xóm Tây"])
    t.set(lost, "Số CCCD/CMND (sửa)", person(lost)["id"][:-2])  # shorter than the certain fix
    t.set(TAY[1], "Giới tính (sửa)", "Nam" if person(TAY[1])["sex"] == "Nữ" else "Nữ")
    t.save()
    out = base / "gop.xlsx"
    rep = base / "gop.json"
    code = main(["merge", str(src), str(base / "chia"), "-o", str(out), "--json", str(rep)])
    return {"base": base, "src": src, "chia": base / "chia", "out": out, "code": code,
            "report": json.loads(rep.read_text("utf-8")), "lost": lost}


def test_invalid_corrections_are_held_back(case):
    rejected = {(r["row"], r["field"]): r for r in case["report"]["rejected"]}
    lost = case["lost"]
    # the sex change of TAY[1] contradicts the ID's sex digit (ID101): held back too
    assert set(rejected) == {(row_of(DONG[0]), "dob"), (row_of(DONG[1]), "full_name"),
                             (row_of(DONG[2]), "id_number"), (row_of(lost), "id_number"),
                             (row_of(TAY[1]), "sex")}
    r = rejected[(row_of(DONG[0]), "dob")]
    assert r["old"] == person(DONG[0])["dob"].strftime("%d/%m/%Y")
    assert r["new"] == "31/02/1956" and r["codes"] == ["DOB002"] and not r["applied"]
    assert r["hamlet"] == "Xóm Đông" and r["file"] == "Xom-Dong.xlsx"
    assert rejected[(row_of(DONG[1]), "full_name")]["codes"] == ["NAME002"]
    assert rejected[(row_of(DONG[2]), "id_number")]["codes"] == ["ID006"]
    assert rejected[(row_of(TAY[1]), "sex")]["codes"] == ["ID101"]
    assert case["report"]["summary"]["rejected"] == 5
    changes = {(c["row"], c["field"]) for c in case["report"]["changes"]}
    assert changes == {(row_of(DONG[3]), "dob")}


def test_merged_keeps_the_originals_and_lists_the_pairs(case):
    ws = openpyxl.load_workbook(case["out"]).active
    p0 = person(DONG[0])
    assert ws.cell(row_of(DONG[0]), 3).value.date() == p0["dob"]
    assert ws.cell(row_of(DONG[1]), 2).value == person(DONG[1])["name"]
    assert ws.cell(row_of(DONG[2]), 5).value == person(DONG[2])["id"]
    assert ws.cell(row_of(DONG[3]), 3).value.strftime("%d/%m/%Y") == "10/01/1986"
    note = ws.cell(row_of(DONG[0]), 3).comment.text
    assert "31/02/1956" in note and "giữ giá trị gốc" in note
    rows = sheet_rows(case["out"], SHEET_REJECTED)
    assert len(rows) == 5
    first = next(r for r in rows if r["Dòng"] == row_of(DONG[0]))
    assert first["Đề nghị (chưa áp dụng)"] == "31/02/1956"
    assert first["Lỗi của đề nghị"].startswith("DOB002: ")
    assert f"--accept {row_of(DONG[0])}:dob" in first["Cách áp dụng"]
    logged = sheet_rows(case["out"], SHEET_CHANGES)
    assert [(r["Dòng"], r["Trường"]) for r in logged] == [(row_of(DONG[3]), "Ngày sinh")]


def test_accept_applies_a_held_back_correction(case, capsys):
    out = case["base"] / "gop-accept.xlsx"
    rep = case["base"] / "gop-accept.json"
    capsys.readouterr()
    main(["merge", str(case["src"]), str(case["chia"]), "-o", str(out), "--json", str(rep),
          "--accept", f"{row_of(DONG[1])}:Họ và tên"])
    assert "Sửa chưa hợp lệ (giữ giá trị gốc)" in capsys.readouterr().out
    data = json.loads(rep.read_text("utf-8"))
    assert data["summary"]["rejected"] == 4
    applied = [r for r in data["rejected"] if r["applied"]]
    assert [(r["row"], r["field"], r["codes"]) for r in applied] == [
        (row_of(DONG[1]), "full_name", ["NAME002"])]
    assert openpyxl.load_workbook(out).active.cell(row_of(DONG[1]), 2).value == \
        "Trần Ngọc Linh2"
    assert main(["merge", str(case["src"]), str(case["chia"]), "-o", str(out),
                 "--accept", "mười:dob"]) == 2
    assert "--accept cần dạng DÒNG:TRƯỜNG" in capsys.readouterr().err


def test_police_typing_error_is_flagged_not_applied(case):
    """The police value is authoritative, but a typo that makes a valid date impossible
    is held back with the hamlet's value beside it."""
    base = case["base"]
    gop = base / "gop-ca.xlsx"
    merge_files(case["src"], [case["chia"]], gop, today=TODAY)
    made = police_list(gop, base / "ca.xlsx", today=TODAY)
    wbp = openpyxl.load_workbook(made.output)[P.DATA_SHEET]
    keys = [P.parse_key(wbp[f"{PCOL[P.KEY_HEADER]}{r}"].value)
            for r in range(P.FIRST_ROW, wbp.max_row + 1)]
    on_list = sorted(k[1] for k in keys if k)
    assert on_list, "the police list holds the records still in error"
    row = on_list[0]
    ws = openpyxl.load_workbook(gop).active
    dob_before = ws.cell(row, 3).value
    returned = base / "ca-tra-ve.xlsx"
    fill_police(made.output, returned, {row: {PCOL[P.RESULT_HEADER]: "Sai",
                                              PCOL[P.CORRECT_HEADERS["dob"]]: "30/02/1980"}})
    out = merge_files(gop, [returned], base / "gop-ca2.xlsx", today=TODAY)
    rej = out.report["rejected"]
    assert [(r["row"], r["field"], r["hamlet"], r["codes"]) for r in rej] == [
        (row, "dob", "Công an xã", ["DOB002"])]
    assert out.report["summary"]["rejected"] == 1
    assert openpyxl.load_workbook(out.output).active.cell(row, 3).value == dob_before


def test_merge_writes_both_outputs_or_neither(case, capsys):
    """Issue 9.5: the JSON cannot be written (its name is a folder): exit 2, one
    Vietnamese line naming it, and MERGED is not written either."""
    base = case["base"]
    out = base / "khong-ghi.xlsx"
    folder = base / "bao-cao.json"
    folder.mkdir()
    capsys.readouterr()
    assert main(["merge", str(case["src"]), str(case["chia"]), "-o", str(out), "--json",
                 str(folder)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "bao-cao.json" in err[0] and "thư mục" in err[0]
    assert not out.exists()
    assert not [p for p in base.iterdir() if p.name.startswith(".khong-ghi")]


def test_accept_of_nothing_held_back_is_reported(case, capsys):
    """A mistyped row in --accept must not pass silently (it used to be ignored)."""
    out = case["base"] / "gop-accept-none.xlsx"
    capsys.readouterr()
    main(["merge", str(case["src"]), str(case["chia"]), "-o", str(out),
          "--accept", "99999:dob", "--accept", f"{row_of(DONG[1])}:Họ và tên"])
    err = capsys.readouterr().err
    assert ("--accept 99999:dob: không có giá trị sửa nào bị giữ lại ở dòng 99999, trường "
            "«Ngày sinh»") in err
    assert f"--accept {row_of(DONG[1])}:" not in err  # the one that applied is not reported
