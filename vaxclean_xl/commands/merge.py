"""Merge the hamlet files that come back into the commune list (end of procedure step 2).

Hamlet workers open the files made by ``split`` in Excel, WPS or LibreOffice and send them
back in every shape people produce: re-saved, saved as .xls or .ods, renamed, the sheet
renamed, columns moved or inserted, rows sorted or deleted, people typed under the list,
the hidden key column shown and damaged, IDs and dates retyped as numbers and real dates.
So this module trusts nothing positional:

* the data sheet is the sheet whose header row holds the correction headers, and columns
  are found by header TEXT (``io.hamlet_reader``; NFC, case and spaces ignored);
* records are found by key (``make_key/parse_key``: split id + source row + check); a key
  that is damaged, missing, or whose row's original values do not agree with the source
  falls back to matching on the original values (name + date of birth + ID) and says so;
* a file of another split, or not ours at all, is refused with one Vietnamese line and the
  merge goes on; a manifest whose source hash differs from ORIGINAL stops the merge (the
  list changed since the split) unless ``force``.

Corrections that differ from the original value are written into a copy of ORIGINAL's own
workbook, cell by cell, each cell keeping its look (other sheets, fonts, widths, dropdowns,
conditional formats stay as the commune keeps them; an .xls/.ods/.csv list gets a plain
.xlsx copy first). ORIGINAL and the returned files are never written. Two different
proposals for one cell are a conflict (the original value is kept); rows typed in by
hamlets, records missing from a returned file and hamlets that sent nothing are listed in
their own sheets. The merged list is then re-validated with the same rules as ``validate``
and annotated by the same annotator in the same pass, so MERGED reads like a ``validate``
output plus the merge's own sheets.

The police's returned list (``police-list``, procedure steps 2–3) is taken too, alone or with
hamlet files in the same call. It is recognised by its meta sheet (``vaxclean.police/1``) or
its header texts (``io.police_layout.read_police_file``) and accepted only when it was made
from ORIGINAL (its ``source_sha256``, else the list id of its keys), unless ``force``; for the
second merge of the procedure ORIGINAL is therefore the hamlet-merged list the police list
was made from. The police's values win over the hamlets': a "Sai" row's correct values are
written whatever the hamlets proposed for those cells, a "Đúng" row confirms the values the
police saw (nothing changes), and each hamlet proposal the police overrule is logged
("overruled", sheet "Công an sửa lại"). "Sai" without any correct value is listed as
unresolved (sheet "Chưa xác minh được"), a blank result as not verified.

Determinism: returned files are processed sorted by (hamlet key, file SHA-256, name), police
lists after them by (SHA-256, name), and the outcome never depends on the order given, so
merging the same files again, in any order, writes the same cell values.

Speed (a commune of 40 hamlets, 200,000 rows): the files are read on a few threads, as
calamine parses without the GIL; meanwhile this thread checks ORIGINAL's records, and after
the corrections only the changed rows are checked again before the list-level checks run
once (the same findings as validating the merged rows from scratch). The cyclic GC is paused
(millions of cells and records, no cycles). ``benchmarks/split_merge.py`` measures it.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import json
import os
import re
import tempfile
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Any

from vaxclean_xl.commands.validate import (
    STATUS_HEADERS,
    cell_marks,
    existing_status_col,
    status_cells,
    summary_sheet,
)
from vaxclean_xl.core.collate import hamlet_order
from vaxclean_xl.core.model import FIELD_LABEL_VI, Finding, Record, Severity
from vaxclean_xl.core.normalize import (
    SEX_LABEL,
    cell_text,
    format_date,
    id_text,
    parse_date,
    parse_sex,
)
from vaxclean_xl.core.perf import gc_paused
from vaxclean_xl.core.validate import NO_HAMLET, Validation, check_rows, validate_records
from vaxclean_xl.errors import E, InputError
from vaxclean_xl.io import hamlet_layout as L
from vaxclean_xl.io import police_layout as P
from vaxclean_xl.io.atomic import OutputBatch, output_batch, refuse_same_file
from vaxclean_xl.io.hamlet_reader import (
    NotAHamletFile,
    ReturnedFile,
    ReturnedRow,
    blank,
    is_signature,
    lone_name,
    read_returned,
)
from vaxclean_xl.io.reader import Table, read_table
from vaxclean_xl.logs import log_line

SCHEMA = "vaxclean.merge/1"
RETURNED_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
OUTPUT_SUFFIX = ".gop.xlsx"  # default MERGED name: '<stem>.gop.xlsx' beside ORIGINAL

FALLBACK_REASON = "khóa hỏng, khớp theo giá trị gốc"
# Threads reading the files: calamine parses without the GIL, so two cores read two files.
READ_THREADS = max(2, min(4, os.cpu_count() or 2))
NOTE_STATUS_HEADER = "Ghi chú của thôn"

SHEET_FILES = "Tệp đã nhận"
SHEET_CHANGES = "Nhật ký thay đổi"
# the change log's columns (also read back: police overrides across calls, edit-list)
CHANGE_HEADERS: tuple[str, ...] = ("Tệp", "Thôn/xóm", "Dòng", "Trường", "Giá trị cũ",
                                   "Giá trị mới", "Cách khớp", "Lần gộp")
MATCH_BY_KEY_VI = "theo mã bản ghi"
SHEET_CONFLICTS = "Xung đột"
SHEET_REJECTED = "Sửa chưa hợp lệ"
SHEET_ORIGINAL_EDITS = "Sửa vào cột gốc"
SHEET_ADDED = "Bổ sung từ thôn"
SHEET_MISSING = "Thiếu trong tệp trả về"
SHEET_NOT_RETURNED = "Chưa trả về"
SHEET_OVERRULED = "Công an sửa lại"
SHEET_UNRESOLVED = "Chưa xác minh được"

POLICE_LABEL = "Công an xã"  # the 'hamlet' of the police's changes, notes and files

CORRECTABLE: tuple[str, ...] = tuple(L.CORR_HEADERS)  # full_name, dob, sex, id_number
MATCH_FIELDS: tuple[str, ...] = ("full_name", "dob", "id_number")
_ABSENT = object()


class MergeError(InputError):
    """The merge cannot proceed at all (exit 2): wrong list, nothing usable came back."""

    code = E.MERGE


# --------------------------------------------------------------------------- results


@dataclass(slots=True)
class FileResult:
    """One returned file: merged or refused, and why."""

    path: Path
    sha256: str
    status: str  # "merged" | "refused"
    reason: str = ""
    kind: str = "hamlet"  # "hamlet" | "police"
    hamlet: str = ""
    split_id: str | None = None
    sheet: str = ""  # the data sheet found (by its headers: it may have been renamed)
    records: int = 0  # distinct records of the list this file matched
    by_values: list[int] = field(default_factory=list)  # file rows matched on values
    duplicate_rows: list[int] = field(default_factory=list)  # file rows repeating a key

    def as_dict(self) -> dict[str, object]:
        return {"path": str(self.path), "kind": self.kind, "hamlet": self.hamlet,
                "sha256": self.sha256,
                "records": self.records, "status": self.status, "reason": self.reason,
                "split_id": self.split_id, "sheet": self.sheet,
                "matched_by_values": self.by_values,
                "duplicate_rows": self.duplicate_rows}


@dataclass(slots=True)
class MergeOutcome:
    """What ``merge_files`` did; ``report`` holds the ``vaxclean.merge/1`` document."""

    table: Table
    result: Validation
    output: Path
    report_path: Path | None
    report: dict[str, Any]

    @property
    def exit_code(self) -> int:
        """0: the merged list has no error; 1: it has (same contract as validate)."""
        return 1 if self.result.has_errors else 0

    @property
    def summary(self) -> dict[str, int]:
        return self.report["summary"]


# --------------------------------------------------------------------------- value helpers


def show(field_name: str, value: object) -> str:
    """A cell value as the merge writes it in texts: IDs as digits, dates dd/mm/yyyy."""
    if blank(value):
        return ""
    if field_name == "id_number":
        return id_text(value)[0]
    if field_name == "dob":
        d, _problem = parse_date(value.strip() if isinstance(value, str) else value)
        return format_date(d) if d else cell_text(value)
    return cell_text(value)


def same_value(field_name: str, a: object, b: object) -> bool:
    """Equal after the merge's normalisation: dates as dates, IDs as digit text, sex as
    Nam/Nữ, other text NFC and trimmed (so a fix of inner spaces or case is a change)."""
    if a == b and type(a) is type(b):
        return True  # the common case: untouched cells
    if _date_as_text(a, b):
        return True
    if field_name == "dob":
        da, _ = parse_date(a.strip() if isinstance(a, str) else a)
        db, _ = parse_date(b.strip() if isinstance(b, str) else b)
        if da is not None and db is not None:
            return da == db
    elif field_name == "sex":
        sa, sb = parse_sex(a), parse_sex(b)
        if sa is not None and sb is not None:
            return sa == sb
    return show(field_name, a) == show(field_name, b)


def _date_as_text(a: object, b: object) -> bool:
    """One is a date, the other the same date as split printed it (dd/mm/yyyy): the usual
    pair of a source cell and its copy in a hamlet file, decided without parsing."""
    if a.__class__ is str:
        a, b = b, a
    if b.__class__ is not str:
        return False
    text = _DATE_TEXT.get(a)
    if text is None:
        if not isinstance(a, _dt.date) or (isinstance(a, _dt.datetime)
                                           and a.time() != _dt.time()):
            return False
        text = f"{a.day:02d}/{a.month:02d}/{a.year:04d}"
        if len(_DATE_TEXT) < 100_000:  # a list has a few tens of thousands of birth dates
            _DATE_TEXT[a] = text
    return b.strip() == text  # type: ignore[attr-defined]


_DATE_TEXT: dict[object, str] = {}


def _ident_part(field_name: str, value: object) -> str:
    """Loose identity of an original value for the fallback match (a lost leading zero or
    a case change of the name must not stop it)."""
    if field_name == "full_name":
        return " ".join(cell_text(value).casefold().split())
    if field_name == "id_number":
        return "".join(ch for ch in show("id_number", value) if not ch.isspace()).lstrip("0")
    return show(field_name, value)


# --------------------------------------------------------------------------- inputs


def collect_returned(inputs: Iterable[str | Path], skip: Iterable[Path] = ()
                     ) -> tuple[list[Path], list[Path]]:
    """(spreadsheet files, manifest files) named by ``inputs``: files as given, folders
    expanded to their spreadsheets (not recursive), skipping lock/temp files, ORIGINAL and
    the merge's own outputs; a manifest beside a file or in a folder is picked up too."""
    skipped = {p.resolve() for p in skip}
    files: dict[Path, None] = {}
    manifests: dict[Path, None] = {}

    def wanted(p: Path) -> bool:
        name = p.name
        if name.startswith(("~$", ".~lock", ".")) or name.lower().endswith(OUTPUT_SUFFIX):
            return False
        return p.resolve() not in skipped

    for item in inputs:
        p = Path(item)
        if p.is_dir():  # the folder, and the round folders 'lan-N' a split made in it
            rounds = sorted(c for c in p.glob(f"{L.ROUND_PREFIX}*") if c.is_dir()
                            and c.name[len(L.ROUND_PREFIX):].isdigit())
            for folder in (p, *rounds):
                for child in sorted(folder.iterdir()):
                    if (child.is_file() and child.suffix.lower() in RETURNED_SUFFIXES
                            and wanted(child)):
                        files.setdefault(child, None)
                if (folder / L.MANIFEST_NAME).is_file():
                    manifests.setdefault(folder / L.MANIFEST_NAME, None)
        elif p.suffix.lower() == ".json":
            manifests.setdefault(p, None)
        else:
            if p.resolve() not in skipped:
                files.setdefault(p, None)
            if (p.parent / L.MANIFEST_NAME).is_file():
                manifests.setdefault(p.parent / L.MANIFEST_NAME, None)
    unique: dict[Path, Path] = {}
    for f in files:
        unique.setdefault(f.resolve(), f)
    return list(unique.values()), list(manifests)


def _try_read_returned(path: Path, password: str | None, tmp: str
                       ) -> ReturnedFile | NotAHamletFile:
    """read_returned for the thread pool: the refusal is returned, not raised."""
    try:
        return read_returned(path, password, tmp)
    except NotAHamletFile as exc:
        return exc


def _load_manifest(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("schema") != L.SCHEMA_MANIFEST:
        return None
    data["_path"] = str(path)
    return data


def _virtual_manifest(table: Table, split_id: str, all_records: bool,
                      today: _dt.date | None) -> dict[str, Any]:
    """What the split wrote, rebuilt from ORIGINAL when no manifest came back (the split id
    is a hash of ORIGINAL's bytes and the --all flag, so both are known)."""
    from vaxclean_xl.commands.split import group_by_hamlet
    from vaxclean_xl.commands.validate import validate_table

    result = validate_table(table, today)
    chosen = [r for r in result.records if all_records or r.has_error]
    groups = group_by_hamlet(chosen, result.hamlet_of)
    hamlets = [{"hamlet": h, "file": f"{L.file_stem('' if h == NO_HAMLET else h)}.xlsx",
                "records": [{"key": L.make_key(split_id, r.row), "row": r.row}
                            for r in groups[h]]}
               for h in sorted(groups, key=hamlet_order)]
    return {"schema": L.SCHEMA_MANIFEST, "split_id": split_id, "hamlets": hamlets}


# --------------------------------------------------------------------------- matching


@dataclass(slots=True)
class _Incoming:
    """A returned file accepted for this split, and what the merge learns about it."""

    file: ReturnedFile
    result: FileResult
    hamlet: str
    entry: dict[str, Any] | None  # its hamlet in the manifest (None: unknown)


@dataclass(slots=True)
class _Proposal:
    value: object  # as typed
    text: str  # as MERGED would write it (new_text)
    file_index: int  # position in the sorted processing order
    hamlet: str
    file: str
    file_row: int
    how: str  # "key" | FALLBACK_REASON
    verdict: str = ""  # police proposals: "Sai" (a correct value) | "Đúng" (a confirmation)


@dataclass(slots=True)
class _Gathered:
    """Everything the returned files say, before deciding what to apply."""

    proposals: dict[tuple[int, str], list[_Proposal]] = field(default_factory=dict)
    notes: dict[int, list[tuple[str, str]]] = field(default_factory=dict)
    added: list[dict[str, Any]] = field(default_factory=list)
    missing: list[dict[str, Any]] = field(default_factory=list)
    original_edits: list[dict[str, Any]] = field(default_factory=list)


def _source_values(table: Table) -> dict[int, dict[str, object]]:
    cols = table.columns
    out: dict[int, dict[str, object]] = {}
    for row, values in table.rows:
        n = len(values)
        out[row] = {f: (values[c] if c < n else None) for f, c in cols.items()}
    return out


def _agrees(row: ReturnedRow | P.PoliceRow, src: dict[str, object]) -> bool:
    """The row's original values still describe this source record (at most one of name,
    date of birth and ID differs): a key copied onto another person's row does not."""
    orig: Mapping[str, object] = row.orig
    diffs = 0
    for f in MATCH_FIELDS:
        a = orig.get(f, _ABSENT)
        b = src.get(f, _ABSENT)
        if a is _ABSENT or b is _ABSENT or (a == b and a.__class__ is b.__class__):
            continue  # (the common case, decided without a call)
        if not _same_ident(f, a, b):
            diffs += 1
    return diffs < 2


def _same_ident(field_name: str, a: object, b: object) -> bool:
    if a == b and type(a) is type(b):
        return True  # the common case: the printed original is the source cell
    if isinstance(a, str) and isinstance(b, str) and a.strip() == b.strip():
        return True
    if _date_as_text(a, b):
        return True
    return _ident_part(field_name, a) == _ident_part(field_name, b)


def _ident(values: dict[str, object], fields: tuple[str, ...]) -> tuple[str, ...] | None:
    ident = tuple(_ident_part(f, values.get(f)) for f in fields)
    return ident if ident and ident[0] else None


PAIR_FIELDS: tuple[str, ...] = ("full_name", "dob", "id_number", "phone")


class _ByValues:
    """Rows whose key does not place them, matched on their original values: first on name +
    date of birth + ID together (a record each, in order), then on any two of name, date of
    birth, ID and phone whose values are unique in the returned file and agree with exactly
    one record not yet claimed (a name wiped along with the key must not turn a record into
    one "added" and one "missing"); pairs that point at different records match nothing."""

    def __init__(self, source: dict[int, dict[str, object]], candidates: Iterable[int],
                 present: Iterable[str], file_origs: list[Mapping[str, object]]) -> None:
        have = set(present)
        fields = tuple(f for f in MATCH_FIELDS if f in have)
        self.triple = fields if fields and fields[0] == "full_name" else ()
        self.pairs = list(combinations([f for f in PAIR_FIELDS if f in have], 2))
        self.taken: set[int] = set()
        self.index: dict[tuple[str, ...], list[int]] = {}
        self.pair_index: dict[tuple[str, str], dict[tuple[str, str], list[int]]] = {}
        self.in_file: dict[tuple[str, str], Counter[tuple[str, str]]] = {}
        rows = [r for r in candidates if r in source]
        if not rows:
            return
        for r in rows:
            ident = _ident(source[r], self.triple) if self.triple else None
            if ident:
                self.index.setdefault(ident, []).append(r)
        for pair in self.pairs:
            idx: dict[tuple[str, str], list[int]] = {}
            for r in rows:
                key = _pair_ident(source[r], pair)
                if key:
                    idx.setdefault(key, []).append(r)
            self.pair_index[pair] = idx
            self.in_file[pair] = Counter(k for o in file_origs if (k := _pair_ident(o, pair)))

    def match(self, pending: list[tuple[Any, str]]) -> list[tuple[Any, str, int | None, str]]:
        """(row, why it had no key match, source row or None, how it matched), in order."""
        out: list[tuple[Any, str, int | None, str]] = []
        for row, why in pending:  # every row's full identity first: the strongest evidence
            ident = _ident(row.orig, self.triple) if self.triple else None
            hits = self.index.get(ident, []) if ident else []
            hits[:] = [r for r in hits if r not in self.taken]
            hit = hits.pop(0) if hits else None
            if hit is not None:
                self.taken.add(hit)
            out.append((row, why, hit, FALLBACK_REASON))
        for n, (row, why, hit, _how) in enumerate(out):
            if hit is None and self.pair_index:
                found = self._by_two(row.orig)
                if found is not None:
                    self.taken.add(found[0])
                    out[n] = (row, why, found[0], found[1])
        return out

    def _by_two(self, orig: Mapping[str, object]) -> tuple[int, str] | None:
        hits: dict[int, list[tuple[str, str]]] = {}
        for pair, idx in self.pair_index.items():
            key = _pair_ident(orig, pair)
            if not key or self.in_file[pair][key] != 1:
                continue  # blank, or shared by two rows of the file: not evidence
            free = [r for r in idx.get(key, ()) if r not in self.taken]
            if len(free) == 1:
                hits.setdefault(free[0], []).append(pair)
        if len(hits) != 1:
            return None
        ((row, pairs),) = hits.items()
        shown = sorted({f for pair in pairs for f in pair}, key=PAIR_FIELDS.index)
        return row, (f"khóa hỏng, khớp theo "
                     f"{' + '.join(FIELD_LABEL_VI[f].lower() for f in shown)}")


def _pair_ident(values: Mapping[str, object], pair: tuple[str, str]) -> tuple[str, str] | None:
    a, b = (_phone_part(values.get(f)) if f == "phone" else _ident_part(f, values.get(f))
            for f in pair)
    return (a, b) if a and b else None


def _phone_part(value: object) -> str:
    """A phone number's identity: its digits without a country code or leading zeros."""
    digits = "".join(ch for ch in cell_text(value) if ch.isdigit())
    if digits.startswith("84") and len(digits) >= 11:
        digits = digits[2:]
    return digits.lstrip("0")


@dataclass(slots=True)
class _FileMatch:
    matched: dict[int, list[tuple[ReturnedRow, str]]]  # source row -> [(row, how)]
    added: list[tuple[ReturnedRow, str]]  # (row, why it matched no record)


def _match_file(rf: ReturnedFile, accepted: set[str], source: dict[int, dict[str, object]],
                expected: list[int] | None) -> _FileMatch:
    """Rows to records: by intact key whose original values agree, else by the original
    values (name + date of birth + ID) among the file's unclaimed records; the rest are
    people the hamlet added (never dropped)."""
    matched: dict[int, list[tuple[ReturnedRow, str]]] = {}
    pending: list[tuple[ReturnedRow, str]] = []  # (row, why it is not matched by its key)
    for row in rf.rows:
        k = row.key
        if k and k[0] in accepted and k[1] in source:
            if _agrees(row, source[k[1]]):
                matched.setdefault(k[1], []).append((row, "key"))
            else:
                pending.append((row, f"mã bản ghi chỉ dòng {k[1]} nhưng họ tên/ngày sinh/số "
                                     "CCCD gốc đã bị sửa: không chắc là cùng người"))
        elif row.key_text:
            pending.append((row, "khóa hỏng, không tìm thấy người trong danh sách gốc"))
        else:
            pending.append((row, "người mới (không có khóa)"))
    by_values = _ByValues(source, (r for r in (expected if expected is not None
                                               else sorted(source)) if r not in matched),
                          rf.has_orig, [r.orig for r in rf.rows])
    added: list[tuple[ReturnedRow, str]] = []
    signed = False  # below the signature block, a lone name is a signer, not a person
    for row, why, hit, how in by_values.match(pending):
        if hit is not None:
            matched.setdefault(hit, []).append((row, how))
        elif is_signature(row):
            signed = True
        elif signed and lone_name(row):
            pass
        elif (row.note or row.extra
              or any(not blank(v) for v in (*row.orig.values(), *row.corr.values()))):
            added.append((row, why))  # (a lone key with nothing typed is dropped)
    return _FileMatch(matched, added)


def _gather(incoming: list[_Incoming], accepted: set[str], table: Table,
            source: dict[int, dict[str, object]]) -> _Gathered:
    """Walk the accepted files in their sorted order and collect proposals, notes, added
    people, missing records and edits made in the original columns."""
    g = _Gathered()
    for i, inc in enumerate(incoming):
        rf, fr, hamlet, name = inc.file, inc.result, inc.hamlet, inc.file.path.name
        expected = [int(r["row"]) for r in inc.entry["records"]] if inc.entry else None
        fm = _match_file(rf, accepted, source, expected)
        fr.records = len(fm.matched)
        for src_row, hits in sorted(fm.matched.items()):
            src = source[src_row]
            if len(hits) > 1:
                fr.duplicate_rows.extend(r.file_row for r, _how in hits[1:])
            for row, how in hits:
                if how != "key":
                    fr.by_values.append(row.file_row)
                    log_line(f"merge file={name} file_row={row.file_row} row={src_row}: {how}")
                unusable: list[str] = []
                corr = row.corr
                typed = False  # (most rows: nothing typed)
                for v in corr.values():
                    if v is not None and v != "":
                        typed = True
                        break
                for f in CORRECTABLE if typed else ():
                    value = corr.get(f)
                    if blank(value) or same_value(f, value, src.get(f)):
                        continue
                    if f not in table.columns:  # ORIGINAL has no such column: keep as a note
                        unusable.append(f"{L.CORR_HEADERS[f]}: {show(f, value)}")
                        continue
                    g.proposals.setdefault((src_row, f), []).append(_Proposal(
                        value, new_text(f, value), i, hamlet, name, row.file_row, how))
                for f, value in row.orig.items():
                    sv = src.get(f, _ABSENT)
                    if sv is _ABSENT or (value == sv and value.__class__ is sv.__class__):
                        continue  # (most cells: the printed original is the source cell)
                    if (not blank(value) and not same_value(f, value, sv)
                            and not (f == "id_number"  # a lost leading zero is Excel's doing
                                     and _ident_part(f, value) == _ident_part(f, src[f]))):
                        g.original_edits.append({
                            "row": src_row, "field": f, "value": show(f, value),
                            "original": show(f, src[f]), "file": name, "hamlet": hamlet,
                            "file_row": row.file_row})
                if row.note or row.extra or unusable:
                    texts = [row.note] if row.note else []
                    texts += [f"{h}: {v}" for h, v in row.extra.items()] + unusable
                    g.notes.setdefault(src_row, []).append((hamlet, "; ".join(texts)))
        fr.by_values.sort()
        fr.duplicate_rows.sort()
        for row, reason in fm.added:
            values = {L.ORIG_HEADERS[f]: show(f, v) for f, v in row.orig.items() if not blank(v)}
            values.update({L.CORR_HEADERS[f]: show(f, v) for f, v in row.corr.items()
                           if not blank(v)})
            if row.note:
                values[L.NOTE_HEADER] = row.note
            values.update(row.extra)
            if row.key_text:
                values[L.KEY_HEADER] = row.key_text
            g.added.append({"file": name, "hamlet": hamlet, "file_row": row.file_row,
                            "values": values, "reason": reason})
        for r in sorted(set(expected or ()) - set(fm.matched)):
            if r in source:
                g.missing.append({"row": r, "file": name, "hamlet": hamlet,
                                  **{f: show(f, source[r].get(f)) for f in MATCH_FIELDS}})
    return g


# --------------------------------------------------------------------------- police lists


@dataclass(slots=True)
class _PoliceIncoming:
    """A returned police list accepted for ORIGINAL."""

    file: P.PoliceFile
    result: FileResult
    ids: set[str]  # list ids whose keys point at ORIGINAL's rows


@dataclass(slots=True)
class _PoliceGathered:
    """What the police lists say: per-cell values, and the rows by verdict."""

    proposals: dict[tuple[int, str], list[_Proposal]] = field(default_factory=dict)
    verified: int = 0
    corrected: int = 0
    unresolved: list[dict[str, Any]] = field(default_factory=list)
    not_verified: list[dict[str, Any]] = field(default_factory=list)
    unmatched: list[dict[str, Any]] = field(default_factory=list)
    notes: dict[int, list[tuple[str, str]]] = field(default_factory=dict)  # typed by police
    remarks: dict[int, list[tuple[str, str]]] = field(default_factory=dict)  # the merge's


def _read_police(path: Path) -> P.PoliceFile | None:
    """The file as a police list, or None when it is not one."""
    try:
        return P.read_police_file(path)
    except P.NotAPoliceList:
        return None


def _police_source_ok(pf: P.PoliceFile, source_sha: str) -> bool | None:
    """Whether the police list was made from ORIGINAL: by its meta sheet's source hash,
    else (meta lost) by the list id of its keys; None when neither is known."""
    sha = pf.meta.get("source_sha256", "").strip().lower()
    if sha:
        return sha == source_sha
    list_id = pf.list_id
    return None if list_id is None else list_id == P.list_id_for(source_sha)


def _police_refusal(pf: P.PoliceFile, original: Path, known: bool | None) -> str:
    if known is None:
        return ("Không xác định được danh sách công an này được lập từ tệp nào (mất trang "
                "«vaxclean» và cột «Mã bản ghi»); chạy lại với --force nếu chắc chắn.")
    made_from = pf.meta.get("source_file", "").strip()
    where = f"từ tệp «{made_from}»" if made_from else "từ một danh sách khác"
    return (f"Danh sách công an này được lập {where}, không phải từ danh sách gốc "
            f"«{original.name}» (mã kiểm tra khác): hãy gộp vào đúng tệp đã dùng để lập danh "
            "sách công an (thường là tệp đã gộp từ các thôn), hoặc chạy lại với --force nếu "
            "chắc chắn.")


def _match_police(pf: P.PoliceFile, ids: set[str], source: dict[int, dict[str, object]]
                  ) -> tuple[dict[int, list[tuple[P.PoliceRow, str]]],
                             list[tuple[P.PoliceRow, str]]]:
    """Police rows to records: by intact key whose printed values agree with ORIGINAL, else
    by the printed values (name + date of birth + ID) among the records no key claimed.
    Returns (source row -> [(row, how)], rows matching no record with the reason)."""
    matched: dict[int, list[tuple[P.PoliceRow, str]]] = {}
    pending: list[tuple[P.PoliceRow, str]] = []
    for row in pf.rows:
        k = row.key
        if k and k[0] in ids and k[1] in source:
            if _agrees(row, source[k[1]]):
                matched.setdefault(k[1], []).append((row, "key"))
            else:
                pending.append((row, f"mã bản ghi chỉ dòng {k[1]} nhưng họ tên/ngày sinh/số "
                                     "CCCD không khớp danh sách gốc: không chắc là cùng người"))
        elif k:
            pending.append((row, "mã bản ghi của một danh sách khác"))
        elif row.key_text:
            pending.append((row, "khóa hỏng, không tìm thấy người trong danh sách gốc"))
        else:
            pending.append((row, "không có mã bản ghi"))
    unmatched: list[tuple[P.PoliceRow, str]] = []
    if not pending:
        return matched, unmatched
    by_values = _ByValues(source, (r for r in sorted(source) if r not in matched),
                          {f for kind, f in pf.columns if kind == "orig"},
                          [r.orig for r in pf.rows])
    for row, why, hit, how in by_values.match(pending):
        if hit is not None:
            matched.setdefault(hit, []).append((row, how))
        else:
            unmatched.append((row, why))
    return matched, unmatched


def _gather_police(incoming: list[_PoliceIncoming], table: Table,
                   source: dict[int, dict[str, object]]) -> _PoliceGathered:
    """Walk the accepted police lists in their sorted order: a "Sai" row's correct values
    become police proposals, a "Đúng" row confirms the values the police saw (proposals of
    the current value, so that a hamlet proposal for them is overruled), "Sai" without any
    correct value is unresolved, a blank (or unreadable) result is not verified."""
    g = _PoliceGathered()
    for i, inc in enumerate(incoming):
        pf, fr, name = inc.file, inc.result, inc.file.path.name
        matched, unmatched = _match_police(pf, inc.ids, source)
        fr.records = len(matched)
        tally: Counter[str] = Counter()
        for src_row, hits in sorted(matched.items()):
            src = source[src_row]
            fr.duplicate_rows.extend(r.file_row for r, _how in hits[1:])
            for row, how in hits:
                if how != "key":
                    fr.by_values.append(row.file_row)
                    log_line(f"merge police file={name} file_row={row.file_row} "
                             f"row={src_row}: {how}")
                entry = {"row": src_row, "file": name, "file_row": row.file_row,
                         **{f: show(f, src.get(f)) for f in MATCH_FIELDS},
                         "hamlet": row.orig.get("hamlet", ""), "note": row.note}
                if row.note:
                    g.notes.setdefault(src_row, []).append((POLICE_LABEL, row.note))
                said: list[tuple[str, object, str]] = []  # (field, value, verdict)
                unusable = [f"{P.CORRECT_HEADERS[f]}: {v}" for f, v in row.correct.items()
                            if f not in table.columns]
                if row.verdict == "Đúng":
                    tally["verified"] += 1
                    for f in CORRECTABLE:
                        if (f in table.columns and not blank(src.get(f)) and f in row.orig
                                and same_value(f, row.orig[f], src.get(f))):
                            said.append((f, src.get(f), "Đúng"))
                    differing = [f"{P.CORRECT_HEADERS[f]}: {v}" for f, v in row.correct.items()
                                 if not same_value(f, v, src.get(f))]
                    if differing:
                        g.remarks.setdefault(src_row, []).append((POLICE_LABEL, (
                            "ghi «Đúng» nhưng có ghi thông tin khác (không áp dụng): "
                            + "; ".join(differing))))
                elif row.verdict == "Sai" and row.correct:
                    tally["corrected"] += 1
                    for f, value in row.correct.items():
                        if f in table.columns:
                            said.append((f, value, "Sai"))
                    if unusable:  # ORIGINAL has no such column: keep the value as a note
                        g.remarks.setdefault(src_row, []).append(
                            (POLICE_LABEL, "; ".join(unusable)))
                elif row.verdict == "Sai":
                    tally["unresolved"] += 1
                    g.unresolved.append(entry)
                    g.remarks.setdefault(src_row, []).append(
                        (POLICE_LABEL, "«Sai» nhưng chưa ghi thông tin đúng: cần xác minh thêm"))
                else:
                    tally["not_verified"] += 1
                    g.not_verified.append({**entry, "result_text": row.verdict_text,
                                           "correct": dict(row.correct)})
                    if row.correct:  # values without a verdict: shown, not applied
                        g.remarks.setdefault(src_row, []).append((POLICE_LABEL, (
                            "có ghi thông tin đúng nhưng chưa ghi kết quả «Đúng»/«Sai» (chưa "
                            "áp dụng): " + "; ".join(f"{P.CORRECT_HEADERS[f]}: {v}"
                                                      for f, v in row.correct.items()))))
                for f, value, verdict in said:
                    g.proposals.setdefault((src_row, f), []).append(_Proposal(
                        value, new_text(f, value), i, POLICE_LABEL, name, row.file_row, how,
                        verdict))
        for row, why in unmatched:
            tally["unmatched"] += 1
            g.unmatched.append({"file": name, "file_row": row.file_row, "key": row.key_text,
                                "verdict": row.verdict or "", "result_text": row.verdict_text,
                                "values": {f: v for f, v in row.orig.items() if v},
                                "correct": dict(row.correct), "note": row.note,
                                "reason": why})
        g.verified += tally["verified"]
        g.corrected += tally["corrected"]
        fr.by_values.sort()
        fr.duplicate_rows.sort()
        parts = [f"Đúng: {tally['verified']}", f"Sai đã ghi thông tin đúng: {tally['corrected']}",
                 f"Sai chưa ghi thông tin đúng: {tally['unresolved']}",
                 f"chưa ghi kết quả: {tally['not_verified']}"]
        if fr.by_values:
            parts.append(f"{len(fr.by_values)} dòng {FALLBACK_REASON}")
        if tally["unmatched"]:
            parts.append(f"{tally['unmatched']} dòng không khớp được với danh sách gốc")
        fr.reason = "; ".join(filter(None, [fr.reason, ", ".join(parts)]))
    return g


def _distinct(f: str, props: list[_Proposal]) -> list[_Proposal]:
    distinct: list[_Proposal] = []
    for p in props:
        if not any(same_value(f, p.value, d.value) for d in distinct):
            distinct.append(p)
    return distinct


def _decide(proposals: dict[tuple[int, str], list[_Proposal]],
            source: dict[int, dict[str, object]],
            police: dict[tuple[int, str], list[_Proposal]] | None = None,
            ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[tuple[int, str], object],
                       list[dict[str, Any]]]:
    """One distinct proposal for a cell is a change; several are a conflict and the
    original value stays. The police's value for a cell wins over the hamlets' (each hamlet
    proposal that differs from it is overruled); two different police values for one cell
    are a conflict. Returns (changes, conflicts, new cell values, overruled), sorted by
    (row, field)."""
    police = police or {}
    changes: list[dict[str, Any]] = []
    conflicts: list[dict[str, Any]] = []
    overruled: list[dict[str, Any]] = []
    new_values: dict[tuple[int, str], object] = {}

    def order(p: _Proposal) -> tuple[int, int]:
        return (p.file_index, p.file_row)

    def listed(props: list[_Proposal]) -> list[dict[str, Any]]:
        return [{"value": p.text, "file": p.file, "hamlet": p.hamlet, "file_row": p.file_row}
                for p in props]

    for (src_row, f) in sorted({*proposals, *police}, key=lambda k: (k[0], _field_rank(k[1]))):
        props = sorted(proposals.get((src_row, f), ()), key=order)
        pols = sorted(police.get((src_row, f), ()), key=order)
        current = source[src_row].get(f)
        old = show(f, current)
        if pols:
            distinct = _distinct(f, pols)
            if len(distinct) > 1:
                conflicts.append({"row": src_row, "field": f, "old": old, "kind": "police",
                                  "proposals": listed(pols + props)})
                continue
            p = distinct[0]
            if not same_value(f, p.value, current):
                new_values[(src_row, f)] = _new_value(f, p.value, current)
                changes.append({"row": src_row, "field": f, "old": old, "new": p.text,
                                "file": p.file, "hamlet": p.hamlet, "file_row": p.file_row,
                                "match": p.how})
            for h in props:
                if not same_value(f, h.value, p.value):
                    overruled.append({
                        "row": src_row, "field": f, "old": old, "hamlet_value": h.text,
                        "police_value": p.text, "hamlet_file": h.file, "hamlet": h.hamlet,
                        "hamlet_file_row": h.file_row, "police_file": p.file,
                        "police_file_row": p.file_row, "verdict": p.verdict})
            continue
        distinct = _distinct(f, props)
        if len(distinct) == 1:
            p = distinct[0]
            new_values[(src_row, f)] = _new_value(f, p.value, current)
            changes.append({"row": src_row, "field": f, "old": old, "new": p.text,
                            "file": p.file, "hamlet": p.hamlet, "file_row": p.file_row,
                            "match": p.how})
        else:
            kind = "duplicate_key" if len({p.file_index for p in props}) == 1 else "files"
            conflicts.append({"row": src_row, "field": f, "old": old, "kind": kind,
                              "proposals": listed(props)})
    return changes, conflicts, new_values, overruled


def _blamed(rec: Record, f: str) -> list[Finding]:
    """The record's errors that blame field ``f`` (as the field checked or a cell that
    shares the blame, e.g. the sex cell of a sex-digit mismatch)."""
    return [x for x in rec.findings
            if x.severity is Severity.ERROR and (x.field == f or f in x.also)]


def _invalid_corrections(changed: list[int], fresh: list[Record], before: list[Record],
                         new_values: dict[tuple[int, str], object]
                         ) -> dict[tuple[int, str], list[Finding]]:
    """Changes that make a cell fail a rule its original value passed, or passed once the
    rule's certain fix is made (a shorter ID typed over one whose lost zero was certain):
    (row, field) -> the new value's errors."""
    held: dict[tuple[int, str], list[Finding]] = {}
    for i, rec in zip(changed, fresh, strict=True):
        old = before[i]
        for (row, f) in ((rec.row, f) for f in CORRECTABLE if (rec.row, f) in new_values):
            errs = _blamed(rec, f)
            if not errs:
                continue
            was = _blamed(old, f)
            if not was or all(x.suggestion for x in was):
                held[(row, f)] = errs
    return held


def _hold_back(held: dict[tuple[int, str], list[Finding]],
               new_values: dict[tuple[int, str], object], changes: list[dict[str, Any]],
               overruled: list[dict[str, Any]],
               proposals: list[dict[tuple[int, str], list[_Proposal]]],
               rejected: list[dict[str, Any]]) -> None:
    """Keep the original value of each held cell and list the pair as rejected (with the
    other proposals for the cell, e.g. the hamlet values the police value overruled)."""
    for key, errs in held.items():
        new_values.pop(key, None)
        ch = next(c for c in changes if (c["row"], c["field"]) == key)
        changes.remove(ch)
        others = [{"value": p.text, "hamlet": p.hamlet, "file": p.file, "file_row": p.file_row}
                  for by_cell in proposals for p in by_cell.get(key, ())
                  if not (p.file == ch["file"] and p.file_row == ch["file_row"])]
        overruled[:] = [o for o in overruled if (o["row"], o["field"]) != key]
        rejected.append({**ch, "codes": sorted({x.code for x in errs}),
                         "messages": [x.message for x in errs], "others": others,
                         "applied": False})
        log_line(f"merge row={key[0]} field={key[1]}: correction held back "
                 f"({','.join(sorted({x.code for x in errs}))})")


def _apply(table: Table, new_values: dict[tuple[int, str], object]
           ) -> tuple[list[tuple[int, list]], list[int]]:
    """Every record row with the changes applied, and the positions of the changed rows."""
    fixes: dict[int, dict[str, object]] = {}
    for (src_row, f), v in new_values.items():
        fixes.setdefault(src_row, {})[f] = v
    rows = list(table.rows)
    changed: list[int] = []
    for i, (row, values) in enumerate(rows):
        if row in fixes:
            values = list(values)
            for f, v in fixes[row].items():
                c = table.columns[f]
                values.extend([None] * (c + 1 - len(values)))
                values[c] = v
            rows[i] = (row, values)
            changed.append(i)
    return rows, changed


def _choose_split(manifest_paths: list[Path], readable: list[ReturnedFile], table: Table,
                  source: dict[int, dict[str, object]], source_sha: str, force: bool,
                  today: _dt.date | None) -> tuple[dict[str, dict[str, Any]], bool, list[str]]:
    """The accepted split ids with their manifest (real, or rebuilt from ORIGINAL), whether
    ORIGINAL is exactly the list that was split, and the manifest paths used."""
    manifests = [m for m in (_load_manifest(p) for p in manifest_paths) if m]
    ours = [m for m in manifests if m.get("source", {}).get("sha256") == source_sha]
    matches = bool(ours)
    if manifests and not ours:
        if not force:
            raise MergeError(
                "Danh sách gốc đã thay đổi kể từ khi chia tệp cho các thôn (mã kiểm tra khác "
                "với manifest.json của lần chia): hãy gộp vào đúng tệp đã dùng để chia, hoặc "
                "chạy lại với --force nếu chắc chắn.", code=E.SOURCE_CHANGED)
        ours = manifests
    paths = [m["_path"] for m in ours]
    if ours:
        return {m["split_id"]: m for m in ours}, matches, paths
    derived = {L.split_id_for(source_sha, flag, n): flag for flag in (False, True)
               for n in range(1, L.MAX_ROUNDS + 1)}  # every round of either kind of split
    present = {rf.split_id for rf in readable if rf.split_id}
    by_id = {sid: _virtual_manifest(table, sid, derived[sid], today)
             for sid in sorted(present & set(derived))}
    if by_id:
        return by_id, True, paths
    sid = _supported_split(readable, source)
    return ({sid: {"split_id": sid, "hamlets": None}} if sid else {}), False, paths


# --------------------------------------------------------------------------- the merge


def merge_files(
    original: str | Path,
    returned: Sequence[str | Path],
    output: str | Path | None = None,
    report: str | Path | None = None,
    *,
    today: _dt.date | None = None,
    force: bool = False,
    password: str | None = None,
    accept: Iterable[tuple[int, str]] = (),
    sheet: str | None = None,
    mapping: dict[str, str] | None = None,
) -> MergeOutcome:
    """Apply the corrections of the returned hamlet files and the police's returned list to
    ORIGINAL and write MERGED (default '<stem>.gop.xlsx' beside ORIGINAL) and, if asked, the
    JSON report. A correction that would make a valid value invalid is held back (listed
    as ``rejected``) unless its (row, field) is in ``accept``. ``sheet`` and ``mapping``
    say how to read ORIGINAL, as for validate and split.

    ``returned`` holds files and/or folders (and optionally the split's manifest.json); a
    police list among them is recognised by its meta sheet or headers. Raises
    :class:`InputError`/:class:`MergeError` (exit 2) when ORIGINAL is unreadable, no
    returned file is usable, or the split's manifest names another list (unless ``force``).
    """
    # millions of cells, rows and records, and no cycles among them; MERGED and the JSON
    # are written both or neither (exit 2 leaves nothing behind)
    with gc_paused(), output_batch() as batch:
        return _merge_files(original, returned, output, report, today=today, force=force,
                            password=password, accept=set(accept), batch=batch,
                            sheet=sheet, mapping=mapping)


def _merge_files(original: str | Path, returned: Sequence[str | Path],
                 output: str | Path | None, report: str | Path | None, *,
                 today: _dt.date | None, force: bool, password: str | None,
                 accept: set[tuple[int, str]], batch: OutputBatch,
                 sheet: str | None = None,
                 mapping: dict[str, str] | None = None) -> MergeOutcome:
    today = today or _dt.date.today()  # one date for every check, even across midnight
    original = Path(original)
    out = Path(output) if output else original.with_name(original.stem + OUTPUT_SUFFIX)
    rep = Path(report) if report else None
    files, manifest_paths = collect_returned(
        returned, skip=[original, out] + ([rep] if rep else []))
    for target in (out, rep):
        if target is not None:
            refuse_same_file(target, original, *files)
    if not files:
        raise MergeError("Không tìm thấy tệp trả về nào (.xlsx, .xlsm, .xls, .ods) để gộp.",
                         code=E.NOTHING_RETURNED)
    out_tmp = batch.path(out)  # checked before the long part, renamed at the very end
    rep_tmp = batch.path(rep) if rep is not None else None
    # --- read ORIGINAL and every returned file (a hamlet file, else a police list) on a
    # few threads: calamine parses without the GIL, so the files are read side by side
    refused: list[FileResult] = []
    readable: list[ReturnedFile] = []
    police_read: list[P.PoliceFile] = []
    with (tempfile.TemporaryDirectory(prefix="vaxclean-merge-") as tmp,
          ThreadPoolExecutor(max_workers=READ_THREADS) as pool):
        table_job = pool.submit(read_table, original, sheet=sheet, mapping=mapping)
        sha_job = pool.submit(L.sha256_file, original)
        jobs = [pool.submit(_try_read_returned, path, password, tmp) for path in files]
        try:
            table = table_job.result()
            # ORIGINAL's records are checked while the other threads read: after the merge
            # only the changed rows are checked again (the list-level checks run once, at
            # the end)
            checked = check_rows(table.rows, table.columns, name_fonts=table.name_fonts,
                                 today=today)
            source = _source_values(table)
            source_sha = sha_job.result()
            for path, job in zip(files, jobs, strict=True):
                rf_or_exc = job.result()
                if isinstance(rf_or_exc, ReturnedFile):
                    readable.append(rf_or_exc)
                    continue
                pf = _read_police(path) if path.is_file() else None
                if pf is not None:
                    police_read.append(pf)
                    continue
                sha = L.sha256_file(path) if path.is_file() else ""
                refused.append(FileResult(path, sha, "refused", rf_or_exc.message))
        except BaseException:  # stop: do not read the files still queued before saying so
            for job in jobs:
                job.cancel()
            raise
    if readable or not police_read:
        by_id, source_matches, manifests_used = _choose_split(
            manifest_paths, readable, table, source, source_sha, force, today)
    else:  # only police lists: the split (and its manifest) is not this merge's business
        by_id, source_matches, manifests_used = {}, True, []
    accepted = set(by_id)
    entries = [(sid, e) for sid, m in sorted(by_id.items()) for e in m.get("hamlets") or []]
    incoming: list[_Incoming] = []
    for rf in readable:
        fr = FileResult(rf.path, rf.sha256, "refused", split_id=rf.split_id,
                        hamlet=rf.meta.get("hamlet", ""), sheet=rf.sheet)
        if rf.split_id is None:
            fr.reason = ("Không xác định được tệp thuộc lần chia nào (mất trang «vaxclean» và "
                         "cột «Mã bản ghi»).")
        elif rf.split_id not in accepted:
            fr.reason = (f"Tệp thuộc một lần chia khác (mã {rf.split_id}; lần chia của danh "
                         f"sách này: {', '.join(sorted(accepted)) or '?'}), không gộp.")
        else:
            entry = _entry_for(rf, entries)
            fr.hamlet = rf.meta.get("hamlet") or (entry or {}).get("hamlet") or ""
            fr.status = "merged"
            incoming.append(_Incoming(rf, fr, fr.hamlet, entry))
            continue
        refused.append(fr)
    own_list_id = P.list_id_for(source_sha)
    police_in: list[_PoliceIncoming] = []
    for pf in police_read:
        fr = FileResult(pf.path, pf.sha256, "refused", kind="police", hamlet=POLICE_LABEL,
                        split_id=pf.list_id, sheet=pf.sheet)
        ok = _police_source_ok(pf, source_sha)
        if ok or force:
            fr.status = "merged"
            if not ok:
                fr.reason = "lập từ danh sách khác, vẫn gộp vì --force"
            police_in.append(_PoliceIncoming(
                pf, fr, {own_list_id} | ({pf.list_id} if pf.list_id else set())))
        else:
            fr.reason = _police_refusal(pf, original, ok)
            refused.append(fr)
    if not incoming and not police_in:
        reasons = "; ".join(f"«{r.path.name}»: {r.reason}" for r in refused)
        raise MergeError(f"Không có tệp trả về nào gộp được. {reasons}", code=E.NOTHING_MERGEABLE)
    incoming.sort(key=lambda x: (hamlet_order(x.hamlet), x.file.sha256, x.file.path.name))
    police_in.sort(key=lambda x: (x.file.sha256, x.file.path.name))
    # a hamlet has returned its file when a file of any round of the split came back
    covered = {L.hamlet_key(e.get("hamlet", "")) for x in incoming
               for e in ([x.entry] if x.entry is not None else [])}
    not_returned = []
    for _sid, e in entries:
        hk = L.hamlet_key(e.get("hamlet", ""))
        if hk not in covered:
            covered.add(hk)  # listed once, whatever the number of rounds
            not_returned.append(e)

    # --- gather, decide (the police win), apply, re-validate with the same rules as validate
    g = _gather(incoming, accepted, table, source)
    pg = _gather_police(police_in, table, source)
    changes, conflicts, new_values, overruled = _decide(g.proposals, source, pg.proposals)
    rejected: list[dict[str, Any]] = []
    while True:  # an invalid value never replaces a valid one: hold it back, check again
        merged_rows, changed = _apply(table, new_values)
        # a new name is typed in Unicode: the legacy font of the old cell no longer applies
        renamed = {r for r, f in new_values if f == "full_name"}
        fonts = {r: font for r, font in table.name_fonts.items() if r not in renamed}
        fresh = check_rows([merged_rows[i] for i in changed], table.columns, name_fonts=fonts,
                           today=today)
        held = _invalid_corrections(changed, fresh, checked, new_values)
        if not held.keys() - accept:
            break
        _hold_back({k: v for k, v in held.items() if k not in accept}, new_values, changes,
                   overruled, [g.proposals, pg.proposals], rejected)
    for i, rec in zip(changed, fresh, strict=True):
        checked[i] = rec
    for key in sorted(held.keys() & accept):  # applied because the station said so
        ch = next(c for c in changes if (c["row"], c["field"]) == key)
        rejected.append({**ch, "codes": sorted({x.code for x in held[key]}),
                         "messages": [x.message for x in held[key]], "others": [],
                         "applied": True})
    result = validate_records(checked, table.columns, today)
    # a list an earlier merge wrote (status block present) carries that merge's change log:
    # kept in MERGED's log, and the hamlet changes in it that the police reverse now are
    # overrides too, though the hamlet files were merged in another call
    status_col = existing_status_col(table, NOTE_STATUS_HEADER)
    earlier_log = read_change_log(original, table.source_format) if status_col is not None \
        else []
    if police_in and earlier_log:
        overruled += _overruled_earlier(changes, pg.proposals, earlier_log, source)
    records_in, records_out = len(table.rows), len(result.records)
    assert records_in == records_out, "merge must keep every record of the list"

    # --- report
    file_dicts = [x.result.as_dict() for x in incoming]
    file_dicts += [x.result.as_dict() for x in police_in]
    file_dicts += [r.as_dict() for r in sorted(refused, key=lambda r: (r.path.name, r.sha256))]
    notes = {r: list(v) for r, v in g.notes.items()}
    for r, v in pg.notes.items():
        notes.setdefault(r, []).extend(v)
    data: dict[str, Any] = {
        "schema": SCHEMA,
        "source": {"path": str(original), "sha256": source_sha, "sheet": table.sheet,
                   "header_row": table.header_row},
        "split_id": sorted(accepted),
        "source_matches_split": source_matches,
        "manifest": manifests_used,
        "missing_checked": bool(entries),  # False: no manifest, which rows each file held
        "output": str(out),                # is unknown, so nothing can be called missing
        "files": file_dicts,
        "changes": changes,
        "earlier_changes": [dataclasses.asdict(c) for c in earlier_log],
        "conflicts": conflicts,
        "rejected": sorted(rejected, key=lambda r: (r["row"], _field_rank(r["field"]))),
        "added": g.added,
        "missing": g.missing,
        "not_returned": [e.get("hamlet", "") for e in not_returned],
        "original_edits": g.original_edits,
        "notes": [{"row": r, "hamlet": h, "note": t} for r in sorted(notes)
                  for h, t in notes[r]],
        "police": {
            "files": [str(x.file.path) for x in police_in],
            "list_id": own_list_id,
            "verified": pg.verified,
            "corrected": pg.corrected,
            "changes": sum(1 for c in changes if c["hamlet"] == POLICE_LABEL),
            "unresolved": pg.unresolved,
            "not_verified": pg.not_verified,
            "unmatched": pg.unmatched,
            "overruled": overruled,
        },
        "summary": {
            "files": len(file_dicts), "refused": len(refused),
            "changes": len(changes), "conflicts": len(conflicts),
            "rejected": sum(1 for r in rejected if not r["applied"]), "added": len(g.added),
            "original_edits": len(g.original_edits),
            "missing": len(g.missing), "not_returned": len(not_returned),
            "records_in": records_in, "records_out": records_out,
            "police_files": len(police_in), "police_verified": pg.verified,
            "police_corrected": pg.corrected, "police_unresolved": len(pg.unresolved),
            "police_not_verified": len(pg.not_verified),
            "police_unmatched": len(pg.unmatched), "overruled": len(overruled),
        },
        "validation": result.summary(),
    }

    # --- MERGED: ORIGINAL's workbook with the new values, the validate annotations and the
    # merge's own sheets. A list that already carries the status columns of an earlier
    # merge (the police list is made from the hamlet-merged list) gets them rewritten in
    # place, the earlier notes kept, instead of a second, stale set.
    marks = list(_merge_marks(table, changes, conflicts, g.original_edits, overruled,
                              data["rejected"]))
    marks += cell_marks(dataclasses.replace(table, rows=merged_rows), result)
    earlier = _earlier_notes(table, status_col)
    for r, v in pg.remarks.items():
        notes.setdefault(r, []).extend(v)
    note_text = {r: _join_notes(v) for r, v in notes.items()}
    for r, text in earlier.items():
        note_text[r] = f"{text}\n{note_text[r]}" if note_text.get(r) else text
    status_rows = {rec.row: [*status_cells(rec), note_text.get(rec.row, "")]
                   for rec in result.records}
    sheets = _report_sheets(data, not_returned, earlier_log=earlier_log,
                            hamlets=bool(incoming or not police_in),
                            police=bool(police_in))
    _write_merged(table, out_tmp, header_row=table.header_row,
                  status_headers=[*STATUS_HEADERS, NOTE_STATUS_HEADER],
                  status_rows=status_rows, marks=marks, first_status_col=status_col,
                  values={(r, table.columns[f]): v for (r, f), v in new_values.items()},
                  summary=[summary_sheet(result), *sheets])
    if rep_tmp is not None:
        rep_tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n",
                           encoding="utf-8")
    s = data["summary"]
    log_line(f"merge files={s['files']} refused={s['refused']} changes={s['changes']} "
             f"conflicts={s['conflicts']} added={s['added']} missing={s['missing']} "
             f"not_returned={s['not_returned']} police_files={s['police_files']} "
             f"police_verified={s['police_verified']} "
             f"police_corrected={s['police_corrected']} "
             f"police_unresolved={s['police_unresolved']} "
             f"police_not_verified={s['police_not_verified']} overruled={s['overruled']} "
             f"records_in={records_in} records_out={records_out}")
    return MergeOutcome(table, result, out, rep, data)


def _earlier_notes(table: Table, status_col: int | None) -> dict[int, str]:
    """The notes an earlier merge wrote into the status block's note column, by row."""
    if status_col is None:
        return {}
    c = status_col + 3
    out: dict[int, str] = {}
    for row, values in table.rows:
        if c < len(values) and not blank(values[c]):
            out[row] = cell_text(values[c])
    return out


def _field_rank(f: str) -> int:
    return CORRECTABLE.index(f) if f in CORRECTABLE else len(CORRECTABLE)


def _supported_split(readable: list[ReturnedFile], source: dict[int, dict[str, object]]
                     ) -> str | None:
    """No manifest and ORIGINAL's bytes changed (re-saved): accept the split id whose keys
    point at rows whose original values still agree with ORIGINAL (80 % or more)."""
    score: dict[str, list[int]] = {}
    for rf in readable:
        if not rf.split_id:
            continue
        good = total = 0
        for row in rf.rows:
            if row.key and row.key[0] == rf.split_id:
                total += 1
                good += row.key[1] in source and _agrees(row, source[row.key[1]])
        s = score.setdefault(rf.split_id, [0, 0, 0])
        s[0] += 1 if total and good >= 0.8 * total else 0
        s[1] += good
        s[2] += total
    ok = sorted((-s[0], -s[1], sid) for sid, s in score.items() if s[0])
    return ok[0][2] if ok else None


def _entry_for(rf: ReturnedFile, entries: list[tuple[str, dict[str, Any]]]
               ) -> dict[str, Any] | None:
    """The manifest entry a returned file answers: by the file name the split wrote into
    its meta sheet, else by hamlet, else by where most of its keys belong."""
    mine = [e for sid, e in entries if sid == rf.split_id]
    name = rf.meta.get("file", "").casefold()
    hamlet = L.hamlet_key(rf.meta.get("hamlet", ""))
    for e in mine:
        if name and e.get("file", "").casefold() == name and (
                not hamlet or L.hamlet_key(e.get("hamlet", "")) == hamlet):
            return e
    for e in mine:
        if hamlet and L.hamlet_key(e.get("hamlet", "")) == hamlet:
            return e
    rows = Counter(r.key[1] for r in rf.rows if r.key and r.key[0] == rf.split_id)
    best, best_hits = None, 0
    for e in mine:
        hits = sum(rows[int(x["row"])] for x in e.get("records") or [])
        if hits > best_hits:
            best, best_hits = e, hits
    return best


def new_text(f: str, typed: object) -> str:
    """A correction as MERGED writes it: IDs as digit text (an ID typed as a number becomes
    its digits, an 11-digit one stays 11 digits for the rules to flag), dates dd/mm/yyyy, sex
    spelled Nam/Nữ (so 'nam' and 'Nam' from two files agree and write the same cell)."""
    if f == "sex" and parse_sex(typed):
        return SEX_LABEL[parse_sex(typed)]  # type: ignore[index]
    return show(f, typed)


def _new_value(f: str, typed: object, old: object) -> object:
    """The cell written into MERGED: :func:`new_text`, or a real date where the original
    cell held one."""
    text = new_text(f, typed)
    if f == "dob":
        d, _ = parse_date(text)
        if d is not None and isinstance(old, _dt.date):
            return _dt.datetime(d.year, d.month, d.day)
    return text


def _join_notes(items: list[tuple[str, str]]) -> str:
    """The note cell of a record: a single hamlet's note as written, else each note after
    who wrote it (the police's always, the column is called "Ghi chú của thôn")."""
    if len(items) == 1 and items[0][0] != POLICE_LABEL:
        return items[0][1]
    return "\n".join(f"{h}: {t}" for h, t in items)


def _merge_marks(table: Table, changes: list[dict[str, Any]], conflicts: list[dict[str, Any]],
                 original_edits: list[dict[str, Any]],
                 overruled: Sequence[dict[str, Any]] = (),
                 rejected: Sequence[dict[str, Any]] = ()):
    """Yellow marks: each applied change, each conflict, each edit made in an original
    column (not applied) and each hamlet proposal the police overruled, with a note saying
    what the hamlet (or the police) proposed."""
    from vaxclean_xl.io.xlsx_annotate import CellMark

    cols = table.columns
    for ch in changes:
        yield CellMark(ch["row"], cols[ch["field"]], "warning",
                       f"Cũ: {ch['old'] or '(trống)'} → Mới: {ch['new']} ({ch['hamlet']})")
    for co in conflicts:
        props = "; ".join(f"{p['hamlet']}: {p['value']}" for p in co["proposals"])
        yield CellMark(co["row"], cols[co["field"]], "warning",
                       f"Xung đột, giữ giá trị gốc. Đề nghị: {props}")
    for ed in original_edits:
        if ed["field"] in cols:
            yield CellMark(ed["row"], cols[ed["field"]], "warning",
                           f"{ed['hamlet']} đã sửa vào cột gốc thành «{ed['value']}» (chưa áp "
                           "dụng: cần ghi vào cột «(sửa)»)")
    for rj in rejected:
        if not rj["applied"]:
            yield CellMark(rj["row"], cols[rj["field"]], "warning",
                           f"{rj['hamlet']} đề nghị «{rj['new'] or '(trống)'}» nhưng giá trị này "
                           f"sai ({', '.join(rj['codes'])}): giữ giá trị gốc. Xem trang "
                           f"«{SHEET_REJECTED}».")
    for ov in overruled:
        yield CellMark(ov["row"], cols[ov["field"]], "warning",
                       f"{POLICE_LABEL} sửa lại đề nghị của {ov['hamlet']} "
                       f"«{ov['hamlet_value'] or '(trống)'}»: giữ «{ov['police_value']}»")


# --------------------------------------------------------------------------- writing MERGED


def _table_sheet(name: str, headers: list[str], rows: list[list[object]]):
    """One merge sheet: a header row in row 1 (frozen, with an autofilter), then the rows;
    whole numbers stay numbers, everything else is written as text."""
    from vaxclean_xl.io.xlsx_annotate import SummarySheet, SummaryTable

    def cell(v: object) -> str | int:
        if isinstance(v, int) and not isinstance(v, bool):
            return v
        return "" if v is None else str(v)

    return SummarySheet(name=name, title="", freeze_filter=True,
                        tables=[SummaryTable("", headers, [[cell(v) for v in r] for r in rows])])


@dataclass(frozen=True, slots=True)
class LoggedChange:
    """One row of the change log a merge wrote into MERGED (``SHEET_CHANGES``)."""

    row: int
    field: str
    old: str
    new: str
    file: str
    hamlet: str
    match: str
    round: int  # 1 for the first merge of the list, 2 for the merge of that output, ...


def change_log_sheets(names: Iterable[str]) -> list[str]:
    """The change-log sheets among ``names``, oldest first (a merged list merged again by an
    older version got "Nhật ký thay đổi (2)" and so on)."""
    found: list[tuple[int, str]] = []
    for name in names:
        m = _LOG_SHEET_RE.fullmatch(" ".join(cell_text(name).split()))
        if m:
            found.append((int(m.group(1) or 1), name))
    return [name for _n, name in sorted(found)]


_LOG_SHEET_RE = re.compile(re.escape(SHEET_CHANGES) + r"(?: \((\d+)\))?")


def read_change_log(path: str | Path, source_format: str = "xlsx") -> list[LoggedChange]:
    """The changes earlier merges logged in ``path`` (a merged list), oldest first, each
    once; [] when it has no log. Only the log sheets are read, never the list itself."""
    from vaxclean_xl.io.reader import iter_sheet_rows, sheet_names

    if source_format == "csv":
        return []
    field_of = {label: f for f, label in FIELD_LABEL_VI.items()}
    out: dict[LoggedChange, None] = {}
    for name in change_log_sheets(sheet_names(path)):
        cols: dict[str, int] | None = None
        for _n, values in iter_sheet_rows(path, name):
            texts = [cell_text(v) for v in values]
            if cols is None:
                if all(h in texts for h in CHANGE_HEADERS[:7]):
                    cols = {h: texts.index(h) for h in CHANGE_HEADERS if h in texts}
                continue
            got = {h: (texts[c] if c < len(texts) else "") for h, c in cols.items()}
            f = field_of.get(got["Trường"])
            if f is None or not got["Dòng"].isdigit():
                continue
            lan = got.get("Lần gộp", "")
            out.setdefault(LoggedChange(
                int(got["Dòng"]), f, got["Giá trị cũ"], got["Giá trị mới"], got["Tệp"],
                got["Thôn/xóm"], got["Cách khớp"], int(lan) if lan.isdigit() else 1), None)
    return sorted(out, key=lambda c: c.round)  # (stable: each sheet's own order kept)


def _overruled_earlier(changes: list[dict[str, Any]], police: dict[tuple[int, str],
                       list[_Proposal]], earlier_log: Sequence[LoggedChange],
                       source: dict[int, dict[str, object]]) -> list[dict[str, Any]]:
    """Hamlet changes an earlier merge applied that the police reverse now: the police's
    value for a cell differs from the value a hamlet's logged change put there (and which the
    list still holds). Found from the list's own change log, for the README's flow where the
    police list is merged in a later call than the hamlet files."""
    latest: dict[tuple[int, str], LoggedChange] = {}
    for c in earlier_log:
        if c.hamlet != POLICE_LABEL:
            latest[(c.row, c.field)] = c
    applied = {(c["row"], c["field"]): c for c in changes if c["hamlet"] == POLICE_LABEL}
    out: list[dict[str, Any]] = []
    for key, ch in sorted(applied.items(), key=lambda kv: (kv[0][0], _field_rank(kv[0][1]))):
        logged = latest.get(key)
        if logged is None or not same_value(key[1], logged.new, source[key[0]].get(key[1])):
            continue  # no hamlet change, or the list no longer holds it
        p = next((p for p in police.get(key, ()) if p.file == ch["file"]
                  and p.file_row == ch["file_row"]), None)
        out.append({"row": key[0], "field": key[1], "old": logged.old,
                    "hamlet_value": logged.new, "police_value": ch["new"],
                    "hamlet_file": logged.file, "hamlet": logged.hamlet, "hamlet_file_row": "",
                    "police_file": ch["file"], "police_file_row": ch["file_row"],
                    "verdict": p.verdict if p else "Sai", "earlier": True})
    return out


_CONFLICT_KIND_VI = {"duplicate_key": "trùng mã trong một tệp", "files": "hai tệp khác nhau",
                     "police": "công an ghi khác nhau"}


def _report_sheets(data: dict[str, Any], not_returned: list[dict[str, Any]], *,
                   hamlets: bool = True, police: bool = False,
                   earlier_log: Sequence[LoggedChange] = ()) -> list:
    """The merge's own sheets of MERGED, from the report: files, changes, conflicts; for
    hamlet files people added by hamlets, records missing from a returned file, hamlets
    that sent nothing; for police lists the hamlet values the police overruled and the
    records the police marked wrong without the correct values."""
    label = {**FIELD_LABEL_VI}
    this_round = max((c.round for c in earlier_log), default=0) + 1
    status_vi = {"merged": "Đã gộp", "refused": "Từ chối"}
    typed_headers = [*L.ORIG_HEADERS.values(), *L.CORR_HEADERS.values(), L.NOTE_HEADER,
                     L.KEY_HEADER]
    common = [
        _table_sheet(SHEET_FILES, ["Tệp", "Thôn/xóm", "Trạng thái", "Số bản ghi",
                                   "Lý do / ghi chú"],
                     [[Path(d["path"]).name, d["hamlet"], status_vi[d["status"]], d["records"],
                       d["reason"] or (f"{len(d['matched_by_values'])} dòng {FALLBACK_REASON}"
                                       if d["matched_by_values"] else "")]
                      for d in data["files"]]),
        # earlier merges' changes first (a merged list merged again keeps its whole log)
        _table_sheet(SHEET_CHANGES, list(CHANGE_HEADERS),
                     [[c.file, c.hamlet, c.row, label[c.field], c.old, c.new, c.match, c.round]
                      for c in earlier_log]
                     + [[c["file"], c["hamlet"], c["row"], label[c["field"]], c["old"], c["new"],
                         MATCH_BY_KEY_VI if c["match"] == "key" else c["match"], this_round]
                        for c in data["changes"]]),
        _table_sheet(SHEET_CONFLICTS, ["Dòng", "Trường", "Giá trị gốc (giữ nguyên)", "Đề nghị",
                                       "Tệp", "Thôn/xóm", "Dòng trong tệp", "Loại"],
                     [[c["row"], label[c["field"]], c["old"], p["value"], p["file"], p["hamlet"],
                       p["file_row"], _CONFLICT_KIND_VI[c["kind"]]]
                      for c in data["conflicts"] for p in c["proposals"]]),
        _table_sheet(SHEET_REJECTED, ["Dòng", "Trường", "Giá trị gốc (giữ nguyên)",
                                      "Đề nghị (chưa áp dụng)", "Lỗi của đề nghị", "Người đề nghị",
                                      "Tệp", "Dòng trong tệp", "Đề nghị khác", "Cách áp dụng"],
                     [[r["row"], label[r["field"]], r["old"], r["new"],
                       "; ".join(f"{c}: {m}" for c, m in zip(r["codes"], r["messages"],
                                                               strict=False)),
                       r["hamlet"], r["file"], r["file_row"],
                       "; ".join(f"{o['hamlet']}: {o['value']}" for o in r["others"]),
                       ("Đã áp dụng theo --accept" if r["applied"] else
                        f"Kiểm tra lại; nếu đúng là giá trị cần ghi, gộp lại với --accept "
                        f"{r['row']}:{r['field']} (hoặc sửa trực tiếp ô)")]
                      for r in data["rejected"]]),
    ]
    hamlet_sheets = [
        _table_sheet(SHEET_ADDED, ["Tệp", "Thôn/xóm", "Dòng trong tệp", *typed_headers,
                                   "Cột khác", "Lý do"],
                     [[a["file"], a["hamlet"], a["file_row"],
                       *(a["values"].get(h, "") for h in typed_headers),
                       "; ".join(f"{k}: {v}" for k, v in a["values"].items()
                                 if k not in typed_headers),
                       a["reason"]]
                      for a in data["added"]]),
        _table_sheet(SHEET_MISSING, ["Tệp", "Thôn/xóm", "Dòng", "Họ và tên", "Ngày sinh",
                                     "Số CCCD/CMND"],
                     [[m["file"], m["hamlet"], m["row"], m["full_name"], m["dob"],
                       m["id_number"]] for m in data["missing"]]),
        _table_sheet(SHEET_ORIGINAL_EDITS, ["Dòng", "Trường", "Giá trị gốc (giữ nguyên)",
                                            "Thôn ghi vào cột gốc (chưa áp dụng)", "Tệp",
                                            "Thôn/xóm", "Dòng trong tệp", "Cách xử lý"],
                     [[e["row"], label.get(e["field"], e["field"]), e["original"], e["value"],
                       e["file"], e["hamlet"], e["file_row"],
                       "Nếu đúng, ghi giá trị vào cột «(sửa)» của tệp thôn rồi gộp lại, hoặc "
                       "sửa trực tiếp ô trong danh sách"]
                      for e in data["original_edits"]]),
        _table_sheet(SHEET_NOT_RETURNED, ["Thôn/xóm", "Tệp đã gửi", "Số bản ghi"],
                     [[e.get("hamlet", ""), e.get("file", ""), len(e.get("records") or [])]
                      for e in not_returned]),
    ]
    pol = data["police"]
    police_sheets = [
        _table_sheet(SHEET_OVERRULED, ["Dòng", "Trường", "Giá trị gốc", "Thôn/xóm đề nghị",
                                       "Công an xác định", "Tệp của thôn", "Thôn/xóm",
                                       "Dòng trong tệp thôn", "Danh sách công an",
                                       "Dòng trong danh sách công an"],
                     [[o["row"], label[o["field"]], o["old"], o["hamlet_value"],
                       o["police_value"], o["hamlet_file"], o["hamlet"], o["hamlet_file_row"],
                       o["police_file"], o["police_file_row"]]
                      for o in pol["overruled"]]),
        _table_sheet(SHEET_UNRESOLVED, ["Dòng", "Họ và tên", "Ngày sinh", "Số CCCD/CMND",
                                        "Thôn/ấp", "Ghi chú của công an", "Danh sách công an",
                                        "Dòng trong danh sách công an"],
                     [[u["row"], u["full_name"], u["dob"], u["id_number"], u["hamlet"],
                       u["note"], u["file"], u["file_row"]]
                      for u in pol["unresolved"]]),
    ]
    return common + (hamlet_sheets if hamlets else []) + (police_sheets if police else [])


def _write_merged(table: Table, out: Path, **kwargs: Any) -> None:
    """MERGED: the user's own workbook (every sheet, format, dropdown and width kept) with
    the new values, marks, status columns and added sheets."""
    from vaxclean_xl.io.plain_copy import annotate_table_workbook

    annotate_table_workbook(table, out, **kwargs)
