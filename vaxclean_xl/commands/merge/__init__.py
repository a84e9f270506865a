"""Merge the hamlet files that come back into the commune list (end of procedure step 2).

Hamlet workers open the files made by ``split`` in Excel, WPS or LibreOffice and send them
back in every shape people produce: re-saved, saved as .xls or .ods, renamed, the sheet
renamed, columns moved or inserted, rows sorted or deleted, people typed under the list,
the hidden key column shown and damaged, IDs and dates retyped as numbers and real dates.
So the merge trusts nothing positional:

* the data sheet is the sheet whose header row holds the correction headers, and columns
  are found by header TEXT (``io.hamlet_reader``; NFC, case and spaces ignored);
* records are found by key (``make_key/parse_key``: split id + source row + check); a key
  that is damaged, missing, or whose row's original values do not agree with the source
  falls back to matching on the original values and says so (:mod:`.match`);
* a file of another split, or not ours at all, is refused with one Vietnamese line and the
  merge goes on; a manifest whose source hash differs from ORIGINAL stops the merge (the
  list changed since the split) unless ``force`` (:mod:`.collect`).

Corrections that differ from the original value are written into a copy of ORIGINAL's own
workbook (:mod:`.write`); ORIGINAL and the returned files are never written. Two different
proposals for one cell are a conflict (the original value is kept, :mod:`.decide`); rows
typed in by hamlets, records missing from a returned file and hamlets that sent nothing are
listed in their own sheets. The merged list is then re-validated with the same rules as
``validate`` and annotated by the same annotator in the same pass, so MERGED reads like a
``validate`` output plus the merge's own sheets (``formats.merge_report``).

The police's returned list (``police-list``, procedure steps 2–3) is taken too, alone or with
hamlet files in the same call (:mod:`.police`); for the second merge of the procedure
ORIGINAL is the hamlet-merged list the police list was made from. The police's values win
over the hamlets': each hamlet proposal the police overrule is logged ("overruled", sheet
"Công an sửa lại"); "Sai" without any correct value is listed as unresolved (sheet "Chưa
xác minh được"), a blank result as not verified.

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

import datetime as _dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vaxclean_xl.commands.merge.collect import (
    OUTPUT_SUFFIX,
    MergeError,
    accept_hamlet_files,
    choose_split,
    collect_returned,
    not_returned,
    read_all,
)
from vaxclean_xl.commands.merge.decide import decide, overruled_earlier, settle
from vaxclean_xl.commands.merge.match import CORRECTABLE, gather
from vaxclean_xl.commands.merge.police import accept_police, gather_police
from vaxclean_xl.commands.merge.write import write_merged
from vaxclean_xl.core.collate import hamlet_order
from vaxclean_xl.core.model import FIELD_LABEL_VI
from vaxclean_xl.core.perf import gc_paused
from vaxclean_xl.core.validate import Validation, validate_records
from vaxclean_xl.errors import E
from vaxclean_xl.formats import police_list as P
from vaxclean_xl.formats.annotated_list import NOTE_STATUS_HEADER, existing_status_col
from vaxclean_xl.formats.merge_report import (
    POLICE_LABEL,
    MergeReport,
    MergeSummary,
    Note,
    PoliceBlock,
    SourceInfo,
    is_merged_workbook,
    read_change_log,
)
from vaxclean_xl.io.atomic import OutputBatch, output_batch, refuse_same_file, require_suffix
from vaxclean_xl.io.reader import Table
from vaxclean_xl.logs import log_line
from vaxclean_xl.notices import notify

__all__ = ["CORRECTABLE", "OUTPUT_SUFFIX", "MergeError", "MergeOutcome", "collect_returned",
           "merge_files"]


@dataclass(slots=True)
class MergeOutcome:
    """What ``merge_files`` did: ``merge_report`` is the typed ``vaxclean.merge/1`` record,
    ``report`` the same as the JSON object."""

    table: Table
    result: Validation
    output: Path
    report_path: Path | None
    merge_report: MergeReport
    _report: dict[str, Any] | None = field(default=None, repr=False, compare=False)

    @property
    def exit_code(self) -> int:
        """0: the merged list has no error; 1: it has (same contract as validate)."""
        return 1 if self.result.has_errors else 0

    @property
    def summary(self) -> MergeSummary:
        """The report's counts."""
        return self.merge_report.summary

    @property
    def report(self) -> dict[str, Any]:
        """The report as its JSON object (made once)."""
        if self._report is None:
            self._report = self.merge_report.to_dict()
        return self._report


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
    require_suffix(out)
    files, manifest_paths, held = collect_returned(
        returned, skip=[original, out] + ([rep] if rep else []))
    for target in (out, rep):
        if target is not None:
            refuse_same_file(target, original, *files, *manifest_paths)
    for p in held:  # an output named like a file merge reads: only its own may be replaced
        if p.resolve() != original.resolve() and p.exists() and not is_merged_workbook(p):
            raise MergeError(
                f"Tệp kết quả «{p.name}» là một tệp trả về cần gộp; ghi kết quả vào đó sẽ "
                "làm mất tệp này. Hãy chọn tên hoặc thư mục khác cho tệp kết quả.",
                code=E.OUTPUT_IS_INPUT)
    if not files:
        also = (f" («{original.name}» là danh sách gốc, không phải tệp thôn gửi lại.)"
                if any(p.resolve() == original.resolve() for p in held) else "")
        raise MergeError("Không tìm thấy tệp trả về nào (.xlsx, .xlsm, .xls, .ods) để gộp."
                         + also, code=E.NOTHING_RETURNED)
    out_tmp = batch.path(out)  # checked before the long part, renamed at the very end
    rep_tmp = batch.path(rep) if rep is not None else None
    got = read_all(original, files, password, today, sheet=sheet, mapping=mapping)
    table, source, source_sha, readable = got.table, got.source, got.source_sha, \
        got.hamlet_files
    if readable or not got.police_files:
        by_id, source_matches, manifests_used = choose_split(
            manifest_paths, readable, table, source, source_sha, force, today)
    else:  # only police lists: the split (and its manifest) is not this merge's business
        by_id, source_matches, manifests_used = {}, True, []
    accepted = set(by_id)
    entries = [(sid, e) for sid, m in sorted(by_id.items()) for e in m.hamlets]
    incoming, refused_hamlet = accept_hamlet_files(readable, accepted, entries)
    police_in, refused_police = accept_police(got.police_files, original, source_sha, force)
    refused = got.refused + refused_hamlet + refused_police
    if not incoming and not police_in:
        reasons = "; ".join(f"«{r.path.name}»: {r.reason}" for r in refused)
        raise MergeError(f"Không có tệp trả về nào gộp được. {reasons}", code=E.NOTHING_MERGEABLE)
    incoming.sort(key=lambda x: (hamlet_order(x.hamlet), x.file.sha256, x.file.path.name))
    police_in.sort(key=lambda x: (x.file.sha256, x.file.path.name))
    missed = not_returned(incoming, entries)

    # --- gather, decide (the police win), apply, re-validate with the same rules as validate
    g = gather(incoming, accepted, table, source)
    pg = gather_police(police_in, table, source)
    changes, conflicts, new_values, overruled = decide(g.proposals, source, pg.proposals)
    merged_rows, rejected = settle(table, got.checked, new_values, changes, overruled,
                                   [g.proposals, pg.proposals], accept, today)
    used = {(r.row, r.field) for r in rejected if r.applied}
    for row, fld in sorted(accept - used):  # a typo in --accept must not pass unnoticed
        notify(f"--accept {row}:{fld}: không có giá trị sửa nào bị giữ lại ở dòng {row}, trường "
               f"«{FIELD_LABEL_VI.get(fld, fld)}»; bỏ qua.")
    result = validate_records(got.checked, table.columns, today)
    # a list an earlier merge wrote (status block present) carries that merge's change log:
    # kept in MERGED's log, and the hamlet changes in it that the police reverse now are
    # overrides too, though the hamlet files were merged in another call
    status_col = existing_status_col(table, NOTE_STATUS_HEADER)
    earlier_log = read_change_log(original, table.source_format) if status_col is not None \
        else []
    if police_in and earlier_log:
        overruled += overruled_earlier(changes, pg.proposals, earlier_log, source)
    records_in, records_out = len(table.rows), len(result.records)
    assert records_in == records_out, "merge must keep every record of the list"

    # --- report
    files_out = [x.result for x in incoming] + [x.result for x in police_in]
    files_out += sorted(refused, key=lambda r: (r.path.name, r.sha256))
    notes = {r: list(v) for r, v in g.notes.items()}
    for r, v in pg.notes.items():
        notes.setdefault(r, []).extend(v)
    merge_report = MergeReport(
        source=SourceInfo(path=str(original), sha256=source_sha, sheet=table.sheet,
                          header_row=table.header_row),
        split_id=sorted(accepted),
        source_matches_split=source_matches,
        manifest=manifests_used,
        missing_checked=bool(entries),
        output=str(out),
        files=files_out,
        changes=changes,
        earlier_changes=list(earlier_log),
        conflicts=conflicts,
        rejected=rejected,
        added=g.added,
        missing=g.missing,
        not_returned=[e.hamlet for e in missed],
        original_edits=g.original_edits,
        notes=[Note(row=r, hamlet=h, note=t) for r in sorted(notes) for h, t in notes[r]],
        police=PoliceBlock(
            files=[str(x.file.path) for x in police_in],
            list_id=P.list_id_for(source_sha),
            verified=pg.verified,
            corrected=pg.corrected,
            changes=sum(1 for c in changes if c.hamlet == POLICE_LABEL),
            unresolved=pg.unresolved,
            not_verified=pg.not_verified,
            unmatched=pg.unmatched,
            overruled=overruled,
        ),
        summary=MergeSummary(
            files=len(files_out), refused=len(refused),
            changes=len(changes), conflicts=len(conflicts),
            rejected=sum(1 for r in rejected if not r.applied), added=len(g.added),
            original_edits=len(g.original_edits),
            missing=len(g.missing), not_returned=len(missed),
            records_in=records_in, records_out=records_out,
            police_files=len(police_in), police_verified=pg.verified,
            police_corrected=pg.corrected, police_unresolved=len(pg.unresolved),
            police_not_verified=len(pg.not_verified),
            police_unmatched=len(pg.unmatched), overruled=len(overruled),
        ),
        validation=result.summary(),
    )

    # --- MERGED, then the JSON
    for r, v in pg.remarks.items():
        notes.setdefault(r, []).extend(v)
    write_merged(out_tmp, table, merged_rows, result, merge_report, new_values=new_values,
                 status_col=status_col, notes=notes, not_returned=missed,
                 hamlets=bool(incoming or not police_in), police=bool(police_in))
    if rep_tmp is not None:
        merge_report.write(rep_tmp)
    s = merge_report.summary
    log_line(f"merge files={s.files} refused={s.refused} changes={s.changes} "
             f"conflicts={s.conflicts} added={s.added} missing={s.missing} "
             f"not_returned={s.not_returned} police_files={s.police_files} "
             f"police_verified={s.police_verified} "
             f"police_corrected={s.police_corrected} "
             f"police_unresolved={s.police_unresolved} "
             f"police_not_verified={s.police_not_verified} overruled={s.overruled} "
             f"records_in={records_in} records_out={records_out}")
    return MergeOutcome(table, result, out, rep, merge_report)
