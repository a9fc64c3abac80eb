"""The payment sandbox: Alipay, WeChat Pay and Stripe played locally, mounted on the local
gateway under ``/__sandbox/pay`` (never deployed). See docs/payments.md for what it plays.

    /alipay/gateway.do                         page/wap pay (the buyer's browser), alipay.trade.refund
    /wechatpay/v3/pay/transactions/{h5,native} prepay; /wechatpay/v3/refund/domestic/refunds
    /stripe/v1/{checkout/sessions,payment_intents,refunds,webhook_endpoints}
    /cashier/{trade}                           the page the buyer pays on (pay / cancel)
    /control/...                               for tests: config, pay with options, forge, replay, deliveries
"""
from __future__ import annotations

import base64
import json
import os
import secrets
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode

from infra.payment_sandbox import cashier
from infra.payment_sandbox import keys as sandbox_keys
from infra.payment_sandbox import notifications as n
from infra.payment_sandbox.delivery import Deliverer
from infra.payment_sandbox.store import Store
from shared.money import major_text, minor_units
from shared.payments.keys import rsa_sign, rsa_verify

Answer = tuple[int, dict[str, str], bytes]
JSON = {"Content-Type": "application/json; charset=utf-8"}
HTML = {"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store"}
MOUNT = "/__sandbox/pay"


def _json(status: int, data: Any, headers: dict[str, str] | None = None) -> Answer:
    return status, {**JSON, **(headers or {})}, json.dumps(data, ensure_ascii=False).encode()


def _redirect(url: str) -> Answer:
    return 303, {"Location": url, "Cache-Control": "no-store"}, b""


def _digits(count: int) -> str:
    return "".join(secrets.choice("0123456789") for _ in range(count))


class SandboxError(Exception):
    def __init__(self, answer: Answer) -> None:
        super().__init__(answer[0])
        self.answer = answer


class PaymentSandbox:
    def __init__(self, folder: Path, *, retry_scale: float | None = None, merchant_name: str | None = None) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.keys = sandbox_keys.load_or_create(folder)
        self.store = Store(folder / "sandbox.sqlite3")
        self.config: dict[str, Any] = {
            # One minute of provider time is one second here unless told otherwise: Alipay's first
            # retry after 4 minutes comes after 4 seconds.
            "retry_scale": retry_scale if retry_scale is not None else float(os.environ.get(
                "SHOPDESK_PAYMENT_SANDBOX_RETRY_SCALE", str(1 / 60))),
            "duplicates": int(os.environ.get("SHOPDESK_PAYMENT_SANDBOX_DUPLICATES", "0")),
            "merchant_name": merchant_name or "ShopDesk 本地商户 · local merchant",
        }
        self.deliverer = Deliverer(self.store, self.sign, self.expire, self.config)
        self.base_url = ""

    # -- life ----------------------------------------------------------------------------------------------
    def start(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        sandbox_keys.write_merchant_credentials(self.folder, self.keys, self.base_url)
        for trade in self.store.find("trade", state="open"):
            self.deliverer.schedule("expire", trade["id"], datetime.fromisoformat(trade["expires_at"]).timestamp())
        self.deliverer.start()

    def stop(self) -> None:
        self.deliverer.stop()
        self.store.close()

    def merchant_credentials(self) -> dict[str, dict[str, Any]]:
        return sandbox_keys.merchant_credentials(self.keys, self.base_url)

    # -- HTTP ------------------------------------------------------------------------------------------------
    def handle(self, method: str, path: str, query: str, headers: dict[str, str], body: bytes) -> Answer:
        params = dict(parse_qsl(query, keep_blank_values=True))
        parts = [p for p in path.split("/") if p]
        try:
            if not parts:
                return 200, HTML, cashier.message("", "en", "sandbox")
            head = parts[0]
            if head == "alipay" and parts[1:] == ["gateway.do"]:
                return self.alipay_gateway(method, params, headers, body)
            if head == "wechatpay" and method == "POST":
                return self.wechat_api("/" + "/".join(parts[1:]), query, headers, body)
            if head == "stripe" and method == "POST":
                return self.stripe_api("/" + "/".join(parts[1:]), headers, body)
            if head == "cashier" and len(parts) in (2, 3):
                lang = cashier.language(params, _header(headers, "Accept-Language"))
                return self.cashier(method, parts[1], parts[2] if len(parts) == 3 else "", lang,
                                    params.get("redirect_url"))
            if head == "control":
                return self.control(method, parts[1:], params, body)
        except SandboxError as err:
            return err.answer
        except (ValueError, KeyError, TypeError, AttributeError) as exc:  # malformed input, as a provider says it
            return _json(400, {"error": "bad request", "detail": type(exc).__name__})
        return _json(404, {"error": f"no such sandbox route: {method} {path}"})

    # -- trades ------------------------------------------------------------------------------------------------
    def new_trade(self, provider: str, channel: str, fields: dict[str, Any]) -> dict[str, Any]:
        now = datetime.now(UTC)
        existing = [t for t in self.store.find("trade", ref=f"{provider}:{fields['out_trade_no']}") if provider != "stripe"]
        if existing:
            trade = existing[-1]
            if trade["status"] == "paid":
                raise SandboxError(_json(400, {"code": "ORDERPAID", "message": "该订单已支付"}))
            if trade["amount_fen"] != fields["amount_fen"]:
                raise SandboxError(_json(400, {"code": "INVALID_REQUEST", "message": "201 商户订单号重复"}))
            return trade
        provider_trade_no = {"alipay": now.strftime("%Y%m%d") + "2200" + _digits(16),
                             "wechat_pay": "4200" + _digits(6) + now.strftime("%Y%m%d") + _digits(10),
                             "stripe": "pi_3" + secrets.token_hex(12)}[provider]
        buyer = {"alipay": "2088" + _digits(12), "wechat_pay": "o" + secrets.token_urlsafe(20)[:27],
                 "stripe": "cus_" + secrets.token_hex(7)}[provider]
        trade = {"id": f"{provider[:2]}_{secrets.token_hex(10)}", "provider": provider, "channel": channel,
                 "status": "open", "created_at": now.isoformat(), "provider_trade_no": provider_trade_no,
                 "buyer_id": buyer, "refunded_fen": 0, "refunds": [], "currency": "CNY", **fields}
        expires = datetime.fromisoformat(trade["expires_at"])
        trade["expires_display"] = n.beijing(expires)
        self.save(trade)
        self.deliverer.schedule("expire", trade["id"], expires.timestamp())
        return trade

    def save(self, trade: dict[str, Any]) -> None:
        self.store.put("trade", trade, ref=f"{trade['provider']}:{trade['out_trade_no']}", state=trade["status"])

    def trade(self, trade_id: str) -> dict[str, Any]:
        trade = self.store.get("trade", trade_id)
        if trade is None:
            raise SandboxError(_json(404, {"error": f"no trade {trade_id}"}))
        return trade

    def trade_by(self, provider: str, *, out_trade_no: str | None = None, provider_trade_no: str | None = None) -> dict[str, Any]:
        for trade in reversed(self.store.find("trade", ref=f"{provider}:{out_trade_no}") if out_trade_no else []):
            return trade
        if provider_trade_no:
            for trade in self.store.find("trade", state="paid"):  # small local data; real ids are indexed
                if trade["provider"] == provider and trade["provider_trade_no"] == provider_trade_no:
                    return trade
        raise SandboxError(_json(404, {"code": "RESOURCE_NOT_EXISTS", "message": "订单不存在"}))

    def pay(self, trade: dict[str, Any], options: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """The buyer paid: mark the trade paid and notify the merchant as the provider does."""
        options = options or {}
        with self.store.lock:
            trade = self.trade(trade["id"])
            if trade["status"] != "open":
                raise SandboxError(_json(409, {"error": f"trade is {trade['status']}"}))
            trade.update(status="paid", paid_at=datetime.now(UTC).isoformat())
            if trade["provider"] == "stripe":
                trade["charge_id"] = "ch_3" + secrets.token_hex(12)
            self.save(trade)
        deliveries = self.payment_notifications(trade, amount_fen=options.get("amount_fen"))
        if options.get("refund_fen"):
            deliveries += self.refund(trade, int(options["refund_fen"]), f"RF{secrets.token_hex(6)}", None, enqueue=False,
                                      metadata={"out_trade_no": trade["out_trade_no"]})
        if options.get("reverse"):
            deliveries.reverse()
        for i, d in enumerate(deliveries):
            d["duplicates"] = int(options.get("duplicates", self.config["duplicates"]))
            self.deliverer.enqueue(d, delay=0.3 * i if options.get("reverse") else 0.0)
        return deliveries

    def delivery(self, trade: dict[str, Any], kind: str, url: str, body: bytes, **extra: Any) -> dict[str, Any]:
        return {"id": f"dl_{secrets.token_hex(10)}", "provider": trade["provider"], "trade_id": trade["id"], "kind": kind,
                "url": url, "body": base64.b64encode(body).decode(), "created_at": time.time(), **extra}

    def payment_notifications(self, trade: dict[str, Any], *, amount_fen: int | None = None) -> list[dict[str, Any]]:
        now = datetime.now(UTC)
        provider = trade["provider"]
        if provider == "alipay":
            params = n.alipay_notify(self.keys, trade, "TRADE_SUCCESS", now, amount_fen=amount_fen)
            return [self.delivery(trade, "TRADE_SUCCESS", trade["notify_url"], n.alipay_body(params),
                                  event_id=params["notify_id"])]
        if provider == "wechat_pay":
            body = n.wechat_envelope(self.keys, "TRANSACTION.SUCCESS", "支付成功", "transaction",
                                     n.wechat_transaction(self.keys, trade, amount_fen), now)
            return [self.delivery(trade, "TRANSACTION.SUCCESS", trade["notify_url"], body, event_id=json.loads(body)["id"])]
        pi = self.stripe_payment_intent(trade, amount_fen)
        events = [("payment_intent.succeeded", pi)]
        if trade["channel"] == "checkout":
            events.insert(0, ("checkout.session.completed", self.stripe_session(trade, amount_fen)))
        return self.stripe_deliveries(trade, events, now)

    def refund(self, trade: dict[str, Any], amount_fen: int, out_refund_no: str, notify_url: str | None, *,
               enqueue: bool = True, metadata: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        now = datetime.now(UTC)
        with self.store.lock:
            trade = self.trade(trade["id"])
            if trade["status"] != "paid":
                raise SandboxError(_json(400, {"code": "TRADE_NOT_PAID", "message": "交易未支付，不能退款"}))
            for earlier in trade["refunds"]:
                if earlier["out_refund_no"] == out_refund_no:  # the same refund again: no money moves twice
                    return []
            if amount_fen <= 0 or trade["refunded_fen"] + amount_fen > trade["amount_fen"]:
                raise SandboxError(_json(400, {"code": "REFUND_AMT_NOT_EQUAL_TOTAL", "message": "退款金额超过可退金额"}))
            refund = {"out_refund_no": out_refund_no, "amount_fen": amount_fen, "at": now.isoformat(),
                      "metadata": {**(metadata or {}), "out_refund_no": out_refund_no},
                      "refund_id": {"alipay": trade["provider_trade_no"], "wechat_pay": "5030" + _digits(25),
                                    "stripe": "re_3" + secrets.token_hex(12)}[trade["provider"]]}
            trade["refunds"].append(refund)
            trade["refunded_fen"] += amount_fen
            self.save(trade)
        full = trade["refunded_fen"] == trade["amount_fen"]
        deliveries: list[dict[str, Any]] = []
        if trade["provider"] == "alipay":  # to the payment's notify_url: alipay.trade.refund has none of its own
            params = n.alipay_notify(self.keys, trade, "TRADE_CLOSED" if full else "TRADE_SUCCESS", now, refund=refund)
            deliveries.append(self.delivery(trade, params["trade_status"] + "+refund", trade["notify_url"],
                                            n.alipay_body(params), event_id=params["notify_id"]))
        elif trade["provider"] == "wechat_pay":
            body = n.wechat_envelope(self.keys, "REFUND.SUCCESS", "退款成功", "refund",
                                     n.wechat_refund(self.keys, trade, refund, now), now)
            deliveries.append(self.delivery(trade, "REFUND.SUCCESS", notify_url or trade["notify_url"], body,
                                            event_id=json.loads(body)["id"]))
        else:
            deliveries += self.stripe_deliveries(trade, [("charge.refunded", self.stripe_charge(trade)),
                                                         ("refund.created", self.stripe_refund(trade, refund))], now)
        if enqueue:
            for d in deliveries:
                d["duplicates"] = self.config["duplicates"]
                self.deliverer.enqueue(d)
        return deliveries

    def expire(self, trade_id: str) -> None:
        """An unpaid trade's time is up: close it, and say so where the provider does."""
        with self.store.lock:
            trade = self.store.get("trade", trade_id)
            if trade is None or trade["status"] != "open" or datetime.fromisoformat(trade["expires_at"]).timestamp() > time.time():
                return
            trade["status"] = "closed"
            self.save(trade)
        now = datetime.now(UTC)
        if trade["provider"] == "alipay" and trade["channel"] == "wap":  # 电脑网站支付 sends TRADE_SUCCESS only
            params = n.alipay_notify(self.keys, trade, "TRADE_CLOSED", now)
            self.deliverer.enqueue(self.delivery(trade, "TRADE_CLOSED", trade["notify_url"], n.alipay_body(params),
                                                 event_id=params["notify_id"]))
        elif trade["provider"] == "stripe" and trade["channel"] == "checkout":
            session = {**self.stripe_session(trade), "status": "expired", "payment_status": "unpaid", "payment_intent": None}
            for d in self.stripe_deliveries(trade, [("checkout.session.expired", session)], now):
                self.deliverer.enqueue(d)

    # -- signing at each attempt -----------------------------------------------------------------------------
    def sign(self, d: dict[str, Any]) -> dict[str, str]:
        body = base64.b64decode(d["body"])
        forge = d.get("forge") or ""
        stale = int(time.time()) - 600 if forge == "stale_timestamp" else None
        if d["provider"] == "alipay":
            headers = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
        elif d["provider"] == "wechat_pay":
            headers = n.wechat_headers(self.keys, body, timestamp=stale, signtest=forge == "signtest",
                                       serial_choice=d.get("serial", "random"))
            if forge == "unknown_serial":
                headers["Wechatpay-Serial"] = "PUB_KEY_ID_0000000000000000000000"
        else:
            headers = n.stripe_headers(d["secret"], body, timestamp=stale)
        if forge == "bad_signature":
            key = {"alipay": None, "wechat_pay": "Wechatpay-Signature", "stripe": "Stripe-Signature"}[d["provider"]]
            if key:
                value = headers[key]
                headers[key] = value[:-6] + ("A" if value[-6] != "A" else "B") + value[-5:]
        return headers

    # -- Alipay ------------------------------------------------------------------------------------------------
    def alipay_gateway(self, method: str, query: dict[str, str], headers: dict[str, str], body: bytes) -> Answer:
        params = dict(query)
        if method == "POST" and body:
            params.update(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        api = params.get("method", "")
        a = self.keys["alipay"]
        error = None
        if params.get("app_id") != a["app_id"]:
            error = ("isv.invalid-app-id", "无效的AppID参数")
        elif params.get("sign_type") != "RSA2" or not params.get("sign"):
            error = ("isv.invalid-signature-type", "无效的签名类型")
        else:
            content = "&".join(f"{k}={v}" for k, v in sorted(params.items()) if k != "sign" and v != "")
            if not rsa_verify(a["app_public_key_pem"], content.encode(), params["sign"]):
                error = ("isv.invalid-signature", "验签出错")
        if api in ("alipay.trade.wap.pay", "alipay.trade.page.pay"):
            lang = cashier.language(query, _header(headers, "Accept-Language"))
            if error:
                return 400, HTML, cashier.message("alipay", lang, "refused", reason=f"{error[0]} {error[1]}")
            return self.alipay_pay(api, params, lang)
        if api == "alipay.trade.refund":
            return self.alipay_refund(params, error)
        return _json(400, {"error_response": {"code": "40004", "msg": "Business Failed", "sub_code": "isv.invalid-method"}})

    def alipay_pay(self, api: str, params: dict[str, str], lang: str) -> Answer:
        biz = json.loads(params.get("biz_content") or "{}")
        try:
            amount = minor_units(str(biz.get("total_amount")), "CNY")
            expires = datetime.strptime(biz["time_expire"], "%Y-%m-%d %H:%M:%S").replace(tzinfo=n.BEIJING) \
                if biz.get("time_expire") else datetime.now(UTC) + timedelta(minutes=90)
        except (ValueError, KeyError):
            return 400, HTML, cashier.message("alipay", lang, "refused", reason="ACQ.INVALID_PARAMETER total_amount/time_expire")
        if not biz.get("out_trade_no") or not biz.get("subject") or not params.get("notify_url"):
            return 400, HTML, cashier.message("alipay", lang, "refused", reason="ACQ.INVALID_PARAMETER")
        try:
            trade = self.new_trade("alipay", "wap" if api.endswith("wap.pay") else "page", {
                "out_trade_no": biz["out_trade_no"], "amount_fen": amount, "subject": biz["subject"],
                "notify_url": params["notify_url"], "return_url": params.get("return_url"),
                "cancel_url": biz.get("quit_url"), "expires_at": expires.isoformat()})
        except SandboxError:
            return 400, HTML, cashier.message("alipay", lang, "already_paid")
        return _redirect(f"{self.base_url}/cashier/{trade['id']}?lang={lang}")

    def alipay_response(self, node_name: str, node: dict[str, Any]) -> Answer:
        """A synchronous answer: the node's raw JSON text signed with Alipay's key."""
        raw = json.dumps(node, ensure_ascii=False, separators=(",", ":"))
        sign = rsa_sign(self.keys["alipay"]["alipay_private_key_pem"], raw.encode())
        return 200, {"Content-Type": "text/html;charset=utf-8"}, f'{{"{node_name}":{raw},"sign":"{sign}"}}'.encode()

    def alipay_refund(self, params: dict[str, str], error: tuple[str, str] | None) -> Answer:
        if error:
            return self.alipay_response("alipay_trade_refund_response", {"code": "40002", "msg": "Invalid Arguments",
                                                                          "sub_code": error[0], "sub_msg": error[1]})
        biz = json.loads(params.get("biz_content") or "{}")
        try:
            trade = self.trade_by("alipay", out_trade_no=biz.get("out_trade_no"), provider_trade_no=biz.get("trade_no"))
            amount = minor_units(str(biz.get("refund_amount")), "CNY")
            moved = self.refund(trade, amount, str(biz.get("out_request_no") or trade["out_trade_no"]), None)
        except (SandboxError, ValueError) as exc:
            reason = json.loads(exc.answer[2]) if isinstance(exc, SandboxError) else {"code": "ACQ.INVALID_PARAMETER"}
            return self.alipay_response("alipay_trade_refund_response", {
                "code": "40004", "msg": "Business Failed", "sub_code": f"ACQ.{reason.get('code', 'SYSTEM_ERROR')}",
                "sub_msg": reason.get("message", "")})
        trade = self.trade(trade["id"])
        return self.alipay_response("alipay_trade_refund_response", {
            "code": "10000", "msg": "Success", "trade_no": trade["provider_trade_no"], "out_trade_no": trade["out_trade_no"],
            "buyer_logon_id": "159****5620", "fund_change": "Y" if moved else "N",
            "refund_fee": major_text(trade["refunded_fen"], "CNY"), "gmt_refund_pay": n.beijing(datetime.now(UTC))})

    # -- WeChat Pay ----------------------------------------------------------------------------------------------
    def wechat_answer(self, status: int, data: dict[str, Any] | None) -> Answer:
        body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode() if data is not None else b""
        headers = n.wechat_headers(self.keys, body) if 200 <= status < 300 else {"Content-Type": "application/json"}
        return status, headers, body

    def wechat_check_merchant(self, path: str, query: str, headers: dict[str, str], body: bytes) -> None:
        w = self.keys["wechat_pay"]
        auth = _header(headers, "Authorization") or ""
        scheme, _, rest = auth.partition(" ")
        fields = dict(item.split("=", 1) for item in rest.split(",") if "=" in item)
        fields = {k.strip(): v.strip().strip('"') for k, v in fields.items()}
        full_path = f"{MOUNT}/wechatpay{path}"  # what the merchant signed is the path it called
        signed = (f"POST\n{full_path}{'?' + query if query else ''}\n{fields.get('timestamp')}\n{fields.get('nonce_str')}\n"
                  .encode() + body + b"\n")
        if (scheme != "WECHATPAY2-SHA256-RSA2048" or fields.get("mchid") != w["mchid"]
                or fields.get("serial_no") != w["merchant_serial_no"] or not str(fields.get("timestamp", "")).isdigit()
                or abs(time.time() - int(fields["timestamp"])) > 300
                or not rsa_verify(w["merchant_public_key_pem"], signed, fields.get("signature", ""))):
            raise SandboxError(self.wechat_answer(401, {"code": "SIGN_ERROR", "message": "签名错误"}))

    def wechat_api(self, path: str, query: str, headers: dict[str, str], body: bytes) -> Answer:
        self.wechat_check_merchant(path, query, headers, body)
        try:
            data = json.loads(body)
        except ValueError:
            return self.wechat_answer(400, {"code": "PARAM_ERROR", "message": "请求体不是合法的JSON"})
        w = self.keys["wechat_pay"]
        if path in ("/v3/pay/transactions/h5", "/v3/pay/transactions/native"):
            amount = (data.get("amount") or {}).get("total")
            if data.get("mchid") != w["mchid"] or data.get("appid") != w["appid"]:
                return self.wechat_answer(400, {"code": "INVALID_REQUEST", "message": "appid和mch_id不匹配"})
            if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0 or not data.get("notify_url"):
                return self.wechat_answer(400, {"code": "PARAM_ERROR", "message": "参数错误 amount.total/notify_url"})
            h5 = path.endswith("/h5")
            expires = data.get("time_expire") or (datetime.now(UTC) + timedelta(hours=2)).isoformat()
            trade = self.new_trade("wechat_pay", "h5" if h5 else "native", {
                "out_trade_no": data.get("out_trade_no", ""), "amount_fen": amount, "subject": data.get("description", ""),
                "notify_url": data["notify_url"], "expires_at": datetime.fromisoformat(expires).isoformat(),
                "trade_type": "MWEB" if h5 else "NATIVE"})
            if h5:
                return self.wechat_answer(200, {"h5_url": f"{self.base_url}/cashier/{trade['id']}?prepay_id=wx{secrets.token_hex(14)}"})
            return self.wechat_answer(200, {"code_url": f"weixin://wxpay/bizpayurl?pr={trade['id']}"})
        if path == "/v3/refund/domestic/refunds":
            amount = data.get("amount") or {}
            trade = self.trade_by("wechat_pay", out_trade_no=data.get("out_trade_no"), provider_trade_no=data.get("transaction_id"))
            if amount.get("total") != trade["amount_fen"]:
                return self.wechat_answer(400, {"code": "PARAM_ERROR", "message": "订单金额或退款金额与之前请求不一致"})
            self.refund(trade, int(amount.get("refund") or 0), str(data.get("out_refund_no")), data.get("notify_url"))
            trade = self.trade(trade["id"])
            refund = next(r for r in trade["refunds"] if r["out_refund_no"] == data.get("out_refund_no"))
            return self.wechat_answer(200, {
                "refund_id": refund["refund_id"], "out_refund_no": refund["out_refund_no"],
                "transaction_id": trade["provider_trade_no"], "out_trade_no": trade["out_trade_no"], "channel": "ORIGINAL",
                "user_received_account": "支付用户零钱", "create_time": n.rfc3339(datetime.now(UTC)), "status": "PROCESSING",
                "amount": {"total": trade["amount_fen"], "refund": refund["amount_fen"], "payer_total": trade["amount_fen"],
                           "payer_refund": refund["amount_fen"], "currency": "CNY"}})
        return self.wechat_answer(404, {"code": "NOT_FOUND", "message": "无效的请求地址"})

    # -- Stripe ----------------------------------------------------------------------------------------------------
    def stripe_session(self, trade: dict[str, Any], amount_fen: int | None = None) -> dict[str, Any]:
        paid = trade["status"] == "paid"
        amount = amount_fen if amount_fen is not None else trade["amount_fen"]
        return {"id": trade["session_id"], "object": "checkout.session", "amount_subtotal": amount, "amount_total": amount,
                "client_reference_id": trade.get("client_reference_id"), "currency": trade["currency"].lower(),
                "created": int(datetime.fromisoformat(trade["created_at"]).timestamp()), "livemode": False,
                "expires_at": int(datetime.fromisoformat(trade["expires_at"]).timestamp()), "metadata": trade["metadata"],
                "mode": "payment", "payment_intent": trade["provider_trade_no"] if paid else None,
                "payment_status": "paid" if paid else "unpaid", "status": "complete" if paid else "open",
                "success_url": trade.get("return_url"), "cancel_url": trade.get("cancel_url"),
                "url": None if paid else f"{self.base_url}/cashier/{trade['id']}"}

    def stripe_payment_intent(self, trade: dict[str, Any], amount_fen: int | None = None) -> dict[str, Any]:
        paid = trade["status"] == "paid"
        amount = amount_fen if amount_fen is not None else trade["amount_fen"]
        return {"id": trade["provider_trade_no"], "object": "payment_intent", "amount": amount,
                "amount_received": amount if paid else 0, "currency": trade["currency"].lower(),
                "client_secret": f"{trade['provider_trade_no']}_secret_{trade['secret']}", "livemode": False,
                "created": int(datetime.fromisoformat(trade["created_at"]).timestamp()), "description": trade["subject"],
                "latest_charge": trade.get("charge_id"), "metadata": trade["payment_intent_metadata"],
                "status": "succeeded" if paid else "requires_payment_method"}

    def stripe_charge(self, trade: dict[str, Any]) -> dict[str, Any]:
        return {"id": trade["charge_id"], "object": "charge", "amount": trade["amount_fen"], "amount_captured": trade["amount_fen"],
                "amount_refunded": trade["refunded_fen"], "captured": True, "currency": trade["currency"].lower(),
                "livemode": False, "metadata": trade["payment_intent_metadata"], "paid": True,
                "payment_intent": trade["provider_trade_no"], "refunded": trade["refunded_fen"] == trade["amount_fen"],
                "status": "succeeded"}

    def stripe_refund(self, trade: dict[str, Any], refund: dict[str, Any]) -> dict[str, Any]:
        return {"id": refund["refund_id"], "object": "refund", "amount": refund["amount_fen"], "charge": trade["charge_id"],
                "currency": trade["currency"].lower(), "metadata": refund["metadata"],
                "payment_intent": trade["provider_trade_no"], "reason": "requested_by_customer", "status": "succeeded",
                "created": int(time.time())}

    def stripe_deliveries(self, trade: dict[str, Any], events: list[tuple[str, dict[str, Any]]], now: datetime) -> list[dict[str, Any]]:
        out = []
        for kind, obj in events:
            body = n.stripe_event(kind, obj, now)
            for endpoint in self.store.find("endpoint"):
                if "*" in endpoint["enabled_events"] or kind in endpoint["enabled_events"]:
                    out.append(self.delivery(trade, kind, endpoint["url"], body, secret=endpoint["secret"],
                                             event_id=json.loads(body)["id"]))
        return out

    def stripe_api(self, path: str, headers: dict[str, str], body: bytes) -> Answer:
        s = self.keys["stripe"]
        if _header(headers, "Authorization") != f"Bearer {s['secret_key']}":
            return _json(401, {"error": {"type": "invalid_request_error", "message": "Invalid API Key provided"}})
        key = _header(headers, "Idempotency-Key")
        if key:
            earlier = self.store.get("idempotency", f"{path}:{key}")
            if earlier:
                return earlier["status"], JSON, earlier["body"].encode()
        data = _unflatten(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        try:
            status, headers_out, payload = self.stripe_route(path, data)
        except SandboxError as err:
            status, headers_out, payload = err.answer
        if key and status < 500:
            self.store.put("idempotency", {"id": f"{path}:{key}", "status": status, "body": payload.decode()})
        return status, headers_out, payload

    def stripe_route(self, path: str, data: dict[str, Any]) -> Answer:
        def bad(message: str, param: str) -> Answer:
            return _json(400, {"error": {"type": "invalid_request_error", "message": message, "param": param}})

        if path == "/v1/webhook_endpoints":
            if not data.get("url"):
                return bad("Missing required param: url.", "url")
            events = list((data.get("enabled_events") or {"0": "*"}).values())
            endpoint = {"id": "we_" + secrets.token_hex(12), "object": "webhook_endpoint", "url": data["url"],
                        "enabled_events": events, "status": "enabled", "livemode": False,
                        # One signing secret per sandbox account (real Stripe makes one per endpoint).
                        "secret": self.keys["stripe"]["webhook_secret"]}
            self.store.put("endpoint", endpoint, ref=data["url"])
            return _json(200, endpoint)
        if path in ("/v1/checkout/sessions", "/v1/payment_intents"):
            checkout = path == "/v1/checkout/sessions"
            try:
                if checkout:
                    item = data["line_items"]["0"]
                    amount, currency = int(item["price_data"]["unit_amount"]) * int(item.get("quantity", 1)), \
                        item["price_data"]["currency"]
                    subject = item["price_data"]["product_data"]["name"]
                else:
                    amount, currency, subject = int(data["amount"]), data["currency"], data.get("description", "")
            except (KeyError, ValueError, TypeError):
                return bad("Missing or invalid amount.", "line_items" if checkout else "amount")
            if amount <= 0 or currency != "cny":
                return bad("Invalid amount or currency (the sandbox plays CNY).", "currency")
            now = datetime.now(UTC)
            expires = datetime.fromtimestamp(int(data.get("expires_at") or now.timestamp() + 86400), UTC)
            if checkout and not (now + timedelta(minutes=30) <= expires <= now + timedelta(hours=24)):
                return bad("The expires_at timestamp must be between 30 minutes and 24 hours from now.", "expires_at")
            meta = data.get("metadata") or {}
            trade = self.new_trade("stripe", "checkout" if checkout else "payment_intent", {
                "out_trade_no": meta.get("out_trade_no") or data.get("client_reference_id") or "-", "amount_fen": amount,
                "subject": subject, "notify_url": None, "return_url": data.get("success_url"), "cancel_url": data.get("cancel_url"),
                "expires_at": expires.isoformat(), "metadata": meta, "client_reference_id": data.get("client_reference_id"),
                "payment_intent_metadata": (data.get("payment_intent_data") or {}).get("metadata") or meta,
                "session_id": "cs_test_" + secrets.token_urlsafe(40).replace("-", "a").replace("_", "b"),
                "secret": secrets.token_urlsafe(18)})
            return _json(200, self.stripe_session(trade) if checkout else self.stripe_payment_intent(trade))
        if path == "/v1/refunds":
            trade = self.trade_by("stripe", provider_trade_no=data.get("payment_intent"))
            amount = int(data.get("amount") or trade["amount_fen"] - trade["refunded_fen"])
            meta = data.get("metadata") or {}
            self.refund(trade, amount, str(meta.get("out_refund_no") or f"re-{secrets.token_hex(6)}"), None, metadata=meta)
            trade = self.trade(trade["id"])
            return _json(200, self.stripe_refund(trade, trade["refunds"][-1]))
        return _json(404, {"error": {"type": "invalid_request_error", "message": f"Unrecognized request URL (POST: {path})"}})

    # -- the cashier page ------------------------------------------------------------------------------------------
    def cashier(self, method: str, trade_id: str, action: str, lang: str, redirect_url: str | None = None) -> Answer:
        trade = self.store.get("trade", trade_id)
        if trade is None:
            return 404, HTML, cashier.message("", lang, "not_found")
        provider = trade["provider"]
        if provider == "wechat_pay" and redirect_url and method == "GET" and trade["status"] == "open":
            # WeChat Pay H5: the merchant appends redirect_url to h5_url; the payer comes back to it.
            trade["return_url"] = redirect_url
            self.save(trade)
        if action == "" and method == "GET":
            if trade["status"] != "open":
                return 409, HTML, cashier.message(provider, lang, "already_paid" if trade["status"] == "paid" else "closed")
            toggle = f"{self.base_url}/cashier/{trade_id}?lang={'en' if lang == 'zh-CN' else 'zh-CN'}"
            return 200, HTML, cashier.cashier(trade, lang, self.config["merchant_name"],
                                              f"{self.base_url}/cashier/{trade_id}", toggle)
        if action == "pay" and method == "POST":
            try:
                self.pay(trade)
            except SandboxError:
                return 409, HTML, cashier.message(provider, lang, "closed")
            return self.after_pay(self.trade(trade_id), lang)
        if action == "cancel" and method == "POST":
            target = trade.get("cancel_url")
            return _redirect(target) if target else (200, HTML, cashier.message(provider, lang, "cancelled"))
        return _json(405, {"error": "method not allowed"})

    def after_pay(self, trade: dict[str, Any], lang: str) -> Answer:
        target = trade.get("return_url")
        if not target:
            return 200, HTML, cashier.message(trade["provider"], lang, "paid")
        if trade["provider"] == "alipay":  # the synchronous return carries signed parameters too
            a = self.keys["alipay"]
            params = {"charset": "utf-8", "out_trade_no": trade["out_trade_no"], "method": f"alipay.trade.{trade['channel']}.pay.return",
                      "total_amount": major_text(trade["amount_fen"], "CNY"), "trade_no": trade["provider_trade_no"],
                      "auth_app_id": a["app_id"], "version": "1.0", "app_id": a["app_id"], "seller_id": a["seller_id"],
                      "timestamp": n.beijing(datetime.now(UTC))}
            signed = n.alipay_sign(a["alipay_private_key_pem"], params)
            return _redirect(target + ("&" if "?" in target else "?") + urlencode(signed))
        if trade["provider"] == "stripe":
            return _redirect(target.replace("{CHECKOUT_SESSION_ID}", quote(trade["session_id"])))
        return _redirect(target)

    # -- control (tests) ---------------------------------------------------------------------------------------------
    def control(self, method: str, parts: list[str], params: dict[str, str], body: bytes) -> Answer:
        data = json.loads(body or b"{}") if method == "POST" else {}
        if parts == ["config"]:
            if method == "POST":
                self.config.update({k: v for k, v in data.items() if k in ("retry_scale", "duplicates", "merchant_name")})
            return _json(200, self.config)
        if parts == ["deliveries"]:
            found = self.store.find("delivery", ref=params["trade"]) if params.get("trade") else self.store.find("delivery")
            return _json(200, {"deliveries": [_public(d) for d in found]})
        if len(parts) == 2 and parts[0] == "trades" and method == "GET":
            return _json(200, self.trade(parts[1]))
        if parts == ["trades"] and method == "GET":
            return _json(200, {"trade": self.trade_by(params.get("provider", ""), out_trade_no=params.get("out_trade_no"))})
        if len(parts) == 3 and parts[0] == "trades" and parts[2] == "pay" and method == "POST":
            return _json(200, {"deliveries": [_public(d) for d in self.pay(self.trade(parts[1]), data)]})
        if len(parts) == 3 and parts[0] == "trades" and parts[2] == "expire" and method == "POST":
            trade = self.trade(parts[1])
            trade["expires_at"] = datetime.now(UTC).isoformat()
            self.save(trade)
            self.expire(trade["id"])
            return _json(200, self.trade(parts[1]))
        if len(parts) == 3 and parts[0] == "deliveries" and parts[2] in ("replay", "forge") and method == "POST":
            return _json(200, _public(self.resend(parts[1], parts[2], data)))
        return _json(404, {"error": f"no control {method} /{'/'.join(parts)}"})

    def resend(self, delivery_id: str, how: str, data: dict[str, Any]) -> dict[str, Any]:
        """replay: the same notification again (same id and body), now or after ``delay`` seconds;
        forge: one copy with ``kind`` bad_signature / stale_timestamp / signtest / unknown_serial /
        wrong_amount, sent once and never retried (a provider would never send it)."""
        original = self.store.get("delivery", delivery_id)
        if original is None:
            raise SandboxError(_json(404, {"error": f"no delivery {delivery_id}"}))
        copy = {k: v for k, v in original.items() if k not in ("attempts", "state", "next_at", "retries_done")}
        copy.update(id=f"dl_{secrets.token_hex(10)}", replay_of=delivery_id, duplicates=0)
        if how == "forge":
            kind = data.get("kind", "bad_signature")
            copy.update(forge=kind, retry=False)
            if kind == "wrong_amount":  # genuinely signed, but for another amount: a new notification id
                trade = self.trade(original["trade_id"])
                fresh = self.payment_notifications(trade, amount_fen=int(data.get("amount_fen", trade["amount_fen"] - 1)))[0]
                copy.update(body=fresh["body"], event_id=fresh["event_id"], forge="")
                copy["forged"] = "wrong_amount"
            elif kind == "bad_signature" and original["provider"] == "alipay":
                params = dict(parse_qsl(base64.b64decode(original["body"]).decode(), keep_blank_values=True))
                params["total_amount"] = major_text(minor_units(params["total_amount"]) + 100, "CNY")  # signature now wrong
                copy["body"] = base64.b64encode(n.alipay_body(params)).decode()
        return self.deliverer.enqueue(copy, delay=float(data.get("delay", 0)))


def _public(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if k not in ("body", "secret")} | {"body": base64.b64decode(d["body"]).decode("utf-8", "replace")}


def _header(headers: dict[str, str], name: str) -> str | None:
    lowered = name.lower()
    return next((v for k, v in headers.items() if k.lower() == lowered), None)


def _unflatten(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """Stripe's nested form keys back to dicts (list indexes stay as "0", "1" keys)."""
    out: dict[str, Any] = {}
    for key, value in pairs:
        names = key.replace("]", "").split("[")
        node = out
        for name in names[:-1]:
            node = node.setdefault(name, {})
        node[names[-1]] = value
    return out
