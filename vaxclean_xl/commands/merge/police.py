"""The police's returned lists: which ones were made from ORIGINAL, and what they say.

A police list is accepted when it was made from ORIGINAL (its meta sheet's source hash,
else the list id of its keys), unless ``force``. Its rows are matched like a hamlet file's
(by key whose printed values agree, else by the printed values); a "Sai" row's correct
values become police proposals (they win over the hamlets'), a "Đúng" row confirms the
values the police saw, "Sai" without a correct value is unresolved, a blank result is not
verified.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from vaxclean_xl.commands.merge.match import (
    CORRECTABLE,
    MATCH_FIELDS,
    ByValues,
    Proposal,
    by_key,
    new_text,
    same_value,
    show,
)
from vaxclean_xl.formats import police_list as P
from vaxclean_xl.formats.merge_report import (
    FALLBACK_REASON,
    POLICE_LABEL,
    FileEntry,
    NotVerified,
    PoliceEntry,
    PoliceUnmatched,
)
from vaxclean_xl.formats.readback import blank
from vaxclean_xl.io.reader import Table
from vaxclean_xl.logs import log_line


@dataclass(slots=True)
class PoliceIncoming:
    """A returned police list accepted for ORIGINAL."""

    file: P.PoliceFile
    result: FileEntry
    ids: set[str]  # list ids whose keys point at ORIGINAL's rows


@dataclass(slots=True)
class PoliceGathered:
    """What the police lists say: per-cell values, and the rows by verdict."""

    proposals: dict[tuple[int, str], list[Proposal]] = field(default_factory=dict)
    verified: int = 0
    corrected: int = 0
    unresolved: list[PoliceEntry] = field(default_factory=list)
    not_verified: list[NotVerified] = field(default_factory=list)
    unmatched: list[PoliceUnmatched] = field(default_factory=list)
    notes: dict[int, list[tuple[str, str]]] = field(default_factory=dict)  # typed by police
    remarks: dict[int, list[tuple[str, str]]] = field(default_factory=dict)  # the merge's


def read_police(path: Path) -> P.PoliceFile | None:
    """The file as a police list, or None when it is not one."""
    try:
        return P.read_police_file(path)
    except P.NotAPoliceList:
        return None


def accept_police(police_read: list[P.PoliceFile], original: Path, source_sha: str,
                  force: bool) -> tuple[list[PoliceIncoming], list[FileEntry]]:
    """The police lists made from ORIGINAL (all of them with ``force``), and the refused."""
    own_list_id = P.list_id_for(source_sha)
    police_in: list[PoliceIncoming] = []
    refused: list[FileEntry] = []
    for pf in police_read:
        fr = FileEntry(path=pf.path, sha256=pf.sha256, kind="police", hamlet=POLICE_LABEL,
                       split_id=pf.list_id, sheet=pf.sheet)
        ok = _police_source_ok(pf, source_sha)
        if ok or force:
            fr.status = "merged"
            if not ok:
                fr.reason = "lập từ danh sách khác, vẫn gộp vì --force"
            police_in.append(PoliceIncoming(
                pf, fr, {own_list_id} | ({pf.list_id} if pf.list_id else set())))
        else:
            fr.reason = _police_refusal(pf, original, ok)
            refused.append(fr)
    return police_in, refused


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
    matched, pending = by_key(pf.rows, ids, source, altered="không khớp danh sách gốc",
                              no_key="không có mã bản ghi",
                              other_list="mã bản ghi của một danh sách khác")
    unmatched: list[tuple[P.PoliceRow, str]] = []
    if not pending:
        return matched, unmatched
    by_values = ByValues(source, (r for r in sorted(source) if r not in matched),
                         {f for kind, f in pf.columns if kind == "orig"},
                         [r.orig for r in pf.rows])
    for row, why, hit, how in by_values.match(pending):
        if hit is not None:
            matched.setdefault(hit, []).append((row, how))
        else:
            unmatched.append((row, why))
    return matched, unmatched


def gather_police(incoming: list[PoliceIncoming], table: Table,
                  source: dict[int, dict[str, object]]) -> PoliceGathered:
    """Walk the accepted police lists in their sorted order: a "Sai" row's correct values
    become police proposals, a "Đúng" row confirms the values the police saw (proposals of
    the current value, so that a hamlet proposal for them is overruled), "Sai" without any
    correct value is unresolved, a blank (or unreadable) result is not verified."""
    g = PoliceGathered()
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
                    fr.matched_by_values.append(row.file_row)
                    log_line(f"merge police file={name} file_row={row.file_row} "
                             f"row={src_row}: {how}")
                printed = {f: show(f, src.get(f)) for f in MATCH_FIELDS}
                entry = dict(row=src_row, file=name, file_row=row.file_row, **printed,
                             hamlet=row.orig.get("hamlet", ""), note=row.note)
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
                    g.unresolved.append(PoliceEntry(**entry))
                    g.remarks.setdefault(src_row, []).append(
                        (POLICE_LABEL, "«Sai» nhưng chưa ghi thông tin đúng: cần xác minh thêm"))
                else:
                    tally["not_verified"] += 1
                    g.not_verified.append(NotVerified(**entry, result_text=row.verdict_text,
                                                      correct=dict(row.correct)))
                    if row.correct:  # values without a verdict: shown, not applied
                        g.remarks.setdefault(src_row, []).append((POLICE_LABEL, (
                            "có ghi thông tin đúng nhưng chưa ghi kết quả «Đúng»/«Sai» (chưa "
                            "áp dụng): " + "; ".join(f"{P.CORRECT_HEADERS[f]}: {v}"
                                                      for f, v in row.correct.items()))))
                for f, value, verdict in said:
                    g.proposals.setdefault((src_row, f), []).append(Proposal(
                        value, new_text(f, value), i, POLICE_LABEL, name, row.file_row, how,
                        verdict))
        for row, why in unmatched:
            tally["unmatched"] += 1
            g.unmatched.append(PoliceUnmatched(
                file=name, file_row=row.file_row, key=row.key_text, verdict=row.verdict or "",
                result_text=row.verdict_text, values={f: v for f, v in row.orig.items() if v},
                correct=dict(row.correct), note=row.note, reason=why))
        g.verified += tally["verified"]
        g.corrected += tally["corrected"]
        fr.matched_by_values.sort()
        fr.duplicate_rows.sort()
        parts = [f"Đúng: {tally['verified']}", f"Sai đã ghi thông tin đúng: {tally['corrected']}",
                 f"Sai chưa ghi thông tin đúng: {tally['unresolved']}",
                 f"chưa ghi kết quả: {tally['not_verified']}"]
        if fr.matched_by_values:
            parts.append(f"{len(fr.matched_by_values)} dòng {FALLBACK_REASON}")
        if tally["unmatched"]:
            parts.append(f"{tally['unmatched']} dòng không khớp được với danh sách gốc")
        fr.reason = "; ".join(filter(None, [fr.reason, ", ".join(parts)]))
    return g
