"""The offline Windows bundle (``vaxclean bundle-windows``, issue 13 part 2).

Built once per session from the package registry (cached in ~/.cache/vaxclean-bundle, so
a rerun needs no network); skipped only when the registry is unreachable and CI is not set.
Then, on Linux:

- pip's own resolver installs ``vaxclean_xl[excel]`` and ``pywin32`` for every target from
  the bundle alone (``--no-index``, ``--platform``, ``--python-version``); a Linux pip
  ignores Windows-only dependencies, so pywin32 is asked for by name;
- the .cmd files are CRLF and run their steps in order; the runner is ASCII and reads
  every key the tables use;
- the install table's branches are walked by :func:`bundle_table.walk` with small
  executable ``py``, ``reg`` and ``tasklist`` scripts on PATH that print what the real
  programs print (test inputs, not mocks): no Python, no Python in a version or bitness
  the bundle has, the OK path (venv, pip from the bundle's wheels, install-excel), no
  Excel, Excel open, policies that block the add-in; and the uninstall table.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import unicodedata
import zipfile
from pathlib import Path

import pytest

from tests.conftest import skip_or_fail_in_ci
from vaxclean_xl.commands import bundle_table as T
from vaxclean_xl.commands.bundle import (
    CANDIDATE_PYTHONS,
    PLATFORMS,
    RegistryUnreachable,
    build_bundle,
)

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The zip, built once (downloads cached between sessions)."""
    out = tmp_path_factory.mktemp("bundle") / "vaxclean-windows.zip"
    try:
        built = build_bundle(out)
    except RegistryUnreachable as exc:
        skip_or_fail_in_ci(f"package registry unreachable: {exc.message}")
    print(f"\nbundle: {built.size / 1e6:.1f} MB, {built.seconds:.1f} s, "
          f"{len(built.from_cache)} targets from cache")
    return out


@pytest.fixture(scope="session")
def unzipped(bundle: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("unzipped")
    with zipfile.ZipFile(bundle) as z:
        z.extractall(folder)
    return folder


@pytest.fixture(scope="session")
def manifest(unzipped: Path) -> dict:
    return json.loads((unzipped / "manifest.json").read_text(encoding="utf-8"))


def _pip_env() -> dict[str, str]:
    """No pip configuration of this machine (its find-links, indexes, constraints)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    env["PIP_CONFIG_FILE"] = os.devnull
    return env


# ------------------------------------------------------------------------- the wheels

@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("python", CANDIDATE_PYTHONS)
def test_every_target_installs_from_the_bundle_alone(unzipped, manifest, python, platform,
                                                     tmp_path):
    claimed = {(t["python"], t["platform"]) for t in manifest["targets"]}
    assert (python, platform) in claimed  # every Python 3.11-3.13 on x64 and x86 resolves
    cp = f"cp{python.replace('.', '')}"
    report = tmp_path / "report.json"
    done = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed",
         "--only-binary=:all:", "--no-index", "--find-links", str(unzipped / "wheels"),
         "--platform", platform, "--python-version", python, "--implementation", "cp",
         "--target", str(tmp_path / "t"), "--report", str(report), "-q",
         "vaxclean_xl[excel]", "pywin32"], capture_output=True, text=True, env=_pip_env())
    assert done.returncode == 0, done.stderr
    installed = json.loads(report.read_text(encoding="utf-8"))["install"]
    files = {Path(item["download_info"]["url"]).name: item["metadata"]["name"].lower()
             for item in installed}
    names = set(files.values())
    assert {"vaxclean-xl", "xlwings", "pywin32", "openpyxl", "python-calamine",
            "msoffcrypto-tool", "jinja2", "xlsxwriter", "phonenumbers"} <= names
    for f in files:
        assert f in manifest["wheels"]
        tags = f.removesuffix(".whl").split("-")[-3:]
        assert tags[2] in ("any", platform), f
        assert tags[0].startswith(("py3", "py2.py3", cp)) or tags[1] == "abi3", f
    assert "pywin32-" in "".join(f for f in files if f.endswith(f"{cp}-{cp}-{platform}.whl"))


def test_pywin32_for_every_target_and_the_manifest_lists_only_present_wheels(unzipped,
                                                                            manifest):
    wheels = {p.name for p in (unzipped / "wheels").iterdir()}
    assert set(manifest["wheels"]) == wheels
    assert manifest["pythons"] == list(CANDIDATE_PYTHONS)
    for t in manifest["targets"]:
        cp = f"cp{t['python'].replace('.', '')}"
        pywin32 = [w for w in t["wheels"] if w.startswith("pywin32-")]
        assert len(pywin32) == 1 and pywin32[0].endswith(f"-{cp}-{cp}-{t['platform']}.whl")
        assert set(t["wheels"]) <= wheels
    # pure wheels are stored once; our own wheel is there
    assert len([w for w in wheels if w.startswith("openpyxl-")]) == 1
    assert len([w for w in wheels if w.startswith("vaxclean_xl-")]) == 1


def test_zip_holds_addin_guide_scripts(bundle, unzipped):
    names = set(zipfile.ZipFile(bundle).namelist())
    assert bundle.stat().st_mode & 0o044 == 0o044  # readable by whoever it is handed to
    assert {"cai-dat.cmd", "go-cai-dat.cmd", "huong-dan-excel.md", "vaxclean.xlam",
            "manifest.json", "tap-lenh/chay-bang.ps1", "tap-lenh/cai-dat.json",
            "tap-lenh/go-cai-dat.json"} <= names
    assert (unzipped / "huong-dan-excel.md").read_bytes() == \
        (ROOT / "docs" / "huong-dan-excel.md").read_bytes()
    with zipfile.ZipFile(unzipped / "vaxclean.xlam") as addin:
        assert "xl/vbaProject.bin" in addin.namelist()
        conf = addin.read("xl/sharedStrings.xml").decode("utf-8")
    assert "INTERPRETER_WIN" in conf
    assert r"%LOCALAPPDATA%\vaxclean\venv\Scripts\pythonw.exe" in conf


# ------------------------------------------------------------------------- the scripts

@pytest.mark.parametrize("name, table", [("cai-dat.cmd", "tap-lenh\\cai-dat.json"),
                                          ("go-cai-dat.cmd", "tap-lenh\\go-cai-dat.json")])
def test_cmd_files_are_crlf_and_run_their_steps_in_order(unzipped, name, table):
    raw = (unzipped / name).read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")  # a BOM would break '@echo off'
    assert raw.count(b"\n") == raw.count(b"\r\n") > 5 and raw.endswith(b"\r\n")
    text = raw.decode("utf-8")
    assert unicodedata.is_normalized("NFC", text)
    lines = [ln.strip() for ln in text.split("\r\n")]
    order = ["@echo off", "chcp 65001 >nul",
             'powershell.exe -NoProfile -ExecutionPolicy Bypass -File '
             f'"%~dp0tap-lenh\\chay-bang.ps1" -Table "%~dp0{table}"',
             'set "RC=%ERRORLEVEL%"', ":done", "pause", "exit /b %RC%"]
    positions = [lines.index(step) for step in order]
    assert positions == sorted(positions)
    assert (unzipped / table.replace("\\", "/")).is_file()


def test_runner_is_ascii_crlf_and_reads_every_key_the_tables_use(unzipped):
    raw = (unzipped / "tap-lenh" / "chay-bang.ps1").read_bytes()
    raw.decode("ascii")
    assert raw.count(b"\n") == raw.count(b"\r\n")
    text = raw.decode("ascii")
    for name in ("cai-dat.json", "go-cai-dat.json"):
        table = json.loads((unzipped / "tap-lenh" / name).read_text(encoding="utf-8"))
        for step in table["steps"]:
            for key in set(step) - {"id"}:
                assert f"$s.{key}" in text, key
            if "check" in step:
                for key in step["check"]:
                    assert f"$s.check.{key}" in text, key
            assert step["fail"] == "next" or step["fail"] in table["messages"]
        for key in ("env", "vars", "programs", "steps", "messages"):
            assert f"$t.{key}" in text
        for message in table["messages"].values():
            assert unicodedata.is_normalized("NFC", message["text"])
            assert message["level"] != "stop" or 10 <= message["code"] <= 29


# ------------------------------------------------------------------------- walking the table

def _script(path: Path, body: str) -> None:
    path.write_text("#!/bin/sh\n" + body, encoding="utf-8")
    path.chmod(0o755)


class Station:
    """A fake Windows user: its folders and the programs on its PATH (scripts printing
    what py, reg and tasklist print)."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.bin = tmp / "bin"
        self.bin.mkdir()
        self.log = tmp / "calls.log"
        self.local = tmp / "Local"
        self.roaming = tmp / "Roaming"
        self.venv = self.local / "vaxclean" / "venv"
        self.env = {"PATH": str(self.bin), "LOCALAPPDATA": str(self.local),
                    "APPDATA": str(self.roaming), "SystemRoot": str(tmp / "Windows")}
        self.pip_rc = self.install_rc = 0

    def py(self, pythons: dict[str, str], *, where: Path | None = None) -> None:
        """A py launcher knowing ``pythons`` ({"-3.13-64": "3.13 win-amd64"}; the first is
        the default)."""
        log = str(self.log)
        cases = []
        for arg, probe in pythons.items():
            cases.append(f"""  {arg}) if [ "$2" = -c ]; then echo '{probe}'; exit 0; fi
    if [ "$2" = -m ] && [ "$3" = venv ]; then
      s="$5/Scripts"; /bin/mkdir -p "$s"
      printf '#!/bin/sh\\necho "python $*" >> %s\\nexit %s\\n' {log} {self.pip_rc} \\
        > "$s/python.exe"
      printf '#!/bin/sh\\necho "vaxclean $*" >> %s\\nexit %s\\n' {log} {self.install_rc} \\
        > "$s/vaxclean.exe"
      /bin/chmod +x "$s/python.exe" "$s/vaxclean.exe"; exit 0
    fi;;""")
        default = next(iter(pythons.values()), None)
        version = f'echo "Python {default.split()[0]}.4"; exit 0' if default else \
            'echo "No installed Python found!" >&2; exit 103'
        probe = f"echo '{default}'; exit 0" if default else "exit 103"
        body = f"""printf "%s\\n" "py $*" >> {log}
case "$1" in
  --version) {version};;
  -c) {probe};;
{chr(10).join(cases)}
esac
echo "No suitable Python runtime found" >&2
exit 103
"""
        folder = where or self.bin
        folder.mkdir(parents=True, exist_ok=True)
        _script(folder / "py", body)

    def excel(self, *, installed: bool = True, running: bool = False,
              policies: dict[str, str] | None = None) -> None:
        """reg answering for Excel and ``policies`` ({value name: data}); tasklist."""
        log = str(self.log)
        cases = []
        if installed:
            cases.append("  'HKCR\\Excel.Application\\CurVer') echo; echo "
                         "'    (Default)    REG_SZ    Excel.Application.16'; exit 0;;")
        for value, data in (policies or {}).items():
            cases.append(f"  {value}) echo '    {value}    REG_DWORD    {data}'; exit 0;;")
        _script(self.bin / "reg", f"""printf "%s\\n" "reg $*" >> {log}
case "$4" in
{chr(10).join(c for c in cases if not c.startswith("  'HKCR"))}
esac
case "$2" in
{chr(10).join(c for c in cases if c.startswith("  'HKCR"))}
esac
echo 'ERROR: The system was unable to find the specified registry key or value.' >&2
exit 1
""")
        listed = ("EXCEL.EXE                     4242 Console                    1    "
                  "183.412 K") if running else \
            "INFO: No tasks are running which match the specified criteria."
        _script(self.bin / "tasklist",
                f"printf '%s\\n' \"tasklist $*\" >> {log}\necho '{listed}'\n")

    def calls(self) -> list[str]:
        return self.log.read_text(encoding="utf-8").splitlines() if self.log.exists() else []


@pytest.fixture
def station(tmp_path: Path) -> Station:
    return Station(tmp_path)


@pytest.fixture(scope="session")
def install(unzipped: Path) -> dict:
    return json.loads((unzipped / "tap-lenh" / "cai-dat.json").read_text(encoding="utf-8"))


def test_no_python_launcher_says_which_installer_to_get(install, unzipped, station):
    station.excel()
    walked = T.walk(install, unzipped, station.env)
    assert (walked.code, walked.messages) == (11, ["no_python"])
    text = T.message_text(install, walked, "no_python")
    assert "python-3.13.7-amd64.exe" in text and "python-3.13.7.exe" in text
    assert "Use admin privileges when installing py.exe" in text
    assert "Add python.exe to PATH" in text
    assert not station.venv.exists() and station.calls() == []


def test_launcher_without_any_python(install, unzipped, station):
    station.py({})
    station.excel()
    walked = T.walk(install, unzipped, station.env)
    assert (walked.code, walked.messages) == (11, ["no_python"])
    assert station.calls() == ["py --version"]


def test_wrong_version_names_the_versions_the_bundle_has(install, unzipped, station):
    station.py({"-3.10-64": "3.10 win-amd64"})
    station.excel()
    walked = T.walk(install, unzipped, station.env)
    assert (walked.code, walked.messages) == (12, ["wrong_version"])
    assert walked.vars["FOUNDVER"] == "3.10"
    text = T.message_text(install, walked, "wrong_version")
    assert text.startswith("Máy có Python 3.10 nhưng gói cài này cần Python 3.13, 3.12 "
                           "hoặc 3.11.")
    probes = [c for c in station.calls() if c.startswith("py -3.")]
    # newest first, 64-bit before 32-bit, exactly the targets the bundle carries
    assert probes == [f"py -{v}-{b} -c {T.PROBE}" for v in ("3.13", "3.12", "3.11")
                      for b in ("64", "32")]
    assert not station.venv.exists()


def test_a_platform_the_bundle_lacks_is_a_bitness_message(install, unzipped, station):
    station.py({"-3.12-64": "3.12 win-arm64"})  # ARM64 Windows: no wheels for it
    station.excel()
    walked = T.walk(install, unzipped, station.env)
    assert (walked.code, walked.messages) == (13, ["wrong_bitness"])
    assert "bản win-arm64" in T.message_text(install, walked, "wrong_bitness")


def test_32_bit_python_with_a_64_bit_only_bundle(unzipped, station):
    table = T.install_table([("3.13", "win_amd64")])
    station.py({"-3.13-32": "3.13 win32"})
    station.excel()
    walked = T.walk(table, unzipped, station.env)
    assert (walked.code, walked.messages) == (13, ["wrong_bitness"])
    text = T.message_text(table, walked, "wrong_bitness")
    assert "Python 3.13 bản win32" in text and "chỉ có thư viện cho: Python 3.13 64 bit" in text
    assert "Office 32 bit dùng được Python 64 bit" in text


def test_ok_path_creates_the_venv_installs_offline_and_runs_install_excel(install, unzipped,
                                                                          station):
    station.py({"-3.12-32": "3.12 win32"})  # only a 32-bit Python 3.12
    station.excel()
    walked = T.walk(install, unzipped, station.env)
    assert (walked.code, walked.messages) == (0, ["done"])
    assert (walked.vars["PYSEL"], walked.vars["PYVER"], walked.vars["PYPLAT"]) == \
        ("-3.12-32", "3.12", "win32")
    calls = station.calls()
    steps = [c.split()[0] for c in calls]
    wheels = unzipped / "wheels"
    assert calls[-3:] == [
        f"py -3.12-32 -m venv --clear {station.venv}",
        f"python -m pip install --no-index --find-links {wheels} "
        "--disable-pip-version-check vaxclean_xl[excel]",
        "vaxclean install-excel"]
    assert steps[:1] == ["py"] and "reg" in steps and "tasklist" in steps
    assert steps.index("tasklist") < calls.index(calls[-3])  # Excel checked before the venv


def test_prefers_newest_64_bit_and_finds_a_per_user_launcher_off_path(install, unzipped,
                                                                      station):
    launcher = station.local / "Programs" / "Python" / "Launcher"
    station.py({"-3.11-32": "3.11 win32", "-3.13-64": "3.13 win-amd64"}, where=launcher)
    (launcher / "py").rename(launcher / "py.exe")
    station.excel()
    walked = T.walk(install, unzipped, station.env)
    assert walked.code == 0
    assert walked.vars["PYSEL"] == "-3.13-64"
    assert walked.commands[0][0] == str(launcher / "py.exe")


def test_no_excel_and_excel_open_stop_before_anything_is_installed(install, unzipped,
                                                                   station):
    station.py({"-3.13-64": "3.13 win-amd64"})
    station.excel(installed=False)
    walked = T.walk(install, unzipped, station.env)
    assert (walked.code, walked.messages) == (14, ["no_excel"])
    station.excel(running=True)
    walked = T.walk(install, unzipped, station.env)
    assert (walked.code, walked.messages) == (15, ["excel_open"])
    assert "đóng mọi cửa sổ Excel" in T.message_text(install, walked, "excel_open")
    assert not station.venv.exists()


def test_policies_that_block_the_addin_warn_and_the_install_goes_on(install, unzipped,
                                                                    station):
    station.py({"-3.13-64": "3.13 win-amd64"})
    station.excel(policies={"AllLocationsDisabled": "0x1", "RequireAddinSig": "0x1"})
    walked = T.walk(install, unzipped, station.env)
    assert (walked.code, walked.messages) == (0, ["policy_locations", "policy_signed", "done"])
    queried = [c for c in station.calls() if c.startswith("reg query HKCU")]
    assert queried == [
        "reg query HKCU\\Software\\Policies\\Microsoft\\Office\\16.0\\Excel\\Security\\"
        "Trusted Locations /v AllLocationsDisabled",
        "reg query HKCU\\Software\\Policies\\Microsoft\\Office\\16.0\\Excel\\Security "
        "/v RequireAddinSig"]
    station.log.unlink()
    station.excel(policies={"AllLocationsDisabled": "0x0"})
    walked = T.walk(install, unzipped, station.env)
    assert walked.messages == ["done"]


def test_failed_pip_or_install_excel_and_unextracted_bundle(install, unzipped, station,
                                                           tmp_path):
    station.pip_rc = 1
    station.py({"-3.13-64": "3.13 win-amd64"})
    station.excel()
    walked = T.walk(install, unzipped, station.env)
    assert (walked.code, walked.messages) == (17, ["pip_failed"])
    assert "vaxclean install-excel" not in station.calls()
    station.pip_rc, station.install_rc = 0, 2
    station.py({"-3.13-64": "3.13 win-amd64"})
    walked = T.walk(install, unzipped, station.env)
    assert (walked.code, walked.messages) == (18, ["install_excel_failed"])
    lone = tmp_path / "temp-of-the-zip-viewer"  # cai-dat.cmd opened inside the .zip
    lone.mkdir()
    walked = T.walk(install, lone, station.env)
    assert (walked.code, walked.messages) == (10, ["not_extracted"])


def test_uninstall_removes_venv_and_addin_but_not_while_excel_runs(unzipped, station):
    table = json.loads((unzipped / "tap-lenh" / "go-cai-dat.json").read_text(encoding="utf-8"))
    addin = station.roaming / "Microsoft" / "Excel" / "XLSTART" / "vaxclean.xlam"
    addin.parent.mkdir(parents=True)
    addin.write_bytes(b"PK")
    (station.venv / "Scripts").mkdir(parents=True)
    (station.venv / "Scripts" / "python.exe").write_text("x")
    station.excel(running=True)
    walked = T.walk(table, unzipped, station.env)
    assert (walked.code, walked.messages) == (15, ["excel_open"])
    assert addin.exists() and station.venv.exists()
    station.excel()
    walked = T.walk(table, unzipped, station.env)
    assert (walked.code, walked.messages) == (0, ["done"])
    assert not addin.exists() and not station.venv.exists()
    assert station.venv.parent.exists()  # only the venv goes
    walked = T.walk(table, unzipped, station.env)  # twice: nothing left, still fine
    assert walked.code == 0


def test_guide_and_table_name_the_same_installer_and_versions(install, manifest):
    guide = (ROOT / "docs" / "huong-dan-excel.md").read_text(encoding="utf-8")
    section = guide.split("### 2.1", 1)[1].split("### 2.2", 1)[0]
    newest = manifest["pythons"][-1]
    assert manifest["python_installer"]["files"] == list(T.installer_names(newest))
    for name in T.installer_names(newest):
        assert name in section and name in install["messages"]["no_python"]["text"]
    assert "Python 3.11,\n3.12 và 3.13" in section  # the versions the bundle claims
    assert manifest["pythons"] == ["3.11", "3.12", "3.13"]
    assert "Use admin privileges when installing\n   py.exe" in section
    assert section.index("cai-dat.cmd") < guide.index("### 2.2")
