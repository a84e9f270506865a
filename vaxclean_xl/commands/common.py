"""The opening every command repeats, written once: the default output beside the input,
refusing to overwrite an input, reading the list (sheet, column mapping), the station's
settings and validating the list with one ``today``. Also the list with new values put in
(merge's corrections, edit-list's old values), which two commands share.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

from vaxclean_xl.core.doses import load_catalogue
from vaxclean_xl.core.validate import Validation, validate_rows
from vaxclean_xl.errors import E, InputError
from vaxclean_xl.io.atomic import refuse_same_file, require_suffix
from vaxclean_xl.io.reader import Table, read_table
from vaxclean_xl.settings import Settings, load_settings

Progress = Callable[[str, int, int], None]
"""``progress(stage, done, total)``: stages "read", "check", "write", "done"."""


def beside(src: Path, suffix: str) -> Path:
    """'<stem><suffix>' beside ``src``: a command's default output (``src`` "." or "/",
    which reading refuses as folders, still gets a name here rather than a crash)."""
    if not src.name:
        src = src.resolve()
    if not src.name:  # the root folder
        return src / f"danh-sach{suffix}"
    return src.with_name(f"{src.stem}{suffix}")


def validate_table(table: Table, today: _dt.date | None = None,
                   progress: Progress | None = None, *, consume: bool = False,
                   vaccine_aliases: Mapping[str, str] | None = None) -> Validation:
    """Validate a table read by ``read_table``. ``consume=True`` releases each full row as
    soon as its record is built (records keep the mapped cells): with a million rows the
    full rows and the records would otherwise sit in memory together. A table with dose
    columns has its doses checked too (``vaccine_aliases``: the station's own spellings)."""
    def step(done: int, total: int) -> None:
        if progress:
            progress("check", done, total)

    rows = _consumed(table.rows) if consume else table.rows
    vaccines = None
    if table.dose_layout and vaccine_aliases:
        vaccines = load_catalogue(aliases=vaccine_aliases)
    result = validate_rows(rows, table.columns, name_fonts=table.name_fonts, today=today,
                           on_progress=step, total=len(table.rows),
                           dose_layout=table.dose_layout, person_rows=table.person_rows,
                           vaccines=vaccines)
    if consume:
        table.rows = []
    return result


def _consumed(rows: list) -> Iterator:
    for i, item in enumerate(rows):
        rows[i] = None
        yield item


@dataclass(slots=True)
class OpenedList:
    """The list a command works on: its path, the output, its rows, the station's settings
    (empty unless asked for) and its validation (None until :meth:`validate`)."""

    src: Path
    output: Path | None
    table: Table
    today: _dt.date
    settings: Settings = field(default_factory=Settings)
    result: Validation | None = None
    progress: Progress | None = None

    def validate(self, *, consume: bool = False) -> Validation:
        """Validate the table (see :func:`validate_table`), keep and return the result."""
        self.result = validate_table(self.table, self.today, self.progress, consume=consume,
                                     vaccine_aliases=self.settings.vaccine_aliases)
        return self.result

    @property
    def validation(self) -> Validation:
        """The list's validation (made now when :func:`open_list` was told to wait)."""
        return self.result if self.result is not None else self.validate()


def open_list(
    src: str | Path,
    output: str | Path | None = None,
    *,
    suffix: str | None = None,
    inputs: Iterable[Path | None] = (),
    outputs: Iterable[Path | None] = (),
    sheet: str | None = None,
    mapping: dict[str, str] | None = None,
    settings: Settings | None = None,
    settings_file: str | Path | None = None,
    with_settings: bool = False,
    today: _dt.date | None = None,
    validate: bool = True,
    progress: Progress | None = None,
    workbook: tuple[str, ...] = (".xlsx", ".xlsm"),
) -> OpenedList:
    """Open the list ``src`` for a command, in this order:

    1. the output: ``output``, else ``<stem><suffix>`` beside ``src`` (None without a
       suffix), named with one of the ``workbook`` suffixes; it and each of ``outputs``
       must not be ``src`` or one of ``inputs``;
    2. ``progress("read", 0, 1)``, then the list is read (``sheet``, ``mapping``);
    3. with ``with_settings``: ``settings``, else the settings file, else the list's own
       "Cài đặt" sheet (without it: ``settings`` as given, else empty settings);
    4. unless ``validate`` is False (a command that checks something first calls
       :meth:`OpenedList.validate` itself): the list is validated as of ``today``.

    Raises :class:`~vaxclean_xl.errors.VaxcleanError` for unusable inputs and outputs.
    """
    src = Path(src)
    out = Path(output) if output else (beside(src, suffix) if suffix else None)
    if out is not None:
        require_suffix(out, workbook)
    others = [p for p in inputs if p is not None]
    for target in (out, *outputs):
        if target is not None:
            refuse_same_file(target, src, *others)
    if progress:
        progress("read", 0, 1)
    table = read_table(src, sheet=sheet, mapping=mapping)
    if not table.rows:
        raise_no_records(src, table)
    if with_settings:
        settings = settings or load_settings(settings_file, src)
    opened = OpenedList(src, out, table, today or _dt.date.today(), settings or Settings(),
                        progress=progress)
    if validate:
        opened.validate()
    return opened


def raise_no_records(src: Path, table: Table) -> NoReturn:
    """A list with its header but not one record: nothing to do, and an empty output would
    look like a clean list."""
    raise InputError(f"Danh sách «{Path(src).name}» (trang «{table.sheet}») có dòng tiêu đề "
                     "nhưng không có bản ghi nào bên dưới.", code=E.EMPTY)


def apply_values(table: Table, new_values: dict[tuple[int, str], object]
                 ) -> tuple[list[tuple[int, list]], list[int]]:
    """Every record row of ``table`` with ``new_values`` ((row, field) -> value) put in, and
    the positions of the changed rows; ``table`` itself is left as it is."""
    fixes: dict[int, dict[str, object]] = {}
    for (src_row, f), v in new_values.items():
        fixes.setdefault(src_row, {})[f] = v
    rows = list(table.rows)
    changed: list[int] = []
    for i, (row, values) in enumerate(rows):
        if row in fixes:
            values = list(values)
            for f, v in fixes[row].items():
                c = table.columns[f]
                values.extend([None] * (c + 1 - len(values)))
                values[c] = v
            rows[i] = (row, values)
            changed.append(i)
    return rows, changed
