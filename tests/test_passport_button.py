"""The «Hộ chiếu vắc xin» ribbon button through xlwings' remote engine: the registry's
command runs on the saved list, writes the workbook and the JSON report beside it, says
so and opens the workbook."""

from __future__ import annotations

from pathlib import Path

from tests.test_excel_buttons import alerts, remote, remote_engine, small_list  # noqa: F401
from vaxclean_xl.excel import buttons, dispatch, registry
from vaxclean_xl.excel.ui import Ui
from vaxclean_xl.formats import passport_report as PR
from vaxclean_xl.sample import generate_sample


def test_passport_button_runs_the_registry_command(tmp_path: Path) -> None:
    src = tmp_path / "ds.xlsx"
    generate_sample(src, rows=120, seed=3, doses=True)
    book = remote(small_list(), name=str(src))
    ui = Ui(book)
    assert registry.button("passport").label == "Hộ chiếu vắc xin"
    assert dispatch.run_on(book, registry.button("passport"), ui) == dispatch.OK
    [(kind, text)] = ui.messages
    assert kind == "info" and text.startswith("Hộ chiếu vắc xin: xong.")
    out, report = tmp_path / "ds.hochieu.xlsx", tmp_path / "ds.hochieu.json"
    assert f"Tệp: {out}" in text and f"Tệp: {report}" in text
    assert "Đã ghi 120 người." in text and "chưa ký được" in text
    data = PR.read_passport_report(report)
    assert len(data.records) == 120 and data.source == "ds.xlsx"
    assert out.is_file()


def test_passport_button_on_a_list_without_doses_is_a_message(tmp_path: Path) -> None:
    src = tmp_path / "ds.xlsx"
    generate_sample(src, rows=30, seed=3, doses=False)
    book = remote(small_list(), name=str(src))
    ui = Ui(book)
    assert dispatch.run_on(book, registry.button("passport"), ui) == dispatch.FAILED
    assert "không có cột mũi tiêm" in ui.messages[-1][1]
    assert not (tmp_path / "ds.hochieu.xlsx").exists()


def test_handler_is_the_buttons_function(tmp_path: Path) -> None:
    src = tmp_path / "ds.xlsx"
    generate_sample(src, rows=40, seed=4, doses=True)
    book = remote(small_list(), name=str(src))
    outcome = buttons.passport(book)
    assert outcome.output == tmp_path / "ds.hochieu.xlsx"
    assert "Hộ chiếu vắc xin: xong." in alerts(book)[-1]
