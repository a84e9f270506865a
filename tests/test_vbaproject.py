"""vbaProject.bin built from source (vaxclean_xl.addin): checked by independent readers.

- MS-OVBA compression against oletools' decompressor and against containers Excel wrote
  (the templates shipped inside the installed xlwings package);
- the compound file against olefile (strict defect checking, every stream byte-equal,
  red-black rules of every sibling tree);
- the whole project against olevba (Python API and the real command line), bare and
  inside an .xlsm made by XlsxWriter, and against LibreOffice, which imports the modules
  into its Basic libraries and even runs a VBA function built with vba_string_literal.
"""

from __future__ import annotations

import io
import json
import random
import struct
import subprocess
import sys
import unicodedata
import uuid
from pathlib import Path

import olefile
import pytest
import xlsxwriter
import xlwings
from oletools.olevba import VBA_Parser, decompress_stream

from tests.conftest import run_uno, skip_or_fail_in_ci, soffice_or_skip, uno_python_or_skip
from vaxclean_xl.addin.cfb import build_cfb, cfb_name_key
from vaxclean_xl.addin.ovba import _copy_token_help, compress, decompress
from vaxclean_xl.addin.vbaproject import (
    VbaModule,
    build_vba_project,
    decrypt_data,
    encrypt_data,
    load_module,
    module_text,
    vba_string_literal,
)

XLWINGS_DIR = Path(xlwings.__file__).parent
RUNTIME_BAS = XLWINGS_DIR / "xlwings_custom_addin.bas"
TEMPLATES = ["quickstart_addin_ribbon.xlam", "quickstart_addin.xlam", "quickstart.xlsm",
             "quickstart_standalone.xlsm"]


def ole_decompress(container: bytes) -> bytes:
    return bytes(decompress_stream(bytearray(container)))


def template_bin(name: str) -> bytes:
    """xl/vbaProject.bin of an xlwings template (written by Excel / xlwings' tooling)."""
    import zipfile

    with zipfile.ZipFile(XLWINGS_DIR / name) as zf:
        return zf.read("xl/vbaProject.bin")


def parse_dir(data: bytes) -> list[tuple[int, bytes]]:
    """Independent reader of decompressed dir records: [(id, payload)]."""
    records, i = [], 0
    while i < len(data):
        rid, size = struct.unpack_from("<HI", data, i)
        if rid == 0x0009:  # PROJECTVERSION: Reserved=4, then 4 + 2 bytes
            records.append((rid, data[i + 6 : i + 12]))
            i += 12
            continue
        records.append((rid, data[i + 6 : i + 6 + size]))
        i += 6 + size
    assert i == len(data)
    return records


def module_offsets(dir_data: bytes) -> dict[str, int]:
    offsets, name = {}, ""
    for rid, payload in parse_dir(dir_data):
        if rid == 0x001A:
            name = payload.decode("cp1252")
        elif rid == 0x0031:
            offsets[name] = struct.unpack("<I", payload)[0]
    return offsets


# --- MS-OVBA compression ----------------------------------------------------------------

def _vba_text(n: int) -> bytes:
    base = RUNTIME_BAS.read_bytes()
    return (base * (n // len(base) + 1))[:n]


_PATTERNS = {
    "random": lambda n: random.Random(n).randbytes(n),
    "zeros": lambda n: bytes(n),
    "one-letter": lambda n: b"a" * n,
    "period-3": lambda n: (b"abc" * n)[:n],
    "period-4097": lambda n: (random.Random(7).randbytes(4097) * (n // 4097 + 1))[:n],
    "two-letter-random": lambda n: bytes(random.Random(n).choice(b"ab") for _ in range(n)),
    "vba": _vba_text,
}
_SIZES = [0, 1, 2, 3, 4, 17, 3640, 3641, 4095, 4096, 4097, 8191, 8192, 8193, 12300]


@pytest.mark.parametrize("pattern", sorted(_PATTERNS))
@pytest.mark.parametrize("size", _SIZES)
def test_compression_round_trips_through_oletools(pattern: str, size: int) -> None:
    data = _PATTERNS[pattern](size)
    container = compress(data)
    assert ole_decompress(container) == data
    assert decompress(container) == data


def test_compression_of_every_xlwings_module_round_trips() -> None:
    sources = [RUNTIME_BAS, XLWINGS_DIR / "xlwings.bas",
               *sorted((XLWINGS_DIR / "addin").glob("*.bas")),
               *sorted((XLWINGS_DIR / "addin").glob("*.cls"))]
    for path in sources:
        data = path.read_bytes()
        container = compress(data, allow_raw=False)
        assert ole_decompress(container) == data, path.name
        assert len(container) < len(data), path.name  # text really compresses


def test_random_fuzz_round_trips() -> None:
    rng = random.Random(2024)
    for _ in range(200):
        n = rng.choice([rng.randrange(0, 300), rng.randrange(3000, 9000)])
        alphabet = rng.randbytes(rng.randrange(1, 6))
        data = bytes(rng.choice(alphabet) for _ in range(n))
        assert ole_decompress(compress(data)) == data


def test_incompressible_chunk_is_raw_and_can_be_refused() -> None:
    data = random.Random(1).randbytes(4096 + 10)
    container = compress(data)
    header = int.from_bytes(container[1:3], "little")
    assert header == 0x3FFF  # raw chunk: flag 0, signature 0b011, size 4098
    assert ole_decompress(container) == data
    with pytest.raises(ValueError, match="raw chunk"):
        compress(data, allow_raw=False)


def test_copy_token_layout_depends_on_position() -> None:
    # spec 2.4.1.3.19.1: offset bits = max(ceil(log2(position)), 4)
    assert _copy_token_help(1) == (4, 0x0FFF, 0x1002)
    assert _copy_token_help(16) == (4, 0x0FFF, 0x1002)
    assert _copy_token_help(17) == (5, 0x07FF, 0x0802)
    assert _copy_token_help(2048) == (11, 0x001F, 34)
    assert _copy_token_help(2049) == (12, 0x000F, 18)
    assert _copy_token_help(4096) == (12, 0x000F, 18)


def test_decompresses_the_spec_example() -> None:
    # [MS-OVBA] 3.2: a container made of one compressed chunk with copy tokens.
    container = bytes.fromhex(
        "01 2F B0 00 23 61 61 61 62 63 64 65 82 66 00 70 61 67 68 69 6A 01 38 08 61 6B"
        "6C 00 30 6D 6E 6F 70 06 71 02 70 04 10 72 73 74 75 76 10 77 78 79 7A 00 3C")
    expected = b"#aaabcdefaaaaghijaaaaaklaaamnopqaaaaaaaaaaaarstuvwxyzaaa"
    assert ole_decompress(container) == expected
    assert decompress(container) == expected
    assert decompress(compress(expected)) == expected


@pytest.mark.parametrize("template", TEMPLATES)
def test_containers_written_by_excel_decode_identically(template: str) -> None:
    ole = olefile.OleFileIO(io.BytesIO(template_bin(template)))
    dir_container = ole.openstream("VBA/dir").read()
    dir_data = decompress(dir_container)
    assert dir_data == ole_decompress(dir_container)
    assert decompress(compress(dir_data)) == dir_data
    for name, offset in module_offsets(dir_data).items():
        container = ole.openstream(f"VBA/{name}").read()[offset:]
        source = decompress(container)
        assert source == ole_decompress(container), name
        assert ole_decompress(compress(source)) == source, name


def test_decompress_rejects_malformed_input() -> None:
    with pytest.raises(ValueError, match="signature"):
        decompress(b"\x02\x00\x00")
    with pytest.raises(ValueError, match="chunk signature"):
        decompress(b"\x01\x00\x00")
    with pytest.raises(ValueError, match="before its chunk"):
        decompress(b"\x01\x02\xb0\x01\x00\x00")  # first token is a CopyToken
    with pytest.raises(ValueError, match="truncated"):
        decompress(b"\x01\x02\xb0\x02\x41\x00")  # token cut by the end of data


# --- compound file ----------------------------------------------------------------------

_RED, _BLACK = 0, 1  # directory entry colour flags (MS-CFB 2.6.1)


def _rb_check(ole: olefile.OleFileIO, storage: olefile.olefile.OleDirectoryEntry) -> int:
    """Assert the sibling tree under ``storage`` is a red-black BST; return its size."""
    entries = ole.direntries

    def walk(sid: int, lo: tuple | None, hi: tuple | None, parent_red: bool) -> tuple[int, int]:
        if sid == olefile.NOSTREAM:
            return 1, 0
        e = entries[sid]
        key = cfb_name_key(e.name)
        assert (lo is None or lo < key) and (hi is None or key < hi), e.name
        red = e.color == _RED
        assert not (red and parent_red), f"red {e.name} under a red parent"
        left_black, n_left = walk(e.sid_left, lo, key, red)
        right_black, n_right = walk(e.sid_right, key, hi, red)
        assert left_black == right_black, f"black heights differ under {e.name}"
        return left_black + (0 if red else 1), n_left + n_right + 1

    if storage.sid_child == olefile.NOSTREAM:
        return 0
    assert entries[storage.sid_child].color == _BLACK
    return walk(storage.sid_child, None, None, False)[1]


def _read_all(data: bytes) -> tuple[olefile.OleFileIO, dict[str, bytes]]:
    ole = olefile.OleFileIO(io.BytesIO(data), raise_defects=olefile.DEFECT_INCORRECT)
    return ole, {"/".join(p): ole.openstream(p).read() for p in ole.listdir()}


def test_cfb_streams_read_back_byte_equal() -> None:
    rng = random.Random(5)
    streams = {"PROJECT": b"p" * 500, "PROJECTwm": b"", "VBA/_VBA_PROJECT": b"\xcc\x61",
               "VBA/big": rng.randbytes(70_000), "VBA/edge": rng.randbytes(4096),
               "VBA/under": rng.randbytes(4095), "VBA/mini": b"x", "A/B/C/deep": b"deep"}
    for i in range(150):  # several directory sectors and mini FAT sectors
        streams[f"VBA/Module{i}"] = rng.randbytes(rng.randrange(1, 5000))
    data = build_cfb(streams)
    ole, read = _read_all(data)
    assert read == streams
    assert len(data) % 512 == 0
    for entry in ole.direntries:
        if entry is not None and entry.entry_type in (olefile.STGTY_ROOT, olefile.STGTY_STORAGE):
            assert _rb_check(ole, entry) == len(entry.kids)


@pytest.mark.parametrize("count", [1, 2, 3, 4, 5, 6, 7, 8, 15, 16, 17, 31, 33, 64, 100])
def test_cfb_sibling_trees_are_red_black(count: int) -> None:
    streams = {f"S/n{'x' * (i % 7)}{i}": bytes([i % 256]) for i in range(count)}
    ole, read = _read_all(build_cfb(streams))
    assert read == streams
    storage = ole.direntries[ole.root.sid_child]
    assert _rb_check(ole, storage) == count


def test_cfb_is_deterministic_and_validates_names() -> None:
    streams = {"b": b"1", "A/x": b"2", "a/y": b"3"}
    with pytest.raises(ValueError, match="clashes"):
        build_cfb(streams)  # storages "A" and "a" are the same entry
    streams = {"b": b"1", "A/x": b"2", "A/y": b"3" * 5000}
    assert build_cfb(streams) == build_cfb(dict(reversed(streams.items())))
    with pytest.raises(ValueError, match="31"):
        build_cfb({"x" * 32: b""})
    with pytest.raises(ValueError, match="may not contain"):
        build_cfb({"a:b": b""})


# --- the VBA project --------------------------------------------------------------------

RIBBON_SOURCE = """\
Sub OnButton(control As IRibbonControl)
    RunPython "import vaxclean_xl.excel; vaxclean_xl.excel.on_button('" & control.Id & "')"
End Sub
"""


def sample_modules() -> list[VbaModule]:
    return [
        load_module(RUNTIME_BAS),
        load_module(XLWINGS_DIR / "addin" / "Dictionary.cls"),
        VbaModule("Sheet1", "", "document"),
        VbaModule("Sheet2", "Private Sub Worksheet_Activate()\r\nEnd Sub\r\n", "document"),
        VbaModule("Ribbon", RIBBON_SOURCE),
        VbaModule("Greeting", "Public Function Label() As String\n    Label = "
                  + vba_string_literal("Tiêm chủng – Đợt 2 \"ưu tiên\"") + "\nEnd Function\n"),
    ]


@pytest.fixture(scope="module")
def project_bin() -> bytes:
    return build_vba_project(sample_modules(), project_name="VaxClean")


@pytest.fixture(scope="module")
def xlsm_path(project_bin: bytes, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("xlsm")
    (folder / "vbaProject.bin").write_bytes(project_bin)
    path = folder / "vaxclean_test.xlsm"
    workbook = xlsxwriter.Workbook(str(path))
    workbook.add_worksheet()
    workbook.add_worksheet()
    workbook.add_vba_project(str(folder / "vbaProject.bin"))
    workbook.close()
    return path


def expected_texts() -> dict[str, str]:
    texts = {"ThisWorkbook": module_text(VbaModule("ThisWorkbook", "", "document"))}
    texts.update({m.name: module_text(m) for m in sample_modules()})
    return texts


def test_streams_and_records(project_bin: bytes) -> None:
    ole, streams = _read_all(project_bin)
    names = ["ThisWorkbook", "xlwings", "Dictionary", "Sheet1", "Sheet2", "Ribbon", "Greeting"]
    assert set(streams) == {"PROJECT", "PROJECTwm", "VBA/_VBA_PROJECT", "VBA/dir",
                            *(f"VBA/{n}" for n in names)}
    assert streams["VBA/_VBA_PROJECT"] == bytes.fromhex("CC61FFFF000100")

    dir_data = decompress(streams["VBA/dir"])
    records = parse_dir(dir_data)
    ids = [rid for rid, _ in records]
    assert ids[:15] == [0x01, 0x02, 0x14, 0x03, 0x04, 0x05, 0x40, 0x06, 0x3D, 0x07, 0x08,
                        0x09, 0x0C, 0x3C, 0x16]
    assert ids[-1] == 0x10
    by_id = dict(records)
    assert by_id[0x03] == struct.pack("<H", 1252)
    assert by_id[0x04] == b"VaxClean"
    assert [p for rid, p in records if rid == 0x16] == [b"stdole", b"Office"]
    assert by_id[0x0F] == struct.pack("<H", len(names))
    assert [p.decode() for rid, p in records if rid == 0x19] == names
    assert [p for rid, p in records if rid == 0x31] == [bytes(4)] * len(names)  # offset 0
    assert [rid for rid in ids if rid in (0x21, 0x22)] == [0x22, 0x21, 0x22, 0x22, 0x22,
                                                           0x21, 0x21]
    assert all(p == b"\xff\xff" for rid, p in records if rid in (0x13, 0x2C))

    texts = expected_texts()
    for name in names:  # source at offset 0, CRLF, cp1252
        assert decompress(streams[f"VBA/{name}"]).decode("cp1252") == texts[name]

    wm = streams["PROJECTwm"]
    assert wm.startswith(b"ThisWorkbook\0" + "ThisWorkbook".encode("utf-16-le") + b"\0\0")
    assert wm.endswith(b"Greeting\0" + "Greeting".encode("utf-16-le") + b"\0\0\0\0")


def test_project_stream(project_bin: bytes) -> None:
    _, streams = _read_all(project_bin)
    text = streams["PROJECT"].decode("cp1252")
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")
    lines = text.split("\r\n")
    assert lines[0].startswith('ID="{') and lines[0].endswith('}"')
    project_id = lines[0][4:-1]
    uuid.UUID(project_id)
    assert lines[1:8] == ["Document=ThisWorkbook/&H00000000", "Module=xlwings",
                          "Class=Dictionary", "Document=Sheet1/&H00000000",
                          "Document=Sheet2/&H00000000", "Module=Ribbon", "Module=Greeting"]
    assert lines[8:11] == ['Name="VaxClean"', 'HelpContextID="0"',
                           'VersionCompatible32="393222000"']
    fields = dict(line.split("=", 1) for line in lines[11:14])
    key = sum(project_id.encode()) & 0xFF
    assert decrypt_data(fields["CMG"].strip('"')) == (key, bytes(4))  # not protected
    assert decrypt_data(fields["DPB"].strip('"')) == (key, b"\0")  # no password
    assert decrypt_data(fields["GC"].strip('"')) == (key, b"\xff")  # visible
    assert "[Host Extender Info]" in lines and "[Workspace]" in lines


@pytest.mark.parametrize("template", TEMPLATES)
def test_protection_fields_decrypt_like_excel_wrote_them(template: str) -> None:
    text = olefile.OleFileIO(io.BytesIO(template_bin(template))).openstream("PROJECT").read()
    fields = dict(line.split("=", 1) for line in text.decode("cp1252").split("\r\n")
                  if "=" in line)
    key = sum(fields["ID"].strip('"').encode()) & 0xFF
    assert decrypt_data(fields["CMG"].strip('"')) == (key, bytes(4))
    assert decrypt_data(fields["DPB"].strip('"')) == (key, b"\0")
    assert decrypt_data(fields["GC"].strip('"')) == (key, b"\xff")


def test_encryption_matches_the_spec_example() -> None:
    # [MS-OVBA] 3.1.6 PROJECT example: ID {917DED54-...}, CMG with seed 0x07
    project_id = "{917DED54-440B-4FD1-A5C1-74ACF261E600}"
    assert encrypt_data(project_id, bytes(4), 0x07) == "0705D8E3D8EDDBF1DBF1DBF1DBF1"
    for seed in range(256):
        assert decrypt_data(encrypt_data(project_id, b"\xff", seed))[1] == b"\xff"


def test_document_and_class_headers_match_excel() -> None:
    ole = olefile.OleFileIO(io.BytesIO(template_bin("quickstart_addin_ribbon.xlam")))
    offsets = module_offsets(decompress(ole.openstream("VBA/dir").read()))

    def stored(name: str) -> str:
        raw = ole.openstream(f"VBA/{name}").read()[offsets[name] :]
        return decompress(raw).decode("cp1252")

    assert module_text(VbaModule("ThisWorkbook", "", "document")) == stored("ThisWorkbook")
    assert module_text(VbaModule("Sheet2", "", "document")) == stored("Sheet2")
    # Dictionary.cls as imported by the VBE: VERSION block dropped, VB_Base and friends
    # added in Excel's order. (The VBE also re-cases identifiers, e.g. err -> Err.)
    ours = module_text(load_module(XLWINGS_DIR / "addin" / "Dictionary.cls"))
    excel = stored("Dictionary")
    assert ours.split("\r\n")[:9] == excel.split("\r\n")[:9]
    assert ours.lower() == excel.lower()


def test_olevba_api_extracts_every_module(project_bin: bytes, xlsm_path: Path) -> None:
    texts = expected_texts()
    for label, parser in [("bin", VBA_Parser("vbaProject.bin", data=project_bin,
                                             relaxed=False)),
                          ("xlsm", VBA_Parser(str(xlsm_path), relaxed=False))]:
        assert parser.detect_vba_macros(), label
        found = {}
        for _, stream_path, _, code in parser.extract_macros():
            found[stream_path.split("/")[-1]] = code
        assert found == texts, label
        parser.close()


def test_xlwings_runtime_passes_through_byte_for_byte(project_bin: bytes) -> None:
    original = RUNTIME_BAS.read_bytes()
    assert module_text(load_module(RUNTIME_BAS)).encode("cp1252") == original
    _, streams = _read_all(project_bin)
    assert decompress(streams["VBA/xlwings"]) == original
    parser = VBA_Parser("vbaProject.bin", data=project_bin, relaxed=False)
    codes = {p.split("/")[-1]: code for _, p, _, code in parser.extract_macros()}
    assert codes["xlwings"].encode("cp1252") == original
    assert f"'Version: {xlwings.__version__}" in codes["xlwings"]  # matches the package


def test_olevba_command_line(project_bin: bytes, xlsm_path: Path, tmp_path: Path) -> None:
    olevba = Path(sys.executable).with_name("olevba")
    if not olevba.exists():
        skip_or_fail_in_ci("olevba script not installed next to the interpreter")
    bin_path = tmp_path / "vbaProject.bin"
    bin_path.write_bytes(project_bin)
    texts = expected_texts()
    for path in (bin_path, xlsm_path):
        plain = subprocess.run([str(olevba), "--decode", str(path)], capture_output=True,
                               text=True, timeout=120)
        assert plain.returncode == 0, plain.stderr
        for name in texts:
            assert f"- OLE stream: 'VBA/{name}'" in plain.stdout, (path.name, name)
        proc = subprocess.run([str(olevba), "-j", "--attr", "--decode", str(path)],
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr
        report = next(item for item in json.loads(proc.stdout) if "macros" in item)
        codes = {m["ole_stream"].split("/")[-1]: m["code"] for m in report["macros"]}
        # the JSON report strips trailing newlines; everything else is verbatim
        assert codes == {n: t.rstrip("\r\n") for n, t in texts.items()}, path.name


def test_build_is_deterministic_and_content_addressed() -> None:
    one = build_vba_project(sample_modules(), project_name="VaxClean")
    assert one == build_vba_project(sample_modules(), project_name="VaxClean")
    changed = sample_modules()
    changed[4] = VbaModule("Ribbon", RIBBON_SOURCE.replace("on_button", "on_click"))
    other = build_vba_project(changed, project_name="VaxClean")
    assert other != one

    def project_id(data: bytes) -> str:
        return olefile.OleFileIO(io.BytesIO(data)).openstream("PROJECT").read()[:44].decode()

    assert project_id(other) != project_id(one)


def test_workbook_module_is_added_first_when_missing() -> None:
    data = build_vba_project([VbaModule("Main", "Sub A()\nEnd Sub")])
    _, streams = _read_all(data)
    text = streams["PROJECT"].decode("cp1252").split("\r\n")
    assert text[1:3] == ["Document=ThisWorkbook/&H00000000", "Module=Main"]
    expected = b'Attribute VB_Name = "Main"\r\nSub A()\r\nEnd Sub\r\n'
    assert decompress(streams["VBA/Main"]) == expected


def test_invalid_input_is_refused() -> None:
    with pytest.raises(ValueError, match="code page"):
        build_vba_project([VbaModule("Main", 'MsgBox "Tiêm chủng"')])
    with pytest.raises(ValueError, match="duplicate"):
        build_vba_project([VbaModule("Main"), VbaModule("MAIN")])
    with pytest.raises(ValueError, match="identifier"):
        build_vba_project([VbaModule("Bad Name")])
    with pytest.raises(ValueError, match="VB_Name"):
        build_vba_project([VbaModule("Main", 'Attribute VB_Name = "Other"\r\n')])
    with pytest.raises(ValueError, match="document"):
        build_vba_project([VbaModule("ThisWorkbook", "", "standard")])
    with pytest.raises(ValueError, match="clashes"):
        build_vba_project([VbaModule("VBAProject")])


def test_vba_string_literal() -> None:
    assert vba_string_literal("") == '""'
    assert vba_string_literal("abc") == '"abc"'
    assert vba_string_literal('say "hi"') == '"say ""hi"""'
    assert vba_string_literal("Tiêm") == '"Ti" & ChrW(234) & "m"'
    assert vba_string_literal("Đ") == "ChrW(272)"
    assert vba_string_literal("a\r\nb") == '"a" & ChrW(13) & ChrW(10) & "b"'
    decomposed = unicodedata.normalize("NFD", "chủng")
    assert vba_string_literal(decomposed) == '"ch" & ChrW(7911) & "ng"'
    assert vba_string_literal(decomposed, nfc=False) == '"chu" & ChrW(777) & "ng"'
    assert vba_string_literal("😀") == "ChrW(55357) & ChrW(56832)"  # UTF-16 surrogates
    assert vba_string_literal("Tiêm chủng – Đợt 2").isascii()


# --- LibreOffice imports the modules ------------------------------------------------------

PROBE_TEXT = "Tiêm chủng – Đợt 2 \"ưu tiên\" 😀"


@pytest.mark.libreoffice
def test_libreoffice_imports_the_modules(xlsm_path: Path, tmp_path: Path) -> None:
    soffice = soffice_or_skip()
    python = uno_python_or_skip()
    # a second, minimal workbook whose one function LibreOffice runs: LibreOffice Basic
    # does not compile the whole xlwings runtime (Windows/Mac Declares), which would stop
    # any call into that library
    probe_module = VbaModule("Probe", "Public Function Label() As String\n    Label = "
                             + vba_string_literal(PROBE_TEXT) + "\nEnd Function\n")
    (tmp_path / "probe.bin").write_bytes(
        build_vba_project([VbaModule("Sheet1", "", "document"), probe_module],
                          project_name="ProbeProject"))
    probe_path = tmp_path / "probe.xlsm"
    workbook = xlsxwriter.Workbook(str(probe_path))
    workbook.add_worksheet()
    workbook.add_vba_project(str(tmp_path / "probe.bin"))
    workbook.close()

    listed, probed = run_uno(soffice, python, [(str(xlsm_path), ""),
                                                (str(probe_path), "ProbeProject.Probe.Label")],
                              tmp_path)

    libraries = listed["libraries"]
    # LibreOffice imports the VBA project into a Basic library named after the project
    assert "VaxClean" in libraries, sorted(libraries)
    modules = libraries["VaxClean"]
    assert set(modules) == set(expected_texts())
    kinds = {name: code.split("\n", 1)[0] for name, code in modules.items()}
    assert kinds["xlwings"] == "Rem Attribute VBA_ModuleType=VBAModule"
    assert kinds["Ribbon"] == "Rem Attribute VBA_ModuleType=VBAModule"
    assert kinds["Dictionary"] == "Rem Attribute VBA_ModuleType=VBAClassModule"
    for document in ("ThisWorkbook", "Sheet1", "Sheet2"):
        assert kinds[document] == "Rem Attribute VBA_ModuleType=VBADocumentModule"
    assert "Public Function RunPython(" in modules["xlwings"]
    assert "control.Id" in modules["Ribbon"]

    assert set(probed["libraries"]["ProbeProject"]) == {"ThisWorkbook", "Sheet1", "Probe"}
    # LibreOffice runs the VBA: the ChrW expression evaluates to the Vietnamese text
    assert probed["probe"] == PROBE_TEXT
