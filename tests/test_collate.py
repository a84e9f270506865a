"""The Vietnamese, natural sort order of names (``core.collate``)."""

from __future__ import annotations

import random
import unicodedata

import pytest

from vaxclean_xl.commands.police_list import hamlet_order as police_hamlet_order
from vaxclean_xl.core.collate import hamlet_order, vi_sort_key
from vaxclean_xl.core.validate import NO_HAMLET


def in_order(*names: str) -> None:
    """``names`` are already in order: every shuffle sorts back to it."""
    expected = list(names)
    rng = random.Random(9)
    for _ in range(20):
        shuffled = expected[:]
        rng.shuffle(shuffled)
        assert sorted(shuffled, key=vi_sort_key) == expected


@pytest.mark.parametrize(("before", "after"), [
    ("Thôn 2", "Thôn 10"),      # numbers by value, not digit by digit
    ("Thôn 9", "Thôn 10"),
    ("Thắng", "Thượng"),        # ă before ư (code points say the opposite)
    ("Dương", "Đông"),          # đ is its own letter after d
    ("Dưới", "Đông"),
    ("Dưới", "Dương"),          # i before n
    ("An", "Ăn"),               # a ă â
    ("Ăn", "Ấp"),
    ("An", "Ấp"),
    ("Ê Đê", "Ga"),             # ê after e, before g
    ("Ô Chợ", "Ơ Rê"),          # o ô ơ
    ("Ơ Rê", "Pa"),
    ("Tu", "Tư"),               # u before ư
    ("Tư", "Vân"),
    ("Ba", "Bà"),               # tones after letters: none, huyền, hỏi, ngã, sắc, nặng
    ("Bà", "Bả"),
    ("Bả", "Bã"),
    ("Bã", "Bá"),
    ("Bá", "Bạ"),
    ("Bạ", "Bác"),              # letters decide before tones
    ("Ba Vì", "Bà Rịa"),        # syllable by syllable, as in a dictionary
    ("An", "An Bình"),
    ("An Bình", "Anh"),
    ("Thôn 1", "Thôn An"),      # numbers before words
    ("Xóm Đông", "Xóm Động"),
])
def test_pairs(before: str, after: str) -> None:
    assert vi_sort_key(before) < vi_sort_key(after)
    assert sorted([after, before], key=vi_sort_key) == [before, after]


def test_whole_alphabet_in_vietnamese_order() -> None:
    in_order(*"A Ă Â B C D Đ E Ê G H I K L M N O Ô Ơ P Q R S T U Ư V X Y".split())


def test_six_tones_in_order() -> None:
    in_order("ma", "mà", "mả", "mã", "má", "mạ")


def test_case_spaces_and_unicode_form_do_not_matter() -> None:
    nfd = unicodedata.normalize("NFD", "Thượng")
    assert vi_sort_key(nfd)[0] == vi_sort_key("Thượng")[0] == vi_sort_key("THƯỢNG")[0]
    assert vi_sort_key("thôn  2")[0] == vi_sort_key("Thôn 2")[0]
    # old and new tone placement are one word
    assert vi_sort_key("Hoà")[0] == vi_sort_key("Hòa")[0]
    # ... but the order stays total and deterministic
    assert sorted(["Hòa", "Hoà"], key=vi_sort_key) == sorted(["Hoà", "Hòa"], key=vi_sort_key)


def test_minority_language_letters_at_latin_places() -> None:
    in_order("Ea", "Fan", "Ga", "Inh", "Ja", "Ka", "Va", "Wan", "Xa", "Ya", "Zô")


def test_hamlet_order_no_hamlet_last() -> None:
    names = [NO_HAMLET, "Thôn 10", "Thượng", "", "Thôn 2", "Đông", "Thắng", "Dưới"]
    assert sorted(names, key=hamlet_order) == [
        "Dưới", "Đông", "Thắng", "Thôn 2", "Thôn 10", "Thượng", "", NO_HAMLET]


def test_police_list_uses_the_same_order() -> None:
    assert police_hamlet_order is hamlet_order
