"""The click path (issue 13): what a ribbon click does before Python starts, the ribbon tab
shown once, and install-excel's move into XLSTART.

The VBA cannot run on Linux, so its branches are checked on the text that Excel gets: the
generated module and the helpers as olevba reads them back from the built .xlam/.xlsm
(order of the error handler and the checks, the text each branch shows, the error
numbers each advice is for). install-excel is run for real on a target folder.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import unicodedata
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from oletools.olevba import VBA_Parser

from tests.conftest import sha256_of
from vaxclean_xl.cli import main
from vaxclean_xl.commands.build import FILE_MODE, build_addin, build_workbook, install_excel
from vaxclean_xl.errors import E, VaxcleanError
from vaxclean_xl.excel import registry, vba

CUSTOMUI = "{http://schemas.microsoft.com/office/2009/07/customui}"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    """The add-in and the control workbook, built once for the module."""
    folder = tmp_path_factory.mktemp("clickpath")
    makers = {"xlam": build_addin, "xlsm": build_workbook}
    return {kind: make(folder / f"vaxclean.{kind}").path for kind, make in makers.items()}


def modules_of(path: Path) -> dict[str, str]:
    """Module name -> VBA source, as olevba reads them from the built file."""
    parser = VBA_Parser(str(path))
    try:
        return {name.rsplit(".", 1)[0]: code.replace("\r\n", "\n")
                for _, _, name, code in parser.extract_macros()}
    finally:
        parser.close()


def procedure(source: str, name: str) -> list[str]:
    """The stripped, non-comment lines of Sub/Function ``name`` (header to End)."""
    match = re.search(rf"^Public (Sub|Function) {name}\b.*?^End \1", source, re.M | re.S)
    assert match, name
    lines = [line.strip() for line in match.group(0).splitlines()]
    return [line for line in lines if line and not line.startswith("'")]


def index_of(lines: list[str], pattern: str) -> int:
    hits = [i for i, line in enumerate(lines) if re.search(pattern, line)]
    assert hits, pattern
    return hits[0]


# --------------------------------------------------------------------------- the handler


@pytest.mark.parametrize("kind", ["xlam", "xlsm"])
def test_handler_order_in_the_built_file(built, kind):
    """Error handler, then the workbook check, then the pre-flight, then Python."""
    run = procedure(modules_of(built[kind])[registry.DISPATCH_MODULE], "VaxcleanRun")
    assert run[1] == "On Error GoTo Failed", run[:3]  # the first statement of the body
    workbook = index_of(run, r"^If Not VaxcleanHasWorkbook\(\) Then Exit Sub$")
    preflight = index_of(run, r"^If Not VaxcleanPreflight\(\) Then Exit Sub$")
    python = index_of(run, r"^RunPython ")
    assert 1 < workbook < preflight < python
    failed = index_of(run, r"^Failed:$")
    assert run[failed + 1] == "VaxcleanRunFailed buttonId, Err.Number, Err.Description"
    # nothing before the workbook check reads the configuration or the workbook
    assert not any(re.search(r"GetConfig|ActiveWorkbook", line) for line in run[:workbook])


def test_no_workbook_branch_reads_nothing_but_active_workbook(built):
    helpers = modules_of(built["xlam"])[registry.HELPERS_MODULE]
    check = procedure(helpers, "VaxcleanHasWorkbook")
    body = "\n".join(check)
    assert "GetConfig" not in body and "RunPython" not in body
    resume = index_of(check, r"^On Error Resume Next$")
    read = index_of(check, r"^Set wb = ActiveWorkbook$")
    tell = index_of(check, r'^VaxcleanMessage VaxcleanText\("no_workbook"\), True$')
    true = index_of(check, r"^VaxcleanHasWorkbook = True$")
    assert resume < read < index_of(check, r"^If wb Is Nothing Then$") < tell < true
    assert check[tell + 1] == "Exit Function"  # False: the handler stops there
    assert vba.VBA_TEXTS["no_workbook"].startswith(
        "Hãy mở danh sách (tệp Excel) trước khi bấm nút.")


def test_no_python_branches_run_before_any_true(built):
    """Preflight answers True only after every check; "python" (a prebuilt add-in) is
    looked up on PATH and the Store stub is named instead of being skipped."""
    pre = procedure(modules_of(built["xlam"])[registry.HELPERS_MODULE], "VaxcleanPreflight")
    trues = [i for i, line in enumerate(pre) if line == "VaxcleanPreflight = True"]
    mac, windows = trues  # one for Mac (#If Mac), one at the very end for Windows
    assert pre[mac - 1] == "#If Mac Then" and pre[windows + 1] == "#End If"
    config = index_of(pre, r'GetConfig\("INTERPRETER_WIN", ""\)')
    bare = index_of(pre, r'^If interpreter = "python" Or interpreter = "pythonw" Then$')
    on_path = index_of(pre, r'^found = VaxcleanFindOnPath\(interpreter & "\.exe"\)$')
    not_found = index_of(pre, r'VaxcleanText\("no_python_on_path"\)')
    stub = index_of(pre, r"^If VaxcleanIsStoreStub\(found\) Then$")
    stub_text = index_of(pre, r'VaxcleanText\("python_store_stub"\)')
    missing = index_of(pre, r"^ElseIf Not FileExists\(VaxcleanExpandEnv\(interpreter\)\) Then$")
    assert mac < config < bare < on_path < not_found < stub < stub_text < missing < windows
    for tell in (not_found, stub_text):
        assert pre[tell + 1] == "Exit Function"
    # every "no Python" branch ends with Exit Function before the final True
    exits = [i for i, line in enumerate(pre) if line == "Exit Function"]
    assert len(exits) == 3 and max(exits) < windows
    assert not any(line.startswith("Exit Function") for line in pre[bare:on_path])


def test_no_python_texts_send_to_the_installer_not_the_user_conf():
    """The add-in's own vaxclean.conf sheet wins over any conf file, so the advice is to
    run the installer again (it rewrites that sheet), never to edit a conf file."""
    for key in ("no_python", "no_python_on_path", "python_store_stub"):
        text = vba.VBA_TEXTS[key]
        assert f"«{vba.INSTALLER_CMD}»" in text, key
        assert ".conf" not in text and "USERPROFILE" not in text, key
    assert vba.INSTALLER_CMD == "cai-dat.cmd"
    assert "Microsoft Store" in vba.VBA_TEXTS["python_store_stub"]
    assert "chính sách bảo mật" not in vba.VBA_TEXTS["no_workbook"]


def test_every_text_key_is_defined_and_used():
    helpers = vba.helpers_module()
    used = set(re.findall(r'VaxcleanText\("(\w+)"\)', helpers))
    used |= set(re.findall(r'^\s+key = "(\w+)"$', helpers, re.M))
    assert used == set(vba.VBA_TEXTS)
    for value in vba.VBA_TEXTS.values():
        assert value == unicodedata.normalize("NFC", value)


def test_error_numbers_map_to_their_advice():
    """Error 91 (no object: the workbook went away) is not the security-policy popup."""
    failed = procedure(vba.helpers_module(), "VaxcleanRunFailed")
    cases: dict[str, str] = {}
    current = ""
    for line in failed:
        if line.startswith("Case "):
            current = line[5:]
        elif line.startswith("key = "):
            cases[current] = line[7:-1]
    assert cases == {"91": "no_workbook", "70, 429, -2147024891, -2147023636": "run_failed",
                     "Else": "run_error"}
    assert -2147024891 == 0x80070005 - 2**32  # E_ACCESSDENIED
    assert -2147023636 == 0x800704EC - 2**32  # ERROR_ACCESS_DISABLED_BY_POLICY
    assert "doctor" in vba.VBA_TEXTS["run_error"]


def test_store_stub_check_is_the_windowsapps_alias_without_a_store_python():
    stub = procedure(vba.helpers_module(), "VaxcleanIsStoreStub")
    assert r'If InStr(1, path, "\Microsoft\WindowsApps\", vbTextCompare) = 0 Then Exit Function' \
        in stub
    assert ('VaxcleanIsStoreStub = (Dir$(folder & "PythonSoftwareFoundation.Python.*", '
            'vbDirectory) = "")') in stub


# --------------------------------------------------------------------------- the ribbon tab


def test_workbook_tab_hides_while_the_addin_is_open(built):
    tabs = {}
    for kind, path in built.items():
        with zipfile.ZipFile(path) as z:
            ui = ET.fromstring(z.read("customUI/customUI14.xml"))
        (tab,) = list(ui.iter(f"{CUSTOMUI}tab"))
        tabs[kind] = tab
    assert tabs["xlam"].get("id") == tabs["xlsm"].get("id") == registry.TAB_ID
    assert tabs["xlam"].get("getVisible") is None
    assert tabs["xlsm"].get("getVisible") == vba.VISIBLE_CALLBACK
    generated = modules_of(built["xlsm"])[registry.DISPATCH_MODULE]
    callback = procedure(generated, vba.VISIBLE_CALLBACK)
    assert callback[0] == (f"Public Sub {vba.VISIBLE_CALLBACK}(control As IRibbonControl, "
                           "ByRef returnedVal)")
    assert callback[1] == f'returnedVal = Not VaxcleanAddinOpen("{vba.ADDIN_FILE}")'
    helpers = modules_of(built["xlsm"])[registry.HELPERS_MODULE]
    addin_open = procedure(helpers, "VaxcleanAddinOpen")
    assert "VaxcleanAddinOpen = wb.IsAddin And Not (wb Is ThisWorkbook)" in addin_open
    assert vba.ADDIN_FILE == "vaxclean.xlam"


# --------------------------------------------------------------------------- file modes


def test_built_files_are_readable_by_others(built):
    for path in built.values():
        assert stat.S_IMODE(path.stat().st_mode) == FILE_MODE == 0o644, path


# --------------------------------------------------------------------------- install-excel


def _tree(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def test_install_moves_the_finished_addin_in(tmp_path):
    xlstart = tmp_path / "Excel" / "XLSTART"
    path = install_excel(xlstart, interpreter=r"C:\vx\Scripts\pythonw.exe")
    assert path == xlstart / "vaxclean.xlam"
    assert _tree(tmp_path / "Excel") == ["XLSTART", "XLSTART/vaxclean.xlam"]  # no staging
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    with zipfile.ZipFile(path) as z:
        assert "customUI/customUI14.xml" in z.namelist()
        strings = z.read("xl/sharedStrings.xml").decode()
    assert r"C:\vx\Scripts\pythonw.exe" in strings and "INTERPRETER_WIN" in strings
    # a second install replaces it in one rename: a new inode, never a partly written file
    before = path.stat().st_ino
    install_excel(xlstart, interpreter=r"C:\other\pythonw.exe")
    assert path.stat().st_ino != before
    assert _tree(tmp_path / "Excel") == ["XLSTART", "XLSTART/vaxclean.xlam"]
    with zipfile.ZipFile(path) as z:
        assert r"C:\other\pythonw.exe" in z.read("xl/sharedStrings.xml").decode()


def test_install_onto_a_folder_leaves_nothing(tmp_path, capsys):
    xlstart = tmp_path / "XLSTART"
    (xlstart / "vaxclean.xlam").mkdir(parents=True)
    (xlstart / "vaxclean.xlam" / "keep.txt").write_text("x")
    with pytest.raises(VaxcleanError) as info:
        install_excel(xlstart)
    assert info.value.code == E.PATH_IS_FOLDER
    assert _tree(tmp_path) == ["XLSTART", "XLSTART/vaxclean.xlam",
                               "XLSTART/vaxclean.xlam/keep.txt"]
    assert main(["install-excel", "--dir", str(xlstart)]) == 2
    assert "thư mục" in capsys.readouterr().err
    assert _tree(tmp_path) == ["XLSTART", "XLSTART/vaxclean.xlam",
                               "XLSTART/vaxclean.xlam/keep.txt"]


def _lock(path: Path) -> None:
    """Make ``path`` impossible to replace, as Excel's open add-in is on Windows: an
    immutable file as root (chattr +i), a read-only folder otherwise."""
    if os.geteuid() == 0:
        chattr = shutil.which("chattr")
        done = chattr and subprocess.run([chattr, "+i", str(path)],
                                         capture_output=True).returncode == 0
        if not done:
            pytest.skip("no chattr +i here (root ignores folder permissions)")
    else:
        path.parent.chmod(0o555)
        path.chmod(0o444)


def _unlock(path: Path) -> None:
    if os.geteuid() == 0:
        subprocess.run([shutil.which("chattr") or "chattr", "-i", str(path)],
                       capture_output=True)
    else:
        path.parent.chmod(0o755)
        path.chmod(0o644)


def test_install_over_a_held_addin_asks_to_close_excel(tmp_path, capsys):
    xlstart = tmp_path / "XLSTART"
    installed = install_excel(xlstart, interpreter=r"C:\old\pythonw.exe")
    digest = sha256_of(installed)
    _lock(installed)
    try:
        with pytest.raises(VaxcleanError) as info:
            install_excel(xlstart, interpreter=r"C:\new\pythonw.exe")
        assert info.value.code == E.FILE_IN_USE
        assert "Excel đang mở" in info.value.message
        assert "đóng mọi cửa sổ Excel" in info.value.message
        assert main(["install-excel", "--dir", str(xlstart)]) == 2
        assert "Excel đang mở" in capsys.readouterr().err
    finally:
        _unlock(installed)
    assert sha256_of(installed) == digest  # the installed add-in stays as it was
    assert _tree(tmp_path) == ["XLSTART", "XLSTART/vaxclean.xlam"]  # no staging, no temp


def test_a_failed_install_leaves_no_stray(tmp_path):
    """XLSTART cannot be made (a file where a parent folder should be): exit 2 with the
    cause, nothing created; the next install adds only the add-in beside the user's file."""
    xlstart = tmp_path / "XLSTART"
    xlstart.mkdir()
    (xlstart / "other.xlsx").write_bytes(b"user file")
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    with pytest.raises(VaxcleanError):
        install_excel(blocker / "XLSTART")  # a file where a parent folder should be
    assert _tree(tmp_path) == ["XLSTART", "XLSTART/other.xlsx", "not-a-folder"]
    install_excel(xlstart)
    assert _tree(tmp_path) == ["XLSTART", "XLSTART/other.xlsx", "XLSTART/vaxclean.xlam",
                               "not-a-folder"]


def test_cli_still_refuses_off_windows_without_a_folder(capsys, monkeypatch):
    import sys

    if sys.platform == "win32":
        pytest.skip("Windows: would install for real")
    monkeypatch.delenv("APPDATA", raising=False)
    assert main(["install-excel"]) == 2
    assert "chỉ làm được trên Windows" in capsys.readouterr().err


# --------------------------------------------------------------------------- run by LibreOffice


@pytest.mark.libreoffice
def test_libreoffice_runs_the_helpers(tmp_path):
    """LibreOffice runs the real VaxcleanHelpers module (VBA mode): the Store stub is the
    WindowsApps alias with no Store Python package beside it, an ordinary path is not;
    an id that would break out of the RunPython string is refused. (The xlwings runtime
    is left out: LibreOffice does not compile its Windows Declares.)"""
    import xlsxwriter

    from tests.conftest import run_uno, soffice_or_skip, uno_python_or_skip
    from vaxclean_xl.addin.vbaproject import VbaModule, build_vba_project, load_module

    soffice, python = soffice_or_skip(), uno_python_or_skip()
    calls = [r'VaxcleanIsStoreStub("C:\Users\u\AppData\Local\Microsoft\WindowsApps\python.exe")',
             r'VaxcleanIsStoreStub("C:\Program Files\Python311\python.exe")',
             'VaxcleanValidId("validate")', """VaxcleanValidId("x'); import os #")""",
             r'VaxcleanExpandEnv("%HOME%\v\%NO_SUCH_VAR_X%\%%py.exe")']
    probe = VbaModule("Probe", "Public Function Probe() As String\n    Probe = "
                      + ' & "," & '.join(f"CStr({c})" for c in calls) + "\nEnd Function\n")
    helpers = load_module(vba.MACROS_DIR / f"{registry.HELPERS_MODULE}.bas")
    (tmp_path / "p.bin").write_bytes(build_vba_project(
        [VbaModule("Sheet1", "", "document"), helpers, probe], project_name="ClickProbe"))
    workbook = xlsxwriter.Workbook(str(tmp_path / "probe.xlsm"))
    workbook.add_worksheet()
    workbook.add_vba_project(str(tmp_path / "p.bin"))
    workbook.close()
    (result,) = run_uno(soffice, python, [(str(tmp_path / "probe.xlsm"),
                                           "ClickProbe.Probe.Probe")], tmp_path)
    home = os.environ["HOME"]
    assert result["probe"] == f"True,False,True,False,{home}\\v\\%NO_SUCH_VAR_X%\\%%py.exe"
