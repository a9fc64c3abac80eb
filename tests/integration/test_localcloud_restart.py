"""The local cloud keeps every service's state across a restart.

One shared cycle keeps this file quick: a first LocalCloud (in this process) creates state in
every service ShopDesk uses and stops; a second one, started as ``python -m infra.localcloud``
in a fresh process on the same data folder, must give it all back, usable. That second cloud
is then also used for the single-instance check and stopped with Ctrl-C (SIGINT).
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import jwt
import pytest

from infra.localcloud import AlreadyRunning, LocalCloud
from infra.localcloud.instance_lock import InstanceLock

pytestmark = pytest.mark.timeout(180)

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "Shop-Desk-2024!"  # test user's password, not a secret of any real system
PHONE = "+8613800138000"
SMS_TEXT = "【ShopDesk】您的验证码是 246810"
MAIL_SUBJECT = "订单 SD-1001 已发货"
BODY = bytes(range(256)) * 512 + os.urandom(4096)  # 132 KiB, every byte value, random tail
PII = "张三 13800138000"


def _client(env: dict[str, str], service: str) -> Any:
    """A boto3 client pointed by ``env`` (the dict LocalCloud.env() returns)."""
    endpoint = {
        "dynamodb": env["AWS_ENDPOINT_URL_DYNAMODB"],
        "dynamodbstreams": env["AWS_ENDPOINT_URL_DYNAMODB_STREAMS"],
    }.get(service, env["AWS_ENDPOINT_URL"])
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name=env["AWS_REGION"],
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
    )


def _java_pids(data_dir: Path) -> list[int]:
    """DynamoDB Local processes working on this data folder."""
    marker = str(data_dir / "dynamodb").encode()
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker in (entry / "cmdline").read_bytes():
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


def _moto_data(env: dict[str, str]) -> dict[str, Any]:
    with urllib.request.urlopen(env["AWS_ENDPOINT_URL"] + "/moto-api/data.json") as response:
        return json.load(response)  # type: ignore[no-any-return]


def _verify_id_token(env: dict[str, str], pool_id: str, client_id: str, token: str) -> dict[str, Any]:
    url = f"{env['AWS_ENDPOINT_URL']}/{pool_id}/.well-known/jwks.json"
    with urllib.request.urlopen(url) as response:
        jwks = json.load(response)
    kid = jwt.get_unverified_header(token)["kid"]
    key = jwt.PyJWK(next(k for k in jwks["keys"] if k["kid"] == kid)).key
    return jwt.decode(token, key, algorithms=["RS256"], audience=client_id)


@dataclass
class Created:
    """What the first run made, for the second run to find."""

    data_dir: Path
    pristine_moto_dir: Path
    table: str
    bucket: str
    queue_url_path: str
    redrive_policy: dict[str, Any]
    topic_arn: str
    events_queue: str
    pool_id: str
    client_id: str
    id_token: str
    access_token: str
    key_id: str
    ciphertext: bytes
    data_key_plain: bytes
    data_key_cipher: bytes
    context: dict[str, str]


def _create_everything(env: dict[str, str], data_dir: Path, pristine: Path) -> Created:
    ddb = _client(env, "dynamodb")
    table = "shopdesk-test-orders"
    ddb.create_table(
        TableName=table,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    ddb.put_item(TableName=table, Item={"pk": {"S": "shop#1#order#1001"}, "total": {"N": "19900"}})

    s3 = _client(env, "s3")
    bucket = "shopdesk-test-media"
    s3.create_bucket(Bucket=bucket)
    s3.put_object(
        Bucket=bucket,
        Key="products/1/主图.jpg",
        Body=BODY,
        ContentType="image/jpeg",
        Metadata={"shop": "1"},
    )

    sqs = _client(env, "sqs")
    dlq_url = sqs.create_queue(QueueName="orders-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    redrive = {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 3}
    queue_url = sqs.create_queue(
        QueueName="orders",
        Attributes={"RedrivePolicy": json.dumps(redrive), "VisibilityTimeout": "45"},
    )["QueueUrl"]
    sqs.send_message(
        QueueUrl=queue_url,
        MessageBody=json.dumps({"type": "OrderPlaced", "orderId": "SD-1001"}),
        MessageAttributes={"shop": {"DataType": "String", "StringValue": "1"}},
    )
    notify_url = sqs.create_queue(QueueName="notifications")["QueueUrl"]
    notify_arn = sqs.get_queue_attributes(QueueUrl=notify_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events_url = sqs.create_queue(QueueName="order-events")["QueueUrl"]
    events_arn = sqs.get_queue_attributes(QueueUrl=events_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]

    sns = _client(env, "sns")
    topic_arn = sns.create_topic(Name="shop-alerts")["TopicArn"]
    sns.subscribe(
        TopicArn=topic_arn,
        Protocol="sqs",
        Endpoint=notify_arn,
        Attributes={"RawMessageDelivery": "true"},
    )
    sns.publish(PhoneNumber=PHONE, Message=SMS_TEXT)

    ses = _client(env, "ses")
    ses.verify_email_identity(EmailAddress="shop@example.com")
    ses.send_email(
        Source="shop@example.com",
        Destination={"ToAddresses": ["customer@example.com"]},
        Message={"Subject": {"Data": MAIL_SUBJECT}, "Body": {"Text": {"Data": "您的订单已发货"}}},
    )

    events = _client(env, "events")
    events.create_event_bus(Name="shop-events")
    events.put_rule(
        Name="order-placed",
        EventBusName="shop-events",
        EventPattern=json.dumps({"source": ["shopdesk.orders"], "detail-type": ["OrderPlaced"]}),
    )
    events.put_targets(
        Rule="order-placed",
        EventBusName="shop-events",
        Targets=[{"Id": "order-events-queue", "Arn": events_arn}],
    )

    _client(env, "scheduler").create_schedule(
        Name="auto-cancel-unpaid",
        ScheduleExpression="rate(1 minute)",
        FlexibleTimeWindow={"Mode": "OFF"},
        Target={"Arn": events_arn, "RoleArn": "arn:aws:iam::123456789012:role/scheduler"},
    )

    kms = _client(env, "kms")
    key_id = kms.create_key(Description="ShopDesk PII")["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName="alias/shopdesk-pii", TargetKeyId=key_id)
    context = {"shop": "1", "field": "customer.name"}
    ciphertext = kms.encrypt(KeyId=key_id, Plaintext=PII.encode(), EncryptionContext=context)["CiphertextBlob"]
    data_key = kms.generate_data_key(KeyId="alias/shopdesk-pii", KeySpec="AES_256")

    idp = _client(env, "cognito-idp")
    pool_id = idp.create_user_pool(PoolName="shopdesk-staff")["UserPool"]["Id"]
    client_id = idp.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="admin-spa",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]
    idp.create_group(UserPoolId=pool_id, GroupName="owner")
    idp.admin_create_user(UserPoolId=pool_id, Username="owner1", MessageAction="SUPPRESS")
    idp.admin_set_user_password(UserPoolId=pool_id, Username="owner1", Password=PASSWORD, Permanent=True)
    idp.admin_add_user_to_group(UserPoolId=pool_id, Username="owner1", GroupName="owner")
    tokens = idp.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "owner1", "PASSWORD": PASSWORD},
    )["AuthenticationResult"]

    _client(env, "sts").get_caller_identity()

    return Created(
        data_dir=data_dir,
        pristine_moto_dir=pristine,
        table=table,
        bucket=bucket,
        queue_url_path=queue_url.split("/", 3)[3],
        redrive_policy=redrive,
        topic_arn=topic_arn,
        events_queue="order-events",
        pool_id=pool_id,
        client_id=client_id,
        id_token=tokens["IdToken"],
        access_token=tokens["AccessToken"],
        key_id=key_id,
        ciphertext=ciphertext,
        data_key_plain=data_key["Plaintext"],
        data_key_cipher=data_key["CiphertextBlob"],
        context=context,
    )


@pytest.fixture(scope="module")
def created(tmp_path_factory: pytest.TempPathFactory) -> Created:
    """First run: create state in every service, let a periodic snapshot happen, stop."""
    data_dir = tmp_path_factory.mktemp("localcloud")
    pristine = tmp_path_factory.mktemp("pristine-moto")
    cloud = LocalCloud(data_dir, snapshot_interval=0.5)
    cloud.start()
    try:
        result = _create_everything(cloud.env(), data_dir, pristine)
        # The periodic snapshot, not only the one at stop(), must write changes.
        deadline = time.monotonic() + 10
        while not (data_dir / "moto" / "cognito-idp.pickle").exists():
            assert time.monotonic() < deadline, "no periodic snapshot within 10 s"
            time.sleep(0.1)
    finally:
        cloud.stop()
    assert _java_pids(data_dir) == [], "DynamoDB Local still running after stop()"
    shutil.copytree(data_dir / "moto", pristine, dirs_exist_ok=True)
    return result


@dataclass
class SecondRun:
    process: subprocess.Popen[str]
    env: dict[str, str]
    data_dir: Path


@pytest.fixture(scope="module")
def second_run(created: Created) -> Iterator[SecondRun]:
    """Second run, in a fresh process through the command line, on the same data folder."""
    stderr_path = created.data_dir.parent / "cli-stderr.log"
    with open(stderr_path, "w") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "infra.localcloud", "--data-dir", str(created.data_dir)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        )
    lines: queue.Queue[str] = queue.Queue()

    def read_stdout() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line)

    threading.Thread(target=read_stdout, daemon=True).start()
    env: dict[str, str] = {}
    deadline = time.monotonic() + 90
    while True:
        remaining = deadline - time.monotonic()
        try:
            line = lines.get(timeout=max(remaining, 0.01))
        except queue.Empty:
            process.kill()
            pytest.fail(f"CLI did not come up; stderr:\n{stderr_path.read_text()}")
        if line.strip().startswith("export "):
            name, _, value = line.strip()[len("export ") :].partition("=")
            env[name] = value
        if "Ctrl-C to stop" in line:
            break
    try:
        yield SecondRun(process, env, created.data_dir)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


# -- everything is back, and usable ------------------------------------------------------


def test_dynamodb_item_survives(created: Created, second_run: SecondRun) -> None:
    item = _client(second_run.env, "dynamodb").get_item(
        TableName=created.table, Key={"pk": {"S": "shop#1#order#1001"}}
    )["Item"]
    assert item["total"] == {"N": "19900"}


def test_s3_object_is_byte_identical(created: Created, second_run: SecondRun) -> None:
    s3 = _client(second_run.env, "s3")
    obj = s3.get_object(Bucket=created.bucket, Key="products/1/主图.jpg")
    assert obj["Body"].read() == BODY
    assert obj["ContentType"] == "image/jpeg"
    assert obj["Metadata"] == {"shop": "1"}
    s3.put_object(Bucket=created.bucket, Key="after-restart.txt", Body=b"ok")


def test_sqs_queue_redrive_and_waiting_message_survive(created: Created, second_run: SecondRun) -> None:
    sqs = _client(second_run.env, "sqs")
    url = sqs.get_queue_url(QueueName="orders")["QueueUrl"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert json.loads(attributes["RedrivePolicy"]) == created.redrive_policy
    assert attributes["VisibilityTimeout"] == "45"
    messages = sqs.receive_message(QueueUrl=url, MessageAttributeNames=["All"], WaitTimeSeconds=1).get("Messages", [])
    assert [json.loads(m["Body"])["orderId"] for m in messages] == ["SD-1001"]
    assert messages[0]["MessageAttributes"]["shop"]["StringValue"] == "1"


def test_sns_topic_subscription_and_sent_sms_survive(created: Created, second_run: SecondRun) -> None:
    sns = _client(second_run.env, "sns")
    subscriptions = sns.list_subscriptions_by_topic(TopicArn=created.topic_arn)["Subscriptions"]
    assert [s["Protocol"] for s in subscriptions] == ["sqs"]
    sent = _moto_data(second_run.env)["sns"]["SMS"]
    assert {"phone_number": PHONE, "message": SMS_TEXT} in [
        {"phone_number": s["phone_number"], "message": s["message"]} for s in sent
    ]
    # The subscription still delivers.
    sns.publish(TopicArn=created.topic_arn, Message="库存不足")
    sqs = _client(second_run.env, "sqs")
    url = sqs.get_queue_url(QueueName="notifications")["QueueUrl"]
    bodies = [m["Body"] for m in sqs.receive_message(QueueUrl=url, WaitTimeSeconds=2)["Messages"]]
    assert bodies == ["库存不足"]


def test_ses_identity_and_sent_mail_survive(second_run: SecondRun) -> None:
    ses = _client(second_run.env, "ses")
    assert "shop@example.com" in ses.list_identities()["Identities"]
    assert sum(p["DeliveryAttempts"] for p in ses.get_send_statistics()["SendDataPoints"]) == 1
    subjects = [m["subject"] for m in _moto_data(second_run.env)["ses"]["Message"]]
    assert subjects == [MAIL_SUBJECT]


def test_eventbridge_bus_rule_and_target_survive_and_deliver(created: Created, second_run: SecondRun) -> None:
    events = _client(second_run.env, "events")
    rule = events.describe_rule(Name="order-placed", EventBusName="shop-events")
    assert json.loads(rule["EventPattern"])["source"] == ["shopdesk.orders"]
    targets = events.list_targets_by_rule(Rule="order-placed", EventBusName="shop-events")
    assert [t["Id"] for t in targets["Targets"]] == ["order-events-queue"]
    events.put_events(
        Entries=[
            {
                "EventBusName": "shop-events",
                "Source": "shopdesk.orders",
                "DetailType": "OrderPlaced",
                "Detail": json.dumps({"orderId": "SD-1002"}),
            }
        ]
    )
    sqs = _client(second_run.env, "sqs")
    url = sqs.get_queue_url(QueueName=created.events_queue)["QueueUrl"]
    messages = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=2)["Messages"]
    assert json.loads(messages[0]["Body"])["detail"] == {"orderId": "SD-1002"}


def test_scheduler_schedule_survives(second_run: SecondRun) -> None:
    schedule = _client(second_run.env, "scheduler").get_schedule(Name="auto-cancel-unpaid")
    assert schedule["ScheduleExpression"] == "rate(1 minute)"


def test_kms_key_material_survives(created: Created, second_run: SecondRun) -> None:
    kms = _client(second_run.env, "kms")
    plain = kms.decrypt(CiphertextBlob=created.ciphertext, EncryptionContext=created.context)
    assert plain["Plaintext"].decode() == PII
    assert plain["KeyId"].endswith(created.key_id)
    data_key = kms.decrypt(CiphertextBlob=created.data_key_cipher)["Plaintext"]
    assert data_key == created.data_key_plain
    aliases = [a["AliasName"] for a in kms.list_aliases(KeyId=created.key_id)["Aliases"]]
    assert aliases == ["alias/shopdesk-pii"]


def test_cognito_users_passwords_and_signing_key_survive(created: Created, second_run: SecondRun) -> None:
    # A token issued before the restart still verifies against the JWKS served after it.
    old_claims = _verify_id_token(second_run.env, created.pool_id, created.client_id, created.id_token)
    assert old_claims["cognito:username"] == "owner1"
    assert old_claims["cognito:groups"] == ["owner"]
    idp = _client(second_run.env, "cognito-idp")
    assert idp.get_user(AccessToken=created.access_token)["Username"] == "owner1"
    # The same password still signs in, and the new token verifies the same way.
    tokens = idp.initiate_auth(
        ClientId=created.client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "owner1", "PASSWORD": PASSWORD},
    )["AuthenticationResult"]
    new_claims = _verify_id_token(second_run.env, created.pool_id, created.client_id, tokens["IdToken"])
    assert new_claims["sub"] == old_claims["sub"]
    with pytest.raises(idp.exceptions.NotAuthorizedException):
        idp.initiate_auth(
            ClientId=created.client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "owner1", "PASSWORD": PASSWORD + "x"},
        )


def test_listens_on_loopback_only(second_run: SecondRun) -> None:
    ports = {int(second_run.env[name].rsplit(":", 1)[1]) for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB")}
    found: dict[int, set[str]] = {}
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for row in Path(table).read_text().splitlines()[1:]:
            fields = row.split()
            address, port_hex = fields[1].rsplit(":", 1)
            if fields[3] == "0A" and int(port_hex, 16) in ports:  # 0A = LISTEN
                found.setdefault(int(port_hex, 16), set()).add(address)
    assert set(found) == ports
    loopback = {"0100007F", "0000000000000000FFFF00000100007F", "00000000000000000000000001000000"}
    assert all(addresses <= loopback for addresses in found.values()), found


# -- one cloud per data folder, clean Ctrl-C ------------------------------------------------


def test_second_cloud_on_same_dir_raises_already_running(second_run: SecondRun) -> None:
    with pytest.raises(AlreadyRunning) as raised:
        LocalCloud(second_run.data_dir).start()
    assert raised.value.pid == second_run.process.pid
    assert str(raised.value) == (
        f"ShopDesk's local cloud is already running (pid {second_run.process.pid}) with data in "
        f"{second_run.data_dir}; stop it with Ctrl-C in its terminal or `make stop`"
    )
    assert len(_java_pids(second_run.data_dir)) == 1, "the refused start must start nothing"


def test_ctrl_c_snapshots_and_stops_everything(second_run: SecondRun) -> None:
    s3_file = second_run.data_dir / "moto" / "s3.pickle"
    before = s3_file.stat().st_mtime_ns
    second_run.process.send_signal(signal.SIGINT)
    assert second_run.process.wait(30) == 0
    assert _java_pids(second_run.data_dir) == []
    assert s3_file.stat().st_mtime_ns > before, "the object put after restart was not saved"
    lock = InstanceLock(second_run.data_dir)
    lock.acquire()  # free again
    lock.release()


def test_stale_lock_of_a_dead_process_is_taken_over(tmp_path: Path) -> None:
    (tmp_path / "localcloud.lock").write_text("999999999\n")  # no process holds it
    lock = InstanceLock(tmp_path)
    lock.acquire()
    try:
        assert (tmp_path / "localcloud.lock").read_text() == f"{os.getpid()}\n"
        with pytest.raises(AlreadyRunning, match=f"pid {os.getpid()}"):
            InstanceLock(tmp_path).acquire()
    finally:
        lock.release()


def test_corrupt_snapshot_is_moved_aside_and_the_rest_restored(
    created: Created, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    moto_dir = tmp_path / "moto"
    shutil.copytree(created.pristine_moto_dir, moto_dir)
    corrupt = moto_dir / "sns.pickle"
    corrupt.write_bytes(corrupt.read_bytes()[:-200])  # truncated mid-pickle
    (moto_dir / "ses.pickle").write_bytes(b"\x00garbage")  # not even a header

    with caplog.at_level("ERROR", logger="infra.localcloud"), LocalCloud(tmp_path) as cloud:
        env = cloud.env()
        report = cloud.restore_report
        assert report is not None
        assert set(report.moved_aside) == {"sns", "ses"}
        assert not corrupt.exists()
        assert len(list(moto_dir.glob("sns.pickle.corrupt-*"))) == 1
        assert len(list(moto_dir.glob("ses.pickle.corrupt-*"))) == 1
        # The broken services start empty and work; the others came back.
        assert _client(env, "sns").list_topics()["Topics"] == []
        assert _client(env, "sns").create_topic(Name="fresh")["TopicArn"]
        assert _client(env, "sqs").get_queue_url(QueueName="orders")["QueueUrl"]
    messages = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert any("sns.pickle" in m and "starts EMPTY" in m for m in messages), messages
    assert (moto_dir / "sns.pickle").exists(), "the new SNS state was not saved at stop"


def test_snapshots_keep_going_under_writes_and_long_polls(tmp_path: Path) -> None:
    """Snapshots hold requests off while pickling; a waiting long poll must not hold them off."""
    failures: list[BaseException] = []
    stop = threading.Event()
    with LocalCloud(tmp_path, snapshot_interval=0.05) as cloud:
        env = cloud.env()
        url = _client(env, "sqs").create_queue(QueueName="busy")["QueueUrl"]
        idle_url = _client(env, "sqs").create_queue(QueueName="idle")["QueueUrl"]

        def work(target: Any) -> None:
            try:
                target(_client(env, "sqs"))
            except BaseException as exc:
                failures.append(exc)

        def write(sqs: Any) -> None:
            while not stop.is_set():
                sqs.send_message(QueueUrl=url, MessageBody="x" * 1000)

        def consume(sqs: Any) -> None:
            while not stop.is_set():
                for m in sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1).get("Messages", []):
                    sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])

        idle_returned: list[float] = []

        def idle_poll(sqs: Any) -> None:
            sqs.receive_message(QueueUrl=idle_url, WaitTimeSeconds=3)
            idle_returned.append(time.monotonic())

        threads = [threading.Thread(target=work, args=(t,)) for t in (write, write, consume, idle_poll)]
        for thread in threads:
            thread.start()
        snapshot_file = tmp_path / "moto" / "sqs.pickle"
        versions = set()
        deadline = time.monotonic() + 1.2
        while time.monotonic() < deadline:
            if snapshot_file.exists():
                versions.add(snapshot_file.stat().st_mtime_ns)
            time.sleep(0.02)
        began = time.monotonic()
        cloud.snapshot()
        snapshot_done = time.monotonic()
        stop.set()
        for thread in threads:
            thread.join(10)
    assert failures == []
    assert snapshot_done - began < 1.0
    assert snapshot_done < idle_returned[0], "the long poll was over before the snapshot"
    assert len(versions) >= 3, "periodic snapshots stalled under load"
