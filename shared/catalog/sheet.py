"""The product spreadsheet (商品导入/导出表格): one row per SKU, the rows of one product grouped
by a product ref. Import, export, the template and the error report all use this layout, so an
export can be edited and imported again.

Reading: CSV in UTF-8 (with or without BOM), UTF-16 with BOM (Excel's "Unicode text"), or
else GB18030 (a superset of GBK, what Excel on Chinese Windows writes); XLSX through openpyxl
in read-only mode (imported on use: it is large), once its unpacked size is known to be bounded
(``check_unpacked_size``: no zip bombs). The content decides, not the name: a ZIP is
read as XLSX, binary content of any other kind is refused. Headers in zh-CN or en.

Cells: prices in yuan with at most two decimals (-> integer fen), counts as whole numbers.
A leading apostrophe before = + - @ (how exports neutralise formulas) is removed on import.
"""
from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from shared.exports import safe_cell

MAX_ROWS = 20_000
MAX_BYTES = 10 * 1024 * 1024
# An XLSX is a ZIP: before openpyxl reads a byte of it, its entries must stay within these bounds
# (a zip bomb of a few KB can unpack to gigabytes). Python's zipfile never yields more than an
# entry's declared size (and fails its CRC if the data says otherwise), so the declared sizes
# of the central directory are what bounds the parsing. 20,000 rows of our layout unpack to
# about 14 MB at a ratio of about 14.
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
MAX_ZIP_ENTRIES = 1000
MAX_RATIO = 100  # unpacked / packed, for entries larger than RATIO_FROM_BYTES
RATIO_FROM_BYTES = 1024 * 1024
SPECS = 3
_EMPTY_RUN = 1000  # XLSX sheets formatted far down: stop after this many empty rows in a row


@dataclass(frozen=True)
class Column:
    key: str
    zh: str
    en: str
    note_zh: str
    note_en: str

    def header(self, language: str) -> str:
        return self.zh if language == "zh-CN" else self.en


def _spec_columns() -> list[Column]:
    out = []
    for i in range(1, SPECS + 1):
        out.append(Column(f"spec{i}_name", f"规格{i}名称", f"Spec {i} name",
                          "如 颜色；同一商品各行相同", "e.g. Colour; the same on every row of a product"))
        out.append(Column(f"spec{i}_value", f"规格{i}值", f"Spec {i} value",
                          "如 红色；各行组合须覆盖全部规格组合", "e.g. Red; the rows must cover every combination"))
    return out


COLUMNS: tuple[Column, ...] = (
    Column("product_ref", "商品编号", "Product ref", "必填。编号相同的行属于同一商品；导出文件中为商品 ID，再导入时更新该商品",
           "Required. Rows with the same ref form one product; in an export it is the product id, and importing "
           "it again updates that product"),
    Column("name", "商品名称", "Product name", "必填，1-60 字", "Required, 1-60 characters"),
    Column("category", "分类", "Category", "分类路径，如 女装/连衣裙，须已存在；可留空",
           "Category path such as Women/Dresses; must exist; may be empty"),
    Column("brand", "品牌", "Brand", "可留空", "Optional"),
    Column("description", "商品描述", "Description", "纯文本或简单 HTML", "Plain text or simple HTML"),
    *_spec_columns(),
    Column("price", "售价(元)", "Price (yuan)", "必填，最多两位小数，如 129.90", "Required, at most 2 decimals, e.g. 129.90"),
    Column("strike_price", "划线价(元)", "Strike price (yuan)", "可留空；不低于售价", "Optional; at least the price"),
    Column("cost_price", "成本价(元)", "Cost price (yuan)", "可留空", "Optional"),
    Column("weight_g", "重量(克)", "Weight (g)", "整数，可留空", "Whole number, optional"),
    Column("volume_cm3", "体积(立方厘米)", "Volume (cm3)", "整数，可留空", "Whole number, optional"),
    Column("code", "商家编码", "SKU code", "可留空；全店唯一", "Optional; unique in the shop"),
    Column("barcode", "条形码", "Barcode", "可留空；全店唯一", "Optional; unique in the shop"),
    Column("sku_status", "SKU状态", "SKU status", "启用 或 停用（active / disabled），默认启用",
           "active or disabled (启用 / 停用), active when empty"),
)
KEYS = tuple(c.key for c in COLUMNS)
BY_KEY = {c.key: c for c in COLUMNS}
REQUIRED = ("product_ref", "name", "price")
PRODUCT_FIELDS = ("name", "category", "brand", "description")
STATUS_WORDS = {"active": "active", "启用": "active", "enabled": "active", "正常": "active",
                "disabled": "disabled", "停用": "disabled", "禁用": "disabled"}
STATUS_LABELS = {"zh-CN": {"active": "启用", "disabled": "停用"}, "en": {"active": "active", "disabled": "disabled"}}


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    return re.sub(r"[\s*_]+", "", text)


def _aliases() -> dict[str, str]:
    found: dict[str, str] = {}
    for c in COLUMNS:
        for name in (c.key, c.zh, c.en, re.sub(r"\(.*\)$", "", c.zh), re.sub(r"\(.*\)$", "", c.en)):
            found[_norm(name)] = c.key
    return found


ALIASES = _aliases()


def headers(language: str) -> list[str]:
    return [c.header(language) for c in COLUMNS]


class SheetRefused(Exception):
    """The file as a whole cannot be read: ``code`` and ``params`` say why (shared.i18n)."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code, self.params = code, params


@dataclass
class Sheet:
    headers: list[str]  # as written in the file
    keys: list[str | None]  # the column each header is (None: not ours, ignored)
    rows: list[tuple[int, list[str]]]  # (row number as a spreadsheet shows it, cells)
    encoding: str
    format: str
    ignored: list[str] = field(default_factory=list)

    def column_of(self, key: str) -> str:
        """The header the file uses for a column (the zh-CN name when the file has none)."""
        for header, k in zip(self.headers, self.keys, strict=False):
            if k == key:
                return header
        return BY_KEY[key].zh

    def record(self, cells: list[str]) -> dict[str, str]:
        out: dict[str, str] = {}
        for key, value in zip(self.keys, cells, strict=False):
            if key and key not in out:
                out[key] = value
        return out


# -- reading ------------------------------------------------------------------------------------
def read(data: bytes) -> Sheet:
    """The rows of an uploaded file, whatever its declared name (the content decides)."""
    if not data.strip():
        raise SheetRefused("import_empty")
    if data[:4] == b"PK\x03\x04":
        return _read_xlsx(data)
    _refuse_binary(data)
    text, encoding = decode(data)
    return _read_csv(text, encoding)


def _refuse_binary(data: bytes) -> None:
    import filetype  # small magic-number sniffing; also used for images

    kind = filetype.guess(data[:262])
    if kind is not None:
        raise SheetRefused("import_not_spreadsheet", kind=kind.mime)
    head = data[:8192]
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise SheetRefused("import_not_spreadsheet", kind="binary")


def decode(data: bytes) -> tuple[str, str]:
    """Text and the encoding used: UTF-8 (BOM or not), UTF-16 with BOM, else GB18030."""
    try:
        if data.startswith(b"\xef\xbb\xbf"):
            return data[3:].decode("utf-8"), "utf-8-sig"
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            return data.decode("utf-16"), "utf-16"
    except UnicodeDecodeError as exc:
        raise SheetRefused("import_encoding") from exc
    for encoding in ("utf-8", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        controls = sum(1 for ch in text[:20000] if unicodedata.category(ch) == "Cc" and ch not in "\t\r\n")
        if controls > max(2, len(text[:20000]) // 200):
            raise SheetRefused("import_not_spreadsheet", kind="binary")
        return text, encoding
    raise SheetRefused("import_encoding")


def _delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", "\t", ";")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _read_csv(text: str, encoding: str) -> Sheet:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text.split("\n", 1)[0]))
    try:
        return _sheet(([str(c) for c in row] for row in reader), encoding, "csv")
    except csv.Error as exc:
        raise SheetRefused("import_not_spreadsheet", kind="csv") from exc


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return str(value)


def check_unpacked_size(data: bytes) -> None:
    """Refuses a ZIP whose entries would unpack beyond the bounds above (before any parsing)."""
    from zipfile import BadZipFile, LargeZipFile, ZipFile

    try:
        with ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (BadZipFile, LargeZipFile, OSError, ValueError) as exc:
        raise SheetRefused("import_not_spreadsheet", kind="zip") from exc
    max_mb = MAX_UNPACKED_BYTES // (1024 * 1024)
    if len(entries) > MAX_ZIP_ENTRIES or sum(e.file_size for e in entries) > MAX_UNPACKED_BYTES:
        raise SheetRefused("import_unpacks_too_large", max_mb=max_mb)
    for entry in entries:
        if entry.file_size > RATIO_FROM_BYTES and entry.file_size > MAX_RATIO * max(entry.compress_size, 1):
            raise SheetRefused("import_unpacks_too_large", max_mb=max_mb)


def _read_xlsx(data: bytes) -> Sheet:
    from zipfile import BadZipFile

    check_unpacked_size(data)
    from openpyxl import load_workbook  # imported on use: openpyxl is large

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise SheetRefused("import_not_spreadsheet", kind="zip") from exc
    try:
        if not book.worksheets:
            raise SheetRefused("import_empty")
        rows = ([_cell(v) for v in row] for row in book.worksheets[0].iter_rows(values_only=True))
        return _sheet(rows, "xlsx", "xlsx")
    finally:
        book.close()


def _sheet(rows: Iterable[list[str]], encoding: str, fmt: str) -> Sheet:
    header: list[str] | None = None
    found: list[tuple[int, list[str]]] = []
    empty_run = 0
    for number, cells in enumerate(rows, start=1):
        cells = [c.strip() for c in cells]
        if not any(cells):
            empty_run += 1
            if empty_run >= _EMPTY_RUN and header is not None:
                break
            continue
        empty_run = 0
        if header is None:
            header = cells
            continue
        if len(found) >= MAX_ROWS:
            raise SheetRefused("import_too_many_rows", max=MAX_ROWS)
        found.append((number, cells))
    if header is None:
        raise SheetRefused("import_empty")
    keys = [ALIASES.get(_norm(h)) if h else None for h in header]
    missing = [k for k in REQUIRED if k not in keys]
    if missing:
        raise SheetRefused("import_missing_columns",
                           columns=[f"{BY_KEY[k].zh} / {BY_KEY[k].en}" for k in missing])
    if not found:
        raise SheetRefused("import_no_rows")
    ignored = [h for h, k in zip(header, keys, strict=False) if h and k is None]
    return Sheet(headers=header, keys=keys, rows=found, encoding=encoding, format=fmt, ignored=ignored)


# -- cells --------------------------------------------------------------------------------------
class CellError(Exception):
    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code, self.params = code, params


_MONEY = re.compile(r"^(\d+)(?:\.(\d*))?$")


def text(value: str) -> str:
    """A cell as text; an export's formula neutralisation ('=...) is undone."""
    if len(value) > 1 and value[0] == "'" and value[1] in "=+-@\t\r":
        return value[1:]
    return value


def yuan_to_fen(value: str) -> int | None:
    """"129.9" -> 12990; empty -> None. Refuses text, negatives and a third decimal."""
    raw = unicodedata.normalize("NFKC", value).strip().lstrip("¥").replace(",", "").strip()
    if not raw:
        return None
    if raw.startswith("-"):
        raise CellError("price_negative")
    match = _MONEY.match(raw)
    if match is None:
        raise CellError("price_invalid", value=value)
    decimals = match.group(2) or ""
    if len(decimals.rstrip("0")) > 2:
        raise CellError("price_decimals", value=value)
    try:
        return int((Decimal(raw) * 100).to_integral_value())
    except InvalidOperation as exc:
        raise CellError("price_invalid", value=value) from exc


def whole(value: str) -> int | None:
    raw = unicodedata.normalize("NFKC", value).strip().replace(",", "")
    if not raw:
        return None
    if raw.startswith("-"):
        raise CellError("number_negative")
    if re.fullmatch(r"\d+(\.0*)?", raw) is None:
        raise CellError("whole_number", value=value)
    return int(raw.split(".")[0])


def sku_status(value: str) -> str:
    raw = value.strip().casefold()
    if not raw:
        return "active"
    if raw not in STATUS_WORDS:
        raise CellError("sku_status", value=value)
    return STATUS_WORDS[raw]


def fen_to_yuan(amount: int | None) -> Decimal | str:
    return "" if amount is None else (Decimal(amount) / 100).quantize(Decimal("0.01"))


# -- writing ------------------------------------------------------------------------------------
def example_rows(language: str) -> list[list[Any]]:
    """One product with two specs (2 x 2 = 4 SKUs), in the template."""
    zh = language == "zh-CN"
    name = "示例：纯棉短袖T恤" if zh else "Example: cotton T-shirt"
    colour, size = ("颜色", "尺码") if zh else ("Colour", "Size")
    rows = []
    for c in (("白色", "黑色") if zh else ("White", "Black")):
        for s in ("M", "L"):
            record = {"product_ref": "T001", "name": name, "brand": "ShopDesk",
                      "description": "100% 纯棉" if zh else "100% cotton", "spec1_name": colour, "spec1_value": c,
                      "spec2_name": size, "spec2_value": s, "price": Decimal("79.00"), "strike_price": Decimal("99.00"),
                      "cost_price": Decimal("35.50"), "weight_g": 220, "volume_cm3": 1500,
                      "sku_status": STATUS_LABELS[language]["active"]}
            rows.append([record.get(k, "") for k in KEYS])
    return rows


def template_xlsx(language: str) -> bytes:
    """The import template: the header row, the example product, and a sheet of notes."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    data = book.create_sheet("商品" if language == "zh-CN" else "Products")
    data.append(headers(language))
    for row in example_rows(language):
        data.append([safe_cell(v) for v in row])
    notes = book.create_sheet("说明" if language == "zh-CN" else "Notes")
    notes.append(["列" if language == "zh-CN" else "Column", "说明" if language == "zh-CN" else "Notes"])
    for c in COLUMNS:
        notes.append([c.header(language), c.note_zh if language == "zh-CN" else c.note_en])
    notes.append([])
    notes.append(["", "每行一个 SKU；表头可用中文或英文；CSV 请保存为 UTF-8（Excel：另存为“CSV UTF-8”）。"
                  if language == "zh-CN" else
                  "One row per SKU; headers in Chinese or English; save CSV as UTF-8 (Excel: Save As \"CSV UTF-8\")."])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def rows_of(records: Sequence[dict[str, Any]]) -> Iterator[list[Any]]:
    for record in records:
        yield [record.get(k, "") for k in KEYS]
