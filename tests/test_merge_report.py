"""The merge report (``vaxclean.merge/1``) round-trips through its typed record.

A real hamlet merge and a real police merge of its output (changes, conflicts, held-back
corrections, missing records, hamlets that sent nothing, the police block with earlier
changes) are written by ``merge_files``; reading each JSON file back gives a record equal to
the one the merge built, and writing that record again gives the file's text byte for byte.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import openpyxl
import pytest

from vaxclean_xl.commands.demo import simulate_police_return, simulate_returns
from vaxclean_xl.commands.merge import merge_files
from vaxclean_xl.commands.police_list import police_list
from vaxclean_xl.commands.split import split_file
from vaxclean_xl.formats.hamlet_file import layout as L
from vaxclean_xl.formats.hamlet_file.writer import CORR_COL
from vaxclean_xl.formats.merge_report import (
    SCHEMA,
    MergeReport,
    MergeSummary,
    PoliceBlock,
    read_change_log,
)
from vaxclean_xl.sample import generate_sample


def _second_copy(returned: Path, target: Path) -> None:
    """Another answer for the same hamlet: other names (conflicts), an ID that breaks a
    valid one (held back), a row deleted (missing) and a person typed under the list."""
    wb = openpyxl.load_workbook(returned)
    ws = wb[L.DATA_SHEET]
    rows = [r for r in range(L.FIRST_ROW, ws.max_row + 1) if L.parse_key(ws.cell(r, 1).value)]
    for r in rows[:-1]:
        name = ws.cell(r, CORR_COL["full_name"] + 1)
        if name.value:
            name.value = "Nguyễn Văn Khác"  # two names for one cell: a conflict
        # another ID over a corrected one is a conflict, over a valid one it is held back
        ws.cell(r, CORR_COL["id_number"] + 1).value = "123"
    last = rows[-1]
    ws.delete_rows(last)
    ws.cell(last + 5, CORR_COL["full_name"] + 1).value = "Trần Thị Mới"
    ws.cell(last + 5, CORR_COL["dob"] + 1).value = "01/02/1990"
    wb.save(target)


@pytest.fixture(scope="module")
def merges(tmp_path_factory):
    """A sample list split, returned, merged; its police list returned and merged."""
    work = tmp_path_factory.mktemp("merge-report")
    src = work / "danh-sach.xlsx"
    generate_sample(src, rows=240, seed=7)
    split = split_file(src, work / "gui")
    by_row = {r.row: r for r in split.result.records}
    returned = simulate_returns(work / "gui", work / "tra-ve", by_row, seed=7)
    _second_copy(returned[0], work / "tra-ve" / "ban-sao.xlsx")
    merged = merge_files(src, [work / "tra-ve", work / "gui" / "manifest.json"],
                         work / "gop.xlsx", work / "gop.json")
    police = police_list(work / "gop.xlsx", work / "cong-an.xlsx")
    back = simulate_police_return(police.output, work / "cong-an-tra-ve.xlsx",
                                  {r.row: r for r in police.result.records}, seed=7)
    final = merge_files(work / "gop.xlsx", [back], work / "cuoi.xlsx", work / "cuoi.json")
    return {"hamlets": (merged, work / "gop.json"), "police": (final, work / "cuoi.json")}


@pytest.mark.parametrize("which", ["hamlets", "police"])
def test_report_round_trips(merges, which):
    outcome, path = merges[which]
    text = path.read_text(encoding="utf-8")
    report = MergeReport.read(path)
    assert report == outcome.merge_report
    assert report.to_json() == text  # same keys, same order, same values
    assert report.to_dict() == json.loads(text) == outcome.report
    assert MergeReport.from_json(report.to_json()) == report


def test_report_holds_what_the_merges_did(merges):
    hamlets = merges["hamlets"][0].merge_report
    police = merges["police"][0].merge_report
    assert hamlets.schema == SCHEMA and hamlets.changes and hamlets.files
    assert hamlets.conflicts and hamlets.rejected and hamlets.added and hamlets.missing
    assert hamlets.not_returned and hamlets.notes
    assert hamlets.summary.changes == len(hamlets.changes)
    assert all(f.path.is_file() for f in hamlets.files)
    # the police merge carries the first merge's change log, as MERGED's sheet holds it
    assert police.earlier_changes == read_change_log(merges["police"][0].output)[
        :len(police.earlier_changes)]
    assert [(c.row, c.field, c.new) for c in police.earlier_changes] == [
        (c.row, c.field, c.new) for c in hamlets.changes]
    assert police.summary.police_files == 1 and police.police.files


def test_older_and_odd_reports_are_read():
    """A report missing later keys reads with empty values; a police block of another shape
    (rows listed instead of counted, or not a block at all) is read defensively."""
    old = {"schema": SCHEMA, "source": {"path": "a.xlsx", "sha256": "ab"},
           "changes": [{"row": 7, "field": "dob", "old": "", "new": "01/02/1990",
                        "file": "x.xlsx", "hamlet": "Xóm Đông", "file_row": 3,
                        "match": "key"}],
           "police": {"verified": [{"row": 5, "verdict": "Đúng"}, {"row": 6, "verdict": "?"},
                                   "junk"], "files": "junk"}}
    report = MergeReport.from_dict(old)
    assert report.rejected == [] and report.earlier_changes == []
    assert report.summary == MergeSummary(**{f.name: 0 for f in dataclasses.fields(MergeSummary)})
    assert report.changes[0].new == "01/02/1990"
    assert report.police.verified == 0 and report.police.files == []
    assert report.police.listed_rows == {5}
    assert PoliceBlock.from_json("not a block") == PoliceBlock()
    with pytest.raises(ValueError):
        MergeReport.from_dict({"schema": "vaxclean.split/1"})
    with pytest.raises(TypeError):
        MergeReport.from_dict({**old, "changes": [{"row": "seven"}]})
