"""Compare two `vaxclean demo` output folders: same files, same sheets, same cell values.

Used to show that a refactor keeps behaviour (issue 10): run the demo with the code before
and after into two folders, then

    python -m benchmarks.demo_compare BEFORE_DIR AFTER_DIR

Ignored: the folders' own paths (in JSON and cell texts), and the ids and hashes that come
from file bytes (split id, police list id, record keys, SHA-256 values: a workbook's bytes
hold its creation time). The demo fixes its seed, so any other difference is reported,
first the file, then the sheet and cell. Exit 0 when equal, 1 otherwise.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

_IDS = re.compile(r"\b[0-9a-f]{64}\b|\b[0-9a-f]{16}…|\b[0-9a-f]{8}(-[0-9]+-[0-9A-F]{4})?\b")
_HASH_KEYS = {"sha256", "source_sha256", "list_id", "split_id"}


def _norm(value: Any, roots: tuple[str, ...]) -> Any:
    if isinstance(value, str):
        for root in roots:
            value = value.replace(root, "<DIR>")
        return _IDS.sub("<ID>", value)
    if isinstance(value, dict):
        return {k: ("<ID>" if k in _HASH_KEYS else _norm(v, roots)) for k, v in value.items()}
    if isinstance(value, list):
        return [_norm(v, roots) for v in value]
    return value


def workbook_cells(path: Path, roots: tuple[str, ...]) -> dict[str, list[list[Any]]]:
    """Every sheet's values as calamine reads them (what a user sees)."""
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(path))
    out: dict[str, list[list[Any]]] = {}
    for name in wb.sheet_names:
        rows = [[_norm(v, roots) for v in row]
                for row in wb.get_sheet_by_name(name).to_python(skip_empty_area=False)]
        for row in rows:  # empty cells at a row's end are not seen (the used range may grow)
            while row and row[-1] == "":
                row.pop()
        while rows and not rows[-1]:
            rows.pop()
        out[name] = rows
    return out


def compare(before: Path, after: Path) -> list[str]:
    """Differences between two demo folders, one line each (empty when equal)."""
    roots = tuple(sorted((str(before), str(after)), key=len, reverse=True))
    diffs: list[str] = []
    files_b = {p.relative_to(before) for p in before.rglob("*") if p.is_file()}
    files_a = {p.relative_to(after) for p in after.rglob("*") if p.is_file()}
    for rel in sorted(files_b ^ files_a):
        diffs.append(f"{rel}: only in {'before' if rel in files_b else 'after'}")
    for rel in sorted(files_b & files_a):
        b, a = before / rel, after / rel
        if rel.suffix in (".xlsx", ".xlsm"):
            cb, ca = workbook_cells(b, roots), workbook_cells(a, roots)
            if list(cb) != list(ca):
                diffs.append(f"{rel}: sheets {list(cb)} != {list(ca)}")
            for name in cb.keys() & ca.keys():
                rows_b, rows_a = cb[name], ca[name]
                for r in range(max(len(rows_b), len(rows_a))):
                    rb = rows_b[r] if r < len(rows_b) else []
                    ra = rows_a[r] if r < len(rows_a) else []
                    if rb != ra:
                        diffs.append(f"{rel} [{name}] row {r + 1}: {rb!r} != {ra!r}")
                        break
        elif rel.suffix == ".json":
            jb = _norm(json.loads(b.read_text("utf-8")), roots)
            ja = _norm(json.loads(a.read_text("utf-8")), roots)
            if jb != ja:
                diffs.append(f"{rel}: JSON differs")
        elif rel.suffix == ".pdf":
            continue  # LibreOffice stamps creation times into PDFs
        elif b.read_bytes() != a.read_bytes():
            diffs.append(f"{rel}: bytes differ")
    return diffs


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    if len(args) != 2:
        print(__doc__)
        return 2
    diffs = compare(Path(args[0]), Path(args[1]))
    for line in diffs:
        print(line)
    print("same" if not diffs else f"{len(diffs)} differences")
    return 0 if not diffs else 1


if __name__ == "__main__":
    raise SystemExit(main())
