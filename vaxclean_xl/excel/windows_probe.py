"""Read, on Windows, the facts :mod:`.windows_checks` judges: registry values, XLSTART's
files, Zone.Identifier streams, Defender's attack surface reduction rules.

Why a separate layer: it only reads and returns plain data (:class:`WindowsFacts`), as
Windows stores it, so everything that decides is testable on any machine. Each probe that
fails is named in ``unreadable`` and the others still run: a diagnostic must never fail.
Registry keys (Microsoft docs): Office's Trust Center values under
``Software\\Microsoft\\Office\\<ver>\\Excel\\Security`` and their Group Policy twins under
``Software\\Policies\\...``; Click-to-Run's ``Configuration\\Platform``; the App Paths of
``excel.exe``; the ASR rules policy key of Windows Defender Exploit Guard.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from vaxclean_xl.excel.windows_checks import (
    MACRO_SUFFIXES,
    WindowsFacts,
    office_version,
)

OFFICE_VERSIONS = ("16.0", "15.0", "14.0")  # 2016-2021/365, 2013, 2010
_SECURITY = r"Software\Microsoft\Office\{ver}\Excel\Security"
_SECURITY_POLICY = r"Software\Policies\Microsoft\Office\{ver}\Excel\Security"
_C2R = r"SOFTWARE\Microsoft\Office\ClickToRun\Configuration"
_APP_PATHS = r"SOFTWARE\Microsoft\Windows\CurrentVersion\App Paths\excel.exe"
_ASR_POLICY = (r"SOFTWARE\Policies\Microsoft\Windows Defender\Windows Defender Exploit Guard"
               r"\ASR\Rules")
# $FormatEnumerationLimit=-1: Format-List would cut a list after 4 items ("{a, b, c, d...}")
MP_COMMAND = ("$FormatEnumerationLimit=-1; Get-MpPreference | Format-List "
              "AttackSurfaceReductionRules_Ids,AttackSurfaceReductionRules_Actions "
              "| Out-String -Width 4096")
_NO_WINDOW = 0x08000000  # CREATE_NO_WINDOW: no console flash when run from Excel


def _views() -> tuple[int, ...]:
    """Both registry views (a 32-bit Python otherwise sees only WOW6432Node)."""
    import winreg

    return (winreg.KEY_WOW64_64KEY, winreg.KEY_WOW64_32KEY)


def _values(root: Any, path: str) -> dict[str, Any]:
    """Every value of a registry key as {name: data}; {} when the key is absent."""
    import winreg

    for view in _views():
        try:
            with winreg.OpenKey(root, path, 0, winreg.KEY_READ | view) as key:
                out = {}
                i = 0
                while True:
                    try:
                        name, data, _ = winreg.EnumValue(key, i)
                    except OSError:
                        return out
                    out[name] = data
                    i += 1
        except FileNotFoundError:
            continue
    return {}


def _value(root: Any, path: str, name: str = "") -> Any:
    """One registry value ("" the key's default), None when absent."""
    return _values(root, path).get(name)


def _office_version() -> tuple[str | None, str]:
    """CurVer of Excel.Application, and the <ver> to read settings under."""
    import winreg

    curver = _value(winreg.HKEY_CLASSES_ROOT, r"Excel.Application\CurVer")
    version = office_version(curver)
    if version is None:
        for ver in OFFICE_VERSIONS:
            if _values(winreg.HKEY_CURRENT_USER, _SECURITY.format(ver=ver)):
                return curver, ver
    return curver, version or OFFICE_VERSIONS[0]


def _excel_exe() -> tuple[str | None, bytes | None]:
    """EXCEL.EXE's path (App Paths) and its first 4 KiB (the PE header)."""
    import winreg

    for root in (winreg.HKEY_LOCAL_MACHINE, winreg.HKEY_CURRENT_USER):
        path = _value(root, _APP_PATHS)
        if path:
            path = os.path.expandvars(str(path).strip('"'))
            try:
                with open(path, "rb") as fh:
                    return path, fh.read(4096)
            except OSError:
                return path, None
    return None, None


def xlstart_listing(folder: str | Path) -> list[str] | None:
    """Names of the files Excel finds in its start-up folder; None if there is no folder."""
    path = Path(folder)
    if not path.is_dir():
        return None
    return sorted(p.name for p in path.iterdir() if p.is_file())


def zone_streams(folder: str | Path, names: list[str]) -> dict[str, bytes]:
    """The raw ``Zone.Identifier`` stream of every macro file in ``folder`` that has one
    (NTFS alternate data stream, opened as ``path:Zone.Identifier``)."""
    out = {}
    for name in names:
        if not name.lower().endswith(MACRO_SUFFIXES):
            continue
        path = str(Path(folder) / name)
        try:
            with open(path + ":Zone.Identifier", "rb") as fh:
                out[path] = fh.read(4096)
        except OSError:  # no stream (the usual case), or not NTFS
            continue
    return out


def _mp_preference() -> str:
    """Defender's ASR rules as ``Get-MpPreference`` prints them; raises when it cannot run
    (another antivirus replaces Defender, PowerShell missing or blocked)."""
    proc = subprocess.run(
        ["powershell.exe", "-NoProfile", "-NonInteractive", "-Command", MP_COMMAND],
        capture_output=True, text=True, timeout=30, creationflags=_NO_WINDOW,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"Get-MpPreference exit {proc.returncode}")
    return proc.stdout


def probe(python: str | None = None) -> WindowsFacts:
    """Read every fact on this Windows machine; a probe that fails is named in
    ``unreadable`` and the others still run."""
    import winreg

    hkcu, hklm = winreg.HKEY_CURRENT_USER, winreg.HKEY_LOCAL_MACHINE
    facts = WindowsFacts(python_bits=64 if sys.maxsize > 2**32 else 32,
                         python=python or sys.executable)
    version = OFFICE_VERSIONS[0]

    def office_version_step() -> None:
        nonlocal version
        facts.excel_curver, version = _office_version()

    def click_to_run() -> None:
        facts.c2r_platform = _value(hklm, _C2R, "Platform")

    def excel_exe() -> None:
        facts.excel_path, facts.excel_header = _excel_exe()

    def xlstart() -> None:
        from vaxclean_xl.commands.build import xlstart_dir

        facts.xlstart = str(xlstart_dir())
        facts.xlstart_files = xlstart_listing(facts.xlstart)
        facts.zone_streams = zone_streams(facts.xlstart, facts.xlstart_files or [])

    def security() -> None:
        facts.security_user = _values(hkcu, _SECURITY.format(ver=version))

    def security_policy() -> None:
        facts.security_policy = _values(hkcu, _SECURITY_POLICY.format(ver=version))

    def defender() -> None:
        facts.mp_preference = _mp_preference()

    def asr_policy() -> None:
        facts.asr_policy = _values(hklm, _ASR_POLICY)

    steps: list[tuple[str, Callable[[], None]]] = [
        ("office-version", office_version_step), ("click-to-run", click_to_run),
        ("excel.exe", excel_exe), ("xlstart", xlstart), ("security", security),
        ("security-policy", security_policy), ("defender", defender),
        ("asr-policy", asr_policy)]
    for name, step in steps:
        try:
            step()
        except Exception:  # a diagnostic reports what it could not read, never fails
            facts.unreadable.append(name)
    return facts


__all__ = ["MP_COMMAND", "OFFICE_VERSIONS", "probe", "xlstart_listing", "zone_streams"]
