"""What comes back: the returned files named, read side by side, and the split they answer.

Folders are expanded (with the round folders a split made in them), manifests beside the
files picked up. ORIGINAL and every returned file are read on a few threads (calamine
parses without the GIL) while this thread checks ORIGINAL's records. A file of another
split, or not ours at all, is refused with one Vietnamese line and the merge goes on; a
manifest whose source hash differs from ORIGINAL stops the merge unless ``force``; without
a manifest the split ids of every round are derived from ORIGINAL's bytes.
"""

from __future__ import annotations

import datetime as _dt
import os
import tempfile
from collections import Counter
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from vaxclean_xl.commands.merge.match import Incoming, agrees, source_values
from vaxclean_xl.commands.merge.police import read_police
from vaxclean_xl.core.collate import hamlet_order
from vaxclean_xl.core.model import Record
from vaxclean_xl.core.validate import NO_HAMLET, check_rows
from vaxclean_xl.errors import E, InputError
from vaxclean_xl.formats import police_list as P
from vaxclean_xl.formats.hamlet_file import layout as L
from vaxclean_xl.formats.hamlet_file.reader import NotAHamletFile, ReturnedFile, read_returned
from vaxclean_xl.formats.merge_report import FileEntry
from vaxclean_xl.formats.split_manifest import (
    ManifestHamlet,
    ManifestRecord,
    SplitManifest,
    group_by_hamlet,
    read_manifest,
)
from vaxclean_xl.io.reader import Table, read_table

RETURNED_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
OUTPUT_SUFFIX = ".gop.xlsx"  # default MERGED name: '<stem>.gop.xlsx' beside ORIGINAL
# Threads reading the files: calamine parses without the GIL, so two cores read two files.
READ_THREADS = max(2, min(4, os.cpu_count() or 2))


class MergeError(InputError):
    """The merge cannot proceed at all (exit 2): wrong list, nothing usable came back."""

    code = E.MERGE


def collect_returned(inputs: Iterable[str | Path], skip: Iterable[Path] = ()
                     ) -> tuple[list[Path], list[Path], list[Path]]:
    """(spreadsheet files, manifest files, files left out as ``skip``) named by ``inputs``:
    files as given, folders expanded to their spreadsheets (not recursive), skipping
    lock/temp files, ORIGINAL and the merge's own outputs; a manifest beside a file or in a
    folder is picked up too. The third list holds the files found that are in ``skip``:
    the caller refuses to overwrite one that is not its own earlier output."""
    skipped = {p.resolve() for p in skip}
    files: dict[Path, None] = {}
    manifests: dict[Path, None] = {}
    held: dict[Path, None] = {}

    def wanted(p: Path) -> bool:
        name = p.name
        if name.startswith(("~$", ".~lock", ".")) or name.lower().endswith(OUTPUT_SUFFIX):
            return False
        if p.resolve() in skipped:
            held.setdefault(p, None)
            return False
        return True

    for item in inputs:
        p = Path(item)
        if p.is_dir():  # the folder, and the round folders 'lan-N' a split made in it
            for folder in (p, *L.round_folders(p).values()):
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
            else:
                held.setdefault(p, None)
            if (p.parent / L.MANIFEST_NAME).is_file():
                manifests.setdefault(p.parent / L.MANIFEST_NAME, None)
    unique: dict[Path, Path] = {}
    for f in files:
        unique.setdefault(f.resolve(), f)
    return list(unique.values()), list(manifests), list(held)


# --------------------------------------------------------------------------- reading


@dataclass(slots=True)
class Read:
    """ORIGINAL and the returned files as read."""

    table: Table
    checked: list[Record]  # ORIGINAL's records, checked row by row (no list-level checks)
    source: dict[int, dict[str, object]]  # ORIGINAL's cells by row and field
    source_sha: str
    hamlet_files: list[ReturnedFile]
    police_files: list[P.PoliceFile]
    refused: list[FileEntry]  # neither a hamlet file nor a police list


def _try_read_returned(path: Path, password: str | None, tmp: str
                       ) -> ReturnedFile | NotAHamletFile:
    """read_returned for the thread pool: the refusal is returned, not raised."""
    try:
        return read_returned(path, password, tmp)
    except NotAHamletFile as exc:
        return exc


def read_all(original: Path, files: list[Path], password: str | None, today: _dt.date, *,
             sheet: str | None = None, mapping: dict[str, str] | None = None) -> Read:
    """Read ORIGINAL (``sheet`` and ``mapping`` as for ``read_table``) and every returned
    file (a hamlet file, else a police list) on a few threads: calamine parses without the
    GIL, so the files are read side by side."""
    refused: list[FileEntry] = []
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
                                 today=today, dose_layout=table.dose_layout,
                                 person_rows=table.person_rows)
            source = source_values(table)
            source_sha = sha_job.result()
            for path, job in zip(files, jobs, strict=True):
                rf_or_exc = job.result()
                if isinstance(rf_or_exc, ReturnedFile):
                    readable.append(rf_or_exc)
                    continue
                pf = read_police(path) if path.is_file() else None
                if pf is not None:
                    police_read.append(pf)
                    continue
                sha = L.sha256_file(path) if path.is_file() else ""
                refused.append(FileEntry(path=path, sha256=sha, reason=rf_or_exc.message))
        except BaseException:  # stop: do not read the files still queued before saying so
            for job in jobs:
                job.cancel()
            raise
    return Read(table, checked, source, source_sha, readable, police_read, refused)


# --------------------------------------------------------------------------- the split


def _load_manifest(path: Path) -> SplitManifest | None:
    try:
        return read_manifest(path)
    except (OSError, ValueError):  # (NotAManifest is a ValueError)
        return None


def _virtual_manifest(table: Table, split_id: str, all_records: bool,
                      today: _dt.date | None) -> SplitManifest:
    """What the split wrote, rebuilt from ORIGINAL when no manifest came back (the split id
    is a hash of ORIGINAL's bytes and the --all flag, so both are known)."""
    from vaxclean_xl.commands.common import validate_table

    result = validate_table(table, today)
    chosen = [r for r in result.records if all_records or r.has_error]
    groups = group_by_hamlet(chosen, result.hamlet_of)
    return SplitManifest(split_id, [
        ManifestHamlet(h, f"{L.file_stem('' if h == NO_HAMLET else h)}.xlsx", "",
                       [ManifestRecord(L.make_key(split_id, r.row), r.row) for r in groups[h]])
        for h in sorted(groups, key=hamlet_order)])


def choose_split(manifest_paths: list[Path], readable: list[ReturnedFile], table: Table,
                 source: dict[int, dict[str, object]], source_sha: str, force: bool,
                 today: _dt.date | None) -> tuple[dict[str, SplitManifest], bool, list[str]]:
    """The accepted split ids with their manifest (real, or rebuilt from ORIGINAL), whether
    ORIGINAL is exactly the list that was split, and the manifest paths used."""
    manifests = [m for m in (_load_manifest(p) for p in manifest_paths) if m]
    ours = [m for m in manifests if m.source is not None and m.source.sha256 == source_sha]
    matches = bool(ours)
    if manifests and not ours:
        if not force:
            raise MergeError(
                "Danh sách gốc đã thay đổi kể từ khi chia tệp cho các thôn (mã kiểm tra khác "
                "với manifest.json của lần chia): hãy gộp vào đúng tệp đã dùng để chia, hoặc "
                "chạy lại với --force nếu chắc chắn.", code=E.SOURCE_CHANGED)
        ours = manifests
    paths = [str(m.path) for m in ours]
    if ours:
        return {m.split_id: m for m in ours}, matches, paths
    derived = {L.split_id_for(source_sha, flag, n): flag for flag in (False, True)
               for n in range(1, L.MAX_ROUNDS + 1)}  # every round of either kind of split
    present = {rf.split_id for rf in readable if rf.split_id}
    by_id = {sid: _virtual_manifest(table, sid, derived[sid], today)
             for sid in sorted(present & set(derived))}
    if by_id:
        return by_id, True, paths
    sid = _supported_split(readable, source)
    return ({sid: SplitManifest(sid)} if sid else {}), False, paths


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
                good += row.key[1] in source and agrees(row, source[row.key[1]])
        s = score.setdefault(rf.split_id, [0, 0, 0])
        s[0] += 1 if total and good >= 0.8 * total else 0
        s[1] += good
        s[2] += total
    ok = sorted((-s[0], -s[1], sid) for sid, s in score.items() if s[0])
    return ok[0][2] if ok else None


def accept_hamlet_files(readable: list[ReturnedFile], accepted: set[str],
                        entries: list[tuple[str, ManifestHamlet]]
                        ) -> tuple[list[Incoming], list[FileEntry]]:
    """The hamlet files of an accepted split (with their manifest entry), and the refused."""
    incoming: list[Incoming] = []
    refused: list[FileEntry] = []
    for rf in readable:
        fr = FileEntry(path=rf.path, sha256=rf.sha256, split_id=rf.split_id,
                       hamlet=rf.meta.get("hamlet", ""), sheet=rf.sheet)
        if rf.split_id is None:
            fr.reason = ("Không xác định được tệp thuộc lần chia nào (mất trang «vaxclean» và "
                         "cột «Mã bản ghi»).")
        elif rf.split_id not in accepted:
            ours = (f"lần chia của danh sách này: {', '.join(sorted(accepted))}"
                    if accepted else "không tìm thấy lần chia nào của danh sách này")
            fr.reason = f"Tệp thuộc một lần chia khác (mã {rf.split_id}; {ours}), không gộp."
        else:
            entry = _entry_for(rf, entries)
            fr.hamlet = rf.meta.get("hamlet") or (entry.hamlet if entry is not None else "")
            fr.status = "merged"
            incoming.append(Incoming(rf, fr, fr.hamlet, entry))
            continue
        refused.append(fr)
    return incoming, refused


def _entry_for(rf: ReturnedFile, entries: list[tuple[str, ManifestHamlet]]
               ) -> ManifestHamlet | None:
    """The manifest entry a returned file answers: by the file name the split wrote into
    its meta sheet, else by hamlet, else by where most of its keys belong."""
    mine = [e for sid, e in entries if sid == rf.split_id]
    name = rf.meta.get("file", "").casefold()
    hamlet = L.hamlet_key(rf.meta.get("hamlet", ""))
    for e in mine:
        if name and e.file.casefold() == name and (
                not hamlet or L.hamlet_key(e.hamlet) == hamlet):
            return e
    for e in mine:
        if hamlet and L.hamlet_key(e.hamlet) == hamlet:
            return e
    rows = Counter(r.key[1] for r in rf.rows if r.key and r.key[0] == rf.split_id)
    best, best_hits = None, 0
    for e in mine:
        hits = sum(rows[r] for r in e.rows)
        if hits > best_hits:
            best, best_hits = e, hits
    return best


def not_returned(incoming: list[Incoming], entries: list[tuple[str, ManifestHamlet]]
                 ) -> list[ManifestHamlet]:
    """The manifest entries of hamlets that sent nothing back: a hamlet has returned its
    file when a file of any round of the split came back (each hamlet listed once)."""
    covered = {L.hamlet_key(x.entry.hamlet) for x in incoming if x.entry is not None}
    out = []
    for _sid, e in entries:
        hk = L.hamlet_key(e.hamlet)
        if hk not in covered:
            covered.add(hk)  # listed once, whatever the number of rounds
            out.append(e)
    return out
