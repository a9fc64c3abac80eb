"""The benchmark shop's catalog: 10,000 products as a Chinese clothing and home shop would have
them, generated deterministically (the same seed gives the same shop).

Names are built from word lists (season, style, material, the item: 夏季碎花雪纺连衣裙), in a
category tree of two and three levels; 1-6 SKUs (颜色 x 尺码) each with a 商家编码 and an
EAN-13 barcode; prices spread log-uniformly over each department's range; 70 % on shelf.
"""
from __future__ import annotations

import itertools
import math
import random
from dataclasses import dataclass
from typing import Any

# department -> (second level -> third-level leaves or None) ; leaf -> item words
TREE: dict[str, dict[str, list[str] | None]] = {
    "女装": {"裙装": ["连衣裙", "半身裙"], "上衣": ["T恤", "衬衫", "针织衫", "卫衣"], "外套": ["风衣", "羽绒服", "大衣"],
           "裤装": ["牛仔裤", "阔腿裤"]},
    "男装": {"上衣": ["T恤", "衬衫", "卫衣"], "外套": ["夹克", "羽绒服"], "裤装": ["牛仔裤", "休闲裤"]},
    "鞋靴": {"女鞋": ["单鞋", "短靴", "运动鞋"], "男鞋": ["板鞋", "皮鞋", "运动鞋"]},
    "箱包配饰": {"包袋": ["双肩包", "托特包"], "围巾": None, "帽子": None},
    "家居": {"床品": ["四件套", "被子"], "收纳": None},
}
ITEMS = {
    "连衣裙": ["连衣裙", "连衣裙", "连衣裙", "长裙", "吊带裙", "衬衫裙"], "半身裙": ["半身裙", "百褶裙", "A字裙", "包臀裙"],
    "T恤": ["T恤", "短袖T恤", "长袖T恤"], "衬衫": ["衬衫", "衬衣"], "针织衫": ["针织衫", "开衫", "毛衣"],
    "卫衣": ["卫衣", "连帽卫衣"], "风衣": ["风衣"], "羽绒服": ["羽绒服", "羽绒马甲"], "大衣": ["大衣", "呢子大衣"],
    "牛仔裤": ["牛仔裤", "直筒牛仔裤"], "阔腿裤": ["阔腿裤", "西装裤"], "夹克": ["夹克", "棒球服"],
    "休闲裤": ["休闲裤", "工装裤"], "单鞋": ["单鞋", "乐福鞋", "玛丽珍鞋"], "短靴": ["短靴", "切尔西靴"],
    "运动鞋": ["运动鞋", "跑步鞋", "小白鞋"], "板鞋": ["板鞋", "帆布鞋"], "皮鞋": ["皮鞋", "商务皮鞋"],
    "双肩包": ["双肩包", "背包"], "托特包": ["托特包", "单肩包"], "围巾": ["围巾", "丝巾", "披肩"],
    "帽子": ["棒球帽", "渔夫帽", "毛线帽"], "四件套": ["四件套", "床单"], "被子": ["被子", "夏凉被"],
    "收纳": ["收纳箱", "收纳盒"],
}
WEIGHTS = {"连衣裙": 4, "T恤": 2, "运动鞋": 2}  # a shop's best-selling leaves hold more products
SEASONS = ["", "", "春季", "夏季", "秋季", "冬季", "春秋", "秋冬", "2026新款"]
STYLES = ["碎花", "法式", "复古", "韩版", "宽松", "修身", "高腰", "百搭", "简约", "气质", "小香风", "休闲", "通勤",
          "学院风", "轻奢", "加厚", "显瘦", "格纹", "条纹", "纯色", "印花", "撞色", "ins风", "日系"]
MATERIALS = {
    "女装": ["纯棉", "真丝", "雪纺", "针织", "羊毛", "亚麻", "牛仔", "灯芯绒", "羊绒", "醋酸", ""],
    "男装": ["纯棉", "针织", "羊毛", "亚麻", "牛仔", "灯芯绒", "冰丝", ""],
    "鞋靴": ["真皮", "牛皮", "帆布", "网面", "麂皮", ""],
    "箱包配饰": ["帆布", "尼龙", "真皮", "羊绒", "桑蚕丝", ""],
    "家居": ["全棉", "天丝", "磨毛", "竹纤维", "", ""],
}
PRICE_RANGE = {"女装": (39, 1299), "男装": (49, 999), "鞋靴": (79, 1599), "箱包配饰": (19, 899), "家居": (29, 799)}
COLORS = ["黑色", "白色", "米白", "杏色", "藏青", "卡其", "酒红", "雾霾蓝", "燕麦色", "墨绿", "浅灰", "粉色"]
SIZES = {"女装": ["S", "M", "L", "XL"], "男装": ["M", "L", "XL", "XXL"], "鞋靴": ["36", "37", "38", "39", "40", "41", "42"],
         "箱包配饰": ["均码"], "家居": ["1.5m", "1.8m", "2.0m"]}
BRANDS = [("花间集", "HJ"), ("木棉记", "MM"), ("北岸", "BA"), ("素语", "SY"), ("青禾", "QH"), ("初见", "CJ"),
          ("拾光", "SG"), ("南风", "NF"), ("织梦", "ZM"), ("野径", "YJ"), ("云裳", "YS"), ("棉麻社", "MS"),
          ("简白", "JB"), ("山系", "SX"), ("城市漫步", "CW")]
SHAPES = [(1, 1), (1, 1), (2, 1), (3, 1), (1, 3), (2, 2), (2, 3), (3, 2)]  # colours x sizes; 1 x 1: no specs
ON_SHELF = 0.7
SEED = 20261126


@dataclass(frozen=True)
class Leaf:
    path: tuple[str, ...]  # names from the top, e.g. (女装, 裙装, 连衣裙)
    department: str
    items: list[str]


def leaves() -> list[Leaf]:
    found = []
    for top, seconds in TREE.items():
        for second, thirds in seconds.items():
            for third in thirds or [None]:
                path = (top, second, third) if third else (top, second)
                found.append(Leaf(path, top, ITEMS[third or second]))
    return found


def _ean13(base12: str) -> str:
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(base12))
    return base12 + str((10 - total % 10) % 10)


def product(n: int, rng: random.Random, all_leaves: list[Leaf]) -> tuple[Leaf, dict[str, Any], bool]:
    """Product number ``n``: its leaf category, a ProductCreate body (category_id left out) and
    whether it goes on shelf."""
    leaf = rng.choices(all_leaves, [WEIGHTS.get(leaf.path[-1], 1) for leaf in all_leaves])[0]
    brand, prefix = rng.choice(BRANDS)
    words = [rng.choice(SEASONS), rng.choice(STYLES), rng.choice(MATERIALS[leaf.department]), rng.choice(leaf.items)]
    if rng.random() < 0.3:
        words.insert(2, rng.choice(STYLES))
    name = "".join(dict.fromkeys(w for w in words if w))
    low, high = PRICE_RANGE[leaf.department]
    yuan = math.exp(rng.uniform(math.log(low), math.log(high)))
    price = max(100, int(yuan) * 100 - 10)  # ¥xx.90
    colors, sizes = rng.choice(SHAPES)
    size_values = SIZES[leaf.department][:sizes]
    specs = []
    if colors > 1 or len(size_values) > 1:
        specs.append({"name": "颜色", "values": rng.sample(COLORS, colors)})
    if len(size_values) > 1:
        specs.append({"name": "尺码", "values": size_values})
    skus = []
    for i, values in enumerate(itertools.product(*(spec["values"] for spec in specs))):
        sku_price = price + (1000 if values[-1:] in (("XL",), ("XXL",)) else 0) + 500 * (i % 2)
        skus.append({"values": list(values), "price": sku_price, "strike_price": sku_price * 3 // 2,
                     "cost_price": sku_price // 3, "weight_g": rng.randint(80, 1500),
                     "code": f"{prefix}{n:05d}-{i + 1}", "barcode": _ean13(f"69{n:07d}{i:03d}")})
    body = {"name": name, "brand": brand, "specs": specs, "skus": skus,
            "description": f"<p>{name}，{brand}出品。</p>", "attributes": [{"name": "产地", "value": "浙江杭州"}]}
    return leaf, body, rng.random() < ON_SHELF


def catalog(count: int) -> list[tuple[Leaf, dict[str, Any], bool]]:
    """The bench shop's products, numbered from 0."""
    rng = random.Random(SEED)
    all_leaves = leaves()
    return [product(n, rng, all_leaves) for n in range(count)]
