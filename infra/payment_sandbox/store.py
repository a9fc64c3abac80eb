"""The sandbox's memory, in SQLite in the data folder: trades, refunds, deliveries (with every
attempt and the merchant's answer), Stripe webhook endpoints and idempotency keys. A restart of
``make run`` keeps them, so a payment made before can be refunded after, and retries go on."""
from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path
from typing import Any

KINDS = ("trade", "delivery", "endpoint", "idempotency")


class Store:
    def __init__(self, path: Path) -> None:
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS docs (kind TEXT, id TEXT, ref TEXT, state TEXT, doc TEXT, "
                         "PRIMARY KEY (kind, id))")
        self._db.execute("CREATE INDEX IF NOT EXISTS by_ref ON docs (kind, ref)")
        self._db.execute("CREATE INDEX IF NOT EXISTS by_state ON docs (kind, state)")
        self.lock = threading.RLock()

    def put(self, kind: str, doc: dict[str, Any], *, ref: str = "", state: str = "") -> None:
        assert kind in KINDS
        with self.lock:
            self._db.execute("INSERT OR REPLACE INTO docs VALUES (?, ?, ?, ?, ?)",
                             (kind, doc["id"], ref, state, json.dumps(doc, ensure_ascii=False)))

    def get(self, kind: str, id_: str) -> dict[str, Any] | None:
        with self.lock:
            row = self._db.execute("SELECT doc FROM docs WHERE kind=? AND id=?", (kind, id_)).fetchone()
        return json.loads(row[0]) if row else None

    def find(self, kind: str, *, ref: str | None = None, state: str | None = None) -> list[dict[str, Any]]:
        sql, args = "SELECT doc FROM docs WHERE kind=?", [kind]
        if ref is not None:
            sql, args = sql + " AND ref=?", [*args, ref]
        if state is not None:
            sql, args = sql + " AND state=?", [*args, state]
        with self.lock:
            rows = self._db.execute(sql + " ORDER BY rowid", args).fetchall()
        return [json.loads(r[0]) for r in rows]

    def close(self) -> None:
        with self.lock:
            self._db.close()
