"""Create ``template.yaml``'s resources in the local cloud, idempotently: tables (keys, GSIs,
streams, TTL), queues with their DLQs, the event bus and rules with targets, buckets (with
CORS and event notifications to queues), KMS keys and the Cognito user pool and client. Running it again changes nothing.

Ids that the local cloud generates (user pool, client, key) are kept in ``stack-state.json``
in the data folder, beside the local cloud's own persisted state.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import boto3

from infra.stack import ACCOUNT_ID, Stack

SKIPPED = {"AWS::Serverless::Function", "AWS::Serverless::Api", "AWS::Serverless::LayerVersion",
           "AWS::SQS::QueuePolicy"}  # run by the local runtime, or not enforced locally
# What only exists on AWS: the edge (CloudFront, WAF), operations (alarms, dashboard, their
# topic), backups (AWS Backup, PITR is a table setting) and IAM/bucket policies, which the local
# cloud does not enforce. docs/local-runtime.md "What runs only on AWS".
DEPLOY_ONLY = {"AWS::CloudWatch::Alarm", "AWS::CloudWatch::Dashboard", "AWS::SNS::Topic", "AWS::SNS::Subscription",
               "AWS::WAFv2::WebACL", "AWS::WAFv2::WebACLAssociation", "AWS::CloudFront::Distribution",
               "AWS::CloudFront::Function", "AWS::CloudFront::OriginAccessControl",
               "AWS::CloudFront::ResponseHeadersPolicy", "AWS::S3::BucketPolicy", "AWS::Backup::BackupVault",
               "AWS::Backup::BackupPlan", "AWS::Backup::BackupSelection", "AWS::IAM::Role"}


class Provisioner:
    def __init__(self, stack: Stack, state_file: Path) -> None:
        self.stack = stack
        self.state_file = state_file
        self.state: dict[str, dict[str, str]] = (
            json.loads(state_file.read_text()) if state_file.exists() else {})

    def client(self, service: str) -> Any:
        return boto3.client(service, region_name=self.stack.region)

    def run(self) -> dict[str, dict[str, str]]:
        handlers = {
            "AWS::DynamoDB::Table": self.table,
            "AWS::SQS::Queue": self.queue,
            "AWS::Events::EventBus": self.bus,
            "AWS::S3::Bucket": self.bucket,
            "AWS::KMS::Key": self.key,
            "AWS::Cognito::UserPool": self.user_pool,
            "AWS::Cognito::UserPoolClient": self.user_pool_client,
            "AWS::Events::Rule": self.rule,
            "AWS::SES::EmailIdentity": self.email_identity,
        }
        pending = {k: v for k, v in self.stack.resources.items()
                   if v["Type"] not in SKIPPED | DEPLOY_ONLY and self.stack.condition_holds(v)}
        unknown = sorted({v["Type"] for v in pending.values()} - set(handlers))
        if unknown:
            raise NotImplementedError(f"the local provisioner does not know {unknown}: add them to infra/provision.py")
        # Resources refer to each other (a queue's DLQ, a rule's target): create in passes until
        # every reference resolves.
        while pending:
            progressed = False
            for logical, res in list(pending.items()):
                try:
                    props = self.stack.resolve(res.get("Properties", {}))
                except KeyError:
                    continue
                self.stack.physical[logical] = handlers[res["Type"]](logical, props)
                del pending[logical]
                progressed = True
            if not progressed:
                raise RuntimeError(f"unresolvable references among {sorted(pending)}")
        self.state_file.write_text(json.dumps(self.state, indent=2))
        return self.stack.physical

    # -- one method per resource type ----------------------------------------------------------
    def table(self, logical: str, p: dict[str, Any]) -> dict[str, str]:
        ddb = self.client("dynamodb")
        name = p.get("TableName") or self.stack.name_for(logical)
        try:
            desc = ddb.describe_table(TableName=name)["Table"]
        except ddb.exceptions.ResourceNotFoundException:
            kwargs: dict[str, Any] = {
                "TableName": name, "BillingMode": "PAY_PER_REQUEST",
                "AttributeDefinitions": p["AttributeDefinitions"], "KeySchema": p["KeySchema"],
            }
            if p.get("GlobalSecondaryIndexes"):
                kwargs["GlobalSecondaryIndexes"] = p["GlobalSecondaryIndexes"]
            # SHOPDESK_NO_STREAMS=1 is for benchmarks that seed large throwaway data in-process:
            # DynamoDB Local's streams slow every write as their records pile up.
            if p.get("StreamSpecification") and os.environ.get("SHOPDESK_NO_STREAMS") != "1":
                kwargs["StreamSpecification"] = {"StreamEnabled": True, **p["StreamSpecification"]}
            ddb.create_table(**kwargs)
            ddb.get_waiter("table_exists").wait(TableName=name)
            desc = ddb.describe_table(TableName=name)["Table"]
        self._check_table(name, p, desc)
        ttl = p.get("TimeToLiveSpecification")
        if ttl and ttl.get("Enabled"):
            current = ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
            if current.get("TimeToLiveStatus") not in ("ENABLED", "ENABLING"):
                ddb.update_time_to_live(TableName=name, TimeToLiveSpecification=ttl)
        return {"Ref": name, "Arn": desc["TableArn"], "StreamArn": desc.get("LatestStreamArn", ""),
                "TimeToLiveAttribute": (ttl or {}).get("AttributeName", "") if (ttl or {}).get("Enabled") else ""}

    def _check_table(self, name: str, p: dict[str, Any], desc: dict[str, Any]) -> None:
        """A table made from an older template: add the GSIs the template gained since."""
        have = {g["IndexName"] for g in desc.get("GlobalSecondaryIndexes", [])}
        for gsi in p.get("GlobalSecondaryIndexes", []):
            if gsi["IndexName"] not in have:
                self.client("dynamodb").update_table(
                    TableName=name, AttributeDefinitions=p["AttributeDefinitions"],
                    GlobalSecondaryIndexUpdates=[{"Create": gsi}])

    def queue(self, logical: str, p: dict[str, Any]) -> dict[str, str]:
        sqs = self.client("sqs")
        name = p.get("QueueName") or self.stack.name_for(logical)
        attrs = {k: (json.dumps(v) if isinstance(v, dict) else str(v)) for k, v in p.items()
                 if k in ("VisibilityTimeout", "MessageRetentionPeriod", "RedrivePolicy", "DelaySeconds",
                          "ReceiveMessageWaitTimeSeconds", "FifoQueue", "ContentBasedDeduplication")}
        url = sqs.create_queue(QueueName=name, Attributes=attrs)["QueueUrl"]
        return {"Ref": url, "Arn": f"arn:aws:sqs:{self.stack.region}:{ACCOUNT_ID}:{name}", "QueueName": name,
                "QueueUrl": url}

    def bus(self, logical: str, p: dict[str, Any]) -> dict[str, str]:
        events = self.client("events")
        name = p["Name"]
        try:
            arn = events.describe_event_bus(Name=name)["Arn"]
        except events.exceptions.ResourceNotFoundException:
            arn = events.create_event_bus(Name=name)["EventBusArn"]
        return {"Ref": name, "Arn": arn, "Name": name}

    def rule(self, logical: str, p: dict[str, Any]) -> dict[str, str]:
        events = self.client("events")
        name = p.get("Name") or self.stack.name_for(logical)
        kwargs: dict[str, Any] = {"Name": name, "EventBusName": p.get("EventBusName", "default"),
                                  "State": p.get("State", "ENABLED")}
        if "EventPattern" in p:  # an object, or its JSON text (the consumers' Mappings)
            pattern = p["EventPattern"]
            kwargs["EventPattern"] = pattern if isinstance(pattern, str) else json.dumps(pattern)
        if "ScheduleExpression" in p:
            kwargs["ScheduleExpression"] = p["ScheduleExpression"]
        arn = events.put_rule(**kwargs)["RuleArn"]
        targets = [{"Id": t["Id"], "Arn": t["Arn"]} for t in p.get("Targets", [])]
        if targets:
            events.put_targets(Rule=name, EventBusName=kwargs["EventBusName"], Targets=targets)
        return {"Ref": name, "Arn": arn}

    def email_identity(self, logical: str, p: dict[str, Any]) -> dict[str, str]:
        self.client("ses").verify_email_identity(EmailAddress=p["EmailIdentity"])
        return {"Ref": p["EmailIdentity"]}

    def bucket(self, logical: str, p: dict[str, Any]) -> dict[str, str]:
        s3 = self.client("s3")
        name = p.get("BucketName") or self.stack.name_for(logical)
        existing = {b["Name"] for b in s3.list_buckets().get("Buckets", [])}
        if name not in existing:
            kwargs: dict[str, Any] = {"Bucket": name}
            if self.stack.region != "us-east-1":
                kwargs["CreateBucketConfiguration"] = {"LocationConstraint": self.stack.region}
            s3.create_bucket(**kwargs)
        if (p.get("VersioningConfiguration") or {}).get("Status") == "Enabled":
            s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
        if "CorsConfiguration" in p:
            # CloudFormation spells some CORS keys differently from the S3 API.
            rename = {"MaxAge": "MaxAgeSeconds", "Id": "ID", "ExposedHeaders": "ExposeHeaders"}
            rules = [{rename.get(k, k): v for k, v in rule.items()} for rule in p["CorsConfiguration"]["CorsRules"]]
            s3.put_bucket_cors(Bucket=name, CORSConfiguration={"CORSRules": rules})
        if "NotificationConfiguration" in p:
            self._notifications(name, p["NotificationConfiguration"])
        return {"Ref": name, "Arn": f"arn:aws:s3:::{name}", "DomainName": f"{name}.s3.amazonaws.com"}

    def _notifications(self, bucket: str, cfn: dict[str, Any]) -> None:
        """CloudFormation's ``NotificationConfiguration`` as the S3 API spells it (``Queue`` ->
        ``QueueArn``, ``Event`` -> ``Events: [..]``, ``Filter.S3Key.Rules`` ->
        ``Filter.Key.FilterRules``). Set only when it differs: setting it makes S3 (and moto)
        send an ``s3:TestEvent`` to every queue."""
        def filtered(c: dict[str, Any]) -> dict[str, Any]:
            rules = (c.get("Filter") or {}).get("S3Key", {}).get("Rules", [])
            return {"Filter": {"Key": {"FilterRules": [{"Name": r["Name"], "Value": r["Value"]} for r in rules]}}} \
                if rules else {}

        wanted: dict[str, Any] = {}
        for cfn_key, api_key, target in (("QueueConfigurations", "QueueConfigurations", "Queue"),
                                         ("TopicConfigurations", "TopicConfigurations", "Topic"),
                                         ("LambdaConfigurations", "LambdaFunctionConfigurations", "Function")):
            if cfn.get(cfn_key):
                arn_key = {"Queue": "QueueArn", "Topic": "TopicArn", "Function": "LambdaFunctionArn"}[target]
                wanted[api_key] = [{arn_key: c[target], "Events": [c["Event"]], **filtered(c)} for c in cfn[cfn_key]]
        s3 = self.client("s3")
        current = s3.get_bucket_notification_configuration(Bucket=bucket)

        def normal(conf: dict[str, Any]) -> Any:
            out = {}
            for api_key in ("QueueConfigurations", "TopicConfigurations", "LambdaFunctionConfigurations"):
                items = [{k: v for k, v in c.items() if k != "Id"} for c in conf.get(api_key, [])]
                for item in items:
                    for rule in item.get("Filter", {}).get("Key", {}).get("FilterRules", []):
                        rule["Name"] = rule["Name"].lower()
                if items:
                    out[api_key] = sorted(json.dumps(i, sort_keys=True) for i in items)
            return out

        if normal(current) != normal(wanted):
            s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration=wanted)

    def key(self, logical: str, p: dict[str, Any]) -> dict[str, str]:
        kms = self.client("kms")
        known = self.state.get(logical, {}).get("Ref")
        if known:
            try:
                meta = kms.describe_key(KeyId=known)["KeyMetadata"]
                return {"Ref": meta["KeyId"], "Arn": meta["Arn"]}
            except kms.exceptions.NotFoundException:
                pass
        meta = kms.create_key(Description=p.get("Description", logical))["KeyMetadata"]
        self.state[logical] = {"Ref": meta["KeyId"]}
        return {"Ref": meta["KeyId"], "Arn": meta["Arn"]}

    def user_pool(self, logical: str, p: dict[str, Any]) -> dict[str, str]:
        idp = self.client("cognito-idp")
        known = self.state.get(logical, {}).get("Ref")
        if known:
            try:
                pool = idp.describe_user_pool(UserPoolId=known)["UserPool"]
                return self._pool(pool)
            except idp.exceptions.ResourceNotFoundException:
                pass
        kwargs = {k: p[k] for k in ("Policies", "AutoVerifiedAttributes", "AdminCreateUserConfig", "Schema")
                  if k in p}
        pool = idp.create_user_pool(PoolName=p.get("UserPoolName", logical), **kwargs)["UserPool"]
        self.state[logical] = {"Ref": pool["Id"]}
        return self._pool(pool)

    def _pool(self, pool: dict[str, Any]) -> dict[str, str]:
        return {"Ref": pool["Id"], "Arn": pool["Arn"],
                "ProviderName": f"cognito-idp.{self.stack.region}.amazonaws.com/{pool['Id']}"}

    def user_pool_client(self, logical: str, p: dict[str, Any]) -> dict[str, str]:
        idp = self.client("cognito-idp")
        known = self.state.get(logical, {})
        settable = ("ExplicitAuthFlows", "AccessTokenValidity", "IdTokenValidity", "RefreshTokenValidity",
                    "TokenValidityUnits", "PreventUserExistenceErrors", "ReadAttributes", "WriteAttributes",
                    "EnableTokenRevocation")
        if known.get("Ref") and known.get("Pool") == p["UserPoolId"]:
            try:
                idp.describe_user_pool_client(UserPoolId=p["UserPoolId"], ClientId=known["Ref"])
                # A data folder from before a template change gets the client's new settings.
                idp.update_user_pool_client(UserPoolId=p["UserPoolId"], ClientId=known["Ref"],
                                            ClientName=p.get("ClientName", logical),
                                            **{k: p[k] for k in settable if k in p})
                return {"Ref": known["Ref"]}
            except idp.exceptions.ResourceNotFoundException:
                pass
        kwargs = {k: p[k] for k in ("GenerateSecret", *settable) if k in p}
        client_id = idp.create_user_pool_client(UserPoolId=p["UserPoolId"], ClientName=p.get("ClientName", logical),
                                                **kwargs)["UserPoolClient"]["ClientId"]
        self.state[logical] = {"Ref": client_id, "Pool": p["UserPoolId"]}
        return {"Ref": client_id}
