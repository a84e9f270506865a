"""The platform's import template named once in the station's settings (``import_template``)
and a legacy .xls template converted by the converter the caller chooses (io/office.py).

Real files only: the lists and the PL1 template of tests/test_export_import.py (the .xls one
saved by LibreOffice), the CLI through ``main``, the "Xuất file Import" button through
xlwings' remote engine (where the button picks LibreOffice; on Windows it picks Excel's own
Save As, checked by hand per docs/excel-acceptance.md), and ``ExcelConverter`` on this
machine, which has no Excel: its real failure must give the Vietnamese way out.
"""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
import xlwings as xw

from tests.conftest import sha256_of, soffice_convert, soffice_or_skip
from tests.test_excel_buttons import payload, remote_engine  # noqa: F401 (autouse fixture)
from tests.test_export_import import (
    DATA_SHEET,
    SETTINGS,
    TODAY,
    build_official,
    build_pl1_xls,
    check_pl1_kept,
    write_list,
)
from vaxclean_xl.cli import main
from vaxclean_xl.commands.export_import import export_import
from vaxclean_xl.commands.validate import validate_file
from vaxclean_xl.errors import E, VaxcleanError
from vaxclean_xl.excel import buttons
from vaxclean_xl.excel.ui import Ui
from vaxclean_xl.io.office import (
    EXCEL_FILE_FORMATS,
    LIBREOFFICE_FILTERS,
    ExcelConverter,
    LibreOfficeConverter,
    OfficeError,
)
from vaxclean_xl.settings import SETTINGS_SHEET, Settings, load_settings, load_settings_file

PL1 = "PL1_Danh sach doi tuong tiem"
OLE = b"\xd0\xcf\x11\xe0"  # a legacy BIFF8 .xls is an OLE compound file

pytestmark = pytest.mark.usefixtures("log_dir")


@pytest.fixture(scope="module")
def pl1_xls(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The PL1 template as a legacy .xls (one LibreOffice run for the whole module)."""
    soffice_or_skip()
    return build_pl1_xls(tmp_path_factory.mktemp("pl1"))


def make_lists(folder: Path, settings: dict[str, str] | None = None) -> dict[str, Path]:
    """The corrected list, the original's validate JSON, and a settings file (if given)."""
    folder.mkdir(parents=True, exist_ok=True)
    original = write_list(folder / "goc.xlsx", corrected=False)
    out = {"fixed": write_list(folder / "da-sua.xlsx", corrected=True),
           "baseline": folder / "goc.json"}
    validate_file(original, report=out["baseline"], write_workbook=False, today=TODAY)
    if settings is not None:
        out["settings"] = folder / "caidat.json"
        out["settings"].write_text(json.dumps(settings, ensure_ascii=False), encoding="utf-8")
    return out


def pl1_values(xlsx: Path) -> list[tuple[object, ...]]:
    return list(openpyxl.load_workbook(xlsx)[PL1].iter_rows(values_only=True))


# --------------------------------------------------------------------------- the setting


def test_relative_template_is_taken_from_the_settings_folder(tmp_path: Path) -> None:
    cfg = tmp_path / "cai-dat"
    cfg.mkdir()
    toml = cfg / "tram.toml"
    toml.write_text('commune = "An Bình"\nimport_template = "mau/mau-nen-tang.xls"\n',
                    encoding="utf-8")
    assert load_settings_file(toml).import_template == str(cfg / "mau" / "mau-nen-tang.xls")
    absolute = tmp_path / "khac" / "mau.xlsx"
    toml.write_text(f'import_template = "{absolute.as_posix()}"\n', encoding="utf-8")
    assert Path(load_settings_file(toml).import_template) == absolute
    toml.write_text('commune = "An Bình"\n', encoding="utf-8")
    assert load_settings_file(toml).import_template == ""


def test_settings_sheet_template_is_taken_from_the_list_folder(tmp_path: Path) -> None:
    src = write_list(tmp_path / "ds.xlsx", corrected=True)
    wb = openpyxl.load_workbook(src)
    ws = wb.create_sheet(SETTINGS_SHEET)
    ws.append(["Tệp mẫu import của Nền tảng", "mau.xls"])  # the label the "Cài đặt" sheet has
    ws.append(["Mã tỉnh", "01"])
    wb.save(src)
    conf = load_settings(None, src)
    assert (conf.import_template, conf.province_code) == (str(tmp_path / "mau.xls"), "01")


def test_cli_fills_the_template_named_in_the_settings(tmp_path: Path, pl1_xls: Path,
                                                      capsys: pytest.CaptureFixture) -> None:
    folder = tmp_path / "tram"
    (folder / "mau").mkdir(parents=True)
    tpl = folder / "mau" / "mau-pl1.xls"
    tpl.write_bytes(pl1_xls.read_bytes())
    paths = make_lists(folder, {**SETTINGS, "import_template": "mau/mau-pl1.xls"})
    before = sha256_of(tpl)
    code = main(["export-import", str(paths["fixed"]), "--baseline", str(paths["baseline"]),
                 "--settings", str(paths["settings"])])
    printed = capsys.readouterr().out
    assert code == 1  # persons 4, 5 and 7 are still wrong: listed, not written
    out = folder / "da-sua.import.xls"  # the template's own format by default
    assert "mẫu «mau-pl1.xls»" in printed and f"Tệp import: {out}" in printed
    assert out.read_bytes()[:4] == OLE and sha256_of(tpl) == before
    assert not (folder / "da-sua.import.xlsx").exists()  # the CLI writes no .xlsx twin
    ws = openpyxl.load_workbook(soffice_convert(out, "xlsx", tmp_path / "back"))[PL1]
    check_pl1_kept(ws)
    assert [(ws[f"B{r}"].value, ws[f"H{r}"].value, ws[f"O{r}"].value) for r in (9, 10)] == [
        ("Trần Thị Bình", "038195001234", "00001"), ("Lê Văn Cường", "035201001235", "00001")]


def test_template_option_wins_over_the_setting(tmp_path: Path) -> None:
    paths = make_lists(tmp_path, {**SETTINGS, "import_template": "khong-co.xls"})
    tpl = tmp_path / "mau.xlsx"
    where = build_official(tpl)
    out = tmp_path / "ket-qua.xlsx"
    code = main(["export-import", str(paths["fixed"]), "-o", str(out), "--template", str(tpl),
                 "--baseline", str(paths["baseline"]), "--settings", str(paths["settings"])])
    assert code == 1
    ws = openpyxl.load_workbook(out)[DATA_SHEET]
    assert ws.cell(9, where["full_name"] + 1).value == "Trần Thị Bình"


def test_missing_template_in_the_settings_is_a_vietnamese_error(
        tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    paths = make_lists(tmp_path / "tram", {**SETTINGS, "import_template": "mau/khong-co.xls"})
    code = main(["export-import", str(paths["fixed"]), "--settings", str(paths["settings"])])
    err = capsys.readouterr().err
    assert code == 2
    assert "Không tìm thấy tệp mẫu «khong-co.xls»" in err
    assert "«Tệp mẫu import của Nền tảng» (import_template)" in err
    assert str(tmp_path / "tram" / "mau") in err
    assert sorted(p.name for p in (tmp_path / "tram").iterdir()) == [
        "caidat.json", "da-sua.xlsx", "goc.json", "goc.xlsx"]  # nothing written
    # settings given as an object: a relative template is taken from the list's folder
    with pytest.raises(VaxcleanError) as exc:
        export_import(paths["fixed"], settings=Settings(import_template="mau.xls"), today=TODAY)
    assert exc.value.code == E.FILE_MISSING
    assert "Không tìm thấy tệp mẫu «mau.xls»" in str(exc.value)
    assert str(tmp_path / "tram") in str(exc.value)


# --------------------------------------------------------------------------- converters


def test_converter_formats() -> None:
    """Excel's FileFormat numbers (xlOpenXMLWorkbook, xlExcel8) and LibreOffice's filters."""
    assert EXCEL_FILE_FORMATS == {"xlsx": 51, "xls": 56}
    assert LIBREOFFICE_FILTERS == {"xlsx": "xlsx", "xls": "xls:MS Excel 97"}
    assert (LibreOfficeConverter().name, ExcelConverter().name) == ("LibreOffice", "Excel")


def test_libreoffice_converter_round_trip(tmp_path: Path, pl1_xls: Path) -> None:
    conv = LibreOfficeConverter()
    xlsx = conv.convert(pl1_xls, tmp_path / "mau.xlsx", "xlsx")
    check_pl1_kept(openpyxl.load_workbook(xlsx)[PL1])
    back = conv.convert(xlsx, tmp_path / "lai.xls", "xls")
    assert back.read_bytes()[:4] == OLE
    assert pl1_values(soffice_convert(back, "xlsx", tmp_path / "x")) == pl1_values(xlsx)


def test_excel_converter_without_excel_says_how(tmp_path: Path, pl1_xls: Path) -> None:
    """The caller's converter is the one used: Excel here, although LibreOffice is there.
    This machine has no Excel, so its real failure shows the Vietnamese way out."""
    with ExcelConverter() as conv, pytest.raises(OfficeError) as exc:
        conv.convert(pl1_xls, tmp_path / "mau.xlsx", "xlsx")
    assert exc.value.reason == "start"
    paths = make_lists(tmp_path / "ds")
    out = tmp_path / "import.xls"
    with ExcelConverter() as conv, pytest.raises(VaxcleanError) as err:
        export_import(paths["fixed"], out, template=pl1_xls, converter=conv, today=TODAY)
    text = str(err.value)
    assert err.value.exit_code == 2 and not out.exists()
    assert "mau-pl1.xls" in text and "cần Excel" in text and "LibreOffice" not in text
    assert "Lưu thành (Save As)" in text and "mau-pl1.xlsx" in text and "Cài đặt" in text


def test_button_writes_xls_and_xlsx_from_the_settings_sheet(tmp_path: Path,
                                                            pl1_xls: Path) -> None:
    """Remote engine (not Windows Excel): the button takes LibreOffice, writes the import
    file in the template's format and its .xlsx twin, both or neither, and shows both."""
    folder = tmp_path / "tram"
    paths = make_lists(folder)
    (folder / "mau-pl1.xls").write_bytes(pl1_xls.read_bytes())
    wb = openpyxl.load_workbook(paths["fixed"])
    ws = wb.create_sheet(SETTINGS_SHEET)
    for key, value in {**SETTINGS, "import_template": "mau-pl1.xls"}.items():
        ws.append([key, value])
    wb.save(paths["fixed"])
    book = xw.Book(json=payload([["STT"]], name=str(paths["fixed"])))
    ui = Ui(book)
    outcome = buttons.export_import(book, ui)
    assert outcome.converter == "LibreOffice" and outcome.template == folder / "mau-pl1.xls"
    xls, twin = folder / "da-sua.import.xls", folder / "da-sua.import.xlsx"
    assert (outcome.output, outcome.xlsx_copy) == (xls, twin)
    assert xls.read_bytes()[:4] == OLE
    assert outcome.written == 7 - 3  # no baseline: every correct record with an ID
    rows = pl1_values(twin)
    assert [r[1] for r in rows[8:12]] == ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường",
                                          "Vũ Thị Gấm"]
    assert rows[8][9:15] == ("Hà Nội", "01", "Quận Ba Đình", "001", "Phường Phúc Xá", "00001")
    assert pl1_values(soffice_convert(xls, "xlsx", tmp_path / "back")) == rows
    check_pl1_kept(openpyxl.load_workbook(twin)[PL1])
    assert sorted(p.name for p in folder.iterdir()) == [
        "da-sua.import.baocao.xlsx", "da-sua.import.xls", "da-sua.import.xlsx", "da-sua.xlsx",
        "goc.json", "goc.xlsx", "mau-pl1.xls"]  # no temp files left
    kind, text = ui.messages[-1]
    assert kind == "info" and f"Tệp để tải lên Nền tảng: {xls}" in text
    assert f"Bản .xlsx (để xem, cùng nội dung): {twin}" in text and "Đã ghi 4 người." in text


def test_button_without_template_writes_the_default_file(tmp_path: Path) -> None:
    paths = make_lists(tmp_path)
    book = xw.Book(json=payload([["STT"]], name=str(paths["fixed"])))
    outcome = buttons.export_import(book, Ui(book))
    assert outcome.output == tmp_path / "da-sua.import.xlsx" and outcome.output.is_file()
    assert (outcome.template, outcome.converter, outcome.xlsx_copy) == (None, "", None)
