"""The figures of one commune list, hamlet by hamlet (see the package docstring for what
each column counts and where "Còn tồn" comes from)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from vaxclean_xl.commands.progress.link import (
    Found,
    Group,
    Merge,
    Passport,
    mtime,
    row_hamlets,
    source_file,
)
from vaxclean_xl.core.collate import hamlet_order
from vaxclean_xl.core.model import Category
from vaxclean_xl.core.normalize import hamlet_key
from vaxclean_xl.core.validate import NO_HAMLET
from vaxclean_xl.formats.progress_workbook import (
    DEFAULT_NAME,
    GROUPS,
    PASSPORT_STATUSES,
    TOTAL_LABEL,
    UNKNOWN_HAMLET,
)


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
    passport: dict[str, int] | None = None  # passport status value -> persons (no report: None)


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
    with_passport: bool = False  # a passport report was read: its readiness per hamlet


def _canon(names: dict[str, str], name: str) -> str:
    """One display name per hamlet (``hamlet_key``: case, spaces, Unicode form)."""
    if not name.strip() or name in (NO_HAMLET, UNKNOWN_HAMLET):
        return name if name.strip() else NO_HAMLET
    return names.setdefault(hamlet_key(name), name)


def _latest_merge(merges: list[Merge]) -> Merge | None:
    if not merges:
        return None
    return max(merges, key=lambda m: (m.out_categories is not None, mtime(m.path),
                                      str(m.path)))


def build_list(g: Group, found: Found) -> ListProgress:
    """The lines, the total and the notes of one commune list (its sheet name is given
    later, when every list is known)."""
    validation = max(g.validations, key=lambda v: (mtime(v.path), str(v.path)), default=None)
    latest = _latest_merge(g.merges)

    # rows every column needs a hamlet for
    needed: set[int] = set(validation.categories) if validation else set()
    needed |= {r for m in g.merges for r, _f, _h in m.changes}
    needed |= {r for m in g.merges for r in m.police_rows}
    needed |= {r for pl in g.police for r, _h in pl.verified if r}
    needed |= {r for imp in g.imports for r in imp.rows}
    needed |= {r for wl in g.worklists for r, _h, _d in wl.rows}
    row_hamlet, src = row_hamlets(g, found, needed)

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
        not_hamlets |= {f.hamlet for f in m.files if f.kind != "hamlet" and f.hamlet}
    for m in g.merges:
        for f in m.files:
            if f.status == "merged" and f.hamlet and f.kind == "hamlet":
                name = line(f.hamlet).hamlet
                returned.add(name)
                if not g.manifests:  # sent, as the merge saw it
                    sent_files.setdefault(name, set()).add((str(m.path), str(f.path)))
                    sent_rows.setdefault(name, set())
                    line(name).records_sent = max(line(name).records_sent, f.records)
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
    for m in sorted(g.merges, key=lambda m: mtime(m.path)):
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
    # --- passport readiness (the newest passport report of the list)
    passport = _passport_report(g)
    if passport is not None:
        for hamlet, counts in passport.hamlets.items():
            h = line(hamlet)
            h.passport = {s: (h.passport or {}).get(s, 0) + counts.get(s, 0)
                          for s in PASSPORT_STATUSES}
        if passport.since:
            notes.append(f"Báo cáo hộ chiếu vắc xin «{passport.path.name}» chỉ xét người có "
                         f"mũi tiêm từ ngày {passport.since}.")
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
    if passport is not None:
        total.passport = {s: sum((h.passport or {}).get(s, 0) for h in hamlets)
                          for s in PASSPORT_STATUSES}
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
        "merge": [m.path for m in sorted(g.merges, key=lambda m: mtime(m.path))],
        "police": [pl.path for pl in g.police],
        "import": [imp.path for imp in g.imports],
        "worklist": [wl.path for wl in g.worklists],
    }
    if g.passports:
        used["passport"] = [pp.path for pp in g.passports]
    name = _list_name(g)
    return ListProgress(sheet="", name=name, sha256=g.root[4:] if g.root.startswith("sha:")
                        else None, source=src or source_file(g, found), hamlets=hamlets,
                        total=total, open_per_hamlet=per_hamlet, used=used, notes=notes,
                        with_groups=validation is not None,
                        with_passport=passport is not None)


def _passport_report(g: Group) -> Passport | None:
    """The passport report whose readiness is shown: the newest of the whole list, else
    the newest of a day's list (``--since``)."""
    if not g.passports:
        return None
    return max(g.passports, key=lambda p: (p.since is None, mtime(p.path), str(p.path)))


def _list_name(g: Group) -> str:
    for recorded in g.source_paths:
        if recorded:
            return Path(recorded).name
    if g.root.startswith("path:"):
        return Path(g.root[5:]).name
    return DEFAULT_NAME
