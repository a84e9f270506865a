"""Issue 9.1: `split` never destroys work already out in the hamlets.

A second split of the same list into the same folder reuses it (an edited file is kept
byte for byte, a missing one is written again), a split of another list or with other
options is refused with a Vietnamese message and nothing written, ``--new-round`` starts a
new round in 'lan-N', and `merge` takes the returned files of every round."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest

from tests.conftest import HAMLETS, Sheet, make_original, records_of, row_of, sha256_of
from tests.conftest import ORIGINAL_TODAY as TODAY
from vaxclean_xl.cli import main
from vaxclean_xl.commands.merge import merge_files
from vaxclean_xl.commands.split import split_file
from vaxclean_xl.formats.hamlet_file import layout as L

pytestmark = pytest.mark.usefixtures("log_dir")


def snapshot(folder: Path) -> dict[str, str]:
    """Every file below ``folder`` with its SHA-256 (what a second split must not touch)."""
    return {str(p.relative_to(folder)): sha256_of(p)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_second_split_reuses_folder_and_keeps_edited_file(tmp_path, capsys):
    src = make_original(tmp_path / "ds.xlsx")
    out = tmp_path / "gui-thon"
    assert main(["split", str(src), "-d", str(out), "--all"]) == 0
    first = out / "Xom-Dong.xlsx"
    s = Sheet(first)
    s.set(records_of("Xóm Đông")[0], "Họ và tên (sửa)", "Nguyễn Văn Sửa")
    s.save()
    before = snapshot(out)
    capsys.readouterr()
    assert main(["split", str(src), "-d", str(out), "--all"]) == 0
    said = capsys.readouterr().out
    assert snapshot(out) == before  # nothing replaced, the manifest included
    assert "không ghi lại tệp nào" in said
    assert "Xom-Dong.xlsx" in said and "đã có chỉnh sửa, giữ nguyên" in said
    ws = openpyxl.load_workbook(first)[L.DATA_SHEET]
    assert any(c.value == "Nguyễn Văn Sửa" for row in ws.iter_rows() for c in row)


def test_second_split_writes_only_missing_files(tmp_path):
    src = make_original(tmp_path / "ds.xlsx")
    out = tmp_path / "gui-thon"
    split_file(src, out, all_records=True, today=TODAY)
    (out / "Xom-Tay.xlsx").unlink()
    others = {k: v for k, v in snapshot(out).items() if k != L.MANIFEST_NAME}
    again = split_file(src, out, all_records=True, today=TODAY)
    assert [p.name for p in again.written] == ["Xom-Tay.xlsx"]
    assert again.reused
    now = snapshot(out)
    assert {k: now[k] for k in others} == others
    manifest = json.loads((out / L.MANIFEST_NAME).read_text("utf-8"))
    entry = next(h for h in manifest["hamlets"] if h["file"] == "Xom-Tay.xlsx")
    assert entry["sha256"] == now["Xom-Tay.xlsx"]


def test_split_of_another_list_is_refused_and_writes_nothing(tmp_path, capsys):
    src = make_original(tmp_path / "ds.xlsx")
    other = make_original(tmp_path / "ds-khac.xlsx", title="AN PHÚ")
    out = tmp_path / "gui-thon"
    assert main(["split", str(src), "-d", str(out)]) == 0
    before = snapshot(out)
    capsys.readouterr()
    assert main(["split", str(other), "-d", str(out)]) == 2
    err = capsys.readouterr().err
    assert "của một danh sách khác" in err and "--new-round" in err
    assert "Traceback" not in err
    # the same list with other options is another split too
    assert main(["split", str(src), "-d", str(out), "--all"]) == 2
    assert "lựa chọn khác" in capsys.readouterr().err
    assert snapshot(out) == before


def test_files_without_manifest_are_never_replaced(tmp_path, capsys):
    src = make_original(tmp_path / "ds.xlsx")
    out = tmp_path / "gui-thon"
    out.mkdir()
    wb = openpyxl.Workbook()
    wb.active["A1"] = "bảng của xã"
    wb.save(out / "Xom-Dong.xlsx")
    before = snapshot(out)
    assert main(["split", str(src), "-d", str(out), "--all"]) == 2
    err = capsys.readouterr().err
    assert "«Xom-Dong.xlsx»" in err and "không ghi đè" in err
    assert snapshot(out) == before


def test_new_round_in_its_own_folder_and_merge_takes_both_rounds(tmp_path, capsys):
    src = make_original(tmp_path / "ds.xlsx")
    out = tmp_path / "gui-thon"
    one = split_file(src, out, all_records=True, today=TODAY)
    before = snapshot(out)
    assert main(["split", str(src), "-d", str(out), "--all", "--new-round"]) == 0
    assert "lần chia 2" in capsys.readouterr().out
    two_dir = out / "lan-2"
    assert {k: v for k, v in snapshot(out).items() if not k.startswith("lan-2")} == before
    m2 = json.loads((two_dir / L.MANIFEST_NAME).read_text("utf-8"))
    assert m2["round"] == 2 and m2["split_id"] != one.split_id
    assert m2["split_id"] == L.split_id_for(L.sha256_file(src), True, 2)
    # a third round goes to lan-3
    three = split_file(src, out, all_records=True, today=TODAY, new_round=True)
    assert three.folder == out / "lan-3" and three.round_no == 3

    # Xóm Đông answers in round 1, Xóm Tây in round 2 (its first file was lost)
    dong, tay = records_of("Xóm Đông")[0], records_of("Xóm Tây")[0]
    s1 = Sheet(out / "Xom-Dong.xlsx")
    s1.set(dong, "Họ và tên (sửa)", "Nguyễn Văn Đông")
    ret = tmp_path / "tra-ve"
    ret.mkdir()
    s1.save(ret / "Xom-Dong.xlsx")
    s2 = Sheet(two_dir / "Xom-Tay.xlsx")
    s2.set(tay, "Ngày sinh (sửa)", "02/03/1951")
    s2.save(ret / "Xom-Tay (lan 2).xlsx")
    # the manifests of every round, from the split folder (rounds found in lan-N)
    merged = merge_files(src, [ret, out / L.MANIFEST_NAME, two_dir / L.MANIFEST_NAME,
                               out / "lan-3" / L.MANIFEST_NAME],
                         tmp_path / "gop.xlsx", today=TODAY)
    rep = merged.report
    assert {f["status"] for f in rep["files"]} == {"merged"}
    got = {(c["row"], c["field"]): c["new"] for c in rep["changes"]}
    assert got == {(row_of(dong), "full_name"): "Nguyễn Văn Đông",
                   (row_of(tay), "dob"): "02/03/1951"}
    # every other hamlet is listed once as not returned, whatever the number of rounds
    assert sorted(rep["not_returned"]) == sorted(h for h in HAMLETS
                                                 if h not in ("Xóm Đông", "Xóm Tây"))
    assert rep["summary"]["missing"] == 0


def test_merge_without_manifests_accepts_a_later_round(tmp_path):
    src = make_original(tmp_path / "ds.xlsx")
    out = tmp_path / "gui-thon"
    split_file(src, out, all_records=True, today=TODAY)
    split_file(src, out, all_records=True, today=TODAY, new_round=True)
    ret = tmp_path / "tra-ve"
    ret.mkdir()
    tay = records_of("Xóm Tây")[1]
    s = Sheet(out / "lan-2" / "Xom-Tay.xlsx")
    s.set(tay, "Họ và tên (sửa)", "Lê Thị Tây Sửa")
    s.save(ret / "Xom-Tay.xlsx")  # only this file goes back, no manifest anywhere
    merged = merge_files(src, [ret], tmp_path / "gop.xlsx", today=TODAY)
    assert [f["status"] for f in merged.report["files"]] == ["merged"]
    changes = [(c["row"], c["field"]) for c in merged.report["changes"]]
    assert changes == [(row_of(tay), "full_name")]
    assert merged.report["split_id"] == [L.split_id_for(L.sha256_file(src), True, 2)]
