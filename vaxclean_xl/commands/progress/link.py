"""Finding the outputs and linking them to their commune list.

Every output is read through its format's reader (``formats.validation_report``,
``formats.split_manifest``, ``formats.merge_report``, ``formats.police_list``,
``formats.import_report``, ``formats.worklist``, ``formats.passport_report``); what is kept
here is only what the figures need. The outputs are then grouped into commune lists (a
union of the file hashes and recorded paths that name the same list), and each record row
is given its hamlet.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vaxclean_xl.core.model import CATEGORY_LABEL_VI, Category
from vaxclean_xl.core.normalize import hamlet_key
from vaxclean_xl.core.presentation import STATUS_HEADERS
from vaxclean_xl.core.validate import NO_HAMLET, build_record, hamlet_names
from vaxclean_xl.errors import E, VaxcleanError
from vaxclean_xl.formats import import_report as IR
from vaxclean_xl.formats import passport_report as PP
from vaxclean_xl.formats import police_list as P
from vaxclean_xl.formats import validation_report as VR
from vaxclean_xl.formats import worklist as WL
from vaxclean_xl.formats.hamlet_file import layout as L
from vaxclean_xl.formats.merge_report import SCHEMA as MERGE_SCHEMA
from vaxclean_xl.formats.merge_report import FileEntry, MergeReport
from vaxclean_xl.formats.progress_workbook import GROUPS, is_progress_workbook
from vaxclean_xl.formats.readback import header_key, read_meta
from vaxclean_xl.formats.split_manifest import SCHEMA as MANIFEST_SCHEMA
from vaxclean_xl.formats.split_manifest import SplitManifest
from vaxclean_xl.io.atomic import refuse_same_file
from vaxclean_xl.io.reader import column_index, iter_sheet_rows, read_table, sheet_names

SPREADSHEETS = (".xlsx", ".xlsm", ".xls", ".ods")


class ProgressError(VaxcleanError):
    """An input cannot be used (exit 2)."""

    code = E.PROGRESS


# --------------------------------------------------------------------------- documents read


@dataclass(slots=True)
class Validation:
    path: Path
    source: str  # as recorded
    sheet: str | None
    hamlet_col: int | None  # 0-based, from the report's "columns"
    categories: dict[int, Category]
    node: str = ""


@dataclass(slots=True)
class Manifest:
    path: Path
    sha: str
    source: str
    all_records: bool
    hamlets: list[tuple[str, str, list[int]]]  # (hamlet, file, rows)


@dataclass(slots=True)
class Merge:
    path: Path
    sha: str
    source: str
    output: str
    files: list[FileEntry]
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
class Police:
    path: Path
    list_id: str | None
    source_sha: str | None
    source_file: str
    verified: list[tuple[int | None, str]]  # (source row or None, hamlet as printed)
    rows: list[tuple[int | None, str]]  # every record row (for matching)


@dataclass(slots=True)
class Import:
    path: Path
    list_name: str
    baseline_name: str
    rows: list[int]


@dataclass(slots=True)
class Worklist:
    path: Path
    rows: list[tuple[int, str, bool]]  # (source row, hamlet as printed, done)


@dataclass(slots=True)
class Passport:
    """A passport report: the list it judged (file name) and each hamlet's statuses."""

    path: Path
    list_name: str
    since: str | None  # dd/mm/yyyy: only people with a dose since then
    hamlets: dict[str, dict[str, int]]  # hamlet -> status value -> persons


@dataclass(slots=True)
class Outputs:
    """The tool's outputs of one kind each (found in the folders, or of one list)."""

    validations: list[Validation] = field(default_factory=list)
    manifests: list[Manifest] = field(default_factory=list)
    merges: list[Merge] = field(default_factory=list)
    police: list[Police] = field(default_factory=list)
    imports: list[Import] = field(default_factory=list)
    worklists: list[Worklist] = field(default_factory=list)
    passports: list[Passport] = field(default_factory=list)


@dataclass(slots=True)
class Found(Outputs):
    """Everything the folders hold: the outputs, and spreadsheets that may be lists."""

    candidates: list[Path] = field(default_factory=list)  # spreadsheets: maybe a source list
    skipped: list[Path] = field(default_factory=list)
    seen: set[Path] = field(default_factory=set)


class Unusable(Exception):  # noqa: N818 - a refusal carried to the caller, not a crash
    """A file that is not (or no longer) a usable output; ``message`` is Vietnamese."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --------------------------------------------------------------------------- small helpers


_SHA_CACHE: dict[tuple[str, int, int], str] = {}


def sha(path: Path | None) -> str | None:
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


def mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def locate(recorded: str, near: Path, candidates: Iterable[Path] = ()) -> Path | None:
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
                    elif not is_progress_workbook(child):  # only its own may be replaced
                        raise ProgressError(
                            f"Tệp kết quả «{child.name}» là một tệp cần đọc trong thư mục "
                            f"«{p}»; ghi kết quả vào đó sẽ làm mất tệp này. Hãy chọn tên "
                            "hoặc thư mục khác cho tệp kết quả.", code=E.OUTPUT_IS_INPUT)
        elif p.is_file():
            refuse_same_file(output, p)
            items[p.resolve()] = (p, True)
        else:
            raise ProgressError(f"Không tìm thấy tệp hoặc thư mục «{p}».",
                                code=E.PROGRESS_INPUT_MISSING)
    return list(items.values())


def read_inputs(inputs: Sequence[Path], output: Path) -> Found:
    """Every output of vaxclean among ``inputs``, and the police lists the merge reports
    name (when not given); an unusable file named explicitly raises :class:`ProgressError`,
    one found in a folder is skipped."""
    found = Found()
    for path, explicit in _collect(inputs, output):
        try:
            classify(path, explicit, found)
        except Unusable as exc:
            if explicit:
                raise ProgressError(exc.message, code=E.PROGRESS_INPUT_UNUSABLE) from exc
            found.skipped.append(path)
    for m in found.merges:  # police files the merge names, not given here
        for recorded in m.police_files:
            p = locate(recorded, m.path.parent)
            if p is not None and p.resolve() not in found.seen:
                try:
                    classify(p, False, found)
                except Unusable:
                    pass
    return found


def classify(path: Path, explicit: bool, found: Found) -> None:
    key = path.resolve()
    if key in found.seen:
        return
    found.seen.add(key)
    if path.suffix.lower() == ".json":
        _classify_json(path, explicit, found)
    else:
        _classify_sheet(path, explicit, found)


def _classify_json(path: Path, explicit: bool, found: Found) -> None:
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, ValueError) as exc:
        raise Unusable(f"Không đọc được «{path.name}» (không phải JSON hợp lệ).") from exc
    schema = data.get("schema") if isinstance(data, dict) else None
    try:
        if schema == VR.SCHEMA:
            found.validations.append(_load_validation(path, VR.ValidationReport.from_dict(data)))
        elif schema == MANIFEST_SCHEMA:
            found.manifests.append(_load_manifest(SplitManifest.from_dict(data, path)))
        elif schema == MERGE_SCHEMA:
            found.merges.append(_load_merge(path, MergeReport.from_dict(data)))
        elif schema == PP.SCHEMA:
            found.passports.append(_load_passport(path, PP.PassportReport.from_dict(data)))
        elif explicit:
            raise Unusable(f"«{path.name}» không phải báo cáo của vaxclean (validate --json, "
                           "manifest.json của split, báo cáo JSON của merge hoặc của "
                           "passport).")
        else:
            found.skipped.append(path)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise Unusable(f"Báo cáo «{path.name}» bị hỏng hoặc thiếu thông tin.") from exc


def _load_validation(path: Path, report: VR.ValidationReport) -> Validation:
    if report.source is None:
        raise KeyError("source")
    cats: dict[int, Category] = {}
    for rec in report.records:
        if rec.row <= 0:
            raise ValueError("row")
        cats[rec.row] = rec.category
    letter = report.columns.get("hamlet")
    hamlet_col = column_index(letter) if isinstance(letter, str) else None
    return Validation(path, report.source.path, report.source.sheet or None, hamlet_col, cats)


def _load_manifest(manifest: SplitManifest) -> Manifest:
    if manifest.source is None or manifest.path is None:
        raise KeyError("source")
    return Manifest(manifest.path, manifest.source.sha256, manifest.source.path,
                    manifest.all_records, [(h.hamlet, h.file, h.rows) for h in manifest.hamlets])


def _load_merge(path: Path, report: MergeReport) -> Merge:
    return Merge(path, report.source.sha256, report.source.path, report.output, report.files,
                 [(c.row, c.field, c.hamlet) for c in report.changes if c.row > 0],
                 report.not_returned, report.validation, report.police.listed_rows,
                 report.police.files)


def _load_passport(path: Path, report: PP.PassportReport) -> Passport:
    hamlets = {h: {s.value: n for s, n in c.items()} for h, c in report.by_hamlet().items()}
    return Passport(path, report.source, report.since, hamlets)


def _classify_sheet(path: Path, explicit: bool, found: Found) -> None:
    try:
        names = sheet_names(path)
    except Exception as exc:
        raise Unusable(f"Không đọc được tệp «{path.name}» (hỏng, có mật khẩu hoặc không phải "
                       "bảng tính).") from exc
    try:
        if L.META_SHEET in names:
            meta = read_meta(list(iter_sheet_rows(path, L.META_SHEET)), "") or {}
            schema = meta.get("schema", "")
            if schema.startswith(_family(P.SCHEMA)):
                found.police.append(_load_police(path))
                return
            if schema.startswith(_family(L.SCHEMA_FILE)):  # a hamlet file: the merge report
                found.skipped.append(path)                 # says what came back
                return
        if P.DATA_SHEET in names:  # a police list whose meta sheet was lost (re-saved)
            try:
                found.police.append(_load_police(path))
                return
            except Unusable:
                pass
        if all(s in names for s in IR.SHEETS):
            found.imports.append(_load_import(path))
            return
        if WL.SHEET in names:
            wl = WL.read_worklist(path)
            if wl is not None:
                found.worklists.append(Worklist(path, [(r.source_row, r.hamlet, r.done)
                                                       for r in wl.rows]))
                return
    except Unusable:
        raise
    except VaxcleanError as exc:
        raise Unusable(f"Không đọc được tệp «{path.name}»: {exc.message}") from exc
    except Exception as exc:  # calamine's own errors
        raise Unusable(f"Không đọc được tệp «{path.name}» (hỏng).") from exc
    report = path.with_name(f"{path.stem}{IR.REPORT_SUFFIX}")
    if report.is_file() and report.resolve() != path.resolve():
        classify(report, explicit, found)  # an import file: its report says what it holds
        return
    found.candidates.append(path)  # a list (the source, a merged list…) or something else
    if not explicit:
        found.skipped.append(path)


def _family(schema: str) -> str:
    """'vaxclean.police/1' -> 'vaxclean.police/': a schema of any version."""
    return schema.partition("/")[0] + "/"


def _load_police(path: Path) -> Police:
    try:
        pf = P.read_police_file(path)
    except P.NotAPoliceList as exc:
        raise Unusable(exc.message) from exc
    list_id = pf.list_id
    verified: list[tuple[int | None, str]] = []
    rows: list[tuple[int | None, str]] = []
    for r in pf.rows:
        src_row = r.key[1] if r.key and (list_id is None or r.key[0] == list_id) else None
        item = (src_row, r.orig.get("hamlet", ""))
        rows.append(item)
        if r.verdict is not None:
            verified.append(item)
    return Police(path, list_id, pf.meta.get("source_sha256") or None,
                  pf.meta.get("source_file", ""), verified, rows)


def _load_import(path: Path) -> Import:
    try:
        report = IR.read_import_report(path)
    except IR.NotAnImportReport as exc:
        raise Unusable(exc.message) from exc
    return Import(path, report.list_name, report.baseline, [w.row for w in report.written])


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
class Group(Outputs):
    """What belongs to one commune list while it is being assembled."""

    root: str = ""  # node of the original list
    later_validations: list[Validation] = field(default_factory=list)
    names: set[str] = field(default_factory=set)  # file names of the list and its outputs
    source_paths: list[str] = field(default_factory=list)  # recorded paths of the original
    near: Path = Path(".")
    source_hamlets: tuple[Path | None, dict[int, str]] | None = None  # read once, lazily


def _check_merge_output(m: Merge, candidates: list[Path]) -> None:
    """Read the merge's output; keep its per-record groups and hamlets when its "Phân loại"
    column still gives the counts of the report's re-validation."""
    out = locate(m.output, m.path.parent, candidates)
    if out is None:
        return
    try:
        table = read_table(out)
    except VaxcleanError:
        return
    want = header_key(STATUS_HEADERS[0])
    status = [c for c, h in table.headers.items() if header_key(h) == want]
    if not status:
        return
    col = status[-1]
    by_label = {header_key(v): c for c, v in CATEGORY_LABEL_VI.items()}
    cats: dict[int, Category] = {}
    for row, values in table.rows:
        cat = by_label.get(header_key(values[col] if col < len(values) else None))
        if cat is None:
            return
        cats[row] = cat
    counts = {c.value: 0 for c in GROUPS}
    for cat in cats.values():
        counts[cat.value] += 1
    if m.validation.get("records") != len(cats) or any(
            m.validation.get(k) != n for k, n in counts.items()):
        return
    m.out_path, m.out_sha, m.out_categories = out, sha(out), cats
    m.out_hamlets = table_hamlets(table, table.columns.get("hamlet"))


def table_hamlets(table: Any, hamlet_col: int | None) -> dict[int, str]:
    """Row -> hamlet display name, grouped like every command groups them."""
    records = []
    for row, values in table.rows:
        value = values[hamlet_col] if hamlet_col is not None and hamlet_col < len(values) \
            else None
        records.append(build_record(row, {"hamlet": value}))
    names = hamlet_names(records)
    return {rec.row: names[rec.hamlet] for rec in records}


def group(found: Found) -> tuple[list[Group], list[str]]:
    """Assemble the commune lists (see the package docstring); return them and warnings."""
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
        where = locate(v.source, v.path.parent, found.candidates)
        digest = sha(where)
        norm = _norm(v.source, v.path.parent)
        v.node = f"sha:{digest}" if digest else (
            f"sha:{path_sha[norm]}" if norm in path_sha else f"path:{norm}")
        uf.add(v.node)
        if norm in merge_outputs:  # the validation of a merged list
            uf.union(v.node, merge_outputs[norm])
            output_nodes.add(v.node)
    known = {x for x in uf.parent if x.startswith("sha:")}

    def police_node(pl: Police) -> str | None:
        if pl.source_sha and f"sha:{pl.source_sha}" in uf.parent:
            return f"sha:{pl.source_sha}"
        if pl.list_id:
            for node in sorted(known):
                if P.list_id_for(node[4:]) == pl.list_id:
                    return node
        return None

    loose_police = [pl for pl in found.police if police_node(pl) is None]

    groups: dict[str, Group] = {}

    def group_of(node: str) -> Group:
        return groups.setdefault(uf.find(node), Group())

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

        def rank(n: str, g: Group = g) -> tuple[int, int, int, str]:
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
            g = groups.setdefault(f"sha:{pl.source_sha}", Group(root=f"sha:{pl.source_sha}"))
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
        g = _match_list(imp.list_name, imp.path, ordered, imp.baseline_name)
        if g is None:
            warnings.append(f"Không xác định được báo cáo import «{imp.path.name}» thuộc danh "
                            "sách nào: bỏ qua.")
        else:
            g.imports.append(imp)
    for pp in found.passports:
        g = _match_list(pp.list_name, pp.path, ordered)
        if g is None:
            g = _passport_group(pp, ordered)
        if g is None:
            warnings.append(f"Không xác định được báo cáo hộ chiếu vắc xin «{pp.path.name}» "
                            "thuộc danh sách nào: bỏ qua.")
        else:
            g.passports.append(pp)
    for wl in found.worklists:
        g = _match_worklist(wl, ordered, found)
        if g is None:
            warnings.append(f"Không xác định được danh sách sửa tay «{wl.path.name}» thuộc "
                            "danh sách nào: bỏ qua.")
        else:
            g.worklists.append(wl)
    return ordered, warnings


def _passport_group(pp: Passport, groups: list[Group]) -> Group | None:
    """A list of its own for a passport report no other output names (its list beside it,
    else known by its file name only); added to ``groups``."""
    if not pp.list_name:
        return None
    where = locate(pp.list_name, pp.path.parent)
    digest = sha(where)
    root = f"sha:{digest}" if digest else f"path:{_norm(pp.list_name, pp.path.parent)}"
    g = Group(root=root, near=pp.path.parent)
    g.names.add(pp.list_name.casefold())
    g.source_paths.append(str(where or pp.path.parent / pp.list_name))
    groups.append(g)
    return g


def _match_list(list_name: str, report: Path, groups: list[Group],
                baseline_name: str = "") -> Group | None:
    """The list a report was made from (import and passport reports record its file name):
    the file of that name beside the report (hashed), else the file names each list is
    known by, else (import reports) the validation report it names, else the only list."""
    if list_name:
        digest = sha(locate(list_name, report.parent))
        if digest:
            for g in groups:
                if g.root == f"sha:{digest}" or any(
                        m.out_sha == digest or m.sha == digest for m in g.merges) or any(
                        f"sha:{digest}" == v.node
                        for v in (*g.validations, *g.later_validations)):
                    return g
        hits = [g for g in groups if list_name.casefold() in g.names]
        if len(hits) == 1:
            return hits[0]
    if baseline_name:
        hits = [g for g in groups if any(v.path.name.casefold() == baseline_name.casefold()
                                         for v in g.validations)]
        if len(hits) == 1:
            return hits[0]
    return groups[0] if len(groups) == 1 else None


def _match_worklist(wl: Worklist, groups: list[Group], found: Found) -> Group | None:
    """By rows and hamlets: the list whose hamlet of each row agrees with the worklist for
    at least 80 % of its rows (the best one), else the only list there is."""
    if len(groups) == 1:
        return groups[0]
    best: tuple[float, int] | None = None
    for i, g in enumerate(groups):
        rows = row_hamlets(g, found, {r for r, _h, _d in wl.rows})[0]
        if not wl.rows:
            continue
        agree = sum(1 for r, h, _d in wl.rows
                    if r in rows and hamlet_key(rows[r]) == hamlet_key(h or NO_HAMLET))
        score = agree / len(wl.rows)
        if score >= 0.8 and (best is None or score > best[0]):
            best = (score, i)
    return groups[best[1]] if best else None


# --------------------------------------------------------------------------- row -> hamlet


def source_file(g: Group, found: Found) -> Path | None:
    """The original list, when it is still there unchanged."""
    for recorded in g.source_paths:
        p = locate(recorded, g.near, found.candidates)
        if p is not None and g.root == f"sha:{sha(p)}":
            return p
    return None


def row_hamlets(g: Group, found: Found, needed: set[int]) -> tuple[dict[int, str], Path | None]:
    """Row -> hamlet: manifests first, then the source list, then the latest merge's output
    (see the package docstring); also the source list used, if any."""
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
        for m in sorted(g.merges, key=lambda m: mtime(m.path), reverse=True):
            for r, h in (m.out_hamlets or {}).items():
                rows.setdefault(r, h)
    return rows, src


def _source_hamlets(g: Group, found: Found) -> tuple[Path | None, dict[int, str]]:
    """The hamlet of every record of the original list, read from the file (read once)."""
    src = source_file(g, found)
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
    return src, table_hamlets(table, col)
