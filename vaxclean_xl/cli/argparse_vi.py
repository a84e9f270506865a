"""argparse in Vietnamese: usage, section titles, ``-h`` and every error of the parser.

Why: the users read Vietnamese only, and argparse writes its own texts ("usage:",
"options", "the following arguments are required") through ``gettext`` with the English
message ids. argparse looks the translation function up in its module at the moment it
writes a text, so :class:`VietnameseArgumentParser` puts a Vietnamese catalogue there only
while one of its own methods runs and restores the original right after: no other parser
in the process is affected, and an id the catalogue lacks stays English (never an error).
Errors still exit with code 2, as argparse does.
"""

from __future__ import annotations

import argparse
import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, NoReturn, TypeVar

# argparse message ids (Python 3.11-3.13) -> Vietnamese
CATALOGUE: dict[str, str] = {
    "usage: ": "Cách dùng: ",
    "positional arguments": "đối số",
    "options": "tùy chọn",
    "optional arguments": "tùy chọn",  # Python < 3.10
    "show this help message and exit": "Hiện hướng dẫn này rồi thoát",
    "show program's version number and exit": "Hiện số phiên bản rồi thoát",
    "%(prog)s: error: %(message)s\n": "%(prog)s: lỗi: %(message)s\n",
    "argument %(argument_name)s: %(message)s": "đối số %(argument_name)s: %(message)s",
    "the following arguments are required: %s": "thiếu đối số bắt buộc: %s",
    "unrecognized arguments: %s": "không hiểu các đối số: %s",
    "invalid choice: %(value)r (choose from %(choices)s)":
        "lựa chọn không hợp lệ: %(value)r (chọn một trong: %(choices)s)",
    "invalid %(type)s value: %(value)r": "giá trị không hợp lệ: %(value)r",
    "expected one argument": "cần một giá trị",
    "expected at most one argument": "cần nhiều nhất một giá trị",
    "expected at least one argument": "cần ít nhất một giá trị",
    "ambiguous option: %(option)s could match %(matches)s":
        "tùy chọn không rõ: %(option)s có thể là %(matches)s",
    "not allowed with argument %s": "không dùng cùng với đối số %s",
    "one of the arguments %s is required": "cần một trong các đối số %s",
    "ignored explicit argument %r": "bỏ qua giá trị %r",
    "unexpected option string: %s": "tùy chọn không mong đợi: %s",
    "can't open '%(filename)s': %(error)s": "không mở được «%(filename)s»: %(error)s",
}
_PLURAL: dict[str, str] = {"expected %s argument": "cần %s giá trị"}

# metavars argparse would derive from option names (OUTPUT, SHEET...) -> Vietnamese
METAVARS: dict[str, str] = {
    "input": "TỆP", "output": "TỆP_KẾT_QUẢ", "json": "TỆP_JSON", "sheet": "TRANG_TÍNH",
    "password": "MẬT_KHẨU", "settings": "TỆP_CÀI_ĐẶT", "dir": "THƯ_MỤC", "out": "THƯ_MỤC",
    "original": "DANH_SÁCH_GỐC", "returned": "TỆP_GỬI_LẠI", "template": "TỆP_MẪU",
    "report": "TỆP_BÁO_CÁO", "spec": "ĐẶC_TẢ", "baseline": "BÁO_CÁO_GỐC.json",
    "interpreter": "PYTHON", "rows": "SỐ_DÒNG", "seed": "HẠT_GIỐNG", "hamlets": "SỐ_THÔN",
}


def translate(message: str) -> str:
    """The Vietnamese text of an argparse message id (the id itself when unknown)."""
    return CATALOGUE.get(message, message)


def translate_plural(singular: str, plural: str, n: int) -> str:
    """``ngettext`` for argparse's counted messages."""
    return _PLURAL.get(singular, singular if n == 1 else plural)


@contextmanager
def vietnamese() -> Iterator[None]:
    """argparse writes its texts in Vietnamese inside this block (re-entrant)."""
    saved = argparse._, argparse.ngettext  # type: ignore[attr-defined]
    argparse._ = translate  # type: ignore[attr-defined]
    argparse.ngettext = translate_plural  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved  # type: ignore[attr-defined]


_F = TypeVar("_F", bound=Callable[..., Any])


def _in_vietnamese(method: _F) -> _F:
    @functools.wraps(method)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with vietnamese():
            return method(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


class VietnameseHelpFormatter(argparse.HelpFormatter):
    """Vietnamese metavars for options and arguments that do not name their own."""

    def _get_default_metavar_for_optional(self, action: argparse.Action) -> str:
        return METAVARS.get(action.dest, action.dest.upper())

    def _get_default_metavar_for_positional(self, action: argparse.Action) -> str:
        return METAVARS.get(action.dest, action.dest.upper())


class VietnameseArgumentParser(argparse.ArgumentParser):
    """An ArgumentParser whose own texts and errors are Vietnamese; its sub-parsers (made
    with ``add_subparsers().add_parser``) are of this class too."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", VietnameseHelpFormatter)
        with vietnamese():
            super().__init__(*args, **kwargs)

    parse_args = _in_vietnamese(argparse.ArgumentParser.parse_args)
    parse_known_args = _in_vietnamese(argparse.ArgumentParser.parse_known_args)
    format_usage = _in_vietnamese(argparse.ArgumentParser.format_usage)
    format_help = _in_vietnamese(argparse.ArgumentParser.format_help)
    add_subparsers = _in_vietnamese(argparse.ArgumentParser.add_subparsers)

    def error(self, message: str) -> NoReturn:
        """Usage and one Vietnamese line on stderr, exit code 2 (as argparse)."""
        with vietnamese():
            super().error(message)
