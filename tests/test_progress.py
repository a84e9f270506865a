"""`vaxclean progress`: per-hamlet progress of each commune list, from the real outputs of
validate, split, (simulated) hamlet returns, merge, police-list, export-import, edit-list.

Every expected number is computed here from the JSON reports, manifests and library
outcomes directly (not through the progress module)."""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import re
import shutil
import zipfile
from collections import Counter
from pathlib import Path

import openpyxl
import pytest

from vaxclean_xl.cli.progress import add_progress_parser
from vaxclean_xl.commands import progress as PR
from vaxclean_xl.commands.demo import corrections_for, simulate_returns
from vaxclean_xl.commands.edit_list import edit_list
from vaxclean_xl.commands.export_import import export_import
from vaxclean_xl.commands.merge import merge_files
from vaxclean_xl.commands.police_list import police_list
from vaxclean_xl.commands.split import split_file
from vaxclean_xl.commands.validate import validate_file
from vaxclean_xl.core.model import Category
from vaxclean_xl.core.normalize import hamlet_key
from vaxclean_xl.core.validate import NO_HAMLET
from vaxclean_xl.errors import VaxcleanError
from vaxclean_xl.formats import police_list as P
from vaxclean_xl.formats import progress_workbook as PW
from vaxclean_xl.formats import worklist as W
from vaxclean_xl.formats.hamlet_file.layout import parse_key
from vaxclean_xl.sample import C_HAMLET, FIRST_DATA_ROW, SHEET, generate_sample
from vaxclean_xl.settings import Settings

TODAY = _dt.date(2024, 5, 1)
SETTINGS = Settings(commune="Xuân Lập", station="Trạm Y tế xã Xuân Lập")
GROUPS = ("NO_ID", "BAD_ID_FORMAT", "BAD_PERSONAL_INFO", "OK")
HEADERS = [h for _a, h in PW.COLUMNS]


# --------------------------------------------------------------------------- the pipeline


def _pipeline(work: Path, stem: str, seed: int, *, full: bool) -> dict:
    """validate → split → simulated returns (3 hamlets silent) → merge → police list (filled
    in part) → import file → worklist (some rows done); ``full=False`` stops after split."""
    work.mkdir(parents=True, exist_ok=True)
    src = work / f"{stem}.xlsx"
    generate_sample(src, rows=260, seed=seed, today=TODAY)
    vjson = work / f"{stem}.kiemtra.json"
    validate_file(src, work / f"{stem}.kiemtra.xlsx", vjson, today=TODAY)
    split = split_file(src, work / "gui-thon", settings=SETTINGS, today=TODAY)
    info: dict = {"src": src, "vjson": vjson, "manifest": split.manifest}
    if not full:
        return info
    by_row = {r.row: r for r in split.result.records}
    simulate_returns(work / "gui-thon", work / "thon-tra-ve", by_row, seed=seed, skip=3)
    merged = merge_files(src, [work / "thon-tra-ve"], work / f"{stem}.gop.xlsx",
                         work / f"{stem}.gop.json", today=TODAY)
    pol = police_list(merged.output, work / f"{stem}.congan.xlsx", settings=SETTINGS,
                      today=TODAY)
    verified = _fill_police(pol.output, work / f"{stem}.congan-tra-ve.xlsx")
    exp = export_import(merged.output, work / f"{stem}.import.xlsx", baseline=vjson,
                        settings=SETTINGS, today=TODAY)
    edit = edit_list(merged.output, work / f"{stem}.suatay.xlsx", baseline=src,
                     settings=SETTINGS, today=TODAY)
    edited = _mark_done(edit.output, every=3)
    info.update(merged=merged, merge_json=work / f"{stem}.gop.json", police=pol,
                verified=verified, export=exp, edit=edit, edited=edited)
    return info


def _fill_police(path: Path, out: Path) -> set[int]:
    """The police answer for every other record (Đúng/Sai alternately); return the source
    rows answered (from the keys)."""
    wb = openpyxl.load_workbook(path)
    ws = wb[P.DATA_SHEET]
    rows: set[int] = set()
    n = 0
    for r in range(P.FIRST_ROW, ws.max_row + 1):
        key = parse_key(ws.cell(r, P.KEY_COL + 1).value)
        if key is None:
            continue
        n += 1
        if n % 2:
            ws.cell(r, P.RESULT_COL + 1).value = "Đúng" if n % 4 == 1 else "Sai"
            rows.add(key[1])
    wb.save(out)
    return rows


def _mark_done(path: Path, every: int) -> set[int]:
    """Mark every ``every``-th worklist row "Có" (as staff would); return the list rows."""
    wb = openpyxl.load_workbook(path)
    ws = wb[W.SHEET]
    done: set[int] = set()
    i = 0
    for r in range(W.FIRST_ROW, ws.max_row + 1):
        row = ws.cell(r, W.ROW_COL + 1).value
        if not isinstance(row, int):
            continue
        if i % every == 0:
            ws.cell(r, W.DONE_COL + 1).value = "Có"
            done.add(row)
        i += 1
    wb.save(path)
    return done


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    base = tmp_path_factory.mktemp("progress")
    a = _pipeline(base / "xa-a", "danh-sach-xa-a", seed=11, full=True)
    b = _pipeline(base / "xa-b", "danh-sach-xa-b", seed=12, full=False)
    return {"base": base, "a": a, "b": b}


# --------------------------------------------------------------------------- expectations


def _row_hamlets(src: Path, manifest: dict) -> dict[int, str]:
    """Row -> hamlet display name: the manifest's for sent rows, else the list's own cell
    (grouped by case/spaces, named by the manifest or the most frequent spelling)."""
    by_row: dict[int, str] = {}
    display: dict[str, str] = {}
    for h in manifest["hamlets"]:
        display.setdefault(hamlet_key(h["hamlet"]), h["hamlet"])
        for rec in h["records"]:
            by_row[rec["row"]] = h["hamlet"]
    ws = openpyxl.load_workbook(src, read_only=True)[SHEET]
    cells: dict[int, str] = {}
    for r, values in enumerate(ws.iter_rows(min_row=FIRST_DATA_ROW, values_only=True),
                               start=FIRST_DATA_ROW):
        if values[1] is None and values[C_HAMLET] is None:
            continue
        cells[r] = " ".join(str(values[C_HAMLET] or "").split())
    spellings: dict[str, Counter] = {}
    for text in cells.values():
        spellings.setdefault(hamlet_key(text), Counter())[text] += 1
    for r, text in cells.items():
        key = hamlet_key(text)
        if r not in by_row:
            by_row[r] = (NO_HAMLET if not key else
                         display.get(key) or spellings[key].most_common(1)[0][0])
    return by_row


def _expected(info: dict) -> tuple[dict[str, dict], dict]:
    """Per hamlet, every column of the progress table, from the outputs themselves."""
    report = json.loads(info["vjson"].read_text(encoding="utf-8"))
    manifest = json.loads(info["manifest"].read_text(encoding="utf-8"))
    hamlet = _row_hamlets(info["src"], manifest)
    exp: dict[str, dict] = {}

    def line(name: str) -> dict:
        return exp.setdefault(name, {"groups": Counter(), "files": 0, "sent": 0,
                                     "returned": None, "changes": 0, "police": 0,
                                     "exported": 0, "edited": 0, "open": 0})

    errors0 = set()
    for rec in report["records"]:
        line(hamlet[rec["row"]])["groups"][rec["category"]] += 1
        if rec["category"] != "OK":
            errors0.add(rec["row"])
    for h in manifest["hamlets"]:
        e = line(h["hamlet"])
        e["files"] += 1
        e["sent"] += len(h["records"])
        e["returned"] = False
    merged_json = None
    if "merge_json" in info:
        merged_json = json.loads(info["merge_json"].read_text(encoding="utf-8"))
        for f in merged_json["files"]:
            if f["status"] == "merged":
                line(f["hamlet"])["returned"] = True
        for ch in merged_json["changes"]:
            line(ch["hamlet"])["changes"] += 1
        for row in info["verified"]:
            line(hamlet[row])["police"] += 1
        for row, _out_row in info["export"].written_rows:
            line(hamlet[row])["exported"] += 1
        for row in info["edited"]:
            line(hamlet[row])["edited"] += 1
        after = {rec.row: rec.category.value for rec in info["merged"].result.records}
        still = {r for r in errors0 if after[r] != "OK"}
    else:
        still = errors0
    for r in still:
        line(hamlet[r])["open"] += 1
    return exp, {"errors0": errors0, "still": still, "merge": merged_json}


def _sheet_table(ws) -> tuple[dict[str, list], list, int]:
    """(hamlet -> row values by header, total row values, header row) of one sheet."""
    rows = list(ws.iter_rows(values_only=True))
    top = next(i for i, r in enumerate(rows) if r[0] == "Thôn/xóm")
    heads = [rows[top][c] if rows[top][c] and not rows[top + 1][c] else rows[top + 1][c]
             for c in range(len(HEADERS))]
    assert heads == HEADERS
    table: dict[str, list] = {}
    for r in rows[top + 2:]:
        if r[0] == PW.TOTAL_LABEL:
            return table, list(r[:len(HEADERS)]), top
        table[r[0]] = list(r[:len(HEADERS)])
    raise AssertionError("no total row")


def _as_expected_row(e: dict) -> list:
    returned = "" if e["returned"] is None else ("Có" if e["returned"] else "Chưa")
    return [*(e["groups"][g] for g in GROUPS), e["files"], e["sent"], returned, e["changes"],
            e["police"], e["exported"], e["edited"], e["open"]]


def _cells(values: list) -> list:
    return ["" if v is None else v for v in values[1:]]


# --------------------------------------------------------------------------- tests


def test_one_list_per_hamlet_numbers_match_the_outputs(runs, tmp_path):
    a = runs["a"]
    out = tmp_path / "tien-do.xlsx"
    outcome = PR.progress([a["src"].parent], out)
    assert [lst.name for lst in outcome.lists] == [a["src"].name]
    lst = outcome.lists[0]
    assert lst.sheet == "danh-sach-xa-a" and lst.open_per_hamlet
    assert lst.sha256 == json.loads(a["manifest"].read_text(encoding="utf-8"))["source"]["sha256"]
    # every kind of output was found and linked to this list (the police lists were made
    # from the MERGED list: linked through the merge's output)
    assert {k: len(v) for k, v in lst.used.items()} == {
        "validation": 1, "manifest": 1, "merge": 1, "police": 2, "import": 1, "worklist": 1}
    assert outcome.warnings == []

    expected, facts = _expected(a)
    ws = openpyxl.load_workbook(out, data_only=True)[lst.sheet]
    table, total, _top = _sheet_table(ws)
    assert set(table) == set(expected)
    for name, e in expected.items():
        assert _cells(table[name]) == _as_expected_row(e), name
    # the scenario exercises every column
    assert sum(e["police"] for e in expected.values()) == len(a["verified"]) > 0
    assert sum(e["edited"] for e in expected.values()) == len(a["edited"]) > 0
    assert a["export"].written > 0
    assert sum(1 for e in expected.values() if e["returned"] is False) == 3
    assert 0 < len(facts["still"]) < len(facts["errors0"])
    # hamlets follow the police list's order (numbers numerically, no hamlet last)
    assert list(table) == [h.hamlet for h in lst.hamlets]

    # total row: sums of the columns, returned = hamlets that answered
    v = json.loads(a["vjson"].read_text(encoding="utf-8"))["summary"]
    merge = facts["merge"]
    assert _cells(total) == [
        v["NO_ID"], v["BAD_ID_FORMAT"], v["BAD_PERSONAL_INFO"], v["OK"],
        len(json.loads(a["manifest"].read_text(encoding="utf-8"))["hamlets"]),
        sum(e["sent"] for e in expected.values()),
        sum(1 for f in merge["files"] if f["status"] == "merged"),
        merge["summary"]["changes"], len(a["verified"]), a["export"].written,
        len(a["edited"]), len(facts["still"])]
    assert lst.total.open == len(facts["still"])
    assert lst.total.errors == v["records"] - v["OK"]
    # totals are live formulas over the hamlet rows
    wsf = openpyxl.load_workbook(out)[lst.sheet]
    total_row = next(r for r in wsf.iter_rows() if r[0].value == PW.TOTAL_LABEL)
    assert str(total_row[1].value).startswith("=SUM(")
    assert str(total_row[PW.COL["returned"]].value).startswith('=COUNTIF(')


def test_chart_of_open_records_per_hamlet(runs, tmp_path):
    out = tmp_path / "tien-do.xlsx"
    outcome = PR.progress([runs["a"]["src"].parent], out)
    with zipfile.ZipFile(out) as z:
        charts = [n for n in z.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n)]
        assert len(charts) == 1
        xml = z.read(charts[0]).decode("utf-8")
        drawing_rels = [n for n in z.namelist() if n.startswith("xl/drawings/_rels/")]
        assert drawing_rels and "chart1.xml" in z.read(drawing_rels[0]).decode("utf-8")
    assert "<c:barDir val=\"bar\"/>" in xml and "<c:grouping val=\"clustered\"/>" in xml
    lst = outcome.lists[0]
    col = openpyxl.utils.get_column_letter(PW.COL["open"] + 1)
    first = PW.HEADER_TOP_ROW + 3  # 1-based: two header rows below HEADER_TOP_ROW (0-based)
    last = first + len(lst.hamlets) - 1
    assert f"'{lst.sheet}'!${col}${first}:${col}${last}" in xml or \
        f"{lst.sheet}!${col}${first}:${col}${last}" in xml
    assert f"!$A${first}:$A${last}" in xml


def test_two_source_lists_give_two_sheets(runs, tmp_path):
    out = tmp_path / "tien-do.xlsx"
    outcome = PR.progress([runs["base"]], out)
    assert [lst.sheet for lst in outcome.lists] == ["danh-sach-xa-a", "danh-sach-xa-b"]
    wb = openpyxl.load_workbook(out, data_only=True)
    assert wb.sheetnames == ["danh-sach-xa-a", "danh-sach-xa-b"]
    # list B was only validated and split: nothing returned, open = errors at validation
    b = runs["b"]
    expected, facts = _expected(b)
    table, total, _top = _sheet_table(wb["danh-sach-xa-b"])
    for name, e in expected.items():
        assert _cells(table[name]) == _as_expected_row(e), name
    assert all(e["returned"] in (None, False) for e in expected.values())
    assert total[PW.COL["open"]] == len(facts["errors0"])
    assert total[PW.COL["returned"]] == 0
    assert [lst.used["merge"] for lst in outcome.lists][1] == []
    # list A's numbers do not change when list B is beside it
    alone = PR.progress([runs["a"]["src"].parent], tmp_path / "a.xlsx").lists[0]
    assert outcome.warnings == []  # the worklist and import report found their list

    def key(lst):
        return [(h.hamlet, h.groups, h.open, h.changes, h.police_verified, h.exported,
                 h.edited) for h in lst.hamlets]

    assert key(outcome.lists[0]) == key(alone)


def test_files_named_one_by_one_and_input_order(runs, tmp_path):
    a = runs["a"]
    named = [a["merge_json"], a["manifest"], a["vjson"]]
    one = PR.progress(named, tmp_path / "x.xlsx").lists[0]
    two = PR.progress(list(reversed(named)), tmp_path / "y.xlsx").lists[0]
    assert [(h.hamlet, h.groups, h.open, h.changes) for h in one.hamlets] == \
        [(h.hamlet, h.groups, h.open, h.changes) for h in two.hamlets]
    expected, _facts = _expected(a)
    got = {h.hamlet: h for h in one.hamlets}
    for name, e in expected.items():
        assert got[name].open == e["open"] and got[name].changes == e["changes"]
        assert got[name].police_verified == 0  # no police list given


def test_police_list_of_the_original_list(runs, tmp_path):
    """A police list made from the ORIGINAL list (not the merged one) joins by its hash."""
    a = runs["a"]
    pol = police_list(a["src"], tmp_path / "cong-an.xlsx", settings=SETTINGS, today=TODAY)
    rows = _fill_police(pol.output, tmp_path / "cong-an-tra-ve.xlsx")
    report = json.loads(a["vjson"].read_text(encoding="utf-8"))
    assert len(pol.records) == sum(1 for r in report["records"] if r["category"] != "OK")
    outcome = PR.progress([a["vjson"], a["manifest"], tmp_path], tmp_path / "x.xlsx")
    assert len(outcome.lists) == 1
    lst = outcome.lists[0]
    assert len(lst.used["police"]) == 2
    hamlet = _row_hamlets(a["src"], json.loads(a["manifest"].read_text(encoding="utf-8")))
    want = Counter(hamlet[r] for r in rows)
    assert {h.hamlet: h.police_verified for h in lst.hamlets if h.police_verified} == want


def test_source_list_gone_hamlets_from_the_manifest(runs, tmp_path):
    """The validation report's list was deleted: the report joins the split's list through
    the path the manifest recorded; sent records keep their hamlet, the others cannot."""
    src = tmp_path / "ds.xlsx"
    shutil.copy(runs["b"]["src"], src)
    vjson = tmp_path / "ds.json"
    validate_file(src, tmp_path / "ds.kiemtra.xlsx", vjson, today=TODAY)
    split = split_file(src, tmp_path / "gui", settings=SETTINGS, today=TODAY)
    manifest = json.loads(split.manifest.read_text(encoding="utf-8"))
    src.unlink()
    lst = PR.progress([vjson, split.manifest], tmp_path / "x.xlsx").lists[0]
    assert lst.used["validation"] == [vjson] and lst.source is None
    report = json.loads(vjson.read_text(encoding="utf-8"))
    got = {h.hamlet: h for h in lst.hamlets}
    for h in manifest["hamlets"]:
        line = got[h["hamlet"]]
        assert line.records_sent == line.open == len(h["records"])
        assert line.groups.get(Category.OK, 0) == 0
    unknown = got[PW.UNKNOWN_HAMLET]
    assert unknown.groups == {Category.OK: report["summary"]["OK"]}
    assert lst.total.open == report["summary"]["records"] - report["summary"]["OK"]


def _fill_police_with_values(path: Path, out: Path, records: dict) -> set[int]:
    """Every record answered: Sai with the correct values (as read off the population
    database) where the police have them, Đúng otherwise."""
    import random

    rnd = random.Random(5)
    wb = openpyxl.load_workbook(path)
    ws = wb[P.DATA_SHEET]
    rows: set[int] = set()
    for r in range(P.FIRST_ROW, ws.max_row + 1):
        key = parse_key(ws.cell(r, P.KEY_COL + 1).value)
        if key is None:
            continue
        fixes = corrections_for(records[key[1]], rnd)
        ws.cell(r, P.RESULT_COL + 1).value = "Sai" if fixes else "Đúng"
        for f, value in fixes.items():
            ws.cell(r, P.CORRECT_COL[f] + 1).value = value
        rows.add(key[1])
    wb.save(out)
    return rows


def test_police_returns_merged_into_the_merged_list(runs, tmp_path):
    """Second merge: the police's returned list into the merged list (the merge report's
    police block). Its changes count in the records' hamlets, not in a 'police' line; open
    follows the second merge."""
    a = runs["a"]
    first = a["merged"]
    answered = _fill_police_with_values(a["police"].output, tmp_path / "cong-an-xong.xlsx",
                                        {r.row: r for r in first.result.records})
    second = merge_files(first.output, [tmp_path / "cong-an-xong.xlsx"],
                         tmp_path / "gop-2.xlsx", tmp_path / "gop-2.json", today=TODAY)
    outcome = PR.progress([a["src"].parent, tmp_path / "gop-2.json"], tmp_path / "x.xlsx")
    assert len(outcome.lists) == 1 and outcome.warnings == []
    lst = outcome.lists[0]
    assert len(lst.used["merge"]) == 2
    manifest = json.loads(a["manifest"].read_text(encoding="utf-8"))
    hamlet = _row_hamlets(a["src"], manifest)
    hamlets = {h.hamlet: h for h in lst.hamlets}
    assert set(hamlets) <= set(hamlet.values()) | {PW.UNKNOWN_HAMLET}  # no 'police' line
    # police: every row answered on any copy (the filled copy is found through the report)
    want_police = Counter(hamlet[r] for r in answered | a["verified"])
    assert {n: h.police_verified for n, h in hamlets.items() if h.police_verified} == \
        want_police
    # changes: distinct cells over both merges, in the record's hamlet
    cells = {(c["row"], c["field"]) for m in (first, second) for c in m.report["changes"]}
    want_changes = Counter(hamlet[r] for r, _f in cells)
    assert {n: h.changes for n, h in hamlets.items() if h.changes} == want_changes
    # open: errors at validation still wrong after the SECOND merge
    report = json.loads(a["vjson"].read_text(encoding="utf-8"))
    after = {rec.row: rec.category for rec in second.result.records}
    still = [r["row"] for r in report["records"]
             if r["category"] != "OK" and after[r["row"]] is not Category.OK]
    assert {n: h.open for n, h in hamlets.items() if h.open} == Counter(hamlet[r] for r in still)
    assert lst.total.open == len(still) < len(_expected(a)[1]["still"])


def test_import_file_named_alone_follows_its_report(runs, tmp_path):
    a = runs["a"]
    lst = PR.progress([a["vjson"], a["export"].output], tmp_path / "x.xlsx").lists[0]
    assert lst.used["import"] == [a["export"].report]
    assert lst.total.exported == a["export"].written


def test_without_validation_report_open_from_errors_only_manifest(runs, tmp_path):
    a = runs["a"]
    lst = PR.progress([a["manifest"], a["merge_json"]], tmp_path / "x.xlsx").lists[0]
    assert not lst.with_groups
    _expected_rows, facts = _expected(a)
    assert lst.total.errors == len(facts["errors0"])  # the split sent every error record
    assert lst.total.open == len(facts["still"])
    ws = openpyxl.load_workbook(tmp_path / "x.xlsx", data_only=True)[lst.sheet]
    table, total, _top = _sheet_table(ws)
    assert all(v[1:5] == [None] * 4 for v in table.values())


def test_merged_output_gone_gives_only_an_estimated_total(runs, tmp_path):
    a = runs["a"]
    copy = tmp_path / "copy"
    copy.mkdir()
    for p in (a["vjson"], a["manifest"]):
        shutil.copy(p, copy / p.name)
    data = json.loads(a["merge_json"].read_text(encoding="utf-8"))
    data["output"] = str(tmp_path / "gone" / "da-gop.xlsx")
    (copy / "gop.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "x.xlsx"
    lst = PR.progress([copy], out).lists[0]
    assert not lst.open_per_hamlet
    assert all(h.open is None for h in lst.hamlets)
    v = data["validation"]
    _rows, facts = _expected(a)
    assert lst.total.open == min(len(facts["errors0"]), v["records"] - v["OK"])
    ws = openpyxl.load_workbook(out, data_only=True)[lst.sheet]
    table, total, _top = _sheet_table(ws)
    assert all(row[PW.COL["open"]] is None for row in table.values())
    assert total[PW.COL["open"]] == lst.total.open
    with zipfile.ZipFile(out) as z:
        assert not [n for n in z.namelist() if n.startswith("xl/charts/")]


def test_merge_police_block_read_defensively(runs, tmp_path):
    a = runs["a"]
    data = json.loads(a["merge_json"].read_text(encoding="utf-8"))
    rows = sorted({ch["row"] for ch in data["changes"]})[:4]
    data["police"] = {"verified": [{"row": r, "verdict": "Đúng"} for r in rows]
                      + [{"row": 99999, "verdict": "?"}, "junk"], "files": "junk"}
    merge_json = tmp_path / "gop.json"
    merge_json.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    lst = PR.progress([a["vjson"], a["manifest"], merge_json], tmp_path / "x.xlsx").lists[0]
    assert lst.total.police_verified == len(rows)
    data["police"] = "not a block"
    merge_json.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    lst = PR.progress([a["vjson"], merge_json], tmp_path / "y.xlsx").lists[0]
    assert lst.total.police_verified == 0


def test_sheet_names_unique_and_short():
    names = PW.sheet_names_for(["a" * 40, "a" * 40, "A" * 40, "x[1]:y", "History", ""])
    assert all(len(n) <= 31 for n in names)
    assert len({n.casefold() for n in names}) == len(names)
    assert names[0] == "a" * 31 and names[1].endswith(" (2)") and names[2].endswith(" (3)")
    assert names[3] == "x-1--y" and names[4] != "History" and names[5] == "Danh sách"


def test_unreadable_inputs_exit_2(runs, tmp_path):
    with pytest.raises(VaxcleanError) as exc:
        PR.progress([tmp_path / "khong-co"], tmp_path / "x.xlsx")
    assert exc.value.exit_code == 2 and "Không tìm thấy" in exc.value.message
    bad = tmp_path / "hong.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(VaxcleanError) as exc:
        PR.progress([bad], tmp_path / "x.xlsx")
    assert exc.value.exit_code == 2
    other = tmp_path / "khac.json"
    other.write_text('{"schema": "something/1"}', encoding="utf-8")
    with pytest.raises(VaxcleanError):
        PR.progress([other], tmp_path / "x.xlsx")
    junk = tmp_path / "hong.xlsx"
    junk.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(VaxcleanError) as exc:
        PR.progress([junk], tmp_path / "x.xlsx")
    assert exc.value.exit_code == 2
    empty = tmp_path / "trong"
    empty.mkdir()
    with pytest.raises(VaxcleanError) as exc:
        PR.progress([empty], tmp_path / "x.xlsx")
    assert exc.value.exit_code == 2
    assert not (tmp_path / "x.xlsx").exists()
    # broken files inside a folder are passed over, not fatal
    folder = tmp_path / "lan"
    folder.mkdir()
    shutil.copy(runs["a"]["vjson"], folder / "bao-cao.json")
    shutil.copy(bad, folder / "hong.json")
    shutil.copy(junk, folder / "hong.xlsx")
    outcome = PR.progress([folder], tmp_path / "x.xlsx")
    assert len(outcome.lists) == 1
    assert {p.name for p in outcome.skipped} >= {"hong.json", "hong.xlsx"}


def test_output_never_overwrites_an_input(runs, tmp_path):
    report = runs["a"]["export"].report
    before = report.read_bytes()
    with pytest.raises(VaxcleanError) as exc:
        PR.progress([runs["a"]["vjson"], report], report)
    assert exc.value.exit_code == 2 and report.read_bytes() == before
    with pytest.raises(VaxcleanError):
        PR.progress([runs["a"]["vjson"]], tmp_path / "x.csv")


def test_cli_summary_in_vietnamese(runs, tmp_path, capsys):
    parser = argparse.ArgumentParser(prog="vaxclean")
    sub = parser.add_subparsers(dest="command", required=True)
    add_progress_parser(sub)
    out = tmp_path / "tien-do.xlsx"
    args = parser.parse_args(["progress", str(runs["base"]), "-o", str(out)])
    assert args.func(args) == 0
    text = capsys.readouterr().out
    assert "Đã lập báo cáo tiến độ cho 2 danh sách" in text
    assert "«danh-sach-xa-a»" in text and "còn tồn" in text and str(out) in text
    assert out.is_file()


def _cli_main(monkeypatch):
    """``vaxclean``'s own main, with ``progress`` registered the way cli.py registers the
    other commands (one line), if it is not there yet."""
    from vaxclean_xl import cli

    build = cli.build_parser

    def with_progress():
        parser = build()
        sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        if "progress" not in sub.choices:
            add_progress_parser(sub)
        return parser

    monkeypatch.setattr(cli, "build_parser", with_progress)
    return cli.main


def test_cli_exit_codes(runs, tmp_path, capsys, monkeypatch):
    main = _cli_main(monkeypatch)
    out = tmp_path / "tien-do.xlsx"
    assert main(["progress", str(runs["a"]["src"].parent), "-o", str(out)]) == 0
    assert "Đã lập báo cáo tiến độ cho 1 danh sách" in capsys.readouterr().out
    assert main(["progress", str(tmp_path / "khong-co.json"), "-o", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("Lỗi: Không tìm thấy")


def test_an_output_in_a_folder_read_is_never_an_input(runs, tmp_path):
    """A file progress or merge would read from a folder given to it is refused as the
    output (it used to be overwritten: a police list, a hamlet's returned file, the
    manifest), with the input unchanged; their own earlier output there may be replaced."""
    work = tmp_path / "xa-a"
    shutil.copytree(runs["a"]["src"].parent, work)
    police = work / "danh-sach-xa-a.congan.xlsx"
    before = police.read_bytes()
    with pytest.raises(VaxcleanError) as err:
        PR.progress([work], police)
    assert err.value.code == "E201" and "làm mất tệp này" in err.value.message
    assert police.read_bytes() == before
    # progress replaces its own earlier report in the folder it reads
    PR.progress([work], work / "tien-do.xlsx")
    assert PW.is_progress_workbook(work / "tien-do.xlsx")
    PR.progress([work], work / "tien-do.xlsx")

    returned = sorted((work / "thon-tra-ve").glob("*.xlsx"))[0]
    kept = returned.read_bytes()
    src = work / "danh-sach-xa-a.xlsx"
    for out, rep in ((returned, None), (work / "gop2.xlsx", returned)):
        with pytest.raises(VaxcleanError) as err:
            merge_files(src, [work / "thon-tra-ve"], out, rep, today=TODAY)
        assert err.value.code == "E201"
    with pytest.raises(VaxcleanError) as err:  # the file named directly as well
        merge_files(src, [returned], returned, today=TODAY)
    assert err.value.code == "E201"
    manifest = work / "gui-thon" / "manifest.json"
    manifest_bytes = manifest.read_bytes()
    with pytest.raises(VaxcleanError) as err:
        merge_files(src, [work / "thon-tra-ve", manifest], work / "gop3.xlsx", manifest,
                    today=TODAY)
    assert err.value.code == "E201"
    assert returned.read_bytes() == kept and manifest.read_bytes() == manifest_bytes
    # an earlier MERGED in the returned folder may be replaced by the next merge
    inside = work / "thon-tra-ve" / "ket-qua.xlsx"
    merge_files(src, [work / "thon-tra-ve"], inside, today=TODAY)
    merge_files(src, [work / "thon-tra-ve"], inside, today=TODAY)
    assert returned.read_bytes() == kept
