"""`vaxclean merge` takes the police's returned list back, on real files, the procedure's
way: validate a generated commune list, split it, correct some hamlet files (openpyxl), merge
them, make the police list from the merged list, fill it as the police would (Đúng, Sai with
the correct values, Sai without any, blank), merge it into the merged list; and hamlets and
police merged in one call, where the police overrule the hamlets."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
from pathlib import Path

import openpyxl
import pytest

from tests.conftest import (
    DOB_OK,
    ID_OK,
    NAME_OK,
    NOTE,
    RESULT,
    SEX_OK,
    edit_hamlet_file,
    fill_police,
    sha256_of,
    sheet_rows,
    soffice_convert,
)
from vaxclean_xl.cli.merge import add_merge_parser
from vaxclean_xl.commands.merge import MergeError, merge_files
from vaxclean_xl.commands.police_list import police_list
from vaxclean_xl.commands.split import split_file
from vaxclean_xl.commands.validate import validate_file
from vaxclean_xl.core.model import Category
from vaxclean_xl.core.presentation import STATUS_HEADERS
from vaxclean_xl.formats import police_list as P
from vaxclean_xl.formats.hamlet_file import layout as L
from vaxclean_xl.formats.merge_report import (
    POLICE_LABEL,
    SHEET_CHANGES,
    SHEET_FILES,
    SHEET_OVERRULED,
    SHEET_UNRESOLVED,
)
from vaxclean_xl.sample import SHEET, generate_sample

TODAY = dt.date(2024, 5, 1)
ROWS = 150
POLICE_NAME = "Phạm Thị Công An"
POLICE_ID = "001184012345"  # a woman born in 1984: consistent with the police's sex and date
HAMLET_NAME = "Hoàng Thị Thôn Sửa"

pytestmark = pytest.mark.usefixtures("module_log_dir")


class ListSheet:
    """The list's data sheet (ORIGINAL or MERGED), columns by header text."""

    def __init__(self, path: Path, header_row: int) -> None:
        self.ws = openpyxl.load_workbook(path)[SHEET]
        self.col = {self.ws.cell(header_row, c).value: c
                    for c in range(1, self.ws.max_column + 1)}
        self.headers = [self.ws.cell(header_row, c).value
                        for c in range(1, self.ws.max_column + 1)]

    def value(self, row: int, header: str) -> object:
        return self.ws.cell(row, self.col[header]).value


# --------------------------------------------------------------------------- the procedure


@pytest.fixture(scope="module")
def flow(tmp_path_factory):
    """validate → split → hamlet corrections → merge → police list of the merged list →
    the police fill it → merge the police's list into the merged list."""
    base = tmp_path_factory.mktemp("police-merge")
    src = base / "ds.xlsx"
    generate_sample(src, rows=ROWS, seed=3, today=TODAY, doses=False)  # identity only
    checked = validate_file(src, base / "ds.kiemtra.xlsx", base / "ds.json", today=TODAY)
    assert json.loads((base / "ds.json").read_text("utf-8"))["schema"] == "vaxclean.validation/1"
    records = {r.row: r for r in checked.result.records}
    used: set[int] = set()

    def pick(codes: list[str], complete: bool = True) -> int:
        """The first unused record with exactly these errors (and, if ``complete``, a
        readable date of birth and sex)."""
        row = next(r.row for r in checked.result.records if r.row not in used
                   and [f.code for f in r.findings if f.severity.name == "ERROR"] == codes
                   and (not complete or (r.dob is not None and r.sex is not None)))
        used.add(row)
        return row

    named = pick(["ID001"])  # no ID: the hamlet renames, the police give everything
    fixed = pick(["ID005"])  # lost leading zero: the hamlet fixes it for good
    idnum = pick(["ID004"])  # the police give the ID, typed as a number
    sexed = pick(["ID006"])  # the hamlet changes the sex; the police confirm the list
    hamlet_only = pick(["ID007"])  # the hamlet renames; the police leave the row blank
    unresolved = pick(["ID003"])  # Sai without any correct value
    odd = pick(["ID009"])  # a result the merge cannot read
    confirmed = [pick(["ID002"]), pick(["DOB003"], False), pick(["NAME002"], False)]  # Đúng

    split = split_file(src, base / "chia", today=TODAY)
    file_of = {rec.row: f.path for f in split.files for rec in f.records}
    fixed_id = "0" + records[fixed].text("id_number").strip()
    other_sex = "Nữ" if records[sexed].sex == "M" else "Nam"
    hamlet_edits = {
        named: {"Họ và tên (sửa)": HAMLET_NAME, "Ghi chú của thôn": "Đã hỏi gia đình"},
        fixed: {"Số CCCD/CMND (sửa)": fixed_id},
        sexed: {"Giới tính (sửa)": other_sex},
        hamlet_only: {"Họ và tên (sửa)": "Lê Văn Chỉ Thôn Sửa"},
    }
    for row, edits in hamlet_edits.items():
        edit_hamlet_file(file_of[row], {row: edits})
    merged = merge_files(src, [base / "chia"], base / "ds.gop.xlsx", today=TODAY)
    gop = merged.output
    assert {(c["row"], c["field"]) for c in merged.report["changes"]} == {
        (named, "full_name"), (fixed, "id_number"), (sexed, "sex"), (hamlet_only, "full_name")}

    made = police_list(gop, base / "ca.xlsx", today=TODAY)
    fills = {
        named: {RESULT: "Sai", NAME_OK: POLICE_NAME, DOB_OK: dt.datetime(1984, 12, 17),
                SEX_OK: "nữ", ID_OK: POLICE_ID, NOTE: "Đã đối chiếu CSDLQG"},
        idnum: {RESULT: "SAI", ID_OK: 38190012345},  # typed as a number: the zero is gone
        unresolved: {RESULT: "Sai"},
        odd: {RESULT: "?", NAME_OK: "Tên Chưa Áp Dụng"},  # no verdict: not applied
        **{r: {RESULT: "Đúng"} for r in confirmed},
    }
    returned = base / "ca-tra-ve.xlsx"
    listed = fill_police(made.output, returned, fills)
    before = {p: sha256_of(p) for p in (gop, returned)}
    outcome = merge_files(gop, [returned], base / "ds.gop2.xlsx", base / "gop2.json",
                          today=TODAY)
    assert before == {p: sha256_of(p) for p in (gop, returned)}, "inputs must not be touched"
    return {"base": base, "src": src, "split": split, "records": records, "gop": gop,
            "merged": merged, "police": made, "returned": returned, "listed": listed,
            "fills": fills, "outcome": outcome, "named": named, "fixed": fixed,
            "fixed_id": fixed_id, "idnum": idnum, "sexed": sexed, "other_sex": other_sex,
            "hamlet_only": hamlet_only, "unresolved": unresolved, "odd": odd,
            "confirmed": confirmed, "file_of": file_of, "header_row": checked.table.header_row}


def test_police_values_land_in_merged(flow):
    out = flow["outcome"]
    ws = ListSheet(out.output, flow["header_row"])
    gop = ListSheet(flow["gop"], flow["header_row"])
    named, idnum = flow["named"], flow["idnum"]
    # Sai with the correct values: each value in its cell, normalised like a hamlet's
    assert ws.value(named, "Họ và tên") == POLICE_NAME
    dob = ws.value(named, "Ngày sinh")
    if isinstance(gop.value(named, "Ngày sinh"), dt.datetime):  # a date cell stays a date
        assert dob == dt.datetime(1984, 12, 17)
    else:
        assert dob == "17/12/1984"
    assert ws.value(named, "Giới tính") == "Nữ"  # 'nữ' spelled as the list spells it
    assert ws.value(named, "Số CCCD/CMND") == POLICE_ID
    assert ws.value(idnum, "Số CCCD/CMND") == "38190012345"  # digit text, not a number
    by_row = {r.row: r for r in out.result.records}
    assert by_row[named].category is Category.OK  # the police's values fix the record
    assert "ID005" in {f.code for f in by_row[idnum].findings}  # the lost zero is flagged
    # Đúng, blank and unresolved rows: nothing changes; nor anything outside the police list
    for r in (*flow["confirmed"], flow["unresolved"], flow["odd"], flow["sexed"],
              flow["hamlet_only"], flow["fixed"]):
        for header in ("Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD/CMND"):
            assert ws.value(r, header) == gop.value(r, header), (r, header)
    assert ws.value(flow["hamlet_only"], "Họ và tên") == "Lê Văn Chỉ Thôn Sửa"
    assert ws.value(flow["fixed"], "Số CCCD/CMND") == flow["fixed_id"]
    # the changed cell says who changed it
    cell = ws.ws.cell(named, ws.col["Họ và tên"])
    assert f"Cũ: {HAMLET_NAME} → Mới: {POLICE_NAME} ({POLICE_LABEL})" in cell.comment.text
    # notes: the hamlet's (from the first merge) kept, the police's added; one status block
    note = ws.value(named, "Ghi chú của thôn")
    assert note.splitlines() == ["Đã hỏi gia đình", f"{POLICE_LABEL}: Đã đối chiếu CSDLQG"]
    assert "chưa ghi thông tin đúng" in ws.value(flow["unresolved"], "Ghi chú của thôn")
    assert "chưa áp dụng" in ws.value(flow["odd"], "Ghi chú của thôn")
    for header in (*STATUS_HEADERS, "Ghi chú của thôn"):
        assert ws.headers.count(header) == 1, header
    assert ws.value(named, "Phân loại") == "Đúng"


def test_report_police_section(flow):
    out, listed = flow["outcome"], flow["listed"]
    data = json.loads((flow["base"] / "gop2.json").read_text("utf-8"))
    assert data == json.loads(json.dumps(out.report))
    assert data["schema"] == "vaxclean.merge/1"
    s = data["summary"]
    assert s["records_in"] == s["records_out"] == ROWS
    assert flow["fixed"] not in listed  # fixed by its hamlet: not sent to the police
    pol = data["police"]
    assert pol["files"] == [str(flow["returned"])]
    assert pol["list_id"] == flow["police"].list_id
    assert pol["verified"] == s["police_verified"] == 3
    assert pol["corrected"] == s["police_corrected"] == 2
    assert [u["row"] for u in pol["unresolved"]] == [flow["unresolved"]]
    u = pol["unresolved"][0]
    assert u["file"] == "ca-tra-ve.xlsx" and u["file_row"] == listed[flow["unresolved"]]
    assert s["police_unresolved"] == 1
    filled = set(flow["fills"])
    assert {n["row"] for n in pol["not_verified"]} == set(listed) - filled | {flow["odd"]}
    assert s["police_not_verified"] == len(listed) - len(filled) + 1
    odd = next(n for n in pol["not_verified"] if n["row"] == flow["odd"])
    assert odd["result_text"] == "?" and odd["correct"] == {"full_name": "Tên Chưa Áp Dụng"}
    # no hamlet file in this merge, but the list's own change log says a hamlet renamed
    # `named`: the police's name reverses it (issue 9.7, police merged in a later call)
    named = flow["named"]
    (ov,) = pol["overruled"]
    assert s["overruled"] == 1
    first = next(c for c in flow["merged"].report["changes"]
                 if (c["row"], c["field"]) == (named, "full_name"))
    assert ov == {"row": named, "field": "full_name", "old": first["old"],
                  "hamlet_value": HAMLET_NAME, "police_value": POLICE_NAME,
                  "hamlet_file": first["file"], "hamlet": first["hamlet"], "hamlet_file_row": "",
                  "police_file": "ca-tra-ve.xlsx", "police_file_row": listed[named],
                  "verdict": "Sai", "earlier": True}
    # the earlier merge's log is carried in the report and MERGED's log
    assert [(c["row"], c["field"], c["round"]) for c in data["earlier_changes"]] == [
        (c["row"], c["field"], 1) for c in flow["merged"].report["changes"]]
    assert pol["unmatched"] == []
    # the police's changes in the change log, file = the police list, 'hamlet' = police
    changes = {(c["row"], c["field"]): c for c in data["changes"]}
    named, idnum = flow["named"], flow["idnum"]
    assert set(changes) == {(named, f) for f in ("full_name", "dob", "sex", "id_number")} | {
        (idnum, "id_number")}
    assert all(c["file"] == "ca-tra-ve.xlsx" and c["hamlet"] == POLICE_LABEL
               and c["match"] == "key" for c in data["changes"])
    assert changes[(named, "full_name")]["old"] == HAMLET_NAME
    assert changes[(named, "full_name")]["file_row"] == listed[named]
    assert changes[(named, "dob")]["new"] == "17/12/1984"
    assert pol["changes"] == s["changes"] == 5 and s["conflicts"] == 0
    (f,) = data["files"]
    assert f["kind"] == "police" and f["status"] == "merged" and f["hamlet"] == POLICE_LABEL
    assert f["split_id"] == flow["police"].list_id and f["records"] == len(listed)
    assert data["notes"] == [{"row": named, "hamlet": POLICE_LABEL,
                              "note": "Đã đối chiếu CSDLQG"}]
    assert data["validation"] == out.result.summary()


def test_police_sheets(flow):
    path = flow["outcome"].output
    names = openpyxl.load_workbook(path).sheetnames
    assert SHEET_OVERRULED in names and SHEET_UNRESOLVED in names
    (row,) = sheet_rows(path, SHEET_UNRESOLVED)
    rec = flow["records"][flow["unresolved"]]
    assert row["Dòng"] == flow["unresolved"] and row["Họ và tên"] == rec.text("full_name")
    assert row["Danh sách công an"] == "ca-tra-ve.xlsx"
    assert row["Dòng trong danh sách công an"] == flow["listed"][flow["unresolved"]]
    (ov,) = sheet_rows(path, SHEET_OVERRULED)
    assert (ov["Dòng"], ov["Thôn/xóm đề nghị"], ov["Công an xác định"]) == (
        flow["named"], HAMLET_NAME, POLICE_NAME)
    # one change log: the first merge's rows (round 1), then this merge's (round 2)
    log = sheet_rows(path, [n for n in names if n.startswith(SHEET_CHANGES)][-1])
    earlier = {(c["row"], c["hamlet"], Path(c["file"]).name, 1)
               for c in flow["merged"].report["changes"]}
    assert {(r["Dòng"], r["Thôn/xóm"], r["Tệp"], r["Lần gộp"]) for r in log} == earlier | {
        (flow["named"], POLICE_LABEL, "ca-tra-ve.xlsx", 2),
        (flow["idnum"], POLICE_LABEL, "ca-tra-ve.xlsx", 2)}
    assert [r["Lần gộp"] for r in log] == sorted(r["Lần gộp"] for r in log)
    files = sheet_rows(path, [n for n in names if n.startswith(SHEET_FILES)][-1])
    assert [(r["Tệp"], r["Thôn/xóm"], r["Trạng thái"]) for r in files] == [
        ("ca-tra-ve.xlsx", POLICE_LABEL, "Đã gộp")]
    assert "Đúng: 3" in files[0]["Lý do / ghi chú"]


# --------------------------------------------------------------------------- one call


@pytest.fixture(scope="module")
def one_call(flow):
    """Hamlet files and a police list of ORIGINAL merged in one call: the police overrule."""
    base = flow["base"] / "one-call"
    base.mkdir()
    made = police_list(flow["src"], base / "ca-goc.xlsx", today=TODAY)
    named, fixed, sexed = flow["named"], flow["fixed"], flow["sexed"]
    fills = {
        named: {RESULT: "Sai", NAME_OK: POLICE_NAME},  # the hamlet wrote another name
        fixed: {RESULT: "Sai", ID_OK: flow["fixed_id"]},  # the same ID as the hamlet's
        sexed: {RESULT: "Đúng"},  # the list was right: the hamlet's sex change is overruled
        flow["unresolved"]: {RESULT: "Sai"},
    }
    returned = base / "ca-goc-tra-ve.xlsx"
    listed = fill_police(made.output, returned, fills)
    inputs = [flow["base"] / "chia", returned]
    outcome = merge_files(flow["src"], inputs, base / "gop.xlsx", base / "gop.json",
                          today=TODAY)
    return {"base": base, "outcome": outcome, "returned": returned, "listed": listed,
            "inputs": inputs, "made": made}


def test_one_call_police_overrule_hamlets(flow, one_call):
    out = one_call["outcome"]
    data = out.report
    named, fixed, sexed = flow["named"], flow["fixed"], flow["sexed"]
    rec = flow["records"]
    assert data["summary"]["records_in"] == data["summary"]["records_out"] == ROWS
    ws = ListSheet(out.output, flow["header_row"])
    assert ws.value(named, "Họ và tên") == POLICE_NAME  # the police win
    assert ws.value(fixed, "Số CCCD/CMND") == flow["fixed_id"]  # both agree
    assert ws.value(sexed, "Giới tính") == rec[sexed].text("sex")  # confirmed: unchanged
    assert ws.value(flow["hamlet_only"], "Họ và tên") == "Lê Văn Chỉ Thôn Sửa"  # police silent
    overruled = data["police"]["overruled"]
    hamlet_file = {r: flow["file_of"][r].name for r in (named, sexed)}
    assert [(o["row"], o["field"], o["hamlet_value"], o["police_value"], o["hamlet_file"],
             o["verdict"]) for o in overruled] == [
        (r, f, hv, pv, hamlet_file[r], v) for r, f, hv, pv, v in sorted([
            (named, "full_name", HAMLET_NAME, POLICE_NAME, "Sai"),
            (sexed, "sex", flow["other_sex"], rec[sexed].text("sex"), "Đúng")])]
    assert all(o["police_file"] == "ca-goc-tra-ve.xlsx" for o in overruled)
    assert overruled[0]["police_file_row"] == one_call["listed"][overruled[0]["row"]]
    assert data["summary"]["overruled"] == 2 and data["summary"]["conflicts"] == 0
    changes = {(c["row"], c["field"]): c for c in data["changes"]}
    assert (sexed, "sex") not in changes
    assert changes[(named, "full_name")]["hamlet"] == POLICE_LABEL
    assert changes[(named, "full_name")]["file"] == "ca-goc-tra-ve.xlsx"
    assert changes[(fixed, "id_number")]["hamlet"] == POLICE_LABEL  # agreed: police's change
    assert changes[(flow["hamlet_only"], "full_name")]["hamlet"] != POLICE_LABEL
    assert [u["row"] for u in data["police"]["unresolved"]] == [flow["unresolved"]]
    kinds = {Path(f["path"]).name: f["kind"] for f in data["files"]}
    assert kinds["ca-goc-tra-ve.xlsx"] == "police"
    assert {k for n, k in kinds.items() if n != "ca-goc-tra-ve.xlsx"} == {"hamlet"}
    # the overruled values: a sheet of MERGED and a note on the cell
    rows = sheet_rows(out.output, SHEET_OVERRULED)
    assert [(r["Dòng"], r["Thôn/xóm đề nghị"], r["Công an xác định"], r["Tệp của thôn"])
            for r in rows] == [(o["row"], o["hamlet_value"], o["police_value"],
                                o["hamlet_file"]) for o in overruled]
    comment = ws.ws.cell(named, ws.col["Họ và tên"]).comment.text
    assert f"«{HAMLET_NAME}»" in comment and POLICE_LABEL in comment
    names = openpyxl.load_workbook(out.output).sheetnames
    assert len([n for n in names if n.startswith(SHEET_CHANGES)]) == 1


def test_one_call_is_order_independent(flow, one_call, tmp_path):
    again = merge_files(flow["src"], list(reversed(one_call["inputs"])), tmp_path / "r.xlsx",
                        today=TODAY)
    first = one_call["outcome"].report
    for key in ("changes", "conflicts"):
        assert again.report[key] == first[key]
    assert again.report["police"]["overruled"] == first["police"]["overruled"]


# --------------------------------------------------------------------------- refusals


def test_police_list_of_another_source_is_refused(flow, one_call, tmp_path):
    other = one_call["returned"]  # made from ORIGINAL, not from the merged list
    with pytest.raises(MergeError) as err:
        merge_files(flow["gop"], [other], tmp_path / "x.xlsx", today=TODAY)
    assert err.value.exit_code == 2
    assert "ds.xlsx" in err.value.message and "--force" in err.value.message
    assert not (tmp_path / "x.xlsx").exists()
    # beside the right police list: refused, the merge goes on
    both = merge_files(flow["gop"], [flow["returned"], other], tmp_path / "m.xlsx",
                       today=TODAY)
    files = {Path(f["path"]).name: f for f in both.report["files"]}
    assert files["ca-goc-tra-ve.xlsx"]["status"] == "refused"
    assert "--force" in files["ca-goc-tra-ve.xlsx"]["reason"]
    assert files["ca-tra-ve.xlsx"]["status"] == "merged"
    assert both.report["changes"] == flow["outcome"].report["changes"]
    assert both.summary.refused == 1 and both.report["police"]["files"] == [
        str(flow["returned"])]
    # --force: taken, its rows matched where the values agree
    forced = merge_files(flow["gop"], [other], tmp_path / "f.xlsx", today=TODAY, force=True)
    assert forced.report["files"][0]["status"] == "merged"
    assert "--force" in forced.report["files"][0]["reason"]
    assert forced.summary.police_corrected == 2


def test_lost_meta_sheet_known_by_its_keys(flow, one_call, tmp_path):
    def without_meta(path: Path, out: Path) -> Path:
        wb = openpyxl.load_workbook(path)
        del wb[P.META_SHEET]
        wb.save(out)
        return out

    ours = without_meta(flow["returned"], tmp_path / "ca-khong-meta.xlsx")
    outcome = merge_files(flow["gop"], [ours], tmp_path / "m.xlsx", today=TODAY)
    assert outcome.report["changes"] == [
        {**c, "file": "ca-khong-meta.xlsx"} for c in flow["outcome"].report["changes"]]
    other = without_meta(one_call["returned"], tmp_path / "khac-khong-meta.xlsx")
    with pytest.raises(MergeError) as err:
        merge_files(flow["gop"], [other], tmp_path / "x.xlsx", today=TODAY)
    assert "--force" in err.value.message


def test_police_list_beside_the_split_manifest(flow, tmp_path):
    """The police list dropped into the folder of the split (manifest of ORIGINAL, not of
    the merged list): the manifest is not this merge's business."""
    folder = tmp_path / "tra-ve"
    folder.mkdir()
    shutil.copy(flow["split"].manifest, folder / L.MANIFEST_NAME)
    shutil.copy(flow["returned"], folder)
    outcome = merge_files(flow["gop"], [folder], tmp_path / "m.xlsx", today=TODAY)
    assert outcome.report["changes"] == flow["outcome"].report["changes"]
    assert outcome.report["not_returned"] == [] and outcome.report["split_id"] == []


def test_two_police_copies_that_disagree_are_a_conflict(flow, tmp_path):
    copy = tmp_path / "ca-ban-sao.xlsx"
    fill_police(flow["returned"], copy, {flow["named"]: {NAME_OK: "Phạm Thị Bản Sao"}})
    outcome = merge_files(flow["gop"], [flow["returned"], copy], tmp_path / "m.xlsx",
                          today=TODAY)
    (conflict,) = outcome.report["conflicts"]
    assert (conflict["row"], conflict["field"], conflict["kind"]) == (
        flow["named"], "full_name", "police")
    assert sorted(p["value"] for p in conflict["proposals"]) == [
        "Phạm Thị Bản Sao", POLICE_NAME]
    ws = ListSheet(outcome.output, flow["header_row"])
    assert ws.value(flow["named"], "Họ và tên") == HAMLET_NAME  # the list's value is kept
    assert ws.value(flow["named"], "Số CCCD/CMND") == POLICE_ID  # both copies agree here


def test_cli_prints_the_police_counts(flow, tmp_path, capsys):
    parser = argparse.ArgumentParser(prog="vaxclean")
    add_merge_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["merge", str(flow["gop"]), str(flow["returned"]),
                              "-o", str(tmp_path / "m.xlsx")])
    assert args.func(args) in (0, 1)
    printed = capsys.readouterr().out
    assert "Đã gộp 1/1 tệp trả về" in printed
    for label, n in (("Công an xác nhận đúng", 3), ("Công an ghi thông tin đúng", 2),
                     ("Sai, chưa có thông tin đúng", 1)):
        line = next(x for x in printed.splitlines() if label in x)
        assert line.split()[-1] == str(n)


# --------------------------------------------------------------------------- LibreOffice


@pytest.mark.libreoffice
def test_police_list_resaved_by_libreoffice(flow, tmp_path):
    resaved = soffice_convert(flow["returned"], "xlsx", tmp_path / "lo")
    assert resaved.name == flow["returned"].name
    assert sha256_of(resaved) != sha256_of(flow["returned"])
    outcome = merge_files(flow["gop"], [resaved], tmp_path / "m.xlsx", today=TODAY)
    first = flow["outcome"].report
    assert outcome.report["changes"] == first["changes"]
    for key in ("verified", "corrected", "unresolved", "not_verified"):
        assert outcome.report["police"][key] == first["police"][key], key
    ws = ListSheet(outcome.output, flow["header_row"])
    assert ws.value(flow["named"], "Họ và tên") == POLICE_NAME
    assert ws.value(flow["idnum"], "Số CCCD/CMND") == "38190012345"
