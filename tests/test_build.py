"""`build-addin` / `build-workbook`: the macro files, checked with independent readers
(olevba, the zip package itself, LibreOffice through UNO)."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from oletools.olevba import VBA_Parser

from tests.conftest import run_uno, sha256_of, soffice_or_skip, uno_python_or_skip
from vaxclean_xl.cli import main
from vaxclean_xl.commands.build import build_addin, build_workbook, xlwings_runtime
from vaxclean_xl.excel import registry, vba

CUSTOMUI_NS = "http://schemas.microsoft.com/office/2009/07/customui"
UI_REL = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("build")
    return {"xlam": build_addin(d / "vaxclean.xlam").path,
            "xlsm": build_workbook(d / "VaxClean.xlsm").path}


def _strip(text: str) -> str:
    """Source text without Attribute lines and with one kind of line ending."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line for line in lines if not line.startswith("Attribute ")).strip()


def expected_sources() -> dict[str, str]:
    runtime, dictionary = xlwings_runtime()
    out = {"xlwings": runtime, registry.DISPATCH_MODULE: vba.dispatch_module()}
    for path in sorted(vba.MACROS_DIR.glob("*.bas")):
        name = re.search(r'Attribute VB_Name = "([^"]+)"', path.read_text("ascii")).group(1)
        out[name] = path.read_text("ascii")
    out["Dictionary"] = dictionary
    return out


@pytest.mark.parametrize("kind", ["xlam", "xlsm"])
def test_olevba_reads_back_every_module(built, kind):
    parser = VBA_Parser(str(built[kind]))
    try:
        found = {name: code for _, _, name, code in parser.extract_macros()}
    finally:
        parser.close()
    names = {n.rsplit(".", 1)[0] for n in found}
    for module, source in expected_sources().items():
        key = next(n for n in found if n.rsplit(".", 1)[0] == module)
        got = found[key]
        if module == "Dictionary":  # a class: VERSION/BEGIN header lines are dropped on write
            assert _strip(source).split("Option Explicit", 1)[-1] in _strip(got)
        else:
            assert _strip(got) == _strip(source), module
    assert {"ThisWorkbook", "Sheet1"} <= names


def test_runtime_is_the_installed_xlwings_with_our_project_name():
    import xlwings

    runtime, _ = xlwings_runtime()
    assert f'XLWINGS_VERSION As String = "{xlwings.__version__}"' in runtime
    assert f'PROJECT_NAME As String = "{registry.ADDIN_PROJECT}"' in runtime


@pytest.mark.parametrize("kind,content_type", [
    ("xlam", "application/vnd.ms-excel.addin.macroEnabled.main+xml"),
    ("xlsm", "application/vnd.ms-excel.sheet.macroEnabled.main+xml"),
])
def test_ribbon_part_relationship_and_content_types(built, kind, content_type):
    with zipfile.ZipFile(built[kind]) as z:
        ui = ET.fromstring(z.read("customUI/customUI14.xml"))
        rels = ET.fromstring(z.read("_rels/.rels"))
        types = z.read("[Content_Types].xml").decode()
        assert "xl/vbaProject.bin" in z.namelist()
    assert ui.tag == f"{{{CUSTOMUI_NS}}}customUI"
    targets = {r.get("Target"): r.get("Type") for r in rels}
    assert targets["customUI/customUI14.xml"] == UI_REL
    assert f'PartName="/xl/workbook.xml" ContentType="{content_type}"' in types
    assert 'Extension="xml" ContentType="application/xml"' in types
    ids = {b.get("tag") for b in ui.iter(f"{{{CUSTOMUI_NS}}}button")}
    assert ids == {b.id for b in registry.BUTTONS}


def test_builds_are_deterministic(built, tmp_path):
    again = {"xlam": build_addin(tmp_path / "a.xlam").path,
             "xlsm": build_workbook(tmp_path / "b.xlsm").path}
    for kind in ("xlam", "xlsm"):
        assert sha256_of(built[kind]) == sha256_of(again[kind]), kind


def test_control_workbook_sheets_and_buttons(built):
    import openpyxl

    wb = openpyxl.load_workbook(built["xlsm"], keep_vba=True)
    assert wb.sheetnames[:3] == ["Bảng điều khiển", "Cài đặt", "Hướng dẫn"]
    assert f"{registry.ADDIN_PROJECT}.conf" in wb.sheetnames
    with zipfile.ZipFile(built["xlsm"]) as z:
        vml = "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist()
                      if n.endswith(".vml"))
    for b in registry.BUTTONS:  # one form button per registry entry, bound to its Sub
        assert f"[0]!{b.vba_sub}" in vml or f">{b.vba_sub}<" in vml, b.id


def test_cli_build_and_interpreter_in_config(tmp_path, capsys):
    out = tmp_path / "x.xlam"
    assert main(["build-addin", "-o", str(out), "--interpreter", r"C:\py\pythonw.exe"]) == 0
    assert "Đã tạo add-in" in capsys.readouterr().out
    import openpyxl

    with zipfile.ZipFile(out) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
        strings = z.read("xl/sharedStrings.xml").decode() if "xl/sharedStrings.xml" in \
            z.namelist() else sheet
    assert "INTERPRETER_WIN" in strings and r"C:\py\pythonw.exe" in strings
    del openpyxl


def test_install_excel_refuses_off_windows(capsys, monkeypatch):
    monkeypatch.delenv("APPDATA", raising=False)
    import sys

    if sys.platform == "win32":
        pytest.skip("Windows: would install for real")
    assert main(["install-excel"]) == 2
    assert "Windows" in capsys.readouterr().err


def test_install_excel_into_a_folder(tmp_path):
    from vaxclean_xl.commands.build import install_excel

    path = install_excel(tmp_path / "XLSTART")
    assert path.name == "vaxclean.xlam" and zipfile.is_zipfile(path)
    assert not list((tmp_path / "XLSTART").glob("*.tmp*"))


@pytest.mark.libreoffice
def test_libreoffice_lists_modules_and_sheets(built, tmp_path):
    """LibreOffice has no filter for the add-in content type, so the .xlam is opened as a
    copy whose only change is that one content type (asserted equal otherwise below)."""
    soffice = soffice_or_skip()
    python = uno_python_or_skip()
    as_xlsm = tmp_path / "addin-as.xlsm"
    with zipfile.ZipFile(built["xlam"]) as zin, zipfile.ZipFile(as_xlsm, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "[Content_Types].xml":
                swapped = data.replace(b"addin.macroEnabled.main", b"sheet.macroEnabled.main")
                assert swapped != data
                data = swapped
            zout.writestr(info, data)
    results = run_uno(soffice, python, [(str(as_xlsm), ""), (str(built["xlsm"]), "")],
                       tmp_path)
    want = {"ThisWorkbook", "Sheet1", "xlwings", "Dictionary", registry.DISPATCH_MODULE,
            registry.HELPERS_MODULE}
    for result in results:
        libs = result["libraries"]
        assert registry.ADDIN_PROJECT in libs, sorted(libs)
        assert want <= set(libs[registry.ADDIN_PROJECT])
        # the click path (issue 13) as LibreOffice imported it: handler, checks, Python
        run = libs[registry.ADDIN_PROJECT][registry.DISPATCH_MODULE]
        run = run[run.index("Public Sub VaxcleanRun("):]
        order = [run.index(s) for s in ("On Error GoTo Failed", "VaxcleanHasWorkbook()",
                                        "VaxcleanPreflight()", "RunPython ")]
        assert order == sorted(order)
        helpers = libs[registry.ADDIN_PROJECT][registry.HELPERS_MODULE]
        for name in ("VaxcleanHasWorkbook", "VaxcleanFindOnPath", "VaxcleanIsStoreStub",
                     "VaxcleanAddinOpen"):
            assert f"Public Function {name}(" in helpers, name
    assert results[0]["sheets"] == [f"{registry.ADDIN_PROJECT}.conf"]
    assert results[1]["sheets"][:3] == ["Bảng điều khiển", "Cài đặt", "Hướng dẫn"]
