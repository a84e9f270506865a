"""Shared fixtures and builders of the tests.

- external tools: LibreOffice (and its UNO bridge), olevba: skip locally when missing,
  fail when CI=true (CI must have them);
- checksums (``sha256_of``), sheets read back as dicts (``sheet_rows``), the tool's log in
  a temp folder (``log_dir``, ``module_log_dir``), generated sample lists
  (``generated_sample``);
- the synthetic commune list of the merge tests (``make_original``, ``person``,
  ``records_of``, ``row_of``), hamlet files edited as people do (``Sheet``,
  ``edit_hamlet_file``) and police lists filled as the police would (``fill_police``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import openpyxl
import pytest
import xlsxwriter

from vaxclean_xl.formats import police_list as P
from vaxclean_xl.formats.hamlet_file import layout as L
from vaxclean_xl.sample import generate_sample

# --------------------------------------------------------------------------- external tools


def skip_or_fail_in_ci(reason: str) -> NoReturn:
    """Skip a test that cannot run here (``reason``), but fail when CI=true: CI has every
    tool the tests use, so a test it cannot run is an error there."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI=true: every test must run)")
    pytest.skip(reason)


def soffice_or_skip() -> str:
    """Path of soffice; skip when missing, but fail when CI=true (CI must have it)."""
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe:
        return exe
    skip_or_fail_in_ci("LibreOffice (soffice) not installed")


def uno_python_or_skip() -> str:
    """The system Python with LibreOffice's UNO bridge (python3-uno); skip when missing,
    fail when CI=true."""
    python = "/usr/bin/python3"
    ok = os.path.exists(python) and subprocess.run(
        [python, "-c", "import uno"], capture_output=True, timeout=60).returncode == 0
    if ok:
        return python
    skip_or_fail_in_ci("python3-uno (/usr/bin/python3 -c 'import uno') not installed")


def hide_soffice(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    """Make LibreOffice unfindable for this test (PATH an empty folder, no Program Files);
    skip (fail in CI) where it is installed where the search would still find it."""
    empty = folder / "empty-path"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    for var in ("PROGRAMFILES", "PROGRAMFILES(X86)", "PROGRAMW6432"):
        monkeypatch.delenv(var, raising=False)
    if Path("/Applications/LibreOffice.app").exists():
        skip_or_fail_in_ci("LibreOffice installed outside PATH: cannot test its absence")


# LibreOffice profile setting: recalculate every formula on load (tests and benchmarks)
RECALC_ALWAYS_XCU = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
<prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
<prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def soffice_convert(src: Path, fmt: str, outdir: Path, timeout: int = 300,
                    recalc: bool = False, single: bool = True) -> Path:
    """Convert with headless LibreOffice using a private profile; return the output path.

    ``recalc=True`` makes LibreOffice recalculate every formula on load (by default it
    trusts the values cached in .xlsx files), which is what formula tests need.
    ``single=False``: the conversion writes several files (csv of every sheet).
    """
    exe = soffice_or_skip()
    profile = Path("/tmp") / f"lo-profile-{uuid.uuid4().hex}"
    if recalc:
        (profile / "user").mkdir(parents=True)
        (profile / "user" / "registrymodifications.xcu").write_text(RECALC_ALWAYS_XCU)
    outdir.mkdir(parents=True, exist_ok=True)
    cmd = [exe, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
           "--convert-to", fmt, "--outdir", str(outdir), str(src)]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    ext = fmt.split(":")[0]
    out = outdir / f"{src.stem}.{ext}"
    if single:  # a csv of every sheet writes '<stem>-<sheet>.csv' files instead
        assert out.exists(), f"soffice failed: {proc.stdout} {proc.stderr}"
    return out


@pytest.fixture
def soffice() -> str:
    return soffice_or_skip()


UNO_SCRIPT = r"""
import json, sys, time
import uno
from com.sun.star.beans import PropertyValue
from com.sun.star.connection import NoConnectException


def prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


port, jobs = int(sys.argv[1]), json.loads(sys.argv[2])
local = uno.getComponentContext()
resolver = local.ServiceManager.createInstanceWithContext(
    "com.sun.star.bridge.UnoUrlResolver", local)
deadline = time.time() + 120
while True:
    try:
        ctx = resolver.resolve(
            "uno:socket,host=localhost,port=%d;urp;StarOffice.ComponentContext" % port)
        break
    except NoConnectException:
        if time.time() > deadline:
            raise
        time.sleep(0.5)
desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
results = []
for path, probe in jobs:
    # MacroExecutionMode 4 = ALWAYS_EXECUTE_NO_WARN: load (and allow running) its macros
    doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(path), "_blank", 0,
        (prop("Hidden", True), prop("ReadOnly", True), prop("MacroExecutionMode", 4)))
    libraries = {}
    basic = doc.BasicLibraries
    for name in basic.getElementNames():
        basic.loadLibrary(name)
        lib = basic.getByName(name)
        libraries[name] = {module: lib.getByName(module) for module in lib.getElementNames()}
    value = None
    if probe:
        script = doc.getScriptProvider().getScript(
            "vnd.sun.star.script:%s?language=Basic&location=document" % probe)
        value = script.invoke((), (), ())[0]
    sheets = list(doc.Sheets.getElementNames()) if hasattr(doc, "Sheets") else []
    results.append({"libraries": libraries, "probe": value, "sheets": sheets})
    doc.close(True)
try:
    desktop.terminate()
except Exception:
    pass
print(json.dumps(results))
sys.stdout.flush()
import os
os._exit(0)  # skip the UNO bridge's teardown, which sometimes crashes after the work is done
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("localhost", 0))
        return sock.getsockname()[1]


def run_uno(soffice: str, python: str, jobs: list[tuple[str, str]],
            tmp_path: Path) -> list[dict]:
    """Start a private headless soffice, run the UNO script against it, always stop it.

    ``jobs``: (document path, Basic function to run or ""); per document: its Basic
    libraries with their modules' code, the function's result and the sheet names."""
    script = tmp_path / "list_vba.py"
    script.write_text(UNO_SCRIPT, encoding="utf-8")
    port = _free_port()
    profile = Path("/tmp") / f"lo-{uuid.uuid4().hex}"
    office = subprocess.Popen(
        [soffice, "--headless", "--invisible", "--nologo", "--norestore",
         f"--accept=socket,host=localhost,port={port};urp;",
         f"-env:UserInstallation=file://{profile}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        proc = subprocess.run([python, str(script), str(port), json.dumps(jobs)],
                              capture_output=True, text=True, timeout=240)
        assert proc.returncode == 0, proc.stderr
        return json.loads(proc.stdout.strip().splitlines()[-1])
    finally:
        try:
            office.wait(timeout=30)  # the script asked the desktop to terminate
        except subprocess.TimeoutExpired:
            os.killpg(office.pid, signal.SIGTERM)  # the process group we started
            try:
                office.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(office.pid, signal.SIGKILL)
                office.wait()
        shutil.rmtree(profile, ignore_errors=True)


# --------------------------------------------------------------------------- files and logs


def sha256_of(path: Path) -> str:
    """SHA-256 of a file's bytes (hex): to check that an input is left untouched."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def sheet_rows(path: Path, name: str) -> list[dict[str, object]]:
    """The non-empty rows of sheet ``name`` as dicts keyed by its first row (the headers)."""
    ws = openpyxl.load_workbook(path)[name]
    rows = list(ws.iter_rows(values_only=True))
    return [dict(zip(rows[0], r, strict=False)) for r in rows[1:] if any(v is not None for v in r)]


@pytest.fixture
def log_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The tool logs into a fresh temp folder (outside tmp_path) during one test."""
    folder = tmp_path_factory.mktemp("logs")
    monkeypatch.setenv("VAXCLEAN_LOG_DIR", str(folder))
    return folder


@pytest.fixture(scope="module")
def module_log_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The tool logs into one temp folder for a whole test module (its module-scoped
    fixtures included: use it with ``pytestmark = pytest.mark.usefixtures(...)``)."""
    with pytest.MonkeyPatch.context() as mp:
        folder = tmp_path_factory.mktemp("logs")
        mp.setenv("VAXCLEAN_LOG_DIR", str(folder))
        yield folder


def generated_sample(path: Path, *, rows: int, seed: int,
                     today: dt.date | None = None) -> tuple[Path, dict]:
    """A synthetic commune list written to ``path`` (vaxclean_xl.sample) and its ground
    truth (the '<stem>.truth.json' written beside it, parsed)."""
    truth = generate_sample(path, rows=rows, seed=seed, today=today)
    return path, json.loads(truth.read_text("utf-8"))


# --------------------------------------------------------------------------- the merge tests'
# commune list: 48 people in 12 hamlets, header in row 4, validated and split on ORIGINAL_TODAY

ORIGINAL_TODAY = dt.date(2026, 1, 15)
HAMLETS = ["Xóm Đông", "Xóm Tây", "Thôn Bắc", "Thôn Nam", "Ấp Một", "Ấp Hai", "Khu Ba",
           "Tổ Bốn", "Bản Năm", "Làng Sáu", "Xóm Bảy", "Xóm Tám"]
PER = 4
HEADER_ROW, FIRST = 4, 5
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Phan", "Vũ", "Đặng"]
GIVEN_M = ["An", "Bình", "Cường", "Dũng", "Đức", "Hải", "Hùng", "Khánh", "Long", "Minh",
           "Nam", "Phong", "Quang", "Sơn", "Thắng", "Tiến", "Toàn", "Trung", "Tuấn", "Việt",
           "Vinh", "Huy", "Lâm", "Nghĩa"]
GIVEN_F = ["Anh", "Châu", "Dung", "Giang", "Hà", "Hạnh", "Hằng", "Hiền", "Hoa", "Hồng",
           "Hương", "Huyền", "Lan", "Liên", "Linh", "Loan", "Mai", "Nga", "Ngọc", "Nhung",
           "Oanh", "Phương", "Quỳnh", "Thảo"]


def person(i: int) -> dict:
    sex = "Nam" if i % 2 == 0 else "Nữ"
    given = (GIVEN_M if sex == "Nam" else GIVEN_F)[i // 2]
    middle = "Văn" if sex == "Nam" else "Thị"
    dob = dt.date(1950 + i, 1 + i % 12, 1 + i % 28)
    digit = ("0" if sex == "Nam" else "1") if dob.year < 2000 else ("2" if sex == "Nam" else "3")
    return {"name": f"{FAMILY[i % len(FAMILY)]} {middle} {given}", "dob": dob, "sex": sex,
            "id": f"001{digit}{dob.year % 100:02d}{i:06d}", "phone": f"09{i:08d}",
            "hamlet": HAMLETS[i % len(HAMLETS)]}


def write_people(ws, n: int, *, bold, text, date, name=None) -> None:
    """The header (row HEADER_ROW) and people 0 … n-1 (from row FIRST) of the commune list,
    into an XlsxWriter sheet with the given formats (``name``: of the names, if any)."""
    ws.write_row(HEADER_ROW - 1, 0, ["STT", "Họ và tên", "Ngày sinh", "Giới tính",
                                     "Số CCCD/CMND", "Số điện thoại", "Thôn/Xóm"], bold)
    for i in range(n):
        p = person(i)
        r = FIRST - 1 + i
        ws.write_number(r, 0, i + 1)
        ws.write_string(r, 1, p["name"], name)
        ws.write_datetime(r, 2, dt.datetime.combine(p["dob"], dt.time()), date)
        ws.write_string(r, 3, p["sex"])
        ws.write_string(r, 4, p["id"], text)
        ws.write_string(r, 5, p["phone"], text)
        ws.write_string(r, 6, p["hamlet"])


def make_original(path: Path, n: int = PER * len(HAMLETS), title: str = "AN BÌNH") -> Path:
    """A commune list as staff keep it: titles, header in row 4, dates as real dates,
    IDs as text, a total row and a signature block."""
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Danh sách")
    bold = wb.add_format({"bold": True})
    text = wb.add_format({"num_format": "@"})
    date = wb.add_format({"num_format": "dd/mm/yyyy"})
    ws.merge_range("A1:G1", f"TRẠM Y TẾ XÃ {title}", bold)
    ws.merge_range("A2:G2", "DANH SÁCH ĐỐI TƯỢNG TIÊM CHỦNG COVID-19 CẦN LÀM SẠCH", bold)
    write_people(ws, n, bold=bold, text=text, date=date)
    ws.write_string(FIRST - 1 + n, 0, f"Tổng cộng: {n} người", bold)
    ws.write_string(FIRST + n + 1, 1, "NGƯỜI LẬP BIỂU", bold)
    ws.write_string(FIRST + n + 2, 1, "(Ký, ghi rõ họ tên)")
    wb.close()
    return path


def row_of(i: int) -> int:
    """Excel row of record i in the original (and in MERGED)."""
    return FIRST + i


def records_of(hamlet: str) -> list[int]:
    return [i for i in range(PER * len(HAMLETS)) if HAMLETS[i % len(HAMLETS)] == hamlet]


class Sheet:
    """A hamlet file's data sheet opened with openpyxl, columns found by header text."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.wb = openpyxl.load_workbook(path)
        self.ws = self.wb[L.DATA_SHEET]
        self.refresh()

    def refresh(self) -> None:
        self.col = {self.ws.cell(L.HEADER_ROW, c).value: c
                    for c in range(1, self.ws.max_column + 1)
                    if self.ws.cell(L.HEADER_ROW, c).value}

    def row(self, i: int) -> int:
        """Row of record i (by key)."""
        for r in range(L.FIRST_ROW, self.ws.max_row + 1):
            parsed = L.parse_key(self.ws.cell(r, self.col[L.KEY_HEADER]).value)
            if parsed and parsed[1] == row_of(i):
                return r
        raise KeyError(i)

    def set(self, i: int, header: str, value: object) -> None:
        self.ws.cell(self.row(i), self.col[header], value)

    def last_record_row(self) -> int:
        key = self.col[L.KEY_HEADER]
        return max(r for r in range(L.FIRST_ROW, self.ws.max_row + 1)
                   if self.ws.cell(r, key).value)

    def save(self, path: Path | None = None) -> Path:
        self.wb.save(path or self.path)
        return path or self.path


# --------------------------------------------------------------------------- returned files


def edit_hamlet_file(path: Path, edits: dict[int, dict[str, object]]) -> None:
    """Type corrections into a hamlet file as a hamlet worker would (source row -> header ->
    value), on the rows found by their key."""
    wb = openpyxl.load_workbook(path)
    ws = wb[L.DATA_SHEET]
    col = {ws.cell(L.HEADER_ROW, c).value: c for c in range(1, ws.max_column + 1)}
    rows = {}
    for r in range(L.FIRST_ROW, ws.max_row + 1):
        key = L.parse_key(ws.cell(r, col[L.KEY_HEADER]).value)
        if key:
            rows[key[1]] = r
    for src_row, values in edits.items():
        for header, value in values.items():
            ws.cell(rows[src_row], col[header], value)
    wb.save(path)


# police columns by header (the list's own layout; the reader finds them by header text)
PCOL = {c.header: openpyxl.utils.get_column_letter(i + 1) for i, c in enumerate(P.COLUMNS)}
RESULT, NAME_OK, DOB_OK, SEX_OK, ID_OK, NOTE = (
    PCOL[P.RESULT_HEADER], *(PCOL[P.CORRECT_HEADERS[f]] for f in
                             ("full_name", "dob", "sex", "id_number")), PCOL[P.NOTE_HEADER])


def police_rows(path: Path) -> dict[int, int]:
    """Source row -> Excel row of each record of a police list (by its key)."""
    ws = openpyxl.load_workbook(path)[P.DATA_SHEET]
    out = {}
    for r in range(P.FIRST_ROW, ws.max_row + 1):
        key = P.parse_key(ws[f"{PCOL[P.KEY_HEADER]}{r}"].value)
        if key:
            out[key[1]] = r
    return out


def fill_police(path: Path, out: Path, fills: dict[int, dict[str, object]]) -> dict[int, int]:
    """Fill the police columns (source row -> column letter -> value) as the police would,
    with typed values (openpyxl); returns source row -> Excel row of the list."""
    rows = police_rows(path)
    wb = openpyxl.load_workbook(path)
    ws = wb[P.DATA_SHEET]
    for src_row, values in fills.items():
        for letter, value in values.items():
            ws[f"{letter}{rows[src_row]}"] = value
    wb.save(out)
    return rows
