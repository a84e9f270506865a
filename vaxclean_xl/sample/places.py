"""Communes and hamlets of the generated lists."""

from __future__ import annotations

from dataclasses import dataclass

# --- places ----------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class _Commune:
    province_code: str
    province: str  # "tỉnh Nghệ An" / "thành phố Hà Nội"
    district: str
    commune: str  # "xã Nghi Lâm"
    hamlet_kind: str  # "Xóm", "Thôn", "Ấp", "Buôn", "Bản"
    minority: float  # share of ethnic-minority names
    minority_style: str  # "ede", "jrai", "hmong"
    cmnd_prefix: str  # first two digits of the old CMND issued there
    # Administrative codes in the platform's widths (2, 3, 5 digits). The province codes are
    # the official ones (the CCCD codes' last two digits); the district and commune codes
    # are illustrative: right width, plausible range, not checked against the GSO list.
    district_code: str = ""
    ward_code: str = ""

    @property
    def code_settings(self) -> dict[str, str]:
        """The station settings' code keys for this commune (``settings.CODE_KEYS``)."""
        return {"province_code": self.province_code[-2:], "district_code": self.district_code,
                "ward_code": self.ward_code}


_COMMUNES = (
    _Commune("040", "tỉnh Nghệ An", "huyện Nghi Lộc", "xã Nghi Lâm", "Xóm", 0.01, "hmong",
             "18", "429", "17536"),
    _Commune("001", "thành phố Hà Nội", "huyện Ba Vì", "xã Tản Lĩnh", "Thôn", 0.02, "hmong",
             "01", "271", "09919"),
    _Commune("036", "tỉnh Nam Định", "huyện Hải Hậu", "xã Hải Minh", "Xóm", 0.0, "hmong",
             "16", "365", "14101"),
    _Commune("038", "tỉnh Thanh Hóa", "huyện Thọ Xuân", "xã Xuân Lập", "Thôn", 0.03, "hmong",
             "17", "393", "15343"),
    _Commune("089", "tỉnh An Giang", "huyện Chợ Mới", "xã Long Điền A", "Ấp", 0.02, "ede",
             "35", "890", "30526"),
    _Commune("087", "tỉnh Đồng Tháp", "huyện Cao Lãnh", "xã Mỹ Long", "Ấp", 0.0, "ede",
             "34", "873", "29983"),
    _Commune("066", "tỉnh Đắk Lắk", "huyện Krông Pắc", "xã Ea Kly", "Buôn", 0.35, "ede",
             "24", "651", "24340"),
    _Commune("064", "tỉnh Gia Lai", "huyện Chư Păh", "xã Ia Ka", "Thôn", 0.45, "jrai",
             "23", "627", "23617"),
    _Commune("010", "tỉnh Lào Cai", "huyện Bát Xát", "xã Mường Hum", "Thôn", 0.5, "hmong",
             "06", "082", "02698"),
)
_HAMLET_NAMES = {
    "Xóm": ("Đông", "Tây", "Nam", "Bắc", "Trung", "Chùa", "Đình", "Mới", "Tân Lập", "Đồng Tâm"),
    "Thôn": ("Đông", "Tây", "Nam", "Bắc", "Trung", "Thượng", "Hạ", "Tân Lập", "Tân Phú",
             "Hòa Bình", "Yên Thịnh", "Phú Lợi", "An Lạc", "Đồng Tâm", "Quyết Tiến",
             "Thắng Lợi", "Đoàn Kết", "Hợp Nhất", "Bình Minh", "Kim Sơn", "Phú Xuân",
             "Xuân Hòa", "Thanh Vân", "Vĩnh An"),
    "Ấp": ("Tân Lợi", "Mỹ Thạnh", "Long Bình", "Bình Hòa", "An Thạnh", "Phú Thuận", "Mỹ Hòa",
           "Long Hưng", "Tân Phước", "Hòa Long", "Mỹ Phú", "Bình Thạnh", "Long Thuận",
           "Tân Hưng", "An Hòa"),
    "Buôn": ("Ea Kmar", "Kdun", "Ea Nao", "Kniết", "Jung", "Pơng Drang", "Ea Sim", "Cuôr"),
}


