"""Detect and convert names typed in the legacy TCVN3 (ABC) and VNI-Windows encodings.

Old Vietnamese office files hold text typed in 8-bit encodings and shown through special
fonts: TCVN3 / ABC (".VnTime", ".VnArial", ...; names ending in "H", e.g. ".VnTimeH", are the
capitals fonts) and VNI-Windows ("VNI-Times", "VNI-Helve", ...; a base letter followed by a
modifier byte). Read as Unicode, such a cell holds the Windows-1252 (or Latin-1) code points
of the bytes: "NguyÔn V¨n H\u00ad¬ng" (TCVN3) or "Nguyeãn Vaên" (VNI).

Hand-written because Python has no codec for either encoding and PyPI has no small,
maintained, permissively licensed TCVN3/VNI converter: 'vniencoder' is about the VNI typing
method, not the VNI-Windows charset, and the one permissive library seen with such tables
(viparse, MIT, 0.1.x) is a young document loader for RAG pipelines, far too heavy a
dependency for two tables. The tables are public facts (TCVN 5712:1993 and the VNI-Windows
font layout), written out here as data.

Detection is a plausibility test, because most TCVN3/VNI code points are ordinary Latin-1
letters that are also valid Vietnamese (Ô, Ê, Â, Á, ã ...): text is called legacy when it is
not valid Vietnamese as it stands while its conversion is made of valid Vietnamese syllables
(at most one tone mark per syllable, a known vowel cluster with the tone on the right vowel,
no capital after a small letter inside a word ...). A legacy font name is a strong hint.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = ["detect_legacy_encoding", "legacy_to_unicode"]

TCVN3 = "TCVN3"
VNI = "VNI"

_NFC = unicodedata.normalize

# --- TCVN3 ---------------------------------------------------------------------------------
# Bytes 0x80-0xFF of TCVN 5712:1993. The ABC fonts (VN3) use the small letters and
# Ă Â Ê Ô Ơ Ư Đ at 0xA1-0xFE; the other capitals (0x80-0x9F and a few unused VN3 slots) are
# the VN1 positions, kept because some files use them. 0xB0-0xB4 are combining tone marks.
# One row of 16 characters per line; 0xA0 (no-break space) maps to itself.
_TCVN3_HIGH = (
    "ÀẢÃÁẠẶẬÈẺẼÉẸỆÌỈĨ"  # 0x80
    "ÍỊÒỎÕÓỌỘỜỞỠỚỢÙỦŨ"  # 0x90
    "\u00a0ĂÂÊÔƠƯĐăâêôơưđẰ"  # 0xA0
    "\u0300\u0309\u0303\u0301\u0323àảãáạẲằẳẵắẴ"  # 0xB0
    "ẮẦẨẪẤỀặầẩẫấậèỂẻẽ"  # 0xC0
    "éẹềểễếệìỉỄẾỒĩíịò"  # 0xD0
    "Ổỏõóọồổỗốộờởỡớợù"  # 0xE0
    "ỖủũúụừửữứựỳỷỹýỵỐ"  # 0xF0
)

# --- VNI-Windows ---------------------------------------------------------------------------
# Letters that are a single byte in VNI.
_VNI_LETTERS = {
    "ñ": "đ", "Ñ": "Đ", "ô": "ơ", "Ô": "Ơ", "ö": "ư", "Ö": "Ư",
    "æ": "ỉ", "Æ": "Ỉ", "ó": "ĩ", "Ó": "Ĩ", "ò": "ị", "Ò": "Ị", "î": "ỵ", "Î": "Ỵ",
}
_GRAVE, _ACUTE, _HOOK, _TILDE, _DOT = "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"
_CIRC, _BREVE = "\u0302", "\u0306"
# Modifier bytes (small, capital) -> combining marks, and the bytes they may follow.
_TONE_BASES = "aeouyôöAEOUYÔÖ"  # 'ô', 'ö' are VNI for ơ, ư
_VNI_MODIFIER_ROWS = (
    ("øØ", _GRAVE, _TONE_BASES), ("ùÙ", _ACUTE, _TONE_BASES), ("ûÛ", _HOOK, _TONE_BASES),
    ("õÕ", _TILDE, _TONE_BASES), ("ïÏ", _DOT, _TONE_BASES),
    ("âÂ", _CIRC, "aeoAEO"), ("àÀ", _CIRC + _GRAVE, "aeoAEO"),
    ("áÁ", _CIRC + _ACUTE, "aeoAEO"), ("åÅ", _CIRC + _HOOK, "aeoAEO"),
    ("ãÃ", _CIRC + _TILDE, "aeoAEO"), ("äÄ", _CIRC + _DOT, "aeoAEO"),
    ("êÊ", _BREVE, "aA"), ("èÈ", _BREVE + _GRAVE, "aA"), ("éÉ", _BREVE + _ACUTE, "aA"),
    ("úÚ", _BREVE + _HOOK, "aA"), ("üÜ", _BREVE + _TILDE, "aA"), ("ëË", _BREVE + _DOT, "aA"),
)


def _build_vni_spellings() -> dict[str, str]:
    """Every VNI spelling (letter + modifier byte, or one letter byte) -> Unicode letter."""
    spellings = dict(_VNI_LETTERS)
    for mods, marks, bases in _VNI_MODIFIER_ROWS:
        for mod in mods:
            for base in bases:
                spellings[base + mod] = _NFC("NFC", _VNI_LETTERS.get(base, base) + marks)
    return spellings


_VNI_SPELLINGS = _build_vni_spellings()
_VNI_MODIFIERS = frozenset(m for mods, _, _ in _VNI_MODIFIER_ROWS for m in mods)
_VNI_RE = re.compile(
    f"[{_TONE_BASES}][{''.join(sorted(_VNI_MODIFIERS))}]|[{''.join(_VNI_LETTERS)}]"
)

# --- Vietnamese letters and syllables -----------------------------------------------------
_TONE_OF_MARK = {_GRAVE: 1, _ACUTE: 2, _HOOK: 3, _TILDE: 4, _DOT: 5}
_VOWELS = frozenset("aăâeêioôơuưy")
_PLAIN_VOWELS = frozenset("aeiouy")
_FRONT = frozenset("ieê")
_NEEDS_CODA = frozenset(("yê", "uô", "ươ", "uyê"))  # 'iê' is left free for 'Niê'


def _build_letters() -> dict[str, tuple[str, int]]:
    """Small Vietnamese letter -> (letter without tone, tone number 0-5)."""
    letters = {c: (c, 0) for c in "bcdfghjklmnpqrstvwxzđ"}
    for vowel in _VOWELS:
        letters[vowel] = (vowel, 0)
        for mark, tone in _TONE_OF_MARK.items():
            letters[_NFC("NFC", vowel + mark)] = (vowel, tone)
    return letters


_LETTERS = _build_letters()

# Vowel clusters (toneless) -> positions that may carry the tone (old and new style both).
_NUCLEI: dict[str, frozenset[int]] = {
    k: frozenset(v) for k, v in {
        "a": {0}, "ă": {0}, "â": {0}, "e": {0}, "ê": {0}, "i": {0}, "o": {0}, "ô": {0},
        "ơ": {0}, "u": {0}, "ư": {0}, "y": {0},
        "ai": {0}, "ao": {0}, "au": {0}, "ay": {0}, "âu": {0}, "ây": {0}, "eo": {0},
        "êu": {0}, "ia": {0}, "iê": {1}, "iu": {0}, "oa": {0, 1}, "oă": {1}, "oe": {0, 1},
        "oi": {0}, "oo": {0, 1}, "ôi": {0}, "ơi": {0}, "ua": {0}, "uâ": {1}, "uê": {1},
        "ui": {0}, "uô": {1}, "uơ": {1}, "uy": {0, 1}, "ưa": {0}, "ưi": {0}, "ươ": {1},
        "ưu": {0}, "yê": {1},
        "iêu": {1}, "yêu": {1}, "oai": {1}, "oay": {1}, "oeo": {1}, "uây": {1}, "uôi": {1},
        "uya": {1}, "uyê": {2}, "uyu": {1}, "ươi": {1}, "ươu": {1},
    }.items()
}
# Syllables common in Vietnamese names: only used to choose between two readings that are
# both valid (VNI 'Nhö' = 'Như', TCVN3 'Nhö' = 'Nhử').
_COMMON_SYLLABLES = frozenset("""
    an anh ánh ân ấn bá bách bạch bảo bắc bằng bé bích biên bình bùi cao cẩm cầm chánh châu
    chi chí chiến chinh chính chu chung cúc cung cường dân diễm diệp diệu doãn dung dũng duy
    duyên dương đan đào đạt đăng đặng điệp đình đinh định đoàn đông đồng đỗ đức gấm gia giang
    giao hà hạ hải hân hạnh hảo hằng hậu hiền hiển hiệp hiếu hoa hòa hoà hoài hoàn hoàng hồ
    hồng huân huệ hùng hưng hương hường huy huyền huỳnh hữu khang khánh khải khang khoa khôi
    khuê khuyên kiên kiều kim lã lài lam lâm lan lạng lành lê liên liễu linh loan long lộc
    luân lụa lực lương ly lý mạc mai mạnh minh mỹ mai my na nam nga ngà ngân nghĩa ngọc
    nguyên nguyễn nguyệt nhàn nhân nhật nhi nhiên nhung như nở oanh phan phát phong phú phúc
    phụng phùng phương phượng quách quan quang quân quế quốc quý quyên quyết quỳnh sang sáu
    sơn sương tài tâm tân tấn thạch thái thanh thành thảo thắm thắng thân thi thị thiện thịnh
    thoa thông thu thuần thuận thúy thủy thuỷ thuý thư thương thùy thủy tiên tiến tín toàn
    trâm trần trang trí triệu trinh trịnh trọng trung trúc trường trương tú tuấn tùng tuyết
    tư tường uyên vân văn vi viên việt vinh vĩnh võ vũ vương vy xuân yên yến ý
""".split())
_ONSETS = frozenset(("", *"b c ch d đ g gh h k kh l m n ng ngh nh p ph q r s t th tr v x".split()))
_CODAS = frozenset(("", "c", "ch", "m", "n", "ng", "nh", "p", "t"))
_STOP_CODAS = frozenset(("c", "ch", "p", "t"))  # only the acute and dot-below tones

# --- character sets ------------------------------------------------------------------------
_CP1252_HIGH = {b: bytes([b]).decode("cp1252") for b in range(0x80, 0xA0) if b not in
                (0x81, 0x8D, 0x8F, 0x90, 0x9D)}


# In the Windows-1252 reading some VN1 capitals arrive as punctuation: quotes are kept as
# quotes ('H’Hen'); the others become letters only in a capital's place (see _tcvn3_decode).
_CP1252_QUOTES = "\u2018\u2019\u201c\u201d"
_CP1252_PUNCT = "€‚„…†‡‰‹›•–—™"


def _build_tcvn3_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for offset, uni in enumerate(_TCVN3_HIGH):
        byte = 0x80 + offset
        if byte == 0xA0:
            continue
        table[byte] = uni  # Latin-1 reading (C1 controls for 0x80-0x9F)
        if byte in _CP1252_HIGH:
            table[ord(_CP1252_HIGH[byte])] = uni  # Windows-1252 reading
    return table


_TCVN3_FULL = _build_tcvn3_table()
_TCVN3_TABLE = {
    k: v for k, v in _TCVN3_FULL.items() if chr(k) not in _CP1252_QUOTES + _CP1252_PUNCT
}
_TCVN3_PUNCT = {c: _TCVN3_FULL[ord(c)] for c in _CP1252_PUNCT}
_TCVN3_PUNCT_RE = re.compile(f"[{_CP1252_PUNCT}]")

# Every code point an 8-bit legacy cell can hold when read as Latin-1 or Windows-1252.
_REPERTOIRE = frozenset(map(chr, range(256))) | frozenset(_CP1252_HIGH.values())
_REPERTOIRE_OR_MARK = _REPERTOIRE | frozenset(map(chr, range(0x300, 0x370)))

_VIET_LATIN1 = frozenset(
    c for c in _LETTERS if len(c) == 1 and 0x80 <= ord(c) <= 0xFF
) | frozenset(c.upper() for c in _LETTERS if len(c) == 1 and 0x80 <= ord(c) <= 0xFF)
# Legacy code points that are also ordinary symbols of Unicode text: no evidence either way.
_NEUTRAL = frozenset("\u00a0°±²³´€‚„…†‡‰‹›‘’“”•–—™")
# Code points that in a name are only explained by a legacy encoding.
_EVIDENCE = {
    TCVN3: frozenset(chr(c) for c in _TCVN3_FULL) - _VIET_LATIN1 - _NEUTRAL,
    VNI: frozenset("äåëïñöøûüæîÄÅËÏÑÖØÛÜÆÎ"),
}

# Non-ASCII code points inside words that VNI leaves unconverted and that are no letters.
_VNI_UNEXPLAINED = (
    frozenset(c for c in _REPERTOIRE if not c.isascii())
    - _VNI_MODIFIERS - _VNI_LETTERS.keys() - _VIET_LATIN1 - _NEUTRAL
    - frozenset(c for c in _REPERTOIRE if c.isspace())
)

# Words: runs of anything but spaces, ASCII digits/punctuation, apostrophes, quotes, dashes.
_WORD_RE = re.compile(r"[^\s!-@\[-`{-~\u00b4\u2018\u2019\u201c\u201d\u2013\u2014\u2022\u2026]+")
_LETTER_RUN_RE = re.compile(r"[^\W\d_]+")
_TWO_CAPS_RE = re.compile(r"[A-Z][^\W\d_a-z]*[A-Z]")  # pre-check for _fix_tcvn3_case

# --- public API ----------------------------------------------------------------------------


def could_be_legacy(text: object) -> bool:
    """True when ``text`` may be TCVN3/VNI bytes shown as Latin-1: only then does the
    cell's font matter (readers look fonts up for these cells alone)."""
    return (isinstance(text, str) and bool(text) and not text.isascii()
            and _REPERTOIRE_OR_MARK.issuperset(text))


def detect_legacy_encoding(text: str, font_name: str | None = None) -> str | None:
    """Return "TCVN3", "VNI" or None."""
    if not could_be_legacy(text):
        return None  # ASCII, or a letter no 8-bit legacy cell can hold (ễ, ă, đ ...)
    as_stored = True
    if not _REPERTOIRE.issuperset(text):  # combining marks: judge the composed form
        text = _NFC("NFC", text)
        as_stored = False
        if not _REPERTOIRE.issuperset(text):
            return None
    return _detect(text, _font_encoding(font_name), as_stored)


@lru_cache(maxsize=1 << 14)
def _detect(text: str, hint: str | None, as_stored: bool = True) -> str | None:
    """Detection for NFC text made only of legacy code points (cached: names repeat)."""
    if hint is not None:
        converted = _convert(text, hint)
        if converted != text:
            # The font decides what the user sees: 8-bit text as stored in a legacy-font
            # cell displays as its conversion ("Hoàng" in VNI-Times reads "Hồng"), so a
            # valid conversion is the name. (Text with combining marks is not 8-bit.)
            if as_stored and _all_good(converted, hint):
                return hint
            if _any_bad(text, _ORIGINAL) and _all_good(converted, hint):
                return hint
            if not _EVIDENCE[hint].isdisjoint(text):
                # legacy-only code points: the font decides, unless the text is clearly
                # in the other encoding (a VNI string in a cell formatted .VnTime)
                return _detect_unhinted(text) or hint
    return _detect_unhinted(text)


def legacy_to_unicode(text: str, encoding: str, font_name: str | None = None) -> str:
    """Convert legacy text to NFC Unicode; for TCVN3 capitals fonts (name ends with 'H', e.g.
    '.VnTimeH') return upper case."""
    enc = encoding.strip().upper()
    if enc not in (TCVN3, VNI):
        raise ValueError(f"unknown legacy encoding: {encoding!r}")
    text = _NFC("NFC", text)
    converted = _convert(text, enc)
    if enc == TCVN3 and _is_caps_font(font_name):
        converted = _NFC("NFC", converted.upper())
    return converted


# --- conversion ------------------------------------------------------------------------------


def _convert(text: str, encoding: str) -> str:
    """NFC conversion of NFC legacy text (no capitals-font upper-casing)."""
    if encoding == TCVN3:
        return _tcvn3_decode(text)
    return _vni_decode(text)


def _tcvn3_decode(text: str) -> str:
    text = text.translate(_TCVN3_TABLE)
    if _TCVN3_PUNCT_RE.search(text):
        text = _TCVN3_PUNCT_RE.sub(lambda m: _tcvn3_punct(m, text), text)
    return _fix_tcvn3_case(_NFC("NFC", text))


def _tcvn3_punct(match: re.Match[str], text: str) -> str:
    """A VN1 capital read as cp1252 punctuation ('T—' = 'TỘ'): converted after a capital,
    or before a letter when not after a small letter; 'Rịa–Vũng', 'A – B' keep theirs."""
    i = match.start()
    before, after = text[i - 1 : i], text[i + 1 : i + 2]
    if before.isalpha() and not before.isupper():
        return match.group()
    if before.isalpha() or after.isalpha():
        return _TCVN3_PUNCT[match.group()]
    return match.group()


def _vni_decode(text: str) -> str:
    return _NFC("NFC", _VNI_RE.sub(_vni_spelling, text))


def _vni_spelling(match: re.Match[str]) -> str:
    found = match.group()
    spelt = _VNI_SPELLINGS.get(found)
    if spelt is None:  # a modifier byte after a letter it cannot modify ('eê') stays as it is
        return _VNI_LETTERS.get(found[0], found[0]) + found[1]
    return spelt


def _fix_tcvn3_case(text: str) -> str:
    """TCVN3 (VN3) has no capital toned letters, so 'NGUYÔN' reads 'NGUYễN'. Upper-case each
    run of letters whose ASCII letters (two or more) are all capitals; when there is such a
    run and the text has no small ASCII letter ('NGUYÔN V¡N HÅ'), the whole text."""
    if not _TWO_CAPS_RE.search(text):
        return text
    if not any(_is_caps_run(run) for run in _LETTER_RUN_RE.findall(text)):
        return text
    if not any("a" <= c <= "z" for c in text):
        return text.upper()
    return _LETTER_RUN_RE.sub(lambda m: m.group().upper() if _is_caps_run(m.group())
                              else m.group(), text)


def _is_caps_run(run: str) -> bool:
    return sum("A" <= c <= "Z" for c in run) >= 2 and not any("a" <= c <= "z" for c in run)


# --- detection helpers -------------------------------------------------------------------


def _font_encoding(font_name: str | None) -> str | None:
    if not font_name:
        return None
    name = font_name.strip().lower()
    if name.startswith(".vn"):
        return TCVN3
    if name.startswith("vni"):
        return VNI
    return None


def _is_caps_font(font_name: str | None) -> bool:
    if not font_name:
        return False
    name = font_name.strip()
    return name.lower().startswith(".vn") and name.endswith("H")


def _detect_unhinted(text: str) -> str | None:
    """Legacy when the text is not valid Vietnamese but a conversion is; when both are, the
    one with more legacy-only code points, then more common name syllables, then TCVN3."""
    if not _any_bad(text, _ORIGINAL):
        return None
    valid = []
    for enc in (TCVN3, VNI):
        if enc == VNI and not _VNI_UNEXPLAINED.isdisjoint(text):
            continue  # a symbol VNI leaves as it is ('¨', 'µ' ...): cannot become valid
        converted = _convert(text, enc)
        if converted != text and _all_good(converted, enc):
            valid.append((enc, converted))
    if len(valid) < 2:
        return valid[0][0] if valid else None
    return max(
        valid,
        key=lambda item: (
            sum(1 for c in text if c in _EVIDENCE[item[0]]),
            sum(1 for w in _LETTER_RUN_RE.findall(item[1].lower()) if w in _COMMON_SYLLABLES),
            item[0] == TCVN3,
        ),
    )[0]


_ORIGINAL = "original"  # lenient: any consonants, several syllables, case as typed


def _any_bad(text: str, mode: str) -> bool:
    """Does a non-ASCII word of `text` fail the check for `mode`?"""
    return any(
        not word.isascii() and not _word_ok(word, mode) for word in _WORD_RE.findall(text)
    )


def _all_good(text: str, mode: str) -> bool:
    return not _any_bad(text, mode)


@lru_cache(maxsize=1 << 16)
def _word_ok(word: str, mode: str) -> bool:
    """Is `word` plausible Vietnamese? `mode` is _ORIGINAL (text as read: lenient, so that
    minority names like 'Êban' pass), TCVN3 or VNI (converted text: one standard syllable;
    TCVN3 ignores case, which that encoding cannot express for toned capitals)."""
    low = word.lower()
    if mode != TCVN3 and word != low and len(word) > 1:
        up = word.upper()
        if word != up and not (word[0] == up[0] and word[1:] == low[1:]):
            return False  # a capital after a small letter ('NguyÔn')
    letters = [_LETTERS.get(c) for c in low]
    if None in letters:
        return False
    parts = _split(letters)  # type: ignore[arg-type]  # no None left
    if mode == _ORIGINAL:  # several syllables allowed: only the last coda is a coda
        last = len(parts) - 2
        return all(
            _nucleus_ok(parts[i], _plain(parts[i - 1]), _plain(parts[i + 1]) if i == last
                        else None, strict=False)
            for i in range(1, len(parts), 2)
        )
    if len(parts) == 1:  # consonants only ('Đ' as an initial)
        return True
    if len(parts) != 3:
        return False
    onset, coda = _plain(parts[0]), _plain(parts[2])
    return onset in _ONSETS and coda in _CODAS and _nucleus_ok(parts[1], onset, coda, True)


def _split(letters: list[tuple[str, int]]) -> list[list[tuple[str, int]]]:
    """Alternating consonant / vowel runs, always starting and ending with a consonant run."""
    parts: list[list[tuple[str, int]]] = [[]]
    for letter in letters:
        is_vowel = letter[0] in _VOWELS
        if is_vowel != (len(parts) % 2 == 0):
            parts.append([])
        parts[-1].append(letter)
    if len(parts) % 2 == 0:
        parts.append([])
    return parts


def _plain(run: list[tuple[str, int]]) -> str:
    return "".join(base for base, _ in run)


def _nucleus_ok(
    run: list[tuple[str, int]], onset: str, coda: str | None, strict: bool
) -> bool:
    """Vowel run `run` between consonants `onset` and `coda` (None: inside a word, where the
    consonants after it may begin the next syllable)."""
    tones = [(i, t) for i, (_, t) in enumerate(run) if t]
    if len(tones) > 1:
        return False
    vowels = _plain(run)
    if not strict and not tones and all(v in _PLAIN_VOWELS for v in vowels):
        return True  # nothing to judge ('Ayun')
    pos, tone = tones[0] if tones else (None, 0)
    if onset.endswith("gh") and vowels[0] not in _FRONT:
        return False  # 'ngh', 'gh' only before i, e, ê
    if coda in _STOP_CODAS and tone not in (0, 2, 5):
        return False  # -c, -ch, -p, -t take only the acute or the dot below
    if strict:
        if onset == "q" and (len(vowels) < 2 or vowels[0] != "u"):
            return False  # 'q' is always 'qu' + vowel
        if (coda and vowels == "y") or (not coda and vowels in _NEEDS_CODA):
            return False  # no 'yn'; no 'yê', 'uô', 'ươ', 'uyê' at the end
        front = vowels[0] in _FRONT or vowels[0] == "y"
        if (onset in ("c", "ng") and front) or (onset == "g" and vowels[0] in "eê"):
            return False  # spelt 'ki', 'nghi', 'ghe'
        if onset == "k" and not front:
            return False  # spelt 'ca', 'co', 'cu'
    candidates = [(vowels, pos)]
    if len(vowels) > 1 and pos != 0 and (
        (onset.endswith("q") and vowels[0] == "u" and vowels[1] not in "uưo")
        or (onset.endswith("g") and vowels[0] == "i" and vowels[1] != "i")
    ):
        candidates.append((vowels[1:], None if pos is None else pos - 1))  # qu-, gi-
    for nucleus, tone_pos in candidates:
        allowed = _NUCLEI.get(nucleus)
        if allowed is None:
            continue
        if nucleus == "oo" and (coda not in ("c", "ng") or tone not in (0, 2)):
            continue  # only loans: 'xoong', 'moóc'
        if tone_pos is None or tone_pos in allowed:
            return True
    return False
