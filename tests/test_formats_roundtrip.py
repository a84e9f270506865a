"""Each file format's typed record round-trips through its file: what the writer writes,
the reader reads back as an equal record, and a real output re-serialises byte for byte."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from vaxclean_xl.commands.split import split_file
from vaxclean_xl.formats.split_manifest import (
    MANIFEST_NAME,
    ManifestHamlet,
    ManifestRecord,
    ManifestSource,
    NotAManifest,
    SplitManifest,
    read_manifest,
)
from vaxclean_xl.sample import generate_sample

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
