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
    "method_not_allowed": {"en": "{path} does not answer {method}.", "zh-CN": "接口 {path} 不支持 {method} 方法。"},
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
    # answers of the local gateway itself (infra/runtime/gateway.py)
    "bad_gateway": {"en": "The local gateway failed (request {request_id}); the run's log has the details.",
                    "zh-CN": "本地网关出错（请求 {request_id}），详情见运行日志。"},
    "length_required": {"en": "Send the body with a Content-Length (chunked bodies are not accepted).",
                        "zh-CN": "请求内容须带 Content-Length（不接受分块传输）。"},
    "bad_content_length": {"en": "The Content-Length header is invalid.", "zh-CN": "Content-Length 请求头无效。"},
    "local_cross_origin": {"en": "Local controls accept requests from this machine's own pages only.",
                           "zh-CN": "本地控制接口只接受本机同源页面的请求。"},
    "local_json_only": {"en": "Local controls accept JSON bodies only (Content-Type: application/json).",
                        "zh-CN": "本地控制接口只接受 JSON 请求（Content-Type: application/json）。"},
    "schedule_not_found": {"en": "No such schedule.", "zh-CN": "没有这个定时任务。"},
    "rate_limited": {
        "en": "Too many attempts ({limit}); try again in {retry_after} seconds.",
        "zh-CN": "操作过于频繁（{limit}），请在 {retry_after} 秒后再试。",
    },
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
    "code_invalid": {"en": "The code is wrong or has expired; ask for a new one.", "zh-CN": "验证码错误或已过期，请重新获取。"},
    "buyer_code_sms": {"en": "Your sign-in code is {code}, valid for {minutes} minutes. Never share it.",
                       "zh-CN": "您的登录验证码为 {code}，{minutes} 分钟内有效，请勿告诉他人。"},
    "session_revoked": {"en": "This session has ended; sign in again.", "zh-CN": "该登录会话已失效，请重新登录。"},
    "reset_code_invalid": {
        "en": "The code is wrong or has expired; ask for a new one.",
        "zh-CN": "验证码错误或已过期，请重新获取。",
    },
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
    "grant_exceeds_own": {
        "en": "You cannot grant {permission}: you do not hold it yourself.",
        "zh-CN": "不能授予权限 {permission}：您自己没有该权限。",
    },
    "owner_only": {"en": "Only an owner can make or change an owner.", "zh-CN": "只有店主才能设置或更改店主。"},
    "own_roles": {"en": "Nobody can change their own roles; ask another administrator.",
                  "zh-CN": "不能修改自己的角色，请联系其他管理员。"},
    "invitation_pending": {"en": "This person has not accepted the invitation yet.", "zh-CN": "对方尚未接受邀请。"},
    "invitation_not_found": {"en": "No pending invitation to this shop.", "zh-CN": "没有该店铺的待处理邀请。"},
    "approval_needs_second_person": {
        "en": "Above {limit} someone other than its creator must approve this.",
        "zh-CN": "金额超过 {limit} 时，须由创建人以外的人审核。",
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
    "field.datetime_range": {"en": "must be a time between 1970-01-01 and 9999-12-30",
                             "zh-CN": "时间须在 1970-01-01 至 9999-12-30 之间"},
    "field.datetime_from_date_parsing": {"en": "must be a date or time like 2026-12-31T08:00:00Z",
                                         "zh-CN": "必须是日期或时间，如 2026-12-31T08:00:00Z"},
    "field.datetime_parsing": {"en": "must be a date or time like 2026-12-31T08:00:00Z",
                               "zh-CN": "必须是日期或时间，如 2026-12-31T08:00:00Z"},
    "field.email": {"en": "must be a valid e-mail address", "zh-CN": "必须是有效的邮箱地址"},
    "field.distinct_priorities": {"en": "rule priorities must differ", "zh-CN": "规则优先级不能重复"},
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
    "field.masked_value_changed": {
        "en": "is a masked value that does not match the stored one: enter the full value or leave it unchanged",
        "zh-CN": "是与已保存内容不符的脱敏值：请填写完整内容，或保持原样不改",
    },
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
    # notifications
    "notification_not_found": {"en": "No such notification.", "zh-CN": "没有这条通知。"},
    "field.mobile": {"en": "must be a mainland mobile number (11 digits)", "zh-CN": "必须是 11 位手机号"},
    "field.unknown_topic": {"en": "unknown notification topic {code}", "zh-CN": "未知的通知类型 {code}"},
    # catalog import and export jobs
    "job_not_found": {"en": "No such import or export job in this shop.", "zh-CN": "本店铺没有该导入/导出任务。"},
    "job_failed": {"en": "The job stopped on an unexpected error; nothing more was written. Try again.",
                   "zh-CN": "任务因意外错误中止，之后未再写入任何数据，请重试。"},
    "job_interrupted": {
        "en": "The job was interrupted after {processed} rows and was not resumed. Check the products list, then "
              "import the remaining rows again.",
        "zh-CN": "任务在处理 {processed} 行后中断，未继续执行。请查看商品列表后重新导入其余行。",
    },
    "import_empty": {"en": "The file is empty.", "zh-CN": "文件是空的。"},
    "import_no_rows": {"en": "The file has a header row but no products.", "zh-CN": "文件只有表头，没有商品数据。"},
    "import_not_spreadsheet": {
        "en": "This is not a CSV or XLSX file (content: {kind}). Download the template, fill it in and upload it "
              "as .xlsx or .csv.",
        "zh-CN": "该文件不是 CSV 或 XLSX 表格（内容：{kind}）。请下载模板，填写后以 .xlsx 或 .csv 格式上传。",
    },
    "import_encoding": {
        "en": "The CSV file's text encoding cannot be read. In Excel choose File > Save As > \"CSV UTF-8 (Comma "
              "delimited)\", or upload the .xlsx file.",
        "zh-CN": "无法识别 CSV 文件的文字编码。请在 Excel 中选择“文件 > 另存为 > CSV UTF-8（逗号分隔）”，或直接上传 .xlsx 文件。",
    },
    "import_too_many_rows": {"en": "The file has more than {max} rows; split it into several files.",
                             "zh-CN": "文件超过 {max} 行，请拆分成多个文件导入。"},
    "import_unpacks_too_large": {
        "en": "The file unpacks to more than {max_mb} MB (or is packed suspiciously tightly), so it was not read. "
              "Save it again from Excel as an ordinary .xlsx, or split it into several files.",
        "zh-CN": "该文件解压后超过 {max_mb} MB（或压缩比异常），未读取。请用 Excel 重新另存为普通 .xlsx，或拆分为多个文件。",
    },
    "import_file_too_large": {"en": "The file is larger than {max_mb} MB; split it into several files.",
                              "zh-CN": "文件超过 {max_mb} MB，请拆分成多个文件导入。"},
    "import_missing_columns": {
        "en": "Required columns are missing: {columns}. Use the headers of the template (Chinese or English).",
        "zh-CN": "缺少必需的列：{columns}。请使用模板的表头（中文或英文均可）。",
    },
    "import_rows_failed": {"en": "{count} row(s) have errors; nothing was imported. Fix them and upload again.",
                           "zh-CN": "有 {count} 行存在错误，未导入任何商品。请修改后重新上传。"},
    "import_rolled_back": {
        "en": "A product could not be saved, so the {count} product(s) already written by this import were undone "
              "(not undone: {left}). Nothing else was changed.",
        "zh-CN": "有商品保存失败，本次导入已写入的 {count} 个商品已撤销（未能撤销：{left} 个），其他数据未改动。",
    },
    "export_too_large": {"en": "The export would have more than {max} rows; narrow the filter.",
                         "zh-CN": "导出将超过 {max} 行，请缩小筛选范围。"},
    "import.required": {"en": "is required", "zh-CN": "为必填项"},
    "import.price_invalid": {"en": "must be an amount in yuan such as 129.90 (got {value})",
                             "zh-CN": "须为以元为单位的金额，如 129.90（当前为 {value}）"},
    "import.price_decimals": {"en": "has more than 2 decimals ({value})", "zh-CN": "最多两位小数（当前为 {value}）"},
    "import.price_negative": {"en": "must not be negative", "zh-CN": "不能为负数"},
    "import.price_too_high": {"en": "must be at most {max}", "zh-CN": "不能超过 {max}"},
    "import.number_negative": {"en": "must not be negative", "zh-CN": "不能为负数"},
    "import.whole_number": {"en": "must be a whole number (got {value})", "zh-CN": "须为整数（当前为 {value}）"},
    "import.sku_status": {"en": "must be active or disabled (启用/停用), got {value}",
                          "zh-CN": "须为 启用 或 停用（active/disabled），当前为 {value}"},
    "import.conflicts_with_row": {"en": "differs from row {row} of the same product",
                                  "zh-CN": "与同一商品的第 {row} 行不一致"},
    "import.unknown_category_path": {"en": "category {path} does not exist; create it first or fix the path",
                                     "zh-CN": "分类 {path} 不存在，请先创建该分类或修改路径"},
    "import.duplicate_in_file": {"en": "{value} is also on row {row} of this file",
                                 "zh-CN": "{value} 与本文件第 {row} 行重复"},
    "import.product_rejected": {"en": "not imported: another row of this product has errors (row {row})",
                                "zh-CN": "未导入：该商品的其他行有错误（第 {row} 行）"},
    # inventory
    "insufficient_stock": {
        "en": "Not enough stock of SKU {sku}: {available} available, {requested} requested.",
        "zh-CN": "SKU {sku} 库存不足：可用 {available}，需要 {requested}。",
    },
    "stock_not_found": {"en": "This SKU has no stock record yet.", "zh-CN": "该 SKU 还没有库存记录。"},
    "warehouse_not_found": {"en": "No such warehouse in this shop.", "zh-CN": "本店铺没有该仓库。"},
    "warehouse_inactive": {"en": "Warehouse {name} is not active: stock cannot come in.",
                           "zh-CN": "仓库 {name} 已停用，不能入库。"},
    "warehouse_code_taken": {"en": "Warehouse code {value} is already used.", "zh-CN": "仓库编码 {value} 已被使用。"},
    "warehouse_has_stock": {"en": "The warehouse still holds stock of {skus} SKU(s): move or adjust it out first.",
                            "zh-CN": "该仓库仍有 {skus} 个 SKU 的库存，请先调出或调整为零。"},
    "last_warehouse": {"en": "A shop needs at least one active warehouse.", "zh-CN": "店铺至少需要一个启用的仓库。"},
    "no_active_warehouse": {"en": "There is no active warehouse: activate one first.", "zh-CN": "没有启用的仓库，请先启用一个。"},
    "shards_busy": {"en": "Shards {shards} still hold reserved units: wait until those orders ship or are released.",
                    "zh-CN": "分片 {shards} 仍有已占用库存，请等相关订单发货或释放后再减少分片。"},
    "reservation_not_found": {"en": "No reservation for this order.", "zh-CN": "该订单没有库存预占。"},
    "reservation_exists": {"en": "Order {order_id} already has a different reservation.",
                           "zh-CN": "订单 {order_id} 已有不同内容的库存预占。"},
    "reservation_closed": {"en": "This reservation is already {status}.", "zh-CN": "该预占已处于状态：{status}。"},
    # -- orders
    "provider_not_configured": {"en": "This shop does not take {provider} payments.",
                                "zh-CN": "本店铺未开通 {provider} 支付。"},
    "order_not_payable": {"en": "This order cannot be paid (it is paid, cancelled or closed).",
                          "zh-CN": "该订单无法支付（已支付、已取消或已关闭）。"},
    "payment_window_closed": {"en": "The time to pay this order is up.", "zh-CN": "该订单的支付时间已过。"},
    "flash_sale_queue": {"en": "A flash-sale item: this order goes through the order queue.",
                         "zh-CN": "秒杀商品：订单需排队提交。"},
    "order_request_not_found": {"en": "No such order request.", "zh-CN": "没有这个排队订单。"},
    "payments_unavailable": {"en": "Online payment is not set up for this shop yet (the public URL is missing).",
                             "zh-CN": "本店铺尚未开通在线支付（未设置公开网址）。"},
    "unavailable": {"en": "This is not available yet.", "zh-CN": "暂不可用。"},
    "field.not_storefront_url": {"en": "must be a page of this shop's storefront ({allowed})",
                                 "zh-CN": "必须是本店铺商城的页面（{allowed}）"},
    "provider_refused": {"en": "The payment provider refused the request; try again or choose another way to pay.",
                         "zh-CN": "支付服务商拒绝了请求，请重试或选择其他支付方式。"},
    "invalid_payment_credentials": {"en": "These payment credentials are not valid.", "zh-CN": "支付凭据无效。"},
    "payment_provider_unknown": {"en": "Unknown payment provider.", "zh-CN": "未知的支付服务商。"},
    "order_not_found": {"en": "Order not found.", "zh-CN": "订单不存在。"},
    "price_changed": {"en": "Prices changed since your quote: check the new total and place the order again.",
                      "zh-CN": "价格已变化，请确认新的金额后重新下单。"},
    "cart_too_large": {"en": "One order can hold at most {limit} different items ({lines} in the cart): "
                             "split it into several orders.",
                       "zh-CN": "一个订单最多 {limit} 种商品（购物车中有 {lines} 种），请分成几个订单提交。"},
    "request_key_reused": {"en": "This request key was already used for a different order.",
                           "zh-CN": "该请求标识已用于另一个订单。"},
    "invalid_transition": {"en": "An order in status {status} cannot be {action}.",
                           "zh-CN": "状态为 {status} 的订单不能执行 {action}。"},
    "order_held": {"en": "The order is on hold: release it first.", "zh-CN": "订单已挂起，请先解除挂起。"},
    "field.unknown_region": {"en": "is not a known region under the one above it ({code})",
                             "zh-CN": "不是上一级地区下的有效地区（{code}）"},
    "address_book_full": {"en": "The address book holds at most {limit} addresses; delete one first.",
                          "zh-CN": "收货地址最多 {limit} 个，请先删除一个。"},
    "cart_full": {"en": "The cart holds at most {limit} different items.", "zh-CN": "购物车最多放 {limit} 种商品。"},
    "idempotency_key_required": {"en": "Send an Idempotency-Key header with this request (a new one per order).",
                                 "zh-CN": "请在请求头中带上 Idempotency-Key（每个订单一个新的）。"},
    "field.cart_empty": {"en": "the cart is empty", "zh-CN": "购物车是空的"},
    "buyer_notice_placed": {"en": "[{shop}] Order {number} placed: CNY {amount} to pay.",
                            "zh-CN": "【{shop}】您的订单 {number} 已提交，应付 ¥{amount}，请尽快付款。"},
    "buyer_notice_paid": {"en": "[{shop}] Order {number}: payment of CNY {amount} received, thank you.",
                          "zh-CN": "【{shop}】订单 {number} 已付款 ¥{amount}，我们会尽快发货。"},
    "buyer_notice_cancelled": {"en": "[{shop}] Order {number} was cancelled.", "zh-CN": "【{shop}】订单 {number} 已取消。"},
    "field.not_in_cart": {"en": "is not in the cart", "zh-CN": "不在购物车中"},
    "field.not_on_sale": {"en": "is not on sale (off shelf or disabled)", "zh-CN": "未在售（已下架或已停用）"},
    "field.unknown_product": {"en": "is not a product of this shop", "zh-CN": "不是本店铺的商品"},
    "field.unknown_warehouse": {"en": "is not a warehouse of this shop", "zh-CN": "不是本店铺的仓库"},
    "field.not_zero": {"en": "must not be 0", "zh-CN": "不能为 0"},
    "field.same_warehouse": {"en": "must differ from from_warehouse_id", "zh-CN": "调入仓库不能与调出仓库相同"},
    # purchasing
    "supplier_not_found": {"en": "No such supplier in this shop.", "zh-CN": "本店铺没有该供应商。"},
    "supplier_archived_conflict": {"en": "The supplier is archived: reactivate it or choose another one.",
                                   "zh-CN": "该供应商已停用，请重新启用或选择其他供应商。"},
    "purchase_order_not_found": {"en": "No such purchase order in this shop.", "zh-CN": "本店铺没有该采购单。"},
    "po_not_editable": {"en": "Only draft purchase orders can be edited (this one is {status}).",
                        "zh-CN": "只有草稿状态的采购单可以修改（当前状态：{status}）。"},
    "po_transition": {"en": "The action {action} is not allowed for a purchase order in status {status}.",
                      "zh-CN": "当前状态为 {status} 的采购单不能执行该操作（{action}）。"},
    "po_not_receivable": {"en": "Goods can only be received for a submitted or partially received order (this one is {status}).",
                          "zh-CN": "只有已提交或部分到货的采购单可以收货（当前状态：{status}）。"},
    "over_receipt": {
        "en": "SKU {sku}: {qty} more would exceed the {ordered} ordered ({received} already received). Tick "
              "\"allow over-receipt\" to receive it anyway.",
        "zh-CN": "SKU {sku}：再收 {qty} 件将超过订购数量 {ordered}（已收 {received}）。如确需超收，请勾选“允许超收”。",
    },
    "no_suggestions": {"en": "There is nothing to reorder from this supplier right now.",
                       "zh-CN": "该供应商当前没有需要补货的商品。"},
    "webhook_signature_invalid": {"en": "The webhook signature is missing or invalid.",
                                  "zh-CN": "Webhook 签名缺失或无效。"},
    "webhook_timestamp_invalid": {"en": "The webhook timestamp is missing or more than 5 minutes away from now.",
                                  "zh-CN": "Webhook 时间戳缺失或与当前时间相差超过 5 分钟。"},
    "webhook_replayed": {"en": "This webhook event was already received (event id repeated).",
                         "zh-CN": "该 Webhook 事件已接收过（事件 ID 重复）。"},
    "field.unknown_supplier": {"en": "is not a supplier of this shop", "zh-CN": "不是本店铺的供应商"},
    "field.supplier_archived": {"en": "is an archived supplier", "zh-CN": "该供应商已停用"},
    "field.warehouse_inactive": {"en": "is not an active warehouse", "zh-CN": "该仓库已停用"},
    "field.not_on_order": {"en": "is not on this purchase order", "zh-CN": "不在该采购单中"},
    "field.not_suggested": {"en": "is not among this supplier's suggestions", "zh-CN": "不在该供应商的补货建议中"},
    "field.unknown_po": {"en": "is not a purchase order of this supplier", "zh-CN": "不是该供应商的采购单"},
    "field.webhook_event_id": {"en": "must be given in the X-ShopDesk-Event-Id header and equal in the body",
                               "zh-CN": "须在 X-ShopDesk-Event-Id 请求头中提供，且与请求体中的一致"},
    "field.webhook_url": {"en": "must be an https URL without credentials", "zh-CN": "必须是不含账号密码的 https 地址"},
    "field.webhook_url_inside": {"en": "must reach a public host, not a private, loopback, link-local or metadata address",
                                 "zh-CN": "必须指向公网主机，不能是内网、本机、链路本地或云元数据地址"},
    # stocktake (盘点)
    "stocktake_not_found": {"en": "No such stocktake in this shop.", "zh-CN": "本店铺没有该盘点单。"},
    "stocktake_closed": {"en": "This stocktake is {status}: counts can no longer be entered or changed.",
                         "zh-CN": "该盘点单状态为 {status}，不能再录入或修改。"},
    "stocktake_in_progress": {"en": "This warehouse is being counted already (stocktake {stocktake_id}): approve or "
                                    "cancel that count first.",
                              "zh-CN": "该仓库已有进行中的盘点（盘点单 {stocktake_id}），请先审核或取消。"},
    "stocktake_too_large": {"en": "This count would have {lines} lines (at most {limit}): count one category at a time.",
                            "zh-CN": "本次盘点将有 {lines} 行（最多 {limit} 行），请按分类分批盘点。"},
    "field.unknown_code": {"en": "no SKU has the barcode or SKU code {code}", "zh-CN": "没有条码或编码为 {code} 的 SKU"},
    "field.unknown_count_sku": {"en": "{sku_id} is not a SKU with stock in this shop (enter its barcode or SKU code)",
                                "zh-CN": "{sku_id} 不是本店铺有库存的 SKU（请录入其条码或编码）"},
    "field.not_in_stocktake": {"en": "is not in the category being counted", "zh-CN": "不属于本次盘点的分类"},
    "field.sku_or_code": {"en": "give either sku_id or code", "zh-CN": "请填写 sku_id 或 code 其中之一"},
    # marketing (issue 12): activities, coupons, the price engine
    "field.end_before_start": {"en": "must be after {start}", "zh-CN": "必须晚于 {start}"},
    "field.one_of": {"en": "give exactly one of {names}", "zh-CN": "{names} 须且只能填写一项"},
    "field.scope_ids_required": {"en": "must name at least one {kind}", "zh-CN": "请至少选择一个{kind}"},
    "field.scope_ids_not_allowed": {"en": "must be empty when the scope is all", "zh-CN": "适用范围为全部商品时不能指定商品"},
    "field.scope_id": {"en": "{value} is not an id of {kind}", "zh-CN": "{value} 不是有效的{kind}编号"},
    "field.tier_benefit": {"en": "give an amount off, a percent or a gift", "zh-CN": "请填写减免金额、折扣或赠品"},
    "field.tiers_ascending": {"en": "tier {index} must need more than the one before",
                              "zh-CN": "第 {index} 档的门槛必须高于上一档"},
    "field.tiers_benefit": {"en": "tier {index} must give the same kind of benefit, at least as much as the one before",
                            "zh-CN": "第 {index} 档的优惠须与上一档同类，且不少于上一档"},
    "field.tier_off_not_below_threshold": {"en": "tier {index}: the amount off must be below the amount to reach",
                                           "zh-CN": "第 {index} 档：减免金额必须低于门槛金额"},
    "field.cap_percent_only": {"en": "is for percent coupons only", "zh-CN": "仅折扣券可设置最高优惠"},
    "field.threshold_not_above_amount_off": {"en": "must be above the amount off ({amount_off})",
                                             "zh-CN": "使用门槛必须高于优惠金额（{amount_off}）"},
    "field.validity": {"en": "give either starts_at and ends_at, or days_after_claim",
                       "zh-CN": "请填写固定的起止时间，或领取后的有效天数（二选一）"},
    "field.flash_sale_limit": {"en": "a flash sale allows {limit} per buyer; you may still buy {left}",
                               "zh-CN": "秒杀商品每人限购 {limit} 件，您还可购买 {left} 件"},
    "field.unknown_coupon": {"en": "is not one of your coupons", "zh-CN": "不是您的优惠券"},
    "field.coupon_not_valid_now": {"en": "this coupon is used, expired or not valid yet",
                                   "zh-CN": "该优惠券已使用、已过期或尚未生效"},
    "field.coupon_flash_sale": {"en": "coupons cannot be used with flash-sale items", "zh-CN": "秒杀商品不能使用优惠券"},
    "field.coupon_no_eligible_line": {"en": "no item in your cart can use this coupon", "zh-CN": "购物车中没有可用该券的商品"},
    "field.coupon_below_threshold": {"en": "spend {amount} more on eligible items to use this coupon",
                                     "zh-CN": "适用商品还差 {amount} 元可用"},
    "field.coupon_value_not_below_amount": {"en": "this coupon is worth more than the items it applies to",
                                            "zh-CN": "优惠金额不低于适用商品金额，不能使用"},
    "field.coupon_no_saving": {"en": "this coupon saves nothing on this cart", "zh-CN": "该券对当前购物车没有优惠"},
    "field.activity_overlap": {"en": "is already in the activity {activity} at the same time",
                               "zh-CN": "同一时段已参加活动“{activity}”"},
    "field.coupon_not_claimable": {"en": "this coupon is handed out by the shop, it cannot be claimed",
                                   "zh-CN": "该优惠券由店铺发放，不能领取"},
    "field.coupon_expired": {"en": "this coupon has expired", "zh-CN": "该优惠券已过期"},
    "field.coupon_used_up": {"en": "all of these coupons have been claimed", "zh-CN": "该优惠券已被领完"},
    "field.coupon_claim_limit": {"en": "you already hold {limit} of this coupon, the most one buyer may",
                                 "zh-CN": "每人限领 {limit} 张，您已领满"},
    "hint.coupon": {"en": "Spend {amount} more on eligible items to use this coupon", "zh-CN": "差 {amount} 元可用"},
    "hint.threshold_amount": {"en": "Spend {amount} more for the next offer", "zh-CN": "再买 {amount} 元可享下一档优惠"},
    "hint.threshold_qty": {"en": "Add {count} more item(s) for the next offer", "zh-CN": "再买 {count} 件可享下一档优惠"},
    "hint.limit": {"en": "{count} above this discount's limit per buyer: the item is at its regular price",
                   "zh-CN": "超出每人限购 {count} 件，按原价计算"},
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
