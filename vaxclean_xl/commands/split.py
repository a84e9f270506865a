"""Split a validated list into one self-checking workbook per hamlet (procedure step 2).

Writes each hamlet file atomically (encrypted with ``--password`` through msoffcrypto-tool),
then ``manifest.json`` describing the split so ``merge`` can check what comes back.

Files already out in the hamlets are never destroyed: a second split of the same list into
the same folder reuses the first (a file that differs from what the manifest recorded has
been edited and is kept as it is; only a missing file is written again), a split of another
list or with other options into a folder that holds one is refused, and ``new_round`` starts
a new round with its own split id in '<folder>/lan-N/' (merge accepts every round).
"""

from __future__ import annotations

import datetime as _dt
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from vaxclean_xl.commands.common import open_list
from vaxclean_xl.core import sheetcheck
from vaxclean_xl.core.collate import hamlet_order
from vaxclean_xl.core.model import Record
from vaxclean_xl.core.normalize import format_date, id_text
from vaxclean_xl.core.validate import NO_HAMLET, Validation
from vaxclean_xl.errors import E, OutputError
from vaxclean_xl.formats.hamlet_file import HamletFile, HamletMeta, HamletRow, write_hamlet_file
from vaxclean_xl.formats.hamlet_file import layout as L
from vaxclean_xl.formats.split_manifest import (
    MANIFEST_NAME,
    ManifestHamlet,
    ManifestRecord,
    ManifestSource,
    NotAManifest,
    SplitManifest,
    group_by_hamlet,
    read_manifest,
)
from vaxclean_xl.io.atomic import output_batch, refuse_same_file
from vaxclean_xl.io.reader import Table
from vaxclean_xl.settings import Settings


@dataclass(slots=True)
class SplitFile:
    """One hamlet file of this split: where it is and the records it holds."""

    hamlet: str
    path: Path
    records: list[Record] = field(default_factory=list)


@dataclass(slots=True)
class SplitOutcome:
    table: Table
    result: Validation
    split_id: str
    files: list[SplitFile]
    manifest: Path
    round_no: int = 1
    folder: Path | None = None  # where this round's files are (the round's own folder)
    reused: bool = False  # the folder already held this split: nothing was replaced
    written: list[Path] = field(default_factory=list)  # files written by this call
    kept_edited: list[Path] = field(default_factory=list)  # edited since split: kept


class SplitRefused(OutputError):
    """The folder holds files a split must not replace (exit 2, nothing written);
    ``why`` is what is in the folder, without the CLI's advice (the Excel button asks
    instead)."""

    code = E.SPLIT_REFUSED

    def __init__(self, message: str, *, why: str = "") -> None:
        super().__init__(message)
        self.why = why or message


def hamlet_row(rec: Record, split_id: str) -> HamletRow:
    """The texts a hamlet worker sees for one record."""
    values = {f: rec.text(f) for f in L.ORIG_HEADERS}
    if rec.dob is not None:
        values["dob"] = format_date(rec.dob)
    values["id_number"] = id_text(rec.cells.get("id_number"))[0]
    problems = []
    for f in rec.findings:
        line = f.message + (f" Gợi ý: {f.suggestion}." if f.suggestion else "")
        problems.append(line)
    codes = sheetcheck.sheet_codes([f.code for f in rec.findings])
    return HamletRow(L.make_key(split_id, rec.row), rec.row, values, "\n".join(problems), codes)


def split_file(
    src: str | Path,
    outdir: str | Path,
    *,
    all_records: bool = False,
    password: str | None = None,
    settings: Settings | None = None,
    settings_file: str | Path | None = None,
    sheet: str | None = None,
    mapping: dict[str, str] | None = None,
    today: _dt.date | None = None,
    new_round: bool = False,
) -> SplitOutcome:
    """Write one .xlsx per hamlet and the manifest into ``outdir`` (round 1) or, with
    ``new_round``, into a new round folder '<outdir>/lan-N'; return what is there.

    Raises :class:`SplitRefused` (nothing written) when ``outdir`` holds files of another
    split or files no manifest accounts for."""
    src, outdir = Path(src), Path(outdir)
    opened = open_list(src, sheet=sheet, mapping=mapping, settings=settings,
                       settings_file=settings_file, with_settings=True, today=today)
    table, settings, result = opened.table, opened.settings, opened.validation
    source_sha = L.sha256_file(src)
    rounds = existing_rounds(outdir)
    if new_round and (rounds or _foreign_files(outdir)):
        round_no = max([1, *rounds]) + 1
        folder = outdir / f"{L.ROUND_PREFIX}{round_no}"
        if folder.exists() and any(folder.iterdir()):
            raise SplitRefused(f"Thư mục «{folder}» đã có tệp; không ghi đè. Hãy chọn thư mục "
                               "khác (-d).")
    else:
        round_no, folder = 1, outdir
    split_id = L.split_id_for(source_sha, all_records, round_no)
    chosen = [r for r in result.records if all_records or r.has_error]
    groups = group_by_hamlet(chosen, result.hamlet_of)
    plan = _plan_files(groups, folder)
    for target, _hamlet, _recs in plan:
        refuse_same_file(target, src)
    earlier = _load_manifest(folder / MANIFEST_NAME) if folder.is_dir() else None
    keep: dict[str, str] = {}  # file name -> sha256 of a file this call leaves as it is
    if earlier is not None:
        keep = _reuse_or_refuse(earlier, folder, split_id, source_sha, plan)
    else:
        _refuse_foreign(folder, plan)
    files: list[SplitFile] = []
    written: list[Path] = []
    edited: list[Path] = []
    shas: dict[str, str] = {}
    manifest = folder / MANIFEST_NAME
    with output_batch() as batch:  # every file and the manifest, or nothing at all
        for target, hamlet, recs in plan:
            files.append(SplitFile(hamlet, target, recs))
            if target.name in keep:
                # a kept file keeps the hash the split recorded: an edit stays visible
                recorded = earlier.hamlet_for_file(target.name) if earlier else None
                shas[target.name] = (recorded.sha256 if recorded else "") or keep[target.name]
                if keep[target.name] != shas[target.name]:
                    edited.append(target)
                continue
            content = HamletFile(HamletMeta(split_id, hamlet, source_sha, target.name, round_no),
                                 [hamlet_row(r, split_id) for r in recs])
            tmp = batch.path(target)
            if password:
                with tempfile.TemporaryDirectory(prefix="vaxclean-") as d:
                    plain = Path(d) / "plain.xlsx"
                    write_hamlet_file(plain, content, settings=settings)
                    _encrypt(plain, tmp, password)
            else:
                write_hamlet_file(tmp, content, settings=settings)
            shas[target.name] = L.sha256_file(tmp)
            written.append(target)
        if earlier is None or written:
            SplitManifest(
                split_id,
                [ManifestHamlet(f.hamlet, f.path.name, shas[f.path.name],
                                [ManifestRecord(L.make_key(split_id, r.row), r.row)
                                 for r in f.records])
                 for f in files],
                ManifestSource(str(src), source_sha, table.sheet, table.header_row),
                round_no, all_records, bool(password),
            ).write(batch.path(manifest))
    return SplitOutcome(table, result, split_id, files, manifest, round_no, folder,
                        reused=earlier is not None, written=written, kept_edited=edited)


def existing_rounds(outdir: Path) -> dict[int, Path]:
    """The rounds of a split found in ``outdir``: round number -> its manifest (round 1 in
    the folder itself, round N in '<outdir>/lan-N/')."""
    found: dict[int, Path] = {}
    if not outdir.is_dir():
        return found
    if (outdir / MANIFEST_NAME).is_file():
        found[1] = outdir / MANIFEST_NAME
    for n, sub in L.round_folders(outdir).items():
        if (sub / MANIFEST_NAME).is_file():
            found[n] = sub / MANIFEST_NAME
    return found


def _plan_files(groups: dict[str, list[Record]], folder: Path
                ) -> list[tuple[Path, str, list[Record]]]:
    """(target, hamlet, records) per hamlet file, in hamlet order, with unique names."""
    plan: list[tuple[Path, str, list[Record]]] = []
    used: set[str] = set()
    for hamlet in sorted(groups, key=hamlet_order):
        stem = L.file_stem("" if hamlet == NO_HAMLET else hamlet)
        name, n = f"{stem}.xlsx", 2
        while name.casefold() in used:
            name, n = f"{stem}-{n}.xlsx", n + 1
        used.add(name.casefold())
        plan.append((folder / name, hamlet, groups[hamlet]))
    return plan


def _load_manifest(path: Path) -> SplitManifest | None:
    """A manifest written by split, or None when absent; unreadable is refused (it may
    describe files out in the hamlets)."""
    if not path.exists():
        return None
    try:
        return read_manifest(path)
    except NotAManifest as exc:
        raise SplitRefused(f"«{path}» không phải danh mục của một lần chia; không ghi đè. "
                           "Hãy chọn thư mục khác (-d).") from exc
    except (OSError, ValueError) as exc:
        raise SplitRefused(f"Không đọc được «{path}»: thư mục này có thể đang chứa các tệp đã "
                           "gửi thôn. Hãy chọn thư mục khác (-d).") from exc


def _reuse_or_refuse(earlier: SplitManifest, folder: Path, split_id: str, source_sha: str,
                     plan: list[tuple[Path, str, list[Record]]]) -> dict[str, str]:
    """The same split again: the files present (edited or not) are kept, only missing
    ones are written; another list or other options: refused, nothing written."""
    same_list = earlier.source is not None and earlier.source.sha256 == source_sha
    recorded = {h.file: h.rows for h in earlier.hamlets}
    planned = {t.name: [r.row for r in recs] for t, _h, recs in plan}
    if earlier.split_id != split_id or recorded != planned:
        why = ("của một danh sách khác" if not same_list else
               "của cùng danh sách nhưng với lựa chọn khác (--all) hoặc kết quả kiểm tra khác")
        what = (f"Thư mục «{folder}» đã có các tệp gửi thôn {why}. Để không mất các tệp các "
                "thôn đang sửa, không ghi đè.")
        raise SplitRefused(
            f"{what} Hãy chọn thư mục khác (-d), hoặc thêm --new-round để tạo lần chia mới "
            f"trong thư mục con «{L.ROUND_PREFIX}N» (khi gộp, tệp của mọi lần chia đều được "
            "nhận).", why=what)
    return {t.name: L.sha256_file(t) for t, _h, _r in plan if t.is_file()}


def _foreign_files(folder: Path) -> list[Path]:
    """Spreadsheets in ``folder`` that no manifest of this folder accounts for."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir()
                  if p.is_file() and p.suffix.lower() in (".xlsx", ".xlsm", ".xls", ".ods"))


def _refuse_foreign(folder: Path, plan: list[tuple[Path, str, list[Record]]]) -> None:
    """No manifest here: a file with the name a hamlet file would take is never replaced."""
    clash = [t for t, _h, _r in plan if t.exists()]
    if clash:
        names = ", ".join(f"«{t.name}»" for t in clash[:3]) + (" …" if len(clash) > 3 else "")
        what = (f"Thư mục «{folder}» đã có tệp {names} không thuộc lần chia nào (không có "
                f"{MANIFEST_NAME}); không ghi đè.")
        raise SplitRefused(f"{what} Hãy chọn thư mục khác (-d) hoặc chuyển các tệp đó đi.",
                           why=what)


def _encrypt(plain: Path, out: Path, password: str) -> None:
    """Standard Office encryption (Agile, AES): Excel, WPS and LibreOffice ask the password."""
    from msoffcrypto.format.ooxml import OOXMLFile

    with open(plain, "rb") as fi, open(out, "wb") as fo:
        OOXMLFile(fi).encrypt(password, fo)
