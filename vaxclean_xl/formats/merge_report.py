"""The merge's outputs: the ``vaxclean.merge/1`` JSON report and the sheets MERGED gets.

One typed record, :class:`MergeReport`, is what ``merge`` builds, what it writes as JSON
(:meth:`MergeReport.to_json`; the dataclasses' field order is the schema's key order) and
what every reader gets back (:meth:`MergeReport.from_json`: ``progress``, the Excel
buttons, tests).
The sheets of MERGED that list what the merge did (files, the change log, conflicts,
held-back corrections, people added, records missing, hamlets that sent nothing, the
police's overrides and unresolved rows) are written here from the same record, and the
change log is read back here too (:func:`read_change_log`): a merged list merged again
keeps one log, and ``edit-list`` reads it.

The reader is lenient where older reports differ (a key that is missing takes an empty
value) and strict about types (a value of the wrong type raises ``TypeError``); the police
block is read defensively, as it was young when reports were first kept: counts where
lists were expected, or anything unexpected, are ignored.
"""

from __future__ import annotations

import json
import re
import types
import typing
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import MISSING, dataclass, field, fields, is_dataclass
from pathlib import Path
from typing import Any

from vaxclean_xl.core.model import FIELD_LABEL_VI
from vaxclean_xl.core.normalize import cell_text
from vaxclean_xl.formats.hamlet_file import layout as L
from vaxclean_xl.formats.police_list import verdict_of
from vaxclean_xl.formats.readback import positive_int
from vaxclean_xl.formats.split_manifest import ManifestHamlet

SCHEMA = "vaxclean.merge/1"

# --------------------------------------------------------------------------- labels

FALLBACK_REASON = "khóa hỏng, khớp theo giá trị gốc"  # a change's "match" when not by key
MATCH_BY_KEY_VI = "theo mã bản ghi"  # the change log's "Cách khớp" of a change by key
POLICE_LABEL = "Công an xã"  # the 'hamlet' of the police's changes, notes and files

SHEET_FILES = "Tệp đã nhận"
SHEET_CHANGES = "Nhật ký thay đổi"
SHEET_CONFLICTS = "Xung đột"
SHEET_REJECTED = "Sửa chưa hợp lệ"
SHEET_ORIGINAL_EDITS = "Sửa vào cột gốc"
SHEET_ADDED = "Bổ sung từ thôn"
SHEET_MISSING = "Thiếu trong tệp trả về"
SHEET_NOT_RETURNED = "Chưa trả về"
SHEET_OVERRULED = "Công an sửa lại"
SHEET_UNRESOLVED = "Chưa xác minh được"

FILES_HEADERS: tuple[str, ...] = ("Tệp", "Thôn/xóm", "Trạng thái", "Số bản ghi",
                                  "Lý do / ghi chú")
# the change log's columns (also read back: police overrides across calls, edit-list)
CHANGE_HEADERS: tuple[str, ...] = ("Tệp", "Thôn/xóm", "Dòng", "Trường", "Giá trị cũ",
                                   "Giá trị mới", "Cách khớp", "Lần gộp")
CONFLICT_HEADERS: tuple[str, ...] = ("Dòng", "Trường", "Giá trị gốc (giữ nguyên)", "Đề nghị",
                                     "Tệp", "Thôn/xóm", "Dòng trong tệp", "Loại")
REJECTED_HEADERS: tuple[str, ...] = ("Dòng", "Trường", "Giá trị gốc (giữ nguyên)",
                                     "Đề nghị (chưa áp dụng)", "Lỗi của đề nghị",
                                     "Người đề nghị", "Tệp", "Dòng trong tệp", "Đề nghị khác",
                                     "Cách áp dụng")
MISSING_HEADERS: tuple[str, ...] = ("Tệp", "Thôn/xóm", "Dòng", "Họ và tên", "Ngày sinh",
                                    "Số CCCD/CMND")
ORIGINAL_EDIT_HEADERS: tuple[str, ...] = ("Dòng", "Trường", "Giá trị gốc (giữ nguyên)",
                                          "Thôn ghi vào cột gốc (chưa áp dụng)", "Tệp",
                                          "Thôn/xóm", "Dòng trong tệp", "Cách xử lý")
NOT_RETURNED_HEADERS: tuple[str, ...] = ("Thôn/xóm", "Tệp đã gửi", "Số bản ghi")
OVERRULED_HEADERS: tuple[str, ...] = ("Dòng", "Trường", "Giá trị gốc", "Thôn/xóm đề nghị",
                                      "Công an xác định", "Tệp của thôn", "Thôn/xóm",
                                      "Dòng trong tệp thôn", "Danh sách công an",
                                      "Dòng trong danh sách công an")
UNRESOLVED_HEADERS: tuple[str, ...] = ("Dòng", "Họ và tên", "Ngày sinh", "Số CCCD/CMND",
                                       "Thôn/ấp", "Ghi chú của công an", "Danh sách công an",
                                       "Dòng trong danh sách công an")
FILE_STATUS_VI = {"merged": "Đã gộp", "refused": "Từ chối"}
CONFLICT_KIND_VI = {"duplicate_key": "trùng mã trong một tệp", "files": "hai tệp khác nhau",
                    "police": "công an ghi khác nhau"}

# --------------------------------------------------------------------------- the record
# Field order is the JSON key order (the schema): do not reorder.


@dataclass(slots=True, kw_only=True)
class SourceInfo:
    """ORIGINAL as the merge read it."""

    path: str
    sha256: str
    sheet: str
    header_row: int


@dataclass(slots=True, kw_only=True)
class FileEntry:
    """One returned file: merged or refused, and why (filled in while the merge runs)."""

    path: Path
    kind: str = "hamlet"  # "hamlet" | "police"
    hamlet: str = ""
    sha256: str = ""
    records: int = 0  # distinct records of the list this file matched
    status: str = "refused"  # "merged" | "refused"
    reason: str = ""
    split_id: str | None = None
    sheet: str = ""  # the data sheet found (by its headers: it may have been renamed)
    matched_by_values: list[int] = field(default_factory=list)  # file rows matched on values
    duplicate_rows: list[int] = field(default_factory=list)  # file rows repeating a key


@dataclass(slots=True, kw_only=True)
class Change:
    """A correction applied to one cell of MERGED."""

    row: int
    field: str
    old: str
    new: str
    file: str
    hamlet: str
    file_row: int
    match: str  # "key" | how it was matched on values


@dataclass(slots=True, kw_only=True)
class ConflictProposal:
    value: str
    file: str
    hamlet: str
    file_row: int


@dataclass(slots=True, kw_only=True)
class Conflict:
    """Different proposals for one cell: the original value is kept."""

    row: int
    field: str
    old: str
    kind: str  # "duplicate_key" | "files" | "police"
    proposals: list[ConflictProposal]


@dataclass(slots=True, kw_only=True)
class OtherProposal:
    value: str
    hamlet: str
    file: str
    file_row: int


@dataclass(slots=True, kw_only=True)
class Rejected(Change):
    """A correction held back because its new value fails a rule the old one passed (or
    applied all the same: ``applied``, by ``--accept``)."""

    codes: list[str]
    messages: list[str]
    others: list[OtherProposal]
    applied: bool


@dataclass(slots=True, kw_only=True)
class AddedRow:
    """A row a hamlet typed that matches no record of the list."""

    file: str
    hamlet: str
    file_row: int
    values: dict[str, str]  # header -> value as typed
    reason: str


@dataclass(slots=True, kw_only=True)
class MissingRecord:
    """A record sent to a hamlet that its returned file no longer holds."""

    row: int
    file: str
    hamlet: str
    full_name: str
    dob: str
    id_number: str


@dataclass(slots=True, kw_only=True)
class OriginalEdit:
    """A value typed into a locked original column (not applied)."""

    row: int
    field: str
    value: str
    original: str
    file: str
    hamlet: str
    file_row: int


@dataclass(slots=True, kw_only=True)
class Note:
    row: int
    hamlet: str
    note: str


@dataclass(slots=True, kw_only=True)
class PoliceEntry:
    """A record of a police list, as the merge lists it (unresolved)."""

    row: int
    file: str
    file_row: int
    full_name: str
    dob: str
    id_number: str
    hamlet: str
    note: str


@dataclass(slots=True, kw_only=True)
class NotVerified(PoliceEntry):
    """A police row without a recognised result."""

    result_text: str
    correct: dict[str, str]


@dataclass(slots=True, kw_only=True)
class PoliceUnmatched:
    """A police row that matches no record of the list."""

    file: str
    file_row: int
    key: str
    verdict: str
    result_text: str
    values: dict[str, str]
    correct: dict[str, str]
    note: str
    reason: str


@dataclass(slots=True, kw_only=True)
class Overruled:
    """A hamlet value the police's value replaced (``earlier``: a hamlet change an earlier
    merge applied, found in the list's change log)."""

    row: int
    field: str
    old: str
    hamlet_value: str
    police_value: str
    hamlet_file: str
    hamlet: str
    hamlet_file_row: int | str  # "" for an earlier merge's change
    police_file: str
    police_file_row: int
    verdict: str
    earlier: bool = field(default=False, metadata={"omit_default": True})


@dataclass(slots=True, kw_only=True)
class PoliceBlock:
    """What the police lists said."""

    files: list[str] = field(default_factory=list)
    list_id: str = ""
    verified: int = 0
    corrected: int = 0
    changes: int = 0
    unresolved: list[PoliceEntry] = field(default_factory=list)
    not_verified: list[NotVerified] = field(default_factory=list)
    unmatched: list[PoliceUnmatched] = field(default_factory=list)
    overruled: list[Overruled] = field(default_factory=list)
    # rows the block lists (not written: the reader's tolerance of other shapes)
    listed_rows: set[int] = field(default_factory=set, compare=False,
                                  metadata={"json": False})

    @classmethod
    def from_json(cls, block: object) -> PoliceBlock:
        """Read defensively: each key that does not have the expected shape is left empty;
        the rows listed under verified/corrected/unresolved/changes/rows/records (with a
        recognised verdict, if any) are kept in ``listed_rows``."""
        if not isinstance(block, dict):
            return cls()
        values: dict[str, Any] = {}
        for f in fields(cls):
            if f.name in block and f.metadata.get("json", True):
                try:
                    values[f.name] = _read(_hints(cls)[f.name], block[f.name])
                except (TypeError, ValueError, KeyError):
                    pass  # an unexpected shape: ignored
        items = block.get("files")
        values["files"] = [x if isinstance(x, str) else x["path"]
                           for x in (items if isinstance(items, list) else [])
                           if isinstance(x, str)
                           or (isinstance(x, dict) and isinstance(x.get("path"), str))]
        out = cls(**values)
        for key in ("verified", "corrected", "unresolved", "changes", "rows", "records"):
            items = block.get(key)
            for item in items if isinstance(items, list) else ():
                if not isinstance(item, dict):
                    continue
                verdict = item.get("verdict")
                if verdict is not None and verdict_of(verdict) is None:
                    continue
                row = positive_int(item.get("row"))
                if row:
                    out.listed_rows.add(row)
        return out


@dataclass(slots=True, kw_only=True)
class MergeSummary:
    """The counts of the report (what the CLI and the Excel button print)."""

    files: int
    refused: int
    changes: int
    conflicts: int
    rejected: int
    added: int
    original_edits: int
    missing: int
    not_returned: int
    records_in: int
    records_out: int
    police_files: int
    police_verified: int
    police_corrected: int
    police_unresolved: int
    police_not_verified: int
    police_unmatched: int
    overruled: int


@dataclass(frozen=True, slots=True, kw_only=True)
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


@dataclass(slots=True, kw_only=True)
class MergeReport:
    """The ``vaxclean.merge/1`` document."""

    schema: str = SCHEMA
    source: SourceInfo
    split_id: list[str]
    source_matches_split: bool
    manifest: list[str]
    missing_checked: bool  # False: no manifest, which rows each file held is unknown, so
    output: str            # nothing can be called missing
    files: list[FileEntry]
    changes: list[Change]
    earlier_changes: list[LoggedChange]
    conflicts: list[Conflict]
    rejected: list[Rejected]
    added: list[AddedRow]
    missing: list[MissingRecord]
    not_returned: list[str]
    original_edits: list[OriginalEdit]
    notes: list[Note]
    police: PoliceBlock
    summary: MergeSummary
    validation: dict[str, int]  # the re-validation's summary (``vaxclean.validation/1``)

    def to_dict(self) -> dict[str, Any]:
        """The JSON object (keys in the schema's order)."""
        return _json(self)

    def to_json(self) -> str:
        """The report file's text, as the merge has always written it."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=1) + "\n"

    @classmethod
    def from_dict(cls, data: object) -> MergeReport:
        """Read a parsed ``vaxclean.merge/1`` document: ``ValueError`` for another schema,
        ``KeyError``/``TypeError`` for a broken one."""
        if not isinstance(data, Mapping) or data.get("schema") != SCHEMA:
            raise ValueError(f"not a {SCHEMA} report")
        if not isinstance(data.get("source"), Mapping):
            raise KeyError("source")
        return _read(cls, data)

    @classmethod
    def from_json(cls, text: str) -> MergeReport:
        """Parse a report's text (``ValueError`` when it is not JSON)."""
        return cls.from_dict(json.loads(text))

    def write(self, path: str | Path) -> None:
        """Write the JSON report (UTF-8)."""
        Path(path).write_text(self.to_json(), encoding="utf-8")

    @classmethod
    def read(cls, path: str | Path) -> MergeReport:
        """Read a JSON report (UTF-8, a BOM allowed)."""
        return cls.from_json(Path(path).read_text(encoding="utf-8-sig"))


# --------------------------------------------------------------------------- JSON


def _json(value: Any) -> Any:
    """A record as its JSON object (one encoder per class, made once: a big merge has tens
    of thousands of changes)."""
    return _encoder(type(value))(value)


Encoder = Callable[[Any], Any]
_ENCODERS: dict[type, Encoder] = {}
_HINTS: dict[type, dict[str, Any]] = {}
_SCALARS = (str, int, bool, float, type(None))


def _encoder(cls: type) -> Encoder:
    got = _ENCODERS.get(cls)
    if got is not None:
        return got
    hints = _hints(cls)
    plan = [(f.name, _value_encoder(hints[f.name]), bool(f.metadata.get("omit_default")),
             f.default) for f in fields(cls) if f.metadata.get("json", True)]

    def encode(obj: Any) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, enc, omit_default, default in plan:
            v = getattr(obj, name)
            if omit_default and v == default:
                continue
            out[name] = v if enc is None else enc(v)
        return out

    _ENCODERS[cls] = encode
    return encode


def _value_encoder(hint: Any) -> Encoder | None:
    """How a field's value becomes JSON (None: as it is)."""
    if hint is Path:
        return str
    if isinstance(hint, type) and is_dataclass(hint):
        return _encoder(hint)
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType) and all(a in _SCALARS for a in args):
        return None
    if origin is list:
        item = _value_encoder(args[0])
        return list if item is None else (lambda v: [item(x) for x in v])
    if origin is dict:
        item = _value_encoder(args[1])
        return dict if item is None else (lambda v: {k: item(x) for k, x in v.items()})
    if hint in _SCALARS:
        return None
    raise TypeError(f"no JSON form for {hint}")


def _hints(cls: type) -> dict[str, Any]:
    got = _HINTS.get(cls)
    if got is None:
        got = _HINTS[cls] = typing.get_type_hints(cls)
    return got


def _read(hint: Any, value: Any) -> Any:
    """``value`` (parsed JSON) as ``hint``: dataclasses from objects (a missing key takes
    the field's default, else an empty value), lists and dicts item by item, scalars checked
    for their type."""
    if isinstance(hint, type) and is_dataclass(hint):
        if hint is PoliceBlock:
            return PoliceBlock.from_json(value)
        if not isinstance(value, Mapping):
            raise TypeError(f"{hint.__name__}: an object expected")
        hints = _hints(hint)
        kwargs: dict[str, Any] = {}
        for f in fields(hint):
            if not f.metadata.get("json", True):
                continue
            if f.name in value:
                kwargs[f.name] = _read(hints[f.name], value[f.name])
            elif f.default is MISSING and f.default_factory is MISSING:
                kwargs[f.name] = _empty(hints[f.name])
        return hint(**kwargs)
    origin = typing.get_origin(hint)
    if origin is list:
        if not isinstance(value, list):
            raise TypeError("a list expected")
        (item,) = typing.get_args(hint)
        return [_read(item, v) for v in value]
    if origin is dict:
        if not isinstance(value, dict):
            raise TypeError("an object expected")
        _k, item = typing.get_args(hint)
        return {str(k): _read(item, v) for k, v in value.items()}
    if origin in (typing.Union, types.UnionType):
        for option in typing.get_args(hint):
            try:
                return _read(option, value)
            except TypeError:
                continue
        raise TypeError(f"{value!r}: none of {hint}")
    if hint is type(None):
        if value is not None:
            raise TypeError("null expected")
        return None
    if hint is Path:
        if not isinstance(value, str):
            raise TypeError("a path expected")
        return Path(value)
    if hint is int and (not isinstance(value, int) or isinstance(value, bool)):
        raise TypeError(f"{value!r}: a whole number expected")
    if hint in (str, bool) and not isinstance(value, hint):
        raise TypeError(f"{value!r}: {hint.__name__} expected")
    return value


def _empty(hint: Any) -> Any:
    """The value a key missing from an older report takes."""
    if isinstance(hint, type) and is_dataclass(hint):
        return _read(hint, {})
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(hint)
        return None if type(None) in options else _empty(options[0])
    if origin is not None:
        return origin()  # list, dict
    return hint()  # str, int, bool, Path



# --------------------------------------------------------------------------- MERGED's sheets


def report_sheets(report: MergeReport, not_returned: Sequence[ManifestHamlet], *,
                  hamlets: bool = True, police: bool = False) -> list:
    """The merge's own sheets of MERGED, from the report: files, changes (earlier merges'
    first), conflicts, held-back corrections; for hamlet files people added by hamlets,
    records missing from a returned file, edits in the original columns and hamlets that
    sent nothing (``not_returned``: their manifest entries); for police lists the hamlet
    values the police overruled and the records the police marked wrong without the
    correct values."""
    label = {**FIELD_LABEL_VI}
    earlier_log = report.earlier_changes
    this_round = max((c.round for c in earlier_log), default=0) + 1
    typed_headers = [*L.ORIG_HEADERS.values(), *L.CORR_HEADERS.values(), L.NOTE_HEADER,
                     L.KEY_HEADER]
    common = [
        _table_sheet(SHEET_FILES, FILES_HEADERS,
                     [[d.path.name, d.hamlet, FILE_STATUS_VI[d.status], d.records,
                       d.reason or (f"{len(d.matched_by_values)} dòng {FALLBACK_REASON}"
                                    if d.matched_by_values else "")]
                      for d in report.files]),
        _table_sheet(SHEET_CHANGES, CHANGE_HEADERS,
                     [[c.file, c.hamlet, c.row, label[c.field], c.old, c.new, c.match, c.round]
                      for c in earlier_log]
                     + [[c.file, c.hamlet, c.row, label[c.field], c.old, c.new,
                         MATCH_BY_KEY_VI if c.match == "key" else c.match, this_round]
                        for c in report.changes]),
        _table_sheet(SHEET_CONFLICTS, CONFLICT_HEADERS,
                     [[c.row, label[c.field], c.old, p.value, p.file, p.hamlet, p.file_row,
                       CONFLICT_KIND_VI[c.kind]]
                      for c in report.conflicts for p in c.proposals]),
        _table_sheet(SHEET_REJECTED, REJECTED_HEADERS,
                     [[r.row, label[r.field], r.old, r.new,
                       "; ".join(f"{c}: {m}" for c, m in zip(r.codes, r.messages,
                                                               strict=False)),
                       r.hamlet, r.file, r.file_row,
                       "; ".join(f"{o.hamlet}: {o.value}" for o in r.others),
                       ("Đã áp dụng theo --accept" if r.applied else
                        f"Kiểm tra lại; nếu đúng là giá trị cần ghi, gộp lại với --accept "
                        f"{r.row}:{r.field} (hoặc sửa trực tiếp ô)")]
                      for r in report.rejected]),
    ]
    hamlet_sheets = [
        _table_sheet(SHEET_ADDED, ["Tệp", "Thôn/xóm", "Dòng trong tệp", *typed_headers,
                                   "Cột khác", "Lý do"],
                     [[a.file, a.hamlet, a.file_row,
                       *(a.values.get(h, "") for h in typed_headers),
                       "; ".join(f"{k}: {v}" for k, v in a.values.items()
                                 if k not in typed_headers),
                       a.reason]
                      for a in report.added]),
        _table_sheet(SHEET_MISSING, MISSING_HEADERS,
                     [[m.file, m.hamlet, m.row, m.full_name, m.dob, m.id_number]
                      for m in report.missing]),
        _table_sheet(SHEET_ORIGINAL_EDITS, ORIGINAL_EDIT_HEADERS,
                     [[e.row, label.get(e.field, e.field), e.original, e.value, e.file,
                       e.hamlet, e.file_row,
                       "Nếu đúng, ghi giá trị vào cột «(sửa)» của tệp thôn rồi gộp lại, hoặc "
                       "sửa trực tiếp ô trong danh sách"]
                      for e in report.original_edits]),
        _table_sheet(SHEET_NOT_RETURNED, NOT_RETURNED_HEADERS,
                     [[e.hamlet, e.file, len(e.records)] for e in not_returned]),
    ]
    pol = report.police
    police_sheets = [
        _table_sheet(SHEET_OVERRULED, OVERRULED_HEADERS,
                     [[o.row, label[o.field], o.old, o.hamlet_value, o.police_value,
                       o.hamlet_file, o.hamlet, o.hamlet_file_row, o.police_file,
                       o.police_file_row]
                      for o in pol.overruled]),
        _table_sheet(SHEET_UNRESOLVED, UNRESOLVED_HEADERS,
                     [[u.row, u.full_name, u.dob, u.id_number, u.hamlet, u.note, u.file,
                       u.file_row]
                      for u in pol.unresolved]),
    ]
    return common + (hamlet_sheets if hamlets else []) + (police_sheets if police else [])


def _table_sheet(name: str, headers: Sequence[str], rows: list[list[object]]):
    """One merge sheet: a header row in row 1 (frozen, with an autofilter), then the rows;
    whole numbers stay numbers, everything else is written as text."""
    from vaxclean_xl.xlsx.annotate import SummarySheet, SummaryTable

    def cell(v: object) -> str | int:
        if isinstance(v, int) and not isinstance(v, bool):
            return v
        return "" if v is None else str(v)

    return SummarySheet(name=name, title="", freeze_filter=True,
                        tables=[SummaryTable("", list(headers),
                                             [[cell(v) for v in r] for r in rows])])


# --------------------------------------------------------------------------- the change log


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
                row=int(got["Dòng"]), field=f, old=got["Giá trị cũ"], new=got["Giá trị mới"],
                file=got["Tệp"], hamlet=got["Thôn/xóm"], match=got["Cách khớp"],
                round=int(lan) if lan.isdigit() else 1), None)
    return sorted(out, key=lambda c: c.round)  # (stable: each sheet's own order kept)


def is_merged_workbook(path: str | Path) -> bool:
    """Whether ``path`` is a MERGED workbook an earlier merge wrote (it has the merge's
    own sheets): such a file in a folder of returned files may be replaced by a new
    merge; any other file there is an input and must not be."""
    from vaxclean_xl.io.reader import sheet_names

    try:
        names = set(sheet_names(path))
    except Exception:  # unreadable: not ours
        return False
    return SHEET_FILES in names and SHEET_CHANGES in names
