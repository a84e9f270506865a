"""Settings files (issue 9, item 9): an error names its line, and a commune/district/province
code typed as a number is reported (a code must be text to keep its leading zeros).
Real files written here; the CLI is run as the user runs it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import xlsxwriter

from vaxclean_xl import notices
from vaxclean_xl.cli import main
from vaxclean_xl.errors import InputError
from vaxclean_xl.settings import load_settings, load_settings_file

pytestmark = pytest.mark.usefixtures("log_dir")


def make_list(path: Path, settings_rows: list[tuple[str, object]] = ()) -> Path:
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("Danh sách")
    ws.write_row(0, 0, ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD", "Thôn"])
    ws.write_row(1, 0, [1, "Nguyễn Văn An", "01/05/1990", "Nam", "001090123456", "Thôn 1"])
    ws.write_row(2, 0, [2, "Lê Thị Bình", "31/02/1991", "Nữ", "001191123456", "Thôn 2"])
    if settings_rows:
        conf = wb.add_worksheet("Cài đặt")
        for r, (label, value) in enumerate(settings_rows):
            conf.write(r, 0, label)
            conf.write(r, 1, value)
    wb.close()
    return path


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def error_of(path: Path) -> str:
    with pytest.raises(InputError) as exc:
        load_settings_file(path)
    assert exc.value.code == "E110"
    return exc.value.message


def test_toml_syntax_error_names_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path / "tram.toml",
                 '# cài đặt trạm\ncommune = "An Bình"\nstation = Trạm Y tế An Bình\n')
    assert error_of(path).startswith(
        "Tệp cài đặt «tram.toml» sai cú pháp ở dòng 3, cột 11: mỗi dòng một mục dạng "
        "khóa = giá trị, chữ đặt trong dấu ngoặc kép")


def test_toml_unclosed_string_at_the_end(tmp_path: Path) -> None:
    path = write(tmp_path / "tram.toml", 'commune = "An Bình"\n\npolice_unit = "Công an xã')
    assert "«tram.toml» sai cú pháp ở dòng 3: mỗi dòng một mục" in error_of(path)


def test_json_syntax_error_names_line(tmp_path: Path) -> None:
    path = write(tmp_path / "tram.json",
                 '{\n  "commune": "An Bình",\n  "station": "Trạm Y tế"\n  "deadline": "30/11"\n}')
    assert error_of(path).startswith("Tệp cài đặt «tram.json» sai cú pháp ở dòng 4, cột 3: "
                                      "JSON cần dạng")


def test_unknown_key_names_its_line(tmp_path: Path) -> None:
    toml = write(tmp_path / "tram.toml", 'commune = "An Bình"\n\nprovine_code = "01"\n')
    assert error_of(toml).startswith(
        "Tệp cài đặt «tram.toml» có mục không hợp lệ: provine_code (dòng 3). Các mục hợp lệ: "
        "province, district")
    json_ = write(tmp_path / "tram.json", '{\n "commune": "An Bình",\n "xa": "1"\n}\n')
    assert "có mục không hợp lệ: xa (dòng 3)." in error_of(json_)


def test_file_not_utf8_names_line(tmp_path: Path) -> None:
    path = tmp_path / "tram.toml"
    path.write_bytes('commune = "An Bình"\nstation = "Trạm Y tế"\n'.encode()
                     + b'preparer = "Tr\xe2n"\n')  # "Trân" saved as Windows-1258
    assert error_of(path) == ("Tệp cài đặt «tram.toml» không phải văn bản UTF-8 (lỗi ở dòng "
                              "3); hãy lưu lại với bảng mã UTF-8.")


def test_cli_settings_error_exit_2_with_line(tmp_path: Path, capsys) -> None:
    src = make_list(tmp_path / "ds.xlsx")
    conf = write(tmp_path / "tram.toml", 'commune = "An Bình"\nstation = Trạm\n')
    code = main(["split", str(src), "-d", str(tmp_path / "thon"), "--settings", str(conf)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("Lỗi: Tệp cài đặt «tram.toml» sai cú pháp ở dòng 2, cột 11")
    assert len(err.strip().splitlines()) == 1


NUMERIC_TOML = ('commune = "An Bình"\n'
                "province_code = 1\n"
                "district_code = 7\n"
                'ward_code = "00025"\n')


def notice(where: str, field: str, typed: str, how: str) -> str:
    """The notice for a code typed as a number, spelled out once for the tests."""
    example = re.search(r"\b0+1\b", how).group(0)  # the code's example in the advice
    return (f"{where}: {field} được ghi dạng số ({typed}), nên số 0 ở đầu mã (nếu có) đã "
            f"mất. Tệp import (export-import) tự thêm số 0 ở đầu cho đủ độ dài mã (như "
            f"{example}); để mã được ghi đúng như ý: hãy {how}.")


def test_numeric_codes_are_reported_and_kept_as_typed(tmp_path: Path) -> None:
    path = write(tmp_path / "tram.toml", NUMERIC_TOML)
    with notices.collect() as seen:
        settings = load_settings_file(path)
    assert (settings.province_code, settings.district_code, settings.ward_code) == (
        "1", "7", "00025")
    assert seen == [
        notice("Tệp cài đặt «tram.toml», dòng 2", "Mã tỉnh (province_code)", "1",
               'viết mã trong dấu ngoặc kép, ví dụ province_code = "01"'),
        notice("Tệp cài đặt «tram.toml», dòng 3", "Mã huyện (district_code)", "7",
               'viết mã trong dấu ngoặc kép, ví dụ district_code = "001"'),
    ]


def test_numeric_code_in_json_float_shown_without_decimals(tmp_path: Path) -> None:
    path = write(tmp_path / "tram.json", '{"commune": "An Bình",\n"ward_code": 25.0}')
    with notices.collect() as seen:
        assert load_settings_file(path).ward_code == "25"
    assert seen == [notice("Tệp cài đặt «tram.json», dòng 2", "Mã xã (ward_code)", "25",
                           'viết mã trong dấu ngoặc kép, ví dụ "ward_code": "00001"')]


def test_quoted_codes_give_no_notice(tmp_path: Path) -> None:
    path = write(tmp_path / "tram.toml",
                 'province_code = "01"\ndistrict_code = "001"\nward_code = "00001"\n')
    with notices.collect() as seen:
        load_settings_file(path)
    assert seen == []


def test_cli_prints_numeric_code_notice_on_stderr(tmp_path: Path, capsys) -> None:
    src = make_list(tmp_path / "ds.xlsx")
    conf = write(tmp_path / "tram.toml", NUMERIC_TOML)
    assert main(["split", str(src), "-d", str(tmp_path / "thon"), "--settings",
                 str(conf)]) == 0
    err = capsys.readouterr().err.splitlines()
    assert [line.partition(")")[0] for line in err if line.startswith("Lưu ý: Tệp")] == [
        "Lưu ý: Tệp cài đặt «tram.toml», dòng 2: Mã tỉnh (province_code",
        "Lưu ý: Tệp cài đặt «tram.toml», dòng 3: Mã huyện (district_code",
    ]


def test_numeric_code_in_settings_sheet(tmp_path: Path) -> None:
    src = make_list(tmp_path / "ds.xlsx", [("Xã/Phường", "An Bình"), ("Mã xã", 25),
                                          ("Mã tỉnh", "01")])
    with notices.collect() as seen:
        settings = load_settings(None, src)
    assert (settings.commune, settings.ward_code, settings.province_code) == (
        "An Bình", "25", "01")
    assert seen == [notice("Trang «Cài đặt»", "Mã xã (ward_code)", "25",
                           "định dạng ô là Văn bản (Text) rồi gõ lại, ví dụ 00001")]
