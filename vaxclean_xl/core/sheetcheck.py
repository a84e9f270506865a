"""In-sheet twins of the Python rules, as spreadsheet formulas for the hamlet files.

Hamlet workers correct their list in plain Excel 2010, WPS or LibreOffice, with no macros,
so the checks must run as formulas. Every formula here mirrors one rule of the catalogue
(same codes, same grammar: see ``core.normalize``), and a test recalculates generated files
with LibreOffice on adversarial values and compares the codes with ``validate_rows``.

Only functions all three programs evaluate: IF, AND, OR, NOT, LEN, LEFT, MID, TRIM, LOWER,
UPPER, EXACT, SUBSTITUTE, FIND, SEARCH, VALUE, CODE (on ASCII only: Excel answers in the
system code page), REPT, INT, MOD, MAX, CHOOSE, ISNUMBER, ISERROR, IFERROR, SUMPRODUCT
(over array constants, never over ranges that shift), COUNTIF (over the file's own record
rows, criteria escaped and prefixed so that no wildcard or number is read into them), YEAR,
MONTH, DAY, TODAY, VLOOKUP. No LET, TEXTJOIN, dynamic arrays or MATCH (its wildcards would
misread '?' and '*' typed as values). Intermediate values live in hidden helper columns so
each formula stays short enough to read and to fix (nested SUBSTITUTEs stay under Excel
2010's 64 levels).

What the file alone cannot decide is held, not dropped: the whole list's verdict on an
original value (a legacy font the source cell had; an ID number shared with someone in
another hamlet's file) is a constant in a hidden column that stands while that original
value does, and "Lỗi phát hiện" keeps the station's explanation. Legacy text typed into a
correction is recognised by certain evidence only (symbols and bytes only TCVN3/VNI
write, VNI letter+modifier pairs no Unicode word has, capitals inside small words); the
syllable test of ``core.legacy_text`` can still find some the sheet lets pass, and letters
of other alphabets ('ü', 'ç') count as odd characters (NAME002) where Python accepts them.
"""

from __future__ import annotations

from dataclasses import dataclass

from vaxclean_xl.core import legacy_text as _lt
from vaxclean_xl.core import normalize as nz
from vaxclean_xl.core.catalogue import RULES
from vaxclean_xl.core.provinces import ABROAD_RANGE, PROVINCES
from vaxclean_xl.core.rules import id_number as _id

# Codes the sheet can check on one record; the agreement test compares exactly these.
SHEET_CODES: tuple[str, ...] = (
    "NAME001", "NAME002", "NAME003", "NAME004", "NAME005",
    "DOB001", "DOB002", "DOB003", "DOB004", "DOB005", "DOB006",
    "SEX001", "SEX002",
    "ID001", "ID002", "ID003", "ID004", "ID005", "ID006", "ID007", "ID008", "ID009",
    "ID101", "ID102", "ID103", "REC001",
)
# Warnings: shown in the status after "Đúng", never make it "Sai".
WARNING_CODES: tuple[str, ...] = ("REC001",)
# Codes a row can hold as a constant (the verdict of the whole list on the original value),
# because the formulas cannot reproduce it from the file alone: a legacy font the cell had
# in the source list, or an ID number shared with someone in another hamlet's file.
HELD_CODES: dict[str, tuple[str, ...]] = {
    "held_name": ("NAME004", "NAME005"),
    "held_id": ("ID103", "REC001"),
}
CHECKED_FIELDS: tuple[str, ...] = ("full_name", "dob", "sex", "id_number")
MAX_ID_CHARS = 30  # longer IDs are not digit-checked position by position
MAX_NAME_CHARS = 60  # letter-case pattern of longer names is checked on the first 60 only

# Helper columns, in order. Each formula uses {name} for another helper's cell in the
# same row, and {orig:field} / {corr:field} for the original and correction cells.
_SEQ = "{" + ",".join(str(i) for i in range(1, MAX_ID_CHARS + 1)) + "}"
_PROVINCE_ARRAY = "{" + ",".join(f'"{c}"' for c in sorted(PROVINCES)) + "}"


def _digits_only(x: str) -> str:
    """TRUE when text x is 1..MAX_ID_CHARS ASCII digits (CODE 48..57 at every position)."""
    padded = f'MID({x}&REPT(" ",{MAX_ID_CHARS}),{_SEQ},1)'
    return (f"IF(OR(LEN({x})=0,LEN({x})>{MAX_ID_CHARS}),FALSE,"
            f"SUMPRODUCT((CODE({padded})>=48)*(CODE({padded})<=57))=LEN({x}))")


def _effective(field: str, *, trim: bool = True) -> str:
    """The correction when one is typed, else the original (spaces-only counts as empty)."""
    corr, orig = "{corr:" + field + "}", "{orig:" + field + "}"
    value = f'IF(TRIM({corr}&"")<>"",{corr},IF(TRIM({orig}&"")<>"",{orig},""))'
    return f'TRIM({value}&"")' if trim else value


def _prefix_ok(p: str) -> str:
    lo, hi = ABROAD_RANGE
    return (f"IFERROR(OR(SUMPRODUCT(--({p}={_PROVINCE_ARRAY}))>0,"
            f"AND(VALUE({p})>={lo},VALUE({p})<={hi})),FALSE)")


def _cccd_year(x: str) -> str:
    return f"IFERROR(1900+100*INT(VALUE(MID({x},4,1))/2)+VALUE(MID({x},5,2)),0)"


def _arr(items: object) -> str:
    """An array constant of strings (sorted, so the formula text is deterministic)."""
    return "{" + ",".join('"' + c.replace('"', '""') + '"' for c in sorted(items)) + "}"  # type: ignore[attr-defined]


def _count(text: str, items: object, width: int = 1) -> str:
    """How many times the strings of ``items`` (all ``width`` long) occur in ``text``."""
    n = f"SUMPRODUCT(LEN({text})-LEN(SUBSTITUTE({text},{_arr(items)},\"\")))"
    return n if width == 1 else f"{n}/{width}"


# --- legacy-font evidence the formulas can see (core.legacy_text decides from the text
# alone with a syllable test; the sheet uses the parts of that evidence which are certain).
_C1 = frozenset(map(chr, range(0x80, 0xA0)))
_VNI_EV = _lt._EVIDENCE[_lt.VNI] - _C1  # letters VNI writes and Vietnamese never has
# TCVN3 code points VNI cannot explain (symbols such as ¨ ¹ µ, cp1252 letters), and the
# cp1252 punctuation the VN1 capitals arrive as ('L€NH').
_TCVN3_ONLY = (_lt._EVIDENCE[_lt.TCVN3] - _lt._EVIDENCE[_lt.VNI] - _C1) | frozenset("€‚„†‡‰‹›™")
_VNI_MODS = frozenset(_lt._VNI_MODIFIERS)
_VNI_UPPER_BASES = "".join(sorted(c for c in _lt._TONE_BASES if c.isupper()))
_VNI_UPPER_MODS = "".join(sorted(c for c in _VNI_MODS if c.isupper()))
_VIET_LETTERS = frozenset(c for c in _lt._LETTERS if len(c) == 1)
# Vietnamese letters no 8-bit legacy cell can hold: their presence rules a legacy font out.
_VIET_WIDE = frozenset(c for c in _VIET_LETTERS if ord(c) > 0xFF)


# VNI spellings (letter + modifier byte, small) that no Vietnamese word written in Unicode
# contains: 'eã' (ễ), 'aê' (ă), 'oâ' (ô) ... (tests/test_sheet_agreement.py derives this
# list from the syllable test of core.legacy_text), plus every spelling whose modifier is a
# VNI-only byte ('aø', 'oï').
VNI_UNICODE_FREE_PAIRS = frozenset((
    "aà", "aá", "aâ", "aã", "aè", "aé", "aê", "aõ", "aù", "aú", "eà", "eá", "eâ", "eã", "eõ",
    "eù", "oâ", "oõ", "où", "uõ", "uù", "yõ", "yù", "ôõ", "ôù",
))
_VNI_EV_PAIRS = frozenset(p.lower() for p in _lt._VNI_SPELLINGS
                          if len(p) == 2 and p[1] in _VNI_EV)
_VNI_PAIRS = VNI_UNICODE_FREE_PAIRS | _VNI_EV_PAIRS
_NAME_KNOWN = _VIET_LETTERS | frozenset(" '’ʼ-")  # every character a valid name is made of
_FOLD = sorted((c, nz.fold(c)) for c in _VIET_LETTERS | {chr(i) for i in range(0xE0, 0x100)}
               if c.isalpha() and nz.fold(c) != c and len(nz.fold(c)) == 1)
_NSEQ = "{" + ",".join(str(i) for i in range(1, MAX_NAME_CHARS + 1)) + "}"


def _fold_formula(x: str, pairs: list[tuple[str, str]]) -> str:
    for ch, plain in pairs:
        x = f'SUBSTITUTE({x},"{ch}","{plain}")'
    return x


def _caps_formula() -> str:
    """Capitals inside a word after a small letter or before one ('NguyÔn', 'BÝch',
    'PHóC'), where one of the three letters is not ASCII: TCVN3 capitals in small words.
    A VNI modifier byte ('AÙnh') is no such capital."""
    def at(k: int) -> str:
        return f"MID({{name_pad}},{_NSEQ}+{k},1)" if k else f"MID({{name_pad}},{_NSEQ},1)"
    a, c, b = at(0), at(1), at(2)
    ascii_ = '"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ "'
    upper = f"(1-EXACT({c},LOWER({c})))"
    letter_a = f"((1-EXACT({a},LOWER({a})))+(1-EXACT({a},UPPER({a})))>0)"
    small_around = f"((1-EXACT({a},UPPER({a})))+(1-EXACT({b},UPPER({b})))>0)"
    not_mod = f'ISERROR(FIND({a},"{"".join(sorted(_VNI_MODS))}"))'
    not_vni_cap = (f'(1-ISNUMBER(FIND({c},"{_VNI_UPPER_MODS}"))'
                   f'*ISNUMBER(FIND({a},"{_VNI_UPPER_BASES}")))')
    wide = (f"(ISERROR(FIND({a},{ascii_}))+ISERROR(FIND({c},{ascii_}))"
            f"+ISERROR(FIND({b},{ascii_}))>0)")
    return f"SUMPRODUCT({upper}*{letter_a}*{small_around}*{not_mod}*{not_vni_cap}*{wide})"


def _held(name: str, corr_field: str, computed: str) -> str:
    """The held verdict while the original value stands, else the computed codes."""
    return (f'IF(AND({{{name}}}<>"",TRIM({{corr:{corr_field}}}&"")=""),'
            f'{{{name}}},{computed})')


def _escape_criteria(x: str) -> str:
    """COUNTIF criteria that match ``x`` literally (no wildcards)."""
    return f'SUBSTITUTE(SUBSTITUTE(SUBSTITUTE({x},"~","~~"),"*","~*"),"?","~?")'


_TODAY_KEY = "(YEAR(TODAY())*10000+MONTH(TODAY())*100+DAY(TODAY()))"

HELPERS: tuple[tuple[str, str | None], ...] = (
    # --- name
    ("name", _effective("full_name")),
    ("name_low", "LOWER({name})"),
    ("name_pad", f'" "&{{name}}&REPT(" ",{MAX_NAME_CHARS + 2})'),
    # characters outside the Vietnamese alphabet (digits, symbols, other letters)
    ("name_odd", "LEN({name_low})-" + _count("{name_low}", _NAME_KNOWN)),
    ("name_wide", _count("{name_low}", _VIET_WIDE) + ">0"),
    ("name_t", _count("{name}", _TCVN3_ONLY)),
    ("name_vst", _count('" "&{name_low}', [" ñ"], 2) + "+" + _count("{name_low}", "öæî")),
    ("name_v", _count("{name_low}", _VNI_PAIRS, 2) + "+{name_vst}"),
    # (not computed when a Vietnamese letter rules legacy text out: the common case)
    ("name_tt", "IF({name_wide},0,{name_t}+" + _caps_formula() + "+MAX(0,"
                + _count("{name}", _VNI_EV) + "-" + _count("{name_low}", _VNI_EV_PAIRS, 2)
                + "-{name_vst}))"),
    ("name_leg", 'IF(OR({name}="",{name_wide}),"",IF({name_t}>0,"NAME004 ",'
                 'IF({name_tt}+{name_v}=0,"",IF({name_tt}>={name_v},"NAME004 ","NAME005 "))))'),
    ("name_own", 'IF({name}="","NAME001 ",IF({name_leg}<>"",{name_leg},IF({name_odd}>0,'
                 '"NAME002 ",IF(ISERROR(FIND(" ",{name})),"NAME003 ",""))))'),
    ("held_name", None),
    ("name_codes", _held("held_name", "full_name", "{name_own}")),
    ("name_fold1", _fold_formula("{name_low}", _FOLD[: len(_FOLD) // 2])),
    ("name_fold", _fold_formula("{name_fold1}", _FOLD[len(_FOLD) // 2:])),
    # --- date of birth: the value, then its text in the shared grammar
    ("dob", _effective("dob", trim=False)),
    ("dob_t", 'IF(ISNUMBER({dob}),"",SUBSTITUTE(SUBSTITUTE(SUBSTITUTE(LOWER('
              'IF(AND(ISNUMBER(FIND(":",TRIM({dob}&""))),ISNUMBER(FIND(" ",TRIM({dob}&"")))),'
              'LEFT(TRIM({dob}&""),FIND(" ",TRIM({dob}&""))-1),TRIM({dob}&"")))," ",""),'
              '"-","/"),".","/"))'),
    ("p1", 'IFERROR(FIND("/",{dob_t}),0)'),
    ("p2", 'IF({p1}=0,0,IFERROR(FIND("/",{dob_t},{p1}+1),0))'),
    ("shape", 'IF(OR({p2}=0,ISNUMBER(FIND("/",{dob_t},{p2}+1))),0,'
              'IF(NOT(' + _digits_only('SUBSTITUTE({dob_t},"/","")') + '),0,'
              'IF(AND({p1}>=2,{p1}<=3,{p2}-{p1}>=2,{p2}-{p1}<=3,LEN({dob_t})-{p2}=4),1,'
              'IF(AND({p1}=5,{p2}-{p1}>=2,{p2}-{p1}<=3,LEN({dob_t})-{p2}>=1,'
              'LEN({dob_t})-{p2}<=2),2,0))))'),
    ("year_only", 'IF(ISNUMBER({dob}),AND({dob}=INT({dob}),{dob}>=1000,{dob}<=2300),'
                  + _digits_only('IF(LEFT({dob_t},3)="năm",MID({dob_t},4,99),{dob_t})') +
                  '*(LEN(IF(LEFT({dob_t},3)="năm",MID({dob_t},4,99),{dob_t}))=4)=1)'),
    ("y", 'IFERROR(IF(ISNUMBER({dob}),IFERROR(YEAR({dob}),0),CHOOSE({shape}+1,0,'
          'VALUE(MID({dob_t},{p2}+1,4)),VALUE(LEFT({dob_t},4)))),0)'),
    ("m", 'IFERROR(IF(ISNUMBER({dob}),IFERROR(MONTH({dob}),0),CHOOSE({shape}+1,0,'
          'VALUE(MID({dob_t},{p1}+1,{p2}-{p1}-1)),VALUE(MID({dob_t},{p1}+1,{p2}-{p1}-1)))),0)'),
    ("d", 'IFERROR(IF(ISNUMBER({dob}),IFERROR(DAY({dob}),0),CHOOSE({shape}+1,0,'
          'VALUE(LEFT({dob_t},{p1}-1)),VALUE(MID({dob_t},{p2}+1,2)))),0)'),
    ("real", 'IF(AND({m}>=1,{m}<=12,{y}>=1),AND({d}>=1,{d}<=CHOOSE({m},31,'
             'IF(OR(AND(MOD({y},4)=0,MOD({y},100)<>0),MOD({y},400)=0),29,28),'
             '31,30,31,30,31,31,30,31,30,31)),FALSE)'),
    ("dob_codes", 'IF(TRIM({dob}&"")="","DOB001 ",IF({year_only},"DOB003 ",'
                  'IF(ISNUMBER({dob}),IF(AND({dob}>=1,{dob}<2958466),"","DOB006 "),'
                  'IF({shape}=0,"DOB006 ",IF(NOT({real}),"DOB002 ",""))))'),
    ("dob_ok", 'AND({dob_codes}="",{y}>0)'),
    ("dob_codes2", '{dob_codes}&IF({dob_ok},IF({y}*10000+{m}*100+{d}>' + _TODAY_KEY
                   + ',"DOB004 ",IF(({y}+120)*10000+{m}*100+{d}<' + _TODAY_KEY
                   + ',"DOB005 ","")),"")'),
    # --- sex
    ("sex", 'LOWER(' + _effective("sex") + ')'),
    ("sex_mf", 'IF(OR({sex}="nam",{sex}="male"),"M",'
               'IF(OR({sex}="nữ",{sex}="nu",{sex}="female"),"F",""))'),
    ("sex_codes", 'IF({sex}="","SEX001 ",IF({sex_mf}="","SEX002 ",""))'),
    # --- ID number
    ("id", _effective("id_number")),
    ("id_compact", "{id}"),  # filled below with the separator substitutions
    ("id_dig", _digits_only("{id}")),
    ("id_cdig", _digits_only("{id_compact}")),
    # zeros only, or no digit at all ('Đang làm CCCD', 'Trẻ em'): no ID number (ID002)
    ("id_ph", 'IF({id}="",FALSE,OR(SUBSTITUTE({id},"0","")="",'
              f'SUMPRODUCT(--ISNUMBER(FIND({_arr(_id.ID_DIGIT_CHARS)},{{id}})))=0))'),
    ("id_sci", 'IF(ISERROR(SEARCH("E+",{id})),FALSE,IF(AND(CODE({id}&" ")>=48,'
               'CODE({id}&" ")<=57),'
               + _digits_only('SUBSTITUTE(SUBSTITUTE(SUBSTITUTE(UPPER({id}),"E+","",1),'
                              '".","",1),",","",1)') + ",FALSE))"),
    ("id_d", 'IF({id_dig},{id},IF({id_cdig},{id_compact},""))'),
    ("id_lz", 'IF(OR(LEN({id_d})=10,LEN({id_d})=11),IF('
              + _prefix_ok('LEFT(REPT("0",12-LEN({id_d}))&{id_d},3)') + ','
              + _cccd_year('REPT("0",12-LEN({id_d}))&{id_d}') + '<=YEAR(TODAY()),FALSE),FALSE)'),
    ("id_f", 'IF({id_lz},REPT("0",12-LEN({id_d}))&{id_d},{id_d})'),
    ("id_personal", 'IF(AND({sex_mf}<>"",IFERROR(MOD(VALUE(MID({id_f},4,1)),2),0)<>'
                    'IF({sex_mf}="F",1,0)),"ID101 ","")&'
                    'IF(AND({dob_ok},' + _cccd_year("{id_f}") + '<>{y}),"ID102 ","")'),
    ("id_codes", 'IF({id}="","ID001 ",IF({id_ph},"ID002 ",IF({id_sci},"ID009 ",'
                 'IF(AND(NOT({id_dig}),NOT({id_cdig})),"ID004 ",'
                 'IF({id_dig},"","ID003 ")&IF({id_lz},"ID005 "&{id_personal},'
                 'IF(LEN({id_f})=9,"",IF(LEN({id_f})<>12,"ID006 ",'
                 'IF(NOT(' + _prefix_ok("LEFT({id_f},3)") + '),"ID007 ",'
                 'IF(' + _cccd_year("{id_f}") + '>YEAR(TODAY()),"ID008 ",{id_personal})))))))))'),
    # --- the same ID number twice in this file (list-level ID103 / REC001 of core.rules):
    # keyed like Python (the normalised number when its format is right, else the text);
    # the same person when the folded name and the date of birth agree too.
    ("id_key", 'IF(OR({id}="",{id_ph}),"",IF(SUMPRODUCT(--ISNUMBER(FIND('
               '{"ID004","ID006","ID007","ID008","ID009"},{id_codes})))>0,"#"&{id},"#"&{id_f}))'),
    ("id_person", 'IF({id_key}="","",{id_key}&"|"&{name_fold}&"|"&'
                  'IF({dob_ok},{y}*10000+{m}*100+{d},"-"))'),
    ("dup_n", 'IF({id_key}="",0,IFERROR(COUNTIF({range:id_key},'
              + _escape_criteria("{id_key}") + '),1))'),
    ("dup_p", 'IF({dup_n}<2,{dup_n},IFERROR(COUNTIF({range:id_person},'
              + _escape_criteria("{id_person}") + '),1))'),
    ("dup_own", 'IF({dup_n}>{dup_p},"ID103 ","")&IF({dup_p}>1,"REC001 ","")'),
    ("held_id", None),
    ("dup_codes", _held("held_id", "id_number", "{dup_own}")),
    # --- all together, in catalogue order of fields
    ("codes", "{name_codes}&{dob_codes2}&{sex_codes}&{id_codes}&{dup_codes}"),
    ("errors", 'SUBSTITUTE({codes},"REC001 ","")'),
)
_compact = "{id}"
for _ch in _id.ID_SEPARATORS:
    _compact = f'SUBSTITUTE({_compact},"{_ch}","")'
HELPERS = tuple((n, _compact if n == "id_compact" else f) for n, f in HELPERS)
HELPER_NAMES: tuple[str, ...] = tuple(n for n, _ in HELPERS)
VALUE_HELPERS: tuple[str, ...] = tuple(n for n, f in HELPERS if f is None)  # constants per row

# Which codes make a correction cell red (the field's own codes plus shared ones).
FIELD_CODE_PREFIXES: dict[str, tuple[str, ...]] = {
    "full_name": ("NAME",),
    "dob": ("DOB", "ID102"),
    "sex": ("SEX", "ID101"),
    "id_number": ("ID0", "ID101", "ID102", "ID103"),
}


@dataclass(frozen=True, slots=True)
class SheetColumns:
    """Where things are in a hamlet sheet: column letters of originals, corrections,
    helpers, and the code table (sheet name + range) the status looks messages up in."""

    orig: dict[str, str]
    corr: dict[str, str]
    helpers: dict[str, str]
    codes_table: str  # e.g. "'Mã lỗi'!$A$2:$B$40"
    first: int = 0  # first and last record row: the range the duplicate counts look in
    last: int = 0


def row_formulas(cols: SheetColumns, row: int) -> dict[str, str]:
    """Formulas (with '=') of every formula helper column for one sheet row, keyed by
    column letter (the value helpers are constants the writer fills)."""
    out: dict[str, str] = {}
    refs = {f"{{{n}}}": f"{cols.helpers[n]}{row}" for n in HELPER_NAMES}
    refs.update({f"{{range:{n}}}": f"${c}${cols.first}:${c}${cols.last}"
                 for n, c in cols.helpers.items()})
    refs.update({f"{{orig:{f}}}": f"{c}{row}" for f, c in cols.orig.items()})
    refs.update({f"{{corr:{f}}}": f"{c}{row}" for f, c in cols.corr.items()})
    for name, template in HELPERS:
        if template is not None:
            out[cols.helpers[name]] = "=" + _fill(template, refs)
    return out


_NOTE = "Đúng — lưu ý: "


def status_formula(cols: SheetColumns, row: int) -> str:
    """'Đúng', 'Đúng — lưu ý: <warning> (mã …)' or 'Sai: <message of the first problem>
    (mã …)' from the codes helpers (warnings come last, so the first code of a row with
    errors is an error)."""
    codes, errors = f"{cols.helpers['codes']}{row}", f"{cols.helpers['errors']}{row}"
    first = f'LEFT({codes},FIND(" ",{codes})-1)'
    message = f'IFERROR(VLOOKUP({first},{cols.codes_table},2,FALSE),"")'
    return (f'=IF({codes}="","Đúng",IF({errors}="","{_NOTE}"&{message}&" (mã: "&TRIM({codes})'
            f'&")","Sai: "&{message}&" (mã: "&TRIM({codes})&")"))')


def status_text(codes: list[str]) -> str:
    """The status the formula shows, computed in Python (cached value for viewers that do
    not recalculate on load)."""
    if not codes:
        return "Đúng"
    lead = _NOTE if all(c in WARNING_CODES for c in codes) else "Sai: "
    return f"{lead}{RULES[codes[0]].static_vi} (mã: {' '.join(codes)})"


def code_table() -> list[tuple[str, str]]:
    """(code, static Vietnamese message) rows for the hidden lookup sheet."""
    return [(c, RULES[c].static_vi) for c in SHEET_CODES]


def sheet_codes(findings_codes: list[str]) -> list[str]:
    """The in-sheet subset of a record's codes, in the order the formula lists them."""
    if not findings_codes:
        return []
    order = _ORDER
    return sorted((c for c in findings_codes if c in order), key=order.__getitem__)


# The formula emits codes field by field: name, dob, sex, id (ID003 before ID005, personal
# after the format codes, the duplicate codes last).
_FORMULA_ORDER: tuple[str, ...] = (
    "NAME001", "NAME004", "NAME005", "NAME002", "NAME003",
    "DOB001", "DOB003", "DOB006", "DOB002", "DOB004", "DOB005",
    "SEX001", "SEX002", "ID001", "ID002", "ID009", "ID004", "ID003", "ID005", "ID006",
    "ID007", "ID008", "ID101", "ID102", "ID103", "REC001",
)
_ORDER = {c: i for i, c in enumerate(_FORMULA_ORDER)}


def _fill(template: str, refs: dict[str, str]) -> str:
    out = template
    for key in sorted(refs, key=len, reverse=True):
        out = out.replace(key, refs[key])
    return out


def held_values(values: list[dict[str, str]], codes: list[list[str]]) -> list[dict[str, str]]:
    """The constant 'held' helpers of each row of one hamlet file.

    ``values`` are the original texts the file shows, ``codes`` the in-sheet codes the whole
    list gave each record. A legacy-font verdict is always held (the file has lost the
    font); duplicate codes are held when the file alone says otherwise (the other person is
    in another hamlet's file or was not sent)."""
    from vaxclean_xl.core.validate import validate_rows

    dup = set(HELD_CODES["held_id"])
    out = [{name: "" for name in VALUE_HELPERS} for _ in values]
    for row, have in zip(out, codes, strict=True):
        row["held_name"] = "".join(c + " " for c in have if c in HELD_CODES["held_name"])
    subset = [i for i, have in enumerate(codes) if dup.intersection(have)]
    if not subset:
        return out
    fields = CHECKED_FIELDS
    alone = validate_rows([(i, [values[i].get(f, "") for f in fields]) for i in subset],
                          {f: k for k, f in enumerate(fields)})
    for i, rec in zip(subset, alone.records, strict=True):
        whole = [c for c in codes[i] if c in dup]
        here = [f.code for f in rec.findings if f.code in dup]
        if whole != here:
            out[i]["held_id"] = "".join(c + " " for c in whole)
    return out
