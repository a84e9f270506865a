"""Rows of a returned hamlet file to records of ORIGINAL, and what each row proposes.

A row is placed by its key (split id + source row) when its original values still describe
that record; otherwise by its original values: name + date of birth + ID together, else any
two of name, date of birth, ID and phone that are unique in the file and agree with exactly
one record (:class:`_ByValues`, shared with the police lists). What matches nothing is a
person the hamlet added. The comparisons here (:func:`same_value`, :func:`show`) are the
merge's one notion of "the same value" and "the value as written".
"""

from __future__ import annotations

import datetime as _dt
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from vaxclean_xl.core.model import FIELD_LABEL_VI
from vaxclean_xl.core.normalize import (
    SEX_LABEL,
    cell_text,
    format_date,
    id_text,
    parse_date,
    parse_sex,
)
from vaxclean_xl.formats import police_list as P
from vaxclean_xl.formats.hamlet_file import layout as L
from vaxclean_xl.formats.hamlet_file.reader import (
    ReturnedFile,
    ReturnedRow,
    is_signature,
    lone_name,
)
from vaxclean_xl.formats.merge_report import (
    FALLBACK_REASON,
    AddedRow,
    FileEntry,
    MissingRecord,
    OriginalEdit,
)
from vaxclean_xl.formats.readback import blank
from vaxclean_xl.formats.split_manifest import ManifestHamlet
from vaxclean_xl.io.reader import Table
from vaxclean_xl.logs import log_line

CORRECTABLE: tuple[str, ...] = tuple(L.CORR_HEADERS)  # full_name, dob, sex, id_number
MATCH_FIELDS: tuple[str, ...] = ("full_name", "dob", "id_number")
PAIR_FIELDS: tuple[str, ...] = ("full_name", "dob", "id_number", "phone")
_ABSENT = object()


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


def new_text(f: str, typed: object) -> str:
    """A correction as MERGED writes it: IDs as digit text (an ID typed as a number becomes
    its digits, an 11-digit one stays 11 digits for the rules to flag), dates dd/mm/yyyy, sex
    spelled Nam/Nữ (so 'nam' and 'Nam' from two files agree and write the same cell)."""
    if f == "sex" and parse_sex(typed):
        return SEX_LABEL[parse_sex(typed)]  # type: ignore[index]
    return show(f, typed)


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


def ident_part(field_name: str, value: object) -> str:
    """Loose identity of an original value for the fallback match (a lost leading zero or
    a case change of the name must not stop it)."""
    if field_name == "full_name":
        return " ".join(cell_text(value).casefold().split())
    if field_name == "id_number":
        return "".join(ch for ch in show("id_number", value) if not ch.isspace()).lstrip("0")
    return show(field_name, value)


def source_values(table: Table) -> dict[int, dict[str, object]]:
    """ORIGINAL's cells by row and field."""
    cols = table.columns
    out: dict[int, dict[str, object]] = {}
    for row, values in table.rows:
        n = len(values)
        out[row] = {f: (values[c] if c < n else None) for f, c in cols.items()}
    return out


# --------------------------------------------------------------------------- identity


def agrees(row: ReturnedRow | P.PoliceRow, src: dict[str, object]) -> bool:
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
    return ident_part(field_name, a) == ident_part(field_name, b)


def _ident(values: dict[str, object], fields: tuple[str, ...]) -> tuple[str, ...] | None:
    ident = tuple(ident_part(f, values.get(f)) for f in fields)
    return ident if ident and ident[0] else None


class ByValues:
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
    a, b = (_phone_part(values.get(f)) if f == "phone" else ident_part(f, values.get(f))
            for f in pair)
    return (a, b) if a and b else None


def _phone_part(value: object) -> str:
    """A phone number's identity: its digits without a country code or leading zeros."""
    digits = "".join(ch for ch in cell_text(value) if ch.isdigit())
    if digits.startswith("84") and len(digits) >= 11:
        digits = digits[2:]
    return digits.lstrip("0")


# --------------------------------------------------------------------------- hamlet files


@dataclass(slots=True)
class Incoming:
    """A returned file accepted for this split, and what the merge learns about it."""

    file: ReturnedFile
    result: FileEntry
    hamlet: str
    entry: ManifestHamlet | None  # its hamlet in the manifest (None: unknown)


@dataclass(slots=True)
class Proposal:
    value: object  # as typed
    text: str  # as MERGED would write it (new_text)
    file_index: int  # position in the sorted processing order
    hamlet: str
    file: str
    file_row: int
    how: str  # "key" | FALLBACK_REASON
    verdict: str = ""  # police proposals: "Sai" (a correct value) | "Đúng" (a confirmation)


@dataclass(slots=True)
class Gathered:
    """Everything the returned files say, before deciding what to apply."""

    proposals: dict[tuple[int, str], list[Proposal]] = field(default_factory=dict)
    notes: dict[int, list[tuple[str, str]]] = field(default_factory=dict)
    added: list[AddedRow] = field(default_factory=list)
    missing: list[MissingRecord] = field(default_factory=list)
    original_edits: list[OriginalEdit] = field(default_factory=list)


@dataclass(slots=True)
class _FileMatch:
    matched: dict[int, list[tuple[ReturnedRow, str]]]  # source row -> [(row, how)]
    added: list[tuple[ReturnedRow, str]]  # (row, why it matched no record)


def by_key(rows: Sequence[Any], ids: set[str], source: dict[int, dict[str, object]], *,
           altered: str, no_key: str, other_list: str | None = None
           ) -> tuple[dict[int, list[tuple[Any, str]]], list[tuple[Any, str]]]:
    """Rows (hamlet or police) placed by an intact key of ``ids`` whose original values
    still agree with the record: (source row -> [(row, "key")], [(row, why not)]); a key
    of another list is reported as ``other_list`` when given, else as damaged."""
    matched: dict[int, list[tuple[Any, str]]] = {}
    pending: list[tuple[Any, str]] = []  # (row, why it is not matched by its key)
    for row in rows:
        k = row.key
        if k and k[0] in ids and k[1] in source:
            if agrees(row, source[k[1]]):
                matched.setdefault(k[1], []).append((row, "key"))
            else:
                pending.append((row, f"mã bản ghi chỉ dòng {k[1]} nhưng họ tên/ngày sinh/số "
                                     f"CCCD {altered}: không chắc là cùng người"))
        elif k and other_list is not None:
            pending.append((row, other_list))
        elif row.key_text:
            pending.append((row, "khóa hỏng, không tìm thấy người trong danh sách gốc"))
        else:
            pending.append((row, no_key))
    return matched, pending


def _match_file(rf: ReturnedFile, accepted: set[str], source: dict[int, dict[str, object]],
                expected: list[int] | None) -> _FileMatch:
    """Rows to records: by intact key whose original values agree, else by the original
    values (name + date of birth + ID) among the file's unclaimed records; the rest are
    people the hamlet added (never dropped)."""
    matched, pending = by_key(rf.rows, accepted, source,
                              altered="gốc đã bị sửa", no_key="người mới (không có khóa)")
    by_values = ByValues(source, (r for r in (expected if expected is not None
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


def gather(incoming: list[Incoming], accepted: set[str], table: Table,
           source: dict[int, dict[str, object]]) -> Gathered:
    """Walk the accepted files in their sorted order and collect proposals, notes, added
    people, missing records and edits made in the original columns."""
    g = Gathered()
    for i, inc in enumerate(incoming):
        rf, fr, hamlet, name = inc.file, inc.result, inc.hamlet, inc.file.path.name
        expected = inc.entry.rows if inc.entry is not None else None
        fm = _match_file(rf, accepted, source, expected)
        fr.records = len(fm.matched)
        for src_row, hits in sorted(fm.matched.items()):
            src = source[src_row]
            if len(hits) > 1:
                fr.duplicate_rows.extend(r.file_row for r, _how in hits[1:])
            for row, how in hits:
                if how != "key":
                    fr.matched_by_values.append(row.file_row)
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
                    g.proposals.setdefault((src_row, f), []).append(Proposal(
                        value, new_text(f, value), i, hamlet, name, row.file_row, how))
                for f, value in row.orig.items():
                    sv = src.get(f, _ABSENT)
                    if sv is _ABSENT or (value == sv and value.__class__ is sv.__class__):
                        continue  # (most cells: the printed original is the source cell)
                    if (not blank(value) and not same_value(f, value, sv)
                            and not (f == "id_number"  # a lost leading zero is Excel's doing
                                     and ident_part(f, value) == ident_part(f, src[f]))):
                        g.original_edits.append(OriginalEdit(
                            row=src_row, field=f, value=show(f, value),
                            original=show(f, src[f]), file=name, hamlet=hamlet,
                            file_row=row.file_row))
                if row.note or row.extra or unusable:
                    texts = [row.note] if row.note else []
                    texts += [f"{h}: {v}" for h, v in row.extra.items()] + unusable
                    g.notes.setdefault(src_row, []).append((hamlet, "; ".join(texts)))
        fr.matched_by_values.sort()
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
            g.added.append(AddedRow(file=name, hamlet=hamlet, file_row=row.file_row,
                                    values=values, reason=reason))
        for r in sorted(set(expected or ()) - set(fm.matched)):
            if r in source:
                g.missing.append(MissingRecord(
                    row=r, file=name, hamlet=hamlet,
                    **{f: show(f, source[r].get(f)) for f in MATCH_FIELDS}))
    return g
