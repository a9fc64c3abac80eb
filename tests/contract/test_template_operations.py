"""The template's operational and security parts hold what docs/security.md and
docs/architecture.md promise: consumers and outbox publishers made from one definition, no
stream without an on-failure destination, alarms on every queue and stream, backups, buckets
that require TLS and keep versions, S3 permissions limited to prefixes, WAF on the API,
reserved concurrency where providers are called, security headers on the hosting; and the code
keeps its one way of consuming, publishing and logging."""
from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from infra.stack import ROOT, Stack, load_raw_template

STACK = Stack.load(region="us-east-1", prefix="contract")
RAW = load_raw_template()
RESOURCES = STACK.resources
FUNCTIONS = STACK.functions()


def of_type(type_: str) -> dict[str, dict]:
    return {k: v for k, v in RESOURCES.items() if v["Type"] == type_}


def alarms() -> list[dict]:
    return [r["Properties"] for r in of_type("AWS::CloudWatch::Alarm").values()]


def alarm_on(namespace: str, metric: str, dimension_ref: str) -> list[dict]:
    """Alarms on ``metric`` whose dimensions name the resource ``dimension_ref``."""
    return [a for a in alarms() if a.get("Namespace") == namespace and a.get("MetricName") == metric
            and dimension_ref in json.dumps(a.get("Dimensions", []))]


# -- one definition --------------------------------------------------------------------------------------
@pytest.mark.parametrize("loop, mapping", [("EventConsumers", "EventConsumers"), ("UploadConsumers", "UploadConsumers"),
                                           ("JobQueues", "JobQueues")])
def test_each_consumer_loop_lists_exactly_the_rows_of_its_mapping(loop, mapping):
    _, names, _ = RAW["Resources"][f"Fn::ForEach::{loop}"]
    assert sorted(names) == sorted(RAW["Mappings"][mapping]), f"Fn::ForEach::{loop} and Mappings.{mapping} differ"


def test_every_queue_consumer_reads_a_queue_made_by_a_consumer_loop():
    made = {f"{n}Queue" for loop in ("EventConsumers", "UploadConsumers", "JobQueues")
            for n in RAW["Resources"][f"Fn::ForEach::{loop}"][1]}
    for function, _, props in STACK.events_of("SQS"):
        assert props["Queue"]["Fn::GetAtt"][0] in made, f"{function}: its queue is not made from Mappings (one definition)"


def test_every_outbox_table_has_its_publisher_from_the_one_definition():
    publishers = {fn: p for fn, _, p in STACK.events_of("DynamoDB")
                  if "OUTBOX#" in json.dumps(p.get("FilterCriteria", {}))}
    _, capabilities, _ = RAW["Resources"]["Fn::ForEach::OutboxPublishers"]
    assert sorted(publishers) == sorted(f"{c}OutboxFunction" for c in capabilities)
    for fn in publishers:
        assert FUNCTIONS[fn]["CodeUri"] == "functions/outbox/" and FUNCTIONS[fn]["Handler"] == "app.publish"


def test_no_capability_app_keeps_its_own_outbox_publisher():
    for app in (ROOT / "functions").glob("*/app.py"):
        assert "publish_stream_batch" not in app.read_text() and "def publish_outbox" not in app.read_text(), app


# -- no event lost ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("function", sorted({fn for fn, _, _ in STACK.events_of("DynamoDB")}))
def test_every_stream_source_has_an_on_failure_queue_with_an_alarm(function):
    for _, _, props in [e for e in STACK.events_of("DynamoDB") if e[0] == function]:
        destination = ((props.get("DestinationConfig") or {}).get("OnFailure") or {}).get("Destination")
        assert destination, f"{function}: a stream batch failing past its retries would be dropped"
        queue = destination["Fn::GetAtt"][0]
        assert RESOURCES[queue]["Type"] == "AWS::SQS::Queue"
        assert int(RESOURCES[queue]["Properties"]["MessageRetentionPeriod"]) == 1209600
        assert alarm_on("AWS/SQS", "ApproximateNumberOfMessagesVisible", queue), f"{queue} has no alarm"
        assert int(props["MaximumRetryAttempts"]) >= 1


def test_every_queue_has_a_dead_letter_alarm_and_an_age_alarm():
    for _, _, props in STACK.events_of("SQS"):
        queue = props["Queue"]["Fn::GetAtt"][0]
        dlq = RESOURCES[queue]["Properties"]["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0]
        assert alarm_on("AWS/SQS", "ApproximateNumberOfMessagesVisible", dlq), f"{dlq}: no alarm"
        assert alarm_on("AWS/SQS", "ApproximateAgeOfOldestMessage", queue), f"{queue}: no age alarm"


def test_operator_alarms_exist_and_notify_the_alarm_topic():
    names = {(a.get("Namespace"), a.get("MetricName")) for a in alarms()}
    assert ("AWS/Lambda", "Throttles") in names
    five_xx = [a for a in alarms() if "5XXError" in json.dumps(a.get("Metrics", []))]
    assert five_xx, "no API 5xx rate alarm"
    for outbox in [fn for fn in FUNCTIONS if fn.endswith("OutboxFunction")]:
        assert alarm_on("AWS/Lambda", "IteratorAge", outbox), f"{outbox}: no iterator age alarm"
    for alarm in alarms():
        assert alarm["AlarmActions"] == [{"Ref": "AlarmTopic"}], alarm.get("AlarmDescription")
    assert RESOURCES["AlarmTopic"]["Type"] == "AWS::SNS::Topic"


def test_the_dashboard_shows_the_metrics_the_code_emits():
    from shared import metrics

    body = json.dumps(of_type("AWS::CloudWatch::Dashboard"))
    for name in (metrics.ORDERS_PLACED, metrics.PAYMENTS_SUCCEEDED, metrics.PAYMENTS_FAILED,
                 metrics.RESERVATIONS_REFUSED, metrics.CONSUMER_FAILURES, metrics.EVENTS_PUBLISHED,
                 metrics.OUTBOX_PUBLISH_FAILURES):
        assert name in body, f"{name} is emitted but not on the dashboard"
    for name in re.findall(r'\["ShopDesk", "(\w+)"', body) + re.findall(r'\[\\?"\.\\?", \\?"(\w+)\\?"', body):
        if not name.endswith("Error") and name not in ("Count", "Latency"):
            assert name in metrics.NAMES, f"the dashboard shows {name}, which nothing emits"


# -- backups ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("table", sorted(of_type("AWS::DynamoDB::Table")))
def test_every_table_has_point_in_time_recovery_and_is_in_the_backup_plan(table):
    props = RESOURCES[table]["Properties"]
    assert props.get("PointInTimeRecoverySpecification") == {"PointInTimeRecoveryEnabled": True}
    # The backup selection takes every table named <stack>-...: CloudFormation's names.
    assert "TableName" not in props, f"{table}: a fixed name escapes the backup selection"
    selection = json.dumps(RESOURCES["BackupSelection"]["Properties"]["BackupSelection"]["Resources"])
    assert ":table/${AWS::StackName}-*" in selection


def test_backups_are_daily_and_kept_35_days_including_the_media_bucket():
    rules = RESOURCES["BackupPlan"]["Properties"]["BackupPlan"]["BackupPlanRule"]
    assert any(r["ScheduleExpression"].startswith("cron(0 ") and r["Lifecycle"]["DeleteAfterDays"] == 35
               and r["ScheduleExpression"].split()[2:5] == ["*", "*", "?"] for r in rules)
    selected = RESOURCES["BackupSelection"]["Properties"]["BackupSelection"]["Resources"]
    assert {"Fn::GetAtt": ["MediaBucket", "Arn"]} in selected


# -- buckets ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("bucket", sorted(of_type("AWS::S3::Bucket")))
def test_every_bucket_keeps_versions_blocks_public_access_and_requires_tls(bucket):
    props = RESOURCES[bucket]["Properties"]
    assert props["VersioningConfiguration"] == {"Status": "Enabled"}
    assert all(props["PublicAccessBlockConfiguration"].values())
    policies = [p["Properties"]["PolicyDocument"] for p in of_type("AWS::S3::BucketPolicy").values()
                if p["Properties"]["Bucket"] == {"Ref": bucket}]
    denies = [s for doc in policies for s in doc["Statement"]
              if s["Effect"] == "Deny" and s.get("Condition") == {"Bool": {"aws:SecureTransport": False}}]
    assert denies, f"{bucket}: requests over plain HTTP are not refused"
    resources = json.dumps(denies[0]["Resource"])
    assert f'"{bucket}", "Arn"' in resources and f"${{{bucket}.Arn}}/*" in resources


def test_exports_expire_and_no_bucket_allows_every_origin():
    rules = RESOURCES["MediaBucket"]["Properties"]["LifecycleConfiguration"]["Rules"]
    assert any(r.get("Prefix") == "exports/" and r.get("ExpirationInDays") for r in rules)
    for name, bucket in of_type("AWS::S3::Bucket").items():
        for rule in (bucket["Properties"].get("CorsConfiguration") or {}).get("CorsRules", []):
            assert "*" not in rule["AllowedOrigins"], f"{name}: CORS allows every origin"


def test_the_api_allows_one_origin_from_a_parameter():
    cors = RESOURCES["ShopApi"]["Properties"]["Cors"]["AllowOrigin"]
    assert cors == {"Fn::Sub": "'${AllowedOrigin}'"}
    assert RAW["Parameters"]["AllowedOrigin"]["Default"] != "*"


S3_PREFIXES = ("uploads/", "imports/", "exports/", "shops/")


@pytest.mark.parametrize("function", sorted(FUNCTIONS))
def test_s3_permissions_cover_only_prefixes_never_the_whole_bucket(function):
    for policy in FUNCTIONS[function].get("Policies", []):
        if isinstance(policy, dict):
            assert not {"S3CrudPolicy", "S3ReadPolicy", "S3WritePolicy", "S3FullAccessPolicy"} & set(policy), \
                f"{function}: a SAM S3 policy template grants the whole bucket"
        for statement in (policy.get("Statement", []) if isinstance(policy, dict) else []):
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            if not any(a.startswith("s3:") for a in actions):
                continue
            assert "s3:*" not in actions
            resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
            for resource in resources:
                text = resource.get("Fn::Sub") if isinstance(resource, dict) else resource
                assert isinstance(text, str) and text.startswith("${MediaBucket.Arn}/"), (function, resource)
                path = text.removeprefix("${MediaBucket.Arn}/")
                assert path.startswith(S3_PREFIXES), f"{function}: {path} is not under a known prefix"


# -- limits ------------------------------------------------------------------------------------------------
def test_the_api_stage_has_a_waf_with_per_ip_rate_limits_and_the_aws_common_rules():
    (acl_name, acl), = of_type("AWS::WAFv2::WebACL").items()
    rules = json.dumps(acl["Properties"]["Rules"])
    assert '"RateBasedStatement"' in rules and '"AggregateKeyType": "IP"' in rules
    assert '"AggregateKeyType": "FORWARDED_IP"' in rules  # behind CloudFront: the viewer's IP
    assert '"Name": "AWSManagedRulesCommonRuleSet"' in rules
    (association,) = of_type("AWS::WAFv2::WebACLAssociation").values()
    assert association["Properties"]["WebACLArn"] == {"Fn::GetAtt": [acl_name, "Arn"]}
    assert "/restapis/${ShopApi}/stages/${ShopApi.Stage}" in association["Properties"]["ResourceArn"]["Fn::Sub"]


def _calls_providers(props: dict) -> bool:
    text = json.dumps(props.get("Policies", []))
    return "sns:Publish" in text or "SESCrudPolicy" in text or props["Handler"] == "app.deliver_webhooks"


@pytest.mark.parametrize("function", sorted(fn for fn, p in FUNCTIONS.items()
                                            if _calls_providers(p) and not any(e["Type"] == "Api" for e in p["Events"].values())))
def test_functions_that_call_providers_have_reserved_concurrency_and_their_poller_stays_under_it(function):
    props = FUNCTIONS[function]
    reserved = int(props.get("ReservedConcurrentExecutions", 0))
    assert 0 < reserved <= 10, f"{function}: no reserved concurrency"
    for event in props["Events"].values():
        if event["Type"] == "SQS":
            assert 2 <= int(event["Properties"]["ScalingConfig"]["MaximumConcurrency"]) <= reserved


# -- hosting -------------------------------------------------------------------------------------------------
def test_every_answer_of_the_hosting_carries_the_security_headers():
    (distribution,) = of_type("AWS::CloudFront::Distribution").values()
    config = distribution["Properties"]["DistributionConfig"]
    behaviours = [config["DefaultCacheBehavior"], *config.get("CacheBehaviors", [])]
    for behaviour in behaviours:
        policy = behaviour["ResponseHeadersPolicyId"]["Ref"]
        headers = RESOURCES[policy]["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
        csp = json.dumps(headers["ContentSecurityPolicy"]["ContentSecurityPolicy"])
        assert "frame-ancestors 'none'" in csp and ("default-src 'self'" in csp or "default-src 'none'" in csp)
        assert headers["ContentTypeOptions"]["Override"] is True
        assert headers["ReferrerPolicy"]["ReferrerPolicy"] == "no-referrer"
        assert headers["StrictTransportSecurity"]["AccessControlMaxAgeSec"] >= 31536000
        assert behaviour["ViewerProtocolPolicy"] in ("https-only", "redirect-to-https")


def test_the_hosting_sends_the_same_policies_as_the_local_gateway():
    """One content security policy, locally and on AWS: the pages' (the media origin being the
    region's S3 endpoints) and the API answers'."""
    from infra.runtime.gateway import API_POLICY, PAGE_POLICY

    (distribution,) = of_type("AWS::CloudFront::Distribution").values()
    config = distribution["Properties"]["DistributionConfig"]

    def csp(behaviour: dict) -> str:
        policy = RESOURCES[behaviour["ResponseHeadersPolicyId"]["Ref"]]["Properties"]["ResponseHeadersPolicyConfig"]
        value = policy["SecurityHeadersConfig"]["ContentSecurityPolicy"]["ContentSecurityPolicy"]
        return value["Fn::Sub"] if isinstance(value, dict) else value

    media = "https://*.s3.amazonaws.com https://*.s3.${AWS::Region}.amazonaws.com"
    assert csp(config["DefaultCacheBehavior"]) == PAGE_POLICY.format(media=media)
    (api,) = [b for b in config["CacheBehaviors"] if b["PathPattern"] == "/api/*"]
    assert csp(api) == API_POLICY


# -- one way in the code -------------------------------------------------------------------------------------
def _handler(function: str) -> ast.FunctionDef:
    props = FUNCTIONS[function]
    module, _, name = props["Handler"].rpartition(".")
    tree = ast.parse((ROOT / props["CodeUri"] / f"{module}.py").read_text())
    return next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == name)


@pytest.mark.parametrize("function", sorted({fn for fn, _, _ in STACK.events_of("SQS")}))
def test_every_queue_consumer_is_one_call_of_the_consumer_helper(function):
    node = _handler(function)
    assert not node.decorator_list, f"{function}: a decorated handler (use shared.events.consumer)"
    returns = [n for n in ast.walk(node) if isinstance(n, ast.Return)]
    assert len(returns) == 1 and isinstance(returns[0].value, ast.Call)
    called = returns[0].value.func
    assert getattr(called, "id", getattr(called, "attr", None)) in ("consume", "consume_messages"), function
    statements = [n for n in node.body if not isinstance(n, (ast.Expr, ast.ImportFrom))]  # docstring, lazy import
    assert len(statements) == 1, f"{function}: more than the one call (logic belongs in the record handler)"


@pytest.mark.parametrize("function", sorted(fn for fn, p in FUNCTIONS.items()
                                            if not any(e["Type"] in ("Api", "SQS") for e in p["Events"].values())))
def test_every_schedule_and_stream_handler_logs_with_its_lambda_context(function):
    """API routes get it from ShopApp, consumers from consume(); the others say @observed, or
    are the outbox publisher (made by shared.events.outbox.publisher, which does the same)."""
    if FUNCTIONS[function]["Handler"] == "app.publish" and FUNCTIONS[function]["CodeUri"] == "functions/outbox/":
        return
    decorators = [getattr(d, "id", getattr(d, "attr", None)) for d in _handler(function).decorator_list]
    assert "observed" in decorators, f"{function}: decorate its handler with shared.observability.observed"


def test_nothing_in_shared_or_functions_logs_through_a_bare_stdlib_logger():
    for folder in ("shared", "functions"):
        for path in (ROOT / folder).rglob("*.py"):
            text = path.read_text()
            assert "logging.getLogger" not in text.replace("``logging.getLogger``", ""), \
                f"{path.relative_to(ROOT)}: log through shared.observability.log"


def test_the_route_table_in_docs_is_generated_from_the_routes():
    from infra import route_docs

    current = route_docs.DOC.read_text(encoding="utf-8")
    assert route_docs.rendered(current, route_docs.api_specs(STACK)) == current, \
        "docs/api.md's route table is stale: python -m infra.route_docs --write"
    for doc in Path(ROOT / "docs").glob("*.md"):
        if doc.name != "api.md":
            assert not re.search(r"^\| (GET|POST|PUT|DELETE)\b", doc.read_text(), re.M), \
                f"{doc.name} keeps a route table by hand (link to api.md#routes)"
