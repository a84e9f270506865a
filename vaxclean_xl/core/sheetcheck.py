"""In-sheet twins of the Python rules, as spreadsheet formulas for the hamlet files.

Hamlet workers correct their list in plain Excel 2010, WPS or LibreOffice, with no macros,
so the checks must run as formulas. Every formula here mirrors one rule of the catalogue
(same codes, same grammar: see ``core.normalize``), and a test recalculates generated files
with LibreOffice on adversarial values and compares the codes with ``validate_rows``.

Only functions all three programs evaluate: IF, AND, OR, NOT, LEN, LEFT, MID, TRIM, LOWER,
UPPER, SUBSTITUTE, FIND, SEARCH, VALUE, CODE, REPT, INT, MOD, CHOOSE, ISNUMBER, ISERROR,
IFERROR, SUMPRODUCT (over array constants, never over ranges that shift), YEAR, MONTH,
DAY, TODAY, VLOOKUP. No LET, TEXTJOIN, dynamic arrays or MATCH (its wildcards would
misread '?' and '*' typed as values). Intermediate values live in hidden helper columns so
each formula stays short enough to read and to fix.
"""

from __future__ import annotations

from dataclasses import dataclass

from vaxclean_xl.core import normalize as nz
from vaxclean_xl.core.catalogue import RULES
from vaxclean_xl.core.provinces import ABROAD_RANGE, PROVINCES
from vaxclean_xl.core.rules import id_number as _id

# Codes the sheet can check on one record; the agreement test compares exactly these.
SHEET_CODES: tuple[str, ...] = (
    "NAME001", "NAME003",
    "DOB001", "DOB002", "DOB003", "DOB004", "DOB005", "DOB006",
    "SEX001", "SEX002",
    "ID001", "ID002", "ID003", "ID004", "ID005", "ID006", "ID007", "ID008", "ID009",
    "ID101", "ID102",
)
CHECKED_FIELDS: tuple[str, ...] = ("full_name", "dob", "sex", "id_number")
MAX_ID_CHARS = 30  # longer IDs are not digit-checked position by position

# Helper columns, in order. Each formula uses {name} for another helper's cell in the
# same row, and {orig:field} / {corr:field} for the original and correction cells.
_SEQ = "{" + ",".join(str(i) for i in range(1, MAX_ID_CHARS + 1)) + "}"
_PROVINCE_ARRAY = "{" + ",".join(f'"{c}"' for c in sorted(PROVINCES)) + "}"
_PLACEHOLDER_ARRAY = "{" + ",".join(
    '"' + p.replace('"', '""') + '"'
    for p in sorted({t.lower() for t in _id.PLACEHOLDER_TEXTS}
                    | {nz.fold(t) for t in _id.PLACEHOLDER_TEXTS})
) + "}"


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


_TODAY_KEY = "(YEAR(TODAY())*10000+MONTH(TODAY())*100+DAY(TODAY()))"

HELPERS: tuple[tuple[str, str], ...] = (
    # --- name
    ("name", _effective("full_name")),
    ("name_codes", 'IF({name}="","NAME001 ",IF(ISERROR(FIND(" ",{name})),"NAME003 ",""))'),
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
    ("id_ph", 'IF({id}="",FALSE,OR(SUBSTITUTE({id},"0","")="",AND(NOT({id_dig}),'
              f'SUMPRODUCT(--(LOWER({{id}})={_PLACEHOLDER_ARRAY}))>0)))'),
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
    # --- all together, in catalogue order of fields
    ("codes", "{name_codes}&{dob_codes2}&{sex_codes}&{id_codes}"),
)
_compact = "{id}"
for _ch in _id.ID_SEPARATORS:
    _compact = f'SUBSTITUTE({_compact},"{_ch}","")'
HELPERS = tuple((n, _compact if n == "id_compact" else f) for n, f in HELPERS)
HELPER_NAMES: tuple[str, ...] = tuple(n for n, _ in HELPERS)

# Which codes make a correction cell red (the field's own codes plus shared ones).
FIELD_CODE_PREFIXES: dict[str, tuple[str, ...]] = {
    "full_name": ("NAME",),
    "dob": ("DOB", "ID102"),
    "sex": ("SEX", "ID101"),
    "id_number": ("ID0", "ID101", "ID102"),
}


@dataclass(frozen=True, slots=True)
class SheetColumns:
    """Where things are in a hamlet sheet: column letters of originals, corrections,
    helpers, and the code table (sheet name + range) the status looks messages up in."""

    orig: dict[str, str]
    corr: dict[str, str]
    helpers: dict[str, str]
    codes_table: str  # e.g. "'Mã lỗi'!$A$2:$B$40"


def row_formulas(cols: SheetColumns, row: int) -> dict[str, str]:
    """Formulas (with '=') of every helper column for one sheet row, keyed by column letter."""
    out: dict[str, str] = {}
    refs = {f"{{{n}}}": f"{cols.helpers[n]}{row}" for n in HELPER_NAMES}
    refs.update({f"{{orig:{f}}}": f"{c}{row}" for f, c in cols.orig.items()})
    refs.update({f"{{corr:{f}}}": f"{c}{row}" for f, c in cols.corr.items()})
    for name, template in HELPERS:
        out[cols.helpers[name]] = "=" + _fill(template, refs)
    return out


def status_formula(cols: SheetColumns, row: int) -> str:
    """'Đúng' or 'Sai: <message of the first problem> (mã …)' from the codes helper."""
    codes = f"{cols.helpers['codes']}{row}"
    first = f'LEFT({codes},FIND(" ",{codes})-1)'
    return (f'=IF({codes}="","Đúng","Sai: "&IFERROR(VLOOKUP({first},{cols.codes_table},2,FALSE),'
            f'"")&" (mã: "&TRIM({codes})&")")')


def status_text(codes: list[str]) -> str:
    """The status the formula shows, computed in Python (cached value for viewers that do
    not recalculate on load)."""
    if not codes:
        return "Đúng"
    return f"Sai: {RULES[codes[0]].static_vi} (mã: {' '.join(codes)})"


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
# after the format codes).
_FORMULA_ORDER: tuple[str, ...] = (
    "NAME001", "NAME003", "DOB001", "DOB003", "DOB006", "DOB002", "DOB004", "DOB005",
    "SEX001", "SEX002", "ID001", "ID002", "ID009", "ID004", "ID003", "ID005", "ID006",
    "ID007", "ID008", "ID101", "ID102",
)
_ORDER = {c: i for i, c in enumerate(_FORMULA_ORDER)}


def _fill(template: str, refs: dict[str, str]) -> str:
    out = template
    for key in sorted(refs, key=len, reverse=True):
        out = out.replace(key, refs[key])
    return out
