"""The button registry: the single source of truth for the "Làm sạch TC" ribbon tab.

Why one registry: the same button list feeds three places that would otherwise drift
apart, the ribbon XML (``templates/ribbon/customUI14.xml.j2``), the VBA module that
receives the clicks (``templates/ribbon/VaxcleanRibbon.bas.j2``) and the Python dispatch
(:func:`vaxclean_xl.excel.dispatch.run`). Adding a button = one :class:`Button` entry here
+ one Python function (its ``handler``); ``vaxclean_xl.excel.vba`` regenerates the rest.

Every ribbon button has ``onAction="VaxcleanDispatch"`` and ``tag`` = its registry id; the
one generic VBA callback sends the id to Python, which looks it up here. Handlers and
library commands are named by dotted path (``"package.module:function"``) and imported
only when clicked, so this module stays cheap to import (each click starts Python) and a
command that another engineer has not written yet is reported to the user ("chưa có trong
phiên bản này") instead of breaking every other button.

Standard library only; keep it that way (see ``benchmarks/import_time.py``).
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

TAB_ID = "vaxcleanTab"
TAB_LABEL = "Làm sạch TC"
DISPATCH_CALLBACK = "VaxcleanDispatch"
"""Name of the one VBA ribbon callback (``Sub VaxcleanDispatch(control As IRibbonControl)``)."""
DISPATCH_MODULE = "VaxcleanRibbon"
"""Name of the generated VBA module holding the callback and the per-button Subs."""
HELPERS_MODULE = "VaxcleanHelpers"
"""Name of the hand-written VBA module (``macros/VaxcleanHelpers.bas``)."""
ADDIN_PROJECT = "vaxclean"
"""The add-in's xlwings ``PROJECT_NAME``: its config is the sheet ``vaxclean.conf``, then
``vaxclean.conf`` beside the workbook, then ``%USERPROFILE%\\.vaxclean\\vaxclean.conf``."""

_ID = re.compile(r"[a-z][a-z0-9_]{0,23}\Z")
_DOTTED = re.compile(r"[A-Za-z_][\w.]*:[A-Za-z_]\w*\Z")


@dataclass(frozen=True, slots=True)
class Group:
    """A ribbon group: ``id`` is ASCII (ribbon control id), ``label`` Vietnamese."""

    id: str
    label: str


@dataclass(frozen=True, slots=True)
class Button:
    """One ribbon button and the Python that runs when it is clicked.

    ``id``: stable ASCII id; it is the ribbon ``tag``, the argument of
    ``dispatch.run`` and the suffix of the VBA Sub for form buttons. Never rename one
    (saved control workbooks call the Sub by name).
    ``handler``: ``"module:function"`` taking ``(book, ui=None)``; it does the Excel part.
    ``command``: ``"module:function"`` of the library command the handler calls, when the
    handler is a generic one (file commands); None when the handler knows what to call.
    ``screentip``/``supertip``: the tooltip title and what happens when clicked, in the
    user's words (staff hover before they dare to click).
    ``image``: a built-in Office icon (``imageMso``), so the add-in ships no image files.
    """

    id: str
    group: str
    label: str
    screentip: str
    supertip: str
    image: str
    handler: str
    command: str | None = None
    size: str = "large"

    @property
    def vba_sub(self) -> str:
        """The VBA Sub a form button of a control workbook is assigned to."""
        return "Vaxclean" + "".join(part.capitalize() for part in self.id.split("_"))

    @property
    def control_id(self) -> str:
        """The ribbon control id (unique in the customUI document)."""
        return "vaxclean_" + self.id


GROUPS: tuple[Group, ...] = (
    Group("grpCheck", "Kiểm tra"),
    Group("grpHamlet", "Gửi thôn/xóm"),
    Group("grpOutputs", "Công an và Nền tảng"),
    Group("grpHelp", "Cài đặt và trợ giúp"),
)

_B = "vaxclean_xl.excel.buttons:"

BUTTONS: tuple[Button, ...] = (
    Button(
        "validate", "grpCheck", "Kiểm tra danh sách",
        "Kiểm tra danh sách đang mở",
        "Kiểm tra mọi người trong trang tính đang mở theo quy trình làm sạch của Bộ Y tế: "
        "tô đỏ ô sai, tô vàng ô cần xem lại, ghi ba cột «Phân loại», «Lỗi», «Gợi ý sửa» "
        "bên phải danh sách. Không xóa hay đổi dữ liệu của anh/chị.",
        "DataValidation", _B + "validate_sheet"),
    Button(
        "clear_marks", "grpCheck", "Xóa đánh dấu",
        "Xóa những gì công cụ đã thêm",
        "Bỏ màu đỏ/vàng/xanh do công cụ tô, xóa ba cột «Phân loại», «Lỗi», «Gợi ý sửa» và "
        "các ghi chú do công cụ thêm. Màu, ghi chú và dữ liệu của anh/chị giữ nguyên.",
        "ClearFormats", _B + "clear_marks"),
    Button(
        "apply_fixes", "grpCheck", "Áp dụng gợi ý sửa",
        "Sửa tự động những lỗi chắc chắn ở các dòng đã chọn",
        "Bôi đen các dòng cần sửa rồi bấm: công cụ chỉ sửa những lỗi có cách sửa chắc chắn "
        "(thêm số 0 bị mất ở đầu số CCCD, đổi đầu số điện thoại 11 số, bỏ dấu cách thừa "
        "trong tên...). Mỗi ô đã sửa được tô xanh và ghi lại giá trị cũ → mới.",
        "ReviewAcceptChange", _B + "apply_fixes"),
    Button(
        "split", "grpHamlet", "Chia theo thôn",
        "Tạo mỗi thôn/xóm một tệp để rà soát",
        "Hỏi thư mục lưu, rồi tạo trong đó mỗi thôn/xóm một tệp Excel (không có macro) gồm "
        "những người có lỗi, có cột để thôn ghi sửa và tự báo đúng/sai. Danh sách sẽ được "
        "lưu trước khi chia.",
        "UnmergeCells", _B + "split_hamlets"),
    Button(
        "merge", "grpHamlet", "Gộp file trả về",
        "Gộp các tệp thôn/xóm gửi lại vào danh sách",
        "Hỏi các tệp thôn/xóm gửi lại, rồi tạo một tệp danh sách đã gộp bên cạnh tệp này: "
        "mọi thay đổi được ghi lại, xung đột và người bổ sung được liệt kê, không mất ai.",
        "MergeCells", _B + "merge_returns"),
    Button(
        "police", "grpOutputs", "Danh sách Công an",
        "Lập danh sách gửi Công an xã xác minh",
        "Tạo tệp danh sách để Công an xã/phường đối chiếu với Cơ sở dữ liệu quốc gia về dân "
        "cư, có chỗ ký, dùng thông tin trong trang «Cài đặt».",
        "SignatureLineInsert", _B + "police_list",
        command="vaxclean_xl.commands.police_list:police_list"),
    Button(
        "export_import", "grpOutputs", "Xuất file Import",
        "Xuất tệp để import lên Nền tảng tiêm chủng",
        "Tạo tệp Excel theo mẫu import của Nền tảng Quản lý tiêm chủng COVID-19 cho những "
        "người không có/sai định dạng số CCCD nay đã đúng, kèm báo cáo những người chưa đủ "
        "điều kiện.",
        "ExportExcel", _B + "export_import",
        command="vaxclean_xl.commands.export_import:export_import"),
    Button(
        "edit_list", "grpOutputs", "Danh sách sửa trực tiếp",
        "Danh sách cần sửa tay trên Nền tảng",
        "Tạo danh sách những người sai thông tin cá nhân (tên, ngày sinh, giới tính) cần "
        "sửa trực tiếp trên Nền tảng, kèm giá trị đúng.",
        "ReviewTrackChanges", _B + "edit_list",
        command="vaxclean_xl.commands.edit_list:edit_list"),
    Button(
        "passport", "grpOutputs", "Hộ chiếu vắc xin",
        "Ai ký xác nhận hộ chiếu vắc xin được hôm nay",
        "Xét từng người trong danh sách có cột mũi tiêm: ai đủ điều kiện ký xác nhận hộ "
        "chiếu vắc xin (kèm thông tin sẽ in trên chứng nhận), ai chưa ký được và phải sửa gì, "
        "ai bị tách thành hai hồ sơ cần gộp. Tạo tệp <tên>.hochieu.xlsx (để in, ký) và báo "
        "cáo .hochieu.json bên cạnh danh sách.",
        "FileDocumentInspect", _B + "passport",
        command="vaxclean_xl.commands.passport:passport_with_report"),
    Button(
        "progress", "grpOutputs", "Tiến độ",
        "Tiến độ làm sạch theo thôn/xóm",
        "Tạo bảng tiến độ theo từng thôn/xóm (lỗi ban đầu, đã gửi, đã trả về, đã sửa, còn "
        "tồn) từ các tệp kết quả nằm cùng thư mục với danh sách này.",
        "ChartInsert", _B + "progress",
        command="vaxclean_xl.commands.progress:progress"),
    Button(
        "settings", "grpHelp", "Cài đặt",
        "Mở trang «Cài đặt» của Trạm",
        "Mở (hoặc tạo nếu chưa có) trang «Cài đặt» trong tệp này: tên xã, trạm, công an, "
        "người ký, hạn gửi lại... Điền một lần ở cột B, mọi tệp xuất ra đều dùng.",
        "PropertySheet", _B + "open_settings"),
    Button(
        "guide", "grpHelp", "Hướng dẫn",
        "Mở hướng dẫn sử dụng",
        "Mở hướng dẫn từng bước bằng tiếng Việt cho các nút trên thẻ «Làm sạch TC».",
        "Help", _B + "open_guide", size="normal"),
    Button(
        "doctor", "grpHelp", "Kiểm tra cài đặt",
        "Kiểm tra Python và xlwings",
        "Hiện phiên bản Python, vaxclean, xlwings, đường dẫn trình thông dịch và nơi ghi "
        "nhật ký, để gửi cho người hỗ trợ khi có trục trặc.",
        "Info", _B + "show_doctor", size="normal"),
)

_BY_ID: dict[str, Button] = {b.id: b for b in BUTTONS}


class UnknownButton(KeyError):
    """A click carried an id the registry does not know (stale add-in or typo)."""


class FeatureMissing(LookupError):
    """A handler or library command named in the registry cannot be imported yet."""

    def __init__(self, dotted: str) -> None:
        super().__init__(dotted)
        self.dotted = dotted


def button(button_id: str) -> Button:
    """The registry entry for ``button_id``; :class:`UnknownButton` if there is none."""
    try:
        return _BY_ID[button_id]
    except KeyError:
        raise UnknownButton(button_id) from None


def buttons_in(group_id: str) -> list[Button]:
    """The buttons of one ribbon group, in registry order."""
    return [b for b in BUTTONS if b.group == group_id]


def resolve(dotted: str) -> Callable[..., Any]:
    """Import ``"package.module:function"``; :class:`FeatureMissing` if it does not exist.

    Only a missing module or attribute counts as missing: an ImportError raised *inside*
    an existing module (a broken dependency) propagates, so it is logged as a crash and
    not mistaken for a feature that is not written yet.
    """
    module_name, _, attr = dotted.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name and (module_name == exc.name or module_name.startswith(exc.name + ".")):
            raise FeatureMissing(dotted) from None
        raise
    try:
        return getattr(module, attr)
    except AttributeError:
        raise FeatureMissing(dotted) from None


def check_registry() -> list[str]:
    """Problems in the registry itself (ids, groups, dotted paths); [] when consistent.

    Called by the generators and the tests, never at click time.
    """
    problems: list[str] = []
    group_ids = {g.id for g in GROUPS}
    seen: set[str] = set()
    for b in BUTTONS:
        if not _ID.match(b.id):
            problems.append(f"{b.id!r}: id must be lower-case ASCII [a-z0-9_], <= 24 chars")
        if b.id in seen:
            problems.append(f"{b.id!r}: duplicate id")
        seen.add(b.id)
        if b.group not in group_ids:
            problems.append(f"{b.id!r}: unknown group {b.group!r}")
        for dotted in (b.handler, b.command):
            if dotted is not None and not _DOTTED.match(dotted):
                problems.append(f"{b.id!r}: {dotted!r} is not 'module:function'")
        if b.size not in ("large", "normal"):
            problems.append(f"{b.id!r}: size must be 'large' or 'normal'")
        if not b.image.isascii() or not b.image.isalnum():
            problems.append(f"{b.id!r}: imageMso must be an ASCII identifier")
        if len(b.vba_sub) > 31:
            problems.append(f"{b.id!r}: VBA Sub name {b.vba_sub!r} is too long")
    for g in GROUPS:
        if not buttons_in(g.id):
            problems.append(f"group {g.id!r} has no button")
    return problems
