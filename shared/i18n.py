"""Messages that reach a person, in zh-CN and en. One catalog; the API picks by Accept-Language.

Keys are error codes (and pydantic error types for field messages). A unit test checks that
every key has both languages and the same placeholders.
"""
from __future__ import annotations

from typing import Any

LANGUAGES = ("zh-CN", "en")
DEFAULT_LANGUAGE = "zh-CN"

MESSAGES: dict[str, dict[str, str]] = {
    # errors of the API
    "invalid_json": {"en": "The request body is not valid JSON.", "zh-CN": "请求内容不是有效的 JSON。"},
    "validation_failed": {"en": "Some fields are invalid: {fields}.", "zh-CN": "以下字段有误：{fields}。"},
    "not_authenticated": {"en": "Please sign in.", "zh-CN": "请先登录。"},
    "forbidden": {"en": "You do not have the permission {permission}.", "zh-CN": "您没有权限：{permission}。"},
    "not_found": {"en": "Not found.", "zh-CN": "未找到。"},
    "route_not_found": {"en": "No such API: {method} {path}.", "zh-CN": "没有这个接口：{method} {path}。"},
    "shop_required": {"en": "Choose a shop first (X-Shop-Id header).", "zh-CN": "请先选择店铺（X-Shop-Id 请求头）。"},
    "shop_not_found": {"en": "Shop not found.", "zh-CN": "店铺不存在。"},
    "version_conflict": {
        "en": "Someone else changed this in the meantime (your version {expected}, current {current}). Reload and try again.",
        "zh-CN": "该内容已被他人修改（您的版本 {expected}，当前版本 {current}），请刷新后重试。",
    },
    "invalid_cursor": {"en": "The page cursor is invalid or expired.", "zh-CN": "分页游标无效或已过期。"},
    "internal_error": {
        "en": "Something went wrong on our side (request {request_id}). Nothing was changed.",
        "zh-CN": "服务器出错（请求 {request_id}），未做任何修改。",
    },
    "throttled": {"en": "Too many requests; try again shortly.", "zh-CN": "请求过于频繁，请稍后再试。"},
    "request_in_progress": {
        "en": "The same request (Idempotency-Key) is still being processed.",
        "zh-CN": "相同的请求（Idempotency-Key）仍在处理中。",
    },
    "idempotency_key_reused": {
        "en": "This Idempotency-Key was already used with a different request body.",
        "zh-CN": "该 Idempotency-Key 已用于另一个不同的请求。",
    },
    "idempotency_key_invalid": {
        "en": "The Idempotency-Key header must have 1 to 200 characters.",
        "zh-CN": "Idempotency-Key 请求头须为 1 到 200 个字符。",
    },
    "payload_too_large": {"en": "The request body is too large (max {limit} bytes).", "zh-CN": "请求内容过大（最多 {limit} 字节）。"},
    # sign-in
    "invalid_credentials": {"en": "Wrong e-mail or password.", "zh-CN": "邮箱或密码错误。"},
    "password_policy": {
        "en": "The password must have at least 8 characters with upper and lower case letters and a digit.",
        "zh-CN": "密码至少 8 位，且须包含大写字母、小写字母和数字。",
    },
    "session_expired": {"en": "The sign-in session has expired; sign in again.", "zh-CN": "登录会话已过期，请重新登录。"},
    "user_disabled": {"en": "This account is disabled.", "zh-CN": "该账号已被停用。"},
    # settings
    "logo_invalid": {
        "en": "The logo must be a PNG, JPEG or WebP image of at most {max_bytes} bytes ({reason}).",
        "zh-CN": "店铺标志须为不超过 {max_bytes} 字节的 PNG、JPEG 或 WebP 图片（{reason}）。",
    },
    "logo_missing": {"en": "No uploaded logo found for key {key}; upload it first.", "zh-CN": "找不到已上传的标志文件 {key}，请先上传。"},
    # staff and roles
    "staff_not_found": {"en": "No such staff member in this shop.", "zh-CN": "本店铺没有该员工。"},
    "member_exists": {"en": "{login} is already a member of this shop.", "zh-CN": "{login} 已是本店铺的员工。"},
    "last_owner": {
        "en": "A shop must keep at least one active owner: make someone else owner first.",
        "zh-CN": "店铺至少需要一位有效的店主，请先指定其他店主。",
    },
    "self_lockout": {
        "en": "You cannot take away your own access to staff management (or disable or remove yourself).",
        "zh-CN": "不能取消自己的员工管理权限，也不能停用或移除自己。",
    },
    "role_not_found": {"en": "No such role in this shop.", "zh-CN": "本店铺没有该角色。"},
    "role_built_in": {"en": "Built-in roles cannot be changed or deleted.", "zh-CN": "内置角色不能修改或删除。"},
    "role_in_use": {
        "en": "{members} staff member(s) still hold this role: give them another role first.",
        "zh-CN": "仍有 {members} 名员工使用该角色，请先为他们更换角色。",
    },
    # field messages (pydantic error types and our own)
    "field.missing": {"en": "is required", "zh-CN": "为必填项"},
    "field.string_too_short": {"en": "must have at least {min_length} characters", "zh-CN": "至少 {min_length} 个字符"},
    "field.string_too_long": {"en": "must have at most {max_length} characters", "zh-CN": "最多 {max_length} 个字符"},
    "field.too_short": {"en": "must have at least {min_length} items", "zh-CN": "至少 {min_length} 项"},
    "field.too_long": {"en": "must have at most {max_length} items", "zh-CN": "最多 {max_length} 项"},
    "field.greater_than_equal": {"en": "must be at least {ge}", "zh-CN": "不能小于 {ge}"},
    "field.less_than_equal": {"en": "must be at most {le}", "zh-CN": "不能大于 {le}"},
    "field.greater_than": {"en": "must be greater than {gt}", "zh-CN": "必须大于 {gt}"},
    "field.less_than": {"en": "must be less than {lt}", "zh-CN": "必须小于 {lt}"},
    "field.string_pattern_mismatch": {"en": "has the wrong format", "zh-CN": "格式不正确"},
    "field.literal_error": {"en": "must be one of {expected}", "zh-CN": "必须是以下之一：{expected}"},
    "field.enum": {"en": "must be one of {expected}", "zh-CN": "必须是以下之一：{expected}"},
    "field.extra_forbidden": {"en": "is not a known field", "zh-CN": "是未知字段"},
    "field.int_type": {"en": "must be a whole number", "zh-CN": "必须是整数"},
    "field.int_parsing": {"en": "must be a whole number", "zh-CN": "必须是整数"},
    "field.int_from_float": {"en": "must be a whole number", "zh-CN": "必须是整数"},
    "field.string_type": {"en": "must be text", "zh-CN": "必须是文本"},
    "field.bool_type": {"en": "must be true or false", "zh-CN": "必须是 true 或 false"},
    "field.bool_parsing": {"en": "must be true or false", "zh-CN": "必须是 true 或 false"},
    "field.list_type": {"en": "must be a list", "zh-CN": "必须是列表"},
    "field.dict_type": {"en": "must be an object", "zh-CN": "必须是对象"},
    "field.model_type": {"en": "must be an object", "zh-CN": "必须是对象"},
    "field.model_attributes_type": {"en": "must be an object", "zh-CN": "必须是对象"},
    "field.date_from_datetime_parsing": {"en": "must be a date like 2026-12-31", "zh-CN": "必须是日期，如 2026-12-31"},
    "field.date_parsing": {"en": "must be a date like 2026-12-31", "zh-CN": "必须是日期，如 2026-12-31"},
    "field.date_type": {"en": "must be a date like 2026-12-31", "zh-CN": "必须是日期，如 2026-12-31"},
    "field.invalid": {"en": "is invalid", "zh-CN": "无效"},
    "field.login": {
        "en": "must be an e-mail address or a mainland mobile number",
        "zh-CN": "必须是邮箱地址或 11 位手机号",
    },
    "field.password_incorrect": {"en": "is not your current password", "zh-CN": "与当前密码不符"},
    "field.unknown_role": {"en": "unknown role {role}", "zh-CN": "未知的角色 {role}"},
    "field.unknown_permission": {"en": "unknown permission {code}", "zh-CN": "未知的权限 {code}"},
    "field.date_range": {"en": "'to' must be after 'from'", "zh-CN": "结束时间必须晚于开始时间"},
    "field.datetime_from_date_parsing": {"en": "must be a date or time like 2026-12-31T08:00:00Z",
                                         "zh-CN": "必须是日期或时间，如 2026-12-31T08:00:00Z"},
    "field.datetime_parsing": {"en": "must be a date or time like 2026-12-31T08:00:00Z",
                               "zh-CN": "必须是日期或时间，如 2026-12-31T08:00:00Z"},
    "field.email": {"en": "must be a valid e-mail address", "zh-CN": "必须是有效的邮箱地址"},
    "field.phone": {
        "en": "must be a mainland mobile number (11 digits) or a landline like 010-12345678",
        "zh-CN": "必须是 11 位手机号或 010-12345678 格式的座机号",
    },
    "field.time_zone": {"en": "must be a time zone name like Asia/Shanghai", "zh-CN": "必须是时区名称，如 Asia/Shanghai"},
    "field.time_hhmm": {"en": "must be a time like 09:30", "zh-CN": "必须是时间，如 09:30"},
    "field.close_before_open": {"en": "closing time must be after opening time", "zh-CN": "打烊时间必须晚于开门时间"},
    "field.unknown_province": {"en": "unknown province code {code}", "zh-CN": "未知的省级行政区代码 {code}"},
    "field.duplicate": {"en": "contains {value} twice", "zh-CN": "重复包含 {value}"},
    "field.weekdays": {"en": "must list each weekday 1-7 exactly once", "zh-CN": "必须恰好包含周一至周日各一次"},
    "field.method_settings_required": {
        "en": "an enabled payment method needs its settings ({missing})",
        "zh-CN": "启用的支付方式须填写设置（{missing}）",
    },
    "field.merchant_id": {"en": "merchant id has the wrong format ({expected})", "zh-CN": "商户号格式不正确（{expected}）"},
    "field.content_type": {"en": "must be image/png, image/jpeg or image/webp", "zh-CN": "必须是 image/png、image/jpeg 或 image/webp"},
    "field.logo_key": {"en": "is not an upload of this shop", "zh-CN": "不是本店铺上传的文件"},
    # catalog
    "product_not_found": {"en": "No such product in this shop.", "zh-CN": "本店铺没有该商品。"},
    "category_not_found": {"en": "No such category in this shop.", "zh-CN": "本店铺没有该分类。"},
    "image_not_found": {"en": "No such image of this product.", "zh-CN": "该商品没有这张图片。"},
    "sku_code_taken": {"en": "SKU code {value} is already used by another product.", "zh-CN": "商家编码 {value} 已被其他商品使用。"},
    "barcode_taken": {"en": "Barcode {value} is already used by another product.", "zh-CN": "条形码 {value} 已被其他商品使用。"},
    "too_many_changes": {
        "en": "This save would write {writes} records; at most {limit} can be saved at once. Save in steps "
              "(for example, add a few spec values or codes at a time).",
        "zh-CN": "本次保存需写入 {writes} 条记录，一次最多 {limit} 条。请分几次保存（例如每次少添加几个规格值或编码）。",
    },
    "write_conflict": {"en": "Someone else changed the same thing at the same moment; try again.",
                       "zh-CN": "有人同时修改了相同内容，请重试。"},
    "product_on_shelf": {"en": "Take the product off shelf before deleting it.", "zh-CN": "请先下架商品再删除。"},
    "product_not_listable": {"en": "A product needs at least one active SKU to go on shelf.",
                             "zh-CN": "商品至少需要一个启用的 SKU 才能上架。"},
    "on_shelf_needs_active_sku": {"en": "An on-shelf product must keep at least one active SKU: take it off shelf first.",
                                  "zh-CN": "在售商品至少要保留一个启用的 SKU，请先下架。"},
    "category_in_use": {
        "en": "The category still has {products} product(s) and {children} sub-category(ies): move or delete them first.",
        "zh-CN": "该分类下仍有 {products} 个商品和 {children} 个子分类，请先移走或删除。",
    },
    "category_cycle": {"en": "A category cannot be moved under itself or one of its sub-categories.",
                       "zh-CN": "不能把分类移到它自己或它的子分类下。"},
    "category_too_deep": {"en": "Categories can be at most {max} levels deep.", "zh-CN": "分类最多 {max} 级。"},
    "category_limit": {"en": "A category can have at most {max} sub-categories.", "zh-CN": "每一级最多 {max} 个分类。"},
    "category_name_taken": {"en": "There is already a category named {name} at this level.",
                            "zh-CN": "同一级已有名为 {name} 的分类。"},
    "field.unknown_category": {"en": "is not a category of this shop", "zh-CN": "不是本店铺的分类"},
    "field.unknown_sku": {"en": "is not a SKU of this product", "zh-CN": "不是该商品的 SKU"},
    "field.unknown_image": {"en": "is not an image uploaded for this product", "zh-CN": "不是为该商品上传的图片"},
    "field.image_not_ready": {"en": "is not ready (status: {status}); wait until it is processed or upload it again",
                              "zh-CN": "图片尚未就绪（状态：{status}），请等待处理完成或重新上传"},
    "field.sku_matrix": {
        "en": "needs exactly one SKU per spec combination (missing: {missing}; not in the specs or repeated: {extra})",
        "zh-CN": "必须每个规格组合恰好一个 SKU（缺少：{missing}；多出或重复：{extra}）",
    },
    "field.too_many_skus": {"en": "the specs make {count} SKUs, at most {max}", "zh-CN": "规格组合共 {count} 个 SKU，最多 {max} 个"},
    "field.strike_below_price": {"en": "must be at least the price ({price})", "zh-CN": "不能低于售价（{price}）"},
    "field.future_datetime": {"en": "must be a time in the future (within a year)", "zh-CN": "必须是未来一年内的时间"},
    "field.price_range": {"en": "must not be below price_min", "zh-CN": "不能低于 price_min"},
}


def pick_language(accept_language: str | None) -> str:
    """The first of zh-CN/en named in an Accept-Language header (zh* -> zh-CN, en* -> en)."""
    if not accept_language:
        return DEFAULT_LANGUAGE
    for part in accept_language.split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("zh"):
            return "zh-CN"
        if tag.startswith("en"):
            return "en"
    return DEFAULT_LANGUAGE


def field_message(type_: str, language: str, params: dict[str, Any], fallback: str | None = None) -> str:
    """The message for one invalid field; pydantic's English text where we have no entry."""
    key = f"field.{type_}"
    if key in MESSAGES:
        return message(key, language, **params)
    if language == "en" and fallback:
        return fallback
    return message("field.invalid", language)


class _Missing(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def message(key: str, language: str, /, **params: Any) -> str:
    entry = MESSAGES.get(key)
    if entry is None:
        return key
    template = entry.get(language) or entry["en"]
    return template.format_map(_Missing({k: _render(v) for k, v in params.items()}))


def _render(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)
