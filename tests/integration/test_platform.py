"""The platform promises: schedules fire, and stopping and starting `make run` loses nothing."""
from __future__ import annotations

import base64
import os
import uuid

import boto3
import requests

from infra import background
from tests.integration.conftest import Api, eventually
from tests.integration.images import png
from tests.integration.test_settings_api import body_of, upload


def test_the_daily_schedule_prunes_past_closed_days(system, owner: Api):
    hours = owner.get("/settings").json()["business_hours"]
    saved = owner.put("/settings/business-hours", json={**hours, "closed_days": [
        {"date": "2020-01-01", "reason": "past"}, {"date": "2030-01-01", "reason": "future"}]})
    assert saved.status_code == 200
    fired = requests.post(f"{system.url}/__local/fire", json={"schedule": "SettingsPruneFunction.Daily"}, timeout=60)
    assert fired.json()["result"]["pruned"] >= 1
    after = owner.get("/settings").json()["business_hours"]
    assert after["closed_days"] == [{"date": "2030-01-01", "reason": "future"}]
    assert after["version"] == saved.json()["version"] + 1
    entry = eventually(lambda: [i for i in owner.get("/audit").json()["items"]
                                if i["actor"]["id"] == "system:prune-closed-days"])
    assert entry[0]["after"]["closed_days"] == [{"date": "2030-01-01", "reason": "future"}]


def test_stop_and_start_keeps_records_uploads_logins_keys_and_tokens(tmp_path):
    first = background.start(tmp_path)
    saved_env = dict(os.environ)
    try:
        os.environ.update(first.env)
        tokens = requests.post(f"{first.url}/api/auth/signin",
                               json={"email": "owner@demo.shop", "password": "ShopDesk-demo-1"}, timeout=30).json()
        owner = Api(first.url, tokens["id_token"], "shp_demo")
        image = png(12, 12, (10, 120, 200))
        view = owner.get("/settings").json()
        name = f"重启之前 {uuid.uuid4().hex[:4]}"
        profile = owner.put("/settings/profile", json={**body_of(view, "profile"), "name": name,
                                                         "logo_key": upload(owner, image)}).json()
        kms = boto3.client("kms")
        secret = kms.encrypt(KeyId=first.env["DATA_KEY_ID"], Plaintext=b"13800138000",
                             EncryptionContext={"shop": "shp_demo", "field": "phone"})["CiphertextBlob"]
        eventually(lambda: any((i["after"] or {}).get("name") == name
                               for i in owner.get("/audit", params={"resource": "settings"}).json()["items"]))
        audit_before = owner.get("/audit").json()["items"]
    finally:
        first.stop()
        os.environ.clear()
        os.environ.update(saved_env)
    assert first.process.returncode == 0

    second = background.start(tmp_path)
    try:
        os.environ.update(second.env)
        # the token issued before the restart still verifies (same pool, same signing key)
        owner = Api(second.url, tokens["id_token"], "shp_demo")
        after = owner.get("/settings").json()["profile"]
        assert after["name"] == name and after["version"] == profile["version"]
        assert after["logo_key"] == profile["logo_key"]
        assert requests.get(after["logo_url"], timeout=30).content == image
        again = requests.post(f"{second.url}/api/auth/signin",
                              json={"email": "owner@demo.shop", "password": "ShopDesk-demo-1"}, timeout=30)
        assert again.status_code == 200
        plain = boto3.client("kms").decrypt(CiphertextBlob=secret,
                                            EncryptionContext={"shop": "shp_demo", "field": "phone"})["Plaintext"]
        assert plain == b"13800138000"
        assert owner.get("/audit").json()["items"] == audit_before
        assert base64.b64encode(secret)  # the ciphertext was real bytes
    finally:
        second.stop()
        os.environ.clear()
        os.environ.update(saved_env)


def test_a_second_start_on_the_same_data_says_it_is_already_running(system):
    import subprocess
    import sys

    from infra.stack import ROOT

    data_dir = system.info["data_dir"]
    answer = subprocess.run([sys.executable, "-m", "infra.run", "--data-dir", data_dir, "--port", "0"], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert answer.returncode == 3
    assert "already running" in answer.stderr
