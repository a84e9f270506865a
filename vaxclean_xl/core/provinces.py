"""The 63 legacy province codes that begin a CCCD (Circular 07/2016/TT-BCA, annex 1).

Facts, not a dependency: the 2025 merger changed no one's number, so prefixes are checked
against these codes. Names are shown only as 'place of birth registration (old province)'.
"""

from __future__ import annotations

PROVINCES: dict[str, str] = {
    "001": "Hà Nội", "002": "Hà Giang", "004": "Cao Bằng", "006": "Bắc Kạn",
    "008": "Tuyên Quang", "010": "Lào Cai", "011": "Điện Biên", "012": "Lai Châu",
    "014": "Sơn La", "015": "Yên Bái", "017": "Hòa Bình", "019": "Thái Nguyên",
    "020": "Lạng Sơn", "022": "Quảng Ninh", "024": "Bắc Giang", "025": "Phú Thọ",
    "026": "Vĩnh Phúc", "027": "Bắc Ninh", "030": "Hải Dương", "031": "Hải Phòng",
    "033": "Hưng Yên", "034": "Thái Bình", "035": "Hà Nam", "036": "Nam Định",
    "037": "Ninh Bình", "038": "Thanh Hóa", "040": "Nghệ An", "042": "Hà Tĩnh",
    "044": "Quảng Bình", "045": "Quảng Trị", "046": "Thừa Thiên Huế", "048": "Đà Nẵng",
    "049": "Quảng Nam", "051": "Quảng Ngãi", "052": "Bình Định", "054": "Phú Yên",
    "056": "Khánh Hòa", "058": "Ninh Thuận", "060": "Bình Thuận", "062": "Kon Tum",
    "064": "Gia Lai", "066": "Đắk Lắk", "067": "Đắk Nông", "068": "Lâm Đồng",
    "070": "Bình Phước", "072": "Tây Ninh", "074": "Bình Dương", "075": "Đồng Nai",
    "077": "Bà Rịa–Vũng Tàu", "079": "Hồ Chí Minh", "080": "Long An", "082": "Tiền Giang",
    "083": "Bến Tre", "084": "Trà Vinh", "086": "Vĩnh Long", "087": "Đồng Tháp",
    "089": "An Giang", "091": "Kiên Giang", "092": "Cần Thơ", "093": "Hậu Giang",
    "094": "Sóc Trăng", "095": "Bạc Liêu", "096": "Cà Mau",
}

# Births registered abroad: country codes 101–295 (one secondary source; kept as a range).
ABROAD_RANGE = (101, 295)


def valid_cccd_prefix(prefix: str) -> bool:
    """True for a legacy province code or an abroad code."""
    if prefix in PROVINCES:
        return True
    return prefix.isdigit() and ABROAD_RANGE[0] <= int(prefix) <= ABROAD_RANGE[1]


VALID_PREFIXES: frozenset[str] = frozenset(
    list(PROVINCES) + [f"{n:03d}" for n in range(ABROAD_RANGE[0], ABROAD_RANGE[1] + 1)]
)
