"""What blocks a first click on a station PC, judged from plain data (no Windows needed).

Why: the facts that stop Excel from running the add-in (a copied file marked as downloaded,
macro settings, a Defender rule, a missing add-in) are read on Windows by
:mod:`.windows_probe`, but judged here by pure functions over the values exactly as Windows
stores them (registry DWORDs and strings, the text of the ``Zone.Identifier`` stream, the
text ``Get-MpPreference`` prints, the first bytes of ``EXCEL.EXE``), so the tests on Linux
walk every branch with real-format inputs. Each finding has a stable code (``WIN1xx``), a
level, a Vietnamese message and the Vietnamese fix; :data:`CHECKS` is the one table of them.

Facts (Microsoft docs): "Enable or disable macros in Microsoft 365 files" and the Office
policy reference (VBAWarnings 1-4, RequireAddinSig, blockcontentexecutionfrominternet);
"Macros from the internet are blocked by default in Office" (Mark of the Web, ZoneId 3,
Unblock); "Attack surface reduction rules reference" (rule
D4F940AB-401B-4EFC-AADC-AD5F3C50688A, modes 0/1/2/6); "PE Format" (the COFF Machine field).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from vaxclean_xl.excel.registry import TAB_LABEL
from vaxclean_xl.excel.vba import ADDIN_FILE  # the name install-excel gives the add-in

ERROR, WARNING, INFO = "error", "warning", "info"
LEVEL_VI = {ERROR: "LỖI", WARNING: "CẢNH BÁO", INFO: "LƯU Ý"}

# Attack surface reduction: "Block all Office applications from creating child processes"
ASR_OFFICE_CHILD = "D4F940AB-401B-4EFC-AADC-AD5F3C50688A"
ASR_BLOCK, ASR_AUDIT, ASR_WARN = 1, 2, 6
# VBAWarnings: 1 enable all, 2 disable with notification (Excel's default when absent),
# 3 disable except digitally signed, 4 disable without notification
VBA_DEFAULT = 2
# Internet (3) and Restricted sites (4): Office blocks the macros of such a file
ZONE_INTERNET = 3
# files Excel keeps in XLSTART for itself, and hidden files it does not open
_XLSTART_OWN = {"personal.xlsb", "desktop.ini", "thumbs.db"}
# files whose macros Excel runs (the add-in, a control workbook, old formats)
MACRO_SUFFIXES = (".xlam", ".xla", ".xlsm", ".xlsb", ".xltm", ".xls")
# the COFF Machine field of a PE header: bits of the process
_PE_MACHINE_BITS = {0x014C: 32, 0x8664: 64, 0xAA64: 64}
_C2R_PLATFORM_BITS = {"x86": 32, "x64": 64, "arm64": 64}


@dataclass(frozen=True)
class Check:
    """One row of :data:`CHECKS`: what a finding means and how to fix it (templates)."""

    level: str
    message: str
    fix: str


_TRUST_CENTER = ("File → Options → Trust Center → Trust Center Settings (Tệp → Tùy chọn → "
                 "Trung tâm Tin cậy → Thiết đặt Trung tâm Tin cậy)")
_BY_POLICY = ("Cài đặt này do chính sách nhóm (Group Policy) của cơ quan đặt, người dùng "
              "không tự đổi được: ")

CHECKS: dict[str, Check] = {
    "WIN101": Check(
        INFO,
        "Office {office_bits} bit, Python {python_bits} bit: khác nhau nhưng không sao. Excel "
        "khởi động Python như một chương trình riêng và xlwings điều khiển Excel qua COM "
        "ngoài tiến trình, nên số bit không cần trùng.",
        "Không cần cài lại. Khi cài từ gói cài đặt, pip chọn các gói (wheel) theo số bit của "
        "Python ({python_bits} bit), không theo Office: chạy cai-dat.cmd với đúng Python này."),
    "WIN102": Check(
        WARNING,
        "Không tìm thấy Microsoft Excel trên máy này (không có trong sổ đăng ký Windows).",
        "Các nút của vaxclean cần Excel: cài Microsoft Excel rồi chạy lại «vaxclean doctor». "
        "Các lệnh vaxclean trong cửa sổ dòng lệnh vẫn dùng được khi chưa có Excel."),
    "WIN110": Check(
        ERROR,
        "Chưa cài add-in: không có tệp {addin} trong thư mục XLSTART ({folder}), nên Excel "
        "không hiện thẻ «{tab}».",
        "Chạy lại cai-dat.cmd trong gói cài đặt, hoặc gõ lệnh: vaxclean install-excel. "
        "Sau đó đóng hết Excel rồi mở lại."),
    "WIN111": Check(
        WARNING,
        "Thư mục XLSTART có tệp thừa của vaxclean: {names}. Excel mở mọi tệp trong thư mục "
        "này mỗi lần khởi động: một bản add-in thừa làm thẻ «{tab}» hiện hai lần, và bản cũ "
        "có thể trỏ tới một Python đã gỡ.",
        "Đóng hết Excel, xóa các tệp này khỏi {folder} (chỉ giữ {addin}), rồi mở lại Excel."),
    "WIN112": Check(
        INFO,
        "Excel còn mở các tệp khác trong XLSTART mỗi lần khởi động: {names}.",
        "Các tệp này không phải của vaxclean, không cần xóa. Nếu Excel báo lỗi hoặc mở chậm "
        "khi khởi động, hỏi người hỗ trợ trước khi chuyển chúng ra khỏi {folder}."),
    "WIN120": Check(
        ERROR,
        "Tệp {name} mang «dấu tải từ Internet» (Mark of the Web, ZoneId={zone}): Office "
        "chặn macro trong tệp tải từ Internet, nên các nút vaxclean có thể không chạy.",
        "Đóng hết Excel. Nhấp chuột phải vào tệp {path} → Properties (Thuộc tính) → thẻ "
        "General (Chung) → đánh dấu ô «Unblock» (Bỏ chặn) → OK. Hoặc trong PowerShell: "
        "Unblock-File -LiteralPath '{ps_path}'. Sau đó mở lại Excel."),
    "WIN130": Check(
        WARNING,
        "Excel tắt mọi macro mà không thông báo (VBAWarnings=4{source}): bảng điều khiển "
        "VaxClean.xlsm mở từ một thư mục thường sẽ không chạy nút nào. Add-in trong XLSTART "
        "vẫn chạy vì XLSTART là vị trí tin cậy (Trusted Location) mặc định của Excel.",
        "{how}"),
    "WIN131": Check(
        WARNING,
        "Excel chỉ chạy macro có chữ ký số (VBAWarnings=3{source}): vaxclean chưa được ký, "
        "nên bảng điều khiển VaxClean.xlsm mở từ một thư mục thường sẽ không chạy nút nào. "
        "Add-in trong XLSTART vẫn chạy vì XLSTART là vị trí tin cậy (Trusted Location) mặc "
        "định của Excel.",
        "{how}"),
    "WIN132": Check(
        INFO,
        "Excel bật mọi macro (VBAWarnings=1{source}): vaxclean chạy được, nhưng máy dễ nhiễm "
        "virus macro từ tệp lạ.",
        "{how}"),
    "WIN133": Check(
        WARNING,
        "Excel đòi add-in phải được Nhà phát hành tin cậy ký (RequireAddinSig=1{source}): "
        "add-in vaxclean chưa được ký nên Excel có thể tắt nó.",
        "{how}"),
    "WIN134": Check(
        INFO,
        "Chính sách «Block macros from running in Office files from the Internet» đang bật: "
        "tệp mang «dấu tải từ Internet» không chạy macro và không có nút «Enable Content» "
        "(Bật nội dung) để bật.",
        "Đừng mở add-in hay bảng điều khiển tải về trực tiếp: cài bằng cai-dat.cmd hoặc "
        "lệnh vaxclean install-excel (add-in được dựng ngay trên máy), hoặc bỏ chặn tệp "
        "(Properties → Unblock)."),
    "WIN140": Check(
        ERROR,
        "Microsoft Defender chặn Office khởi động chương trình khác (quy tắc ASR «Block all "
        "Office applications from creating child processes», chế độ Chặn): Excel không khởi "
        "động được Python nên mọi nút vaxclean đều không chạy.",
        "Người dùng không tự tắt được. Nhờ bộ phận CNTT đặt quy tắc " + ASR_OFFICE_CHILD
        + " sang chế độ Audit (2) hoặc thêm ngoại lệ ASR cho {python}. Trong lúc chờ, dùng "
        "các lệnh vaxclean trong cửa sổ dòng lệnh (không cần Excel)."),
    "WIN141": Check(
        WARNING,
        "Microsoft Defender cảnh báo khi Office khởi động chương trình khác (quy tắc ASR "
        "«Block all Office applications from creating child processes», chế độ Cảnh báo): "
        "lần bấm nút đầu tiên, Windows hiện thông báo chặn Python.",
        "Trong thông báo của Windows Security, chọn «Unblock» (Bỏ chặn): Python được phép "
        "trong 24 giờ. Muốn dứt điểm, nhờ bộ phận CNTT thêm ngoại lệ ASR cho {python}."),
    "WIN142": Check(
        INFO,
        "Quy tắc ASR «Block all Office applications from creating child processes» ở chế độ "
        "Audit: Microsoft Defender chỉ ghi nhật ký, không chặn vaxclean.",
        "Không cần làm gì."),
}

_HOW_VBA_USER = (
    "Trong Excel: " + _TRUST_CENTER + " → Macro Settings (Thiết đặt Macro), chọn «Disable "
    "VBA macros with notification» (tắt macro, có thông báo). Nếu không muốn đổi: dùng add-in "
    "trong XLSTART (vaxclean install-excel) thay cho bảng điều khiển.")
_HOW_VBA_POLICY = (
    _BY_POLICY + "dùng add-in trong XLSTART (vaxclean install-excel) thay cho bảng điều "
    "khiển, hoặc nhờ bộ phận CNTT đổi chính sách.")
_HOW_ALL_USER = (
    "Nên đổi lại: " + _TRUST_CENTER + " → Macro Settings (Thiết đặt Macro), chọn «Disable "
    "VBA macros with notification». vaxclean vẫn chạy từ XLSTART.")
_HOW_ALL_POLICY = _BY_POLICY + "báo bộ phận CNTT nếu cần."
_HOW_SIG_USER = (
    "Trong Excel: " + _TRUST_CENTER + " → Add-ins (Phần bổ trợ), bỏ chọn «Require Application "
    "Add-ins to be signed by Trusted Publisher», rồi mở lại Excel.")
_HOW_SIG_POLICY = (
    _BY_POLICY + "nhờ bộ phận CNTT tắt «Require that application add-ins are signed by "
    "Trusted Publisher». Trong lúc chờ, dùng các lệnh vaxclean trong cửa sổ dòng lệnh.")
# VBAWarnings value → (code, fix when the user set it, fix when a policy set it)
_VBA_WARNINGS = {
    4: ("WIN130", _HOW_VBA_USER, _HOW_VBA_POLICY),
    3: ("WIN131", _HOW_VBA_USER, _HOW_VBA_POLICY),
    1: ("WIN132", _HOW_ALL_USER, _HOW_ALL_POLICY),
}
_ASR_MODES = {ASR_BLOCK: "WIN140", ASR_WARN: "WIN141", ASR_AUDIT: "WIN142"}


@dataclass(frozen=True)
class Finding:
    """One thing that blocks (or may surprise) a first run, with its fix."""

    code: str
    level: str
    message: str
    fix: str

    def as_dict(self) -> dict[str, str]:
        """JSON form (``vaxclean doctor --json``)."""
        return asdict(self)

    def lines(self) -> list[str]:
        """Two Vietnamese lines: what is wrong, then what to do."""
        return [f"[{LEVEL_VI[self.level]} {self.code}] {self.message}",
                f"   → Cách sửa: {self.fix}"]


def finding(code: str, **values: Any) -> Finding:
    """The finding ``code`` of :data:`CHECKS` with its templates filled from ``values``."""
    check = CHECKS[code]
    values.setdefault("addin", ADDIN_FILE)
    values.setdefault("tab", TAB_LABEL)
    return Finding(code, check.level, check.message.format(**values),
                   check.fix.format(**values))


@dataclass
class WindowsFacts:
    """What :mod:`.windows_probe` read, as Windows stores it (None: not found/unreadable)."""

    python_bits: int
    python: str = ""
    # HKCR\Excel.Application\CurVer (default value), e.g. "Excel.Application.16"
    excel_curver: str | None = None
    # HKLM\SOFTWARE\Microsoft\Office\ClickToRun\Configuration "Platform": "x86" / "x64"
    c2r_platform: str | None = None
    # App Paths\excel.exe and the first bytes of that file (its PE header)
    excel_path: str | None = None
    excel_header: bytes | None = None
    # the XLSTART folder and the names of the files in it (None: no such folder)
    xlstart: str = r"%APPDATA%\Microsoft\Excel\XLSTART"
    xlstart_files: list[str] | None = None
    # full path → raw bytes of its "path:Zone.Identifier" stream (files that have one)
    zone_streams: dict[str, bytes] = field(default_factory=dict)
    # value name → data under HKCU\Software\Microsoft\Office\<ver>\Excel\Security and
    # HKCU\Software\Policies\Microsoft\Office\<ver>\Excel\Security
    security_user: dict[str, Any] = field(default_factory=dict)
    security_policy: dict[str, Any] = field(default_factory=dict)
    # text printed by Get-MpPreference | Format-List AttackSurfaceReductionRules_*
    mp_preference: str | None = None
    # value name (rule GUID) → data under HKLM\SOFTWARE\Policies\Microsoft\Windows Defender\
    # Windows Defender Exploit Guard\ASR\Rules
    asr_policy: dict[str, Any] = field(default_factory=dict)
    # probes that failed (their names only: no personal data)
    unreadable: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- parsing


def office_version(curver: str | None) -> str | None:
    """"Excel.Application.16" → "16.0" (the <ver> of Office's registry keys)."""
    m = re.fullmatch(r"\s*Excel\.Application\.(\d+)\s*", curver or "", re.IGNORECASE)
    return f"{m.group(1)}.0" if m else None


def pe_bits(header: bytes | None) -> int | None:
    """Bits of an executable from its first bytes (MZ stub → PE signature → Machine)."""
    if not header or header[:2] != b"MZ" or len(header) < 0x40:
        return None
    offset = int.from_bytes(header[0x3C:0x40], "little")
    if header[offset:offset + 4] != b"PE\0\0":
        return None
    machine = int.from_bytes(header[offset + 4:offset + 6], "little")
    return _PE_MACHINE_BITS.get(machine)


def office_bits(c2r_platform: str | None, excel_header: bytes | None) -> int | None:
    """Office's bits: Click-to-Run's "Platform", else the Machine of EXCEL.EXE."""
    bits = _C2R_PLATFORM_BITS.get((c2r_platform or "").strip().lower())
    return bits if bits is not None else pe_bits(excel_header)


def zone_id(stream: bytes) -> int | None:
    """ZoneId of a ``Zone.Identifier`` stream ("[ZoneTransfer]\\r\\nZoneId=3\\r\\n...").

    Windows writes it as ANSI text; some tools write UTF-8 or UTF-16 with a BOM."""
    if stream.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = stream.decode("utf-16", errors="replace")
    else:
        text = stream.decode("utf-8-sig", errors="replace")
    section = ""
    for raw in text.splitlines():
        line = raw.strip().strip("\x00")
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip().lower()
            continue
        key, sep, value = line.partition("=")
        if sep and section == "zonetransfer" and key.strip().lower() == "zoneid":
            return int(value.strip()) if value.strip().isdigit() else None
    return None


def registry_int(value: Any) -> int | None:
    """A registry value as a number: a DWORD (int) or a string of digits ("1")."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _lookup(values: Mapping[str, Any], name: str) -> int | None:
    """Registry value names are case-insensitive: look ``name`` up that way."""
    for key, value in values.items():
        if key.lower() == name.lower():
            return registry_int(value)
    return None


_FL_LINE = re.compile(r"^(\S+)\s*:\s?(.*)$")


def parse_format_list(text: str) -> dict[str, str]:
    """``Format-List`` output → {property: value text}; wrapped lines are joined."""
    props: dict[str, str] = {}
    last = None
    for raw in text.splitlines():
        if not raw.strip():
            last = None
            continue
        m = _FL_LINE.match(raw)
        if m and not raw[0].isspace():
            last = m.group(1)
            props[last] = m.group(2).strip()
        elif last is not None:  # a long value wrapped onto the next line
            props[last] += raw.strip()
    return props


def _list_items(value: str) -> list[str]:
    """"{a, b...}" → ["a", "b"] (a PowerShell collection as Format-List prints it)."""
    inner = value.strip()
    if inner.startswith("{") and inner.endswith("}"):
        inner = inner[1:-1]
    items = [item.strip().rstrip(".…").strip() for item in inner.split(",")]
    return [item for item in items if item]


def asr_rules_from_mp(text: str | None) -> dict[str, int]:
    """Rule GUID (upper case) → action from ``Get-MpPreference`` text (Ids and Actions
    are two parallel lists)."""
    if not text:
        return {}
    props = {k.lower(): v for k, v in parse_format_list(text).items()}
    ids = _list_items(props.get("attacksurfacereductionrules_ids", ""))
    actions = _list_items(props.get("attacksurfacereductionrules_actions", ""))
    rules = {}
    for guid, action in zip(ids, actions, strict=False):
        number = registry_int(action)
        if number is not None:
            rules[guid.strip("{}").upper()] = number
    return rules


def asr_mode(mp_text: str | None, policy: Mapping[str, Any]) -> int | None:
    """The mode of the Office child-process rule: what Defender reports in effect, else
    what the policy key sets (data "1"/"2"/"6"), else None (not configured)."""
    mode = asr_rules_from_mp(mp_text).get(ASR_OFFICE_CHILD)
    if mode is not None:
        return mode
    for name, value in policy.items():
        if name.strip("{}").upper() == ASR_OFFICE_CHILD:
            return registry_int(value)
    return None


# --------------------------------------------------------------------------- checks


def check_bitness(python_bits: int, c2r_platform: str | None, excel_header: bytes | None,
                  excel_found: bool) -> list[Finding]:
    """Office and Python bits differ (harmless, said so), or no Excel at all."""
    if not excel_found and c2r_platform is None:
        return [finding("WIN102")]
    bits = office_bits(c2r_platform, excel_header)
    if bits is not None and bits != python_bits:
        return [finding("WIN101", office_bits=bits, python_bits=python_bits)]
    return []


def _is_vaxclean_stray(name: str) -> bool:
    low = name.lower()
    return low != ADDIN_FILE and "vaxclean" in low


def check_xlstart(folder: str, files: list[str] | None) -> list[Finding]:
    """The add-in is in XLSTART; no other copy of vaxclean there; what else Excel opens."""
    names = [n for n in files or [] if not n.startswith("~$")]
    found: list[Finding] = []
    if ADDIN_FILE not in {n.lower() for n in names}:
        found.append(finding("WIN110", folder=folder))
    strays = sorted(n for n in names if _is_vaxclean_stray(n))
    if strays:
        found.append(finding("WIN111", folder=folder, names=", ".join(strays)))
    others = sorted(n for n in names if not _is_vaxclean_stray(n)
                    and n.lower() not in _XLSTART_OWN and n.lower() != ADDIN_FILE)
    if others:
        found.append(finding("WIN112", folder=folder, names=", ".join(others)))
    return found


def check_zones(streams: Mapping[str, bytes]) -> list[Finding]:
    """Every file whose Zone.Identifier says Internet (3) or Restricted (4)."""
    found = []
    for path, stream in sorted(streams.items()):
        zone = zone_id(stream)
        if zone is not None and zone >= ZONE_INTERNET:
            name = re.split(r"[\\/]", path)[-1]
            found.append(finding("WIN120", name=name, path=path, zone=zone,
                                 ps_path=path.replace("'", "''")))
    return found


def check_macro_security(user: Mapping[str, Any], policy: Mapping[str, Any]) -> list[Finding]:
    """VBAWarnings (a policy wins over the user's choice), RequireAddinSig and the policy
    that blocks macros in files from the Internet."""
    found = []
    by_policy = _lookup(policy, "VBAWarnings") is not None
    vba = _lookup(policy, "VBAWarnings") if by_policy else _lookup(user, "VBAWarnings")
    row = _VBA_WARNINGS.get(vba if vba is not None else VBA_DEFAULT)
    if row:
        code, how_user, how_policy = row
        found.append(finding(code, source=", chính sách nhóm" if by_policy else "",
                             how=how_policy if by_policy else how_user))
    sig_policy = _lookup(policy, "RequireAddinSig")
    sig = sig_policy if sig_policy is not None else _lookup(user, "RequireAddinSig")
    if sig == 1:
        by = sig_policy is not None
        found.append(finding("WIN133", source=", chính sách nhóm" if by else "",
                             how=_HOW_SIG_POLICY if by else _HOW_SIG_USER))
    if _lookup(policy, "blockcontentexecutionfrominternet") == 1:
        found.append(finding("WIN134"))
    return found


def check_asr(mp_text: str | None, policy: Mapping[str, Any], python: str) -> list[Finding]:
    """Defender's rule that stops Office from starting programs (RunPython starts one)."""
    code = _ASR_MODES.get(asr_mode(mp_text, policy) or 0)
    return [finding(code, python=python or "python.exe")] if code else []


def windows_findings(facts: WindowsFacts) -> list[Finding]:
    """Every check over what the probe read, errors first."""
    found = [
        *check_bitness(facts.python_bits, facts.c2r_platform, facts.excel_header,
                       excel_found=bool(facts.excel_path or facts.excel_curver)),
        *check_xlstart(facts.xlstart, facts.xlstart_files),
        *check_zones(facts.zone_streams),
        *check_macro_security(facts.security_user, facts.security_policy),
        *check_asr(facts.mp_preference, facts.asr_policy, facts.python),
    ]
    order = {ERROR: 0, WARNING: 1, INFO: 2}
    return sorted(found, key=lambda f: (order[f.level], f.code))


def windows_summary(facts: WindowsFacts) -> dict[str, Any]:
    """Office's version and bits, XLSTART and the probes that failed, for the report."""
    bits = office_bits(facts.c2r_platform, facts.excel_header)
    return {
        "office": f"{office_version(facts.excel_curver) or 'không rõ phiên bản'}, "
                  f"{f'{bits} bit' if bits else 'không rõ số bit'}",
        "xlstart": facts.xlstart,
        **({"unreadable": ", ".join(facts.unreadable)} if facts.unreadable else {}),
    }


__all__ = [
    "ASR_OFFICE_CHILD",
    "CHECKS",
    "Finding",
    "WindowsFacts",
    "asr_mode",
    "asr_rules_from_mp",
    "check_asr",
    "check_bitness",
    "check_macro_security",
    "check_xlstart",
    "check_zones",
    "finding",
    "office_bits",
    "office_version",
    "parse_format_list",
    "pe_bits",
    "windows_findings",
    "windows_summary",
    "zone_id",
]
