"""Build ``vbaProject.bin`` from VBA source text, deterministically, without Excel.

Layout ([MS-OVBA] 2.2/2.3), the same one the add-ins shipped by xlwings use:

- ``PROJECT``: text properties (ID, one ``Document=``/``Module=``/``Class=`` line per
  module, Name, protection fields CMG/DPB/GC, host extender, workspace);
- ``PROJECTwm``: module names in the code page and in UTF-16;
- ``VBA/_VBA_PROJECT``: 7 bytes, version 0xFFFF and no performance cache: MS-OVBA 2.3.4.1
  requires exactly this on write, and it makes Office ignore every compiled cache and
  recompile from source (xlwings' own templates are written this way);
- ``VBA/dir``: compressed records (project information, references, one MODULE record
  per module with MODULEOFFSET 0);
- ``VBA/<module>``: the compressed source text at offset 0 (no compiled cache).

Why from source instead of patching a donor bin from the xlwings package: a donor
carries someone's compiled p-code, absolute reference paths and random IDs; rebuilding
from text gives the same bytes for the same inputs and a file whose every field we chose.

Module text is stored as the VBE would store it: CRLF line endings, the ``Attribute``
header block first, encoded in the project code page. VBA source itself cannot hold
Vietnamese reliably (the code page is the Windows ANSI one, cp1252 here), so keep sources
ASCII and build Vietnamese strings at run time with :func:`vba_string_literal`.
"""

from __future__ import annotations

import hashlib
import re
import struct
import unicodedata
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from vaxclean_xl.addin.cfb import build_cfb
from vaxclean_xl.addin.ovba import compress

ModuleKind = Literal["standard", "document", "class"]

WORKBOOK_BASE = "0{00020819-0000-0000-C000-000000000046}"
"""VB_Base of the workbook document module (Excel's Workbook class)."""
WORKSHEET_BASE = "0{00020820-0000-0000-C000-000000000046}"
"""VB_Base of a worksheet document module (Excel's Worksheet class)."""
CLASS_BASE = "0{FCFB3D2A-A0FA-1068-A738-08002B3371B5}"
"""VB_Base the VBE gives every class module."""

_IDENT = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,30}\Z")
_ATTR = re.compile(r'Attribute (VB_\w+) = (.*)\Z')
_ID_NAMESPACE = uuid.UUID("6f1d2a52-5d1e-4c8e-9a57-7661786c6561")
_UNPROTECTED = bytes(4)  # CMG: ProjectProtectionState, no protection flags
_NO_PASSWORD = b"\x00"  # DPB: ProjectPassword, none
_VISIBLE = b"\xff"  # GC: ProjectVisibilityState, visible
_HOST_EXTENDER = "&H00000001={3832D640-CF90-11CF-8E43-00A0C911005A};VBE;&H00000000"


@dataclass(frozen=True, slots=True)
class VbaModule:
    """One VBA module.

    ``source`` may be bare code, or a VBE export (``.bas``/``.cls``: its ``VERSION``/
    ``BEGIN``..``END`` block is dropped, its ``Attribute VB_*`` header is kept and
    completed with the attributes the VBE itself writes for the kind).
    ``kind``: "standard" (a .bas module), "class" (a .cls module) or "document" (the
    code-behind of ThisWorkbook or of a sheet, named after the sheet's codeName).
    """

    name: str
    source: str = ""
    kind: ModuleKind = "standard"


@dataclass(frozen=True, slots=True)
class VbaReference:
    """A registered type-library reference (REFERENCEREGISTERED, MS-OVBA 2.3.4.2.2.5).

    ``libid`` is ``*\\G{LIBID}#major.minor#lcid#path#description``. Office resolves the
    library by LIBID and version through the registry; the path is only a hint.
    """

    name: str
    libid: str


STDOLE = VbaReference(
    "stdole",
    r"*\G{00020430-0000-0000-C000-000000000046}#2.0#0#C:\Windows\System32\stdole2.tlb"
    r"#OLE Automation",
)
OFFICE = VbaReference(
    "Office",
    r"*\G{2DF8D04C-5BFA-101B-BDE5-00AA0044DE52}#2.0#0#C:\Program Files\Common Files"
    r"\Microsoft Shared\OFFICE16\MSO.DLL#Microsoft Office 16.0 Object Library",
)
DEFAULT_REFERENCES: tuple[VbaReference, ...] = (STDOLE, OFFICE)
"""stdole (every new Excel project has it) and Office (declares ``IRibbonControl``,
needed by ribbon callbacks). "VBA" and "Excel" are implicit: the host adds them."""


def load_module(path: str | Path, *, code_page: int = 1252) -> VbaModule:
    """Read a VBE export: ``.cls`` is a class, anything else (``.bas``) standard.

    The module name comes from its ``Attribute VB_Name`` line, else the file stem.
    """
    path = Path(path)
    text = path.read_bytes().decode(f"cp{code_page}")
    match = re.search(r'^Attribute VB_Name = "([^"]+)"', text, re.MULTILINE)
    name = match.group(1) if match else path.stem
    kind: ModuleKind = "class" if path.suffix.lower() == ".cls" else "standard"
    return VbaModule(name, text, kind)


def vba_string_literal(text: str, *, nfc: bool = True) -> str:
    """A VBA expression evaluating to ``text``: ASCII runs quoted, the rest ``ChrW(n)``.

    ``vba_string_literal("Tiêm")`` == ``'"Ti" & ChrW(234) & "m"'``. Use it to put
    Vietnamese into VBA, whose source is ANSI. Each UTF-16 code unit becomes one ChrW
    (VBA strings are UTF-16). ``nfc`` first composes decomposed input (one ChrW per
    letter, not letter + combining mark). Limits: the result is an expression, so not
    usable in ``Const``; keep it under the VBE's 1023-character line limit; and VBA's
    ``MsgBox``/``InputBox`` are ANSI, showing "?" for letters outside the Windows code
    page: show Unicode text through ribbon XML, cells, or Python instead.
    """
    if nfc:
        text = unicodedata.normalize("NFC", text)
    units = struct.unpack(f"<{len(text.encode('utf-16-le')) // 2}H", text.encode("utf-16-le"))
    parts: list[str] = []
    run: list[str] = []
    for unit in units:
        if 0x20 <= unit < 0x7F:
            run.append('""' if unit == 0x22 else chr(unit))
            continue
        if run:
            parts.append('"' + "".join(run) + '"')
            run = []
        parts.append(f"ChrW({unit})")
    if run or not parts:
        parts.append('"' + "".join(run) + '"')
    return " & ".join(parts)


def _default_attributes(module: VbaModule, workbook_module: str) -> list[tuple[str, str]]:
    """The Attribute header the VBE writes for each kind (copied from xlwings' templates)."""
    name = ("VB_Name", f'"{module.name}"')
    if module.kind == "standard":
        return [name]
    if module.kind == "class":
        base, predeclared, exposed, customizable = CLASS_BASE, "False", "False", "False"
    else:
        base = WORKBOOK_BASE if module.name == workbook_module else WORKSHEET_BASE
        predeclared, exposed, customizable = "True", "True", "True"
    return [
        name,
        ("VB_Base", f'"{base}"'),
        ("VB_GlobalNameSpace", "False"),
        ("VB_Creatable", "False"),
        ("VB_PredeclaredId", predeclared),
        ("VB_Exposed", exposed),
        ("VB_TemplateDerived", "False"),
        ("VB_Customizable", customizable),
    ]


def module_text(module: VbaModule, *, workbook_module: str = "ThisWorkbook") -> str:
    """The text stored in the module's stream: CRLF, full Attribute header, final CRLF.

    A source that already has the complete header for its kind (such as xlwings'
    ``xlwings_custom_addin.bas``) passes through unchanged.
    """
    lines = module.source.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if lines and lines[0].strip() == "VERSION 1.0 CLASS":
        try:
            end = next(i for i, line in enumerate(lines) if line.strip() == "END")
        except StopIteration:
            raise ValueError(f"{module.name}: VERSION header without END") from None
        lines = lines[end + 1 :]
    given: dict[str, str] = {}
    while lines and (m := _ATTR.match(lines[0])):
        given[m.group(1)] = m.group(2)
        lines.pop(0)
    if "VB_Name" in given and given["VB_Name"] != f'"{module.name}"':
        raise ValueError(f"{module.name}: source says Attribute VB_Name = {given['VB_Name']}")
    header = _default_attributes(module, workbook_module)
    header = [(key, given.pop(key, value)) for key, value in header] + list(given.items())
    text_lines = [f"Attribute {key} = {value}" for key, value in header] + lines
    return "\r\n".join(text_lines) + "\r\n"


def _encode(text: str, code_page: int, what: str) -> bytes:
    try:
        return text.encode(f"cp{code_page}")
    except UnicodeEncodeError as exc:
        bad = text[exc.start : exc.end]
        raise ValueError(
            f"{what}: {bad!r} is not in code page {code_page}; keep VBA source ASCII and "
            "build such text with vba_string_literal() (ChrW)"
        ) from None


def _rec(record_id: int, data: bytes = b"") -> bytes:
    return struct.pack("<HI", record_id, len(data)) + data


def _u16(text: str) -> bytes:
    return text.encode("utf-16-le")


def encrypt_data(project_id: str, data: bytes, seed: int) -> str:
    """MS-OVBA 2.4.3.2 "Data Encryption" as the hex text of a PROJECT field (CMG/DPB/GC).

    It is obfuscation, keyed by the byte sum of the project ID; ``seed`` (0-255) picks
    how many filler bytes precede the data. Deterministic: the filler bytes repeat seed.
    """
    version = 2
    proj_key = sum(project_id.encode("ascii")) & 0xFF
    out = bytearray([seed, seed ^ version, seed ^ proj_key])
    unencrypted1, encrypted1, encrypted2 = proj_key, seed ^ proj_key, seed ^ version

    def put(byte: int) -> None:
        nonlocal unencrypted1, encrypted1, encrypted2
        enc = byte ^ ((encrypted2 + unencrypted1) & 0xFF)
        out.append(enc)
        encrypted2, encrypted1, unencrypted1 = encrypted1, enc, byte

    for _ in range((seed & 6) // 2):
        put(seed)
    for byte in struct.pack("<I", len(data)) + data:
        put(byte)
    return out.hex().upper()


def decrypt_data(hex_text: str) -> tuple[int, bytes]:
    """Inverse of :func:`encrypt_data`: (project key, data). For tests and donors."""
    raw = bytes.fromhex(hex_text)
    seed, version_enc, key_enc = raw[0], raw[1], raw[2]
    if seed ^ version_enc != 2:
        raise ValueError("not MS-OVBA encrypted data (version is not 2)")
    unencrypted1, encrypted1, encrypted2 = seed ^ key_enc, key_enc, version_enc
    plain = bytearray()
    for enc in raw[3:]:
        byte = enc ^ ((encrypted2 + unencrypted1) & 0xFF)
        plain.append(byte)
        encrypted2, encrypted1, unencrypted1 = encrypted1, enc, byte
    ignored = (seed & 6) // 2
    length = struct.unpack_from("<I", plain, ignored)[0]
    data = bytes(plain[ignored + 4 :])
    if len(data) != length:
        raise ValueError("encrypted data length mismatch")
    return seed ^ key_enc, data


def _ordered_modules(modules: Sequence[VbaModule], project_name: str,
                     workbook_module: str) -> list[VbaModule]:
    """Validate names and kinds; put the workbook module first (added empty if missing)."""
    seen: set[str] = set()
    for module in modules:
        if module.kind not in ("standard", "document", "class"):
            raise ValueError(f"{module.name}: unknown module kind {module.kind!r}")
        if not _IDENT.match(module.name):
            raise ValueError(f"{module.name!r}: a module name is an ASCII identifier of "
                             "at most 31 characters")
        key = module.name.lower()
        if key in seen:
            raise ValueError(f"{module.name}: duplicate module name (names ignore case)")
        if key in ("dir", "_vba_project", project_name.lower()):
            raise ValueError(f"{module.name}: name clashes with a VBA stream or the project")
        seen.add(key)
    workbook = [m for m in modules if m.name.lower() == workbook_module.lower()]
    if workbook and workbook[0].kind != "document":
        raise ValueError(f"{workbook_module} must be a document module")
    first = workbook[0] if workbook else VbaModule(workbook_module, "", "document")
    return [first, *(m for m in modules if m is not first)]


def build_vba_project(
    modules: list[VbaModule],
    *,
    project_name: str = "VBAProject",
    workbook_module: str = "ThisWorkbook",
    code_page: int = 1252,
    references: Sequence[VbaReference] = DEFAULT_REFERENCES,
) -> bytes:
    """Return the bytes of a ``vbaProject.bin`` holding ``modules``.

    The workbook's document module (``workbook_module``) comes first and is added with
    no code when missing. Give one ``VbaModule(codeName, "", "document")`` per worksheet
    the host workbook has (XlsxWriter names them Sheet1, Sheet2, ... by default).
    Project ID, protection fields and version are derived from a hash of the inputs,
    so equal inputs give equal bytes.
    """
    if not _IDENT.match(project_name):
        raise ValueError(f"{project_name!r}: the project name must be an ASCII identifier")
    if not _IDENT.match(workbook_module):
        raise ValueError(f"{workbook_module!r}: not a valid module name")
    ordered = _ordered_modules(modules, project_name, workbook_module)
    sources = [
        _encode(module_text(m, workbook_module=workbook_module), code_page, m.name)
        for m in ordered
    ]

    digest = hashlib.sha256()
    for part in [project_name, str(code_page), workbook_module,
                 *(f"{r.name}\0{r.libid}" for r in references)]:
        digest.update(part.encode("utf-8") + b"\0")
    for module, source in zip(ordered, sources, strict=True):
        digest.update(f"{module.kind}\0{module.name}\0".encode() + source + b"\0")
    fingerprint = digest.digest()
    project_id = "{" + str(uuid.uuid5(_ID_NAMESPACE, fingerprint.hex())).upper() + "}"

    streams: dict[str, bytes] = {
        "PROJECT": _project_text(ordered, project_name, project_id, fingerprint[0], code_page),
        "PROJECTwm": b"".join(
            _encode(m.name, code_page, m.name) + b"\0" + _u16(m.name) + b"\0\0" for m in ordered
        ) + b"\0\0",
        "VBA/_VBA_PROJECT": bytes([0xCC, 0x61, 0xFF, 0xFF, 0x00, 0x01, 0x00]),
        "VBA/dir": compress(
            _dir_stream(ordered, project_name, code_page, references, fingerprint),
            allow_raw=False,
        ),
    }
    for module, source in zip(ordered, sources, strict=True):
        streams[f"VBA/{module.name}"] = compress(source, allow_raw=False)
    return build_cfb(streams)


def _project_text(modules: Sequence[VbaModule], project_name: str, project_id: str,
                  seed: int, code_page: int) -> bytes:
    """The PROJECT stream (MS-OVBA 2.3.1), in the order and form the VBE writes it."""
    lines = [f'ID="{project_id}"']
    for m in modules:
        if m.kind == "document":
            lines.append(f"Document={m.name}/&H00000000")
        elif m.kind == "class":
            lines.append(f"Class={m.name}")
        else:
            lines.append(f"Module={m.name}")
    lines += [
        f'Name="{project_name}"',
        'HelpContextID="0"',
        'VersionCompatible32="393222000"',
        f'CMG="{encrypt_data(project_id, _UNPROTECTED, seed)}"',
        f'DPB="{encrypt_data(project_id, _NO_PASSWORD, seed)}"',
        f'GC="{encrypt_data(project_id, _VISIBLE, seed)}"',
        "",
        "[Host Extender Info]",
        _HOST_EXTENDER,
        "",
        "[Workspace]",
        *(f"{m.name}=0, 0, 0, 0, C" for m in modules),
    ]
    return _encode("\r\n".join(lines) + "\r\n", code_page, "PROJECT")


def _dir_stream(modules: Sequence[VbaModule], project_name: str, code_page: int,
                references: Sequence[VbaReference], fingerprint: bytes) -> bytes:
    """The decompressed ``dir`` stream (MS-OVBA 2.3.4.2), records in the mandated order."""
    cp = code_page
    version_major, version_minor = struct.unpack_from("<IH", fingerprint, 1)
    out = bytearray()
    out += _rec(0x0001, struct.pack("<I", 1))  # PROJECTSYSKIND: 32-bit Windows
    out += _rec(0x0002, struct.pack("<I", 0x409))  # PROJECTLCID (MUST be 0x409)
    out += _rec(0x0014, struct.pack("<I", 0x409))  # PROJECTLCIDINVOKE
    out += _rec(0x0003, struct.pack("<H", cp))  # PROJECTCODEPAGE
    out += _rec(0x0004, _encode(project_name, cp, "project name"))  # PROJECTNAME
    out += _rec(0x0005) + _rec(0x0040)  # PROJECTDOCSTRING, empty (MBCS + UTF-16)
    out += _rec(0x0006) + _rec(0x003D)  # PROJECTHELPFILEPATH, empty (twice)
    out += _rec(0x0007, struct.pack("<I", 0))  # PROJECTHELPCONTEXT
    out += _rec(0x0008, struct.pack("<I", 0))  # PROJECTLIBFLAGS
    out += struct.pack("<HIIH", 0x0009, 4, version_major, version_minor)  # PROJECTVERSION
    out += _rec(0x000C) + _rec(0x003C)  # PROJECTCONSTANTS, empty (MBCS + UTF-16)
    for ref in references:
        libid = _encode(ref.libid, cp, ref.name)
        out += _rec(0x0016, _encode(ref.name, cp, ref.name)) + _rec(0x003E, _u16(ref.name))
        out += _rec(0x000D, struct.pack("<I", len(libid)) + libid + struct.pack("<IH", 0, 0))
    out += _rec(0x000F, struct.pack("<H", len(modules)))  # PROJECTMODULES count
    out += _rec(0x0013, struct.pack("<H", 0xFFFF))  # PROJECTCOOKIE (0xFFFF on write)
    for m in modules:
        name = _encode(m.name, cp, m.name)
        out += _rec(0x0019, name) + _rec(0x0047, _u16(m.name))  # MODULENAME (+ UNICODE)
        out += _rec(0x001A, name) + _rec(0x0032, _u16(m.name))  # MODULESTREAMNAME
        out += _rec(0x001C) + _rec(0x0048)  # MODULEDOCSTRING, empty
        out += _rec(0x0031, struct.pack("<I", 0))  # MODULEOFFSET: source at offset 0
        out += _rec(0x001E, struct.pack("<I", 0))  # MODULEHELPCONTEXT
        out += _rec(0x002C, struct.pack("<H", 0xFFFF))  # MODULECOOKIE (0xFFFF on write)
        out += _rec(0x0021 if m.kind == "standard" else 0x0022)  # MODULETYPE
        out += _rec(0x002B)  # module terminator
    out += _rec(0x0010)  # dir terminator
    return bytes(out)
