"""The progress workbook round-trips through its typed record: what ``progress`` writes is
read back as the sheets, lines and totals it was given."""

from __future__ import annotations

from vaxclean_xl.commands.demo import simulate_returns
from vaxclean_xl.commands.merge import merge_files
from vaxclean_xl.commands.progress import progress
from vaxclean_xl.commands.progress.write import workbook_of
from vaxclean_xl.commands.split import split_file
from vaxclean_xl.commands.validate import validate_file
from vaxclean_xl.core.model import Category
from vaxclean_xl.formats.progress_workbook import (
    KIND_VI,
    TOTAL_LABEL,
    ProgressLine,
    ProgressSheet,
    ProgressWorkbook,
    read_progress_workbook,
    write_progress_workbook,
)
from vaxclean_xl.sample import generate_sample


def _sheet(name: str, open_per_hamlet: bool, groups: bool) -> ProgressSheet:
    def counts(n: int) -> dict[Category, int] | None:
        return {c: n + i for i, c in enumerate(Category)} if groups else None

    lines = [ProgressLine("Xóm Đông", counts(1), 1, 4, True, 3, 2, 1, 0,
                          2 if open_per_hamlet else None),
             ProgressLine("Thôn Bắc", counts(0), 1, 2, False, 0, 0, 0, 1,
                          1 if open_per_hamlet else None),
             ProgressLine("(không xác định được thôn)", counts(2), 0, 0, None, 1, 0, 0, 0,
                          0 if open_per_hamlet else None)]
    total = ProgressLine(TOTAL_LABEL, counts(3), 2, 6, None, 4, 2, 1, 1, 3)
    return ProgressSheet(name=name, list_name=f"{name}.xlsx", source=f"/tmp/{name}.xlsx",
                         sha256="0123456789abcdef" if groups else None,
                         used={k: i for i, k in enumerate(KIND_VI)},
                         note="Một ghi chú." if not open_per_hamlet else "",
                         lines=lines, total=total)


def test_written_workbook_reads_back(tmp_path):
    book = ProgressWorkbook([_sheet("xa-a", True, True), _sheet("xa-b", False, False)])
    path = tmp_path / "tien-do.xlsx"
    write_progress_workbook(path, book)
    assert read_progress_workbook(path) == book


def test_progress_output_reads_back(tmp_path):
    """A real run: validate, split, returned files, merge, then progress over the folder."""
    src = tmp_path / "danh-sach.xlsx"
    generate_sample(src, rows=160, seed=5)
    validate_file(src, tmp_path / "danh-sach.kiemtra.xlsx", tmp_path / "kiemtra.json")
    split = split_file(src, tmp_path / "gui")
    simulate_returns(tmp_path / "gui", tmp_path / "tra-ve",
                     {r.row: r for r in split.result.records}, seed=5)
    merge_files(src, [tmp_path / "tra-ve", tmp_path / "gui" / "manifest.json"],
                tmp_path / "gop.xlsx", tmp_path / "gop.json")
    outcome = progress([tmp_path], tmp_path / "tien-do.xlsx")
    book = read_progress_workbook(outcome.output)
    assert book == workbook_of(outcome.lists)
    (sheet,) = book.sheets
    assert sheet.open_per_hamlet and sheet.total.open == outcome.lists[0].total.open
    assert sum(line.returned is True for line in sheet.lines) >= 1
