"""The spec of the platform's import file: its layout as DATA, read and checked.

Why a spec file: the official template could not be found; the layout in
``templates/import/platform-2021.json`` is evidence, not fact (sheet name, instruction rows,
two merged header rows, 26 columns A→Z, red required headers, Text-formatted cells, sex
coded 0/1). So every position, header text, number format, width, sex code and value
source lives in the spec, and a new platform version is a new spec file, not a code
change. :func:`load_spec` checks a spec and turns it into :class:`ImportSpec`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path

from vaxclean_xl.core.model import DOSE_PARTS, FIELDS
from vaxclean_xl.core.normalize import nfc
from vaxclean_xl.errors import E, InputError
from vaxclean_xl.formats.import_file.codes import CodeList, CodeListError, load_code_list
from vaxclean_xl.io.reader import column_index, column_letter
from vaxclean_xl.resources import resource_dir
from vaxclean_xl.settings import Settings

SPEC_SCHEMA = "vaxclean.import-spec/1"
SPEC_DIR = resource_dir("templates") / "import"
DEFAULT_SPEC = "platform-2021"

_SETTINGS_KEYS = frozenset(f.name for f in fields(Settings))
_INSTRUCTION_STYLES = frozenset({"bold", "italic", "red", "large"})

Value = str | int | None  # a cell of the import file: text, the running number, or empty


class SpecError(InputError):
    """The import spec file is missing or malformed."""

    code = E.BAD_IMPORT_SPEC


@dataclass(frozen=True, slots=True)
class SpecGroup:
    """A merged group header over several columns (row 7 over rows 8's sub-headers)."""

    header: str
    first: int  # 0-based column index
    last: int
    required: bool


@dataclass(frozen=True, slots=True)
class SpecColumn:
    """One column of the import file: where, what header, which format, where values come from.

    ``sources`` are tried in order, the first non-empty value wins: ``row_number`` (running
    number), ``field:<record field>``, ``settings:<settings key>``, ``const:<text>`` or
    ``input`` (the input's own column with the same header text); none means always empty.
    ``codes`` (a code list of ``templates/import/``) turns what people type into the bare
    code; ``digits`` zero-pads a code of digits.
    """

    id: str
    index: int  # 0-based column index in the default layout
    header: str
    required: bool
    text_format: bool  # cell number format '@'
    kind: str  # "counter", "date" or "plain"
    width: float
    sources: tuple[str, ...]
    synonyms: tuple[str, ...]
    group: SpecGroup | None
    report_empty: bool
    codes: CodeList | None = None  # values read through this code list (bare codes)
    digits: int | None = None  # a code of digits zero-padded to this width

    @property
    def letter(self) -> str:
        return column_letter(self.index)

    @property
    def label(self) -> str:
        """Header text with its group, for messages ("Mũi 1 › Lô vắc xin(*)")."""
        return f"{self.group.header} › {self.header}" if self.group else self.header


@dataclass(frozen=True, slots=True)
class Instruction:
    """A line of text above the headers (the platform's instructions to whoever fills it)."""

    row: int
    text: str
    style: tuple[str, ...]
    evidence: str


@dataclass(frozen=True, slots=True)
class ImportSpec:
    """A checked spec: the sheet, instruction rows, header rows, groups and columns."""

    id: str
    title: str
    path: Path
    sheet: str
    instructions: tuple[Instruction, ...]
    header_rows: tuple[int, ...]  # 1-based Excel rows, top to bottom (1 or 2 rows)
    first_data_row: int
    date_format: str
    sex_codes: dict[str, str]
    groups: tuple[SpecGroup, ...]
    columns: tuple[SpecColumn, ...]

    def column(self, col_id: str) -> SpecColumn:
        for col in self.columns:
            if col.id == col_id:
                return col
        raise KeyError(col_id)


def spec_path(name: str | Path | None = None) -> Path:
    """A spec file: a path, or a name of ``templates/import/`` (default :data:`DEFAULT_SPEC`)."""
    if name is None:
        name = DEFAULT_SPEC
    path = Path(name)
    if path.suffix.lower() != ".json":
        return SPEC_DIR / f"{name}.json"
    if path.exists() or path.parent != Path("."):
        return path
    return SPEC_DIR / path.name


def available_specs() -> list[str]:
    """Names of the spec files shipped in ``templates/import/`` (not its code lists)."""
    if not SPEC_DIR.is_dir():
        return []
    return sorted(p.stem for p in SPEC_DIR.glob("*.json")
                  if SPEC_SCHEMA in p.read_text(encoding="utf-8-sig")[:200])


def load_spec(name: str | Path | None = None) -> ImportSpec:
    """Read and check a spec file (see ``templates/import/platform-2021.json``)."""
    path = spec_path(name)
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        known = ", ".join(available_specs()) or "(không có)"
        raise SpecError(f"Không đọc được tệp đặc tả mẫu import «{path.name}» (có sẵn: {known}).") \
            from exc
    except ValueError as exc:
        raise SpecError(f"Tệp đặc tả mẫu import «{path.name}» sai cú pháp JSON.") from exc

    def bad(what: str) -> SpecError:
        return SpecError(f"Tệp đặc tả mẫu import «{path.name}» không hợp lệ: {what}.")

    if not isinstance(data, dict) or data.get("schema") != SPEC_SCHEMA:
        raise bad(f"cần \"schema\": \"{SPEC_SCHEMA}\"")
    try:
        groups: list[SpecGroup] = []
        for g in data.get("groups", []):
            first, last = column_index(g["first"]), column_index(g["last"])
            if last <= first:
                raise bad(f"nhóm «{g['header']}» phải trải trên nhiều cột")
            groups.append(SpecGroup(nfc(g["header"]), first, last, bool(g.get("required"))))
        columns: list[SpecColumn] = []
        seen_ids: set[str] = set()
        seen_cols: set[int] = set()
        for c in data["columns"]:
            idx = column_index(c["col"])
            if c["id"] in seen_ids or idx in seen_cols:
                raise bad(f"cột «{c['id']}» ({c['col']}) bị lặp")
            seen_ids.add(c["id"])
            seen_cols.add(idx)
            sources = tuple(str(s) for s in c.get("sources", []))
            for src in sources:
                _check_source(src, bad)
            kind = c.get("kind", "plain")
            if kind not in ("plain", "date", "counter"):
                raise bad(f"cột «{c['id']}»: kind «{kind}» không rõ")
            fmt = c.get("format", "general")
            if fmt not in ("text", "general"):
                raise bad(f"cột «{c['id']}»: format «{fmt}» không rõ")
            group = next((g for g in groups if g.first <= idx <= g.last), None)
            try:
                codes = load_code_list(str(c["codes"])) if c.get("codes") else None
            except CodeListError as exc:
                raise bad(f"cột «{c['id']}»: {exc}") from exc
            digits = int(c["digits"]) if c.get("digits") is not None else None
            if digits is not None and not 1 <= digits <= 10:
                raise bad(f"cột «{c['id']}»: digits phải từ 1 đến 10")
            columns.append(SpecColumn(
                id=str(c["id"]), index=idx, header=nfc(str(c["header"])),
                required=bool(c.get("required")), text_format=fmt == "text", kind=kind,
                width=float(c.get("width", 12)), sources=sources,
                synonyms=tuple(nfc(str(s)) for s in c.get("synonyms", [])), group=group,
                report_empty=bool(c.get("report_empty", True)), codes=codes, digits=digits,
            ))
        columns.sort(key=lambda col: col.index)
        header_rows = tuple(int(r) for r in data["header_rows"])
        if not 1 <= len(header_rows) <= 2 or list(header_rows) != sorted(header_rows):
            raise bad("header_rows phải là 1 hoặc 2 dòng liên tiếp")
        if len(header_rows) == 2 and header_rows[1] != header_rows[0] + 1:
            raise bad("header_rows phải là 1 hoặc 2 dòng liên tiếp")
        if groups and len(header_rows) != 2:
            raise bad("nhóm tiêu đề cần hai dòng tiêu đề")
        first_data_row = int(data["first_data_row"])
        if first_data_row <= header_rows[-1]:
            raise bad("first_data_row phải ở dưới dòng tiêu đề")
        instructions = tuple(
            Instruction(int(i["row"]), nfc(str(i["text"])), tuple(i.get("style", [])),
                        str(i.get("evidence", "")))
            for i in data.get("instructions", [])
        )
        for ins in instructions:
            if ins.row >= header_rows[0] or set(ins.style) - _INSTRUCTION_STYLES:
                raise bad(f"dòng hướng dẫn {ins.row} sai vị trí hoặc kiểu chữ")
        sex = {str(k): str(v) for k, v in data["sex_codes"].items()}
        if set(sex) != {"M", "F"}:
            raise bad("sex_codes cần đúng hai khóa M và F")
        spec = ImportSpec(
            id=str(data["id"]), title=nfc(str(data.get("title", ""))), path=path,
            sheet=nfc(str(data["sheet"])), instructions=instructions, header_rows=header_rows,
            first_data_row=first_data_row, date_format=str(data.get("date_format", "dd/mm/yyyy")),
            sex_codes=sex, groups=tuple(groups), columns=tuple(columns),
        )
    except SpecError:
        raise
    except (KeyError, TypeError, ValueError) as exc:
        raise bad(f"thiếu hoặc sai mục ({type(exc).__name__}: {exc})") from exc
    if spec.date_format != "dd/mm/yyyy":
        raise bad("chỉ hỗ trợ date_format dd/mm/yyyy")
    return spec


def _check_source(src: str, bad: Callable[[str], SpecError]) -> None:
    kind, _, arg = src.partition(":")
    if src in ("row_number", "input") or kind == "const":
        return
    if kind == "field" and arg in FIELDS:
        return
    if kind == "settings" and arg in _SETTINGS_KEYS:
        return
    number, _, part = arg.partition(":")
    if kind == "dose" and number.isdigit() and int(number) >= 1 and part in DOSE_PARTS:
        return
    raise bad(f"nguồn dữ liệu «{src}» không rõ")
