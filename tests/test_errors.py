"""One registry of error codes (vaxclean_xl.errors.E): each code once with its meaning,
every code raised named from it, and docs/errors.md generated from it."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from vaxclean_xl.errors import E, InputError, OutputError, VaxcleanError, errors_markdown

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "vaxclean_xl"
REGISTRY = PACKAGE / "errors.py"


def _sources() -> dict[Path, str]:
    return {p: p.read_text(encoding="utf-8") for p in sorted(PACKAGE.rglob("*.py"))}


def test_each_code_once_with_a_title_and_a_description() -> None:
    codes = [e.value for e in E]
    assert len(codes) == len(set(codes))
    assert all(re.fullmatch(r"E\d{3}", c) for c in codes)
    assert codes == sorted(codes)
    titles = [e.title_vi for e in E]
    assert len(titles) == len(set(titles)), "two codes with one title: one meaning, two codes?"
    for e in E:
        assert e.title_vi.strip() and not e.title_vi.isascii(), e  # Vietnamese
        assert e.description.strip() and e.description.isascii(), e  # English


def test_no_code_is_typed_as_a_literal_outside_the_registry() -> None:
    literal = re.compile(r"""["']E\d{3}["']""")
    found = [f"{p.relative_to(ROOT)}:{text.count(chr(10), 0, m.start()) + 1}: {m.group()}"
             for p, text in _sources().items() if p != REGISTRY
             for m in literal.finditer(text)]
    assert found == [], "raise with code=E.NAME from vaxclean_xl.errors, not a literal"


def test_every_registered_code_is_used() -> None:
    text = "\n".join(_sources().values())
    unused = [e.name for e in E if not re.search(rf"\bE\.{e.name}\b", text)]
    assert unused == []


def test_docs_page_is_generated_from_the_registry() -> None:
    page = ROOT / "docs" / "errors.md"
    assert page.read_text(encoding="utf-8") == errors_markdown(), (
        "regenerate: python -c \"from vaxclean_xl.errors import errors_markdown; "
        "open('docs/errors.md', 'w', encoding='utf-8').write(errors_markdown())\"")
    for e in E:
        assert f"| {e.value} | `E.{e.name}` | {e.title_vi} |" in page.read_text(encoding="utf-8")


def test_a_code_is_the_plain_string_users_and_logs_see() -> None:
    exc = InputError("Không có trang tính «X».", code=E.NO_SUCH_SHEET)
    assert exc.code == "E107" and str(exc) == "[E107] Không có trang tính «X»."
    assert f"error={exc.code}" == "error=E107"
    assert VaxcleanError("x").code == "E000"
    assert InputError("x").code == "E100" and OutputError("x").code == "E200"


@pytest.mark.skipif(sys.platform == "win32", reason="the refusal is off Windows")
def test_install_excel_off_windows_has_its_own_code(monkeypatch) -> None:
    """E503 meant both 'the Excel button cannot use this file type' and 'install-excel
    needs Windows'; the build's refusals have codes of their own now."""
    from vaxclean_xl.commands.build import install_excel

    monkeypatch.delenv("APPDATA", raising=False)
    with pytest.raises(VaxcleanError) as info:
        install_excel(None)
    assert info.value.code == E.WINDOWS_ONLY == "E522"
    assert E.WORKBOOK_TYPE == "E503" and E.WINDOWS_ONLY != E.WORKBOOK_TYPE
