"""From proposals to new cell values: changes, conflicts, the police's overrides and the
corrections held back.

One distinct proposal for a cell is a change; several are a conflict (the original stays).
The police's value wins over the hamlets' and each hamlet value it replaces is overruled,
also a hamlet change an earlier merge applied (found in the list's own change log). An
invalid value never replaces a valid one: after applying, only the changed rows are checked
again, and a change that makes a cell fail a rule its original passed is held back
(``rejected``) unless the station accepted it.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence

from vaxclean_xl.commands.common import apply_values
from vaxclean_xl.commands.merge.match import CORRECTABLE, Proposal, new_text, same_value, show
from vaxclean_xl.core.model import Finding, Record, Severity
from vaxclean_xl.core.normalize import parse_date
from vaxclean_xl.core.validate import check_rows
from vaxclean_xl.formats.merge_report import (
    POLICE_LABEL,
    Change,
    Conflict,
    ConflictProposal,
    LoggedChange,
    OtherProposal,
    Overruled,
    Rejected,
)
from vaxclean_xl.io.reader import Table
from vaxclean_xl.logs import log_line

Cell = tuple[int, str]  # (source row, field)


def field_rank(f: str) -> int:
    """Fields in the merge's order (name, date of birth, sex, ID), others last."""
    return CORRECTABLE.index(f) if f in CORRECTABLE else len(CORRECTABLE)


def _distinct(f: str, props: list[Proposal]) -> list[Proposal]:
    distinct: list[Proposal] = []
    for p in props:
        if not any(same_value(f, p.value, d.value) for d in distinct):
            distinct.append(p)
    return distinct


def _change(src_row: int, f: str, old: str, p: Proposal) -> Change:
    return Change(row=src_row, field=f, old=old, new=p.text, file=p.file, hamlet=p.hamlet,
                  file_row=p.file_row, match=p.how)


def decide(proposals: dict[Cell, list[Proposal]], source: dict[int, dict[str, object]],
           police: dict[Cell, list[Proposal]] | None = None,
           ) -> tuple[list[Change], list[Conflict], dict[Cell, object], list[Overruled]]:
    """One distinct proposal for a cell is a change; several are a conflict and the
    original value stays. The police's value for a cell wins over the hamlets' (each hamlet
    proposal that differs from it is overruled); two different police values for one cell
    are a conflict. Returns (changes, conflicts, new cell values, overruled), sorted by
    (row, field)."""
    police = police or {}
    changes: list[Change] = []
    conflicts: list[Conflict] = []
    overruled: list[Overruled] = []
    new_values: dict[Cell, object] = {}

    def order(p: Proposal) -> tuple[int, int]:
        return (p.file_index, p.file_row)

    def listed(props: list[Proposal]) -> list[ConflictProposal]:
        return [ConflictProposal(value=p.text, file=p.file, hamlet=p.hamlet, file_row=p.file_row)
                for p in props]

    for (src_row, f) in sorted({*proposals, *police}, key=lambda k: (k[0], field_rank(k[1]))):
        props = sorted(proposals.get((src_row, f), ()), key=order)
        pols = sorted(police.get((src_row, f), ()), key=order)
        current = source[src_row].get(f)
        old = show(f, current)
        if pols:
            distinct = _distinct(f, pols)
            if len(distinct) > 1:
                conflicts.append(Conflict(row=src_row, field=f, old=old, kind="police",
                                          proposals=listed(pols + props)))
                continue
            p = distinct[0]
            if not same_value(f, p.value, current):
                new_values[(src_row, f)] = _new_value(f, p.value, current)
                changes.append(_change(src_row, f, old, p))
            for h in props:
                if not same_value(f, h.value, p.value):
                    overruled.append(Overruled(
                        row=src_row, field=f, old=old, hamlet_value=h.text,
                        police_value=p.text, hamlet_file=h.file, hamlet=h.hamlet,
                        hamlet_file_row=h.file_row, police_file=p.file,
                        police_file_row=p.file_row, verdict=p.verdict))
            continue
        distinct = _distinct(f, props)
        if len(distinct) == 1:
            p = distinct[0]
            new_values[(src_row, f)] = _new_value(f, p.value, current)
            changes.append(_change(src_row, f, old, p))
        else:
            kind = "duplicate_key" if len({p.file_index for p in props}) == 1 else "files"
            conflicts.append(Conflict(row=src_row, field=f, old=old, kind=kind,
                                      proposals=listed(props)))
    return changes, conflicts, new_values, overruled


def _new_value(f: str, typed: object, old: object) -> object:
    """The cell written into MERGED: :func:`new_text`, or a real date where the original
    cell held one."""
    text = new_text(f, typed)
    if f == "dob":
        d, _ = parse_date(text)
        if d is not None and isinstance(old, _dt.date):
            return _dt.datetime(d.year, d.month, d.day)
    return text


# --------------------------------------------------------------------------- held back


def _blamed(rec: Record, f: str) -> list[Finding]:
    """The record's errors that blame field ``f`` (as the field checked or a cell that
    shares the blame, e.g. the sex cell of a sex-digit mismatch)."""
    return [x for x in rec.findings
            if x.severity is Severity.ERROR and (x.field == f or f in x.also)]


def _invalid_corrections(changed: list[int], fresh: list[Record], before: list[Record],
                         new_values: dict[Cell, object]) -> dict[Cell, list[Finding]]:
    """Changes that make a cell fail a rule its original value passed, or passed once the
    rule's certain fix is made (a shorter ID typed over one whose lost zero was certain):
    (row, field) -> the new value's errors."""
    held: dict[Cell, list[Finding]] = {}
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


def _rejected(ch: Change, errs: list[Finding], others: list[OtherProposal],
              applied: bool) -> Rejected:
    return Rejected(row=ch.row, field=ch.field, old=ch.old, new=ch.new, file=ch.file,
                    hamlet=ch.hamlet, file_row=ch.file_row, match=ch.match,
                    codes=sorted({x.code for x in errs}), messages=[x.message for x in errs],
                    others=others, applied=applied)


def _hold_back(held: dict[Cell, list[Finding]], new_values: dict[Cell, object],
               changes: list[Change], overruled: list[Overruled],
               proposals: list[dict[Cell, list[Proposal]]], rejected: list[Rejected]) -> None:
    """Keep the original value of each held cell and list the pair as rejected (with the
    other proposals for the cell, e.g. the hamlet values the police value overruled)."""
    for key, errs in held.items():
        new_values.pop(key, None)
        ch = next(c for c in changes if (c.row, c.field) == key)
        changes.remove(ch)
        others = [OtherProposal(value=p.text, hamlet=p.hamlet, file=p.file, file_row=p.file_row)
                  for by_cell in proposals for p in by_cell.get(key, ())
                  if not (p.file == ch.file and p.file_row == ch.file_row)]
        overruled[:] = [o for o in overruled if (o.row, o.field) != key]
        rejected.append(_rejected(ch, errs, others, False))
        log_line(f"merge row={key[0]} field={key[1]}: correction held back "
                 f"({','.join(sorted({x.code for x in errs}))})")


def settle(table: Table, checked: list[Record], new_values: dict[Cell, object],
           changes: list[Change], overruled: list[Overruled],
           proposals: list[dict[Cell, list[Proposal]]], accept: set[Cell],
           today: _dt.date) -> tuple[list[tuple[int, list]], list[Rejected]]:
    """Apply the changes, check the changed rows again and hold back each correction whose
    new value is invalid where the old one was not (unless in ``accept``: then it is
    applied and listed as such), until none is left. ``checked`` (ORIGINAL's records) gets
    the changed rows' fresh records; returns MERGED's rows and the rejected corrections."""
    rejected: list[Rejected] = []
    while True:  # an invalid value never replaces a valid one: hold it back, check again
        merged_rows, changed = apply_values(table, new_values)
        # a new name is typed in Unicode: the legacy font of the old cell no longer applies
        renamed = {r for r, f in new_values if f == "full_name"}
        fonts = {r: font for r, font in table.name_fonts.items() if r not in renamed}
        fresh = check_rows([merged_rows[i] for i in changed], table.columns, name_fonts=fonts,
                           today=today, dose_layout=table.dose_layout,
                           person_rows=table.person_rows)
        held = _invalid_corrections(changed, fresh, checked, new_values)
        if not held.keys() - accept:
            break
        _hold_back({k: v for k, v in held.items() if k not in accept}, new_values, changes,
                   overruled, proposals, rejected)
    for i, rec in zip(changed, fresh, strict=True):
        checked[i] = rec
    for key in sorted(held.keys() & accept):  # applied because the station said so
        ch = next(c for c in changes if (c.row, c.field) == key)
        rejected.append(_rejected(ch, held[key], [], True))
    return merged_rows, sorted(rejected, key=lambda r: (r.row, field_rank(r.field)))


# --------------------------------------------------------------------------- earlier merges


def overruled_earlier(changes: list[Change], police: dict[Cell, list[Proposal]],
                      earlier_log: Sequence[LoggedChange], source: dict[int, dict[str, object]]
                      ) -> list[Overruled]:
    """Hamlet changes an earlier merge applied that the police reverse now: the police's
    value for a cell differs from the value a hamlet's logged change put there (and which the
    list still holds). Found from the list's own change log, for the README's flow where the
    police list is merged in a later call than the hamlet files."""
    latest: dict[Cell, LoggedChange] = {}
    for c in earlier_log:
        if c.hamlet != POLICE_LABEL:
            latest[(c.row, c.field)] = c
    applied = {(c.row, c.field): c for c in changes if c.hamlet == POLICE_LABEL}
    out: list[Overruled] = []
    for key, ch in sorted(applied.items(), key=lambda kv: (kv[0][0], field_rank(kv[0][1]))):
        logged = latest.get(key)
        if logged is None or not same_value(key[1], logged.new, source[key[0]].get(key[1])):
            continue  # no hamlet change, or the list no longer holds it
        p = next((p for p in police.get(key, ()) if p.file == ch.file
                  and p.file_row == ch.file_row), None)
        out.append(Overruled(
            row=key[0], field=key[1], old=logged.old, hamlet_value=logged.new,
            police_value=ch.new, hamlet_file=logged.file, hamlet=logged.hamlet,
            hamlet_file_row="", police_file=ch.file, police_file_row=ch.file_row,
            verdict=p.verdict if p else "Sai", earlier=True))
    return out
