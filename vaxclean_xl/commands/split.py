"""Split a validated list into one self-checking workbook per hamlet (procedure step 2).

Writes each hamlet file atomically (encrypted with ``--password`` through msoffcrypto-tool),
then ``manifest.json`` describing the split so ``merge`` can check what comes back.
"""

from __future__ import annotations

import datetime as _dt
import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from vaxclean_xl.commands.validate import validate_table
from vaxclean_xl.core import sheetcheck
from vaxclean_xl.core.model import Record
from vaxclean_xl.core.normalize import format_date, id_text
from vaxclean_xl.core.validate import NO_HAMLET, Validation
from vaxclean_xl.io import hamlet_layout as L
from vaxclean_xl.io.atomic import atomic_path, refuse_same_file
from vaxclean_xl.io.hamlet_writer import HamletRow, write_hamlet_file
from vaxclean_xl.io.reader import Table, read_table
from vaxclean_xl.settings import Settings, load_settings


@dataclass(slots=True)
class HamletFile:
    hamlet: str
    path: Path
    records: list[Record] = field(default_factory=list)


@dataclass(slots=True)
class SplitOutcome:
    table: Table
    result: Validation
    split_id: str
    files: list[HamletFile]
    manifest: Path


def group_by_hamlet(chosen: list[Record], names: dict[str, str]) -> dict[str, list[Record]]:
    """Chosen records per hamlet display name (``Validation.hamlet_of``)."""
    groups: dict[str, list[Record]] = {}
    for rec in chosen:
        groups.setdefault(names[rec.hamlet], []).append(rec)
    return groups


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
) -> SplitOutcome:
    """Write one .xlsx per hamlet into ``outdir`` and the manifest; return what was written."""
    src, outdir = Path(src), Path(outdir)
    table = read_table(src, sheet=sheet, mapping=mapping)
    settings = settings or load_settings(settings_file, src)
    result = validate_table(table, today)
    source_sha = L.sha256_file(src)
    split_id = L.split_id_for(source_sha, all_records)
    chosen = [r for r in result.records if all_records or r.has_error]
    groups = group_by_hamlet(chosen, result.hamlet_of)
    outdir.mkdir(parents=True, exist_ok=True)
    files: list[HamletFile] = []
    used: set[str] = set()
    for hamlet in sorted(groups, key=L.hamlet_key):
        stem = L.file_stem("" if hamlet == NO_HAMLET else hamlet)
        name, n = f"{stem}.xlsx", 2
        while name.casefold() in used:
            name, n = f"{stem}-{n}.xlsx", n + 1
        used.add(name.casefold())
        target = outdir / name
        refuse_same_file(target, src)
        recs = groups[hamlet]
        meta = {"schema": L.SCHEMA_FILE, "split_id": split_id, "hamlet": hamlet,
                "source_sha256": source_sha, "file": name}
        rows = [hamlet_row(r, split_id) for r in recs]
        with atomic_path(target) as tmp:
            if password:
                with tempfile.TemporaryDirectory(prefix="vaxclean-") as d:
                    plain = Path(d) / "plain.xlsx"
                    write_hamlet_file(plain, hamlet=hamlet, rows=rows, settings=settings,
                                      meta=meta)
                    _encrypt(plain, tmp, password)
            else:
                write_hamlet_file(tmp, hamlet=hamlet, rows=rows, settings=settings, meta=meta)
        files.append(HamletFile(hamlet, target, recs))
    manifest = outdir / L.MANIFEST_NAME
    data = {
        "schema": L.SCHEMA_MANIFEST,
        "split_id": split_id,
        "source": {"path": str(src), "sha256": source_sha, "sheet": table.sheet,
                   "header_row": table.header_row},
        "options": {"all": all_records, "encrypted": bool(password)},
        "hamlets": [
            {"hamlet": f.hamlet, "file": f.path.name, "sha256": L.sha256_file(f.path),
             "records": [{"key": L.make_key(split_id, r.row), "row": r.row}
                         for r in f.records]}
            for f in files
        ],
    }
    with atomic_path(manifest) as tmp:
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    return SplitOutcome(table, result, split_id, files, manifest)


def _encrypt(plain: Path, out: Path, password: str) -> None:
    """Standard Office encryption (Agile, AES): Excel, WPS and LibreOffice ask the password."""
    from msoffcrypto.format.ooxml import OOXMLFile

    with open(plain, "rb") as fi, open(out, "wb") as fo:
        OOXMLFile(fi).encrypt(password, fo)
