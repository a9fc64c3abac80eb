"""The cashier page a buyer pays on: one phone-first HTML page per provider, in zh-CN and en."""
from __future__ import annotations

from html import escape
from typing import Any

from shared.money import Money, major_text

BRANDS = {"alipay": ("支付宝", "Alipay", "#1677ff"), "wechat_pay": ("微信支付", "WeChat Pay", "#07c160"),
          "stripe": ("Stripe", "Stripe", "#635bff")}
TEXT: dict[str, dict[str, str]] = {
    "title": {"zh-CN": "{brand} 收银台（本地沙箱）", "en": "{brand} checkout (local sandbox)"},
    "merchant": {"zh-CN": "收款方", "en": "Merchant"},
    "order": {"zh-CN": "订单号", "en": "Order number"},
    "subject": {"zh-CN": "商品", "en": "Item"},
    "amount": {"zh-CN": "应付金额", "en": "Amount due"},
    "expires": {"zh-CN": "请在 {time}（北京时间）前完成支付", "en": "Pay before {time} (Beijing time)"},
    "pay": {"zh-CN": "确认支付", "en": "Pay now"},
    "cancel": {"zh-CN": "取消支付", "en": "Cancel"},
    "sandbox": {"zh-CN": "这是本地支付沙箱，不会产生真实扣款。", "en": "This is the local payment sandbox: no real money moves."},
    "paid": {"zh-CN": "支付成功", "en": "Payment successful"},
    "cancelled": {"zh-CN": "已取消支付，订单仍待付款。", "en": "Payment cancelled; the order is still unpaid."},
    "closed": {"zh-CN": "交易已关闭，无法支付。", "en": "This payment is closed and can no longer be paid."},
    "already_paid": {"zh-CN": "该订单已支付。", "en": "This order is already paid."},
    "not_found": {"zh-CN": "找不到这笔交易。", "en": "No such payment."},
    "refused": {"zh-CN": "支付请求无效：{reason}", "en": "The payment request was refused: {reason}"},
    "language": {"zh-CN": "English", "en": "中文"},
}


def text(key: str, lang: str, **params: Any) -> str:
    return TEXT[key][lang].format(**params)


def language(query: dict[str, str], accept: str | None) -> str:
    if query.get("lang") in ("zh-CN", "en"):
        return query["lang"]
    return "en" if (accept or "").lower().startswith("en") else "zh-CN"


def _page(provider: str, lang: str, body: str, toggle: str = "") -> bytes:
    zh, en, colour = BRANDS.get(provider, ("支付", "Payment", "#333"))
    brand = zh if lang == "zh-CN" else en
    title = escape(text("title", lang, brand=brand))
    switch = f'<a class="lang" href="{escape(toggle)}">{text("language", lang)}</a>' if toggle else ""
    return f"""<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
 body{{margin:0;background:#f5f6f8;color:#1f2329;
  font-family:-apple-system,"PingFang SC","Microsoft YaHei","WenQuanYi Micro Hei",sans-serif}}
 header{{background:{colour};color:#fff;padding:14px 16px;font-size:17px;display:flex;justify-content:space-between;align-items:center}}
 header a{{color:#fff;font-size:14px}}
 main{{max-width:480px;margin:0 auto;padding:16px}}
 .card{{background:#fff;border-radius:10px;padding:16px;margin-bottom:16px}}
 .amount{{font-size:34px;font-weight:600;text-align:center;margin:8px 0 16px}}
 dl{{display:grid;grid-template-columns:auto 1fr;gap:8px 12px;margin:0;font-size:14px}}
 dt{{color:#646a73}} dd{{margin:0;word-break:break-all}}
 button{{width:100%;font-size:17px;padding:13px;border-radius:8px;border:0;margin-top:10px;cursor:pointer}}
 .pay{{background:{colour};color:#fff}} .cancel{{background:#fff;color:#1f2329;border:1px solid #d0d3d6}}
 .note{{font-size:12px;color:#8f959e;text-align:center}}
</style></head>
<body><header><span>{title}</span>{switch}</header><main>{body}
<p class="note">{escape(text("sandbox", lang))}</p></main></body></html>""".encode()


def cashier(trade: dict[str, Any], lang: str, merchant_name: str, action: str, toggle: str) -> bytes:
    amount = f"¥{major_text(trade['amount_fen'])}" if trade["currency"] == "CNY" else \
        Money(amount=trade["amount_fen"], currency=trade["currency"]).format()
    expires = trade.get("expires_display") or ""
    body = f"""<section class="card">
 <div class="amount" data-testid="amount">{escape(amount)}</div>
 <dl><dt>{text("merchant", lang)}</dt><dd>{escape(merchant_name)}</dd>
 <dt>{text("order", lang)}</dt><dd data-testid="order">{escape(trade["out_trade_no"])}</dd>
 <dt>{text("subject", lang)}</dt><dd>{escape(trade["subject"])}</dd></dl>
 {f'<p class="note">{escape(text("expires", lang, time=expires))}</p>' if expires else ""}
</section>
<form method="post" action="{escape(action)}/pay?lang={lang}"><button class="pay" type="submit">{text("pay", lang)}</button></form>
<form method="post" action="{escape(action)}/cancel?lang={lang}">
 <button class="cancel" type="submit">{text("cancel", lang)}</button></form>"""
    return _page(trade["provider"], lang, body, toggle)


def message(provider: str, lang: str, key: str, **params: Any) -> bytes:
    return _page(provider, lang, f'<section class="card"><p data-testid="message">{escape(text(key, lang, **params))}</p></section>')
