"""China's province-level administrative divisions (GB/T 2260 codes), the reference data for
delivery regions and addresses. 34 provinces (23 provinces, 5 autonomous regions, 4 municipalities, 2
SARs) in code; their cities and districts in a checked-in data file read on first use.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

PROVINCES: tuple[tuple[str, str, str], ...] = (
    ("110000", "北京市", "Beijing"), ("120000", "天津市", "Tianjin"), ("130000", "河北省", "Hebei"),
    ("140000", "山西省", "Shanxi"), ("150000", "内蒙古自治区", "Inner Mongolia"), ("210000", "辽宁省", "Liaoning"),
    ("220000", "吉林省", "Jilin"), ("230000", "黑龙江省", "Heilongjiang"), ("310000", "上海市", "Shanghai"),
    ("320000", "江苏省", "Jiangsu"), ("330000", "浙江省", "Zhejiang"), ("340000", "安徽省", "Anhui"),
    ("350000", "福建省", "Fujian"), ("360000", "江西省", "Jiangxi"), ("370000", "山东省", "Shandong"),
    ("410000", "河南省", "Henan"), ("420000", "湖北省", "Hubei"), ("430000", "湖南省", "Hunan"),
    ("440000", "广东省", "Guangdong"), ("450000", "广西壮族自治区", "Guangxi"), ("460000", "海南省", "Hainan"),
    ("500000", "重庆市", "Chongqing"), ("510000", "四川省", "Sichuan"), ("520000", "贵州省", "Guizhou"),
    ("530000", "云南省", "Yunnan"), ("540000", "西藏自治区", "Tibet"), ("610000", "陕西省", "Shaanxi"),
    ("620000", "甘肃省", "Gansu"), ("630000", "青海省", "Qinghai"), ("640000", "宁夏回族自治区", "Ningxia"),
    ("650000", "新疆维吾尔自治区", "Xinjiang"), ("710000", "台湾省", "Taiwan"),
    ("810000", "香港特别行政区", "Hong Kong SAR"), ("820000", "澳门特别行政区", "Macao SAR"),
)
PROVINCE_CODES: frozenset[str] = frozenset(code for code, _, _ in PROVINCES)

# -- cities and districts (loaded on first use) ------------------------------------------------
# ``divisions.tsv`` beside this module: one ``code<TAB>name`` line per city (code ending in 00)
# and district, about 3,400 lines / 64 KB; a child's parent is its code's prefix (district
# 110101 -> city 110100 -> province 110000). Hong Kong, Macao and Taiwan have no city rows:
# their addresses stop at the province.
DIVISIONS_FILE = "divisions.tsv"
MUNICIPAL = "市辖区"  # GB/T 2260's name of a municipality's only city: shown as the municipality


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    name_en: str | None
    level: str  # province | city | district
    parent: str | None


def province_of(code: str) -> str:
    return code[:2] + "0000"


def city_of(code: str) -> str:
    return code[:4] + "00"


@lru_cache(maxsize=1)
def _tree() -> tuple[dict[str, Region], dict[str | None, tuple[str, ...]]]:
    regions: dict[str, Region] = {code: Region(code, name, en, "province", None) for code, name, en in PROVINCES}
    text = (Path(__file__).parent / DIVISIONS_FILE).read_text(encoding="utf-8")
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        code, name = line.split("\t", 1)
        if code.endswith("00"):
            province = regions[province_of(code)]
            shown = province.name if name == MUNICIPAL else name
            regions[code] = Region(code, shown, province.name_en if name == MUNICIPAL else None, "city", province.code)
        else:
            regions[code] = Region(code, name, None, "district", city_of(code))
    children: dict[str | None, list[str]] = {}
    for region in regions.values():
        children.setdefault(region.parent, []).append(region.code)
    return regions, {parent: tuple(sorted(codes)) for parent, codes in children.items()}


def region(code: str) -> Region | None:
    return _tree()[0].get(code)


def children(parent: str | None) -> list[Region]:
    """The provinces (``parent`` None), a province's cities or a city's districts, by code."""
    regions, kids = _tree()
    return [regions[code] for code in kids.get(parent, ())]


def check_address(province: str, city: str | None, district: str | None) -> str | None:
    """The first of ``province``/``city``/``district`` that is not a known division under its
    parent (``None`` when all hold). A level may be empty only where the parent has no children
    (Hong Kong, Macao, Taiwan stop at the province)."""
    regions, kids = _tree()
    found = regions.get(province)
    if found is None or found.level != "province":
        return "province"
    for name, value, parent in (("city", city, province), ("district", district, city)):
        if not kids.get(parent):
            if value:
                return name
            return None
        if value not in kids[parent]:
            return name
    return None
