"""``make backup`` / ``make restore`` (issue 9, point 15, local side): seed -> back up -> wipe ->
restore gives every record, every uploaded file and every login back identical, the same
password signs in, and what was encrypted with the local KMS key still decrypts (a supplier's
webhook signing secret, kept only as KMS ciphertext, still signs the supplier's notices).

The "before" and "after" pictures are read straight from the local cloud (every table Scanned,
every object's bytes, every Cognito user), independently of the backup tool."""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests

from infra import background
from infra.stack import ROOT
from tests.integration.conftest import Api, eventually
from tests.integration.images import png
from tests.integration.test_purchasing import signed, submitted, supplier
from tests.integration.test_settings_api import body_of, upload

DEMO_PASSWORD = "ShopDesk-demo-1"


def picture(data_dir: Path) -> dict[str, Any]:
    """Everything the local cloud holds that a restore must give back, read with nothing running."""
    from infra.localcloud import LocalCloud

    saved = dict(os.environ)
    cloud = LocalCloud(data_dir)
    cloud.start()
    try:
        os.environ.update(cloud.env())
        ddb, s3, idp = boto3.client("dynamodb"), boto3.client("s3"), boto3.client("cognito-idp")
        tables = {}
        for name in ddb.list_tables()["TableNames"]:
            items = [i for page in ddb.get_paginator("scan").paginate(TableName=name, ConsistentRead=True)
                     for i in page["Items"]]
            tables[name] = sorted(repr(sorted(i.items())) for i in items)
        objects = {}
        for bucket in [b["Name"] for b in s3.list_buckets()["Buckets"]]:
            for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
                for o in page.get("Contents", []):
                    got = s3.get_object(Bucket=bucket, Key=o["Key"])
                    objects[f"{bucket}/{o['Key']}"] = (hashlib.sha256(got["Body"].read()).hexdigest(),
                                                       got.get("ContentType"))
        users = {}
        for pool in idp.list_user_pools(MaxResults=60)["UserPools"]:
            for page in idp.get_paginator("list_users").paginate(UserPoolId=pool["Id"]):
                for u in page["Users"]:
                    users[(pool["Id"], u["Username"])] = (sorted((a["Name"], a["Value"]) for a in u["Attributes"]),
                                                          u["Enabled"], u["UserStatus"])
        keys = sorted(k["KeyId"] for k in boto3.client("kms").list_keys()["Keys"])
        return {"tables": tables, "objects": objects, "users": users, "keys": keys}
    finally:
        os.environ.clear()
        os.environ.update(saved)
        cloud.stop()


def backup_tool(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "infra.backup", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=600, check=False)


@pytest.mark.timeout(1800)  # two starts of the whole system, four of the local cloud: minutes on a busy machine
def test_seed_backup_wipe_restore_gives_everything_back(tmp_path):
    data = tmp_path / "data"
    first = background.start(data)
    saved_env = dict(os.environ)
    try:
        os.environ.update(first.env)
        token = requests.post(f"{first.url}/api/auth/signin", json={"email": "owner@demo.shop",
                                                                      "password": DEMO_PASSWORD}, timeout=30)
        owner = Api(first.url, token.json()["id_token"], "shp_demo")
        logo = png(16, 16, (200, 80, 10))
        view = owner.get("/settings").json()
        renamed = owner.put("/settings/profile", json={**body_of(view, "profile"), "name": f"备份之前 {uuid.uuid4().hex[:4]}",
                                                        "logo_key": upload(owner, logo)})
        assert renamed.status_code == 200, renamed.text
        sup = supplier(owner)
        products = owner.get("/products", params={"limit": 1}).json()["items"]
        order = submitted(owner, sup["id"], owner.get(f"/products/{products[0]['id']}").json(), [(0, 3, 1200)])
        eventually(lambda: requests.get(f"{first.url}/__local/idle", timeout=10).json()["idle"], timeout=60)
        time.sleep(1)
        eventually(lambda: requests.get(f"{first.url}/__local/idle", timeout=10).json()["idle"], timeout=60)
    finally:
        first.stop(timeout=600)  # a busy machine takes its time to snapshot and stop
        os.environ.clear()
        os.environ.update(saved_env)
    assert first.process.returncode == 0

    before = picture(data)
    made = backup_tool("create", "--data-dir", str(data))
    assert made.returncode == 0, made.stdout + made.stderr
    archive = Path(made.stdout.split("Backup written: ")[1].split()[0])
    assert archive.exists() and archive.stat().st_mode & 0o077 == 0, oct(archive.stat().st_mode)
    kept = tmp_path / "kept.tar.gz"
    archive.replace(kept)

    import shutil

    shutil.rmtree(data)  # the wipe: nothing of the shop is left
    back = backup_tool("restore", str(kept), "--data-dir", str(data))
    assert back.returncode == 0, back.stdout + back.stderr
    after = picture(data)
    assert after["keys"] == before["keys"]
    assert after["users"] == before["users"]
    assert after["objects"] == before["objects"]
    assert after["tables"].keys() == before["tables"].keys()
    for table, items in before["tables"].items():
        assert after["tables"][table] == items, table

    second = background.start(data)
    try:
        os.environ.update(second.env)
        again = requests.post(f"{second.url}/api/auth/signin", json={"email": "owner@demo.shop",
                                                                     "password": DEMO_PASSWORD}, timeout=30)
        assert again.status_code == 200, again.text  # the same password signs in
        owner = Api(second.url, again.json()["id_token"], "shp_demo")
        profile = owner.get("/settings").json()["profile"]
        assert profile["name"] == renamed.json()["name"]
        assert requests.get(profile["logo_url"], timeout=30).content == logo
        # The webhook secret is stored only as KMS ciphertext: a notice signed with the secret
        # answered at creation verifies, so it decrypted with the restored key material.
        number = owner.get(f"/purchase-orders/{order['id']}").json()["number"]
        raw, headers = signed(sup["webhook_secret"], {"type": "shipment_notice", "po_number": number, "carrier": "顺丰",
                                                      "tracking_no": "SF1234567890"})
        notice = requests.post(f"{second.url}/api/webhooks/suppliers/shp_demo/{sup['id']}", data=raw, headers=headers,
                               timeout=30)
        assert notice.status_code == 200, notice.text
        # Personal fields are stored sealed with the shop's data key (wrapped by the local KMS
        # key): after the restore they open to what was typed, for the owner who may see them.
        restored = owner.get(f"/suppliers/{sup['id']}").json()
        assert (restored["phone"], restored["email"], restored["contact"]) == (sup["phone"], sup["email"], sup["contact"])
        staff = owner.get("/staff").json()["items"]
        assert "owner@demo.shop" in [m.get("login") for m in staff], staff
    finally:
        second.stop(timeout=600)
        os.environ.clear()
        os.environ.update(saved_env)


def test_a_backup_is_refused_while_shopdesk_runs_on_the_folder(system):
    data = Path(system.info["data_dir"])
    refused = backup_tool("create", "--data-dir", str(data))
    assert refused.returncode == 3 and "stop it first" in refused.stderr, refused.stderr


def test_a_damaged_archive_is_refused_and_nothing_is_touched(tmp_path):
    import io
    import tarfile

    bad = tmp_path / "bad.tar.gz"
    with tarfile.open(bad, "w:gz") as tar:
        body = b'{"format": 1, "sha256": {"dynamodb/x.jsonl": "0000"}}'
        info = tarfile.TarInfo("manifest.json")
        info.size = len(body)
        tar.addfile(info, io.BytesIO(body))
        item = tarfile.TarInfo("dynamodb/x.jsonl")
        item.size = 2
        tar.addfile(item, io.BytesIO(b"{}"))
    data = tmp_path / "data"
    data.mkdir()
    (data / "keep.txt").write_text("mine")
    refused = backup_tool("restore", str(bad), "--data-dir", str(data))
    assert refused.returncode == 3 and "damaged" in refused.stderr, refused.stderr
    assert (data / "keep.txt").read_text() == "mine"
