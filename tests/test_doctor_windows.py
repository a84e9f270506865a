"""`vaxclean doctor`'s Windows checks (issue 13, part 3), judged from real-format inputs.

The probe (excel/windows_probe.py) only reads Windows; the checks (excel/windows_checks.py)
decide from what it read. Here they are fed values exactly as Windows stores them: registry
DWORDs and REG_SZ strings, Zone.Identifier streams as browsers and Windows write them, the
text Get-MpPreference prints, and the headers of real Windows executables (setuptools'
launchers). Every finding is tested present and absent. On this (non-Windows) machine the
CLI entry point runs `doctor` and says the Windows checks are skipped.
"""

from __future__ import annotations

import json
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
import setuptools

from vaxclean_xl.excel import windows_checks as W
from vaxclean_xl.excel.diagnostics import WINDOWS_SKIPPED, doctor_lines, has_errors
from vaxclean_xl.excel.windows_probe import xlstart_listing, zone_streams

ASR = W.ASR_OFFICE_CHILD
PYTHON = r"C:\Users\yte\AppData\Local\vaxclean\venv\Scripts\pythonw.exe"
XLSTART = r"C:\Users\yte\AppData\Roaming\Microsoft\Excel\XLSTART"
LAUNCHERS = Path(setuptools.__file__).parent  # real PE files: gui-32.exe, gui-64.exe, ...


def header(name: str) -> bytes:
    """The first 4 KiB of a real Windows executable, as the probe reads EXCEL.EXE."""
    return (LAUNCHERS / name).read_bytes()[:4096]


def codes(found: list[W.Finding]) -> list[str]:
    return [f.code for f in found]


# --------------------------------------------------------------------------- the table


def test_every_check_is_vietnamese_nfc_with_a_fix_and_a_known_level() -> None:
    assert len(W.CHECKS) == 14 and all(c.startswith("WIN1") for c in W.CHECKS)
    for code, check in W.CHECKS.items():
        assert check.level in W.LEVEL_VI, code
        for text in (check.message, check.fix):
            assert text and unicodedata.is_normalized("NFC", text), code
    f = W.finding("WIN110", folder=XLSTART)
    assert f.lines()[0].startswith("[LỖI WIN110] Chưa cài add-in: không có tệp vaxclean.xlam")
    assert f.lines()[1].startswith("   → Cách sửa: Chạy lại cai-dat.cmd")
    assert W.Finding(**f.as_dict()) == f


# --------------------------------------------------------------------------- bitness


def test_pe_bits_of_real_windows_executables() -> None:
    assert W.pe_bits(header("gui-32.exe")) == 32
    assert W.pe_bits(header("gui-64.exe")) == 64
    assert W.pe_bits(header("gui-arm64.exe")) == 64
    assert W.pe_bits(b"PK\x03\x04" + bytes(200)) is None  # a zip (.xlam), not a program
    assert W.pe_bits(header("gui-64.exe")[:0x40]) is None  # cut before the PE signature
    assert W.pe_bits(None) is None


@pytest.mark.parametrize(("curver", "version"), [
    ("Excel.Application.16", "16.0"), ("Excel.Application.15", "15.0"),
    ("Excel.Application.14", "14.0"), (None, None), ("Excel.Application", None)])
def test_office_version_from_curver(curver: str | None, version: str | None) -> None:
    assert W.office_version(curver) == version


@pytest.mark.parametrize(("python_bits", "c2r", "exe", "found", "expected"), [
    (64, "x86", None, True, ["WIN101"]),          # 32-bit Office, 64-bit Python
    (32, "x64", None, True, ["WIN101"]),          # the reverse
    (64, "x64", None, True, []),
    (32, "x86", None, True, []),
    (64, None, "gui-32.exe", True, ["WIN101"]),   # MSI Office: bits from EXCEL.EXE
    (32, None, "gui-32.exe", True, []),
    (64, None, "gui-64.exe", True, []),
    (64, "x64", "gui-32.exe", True, []),          # Click-to-Run's Platform wins
    (64, None, None, True, []),                   # Excel found, bits unknown: say nothing
    (64, None, None, False, ["WIN102"]),          # no Excel at all
])
def test_check_bitness(python_bits: int, c2r: str | None, exe: str | None, found: bool,
                       expected: list[str]) -> None:
    out = W.check_bitness(python_bits, c2r, header(exe) if exe else None, found)
    assert codes(out) == expected
    if expected == ["WIN101"]:
        office = 96 - python_bits
        assert out[0].level == W.INFO
        assert f"Office {office} bit, Python {python_bits} bit" in out[0].message
        assert "không sao" in out[0].message and "COM" in out[0].message
        assert f"theo số bit của Python ({python_bits} bit)" in out[0].fix


# --------------------------------------------------------------------------- XLSTART


@pytest.mark.parametrize(("files", "expected"), [
    (None, ["WIN110"]),                                         # no XLSTART folder
    ([], ["WIN110"]),
    (["vaxclean.xlam"], []),
    (["VaxClean.XLAM"], []),                                    # names are case-insensitive
    (["vaxclean.xlam", "PERSONAL.XLSB", "~$vaxclean.xlam", "desktop.ini"], []),
    (["vaxclean.xlam", ".vaxclean.k3j2_x9.tmp.xlam", "vaxclean (1).xlam", "VaxClean.xlsm"],
     ["WIN111"]),
    (["vaxclean.xlam", "Book1.xlsx", "ThongKe.xlam"], ["WIN112"]),
    (["vaxclean - Copy.xlam", "Book1.xlsx"], ["WIN110", "WIN111", "WIN112"]),
])
def test_check_xlstart(files: list[str] | None, expected: list[str]) -> None:
    out = W.check_xlstart(XLSTART, files)
    assert codes(out) == expected
    by_code = {f.code: f for f in out}
    if "WIN110" in by_code:
        assert XLSTART in by_code["WIN110"].message
        assert "vaxclean install-excel" in by_code["WIN110"].fix
    if "WIN111" in by_code:
        strays = [n for n in files or [] if n.lower() != "vaxclean.xlam"
                  and "vaxclean" in n.lower()]
        assert all(n in by_code["WIN111"].message for n in strays)
        assert "hai lần" in by_code["WIN111"].message and "Làm sạch TC" in \
            by_code["WIN111"].message
        assert f"xóa các tệp này khỏi {XLSTART}" in by_code["WIN111"].fix
    if "WIN112" in by_code:
        assert "Book1.xlsx" in by_code["WIN112"].message
        assert "vaxclean" not in by_code["WIN112"].message.split(":")[1]


def test_xlstart_listing_of_a_real_folder(tmp_path: Path) -> None:
    assert xlstart_listing(tmp_path / "XLSTART") is None
    folder = tmp_path / "XLSTART"
    (folder / "sub").mkdir(parents=True)
    (folder / "vaxclean.xlam").write_bytes(b"PK\x03\x04")
    (folder / "PERSONAL.XLSB").write_bytes(b"PK\x03\x04")
    assert xlstart_listing(folder) == ["PERSONAL.XLSB", "vaxclean.xlam"]  # no folders
    assert W.check_xlstart(str(folder), xlstart_listing(folder)) == []


# --------------------------------------------------------------------------- Mark of the Web

# as Edge/Chrome write it on a download (ANSI, CRLF)
EDGE = (b"[ZoneTransfer]\r\nZoneId=3\r\nReferrerUrl=https://drive.google.com/\r\n"
        b"HostUrl=https://drive.usercontent.google.com/download?id=1a2b3c\r\n")
# as Windows Attachment Manager writes it on a mail attachment saved or a zip extracted
ATTACHMENT = b"[ZoneTransfer]\r\nZoneId=3\r\n"
# written by a tool in UTF-16 with a BOM
UTF16 = "[ZoneTransfer]\r\nZoneId=3\r\n".encode("utf-16")
INTRANET = b"[ZoneTransfer]\r\nZoneId=1\r\n"
TRUSTED = b"[ZoneTransfer]\r\nZoneId=2\r\nHostUrl=about:internet\r\n"
RESTRICTED = b"[ZoneTransfer]\r\nZoneId=4\r\n"
OTHER_SECTION = b"[Other]\r\nZoneId=3\r\n"


@pytest.mark.parametrize(("stream", "zone"), [
    (EDGE, 3), (ATTACHMENT, 3), (UTF16, 3), (INTRANET, 1), (TRUSTED, 2), (RESTRICTED, 4),
    (OTHER_SECTION, None), (b"", None), (b"[ZoneTransfer]\r\nZoneId=\r\n", None)])
def test_zone_id(stream: bytes, zone: int | None) -> None:
    assert W.zone_id(stream) == zone


@pytest.mark.parametrize(("stream", "blocked"), [
    (EDGE, True), (ATTACHMENT, True), (UTF16, True), (RESTRICTED, True),
    (INTRANET, False), (TRUSTED, False), (OTHER_SECTION, False)])
def test_check_zones(stream: bytes, blocked: bool) -> None:
    path = XLSTART + r"\vaxclean.xlam"
    out = W.check_zones({path: stream})
    assert codes(out) == (["WIN120"] if blocked else [])
    if blocked:
        f = out[0]
        assert f.level == W.ERROR and f.message.startswith("Tệp vaxclean.xlam mang")
        assert f"ZoneId={W.zone_id(stream)}" in f.message
        assert "Properties (Thuộc tính)" in f.fix and "«Unblock» (Bỏ chặn)" in f.fix
        assert f"Unblock-File -LiteralPath '{path}'" in f.fix


def test_unblock_command_quotes_an_apostrophe() -> None:
    path = r"C:\Users\O'Hara\AppData\Roaming\Microsoft\Excel\XLSTART\vaxclean.xlam"
    fix = W.check_zones({path: ATTACHMENT})[0].fix
    assert r"Unblock-File -LiteralPath 'C:\Users\O''Hara\AppData" in fix


def test_zone_streams_reads_the_stream_of_macro_files_only(tmp_path: Path) -> None:
    # on NTFS "name:Zone.Identifier" is the alternate data stream; elsewhere a file of that
    # name: the probe opens the same path either way
    (tmp_path / "vaxclean.xlam").write_bytes(b"PK\x03\x04")
    (tmp_path / "vaxclean.xlam:Zone.Identifier").write_bytes(EDGE)
    (tmp_path / "VaxClean.xlsm").write_bytes(b"PK\x03\x04")  # copied from a USB: no stream
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    (tmp_path / "notes.txt:Zone.Identifier").write_bytes(ATTACHMENT)
    streams = zone_streams(tmp_path, ["vaxclean.xlam", "VaxClean.xlsm", "notes.txt"])
    assert streams == {str(tmp_path / "vaxclean.xlam"): EDGE}
    assert codes(W.check_zones(streams)) == ["WIN120"]


# --------------------------------------------------------------------------- macro settings


@pytest.mark.parametrize(("user", "policy", "expected", "by_policy"), [
    ({}, {}, [], False),                                             # Excel's default: 2
    ({"VBAWarnings": 2, "AccessVBOM": 0}, {}, [], False),
    ({"VBAWarnings": 4}, {}, ["WIN130"], False),
    ({"VBAWarnings": 3}, {}, ["WIN131"], False),
    ({"VBAWarnings": 1}, {}, ["WIN132"], False),
    ({"VBAWarnings": 2}, {"vbawarnings": 4}, ["WIN130"], True),      # the policy wins
    ({"VBAWarnings": 4}, {"VBAWarnings": 2}, [], True),
    ({}, {"VBAWarnings": 3}, ["WIN131"], True),
    ({}, {"VBAWarnings": 1}, ["WIN132"], True),
    ({"RequireAddinSig": 1}, {}, ["WIN133"], False),
    ({"RequireAddinSig": 0}, {}, [], False),
    ({"RequireAddinSig": 1}, {"RequireAddinSig": 0}, [], True),
    ({}, {"requireaddinsig": 1}, ["WIN133"], True),
    ({}, {"blockcontentexecutionfrominternet": 1}, ["WIN134"], True),
    ({}, {"blockcontentexecutionfrominternet": 0}, [], True),
    ({"blockcontentexecutionfrominternet": 1}, {}, [], False),       # only a policy counts
    ({"VBAWarnings": 4, "RequireAddinSig": 1}, {"blockcontentexecutionfrominternet": 1},
     ["WIN130", "WIN133", "WIN134"], False),
])
def test_check_macro_security(user: dict, policy: dict, expected: list[str],
                              by_policy: bool) -> None:
    out = W.check_macro_security(user, policy)
    assert codes(out) == expected
    for f in out:
        if f.code == "WIN134":
            assert "Block macros from running in Office files from the Internet" in f.message
            continue
        assert ("chính sách nhóm" in f.message) == by_policy
        assert ("người dùng không tự đổi được" in f.fix) == by_policy
        assert ("Trust Center" in f.fix) == (not by_policy)
    levels = {f.code: f.level for f in out}
    assert levels.get("WIN130", W.WARNING) == W.WARNING
    assert levels.get("WIN132", W.INFO) == W.INFO


def test_vba_warnings_as_a_string_value() -> None:
    # a value written by hand with regedit as REG_SZ still counts
    assert codes(W.check_macro_security({"VBAWarnings": "4"}, {})) == ["WIN130"]
    assert codes(W.check_macro_security({"VBAWarnings": "x"}, {})) == []


# --------------------------------------------------------------------------- Defender ASR


def mp_text(ids: list[str], actions: list[int]) -> str:
    """Get-MpPreference | Format-List AttackSurfaceReductionRules_Ids,..._Actions, as
    PowerShell prints it (blank lines around, aligned colons, CRLF)."""
    return ("\r\n\r\n"
            f"AttackSurfaceReductionRules_Ids     : {{{', '.join(ids)}}}\r\n"
            f"AttackSurfaceReductionRules_Actions : {{{', '.join(map(str, actions))}}}\r\n"
            "\r\n\r\n\r\n")


OTHERS = ["3B576869-A4EC-4529-8536-B80A7769E899", "75668C1F-73B5-4CF0-BB93-3ECF5CB7CC84"]
EMPTY_MP = ("\r\n\r\nAttackSurfaceReductionRules_Ids     : \r\n"
            "AttackSurfaceReductionRules_Actions : \r\n\r\n\r\n\r\n")


@pytest.mark.parametrize(("mp", "policy", "expected"), [
    (mp_text([ASR, *OTHERS], [1, 1, 2]), {}, ["WIN140"]),
    (mp_text([*OTHERS, ASR], [1, 1, 6]), {}, ["WIN141"]),
    (mp_text([ASR], [2]), {}, ["WIN142"]),
    (mp_text([ASR], [0]), {}, []),
    (mp_text(OTHERS, [1, 1]), {}, []),                        # other rules only
    (mp_text([ASR.lower()], [1]), {}, ["WIN140"]),            # GUIDs in lower case
    (EMPTY_MP, {}, []),
    (None, {ASR: "1"}, ["WIN140"]),                           # policy key, REG_SZ data
    (None, {ASR: "6"}, ["WIN141"]),
    (None, {ASR: "2"}, ["WIN142"]),
    (None, {ASR: "0"}, []),
    (None, {ASR.lower(): 1}, ["WIN140"]),                     # REG_DWORD data
    (None, {"{" + ASR + "}": "1"}, ["WIN140"]),
    (None, {OTHERS[0]: "1"}, []),
    (None, {}, []),                                           # not configured / no Defender
    (mp_text([ASR], [2]), {ASR: "1"}, ["WIN142"]),            # what Defender reports wins
    (EMPTY_MP, {ASR: "1"}, ["WIN140"]),
])
def test_check_asr(mp: str | None, policy: dict, expected: list[str]) -> None:
    out = W.check_asr(mp, policy, PYTHON)
    assert codes(out) == expected
    for f in out:
        assert "Block all Office applications from creating child processes" in f.message
    if expected == ["WIN140"]:
        assert out[0].level == W.ERROR and "không khởi động được Python" in out[0].message
        assert ASR in out[0].fix and PYTHON in out[0].fix and "Audit (2)" in out[0].fix
    if expected == ["WIN141"]:
        assert "«Unblock» (Bỏ chặn)" in out[0].fix and "24 giờ" in out[0].fix


def test_mp_preference_wrapped_and_truncated_output() -> None:
    # Format-List without a wide Out-String wraps a long value onto indented lines
    ids = ", ".join([*OTHERS, ASR])
    line = f"AttackSurfaceReductionRules_Ids     : {{{ids}}}"
    wrapped = line[:80] + "\r\n" + " " * 38 + line[80:]
    text = f"\r\n{wrapped}\r\nAttackSurfaceReductionRules_Actions : {{1, 2, 6}}\r\n\r\n"
    assert W.asr_rules_from_mp(text) == {OTHERS[0]: 1, OTHERS[1]: 2, ASR: 6}
    # without $FormatEnumerationLimit=-1 PowerShell cuts a list after 4 items
    five = [*OTHERS, ASR, "D3E037E1-3EB8-44C8-A917-57927947596D",
            "9E6C4E1F-7D60-472F-BA1A-A39EF669E4B2"]
    cut = ("AttackSurfaceReductionRules_Ids     : {" + ", ".join(five[:4]) + "...}\r\n"
           "AttackSurfaceReductionRules_Actions : {1, 1, 1, 2...}\r\n")
    assert W.asr_rules_from_mp(cut) == {OTHERS[0]: 1, OTHERS[1]: 1, ASR: 1, five[3]: 2}
    assert W.asr_rules_from_mp(None) == {} and W.asr_rules_from_mp("") == {}


# --------------------------------------------------------------------------- all together


def bare_station() -> W.WindowsFacts:
    """A station PC as found: 32-bit Office, the add-in copied from a download beside a
    stray copy, macros off without notice by policy, Defender blocking Office children."""
    return W.WindowsFacts(
        python_bits=64, python=PYTHON, excel_curver="Excel.Application.16",
        c2r_platform="x86", excel_path=r"C:\Program Files (x86)\Microsoft Office\root"
        r"\Office16\EXCEL.EXE", excel_header=header("gui-32.exe"), xlstart=XLSTART,
        xlstart_files=["vaxclean (1).xlam", "PERSONAL.XLSB"],
        zone_streams={XLSTART + r"\vaxclean (1).xlam": EDGE},
        security_user={"VBAWarnings": 2},
        security_policy={"VBAWarnings": 4, "blockcontentexecutionfrominternet": 1},
        mp_preference=mp_text([ASR], [1]), unreadable=["security"])


def test_windows_findings_errors_first() -> None:
    found = W.windows_findings(bare_station())
    assert codes(found) == ["WIN110", "WIN120", "WIN140", "WIN111", "WIN130", "WIN101",
                            "WIN134"]
    assert W.windows_summary(bare_station()) == {
        "office": "16.0, 32 bit", "xlstart": XLSTART, "unreadable": "security"}


def test_a_ready_station_has_no_findings() -> None:
    facts = W.WindowsFacts(
        python_bits=64, python=PYTHON, excel_curver="Excel.Application.16",
        c2r_platform="x64", excel_path=r"C:\Program Files\Microsoft Office\root\Office16"
        r"\EXCEL.EXE", xlstart=XLSTART, xlstart_files=["vaxclean.xlam"],
        security_user={"VBAWarnings": 2}, mp_preference=EMPTY_MP)
    assert W.windows_findings(facts) == []
    assert W.windows_summary(facts) == {"office": "16.0, 64 bit", "xlstart": XLSTART}
    unknown = W.WindowsFacts(python_bits=32)
    assert W.windows_summary(unknown)["office"] == "không rõ phiên bản, không rõ số bit"


def test_doctor_lines_show_each_finding_and_its_fix() -> None:
    found = W.windows_findings(bare_station())
    info = {"python": "3.12.4", "windows_checks": f"{len(found)} điều cần xem",
            "findings": [f.as_dict() for f in found]}
    lines = doctor_lines(info)
    assert lines[0] == "Python: 3.12.4"
    assert lines[1] == "Kiểm tra Windows: 7 điều cần xem"
    assert lines[2].startswith("[LỖI WIN110] ") and lines[3].startswith("   → Cách sửa: ")
    assert any(line.startswith("[CẢNH BÁO WIN111] ") for line in lines)
    assert any(line.startswith("[LƯU Ý WIN101] ") for line in lines)
    assert len(lines) == 2 + 2 * len(found)
    assert has_errors(info)
    info["findings"] = [f for f in info["findings"] if f["level"] != "error"]
    assert not has_errors(info) and not has_errors({})


# --------------------------------------------------------------------------- CLI, not Windows


@pytest.mark.skipif(sys.platform == "win32", reason="the skip note is for other systems")
def test_doctor_cli_says_windows_checks_are_skipped() -> None:
    exe = Path(sys.executable).with_name("vaxclean")  # the installed console script
    proc = subprocess.run([str(exe), "doctor", "--no-measure"], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert f"Kiểm tra Windows: {WINDOWS_SKIPPED}\n" in proc.stdout
    assert "bỏ qua vì máy này không chạy Windows" in proc.stdout
    assert "[LỖI" not in proc.stdout and proc.stderr == ""
    proc = subprocess.run([str(exe), "doctor", "--no-measure", "--json"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    info = json.loads(proc.stdout)
    assert info["windows_checks"] == WINDOWS_SKIPPED and info["findings"] == []
