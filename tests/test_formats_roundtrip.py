"""Each file format's typed record round-trips through its file: what the writer writes,
the reader reads back as an equal record, and a real output re-serialises byte for byte."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from vaxclean_xl.cli import main
from vaxclean_xl.commands.split import split_file
from vaxclean_xl.core.model import Category, Severity
from vaxclean_xl.core.validate import validate_rows
from vaxclean_xl.errors import InputError
from vaxclean_xl.formats import police_list as P
from vaxclean_xl.formats.hamlet_file import (
    HamletFile,
    HamletMeta,
    HamletRow,
    NotAHamletFile,
    is_signature,
    read_returned,
    write_hamlet_file,
)
from vaxclean_xl.formats.split_manifest import (
    MANIFEST_NAME,
    ManifestHamlet,
    ManifestRecord,
    ManifestSource,
    NotAManifest,
    SplitManifest,
    read_manifest,
)
from vaxclean_xl.formats.validation_report import (
    ReportFinding,
    ReportRecord,
    ReportSource,
    ValidationReport,
    load_baseline,
    read_report,
    write_report,
)
from vaxclean_xl.io.reader import read_table
from vaxclean_xl.sample import generate_sample
from vaxclean_xl.settings import Settings

TODAY = dt.date(2026, 1, 15)


@pytest.fixture(scope="module")
def sample_list(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("list") / "danh-sach.xlsx"
    generate_sample(path, rows=120, seed=7, today=TODAY)
    return path


# --- split manifest (vaxclean.split/1) ---------------------------------------------------------

def test_split_manifest_real_output_roundtrips_byte_for_byte(sample_list, tmp_path):
    outcome = split_file(sample_list, tmp_path / "gui", today=TODAY)
    text = outcome.manifest.read_text(encoding="utf-8")
    m = read_manifest(outcome.manifest)
    assert m.to_json() == text
    assert m.path == outcome.manifest
    assert m.split_id == outcome.split_id and m.round_no == 1 and not m.all_records
    assert [h.file for h in m.hamlets] == [f.path.name for f in outcome.files]
    assert [h.rows for h in m.hamlets] == [[r.row for r in f.records] for f in outcome.files]
    assert m.source is not None and m.source.sheet == outcome.table.sheet


def test_split_manifest_write_read_equal(tmp_path):
    m = SplitManifest("0a1b2c3d",
                      [ManifestHamlet("Xóm Đông", "Xom-Dong.xlsx", "ab" * 32,
                                      [ManifestRecord("0a1b2c3d-5-ABCD", 5)])],
                      ManifestSource("/x/ds.xlsx", "cd" * 32, "Danh sách", 3), 2, True, True)
    m.write(tmp_path / MANIFEST_NAME)
    back = read_manifest(tmp_path / MANIFEST_NAME)
    assert back == m and back.path == tmp_path / MANIFEST_NAME
    assert json.loads(m.to_json())["schema"] == "vaxclean.split/1"
    assert back.hamlet_for_file("Xom-Dong.xlsx") == m.hamlets[0]


def test_split_manifest_refuses_other_json():
    with pytest.raises(NotAManifest):
        SplitManifest.from_json('{"schema": "vaxclean.merge/1"}')
    with pytest.raises(NotAManifest):
        SplitManifest.from_json('{"schema": "vaxclean.split/1", "hamlets": [1]}')
    with pytest.raises(ValueError):
        SplitManifest.from_json("not json")


# --- validation report (vaxclean.validation/1) -------------------------------------------------

def test_validation_report_of_validate_json_roundtrips_byte_for_byte(sample_list, tmp_path):
    report = tmp_path / "bao-cao.json"
    assert main(["validate", str(sample_list), "-o", str(tmp_path / "kq.xlsx"),
                 "--json", str(report)]) == 1
    text = report.read_text(encoding="utf-8")
    r = read_report(report)
    assert r.to_json() == text
    assert r.summary["records"] == len(r.records) > 0
    assert r.source is not None and r.source.path == str(sample_list)
    assert load_baseline(report) == {x.row: x.category for x in r.records}
    assert any(x.findings for x in r.records)


def test_validation_report_write_read_equal(sample_list, tmp_path):
    table = read_table(sample_list)
    result = validate_rows(table.rows, table.columns, name_fonts=table.name_fonts, today=TODAY)
    write_report(tmp_path / "r.json", table, result)
    back = read_report(tmp_path / "r.json")
    assert back == ValidationReport.from_validation(table, result)
    assert ValidationReport.from_json(back.to_json()) == back


def test_validation_report_typed_record_roundtrips():
    r = ValidationReport(
        ReportSource("/x/ds.xlsx", "DS", 3, 4, 5), {"full_name": "B", "id_number": "E"},
        {"records": 2, "OK": 1, "NO_ID": 1, "BAD_ID_FORMAT": 0, "BAD_PERSONAL_INFO": 0,
         "warnings": 0},
        [ReportRecord(4, Category.OK),
         ReportRecord(5, Category.NO_ID, [ReportFinding("id_number", "ID001", Severity.ERROR,
                                                        "Thiếu số CCCD.", "", None)])])
    text = r.to_json()
    back = ValidationReport.from_json(text)
    assert back == r and back.to_json() == text
    assert json.loads(text)["schema"] == "vaxclean.validation/1"


def test_validation_report_refusals(tmp_path):
    other = tmp_path / "other.json"
    other.write_text('{"schema": "vaxclean.merge/1", "records": []}', encoding="utf-8")
    with pytest.raises(InputError) as exc:
        read_report(other)
    assert exc.value.code == "E401" and "vaxclean.validation/1" in exc.value.message
    broken = tmp_path / "broken.json"
    broken.write_text('{"records": [{"row": 3, "category": "OK", "findings": [{}]}]}',
                      encoding="utf-8")
    assert load_baseline(broken) == {3: Category.OK}  # the groups are all a baseline needs
    with pytest.raises(InputError):
        read_report(broken)


# --- hamlet file and police list: written, then read back through formats.readback -------------

def test_hamlet_file_written_is_read_back(tmp_path):
    meta = HamletMeta("0a1b2c3d", "Xóm Đông", "ab" * 32, "Xom-Dong.xlsx", 2)
    rows = [HamletRow("0a1b2c3d-5-ABCD", 5,
                      {"full_name": "Nguyễn Văn An", "dob": "01/05/1990", "sex": "Nam",
                       "id_number": "001090123456", "phone": "", "hamlet": "Xóm Đông"},
                      "Lỗi.", [])]
    path = tmp_path / "Xom-Dong.xlsx"
    write_hamlet_file(path, HamletFile(meta, rows), settings=Settings())
    back = read_returned(path)
    assert HamletMeta.from_dict(back.meta) == meta
    assert back.split_id == "0a1b2c3d"
    people = [r for r in back.rows if not is_signature(r)]  # the signature block is not
    assert [(r.key_text, r.orig["full_name"], r.orig["id_number"]) for r in people] == [
        ("0a1b2c3d-5-ABCD", "Nguyễn Văn An", "001090123456")]
    with pytest.raises(NotAHamletFile):
        read_returned(tmp_path / "missing.xlsx")


def test_police_list_written_is_read_back(tmp_path):
    meta = P.PoliceMeta(P.list_id_for("cd" * 32), "cd" * 32, "ds.xlsx", "DS", "2026-01-15", 1)
    row = P.ListRow(P.make_key(meta.list_id, 7), 7,
                    {"full_name": "Lê Thị Bình", "dob": "01/01/1991", "sex": "Nữ",
                     "id_number": "040191123456", "hamlet": "Xóm 1"}, "Sai ngày sinh.")
    content = P.PoliceList(meta, [P.ListGroup("Xóm 1", [row])])
    path = tmp_path / "cong-an.xlsx"
    P.write_police_workbook(path, groups=content.groups, settings=Settings(),
                            meta=content.meta.to_dict(), today=TODAY)
    back = P.read_police_file(path)
    assert back.police_meta == meta and back.list_id == meta.list_id
    assert [(r.key, r.orig, r.verdict) for r in back.rows] == [
        ((meta.list_id, 7), row.values, None)]
    assert [r.key_text for r in back.rows] == [r.key for r in content.rows]
