"""Sending notifications as the providers do: attempt, judge the merchant's answer the provider's
way, retry on the provider's (scaled) schedule, give up at its end; and closing unpaid trades
when they expire. One worker thread; due work is kept in a heap, every attempt in the store."""
from __future__ import annotations

import base64
import heapq
import itertools
import logging
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

from infra.payment_sandbox.notifications import RETRY_SCHEDULES
from infra.payment_sandbox.store import Store

log = logging.getLogger("shopdesk.payment_sandbox")
TIMEOUT_SECONDS = 5  # WeChat Pay wants an answer within 5 s; the others are more patient


def received(provider: str, status: int | None, body: bytes) -> bool:
    """Whether the provider counts the answer as "received": Alipay reads the body (exactly
    ``success``), WeChat Pay and Stripe the HTTP status (any 2xx)."""
    if status is None:
        return False
    if provider == "alipay":
        return status == 200 and body == b"success"
    return 200 <= status < 300


def post(url: str, headers: dict[str, str], body: bytes) -> tuple[int | None, bytes, str | None]:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)
    try:
        with opener.open(request, timeout=TIMEOUT_SECONDS) as answer:
            return int(answer.status), answer.read(4096), None
    except urllib.error.HTTPError as exc:
        return int(exc.code), exc.read(4096), None
    except (OSError, ValueError) as exc:
        return None, b"", str(exc)[:200]


class Deliverer:
    def __init__(self, store: Store, sign: Callable[[dict[str, Any]], dict[str, str]],
                 expire: Callable[[str], None], config: dict[str, Any]) -> None:
        self.store, self.sign, self.expire, self.config = store, sign, expire, config
        self._heap: list[tuple[float, int, str, str]] = []
        self._seq = itertools.count()
        self._wake = threading.Condition()
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="payment-sandbox", daemon=True)

    def start(self) -> None:
        for d in self.store.find("delivery", state="pending"):
            self.schedule("deliver", d["id"], d.get("next_at") or time.time())
        self._thread.start()

    def stop(self) -> None:
        with self._wake:
            self._stopping = True
            self._wake.notify_all()
        if self._thread.is_alive():
            self._thread.join(timeout=TIMEOUT_SECONDS + 2)

    def schedule(self, kind: str, id_: str, due: float) -> None:
        with self._wake:
            heapq.heappush(self._heap, (due, next(self._seq), kind, id_))
            self._wake.notify_all()

    def enqueue(self, delivery: dict[str, Any], delay: float = 0.0) -> dict[str, Any]:
        delivery.setdefault("attempts", [])
        delivery.update(state="pending", next_at=time.time() + delay, retries_done=0)
        self.store.put("delivery", delivery, ref=delivery["trade_id"], state="pending")
        self.schedule("deliver", delivery["id"], delivery["next_at"])
        return delivery

    def _run(self) -> None:
        while True:
            with self._wake:
                while not self._stopping and (not self._heap or self._heap[0][0] > time.time()):
                    self._wake.wait(timeout=None if not self._heap else max(0.0, self._heap[0][0] - time.time()))
                if self._stopping:
                    return
                _, _, kind, id_ = heapq.heappop(self._heap)
            try:
                if kind == "deliver":
                    self.attempt(id_)
                else:
                    self.expire(id_)
            except Exception:  # one broken item must not stop the provider
                log.exception("payment sandbox: %s %s failed", kind, id_)

    def attempt(self, delivery_id: str) -> None:
        with self.store.lock:
            d = self.store.get("delivery", delivery_id)
        if d is None or d["state"] != "pending":
            return
        status, answer, error = self.send(d)
        ok = received(d["provider"], status, answer)
        d["attempts"].append({"at": time.time(), "status": status, "answer": answer.decode("utf-8", "replace")[:500],
                              "received": ok, "error": error})
        schedule = RETRY_SCHEDULES[d["provider"]]
        if ok:
            d["state"] = "delivered"
            for _ in range(int(d.get("duplicates", 0))):  # the providers' "at least once": the same again
                status, answer, error = self.send(d)
                d["attempts"].append({"at": time.time(), "status": status, "duplicate": True, "error": error,
                                      "answer": answer.decode("utf-8", "replace")[:500],
                                      "received": received(d["provider"], status, answer)})
        elif d.get("retry", True) and d["retries_done"] < len(schedule):
            d["next_at"] = time.time() + schedule[d["retries_done"]] * float(self.config["retry_scale"])
            d["retries_done"] += 1
            self.schedule("deliver", d["id"], d["next_at"])
        else:
            d["state"] = "gave_up" if d.get("retry", True) else "sent"
        self.store.put("delivery", d, ref=d["trade_id"], state=d["state"])

    def send(self, d: dict[str, Any]) -> tuple[int | None, bytes, str | None]:
        body = base64.b64decode(d["body"])
        return post(d["url"], self.sign(d), body)
