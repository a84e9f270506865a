"""`vaxclean demo` end to end on a small sample: the station settings it writes reach the
outputs (the import file's administrative code columns, the signers)."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

from python_calamine import CalamineWorkbook

from vaxclean_xl.commands.demo import run_demo
from vaxclean_xl.settings import load_settings_file


def _rows(path: Path) -> list[list[object]]:
    wb = CalamineWorkbook.from_path(str(path))
    return wb.get_sheet_by_name(wb.sheet_names[0]).to_python()


def test_demo_settings_fill_the_import_codes(tmp_path: Path, capsys) -> None:
    assert run_demo(tmp_path, rows=150, seed=7) == 0
    truth = json.loads((tmp_path / "danh-sach-mau.truth.json").read_text(encoding="utf-8"))
    commune = truth["commune"]
    assert [len(commune[k]) for k in ("province_code", "district_code", "ward_code")] == \
        [2, 3, 5]
    conf = load_settings_file(tmp_path / "cai-dat.toml")
    assert conf.commune == commune["commune"]
    assert tomllib.loads((tmp_path / "cai-dat.toml").read_text(encoding="utf-8"))[
        "ward_code"] == commune["ward_code"]
    rows = _rows(tmp_path / "file-import.xlsx")
    header = next(i for i, r in enumerate(rows) if "Mã Xã/Phường (*)" in r)
    cols = {name: rows[header].index(name) for name in
            ("Mã Tỉnh/Thành phố (*)", "Mã Quận/Huyện (*)", "Mã Xã/Phường (*)")}
    data = [r for r in rows[header + 1:] if any(v not in ("", None) for v in r)]
    assert data, "the demo's import file has no person"
    for r in data:
        assert [r[c] for c in cols.values()] == [
            commune["province_code"], commune["district_code"], commune["ward_code"]]
    out = capsys.readouterr().out
    assert "File import" in out
    # step 5: the day's passport list, its JSON read back by progress
    from vaxclean_xl.formats.passport_report import read_passport_report

    report = read_passport_report(tmp_path / "ho-chieu-vac-xin.json")
    ready = sum(1 for r in report.records if r.status == "READY")
    assert f"{ready} người sẵn sàng ký" in out and ready > 0
