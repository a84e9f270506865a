"""``vaxclean progress``: where the cleaning of each commune list stands, hamlet by hamlet.

Reads only what the other commands wrote (nothing is kept anywhere else) and writes one
workbook with one sheet per commune list:

* ``validate --json`` reports (``vaxclean.validation/1``): each record's group at validation;
* split manifests (``manifest.json``, ``vaxclean.split/1``): which hamlet got which records;
* merge reports (``vaxclean.merge/1``): files returned and merged, changes, the re-validation
  and, when present, its ``police`` block (read defensively: the police files it names are
  read like police lists given here; row lists under verified/corrected/unresolved count;
  counts and unknown shapes are ignored);
* police lists (``.xlsx`` with the meta sheet ``vaxclean.police/1``, or re-saved without it:
  found by their sheet "Danh sách đối chiếu" and headers), blank or returned;
* ``export-import`` reports (``<import>.baocao.xlsx``; an import file given alone is
  followed to its report beside it);
* ``edit-list`` worklists (column "Đã sửa trên nền tảng" Có/Chưa).

INPUT is any mix of files and folders (folders are walked, sub-folders too; files that are
none of the above are passed over). A file named explicitly that cannot be read, or a JSON
file that is not a report of vaxclean, stops the command (exit 2); a spreadsheet named
explicitly that is none of the above is taken as a possible commune list (used to find the
hamlets of its records).

Which commune list a file belongs to (the list's identity is its source file's SHA-256):
manifests and merge reports carry it; a validation report carries the source path, whose
file is hashed (or, when it is gone, looked up in the manifests/merge reports that recorded
that path). A merge's output is the same commune list (linked by hashing the merged file,
only when its "Phân loại" column still matches the merge report's re-validation), so a police
list made from the merged list (its meta sheet holds that file's hash) joins the list too.
Import reports are matched by the list file name they record, worklists by their rows and
hamlets; when only one commune list is known, both go to it. The sheet's "original" is the
list that is no merge's output.

Hamlet of a record: its hamlet in the split manifest; else the hamlet read from the source
list (``read_table`` + ``hamlet_names``, the grouping every command uses), when the file is
still there unchanged; else from the latest merge's output; else what the file itself
prints (police list, worklist) or "(không xác định được thôn)".

Columns per hamlet (numbers of records unless said otherwise):

* the four groups at validation (the report of the original list; the newest if several);
* "Tệp đã gửi": hamlet files sent (manifests; normally 0 or 1) and "Bản ghi đã gửi";
* "Đã trả về": Có when a merge report lists a merged hamlet file (``kind`` hamlet, not the
  police's) of the hamlet, Chưa when a file was sent and none came back, empty when nothing
  was sent;
* "Thay đổi đã gộp": changed cells, distinct (row, field) over every merge of the list
  (chained merges included: a merge into an earlier merge's output), counted in the hamlet
  of the record (so the police's changes count in the person's hamlet);
* "Công an đã xác minh": records the police marked Đúng or Sai on a police list of this list
  (distinct rows over every copy read), plus rows the merge's police block lists;
* "Đã xuất file import": records written to an import file (the reports' "Đã ghi" rows);
* "Đã sửa trên nền tảng": worklist rows marked "Có";
* **"Còn tồn"** (open): the records in error at validation (group not OK) minus those that
  are OK in the latest merge's validation, i.e. ``|E0 ∩ still wrong|``. Without any merge
  nothing is fixed yet, so open = E0. The per-record groups of the latest merge come from the
  "Phân loại" column of its output workbook; when that file is gone or no longer matches the
  report, open is not derivable per hamlet and only the total is given, as
  ``min(E0, records not OK in the merge report's validation summary)``. Records that were
  correct at validation and broken later are not counted (they were never "in error at
  validation"). Without a validation report E0 is taken from an errors-only split manifest;
  without either, open is unknown (empty).

The latest merge is the newest (file time) merge report whose output still matches it, else
the newest one.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vaxclean_xl.core.collate import hamlet_order
from vaxclean_xl.core.model import CATEGORY_LABEL_VI, CATEGORY_ORDER, Category
from vaxclean_xl.core.normalize import cell_text, hamlet_key
from vaxclean_xl.core.validate import NO_HAMLET, build_record, hamlet_names
from vaxclean_xl.errors import E, VaxcleanError
from vaxclean_xl.formats import police_list as P
from vaxclean_xl.formats.hamlet_file import layout as L
from vaxclean_xl.io.atomic import atomic_path, refuse_same_file
from vaxclean_xl.io.reader import column_index, iter_sheet_rows, read_table

VALIDATION_SCHEMA = "vaxclean.validation/1"
MERGE_SCHEMA = "vaxclean.merge/1"
SPREADSHEETS = (".xlsx", ".xlsm", ".xls", ".ods")
UNKNOWN_HAMLET = "(không xác định được thôn)"
TOTAL_LABEL = "Tổng cộng"
YES, NO = "Có", "Chưa"

# what the other commands write (kept in one place: their labels are the contract here)
STATUS_HEADER = "Phân loại"  # commands.validate.STATUS_HEADERS[0]
IMPORT_SHEETS = ("Tổng hợp", "Chưa đủ điều kiện", "Đã ghi")  # export_import SHEET_*
IMPORT_LIST_LABEL = "Danh sách"
IMPORT_BASELINE_LABEL = "Báo cáo gốc (--baseline)"
IMPORT_ROW_HEADER = "Dòng trong danh sách"
IMPORT_REPORT_SUFFIX = ".baocao.xlsx"
WORKLIST_SHEET = "Sửa trên nền tảng"
WORKLIST_ROW_HEADER = "Dòng"
WORKLIST_HAMLET_HEADER = "Thôn/Xóm"
WORKLIST_DONE_HEADER = "Đã sửa trên nền tảng"

GROUPS: tuple[Category, ...] = tuple(CATEGORY_ORDER)  # NO_ID, BAD_ID_FORMAT, BAD_PERSONAL, OK
GROUP_HEADERS = {Category.NO_ID: "Không có số", Category.BAD_ID_FORMAT: "Sai định dạng",
                 Category.BAD_PERSONAL_INFO: "Sai thông tin", Category.OK: "Đúng"}
# (attribute of HamletProgress, header); the group columns come first
COLUMNS: tuple[tuple[str, str], ...] = (
    ("hamlet", "Thôn/xóm"),
    *((c.value, GROUP_HEADERS[c]) for c in GROUPS),
    ("files_sent", "Tệp đã gửi"),
    ("records_sent", "Bản ghi đã gửi"),
    ("returned", "Đã trả về"),
    ("changes", "Thay đổi đã gộp"),
    ("police_verified", "Công an đã xác minh"),
    ("exported", "Đã xuất file import"),
    ("edited", "Đã sửa trên nền tảng"),
    ("open", "Còn tồn"),
)
COL = {name: i for i, (name, _h) in enumerate(COLUMNS)}
HEADER_TOP_ROW = 6  # 0-based rows of the two header rows (title and notes above)


class ProgressError(VaxcleanError):
    """An input cannot be used (exit 2)."""

    code = E.PROGRESS


# --------------------------------------------------------------------------- results


@dataclass(slots=True)
class HamletProgress:
    """One line of a commune list's table (also used for the total line)."""

    hamlet: str
    groups: dict[Category, int] = field(default_factory=dict)  # {} without validation report
    files_sent: int = 0
    records_sent: int = 0
    returned: bool | None = None  # None: no file was sent to this hamlet
    changes: int = 0
    police_verified: int = 0
    exported: int = 0
    edited: int = 0
    errors: int | None = None  # E0: in error at validation (None: unknown)
    fixed: int | None = None  # of E0, OK in the latest merge's validation
    open: int | None = None  # E0 - fixed (None: not derivable)


@dataclass(slots=True)
class ListProgress:
    """One commune list: its identity, its hamlets, its totals and the files read."""

    sheet: str
    name: str  # source file name
    sha256: str | None
    source: Path | None  # the source list, when found unchanged
    hamlets: list[HamletProgress]
    total: HamletProgress
    open_per_hamlet: bool
    used: dict[str, list[Path]]  # kind -> files read for this list
    notes: list[str] = field(default_factory=list)
    with_groups: bool = True  # False: no validation report, the group columns are empty


@dataclass(slots=True)
class ProgressOutcome:
    output: Path
    lists: list[ListProgress]
    skipped: list[Path] = field(default_factory=list)  # files in folders not recognised
    warnings: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 0


# --------------------------------------------------------------------------- documents read


@dataclass(slots=True)
class _Validation:
    path: Path
    source: str  # as recorded
    sheet: str | None
    hamlet_col: int | None  # 0-based, from the report's "columns"
    categories: dict[int, Category]
    node: str = ""


@dataclass(slots=True)
class _Manifest:
    path: Path
    sha: str
    source: str
    all_records: bool
    hamlets: list[tuple[str, str, list[int]]]  # (hamlet, file, rows)


@dataclass(slots=True)
class _Merge:
    path: Path
    sha: str
    source: str
    output: str
    files: list[dict[str, Any]]
    changes: list[tuple[int, str, str]]  # (row, field, hamlet)
    not_returned: list[str]
    validation: dict[str, int]
    police_rows: set[int]
    police_files: list[str]
    # filled in when the output is found and still matches the report
    out_path: Path | None = None
    out_sha: str | None = None
    out_categories: dict[int, Category] | None = None
    out_hamlets: dict[int, str] | None = None


@dataclass(slots=True)
class _Police:
    path: Path
    list_id: str | None
    source_sha: str | None
    source_file: str
    verified: list[tuple[int | None, str]]  # (source row or None, hamlet as printed)
    rows: list[tuple[int | None, str]]  # every record row (for matching)


@dataclass(slots=True)
class _Import:
    path: Path
    list_name: str
    baseline_name: str
    rows: list[int]


@dataclass(slots=True)
class _Worklist:
    path: Path
    rows: list[tuple[int, str, bool]]  # (source row, hamlet as printed, done)


@dataclass(slots=True)
class _Found:
    validations: list[_Validation] = field(default_factory=list)
    manifests: list[_Manifest] = field(default_factory=list)
    merges: list[_Merge] = field(default_factory=list)
    police: list[_Police] = field(default_factory=list)
    imports: list[_Import] = field(default_factory=list)
    worklists: list[_Worklist] = field(default_factory=list)
    candidates: list[Path] = field(default_factory=list)  # spreadsheets: maybe a source list
    skipped: list[Path] = field(default_factory=list)
    seen: set[Path] = field(default_factory=set)


class _Unusable(Exception):
    """A file that is not (or no longer) a usable output; ``message`` is Vietnamese."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --------------------------------------------------------------------------- small helpers


_SHA_CACHE: dict[tuple[str, int, int], str] = {}


def _sha(path: Path | None) -> str | None:
    """SHA-256 of a file (None when it is not there), cached by path, size and time."""
    if path is None or not path.is_file():
        return None
    try:
        st = path.stat()
        key = (str(path.resolve()), st.st_size, st.st_mtime_ns)
        if key not in _SHA_CACHE:
            _SHA_CACHE[key] = L.sha256_file(path)
    except OSError:
        return None
    return _SHA_CACHE[key]


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _locate(recorded: str, near: Path, candidates: Iterable[Path] = ()) -> Path | None:
    """The existing file a report recorded: as recorded (absolute, or relative to the
    report's folder or the current folder), else a file of that name beside the report,
    else a candidate spreadsheet of that name."""
    if not recorded:
        return None
    p = Path(recorded)
    tries = [p] if p.is_absolute() else [near / p, p]
    tries.append(near / p.name)
    for t in tries:
        if t.is_file():
            return t
    for c in candidates:
        if c.name.casefold() == p.name.casefold() and c.is_file():
            return c
    return None


def _norm(recorded: str, near: Path) -> str:
    p = Path(recorded)
    if not p.is_absolute():
        p = near / p
    try:
        return str(p.resolve())
    except OSError:
        return str(p)


def _as_row(value: object) -> int | None:
    try:
        n = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None
    return n if n > 0 else None


def _header_key(value: object) -> str:
    return "".join(cell_text(value).casefold().split())


def _sheet_names(path: Path) -> list[str]:
    from python_calamine import CalamineWorkbook

    try:
        wb = CalamineWorkbook.from_path(str(path))
    except Exception:  # misnamed file: let calamine sniff the content
        with path.open("rb") as fh:
            wb = CalamineWorkbook.from_filelike(fh)
    return list(wb.sheet_names)


def _rows(path: Path, sheet: str, limit: int | None = None) -> list[tuple[int, list]]:
    out: list[tuple[int, list]] = []
    for item in iter_sheet_rows(path, sheet):
        out.append(item)
        if limit is not None and len(out) >= limit:
            break
    return out


def _meta(path: Path) -> dict[str, str]:
    meta: dict[str, str] = {}
    for _n, values in _rows(path, L.META_SHEET, 50):
        if len(values) >= 2 and cell_text(values[0]):
            meta[cell_text(values[0])] = cell_text(values[1])
    return meta


# --------------------------------------------------------------------------- reading inputs


def _collect(inputs: Sequence[Path], output: Path) -> list[tuple[Path, bool]]:
    """(file, named explicitly) for every input; folders walked (hidden, lock and temporary
    files left out, and the output itself)."""
    out_key = output.resolve()
    items: dict[Path, tuple[Path, bool]] = {}
    for p in inputs:
        if p.is_dir():
            for root, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if name.startswith(("~$", ".~lock", ".")):
                        continue
                    child = Path(root) / name
                    if child.suffix.lower() not in (".json", *SPREADSHEETS):
                        continue
                    key = child.resolve()
                    if key != out_key:
                        items.setdefault(key, (child, False))
        elif p.is_file():
            refuse_same_file(output, p)
            items[p.resolve()] = (p, True)
        else:
            raise ProgressError(f"Không tìm thấy tệp hoặc thư mục «{p}».",
                                code=E.PROGRESS_INPUT_MISSING)
    return list(items.values())


def _read_inputs(inputs: Sequence[Path], output: Path) -> _Found:
    found = _Found()
    for path, explicit in _collect(inputs, output):
        try:
            _classify(path, explicit, found)
        except _Unusable as exc:
            if explicit:
                raise ProgressError(exc.message, code=E.PROGRESS_INPUT_UNUSABLE) from exc
            found.skipped.append(path)
    return found


def _classify(path: Path, explicit: bool, found: _Found) -> None:
    key = path.resolve()
    if key in found.seen:
        return
    found.seen.add(key)
    if path.suffix.lower() == ".json":
        _classify_json(path, explicit, found)
    else:
        _classify_sheet(path, explicit, found)


def _classify_json(path: Path, explicit: bool, found: _Found) -> None:
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, ValueError) as exc:
        raise _Unusable(f"Không đọc được «{path.name}» (không phải JSON hợp lệ).") from exc
    schema = data.get("schema") if isinstance(data, dict) else None
    try:
        if schema == VALIDATION_SCHEMA:
            found.validations.append(_load_validation(path, data))
        elif schema == L.SCHEMA_MANIFEST:
            found.manifests.append(_load_manifest(path, data))
        elif schema == MERGE_SCHEMA:
            found.merges.append(_load_merge(path, data))
        elif explicit:
            raise _Unusable(f"«{path.name}» không phải báo cáo của vaxclean (validate --json, "
                            "manifest.json của split hoặc báo cáo JSON của merge).")
        else:
            found.skipped.append(path)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise _Unusable(f"Báo cáo «{path.name}» bị hỏng hoặc thiếu thông tin.") from exc


def _load_validation(path: Path, data: dict[str, Any]) -> _Validation:
    src = data["source"]
    cats: dict[int, Category] = {}
    for item in data["records"]:
        row = _as_row(item["row"])
        if row is None:
            raise ValueError("row")
        cats[row] = Category(item["category"])
    letter = (data.get("columns") or {}).get("hamlet")
    hamlet_col = column_index(letter) if isinstance(letter, str) else None
    return _Validation(path, str(src.get("path") or ""), src.get("sheet") or None, hamlet_col,
                       cats)


def _load_manifest(path: Path, data: dict[str, Any]) -> _Manifest:
    src = data["source"]
    hamlets = []
    for h in data.get("hamlets") or []:
        rows = [r for r in (_as_row(x.get("row")) for x in h.get("records") or []) if r]
        hamlets.append((str(h.get("hamlet") or ""), str(h.get("file") or ""), rows))
    return _Manifest(path, str(src["sha256"]), str(src.get("path") or ""),
                     bool((data.get("options") or {}).get("all")), hamlets)


def _load_merge(path: Path, data: dict[str, Any]) -> _Merge:
    src = data["source"]
    changes = []
    for c in data.get("changes") or []:
        row = _as_row(c.get("row"))
        if row:
            changes.append((row, str(c.get("field") or ""), str(c.get("hamlet") or "")))
    police = data.get("police", {})
    rows, files = _police_block(police)
    validation = {k: int(v) for k, v in (data.get("validation") or {}).items()
                  if isinstance(v, int)}
    return _Merge(path, str(src.get("sha256") or ""), str(src.get("path") or ""),
                  str(data.get("output") or ""),
                  [f for f in data.get("files") or [] if isinstance(f, dict)], changes,
                  [str(h) for h in data.get("not_returned") or []], validation, rows, files)


def _police_block(block: object) -> tuple[set[int], list[str]]:
    """Rows the merge's police block lists as verified (Đúng, or Sai with or without the
    correct values), and the police files it merged (their verdicts are read from the files
    themselves). The block is young: counts instead of lists, or anything unexpected, are
    ignored."""
    rows: set[int] = set()
    files: list[str] = []
    if not isinstance(block, dict):
        return rows, files
    for key in ("verified", "corrected", "unresolved", "changes", "rows", "records"):
        items = block.get(key)
        if not isinstance(items, list):
            continue
        for item in items:
            if not isinstance(item, dict):
                continue
            verdict = item.get("verdict")
            if verdict is not None and P.verdict_of(verdict) is None:
                continue
            row = _as_row(item.get("row"))
            if row:
                rows.add(row)
    items = block.get("files")
    for item in items if isinstance(items, list) else []:
        if isinstance(item, str):
            files.append(item)
        elif isinstance(item, dict) and isinstance(item.get("path"), str):
            files.append(item["path"])
    return rows, files


def _classify_sheet(path: Path, explicit: bool, found: _Found) -> None:
    try:
        names = _sheet_names(path)
    except Exception as exc:
        raise _Unusable(f"Không đọc được tệp «{path.name}» (hỏng, có mật khẩu hoặc không phải "
                        "bảng tính).") from exc
    try:
        if L.META_SHEET in names:
            meta = _meta(path)
            schema = meta.get("schema", "")
            if schema.startswith("vaxclean.police/"):
                found.police.append(_load_police(path))
                return
            if schema.startswith("vaxclean.hamlet/"):  # a hamlet file: the merge report
                found.skipped.append(path)               # says what came back
                return
        if P.DATA_SHEET in names:  # a police list whose meta sheet was lost (re-saved)
            try:
                found.police.append(_load_police(path))
                return
            except _Unusable:
                pass
        if all(s in names for s in IMPORT_SHEETS):
            found.imports.append(_load_import(path))
            return
        if WORKLIST_SHEET in names:
            wl = _load_worklist(path)
            if wl is not None:
                found.worklists.append(wl)
                return
    except _Unusable:
        raise
    except VaxcleanError as exc:
        raise _Unusable(f"Không đọc được tệp «{path.name}»: {exc.message}") from exc
    except Exception as exc:  # calamine's own errors
        raise _Unusable(f"Không đọc được tệp «{path.name}» (hỏng).") from exc
    report = path.with_name(f"{path.stem}{IMPORT_REPORT_SUFFIX}")
    if report.is_file() and report.resolve() != path.resolve():
        _classify(report, explicit, found)  # an import file: its report says what it holds
        return
    found.candidates.append(path)  # a list (the source, a merged list…) or something else
    if not explicit:
        found.skipped.append(path)


def _load_police(path: Path) -> _Police:
    try:
        pf = P.read_police_file(path)
    except P.NotAPoliceList as exc:
        raise _Unusable(exc.message) from exc
    list_id = pf.list_id
    verified: list[tuple[int | None, str]] = []
    rows: list[tuple[int | None, str]] = []
    for r in pf.rows:
        src_row = r.key[1] if r.key and (list_id is None or r.key[0] == list_id) else None
        item = (src_row, r.orig.get("hamlet", ""))
        rows.append(item)
        if r.verdict is not None:
            verified.append(item)
    return _Police(path, list_id, pf.meta.get("source_sha256") or None,
                   pf.meta.get("source_file", ""), verified, rows)


def _load_import(path: Path) -> _Import:
    info: dict[str, str] = {}
    for _n, values in _rows(path, IMPORT_SHEETS[0], 40):
        if len(values) >= 2 and cell_text(values[0]):
            info.setdefault(cell_text(values[0]), cell_text(values[1]))
    written = _rows(path, IMPORT_SHEETS[2])
    if not written:
        raise _Unusable(f"«{path.name}» không có trang «{IMPORT_SHEETS[2]}».")
    _n, head = written[0]
    want = _header_key(IMPORT_ROW_HEADER)
    col = next((i for i, v in enumerate(head) if _header_key(v) == want), None)
    if col is None:
        raise _Unusable(f"Trang «{IMPORT_SHEETS[2]}» của «{path.name}» không có cột "
                        f"«{IMPORT_ROW_HEADER}».")
    rows = [r for _n, values in written[1:]
            if (r := _as_row(values[col] if col < len(values) else None))]
    baseline = info.get(IMPORT_BASELINE_LABEL, "")
    if baseline.startswith("("):  # "(không có: …)"
        baseline = ""
    return _Import(path, info.get(IMPORT_LIST_LABEL, ""), baseline, rows)


def _load_worklist(path: Path) -> _Worklist | None:
    sheet = _rows(path, WORKLIST_SHEET)
    want = {_header_key(h): h for h in (WORKLIST_ROW_HEADER, WORKLIST_HAMLET_HEADER,
                                         WORKLIST_DONE_HEADER)}
    for i, (_n, values) in enumerate(sheet[:30]):
        cols = {want[k]: c for c, v in enumerate(values) if (k := _header_key(v)) in want}
        if WORKLIST_DONE_HEADER not in cols or WORKLIST_ROW_HEADER not in cols:
            continue
        rc, dc = cols[WORKLIST_ROW_HEADER], cols[WORKLIST_DONE_HEADER]
        hc = cols.get(WORKLIST_HAMLET_HEADER)
        rows = []
        for _m, vals in sheet[i + 1:]:
            cell = vals[rc] if rc < len(vals) else None
            if isinstance(cell, str) or (row := _as_row(cell)) is None:
                continue  # header's second row, signatures
            hamlet = cell_text(vals[hc]) if hc is not None and hc < len(vals) else ""
            done = dc < len(vals) and cell_text(vals[dc]).casefold() == YES.casefold()
            rows.append((row, hamlet, done))
        return _Worklist(path, rows)
    return None


# --------------------------------------------------------------------------- grouping


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def add(self, x: str) -> str:
        self.parent.setdefault(x, x)
        return x

    def find(self, x: str) -> str:
        self.add(x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


@dataclass(slots=True)
class _Group:
    """What belongs to one commune list while it is being assembled."""

    root: str = ""  # node of the original list
    validations: list[_Validation] = field(default_factory=list)
    later_validations: list[_Validation] = field(default_factory=list)
    manifests: list[_Manifest] = field(default_factory=list)
    merges: list[_Merge] = field(default_factory=list)
    police: list[_Police] = field(default_factory=list)
    imports: list[_Import] = field(default_factory=list)
    worklists: list[_Worklist] = field(default_factory=list)
    names: set[str] = field(default_factory=set)  # file names of the list and its outputs
    source_paths: list[str] = field(default_factory=list)  # recorded paths of the original
    near: Path = Path(".")
    source_hamlets: tuple[Path | None, dict[int, str]] | None = None  # read once, lazily


def _check_merge_output(m: _Merge, candidates: list[Path]) -> None:
    """Read the merge's output; keep its per-record groups and hamlets when its "Phân loại"
    column still gives the counts of the report's re-validation."""
    out = _locate(m.output, m.path.parent, candidates)
    if out is None:
        return
    try:
        table = read_table(out)
    except VaxcleanError:
        return
    status = [c for c, h in table.headers.items() if _header_key(h) == _header_key(STATUS_HEADER)]
    if not status:
        return
    col = status[-1]
    by_label = {_header_key(v): c for c, v in CATEGORY_LABEL_VI.items()}
    cats: dict[int, Category] = {}
    for row, values in table.rows:
        cat = by_label.get(_header_key(values[col] if col < len(values) else None))
        if cat is None:
            return
        cats[row] = cat
    counts = {c.value: 0 for c in GROUPS}
    for cat in cats.values():
        counts[cat.value] += 1
    if m.validation.get("records") != len(cats) or any(
            m.validation.get(k) != n for k, n in counts.items()):
        return
    m.out_path, m.out_sha, m.out_categories = out, _sha(out), cats
    m.out_hamlets = _table_hamlets(table, table.columns.get("hamlet"))


def _table_hamlets(table: Any, hamlet_col: int | None) -> dict[int, str]:
    """Row -> hamlet display name, grouped like every command groups them."""
    records = []
    for row, values in table.rows:
        value = values[hamlet_col] if hamlet_col is not None and hamlet_col < len(values) \
            else None
        records.append(build_record(row, {"hamlet": value}))
    names = hamlet_names(records)
    return {rec.row: names[rec.hamlet] for rec in records}


def _group(found: _Found) -> tuple[list[_Group], list[str]]:
    """Assemble the commune lists (see the module docstring); return them and warnings."""
    uf = _UnionFind()
    warnings: list[str] = []
    path_sha: dict[str, str] = {}  # recorded source path (normalised) -> its hash then
    for mf in found.manifests:
        uf.add(f"sha:{mf.sha}")
        path_sha.setdefault(_norm(mf.source, mf.path.parent), mf.sha)
    for m in found.merges:
        if m.sha:
            uf.add(f"sha:{m.sha}")
            path_sha.setdefault(_norm(m.source, m.path.parent), m.sha)
    merge_outputs: dict[str, str] = {}  # output path (normalised) -> the merge's source node
    output_nodes: set[str] = set()
    for m in found.merges:
        node = f"sha:{m.sha}" if m.sha else f"path:{_norm(m.source, m.path.parent)}"
        uf.add(node)
        _check_merge_output(m, found.candidates)
        if m.output:
            merge_outputs[_norm(m.output, m.path.parent)] = node
        if m.out_sha:
            uf.union(node, f"sha:{m.out_sha}")
            output_nodes.add(f"sha:{m.out_sha}")
    for v in found.validations:
        where = _locate(v.source, v.path.parent, found.candidates)
        sha = _sha(where)
        norm = _norm(v.source, v.path.parent)
        v.node = f"sha:{sha}" if sha else (
            f"sha:{path_sha[norm]}" if norm in path_sha else f"path:{norm}")
        uf.add(v.node)
        if norm in merge_outputs:  # the validation of a merged list
            uf.union(v.node, merge_outputs[norm])
            output_nodes.add(v.node)
    known = {x for x in uf.parent if x.startswith("sha:")}

    def police_node(pl: _Police) -> str | None:
        if pl.source_sha and f"sha:{pl.source_sha}" in uf.parent:
            return f"sha:{pl.source_sha}"
        if pl.list_id:
            for node in sorted(known):
                if P.list_id_for(node[4:]) == pl.list_id:
                    return node
        return None

    loose_police = [pl for pl in found.police if police_node(pl) is None]

    groups: dict[str, _Group] = {}

    def group_of(node: str) -> _Group:
        return groups.setdefault(uf.find(node), _Group())

    for mf in found.manifests:
        g = group_of(f"sha:{mf.sha}")
        g.manifests.append(mf)
        g.names.add(Path(mf.source).name.casefold())
        g.near = mf.path.parent
    for m in found.merges:
        node = f"sha:{m.sha}" if m.sha else f"path:{_norm(m.source, m.path.parent)}"
        g = group_of(node)
        g.merges.append(m)
        g.names.update({Path(m.source).name.casefold(), Path(m.output).name.casefold()})
        g.near = m.path.parent
    for v in found.validations:
        g = group_of(v.node)
        g.validations.append(v)  # sorted into original / later below
        g.names.add(Path(v.source).name.casefold())
        g.near = v.path.parent
    for pl in found.police:
        node = police_node(pl)
        if node is not None:
            group_of(node).police.append(pl)

    # the original of each list: a node that is no merge's output
    members: dict[str, list[str]] = {}
    for node in uf.parent:
        members.setdefault(uf.find(node), []).append(node)
    for rep, g in groups.items():
        nodes = members.get(rep, [rep])
        roots = [n for n in nodes if n not in output_nodes] or nodes

        def rank(n: str, g: _Group = g) -> tuple[int, int, int, str]:
            return (-sum(v.node == n for v in g.validations),
                    -sum(f"sha:{mf.sha}" == n for mf in g.manifests),
                    -sum(f"sha:{m.sha}" == n for m in g.merges), n)

        g.root = min(roots, key=rank)
        originals = [v for v in g.validations if v.node == g.root]
        g.later_validations = [v for v in g.validations if v.node != g.root]
        g.validations = originals
        for v in originals:
            g.source_paths.append(v.source)
        g.source_paths += [mf.source for mf in g.manifests if f"sha:{mf.sha}" == g.root]
        g.source_paths += [m.source for m in g.merges if f"sha:{m.sha}" == g.root]

    # police lists of a list nobody else mentions: a commune list of their own
    for pl in loose_police:
        named = [g for g in groups.values()
                 if pl.source_file and pl.source_file.casefold() in g.names]
        if len(named) == 1:  # made from a list known by that name (re-saved since?)
            named[0].police.append(pl)
        elif pl.source_sha:
            g = groups.setdefault(f"sha:{pl.source_sha}", _Group(root=f"sha:{pl.source_sha}"))
            g.police.append(pl)
            g.names.add(pl.source_file.casefold())
            g.near = pl.path.parent
            if pl.source_file:
                g.source_paths.append(str(pl.path.parent / pl.source_file))
        elif len(groups) == 1:
            next(iter(groups.values())).police.append(pl)
        else:
            warnings.append(f"Không xác định được danh sách công an «{pl.path.name}» thuộc "
                            "danh sách nào: bỏ qua.")

    ordered = [groups[k] for k in sorted(groups)]
    for imp in found.imports:
        g = _match_import(imp, ordered, found.candidates)
        if g is None:
            warnings.append(f"Không xác định được báo cáo import «{imp.path.name}» thuộc danh "
                            "sách nào: bỏ qua.")
        else:
            g.imports.append(imp)
    for wl in found.worklists:
        g = _match_worklist(wl, ordered, found)
        if g is None:
            warnings.append(f"Không xác định được danh sách sửa tay «{wl.path.name}» thuộc "
                            "danh sách nào: bỏ qua.")
        else:
            g.worklists.append(wl)
    return ordered, warnings


def _match_import(imp: _Import, groups: list[_Group], candidates: list[Path]) -> _Group | None:
    """By the list it was made from: the file of that name beside the report (hashed), else
    the file names each list is known by, else the only list there is."""
    if imp.list_name:
        sha = _sha(_locate(imp.list_name, imp.path.parent))
        if sha:
            for g in groups:
                if g.root == f"sha:{sha}" or any(
                        m.out_sha == sha or m.sha == sha for m in g.merges) or any(
                        f"sha:{sha}" == v.node for v in (*g.validations, *g.later_validations)):
                    return g
        hits = [g for g in groups if imp.list_name.casefold() in g.names]
        if len(hits) == 1:
            return hits[0]
    if imp.baseline_name:
        hits = [g for g in groups if any(v.path.name.casefold() == imp.baseline_name.casefold()
                                         for v in g.validations)]
        if len(hits) == 1:
            return hits[0]
    return groups[0] if len(groups) == 1 else None


def _match_worklist(wl: _Worklist, groups: list[_Group], found: _Found) -> _Group | None:
    """By rows and hamlets: the list whose hamlet of each row agrees with the worklist for
    at least 80 % of its rows (the best one), else the only list there is."""
    if len(groups) == 1:
        return groups[0]
    best: tuple[float, int] | None = None
    for i, g in enumerate(groups):
        rows = _row_hamlets(g, found, {r for r, _h, _d in wl.rows})[0]
        if not wl.rows:
            continue
        agree = sum(1 for r, h, _d in wl.rows
                    if r in rows and hamlet_key(rows[r]) == hamlet_key(h or NO_HAMLET))
        score = agree / len(wl.rows)
        if score >= 0.8 and (best is None or score > best[0]):
            best = (score, i)
    return groups[best[1]] if best else None


# --------------------------------------------------------------------------- per list


def _source_file(g: _Group, found: _Found) -> Path | None:
    """The original list, when it is still there unchanged."""
    for recorded in g.source_paths:
        p = _locate(recorded, g.near, found.candidates)
        if p is not None and g.root == f"sha:{_sha(p)}":
            return p
    return None


def _row_hamlets(g: _Group, found: _Found, needed: set[int]
                 ) -> tuple[dict[int, str], Path | None]:
    """Row -> hamlet: manifests first, then the source list, then the latest merge's output
    (see the module docstring); also the source list used, if any."""
    rows: dict[int, str] = {}
    for mf in g.manifests:
        for hamlet, _file, rs in mf.hamlets:
            for r in rs:
                rows.setdefault(r, hamlet)
    src = None
    if needed - rows.keys():
        if g.source_hamlets is None:
            g.source_hamlets = _source_hamlets(g, found)
        src, from_source = g.source_hamlets
        for r, h in from_source.items():
            rows.setdefault(r, h)
    if needed - rows.keys():
        for m in sorted(g.merges, key=lambda m: _mtime(m.path), reverse=True):
            for r, h in (m.out_hamlets or {}).items():
                rows.setdefault(r, h)
    return rows, src


def _source_hamlets(g: _Group, found: _Found) -> tuple[Path | None, dict[int, str]]:
    """The hamlet of every record of the original list, read from the file (read once)."""
    src = _source_file(g, found)
    if src is None:
        return None, {}
    v = g.validations[-1] if g.validations else None
    table = None
    for sheet in ([v.sheet] if v and v.sheet else []) + [None]:
        try:
            table = read_table(src, sheet=sheet)
            break
        except VaxcleanError:
            continue
    if table is None:
        return None, {}
    col = v.hamlet_col if v and v.hamlet_col is not None else table.columns.get("hamlet")
    return src, _table_hamlets(table, col)


def _canon(names: dict[str, str], name: str) -> str:
    """One display name per hamlet (``hamlet_key``: case, spaces, Unicode form)."""
    if not name.strip() or name in (NO_HAMLET, UNKNOWN_HAMLET):
        return name if name.strip() else NO_HAMLET
    return names.setdefault(hamlet_key(name), name)


def _latest_merge(merges: list[_Merge]) -> _Merge | None:
    if not merges:
        return None
    return max(merges, key=lambda m: (m.out_categories is not None, _mtime(m.path),
                                      str(m.path)))


def _build_list(g: _Group, found: _Found) -> ListProgress:
    validation = max(g.validations, key=lambda v: (_mtime(v.path), str(v.path)), default=None)
    latest = _latest_merge(g.merges)

    # rows every column needs a hamlet for
    needed: set[int] = set(validation.categories) if validation else set()
    needed |= {r for m in g.merges for r, _f, _h in m.changes}
    needed |= {r for m in g.merges for r in m.police_rows}
    needed |= {r for pl in g.police for r, _h in pl.verified if r}
    needed |= {r for imp in g.imports for r in imp.rows}
    needed |= {r for wl in g.worklists for r, _h, _d in wl.rows}
    row_hamlet, src = _row_hamlets(g, found, needed)

    names: dict[str, str] = {}
    for h in row_hamlet.values():
        _canon(names, h)
    table: dict[str, HamletProgress] = {}

    def line(name: str) -> HamletProgress:
        name = _canon(names, name)
        return table.setdefault(name, HamletProgress(name))

    def hamlet_of(row: int | None, fallback: str = "") -> str:
        if row is not None and row in row_hamlet:
            return row_hamlet[row]
        return fallback or UNKNOWN_HAMLET

    # --- at validation
    errors0: dict[int, None] = {}  # E0 rows, in order
    if validation is not None:
        for row, cat in validation.categories.items():
            h = line(hamlet_of(row))
            h.groups[cat] = h.groups.get(cat, 0) + 1
            if cat is not Category.OK:
                errors0[row] = None
    else:
        for mf in g.manifests:
            if not mf.all_records:
                for _h, _f, rs in mf.hamlets:
                    errors0.update(dict.fromkeys(rs))

    # --- sent, returned
    sent_files: dict[str, set[tuple[str, str]]] = {}
    sent_rows: dict[str, set[int]] = {}
    for mf in g.manifests:
        for hamlet, file, rs in mf.hamlets:
            name = line(hamlet).hamlet
            sent_files.setdefault(name, set()).add((str(mf.path), file))
            sent_rows.setdefault(name, set()).update(rs)
    returned: set[str] = set()
    not_hamlets: set[str] = set()  # the 'hamlet' label of the police's files and changes
    for m in g.merges:
        not_hamlets |= {str(f.get("hamlet")) for f in m.files
                        if f.get("kind", "hamlet") != "hamlet" and f.get("hamlet")}
    for m in g.merges:
        for f in m.files:
            if (f.get("status") == "merged" and f.get("hamlet")
                    and f.get("kind", "hamlet") == "hamlet"):
                name = line(str(f["hamlet"])).hamlet
                returned.add(name)
                if not g.manifests:  # sent, as the merge saw it
                    sent_files.setdefault(name, set()).add((str(m.path), str(f.get("path"))))
                    sent_rows.setdefault(name, set())
                    line(name).records_sent = max(line(name).records_sent,
                                                  int(f.get("records") or 0))
        if not g.manifests:
            for hamlet in m.not_returned:
                sent_files.setdefault(line(hamlet).hamlet, set()).add((str(m.path), hamlet))
    for name, files in sent_files.items():
        h = line(name)
        h.files_sent = len(files)
        h.records_sent = max(h.records_sent, len(sent_rows.get(name, ())))
        h.returned = name in returned
    for name in returned:
        line(name).returned = True

    # --- changes merged (distinct cells over every merge)
    changed: dict[tuple[int, str], str] = {}
    for m in sorted(g.merges, key=lambda m: _mtime(m.path)):
        for row, fld, hamlet in m.changes:
            changed[(row, fld)] = hamlet
    for (row, _fld), hamlet in changed.items():
        line(hamlet_of(row, "" if hamlet in not_hamlets else hamlet)).changes += 1

    # --- police: distinct verified rows over every copy, plus the merge's police block
    police_rows: dict[int, str] = {}
    unkeyed: list[str] = []
    for pl in g.police:
        for row, printed in pl.verified:
            if row is None:
                unkeyed.append(printed)
            else:
                police_rows.setdefault(row, printed)
    for m in g.merges:
        for row in m.police_rows:
            police_rows.setdefault(row, "")
    for row, printed in police_rows.items():
        line(hamlet_of(row, printed)).police_verified += 1
    for printed in unkeyed:
        line(printed or UNKNOWN_HAMLET).police_verified += 1

    # --- exported, edited on the platform
    for row in sorted({r for imp in g.imports for r in imp.rows}):
        line(hamlet_of(row)).exported += 1
    edited: dict[int, str] = {}
    for wl in g.worklists:
        for row, printed, done in wl.rows:
            if done:
                edited.setdefault(row, printed)
    for row, printed in edited.items():
        line(hamlet_of(row, printed)).edited += 1

    # --- open = E0 - fixed after the latest merge
    notes: list[str] = []
    after = latest.out_categories if latest else None
    known = validation is not None or bool(errors0)
    per_hamlet = known and (latest is None or after is not None)
    if not known:
        notes.append("Không có báo cáo kiểm tra (validate --json) của danh sách gốc: chưa "
                     "tính được số còn tồn.")
    elif not per_hamlet:
        notes.append(f"Không đọc được danh sách đã gộp của «{latest.path.name}» (không còn "
                     "hoặc đã bị sửa sau khi gộp): số còn tồn chỉ có ở dòng tổng, ước tính từ "
                     "báo cáo gộp.")
    if known:
        err: dict[str, int] = {}
        fixed: dict[str, int] = {}
        for row in errors0:
            name = line(hamlet_of(row)).hamlet
            err[name] = err.get(name, 0) + 1
            if after is not None and after.get(row) is Category.OK:
                fixed[name] = fixed.get(name, 0) + 1
        for h in table.values():
            h.errors, h.fixed = err.get(h.hamlet, 0), fixed.get(h.hamlet, 0)
            h.open = h.errors - h.fixed if per_hamlet else None

    hamlets = sorted(table.values(), key=lambda h: (h.hamlet == UNKNOWN_HAMLET,
                                                   hamlet_order(h.hamlet)))
    total = HamletProgress(TOTAL_LABEL)
    if validation is not None:
        total.groups = {c: sum(h.groups.get(c, 0) for h in hamlets) for c in GROUPS}
    for attr in ("files_sent", "records_sent", "changes", "police_verified", "exported",
                 "edited"):
        setattr(total, attr, sum(getattr(h, attr) for h in hamlets))
    if known:
        total.errors = len(errors0)
        if per_hamlet:
            total.fixed = sum(h.fixed or 0 for h in hamlets)
            total.open = total.errors - total.fixed
        elif latest is not None:
            v = latest.validation
            total.open = min(total.errors, v.get("records", 0) - v.get("OK", 0))
            total.fixed = total.errors - total.open
    if g.later_validations:
        notes.append("Báo cáo kiểm tra của danh sách đã gộp (không dùng làm mốc ban đầu): "
                     + ", ".join(v.path.name for v in g.later_validations) + ".")

    used = {
        "validation": [validation.path] if validation else [],
        "manifest": [mf.path for mf in g.manifests],
        "merge": [m.path for m in sorted(g.merges, key=lambda m: _mtime(m.path))],
        "police": [pl.path for pl in g.police],
        "import": [imp.path for imp in g.imports],
        "worklist": [wl.path for wl in g.worklists],
    }
    name = _list_name(g)
    return ListProgress(sheet="", name=name, sha256=g.root[4:] if g.root.startswith("sha:")
                        else None, source=src or _source_file(g, found), hamlets=hamlets,
                        total=total, open_per_hamlet=per_hamlet, used=used, notes=notes,
                        with_groups=validation is not None)


def _list_name(g: _Group) -> str:
    for recorded in g.source_paths:
        if recorded:
            return Path(recorded).name
    if g.root.startswith("path:"):
        return Path(g.root[5:]).name
    return "Danh sách"


_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def sheet_names_for(stems: Sequence[str]) -> list[str]:
    """Excel sheet names from file stems: forbidden characters replaced, at most 31
    characters, unique (case-insensitively, as Excel compares them), never "History"."""
    used: set[str] = set()
    out: list[str] = []
    for stem in stems:
        base = _BAD_SHEET_CHARS.sub("-", stem).strip().strip("'") or "Danh sách"
        if base.casefold() == "history":
            base = f"{base} (1)"
        name, n = base[:31], 2
        while name.casefold() in used:
            suffix = f" ({n})"
            name, n = base[:31 - len(suffix)] + suffix, n + 1
        used.add(name.casefold())
        out.append(name)
    return out


# --------------------------------------------------------------------------- writing


def _write_workbook(path: Path, lists: list[ListProgress]) -> None:
    from xlsxwriter.utility import xl_rowcol_to_cell

    from vaxclean_xl.xlsx.workbook import new_workbook

    wb = new_workbook(path)
    try:
        wb.set_properties({"title": "Tiến độ làm sạch dữ liệu tiêm chủng COVID-19",
                           "author": "vaxclean"})
        title = wb.add_format({"bold": True, "font_size": 14})
        note = wb.add_format({"italic": True, "font_color": "#595959"})
        head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1,
                              "text_wrap": True, "align": "center", "valign": "vcenter"})
        cell = wb.add_format({"border": 1})
        num = wb.add_format({"border": 1, "align": "center"})
        open_fmt = wb.add_format({"border": 1, "align": "center", "bold": True,
                                  "font_color": "#C00000"})
        tot = wb.add_format({"border": 1, "bold": True, "bg_color": "#F2F2F2"})
        tot_num = wb.add_format({"border": 1, "bold": True, "bg_color": "#F2F2F2",
                                 "align": "center"})

        for lst in lists:
            ws = wb.add_worksheet(lst.sheet)
            ws.write_string(0, 0, f"Tiến độ làm sạch dữ liệu: {lst.name}", title)
            sha = f" (SHA-256 {lst.sha256[:16]}…)" if lst.sha256 else ""
            ws.write_string(1, 0, f"Danh sách gốc: {lst.source or lst.name}{sha}", note)
            used = "; ".join(f"{_KIND_VI[k]}: {len(v)}" for k, v in lst.used.items())
            ws.write_string(2, 0, f"Tệp đã đọc — {used}.", note)
            ws.write_string(3, 0, "Còn tồn = số bản ghi có lỗi khi kiểm tra, trừ số bản ghi đó "
                                  "đã đúng sau lần gộp gần nhất.", note)
            if lst.notes:
                ws.write_string(4, 0, " ".join(lst.notes), note)

            top, sub = HEADER_TOP_ROW, HEADER_TOP_ROW + 1
            g0, g1 = COL[GROUPS[0].value], COL[GROUPS[-1].value]
            ws.merge_range(top, g0, top, g1, "Khi kiểm tra (số bản ghi)", head)
            s0, s1 = COL["files_sent"], COL["records_sent"]
            ws.merge_range(top, s0, top, s1, "Gửi thôn", head)
            for i, (_attr, header) in enumerate(COLUMNS):
                if g0 <= i <= g1 or s0 <= i <= s1:
                    ws.write_string(sub, i, header, head)
                else:
                    ws.merge_range(top, i, sub, i, header, head)
            ws.set_row(sub, 32)
            ws.set_column(0, 0, 24)
            ws.set_column(1, len(COLUMNS) - 1, 12)

            first = sub + 1
            for r, h in enumerate(lst.hamlets, start=first):
                values = _line_values(h, lst.with_groups, lst.open_per_hamlet)
                for c, v in enumerate(values):
                    fmt = open_fmt if c == COL["open"] else (cell if c == 0 else num)
                    _put(ws, r, c, v, fmt)
            last = first + len(lst.hamlets) - 1
            total_row = last + 1
            ws.write_string(total_row, 0, TOTAL_LABEL, tot)
            totals = _line_values(lst.total, lst.with_groups, lst.total.open is not None)
            totals[COL["returned"]] = sum(1 for h in lst.hamlets if h.returned)
            for c in range(1, len(COLUMNS)):
                value = totals[c]
                if not lst.hamlets or value == "" or (c == COL["open"]
                                                      and not lst.open_per_hamlet):
                    _put(ws, total_row, c, value, tot_num)
                    continue
                a, b = xl_rowcol_to_cell(first, c), xl_rowcol_to_cell(last, c)
                formula = (f'=COUNTIF({a}:{b},"{YES}")' if c == COL["returned"]
                           else f"=SUM({a}:{b})")
                ws.write_formula(total_row, c, formula, tot_num, value)
            ws.freeze_panes(first, 1)

            if lst.open_per_hamlet and lst.hamlets:
                chart = wb.add_chart({"type": "bar"})  # clustered (XlsxWriter's default)
                oc = COL["open"]
                chart.add_series({
                    "name": [lst.sheet, top, oc],
                    "categories": [lst.sheet, first, 0, last, 0],
                    "values": [lst.sheet, first, oc, last, oc],
                    "fill": {"color": "#C00000"},
                    "data_labels": {"value": True},
                })
                chart.set_title({"name": "Bản ghi còn tồn theo thôn/xóm"})
                chart.set_legend({"none": True})
                chart.set_y_axis({"reverse": True})  # bar chart: y is the hamlet axis
                chart.set_x_axis({"min": 0, "major_gridlines": {"visible": True}})
                height = max(288, 40 + 22 * len(lst.hamlets))
                ws.insert_chart(total_row + 2, 0, chart,
                                {"x_scale": 1.6, "y_scale": height / 288})
    finally:
        wb.close()


_KIND_VI = {"validation": "báo cáo kiểm tra", "manifest": "danh mục chia tệp",
            "merge": "báo cáo gộp", "police": "danh sách công an", "import": "báo cáo import",
            "worklist": "danh sách sửa tay"}


def _line_values(h: HamletProgress, with_groups: bool, with_open: bool) -> list[object]:
    """The cells of one line, in :data:`COLUMNS` order ("" for an empty cell)."""
    values: list[object] = [h.hamlet]
    values += [h.groups.get(c, 0) if with_groups else "" for c in GROUPS]
    values += [h.files_sent, h.records_sent,
               "" if h.returned is None else (YES if h.returned else NO),
               h.changes, h.police_verified, h.exported, h.edited,
               h.open if with_open and h.open is not None else ""]
    return values


def _put(ws: Any, r: int, c: int, value: object, fmt: Any) -> None:
    if isinstance(value, int) and not isinstance(value, bool):
        ws.write_number(r, c, value, fmt)
    elif value == "":
        ws.write_blank(r, c, None, fmt)
    else:
        ws.write_string(r, c, str(value), fmt)


# --------------------------------------------------------------------------- command


def progress(inputs: list[Path], output: Path) -> ProgressOutcome:
    """Read the outputs named by ``inputs`` (files and folders) and write the progress
    workbook ``output`` (one sheet per commune list; see the module docstring).

    Raises :class:`~vaxclean_xl.errors.VaxcleanError` (exit 2) when an input is missing or
    unreadable, or when no output of vaxclean is found at all.
    """
    inputs = [Path(p) for p in inputs]
    output = Path(output)
    if output.suffix.lower() != ".xlsx":
        raise ProgressError(f"Tệp báo cáo tiến độ phải có đuôi .xlsx, không phải "
                            f"«{output.suffix or '(không đuôi)'}».", code=E.PROGRESS_OUTPUT_SUFFIX)
    found = _read_inputs(inputs, output)
    for m in found.merges:  # police files the merge names, not given here
        for recorded in m.police_files:
            p = _locate(recorded, m.path.parent)
            if p is not None and p.resolve() not in found.seen:
                try:
                    _classify(p, False, found)
                except _Unusable:
                    pass
    groups, warnings = _group(found)
    if not groups:
        raise ProgressError("Không tìm thấy tệp kết quả nào của vaxclean (báo cáo validate "
                            "--json, manifest.json, báo cáo gộp, danh sách công an…) trong "
                            "các đầu vào.", code=E.NO_RESULTS)
    lists = [_build_list(g, found) for g in groups]
    lists.sort(key=lambda x: (x.name.casefold(), x.sha256 or ""))
    for lst, sheet in zip(lists, sheet_names_for([Path(x.name).stem for x in lists]),
                          strict=True):
        lst.sheet = sheet
    with atomic_path(output) as tmp:
        _write_workbook(tmp, lists)
    return ProgressOutcome(output, lists, sorted(set(found.skipped)), warnings)
