"""The whole system on one machine: the local cloud, template.yaml provisioned into it, the
local runtime (gateway, pollers, scheduler, TTL sweeper) and, on first start, the demo shop.

Used by ``make run`` (``python -m infra.run``) and by the test suite, so tests exercise exactly
what a newcomer runs.
"""
from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from infra.stack import Stack

log = logging.getLogger("shopdesk.local")
STAGE = "local"
PREFIX = "shopdesk-local"  # of every local resource name (tables, queues, buckets)
# The API's Cognito authorizers (template.yaml ShopApi Auth.Authorizers): user pool and app client.
AUTHORIZERS = {"StaffPool": ("UserPool", "UserPoolClient"), "BuyerPool": ("BuyerPool", "BuyerPoolClient")}


@dataclass
class SystemConfig:
    data_dir: Path
    port: int = 8000
    dynamodb_port: int = 0
    moto_port: int = 0
    seed: bool = True
    prefix: str = PREFIX
    containers: int = 4
    demo_mode: bool = True
    extra_env: dict[str, str] = field(default_factory=dict)


class LocalSystem:
    def __init__(self, config: SystemConfig) -> None:
        self.config = config
        self.cloud: Any = None
        self.stack: Stack | None = None
        self.gateway: Any = None
        self.payment_sandbox: Any = None
        self.pollers: list[Any] = []
        self.scheduler: Any = None
        self.sweeper: threading.Thread | None = None
        self._stopping = threading.Event()
        self.port = 0
        self.function_env: dict[str, str] = {}
        self.pool: Any = None

    def start(self) -> None:
        from infra.localcloud import LocalCloud

        cfg = self.config
        cfg.data_dir.mkdir(parents=True, exist_ok=True)
        self.cloud = LocalCloud(cfg.data_dir, dynamodb_port=cfg.dynamodb_port, moto_port=cfg.moto_port)
        self.cloud.start()
        try:
            self._start_runtime()
        except BaseException:
            self.stop()
            raise

    def _start_runtime(self) -> None:
        from infra.provision import Provisioner
        from infra.runtime import faults, guard
        from infra.runtime.functions import FunctionPool
        from infra.runtime.gateway import CognitoVerifier, Gateway
        from infra.runtime.pollers import start_pollers
        from infra.runtime.scheduler import Scheduler

        cfg = self.config
        os.environ.update(self.cloud.env())
        os.environ.update(cfg.extra_env)
        # AllowedOrigin "*": the local admin's origin (http://127.0.0.1:<port>) is only known once
        # the gateway serves; the local cloud does not enforce a bucket's CORS on presigned POSTs.
        stack = Stack.load(region=self.cloud.region, prefix=cfg.prefix,
                           overrides={"Stage": STAGE, "DemoMode": "true" if cfg.demo_mode else "false",
                                      "AllowedOrigin": "*"})
        Provisioner(stack, cfg.data_dir / "stack-state.json").run()
        self.stack = stack
        # Every function of the template runs in this one process, so their environments are
        # merged; two functions giving one variable different values would be a design error.
        merged: dict[str, str] = {}
        for name in stack.functions():
            for key, value in stack.function_environment(name).items():
                if merged.get(key, value) != value:
                    raise RuntimeError(f"{name}: {key} differs between functions; the local runtime cannot merge")
                merged[key] = value
        merged["MEDIA_PUBLIC_ENDPOINT"] = self.cloud.moto_endpoint
        merged.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
        # EMF metrics to a file (docs/local-runtime.md), the functions' logs at the runtime's level
        # (the template's INFO would print a JSON line per request on `make run`'s console).
        merged["SHOPDESK_METRICS_FILE"] = str(cfg.data_dir / "metrics.jsonl")
        merged["POWERTOOLS_LOG_LEVEL"] = os.environ.get("SHOPDESK_LOG_LEVEL", "WARNING")
        os.environ.update(merged)
        self.function_env = merged
        from shared import aws, config

        config.reset()
        aws.reset()
        from infra import migrate

        migrate.run(say=lambda line: print(line, flush=True))  # data of an older ShopDesk, once (infra/migrate.py)
        guard.install()
        faults.install()
        pool = FunctionPool(stack, max_containers=cfg.containers)
        pool.warm()
        verifiers = {}
        for authorizer, (pool_name, client_name) in AUTHORIZERS.items():
            pool_id = stack.physical[pool_name]["Ref"]
            verifiers[authorizer] = CognitoVerifier(
                jwks_url=f"{self.cloud.moto_endpoint}/{pool_id}/.well-known/jwks.json",
                issuer=f"https://cognito-idp.{stack.region}.amazonaws.com/{pool_id}",
                audience=stack.physical[client_name]["Ref"])
        self.pool = pool
        self.pollers = start_pollers(stack, pool, cfg.data_dir)
        self.scheduler = Scheduler(stack, pool)
        self.scheduler.start()
        from infra.payment_sandbox import MOUNT, PaymentSandbox

        self.payment_sandbox = PaymentSandbox(cfg.data_dir / "payment-sandbox")
        self.gateway = Gateway(stack, pool, verifiers, stage=STAGE, openapi=self._openapi(pool),
                               controls=self._controls(pool), media_origin=self.cloud.moto_endpoint,
                               mounts={MOUNT: self.payment_sandbox.handle})
        self.port = self.gateway.serve("127.0.0.1", cfg.port)
        self.payment_sandbox.start(f"http://127.0.0.1:{self.port}{MOUNT}")
        # Local only: the shops' provider credentials point at the sandbox (shared/payments/credentials.py).
        from shared.payments.credentials import SANDBOX_ENV

        sandbox_env = {SANDBOX_ENV: self.payment_sandbox.base_url,
                       "SHOPDESK_PAYMENT_SANDBOX_DIR": str(self.payment_sandbox.folder),
                       # The template's PublicUrl: where providers notify and buyers come back to.
                       "SHOPDESK_PUBLIC_URL": f"http://127.0.0.1:{self.port}"}
        os.environ.update(sandbox_env)
        self.function_env.update(sandbox_env)
        self.sweeper = threading.Thread(target=self._sweep_ttl, name="ttl-sweeper", daemon=True)
        self.sweeper.start()
        if cfg.seed:
            from infra import seed

            if not seed.seeded():
                seed.seed_demo()
            from infra import seed_orders

            # ~90 days of orders, written after the system serves (infra/seed_orders.py).
            self.history = seed_orders.continue_in_background(seed.DEMO_SHOP_ID, self._stopping)

    def _openapi(self, pool: Any) -> Any:
        def build() -> dict[str, Any]:
            from shared.http.openapi import document

            return document(api_specs(self.stack, pool))

        return build

    def _controls(self, pool: Any) -> dict[str, Any]:
        """The local-only controls under ``/__local/`` (the gateway serves them to this machine's
        same-origin JSON requests only; the template has no such route)."""
        from infra.runtime import faults, guard
        from infra.runtime.gateway import Refusal

        def fire(body: dict[str, Any]) -> Any:
            name = body.get("schedule")
            if not isinstance(name, str) or name not in self.scheduler.schedules:
                raise Refusal(404, "schedule_not_found")
            return {"result": self.scheduler.fire(name)}

        def redrive(body: dict[str, Any]) -> Any:
            return self.redrive()

        return {
            "health": lambda _: {"ok": True, "schedules": list(self.scheduler.schedules),
                                 "fired": dict(self.scheduler.fired)},
            "guard": lambda _: dict(guard.counters),
            "fire": fire,
            "idle": lambda _: {"idle": all(p.idle.is_set() for p in self.pollers)},
            "faults": faults.configure,
            "redrive": redrive,
        }

    def redrive(self) -> dict[str, Any]:
        """``python -m infra.redrive`` against this system: the failed stream batches of the
        on-failure queues, read back and run again through the same functions."""
        import boto3

        from infra import redrive

        assert self.stack is not None
        stack = self.stack
        found = redrive.sources(stack, lambda logical: stack.physical[logical]["Ref"])
        return redrive.redrive(found, boto3.client("sqs", region_name=stack.region),
                               boto3.client("dynamodbstreams", region_name=stack.region),
                               lambda function, event: self.pool[function].invoke(event))

    def _sweep_ttl(self) -> None:
        """DynamoDB TTL stand-in: delete expired items of tables with TTL (local clouds never do)."""
        import boto3

        ddb = boto3.client("dynamodb", region_name=self.stack.region if self.stack else None)
        every = float(os.environ.get("SHOPDESK_TTL_SWEEP_SECONDS", "60"))
        if every <= 0:
            return  # benchmarks with large throwaway data: a Scan of a big table stalls DynamoDB Local
        while not self._stopping.wait(every):
            assert self.stack is not None
            for logical, phys in self.stack.physical.items():
                attr = phys.get("TimeToLiveAttribute")
                if not attr:
                    continue
                try:
                    self._sweep_table(ddb, phys["Ref"], attr, logical)
                except Exception:
                    log.exception("TTL sweep of %s failed", logical)

    def _sweep_table(self, ddb: Any, table: str, attr: str, logical: str) -> None:
        keys = [k["AttributeName"] for k in ddb.describe_table(TableName=table)["Table"]["KeySchema"]]
        now = str(int(time.time()))
        pages = ddb.get_paginator("scan").paginate(
            TableName=table, FilterExpression="#t < :now", ExpressionAttributeNames={"#t": attr},
            ExpressionAttributeValues={":now": {"N": now}}, ProjectionExpression=", ".join(keys),
            PaginationConfig={"PageSize": 500})
        for page in pages:
            for item in page.get("Items", []):
                ddb.delete_item(TableName=table, Key={k: item[k] for k in keys})
            # DynamoDB Local serves every request on one SQLite thread: small pages with a pause
            # between them keep a sweep of a large table from stalling the API.
            if self._stopping.wait(0.05):
                return

    def stop(self) -> None:
        self._stopping.set()
        for p in self.pollers:
            p.stop()
        if self.scheduler:
            self.scheduler.stop()
        if self.gateway:
            self.gateway.stop()
        if self.payment_sandbox:
            self.payment_sandbox.stop()
        for p in self.pollers:
            p.join(timeout=5)
        if self.cloud:
            self.cloud.stop()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def api_specs(stack: Stack | None, pool: Any) -> list[Any]:
    """The route declarations of every API function (the functions whose events include Api)."""
    assert stack is not None
    specs = []
    for name, props in stack.functions().items():
        if any(ev["Type"] == "Api" for ev in props.get("Events", {}).values()):
            fn = pool[name]
            container = fn._acquire()
            try:
                specs.extend(getattr(container, fn.attr).specs)
            finally:
                fn._idle.put(container)
    return specs
