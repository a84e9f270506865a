"""``vaxclean progress``: where the cleaning of each commune list stands, hamlet by hamlet.

Reads only what the other commands wrote (nothing is kept anywhere else) and writes one
workbook with one sheet per commune list:

* ``validate --json`` reports (``vaxclean.validation/1``): each record's group at validation;
* split manifests (``manifest.json``, ``vaxclean.split/1``): which hamlet got which records;
* merge reports (``vaxclean.merge/1``): files returned and merged, changes, the re-validation
  and, when present, its ``police`` block (read defensively: the police files it names are
  read like police lists given here; row lists under verified/corrected/unresolved count;
  counts and unknown shapes are ignored);
* police lists (``.xlsx`` with the meta sheet ``vaxclean.police/1``, or re-saved without it:
  found by their sheet "Danh sách đối chiếu" and headers), blank or returned;
* ``export-import`` reports (``<import>.baocao.xlsx``; an import file given alone is
  followed to its report beside it);
* ``edit-list`` worklists (column "Đã sửa trên nền tảng" Có/Chưa).

INPUT is any mix of files and folders (folders are walked, sub-folders too; files that are
none of the above are passed over). A file named explicitly that cannot be read, or a JSON
file that is not a report of vaxclean, stops the command (exit 2); a spreadsheet named
explicitly that is none of the above is taken as a possible commune list (used to find the
hamlets of its records).

Which commune list a file belongs to (the list's identity is its source file's SHA-256):
manifests and merge reports carry it; a validation report carries the source path, whose
file is hashed (or, when it is gone, looked up in the manifests/merge reports that recorded
that path). A merge's output is the same commune list (linked by hashing the merged file,
only when its "Phân loại" column still matches the merge report's re-validation), so a police
list made from the merged list (its meta sheet holds that file's hash) joins the list too.
Import reports are matched by the list file name they record, worklists by their rows and
hamlets; when only one commune list is known, both go to it. The sheet's "original" is the
list that is no merge's output.

Hamlet of a record: its hamlet in the split manifest; else the hamlet read from the source
list (``read_table`` + ``hamlet_names``, the grouping every command uses), when the file is
still there unchanged; else from the latest merge's output; else what the file itself
prints (police list, worklist) or "(không xác định được thôn)".

Columns per hamlet (numbers of records unless said otherwise):

* the four groups at validation (the report of the original list; the newest if several);
* "Tệp đã gửi": hamlet files sent (manifests; normally 0 or 1) and "Bản ghi đã gửi";
* "Đã trả về": Có when a merge report lists a merged hamlet file (``kind`` hamlet, not the
  police's) of the hamlet, Chưa when a file was sent and none came back, empty when nothing
  was sent;
* "Thay đổi đã gộp": changed cells, distinct (row, field) over every merge of the list
  (chained merges included: a merge into an earlier merge's output), counted in the hamlet
  of the record (so the police's changes count in the person's hamlet);
* "Công an đã xác minh": records the police marked Đúng or Sai on a police list of this list
  (distinct rows over every copy read), plus rows the merge's police block lists;
* "Đã xuất file import": records written to an import file (the reports' "Đã ghi" rows);
* "Đã sửa trên nền tảng": worklist rows marked "Có";
* **"Còn tồn"** (open): the records in error at validation (group not OK) minus those that
  are OK in the latest merge's validation, i.e. ``|E0 ∩ still wrong|``. Without any merge
  nothing is fixed yet, so open = E0. The per-record groups of the latest merge come from the
  "Phân loại" column of its output workbook; when that file is gone or no longer matches the
  report, open is not derivable per hamlet and only the total is given, as
  ``min(E0, records not OK in the merge report's validation summary)``. Records that were
  correct at validation and broken later are not counted (they were never "in error at
  validation"). Without a validation report E0 is taken from an errors-only split manifest;
  without either, open is unknown (empty).

The latest merge is the newest (file time) merge report whose output still matches it, else
the newest one.

Every output is read through its format's reader; :mod:`.link` finds and links them,
:mod:`.compute` works out the figures, :mod:`.write` hands them to
``formats.progress_workbook``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from vaxclean_xl.commands.progress.compute import HamletProgress, ListProgress, build_list
from vaxclean_xl.commands.progress.link import ProgressError, group, read_inputs
from vaxclean_xl.commands.progress.write import name_sheets, write
from vaxclean_xl.errors import E

__all__ = ["HamletProgress", "ListProgress", "ProgressError", "ProgressOutcome", "progress"]


@dataclass(slots=True)
class ProgressOutcome:
    output: Path
    lists: list[ListProgress]
    skipped: list[Path] = field(default_factory=list)  # files in folders not recognised
    warnings: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 0


def progress(inputs: list[Path], output: Path) -> ProgressOutcome:
    """Read the outputs named by ``inputs`` (files and folders) and write the progress
    workbook ``output`` (one sheet per commune list; see the package docstring).

    Raises :class:`~vaxclean_xl.errors.VaxcleanError` (exit 2) when an input is missing or
    unreadable, or when no output of vaxclean is found at all.
    """
    inputs = [Path(p) for p in inputs]
    output = Path(output)
    if output.suffix.lower() != ".xlsx":
        raise ProgressError(f"Tệp báo cáo tiến độ phải có đuôi .xlsx, không phải "
                            f"«{output.suffix or '(không đuôi)'}».",
                            code=E.PROGRESS_OUTPUT_SUFFIX)
    found = read_inputs(inputs, output)
    groups, warnings = group(found)
    if not groups:
        raise ProgressError("Không tìm thấy tệp kết quả nào của vaxclean (báo cáo validate "
                            "--json, manifest.json, báo cáo gộp, danh sách công an…) trong "
                            "các đầu vào.", code=E.NO_RESULTS)
    lists = [build_list(g, found) for g in groups]
    lists.sort(key=lambda x: (x.name.casefold(), x.sha256 or ""))
    name_sheets(lists)
    write(output, lists)
    return ProgressOutcome(output, lists, sorted(set(found.skipped)), warnings)
