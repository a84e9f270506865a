"""The Windows installer's logic as a step TABLE, its PowerShell runner, its .cmd files, and a
Python walker of the same table.

Why a table: a station PC has Windows, maybe no Python, and no way to debug a script; the
tests run on Linux, where neither ``cmd.exe`` nor (usually) ``pwsh`` exists. So every
decision of ``cai-dat.cmd`` / ``go-cai-dat.cmd`` (which Python to use, what is missing,
which Vietnamese message to show, which exit code) lives in a JSON table of steps, and two
small interpreters read it with the same rules:

- ``RUNNER_PS1`` (shipped in the zip, run by the .cmd files through Windows PowerShell 5.1
  with ``-ExecutionPolicy Bypass``; ASCII only, because 5.1 reads a script without a BOM in
  the ANSI code page: every Vietnamese text comes from the UTF-8 table);
- :func:`walk` here, which the tests run on Linux against *real* commands: small
  executable scripts named ``py``, ``reg`` and ``tasklist`` put first on PATH, printing
  what the real programs print (``3.13 win-amd64``, ``Excel.Application.16``, ...). The
  table's branches (no Python, wrong version, wrong bitness, no Excel, Excel open, a policy
  that blocks add-ins, the OK path that creates the venv, installs from the bundle's
  wheels and runs ``install-excel``) are then walked for real; only the interpreter
  differs, and it is ~60 lines whose rules are listed below.

A step (tried in order) is a dict with an optional ``say`` (printed first), optional
``when_set`` / ``when_unset`` (skip unless / if a variable exists) and ONE action:

- ``run``: ``[program, arg, ...]``; fails when the program is not found or exits non-zero
  (unless ``ok_if_error``: then the output is checked as it is, empty when not found);
  ``expect``: a regex the stdout must match, its named groups ``(?<NAME>...)`` become
  variables; ``refuse``: a regex the stdout must not match; ``show``: output goes to the
  console (long steps such as pip);
- ``check``: ``{"var": NAME, "one_of": [...]}`` (case-insensitive) or ``{"var", "match"}``;
- ``exists``: a path that must exist; ``remove``: a file or folder deleted if present;
- ``stop``: always fails.

On success ``set`` assigns variables; on failure ``fail`` names a message (``"next"``: go
on silently). A message has a level (``stop``: print in red and exit with its ``code``;
``warn``: print in yellow and go on) and a text. ``{NAME}`` in any string is replaced by a
variable (left as is when unknown). Programs are looked up in ``programs`` (candidates in
order: a bare name on PATH, a path with a backslash as a file). Variables start with
``BUNDLE`` (the unzipped folder) and the environment variables listed in ``env``, then
``vars`` in order.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# the interpreter each target needs, as the py launcher selects it and sysconfig names it
ARCHES: dict[str, tuple[str, str, str]] = {
    # wheel platform: (py launcher suffix, sysconfig.get_platform(), words for people)
    "win_amd64": ("64", "win-amd64", "64 bit"),
    "win32": ("32", "win32", "32 bit"),
}
# the last release of each Python line with a Windows installer on python.org (3.11 and
# 3.12 get source-only security releases now); newest first is recommended
INSTALLERS = {"3.13": "3.13.7", "3.12": "3.12.10", "3.11": "3.11.9"}
PROBE = ("import sys,sysconfig;"
         "print('.'.join(map(str,sys.version_info[:2])),sysconfig.get_platform())")
RUNNER = "tap-lenh\\chay-bang.ps1"  # paths inside the bundle, Windows style
INSTALL_TABLE = "tap-lenh\\cai-dat.json"
UNINSTALL_TABLE = "tap-lenh\\go-cai-dat.json"

_PROGRAMS = {
    "py": ["py", "{LOCALAPPDATA}\\Programs\\Python\\Launcher\\py.exe", "{SystemRoot}\\py.exe"],
    "reg": ["reg"],
    "tasklist": ["tasklist"],
}
_ENV = ["LOCALAPPDATA", "APPDATA", "SystemRoot"]
_VARS = [
    ["HOME_DIR", "{LOCALAPPDATA}\\vaxclean"],
    ["VENV", "{HOME_DIR}\\venv"],
    ["VENV_PY", "{VENV}\\Scripts\\python.exe"],
    ["VENV_VAXCLEAN", "{VENV}\\Scripts\\vaxclean.exe"],
    ["WHEELS", "{BUNDLE}\\wheels"],
    ["XLSTART_ADDIN", "{APPDATA}\\Microsoft\\Excel\\XLSTART\\vaxclean.xlam"],
]


def installer_names(version: str) -> tuple[str, str]:
    """(64-bit, 32-bit) installer file names of python.org for one Python line."""
    full = INSTALLERS[version]
    return f"python-{full}-amd64.exe", f"python-{full}.exe"


def _excel_checks() -> list[dict[str, Any]]:
    """Steps shared by install and uninstall: Excel must be closed."""
    return [{"id": "excel-open", "say": "Kiểm tra Excel có đang mở không…",
             "run": ["tasklist", "/FI", "IMAGENAME eq EXCEL.EXE", "/NH"],
             "ok_if_error": True, "refuse": "(?i)excel\\.exe", "fail": "excel_open"}]


def install_table(targets: list[tuple[str, str]]) -> dict[str, Any]:
    """The install steps for a bundle carrying ``targets`` ((python version, wheel
    platform) pairs): probe exactly those interpreters, newest and 64-bit first."""
    versions = sorted({v for v, _ in targets}, key=lambda v: tuple(map(int, v.split("."))),
                      reverse=True)
    order = sorted(targets, key=lambda t: (tuple(map(int, t[0].split("."))), t[1] == "win_amd64"),
                   reverse=True)
    newest = versions[0]
    x64, x86 = installer_names(newest)
    carried = "; ".join(
        f"Python {v} " + " và ".join(ARCHES[p][2] for p in ("win_amd64", "win32")
                                      if (v, p) in targets) for v in versions)
    steps: list[dict[str, Any]] = [
        {"id": "extracted", "exists": "{WHEELS}", "fail": "not_extracted"},
        {"id": "launcher", "say": "Tìm Python (trình khởi chạy py)…",
         "run": ["py", "--version"], "expect": "Python \\d+\\.\\d+", "fail": "no_python"},
    ]
    for version, platform in order:
        suffix, sysplat, _ = ARCHES[platform]
        steps.append({
            "id": f"probe-{version}-{suffix}", "when_unset": "PYSEL",
            "run": ["py", f"-{version}-{suffix}", "-c", PROBE],
            "expect": f"^(?<PYVER>{re.escape(version)}) (?<PYPLAT>{re.escape(sysplat)})\\s*$",
            "set": {"PYSEL": f"-{version}-{suffix}"}, "fail": "next"})
    steps += [
        {"id": "default-python", "when_unset": "PYSEL", "run": ["py", "-c", PROBE],
         "expect": "(?<FOUNDVER>\\d+\\.\\d+) (?<FOUNDPLAT>\\S+)", "fail": "no_python"},
        {"id": "version", "when_unset": "PYSEL",
         "check": {"var": "FOUNDVER", "one_of": versions}, "fail": "wrong_version"},
        {"id": "bitness", "when_unset": "PYSEL", "stop": True, "fail": "wrong_bitness"},
        {"id": "excel", "say": "Tìm Microsoft Excel…",
         "run": ["reg", "query", "HKCR\\Excel.Application\\CurVer", "/ve"],
         "expect": "Excel\\.Application\\.(?<EXCELVER>\\d+)", "fail": "no_excel"},
        *_excel_checks(),
        {"id": "trusted-locations", "run": [
            "reg", "query",
            "HKCU\\Software\\Policies\\Microsoft\\Office\\{EXCELVER}.0\\Excel\\Security"
            "\\Trusted Locations", "/v", "AllLocationsDisabled"],
         "ok_if_error": True, "refuse": "REG_DWORD\\s+0x1\\b", "fail": "policy_locations"},
        {"id": "signed-addins", "run": [
            "reg", "query",
            "HKCU\\Software\\Policies\\Microsoft\\Office\\{EXCELVER}.0\\Excel\\Security",
            "/v", "RequireAddinSig"],
         "ok_if_error": True, "refuse": "REG_DWORD\\s+0x1\\b", "fail": "policy_signed"},
        {"id": "ascii-path", "check": {"var": "HOME_DIR", "match": "^[ -~]+$"},
         "fail": "path_not_ascii"},
        {"id": "venv", "say": "Tạo môi trường Python riêng tại {VENV} (Python {PYVER}, "
                              "{PYPLAT})…",
         "run": ["py", "{PYSEL}", "-m", "venv", "--clear", "{VENV}"], "show": True,
         "fail": "venv_failed"},
        {"id": "pip", "say": "Cài vaxclean từ thư mục wheels (không cần Internet)…",
         "run": ["{VENV_PY}", "-m", "pip", "install", "--no-index", "--find-links",
                 "{WHEELS}", "--disable-pip-version-check", "vaxclean_xl[excel]"],
         "show": True, "fail": "pip_failed"},
        {"id": "install-excel", "say": "Cài add-in vào Excel…",
         "run": ["{VENV_VAXCLEAN}", "install-excel"], "show": True,
         "fail": "install_excel_failed"},
    ]
    get = (f"Tải bộ cài Python {INSTALLERS[newest]} từ https://www.python.org/downloads/"
           f"release/python-{INSTALLERS[newest].replace('.', '')}/ : Windows 64 bit: «{x64}» "
           f"(Windows installer (64-bit)); chỉ khi Windows là 32 bit: «{x86}». Chạy bộ cài, "
           "BỎ dấu chọn «Use admin privileges when installing py.exe» (không cần quyền "
           "quản trị), không cần chọn «Add python.exe to PATH» (gói cài dùng trình khởi "
           "chạy py), bấm «Install Now», rồi bấm đúp lại cai-dat.cmd.")
    messages = {
        "not_extracted": _stop(10, "Chưa giải nén: bấm chuột phải vào tệp .zip > «Extract "
                                   "All…» (Giải nén tất cả), rồi bấm đúp cai-dat.cmd trong "
                                   "thư mục vừa giải nén."),
        "no_python": _stop(11, "Máy chưa có Python (không tìm thấy trình khởi chạy py). "
                               + get),
        "wrong_version": _stop(12, "Máy có Python {FOUNDVER} nhưng gói cài này cần Python "
                                   + _either(versions) + ". " + get),
        "wrong_bitness": _stop(13, "Máy có Python {FOUNDVER} bản {FOUNDPLAT}, nhưng gói "
                                   f"cài này chỉ có thư viện cho: {carried}. " + get
                                   + " (Office 32 bit dùng được Python 64 bit.)"),
        "no_excel": _stop(14, "Không tìm thấy Microsoft Excel trên máy. Cần cài Excel "
                              "(2010 trở lên, 32 hoặc 64 bit) rồi chạy lại cai-dat.cmd. "
                              "WPS và LibreOffice không chạy được các nút của vaxclean."),
        "excel_open": _stop(15, "Excel đang mở. Lưu công việc, đóng mọi cửa sổ Excel rồi "
                                "bấm đúp lại tệp này."),
        "policy_locations": _warn("Chú ý: chính sách của cơ quan tắt mọi «vị trí tin cậy» "
                                  "của Office, nên macro của add-in trong XLSTART sẽ bị "
                                  "chặn. Nhờ bộ phận CNTT cho phép thư mục "
                                  "%APPDATA%\\Microsoft\\Excel\\XLSTART."),
        "policy_signed": _warn("Chú ý: chính sách của cơ quan chỉ cho chạy add-in có chữ "
                               "ký số; add-in vaxclean không có chữ ký nên các nút sẽ bị "
                               "chặn. Nhờ bộ phận CNTT bỏ chính sách «Require that "
                               "application add-ins are signed by Trusted Publisher» hoặc "
                               "ký add-in."),
        "path_not_ascii": _warn("Chú ý: đường dẫn {HOME_DIR} có chữ có dấu; Excel có thể "
                                "không gọi được Python ở đó. Nếu bấm nút báo lỗi, nhờ người "
                                "hỗ trợ cài theo mục 2.2 của hướng dẫn vào C:\\vaxclean."),
        "venv_failed": _stop(16, "Không tạo được môi trường Python tại {VENV}. Đóng Excel "
                                 "và mọi cửa sổ dùng vaxclean rồi chạy lại; nếu vẫn lỗi, "
                                 "chạy go-cai-dat.cmd rồi cai-dat.cmd."),
        "pip_failed": _stop(17, "Cài thư viện từ thư mục wheels không thành công (xem "
                                "dòng lỗi phía trên). Gói cài có thể thiếu tệp: giải nén "
                                "lại từ tệp .zip gốc."),
        "install_excel_failed": _stop(18, "Không cài được add-in vào Excel (xem dòng lỗi "
                                          "phía trên). Đóng Excel rồi chạy lại cai-dat.cmd."),
        "done": _info("Đã cài xong. Mở Excel: trên thanh công cụ có thẻ «Làm sạch TC»; bấm "
                      "«Kiểm tra cài đặt» để xem phiên bản. Python dùng cho các nút: {VENV}."),
    }
    return _table(steps, messages)


def uninstall_table() -> dict[str, Any]:
    """Remove the add-in from XLSTART and the virtual environment (Python stays)."""
    steps = [
        *_excel_checks(),
        {"id": "addin", "say": "Gỡ add-in khỏi Excel ({XLSTART_ADDIN})…",
         "remove": "{XLSTART_ADDIN}", "fail": "remove_failed"},
        {"id": "venv", "say": "Xóa môi trường Python {VENV}…", "remove": "{VENV}",
         "fail": "remove_failed"},
    ]
    messages = {
        "excel_open": _stop(15, "Excel đang mở. Lưu công việc, đóng mọi cửa sổ Excel rồi "
                                "bấm đúp lại tệp này."),
        "remove_failed": _stop(19, "Không xóa được (có chương trình đang dùng tệp). Đóng "
                                   "Excel rồi chạy lại go-cai-dat.cmd."),
        "done": _info("Đã gỡ vaxclean. Python vẫn còn trên máy; gỡ Python (nếu muốn) trong "
                      "Settings > Apps."),
    }
    return _table(steps, messages)


def _table(steps: list[dict[str, Any]], messages: dict[str, Any]) -> dict[str, Any]:
    """A table of the runner's schema: the shared environment, variables and programs."""
    return {"schema": "vaxclean.install-table/1", "env": _ENV, "vars": _VARS,
            "programs": _PROGRAMS, "steps": steps, "messages": messages}


def _either(items: list[str]) -> str:
    """«a, b hoặc c»."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " hoặc " + items[-1]


def _stop(code: int, text: str) -> dict[str, Any]:
    return {"level": "stop", "code": code, "text": text}


def _warn(text: str) -> dict[str, Any]:
    return {"level": "warn", "code": 0, "text": text}


def _info(text: str) -> dict[str, Any]:
    return {"level": "info", "code": 0, "text": text}


# ------------------------------------------------------------------ the Windows side

RUNNER_PS1 = r"""# vaxclean: runs one step table (tap-lenh\cai-dat.json or go-cai-dat.json).
# Every decision is in the table; this file only interprets it (rules: the docstring of
# vaxclean_xl/commands/bundle_table.py, whose walk() is the same interpreter in Python).
# ASCII only: Windows PowerShell 5.1 reads a script without a BOM in the ANSI code page,
# so every Vietnamese text comes from the UTF-8 table.
param([Parameter(Mandatory = $true)][string]$Table)
$ErrorActionPreference = 'Continue'
try { [Console]::OutputEncoding = [System.Text.Encoding]::UTF8 } catch { }
$t = Get-Content -LiteralPath $Table -Raw -Encoding UTF8 | ConvertFrom-Json
$vars = @{ BUNDLE = (Split-Path -Parent (Split-Path -Parent $Table)) }
foreach ($name in $t.env) {
  $value = [Environment]::GetEnvironmentVariable($name)
  if ($null -ne $value) { $vars[$name] = $value }
}

function Expand([string]$s) {
  return [regex]::Replace($s, '\{(\w+)\}', {
    param($m)
    $v = $vars[$m.Groups[1].Value]
    if ($null -eq $v) { return $m.Value } else { return [string]$v }
  })
}

foreach ($pair in $t.vars) { $vars[$pair[0]] = Expand $pair[1] }

function Find-Program([string]$name) {
  $candidates = $t.programs.$name
  if ($null -eq $candidates) { $candidates = @($name) }
  foreach ($c in $candidates) {
    $p = Expand $c
    if ($p.Contains('\')) {
      if (Test-Path -LiteralPath $p -PathType Leaf) { return $p }
    } else {
      $cmd = Get-Command $p -CommandType Application -ErrorAction SilentlyContinue |
        Select-Object -First 1
      if ($cmd) { return $cmd.Path }
    }
  }
  return $null
}

function Show-Message([string]$id) {
  $m = $t.messages.$id
  $text = Expand $m.text
  if ($m.level -eq 'stop') { Write-Host ''; Write-Host $text -ForegroundColor Red }
  elseif ($m.level -eq 'warn') { Write-Host $text -ForegroundColor Yellow }
  else { Write-Host ''; Write-Host $text -ForegroundColor Green }
  return $m
}

foreach ($s in $t.steps) {
  if ($s.when_unset -and $vars.ContainsKey($s.when_unset)) { continue }
  if ($s.when_set -and -not $vars.ContainsKey($s.when_set)) { continue }
  if ($s.say) { Write-Host (Expand $s.say) }
  $ok = $true
  if ($s.run) {
    $exe = Find-Program $s.run[0]
    $argv = @($s.run | Select-Object -Skip 1 | ForEach-Object { Expand $_ })
    $out = ''
    if ($null -eq $exe) {
      if (-not $s.ok_if_error) { $ok = $false }
    } else {
      if ($s.show) { & $exe @argv | Out-Host } else { $out = (& $exe @argv 2>$null | Out-String) }
      if ($LASTEXITCODE -ne 0 -and -not $s.ok_if_error) { $ok = $false }
    }
    if ($ok -and $s.expect) {
      $re = [regex]$s.expect
      $m = $re.Match($out)
      if ($m.Success) {
        foreach ($n in $re.GetGroupNames()) {
          if ($n -notmatch '^\d+$') { $vars[$n] = $m.Groups[$n].Value }
        }
      } else { $ok = $false }
    }
    if ($ok -and $s.refuse -and ([regex]$s.refuse).IsMatch($out)) { $ok = $false }
  } elseif ($s.check) {
    $v = $vars[$s.check.var]
    if ($null -eq $v) { $ok = $false }
    elseif ($s.check.one_of) { $ok = @($s.check.one_of) -contains $v }
    else { $ok = ([regex]$s.check.match).IsMatch($v) }
  } elseif ($s.exists) {
    $ok = Test-Path -LiteralPath (Expand $s.exists)
  } elseif ($s.remove) {
    $p = Expand $s.remove
    if (Test-Path -LiteralPath $p) {
      try { Remove-Item -LiteralPath $p -Recurse -Force -ErrorAction Stop } catch { $ok = $false }
    }
  } elseif ($s.stop) { $ok = $false }
  if ($ok) {
    if ($s.set) { foreach ($p in $s.set.PSObject.Properties) { $vars[$p.Name] = Expand $p.Value } }
    continue
  }
  if ($s.fail -eq 'next') { continue }
  $m = Show-Message $s.fail
  if ($m.level -eq 'stop') { exit [int]$m.code }
}
Show-Message 'done' | Out-Null
exit 0
"""

_CMD = """@echo off
chcp 65001 >nul
setlocal
title {title}
echo {title}
echo.
powershell.exe -NoProfile -ExecutionPolicy Bypass -File "%~dp0{runner}" -Table "%~dp0{table}"
set "RC=%ERRORLEVEL%"
if "%RC%"=="0" goto done
if %RC% GEQ 10 if %RC% LEQ 29 goto done
echo.
echo Không chạy được PowerShell (mã %RC%). Có thể chính sách của cơ quan chặn PowerShell:
echo nhờ bộ phận CNTT, hoặc cài theo mục 2.2 của tệp huong-dan-excel.md.
:done
echo.
pause
exit /b %RC%
"""


def cmd_text(title: str, table: str) -> str:
    """A .cmd that runs the table through PowerShell and keeps the window open; CRLF, and
    UTF-8 read after ``chcp 65001`` so its Vietnamese lines show."""
    text = _CMD.format(title=title, runner=RUNNER, table=table)
    return text.replace("\n", "\r\n")


def install_cmd() -> str:
    """The text of cai-dat.cmd."""
    return cmd_text("Cài đặt vaxclean (Làm sạch dữ liệu tiêm chủng)", INSTALL_TABLE)


def uninstall_cmd() -> str:
    """The text of go-cai-dat.cmd."""
    return cmd_text("Gỡ cài đặt vaxclean", UNINSTALL_TABLE)


# ------------------------------------------------------------------ the same rules in Python

@dataclass
class Walk:
    """What running a table did: the exit code, the messages shown (ids, in order), the
    variables at the end and the commands run (argv as given to the OS)."""

    code: int
    messages: list[str] = field(default_factory=list)
    vars: dict[str, str] = field(default_factory=dict)
    commands: list[list[str]] = field(default_factory=list)


_VAR = re.compile(r"\{(\w+)\}")


def walk(table: dict[str, Any], bundle: Path, env: dict[str, str]) -> Walk:
    """Run ``table`` as RUNNER_PS1 does, with ``env`` as the environment (its PATH finds the
    programs); Windows paths become local ones (backslashes to os.sep)."""
    values: dict[str, str] = {"BUNDLE": str(bundle)}
    values.update({n: env[n] for n in table["env"] if n in env})

    def expand(s: str) -> str:
        return _VAR.sub(lambda m: values.get(m.group(1), m.group(0)), s)

    def local(s: str) -> str:
        return s.replace("\\", os.sep) if os.sep != "\\" else s

    for name, template in table["vars"]:
        values[name] = local(expand(template))

    def find(name: str) -> str | None:
        for c in table["programs"].get(name, [name]):
            p = expand(c)
            if "\\" in p or os.sep in p:
                if Path(local(p)).is_file():
                    return local(p)
            elif found := shutil.which(p, path=env.get("PATH", "")):
                return found
        return None

    result = Walk(0, vars=values)
    for s in table["steps"]:
        if "when_unset" in s and s["when_unset"] in values:
            continue
        if "when_set" in s and s["when_set"] not in values:
            continue
        ok = True
        if "run" in s:
            exe = find(s["run"][0])
            argv = [expand(a) for a in s["run"][1:]]
            out = ""
            if exe is None:
                ok = bool(s.get("ok_if_error"))
            else:
                result.commands.append([exe, *argv])
                done = subprocess.run([exe, *argv], capture_output=True, text=True, env=env,
                                      timeout=120)
                out = done.stdout
                ok = done.returncode == 0 or bool(s.get("ok_if_error"))
            if ok and "expect" in s:
                m = re.search(_python_regex(s["expect"]), out)
                if m:
                    values.update(m.groupdict())
                else:
                    ok = False
            if ok and "refuse" in s and re.search(_python_regex(s["refuse"]), out):
                ok = False
        elif "check" in s:
            value = values.get(s["check"]["var"])
            if value is None:
                ok = False
            elif "one_of" in s["check"]:
                ok = value.casefold() in {v.casefold() for v in s["check"]["one_of"]}
            else:
                ok = re.search(_python_regex(s["check"]["match"]), value) is not None
        elif "exists" in s:
            ok = Path(local(expand(s["exists"]))).exists()
        elif "remove" in s:
            target = Path(local(expand(s["remove"])))
            try:
                if target.is_dir():
                    shutil.rmtree(target)
                elif target.exists():
                    target.unlink()
            except OSError:
                ok = False
        elif s.get("stop"):
            ok = False
        if ok:
            values.update({k: expand(v) for k, v in s.get("set", {}).items()})
            continue
        if s["fail"] == "next":
            continue
        result.messages.append(s["fail"])
        message = table["messages"][s["fail"]]
        if message["level"] == "stop":
            result.code = message["code"]
            return result
    result.messages.append("done")
    return result


def _python_regex(pattern: str) -> str:
    """.NET's named group ``(?<name>`` in Python's spelling ``(?P<name>``."""
    return re.sub(r"\(\?<(?=[A-Za-z_])", "(?P<", pattern)


def message_text(table: dict[str, Any], walked: Walk, message_id: str) -> str:
    """A message of ``table`` as the runner prints it after ``walked``."""
    text: str = table["messages"][message_id]["text"]
    return _VAR.sub(lambda m: walked.vars.get(m.group(1), m.group(0)), text)
