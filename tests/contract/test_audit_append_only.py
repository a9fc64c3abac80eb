"""The audit log is append-only where it runs: in IAM. Whatever form a grant takes in
``template.yaml`` — a SAM policy template (``DynamoDBCrudPolicy`` ...), an inline statement
(``dynamodb:*``, ``UpdateItem``, ``DeleteItem``, ``BatchWriteItem``, PartiQL, wildcards in the
action or the resource, ``NotAction`` / ``NotResource``), an AWS managed policy, an IAM role or
policy resource, or a SAM connector — no function may update or delete an audit entry, and only
the audit writer (the consumer whose handler is ``record_audit``) may put one, which it does
with ``attribute_not_exists`` (tests/integration/test_events.py shows a replay keeps the first).

The last tests feed ``audit_grants`` made-up templates of each form, to show it catches them.
"""
from __future__ import annotations

import copy
import re
from fnmatch import fnmatchcase
from typing import Any

import pytest

from infra.stack import load_template

AUDIT_TABLE = "AuditTable"
WRITER_HANDLER = "record_audit"
# Actions that change or remove an existing entry: nobody. ``PutItem`` and ``PartiQLInsert``
# create (and an unconditional PutItem overwrites): the audit writer only.
DESTRUCTIVE = ("dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem", "dynamodb:PartiQLUpdate",
               "dynamodb:PartiQLDelete", "dynamodb:DeleteTable", "dynamodb:UpdateTable",
               "dynamodb:RestoreTableToPointInTime", "dynamodb:ImportTable")
CREATING = ("dynamodb:PutItem", "dynamodb:PartiQLInsert")
READ_ONLY_TEMPLATES = {"DynamoDBReadPolicy", "DynamoDBStreamReadPolicy"}
# AWS managed policies known not to reach DynamoDB items; any other managed policy fails (name it
# here only after reading what it grants).
HARMLESS_MANAGED = {"AWSLambdaBasicExecutionRole", "AWSLambdaSQSQueueExecutionRole", "AWSXRayDaemonWriteAccess",
                    "AWSXrayWriteOnlyAccess", "CloudWatchLambdaInsightsExecutionRolePolicy",
                    "AWSLambdaVPCAccessExecutionRole"}
UNKNOWN = "*"  # a value the template does not fix (an import, a parameter): it could be anything


class Names:
    """Physical names and ARNs as CloudFormation would make them, for matching resource patterns."""

    def __init__(self, template: dict[str, Any]) -> None:
        self.template = template
        self.resources = template.get("Resources", {})
        self.parameters = template.get("Parameters", {})

    def name(self, logical: str) -> str:
        props = self.resources.get(logical, {}).get("Properties", {})
        given = props.get("TableName")
        return self.text(given)[0] if given is not None else f"STACK-{logical}-RANDOM"

    def arn(self, logical: str) -> str:
        return f"arn:aws:dynamodb:REGION:ACCOUNT:table/{self.name(logical)}"

    def text(self, value: Any) -> list[str]:
        """Every string an intrinsic may stand for (both branches of an ``Fn::If``)."""
        if isinstance(value, str):
            return [value]
        if isinstance(value, list):
            return [t for v in value for t in self.text(v)]
        if not isinstance(value, dict) or len(value) != 1:
            return [UNKNOWN]
        (fn, arg), = value.items()
        if fn == "Ref":
            return [self._ref(arg)]
        if fn == "Fn::GetAtt":
            logical, attr = arg if isinstance(arg, list) else arg.split(".", 1)
            return [self._att(logical, attr)]
        if fn == "Fn::Sub":
            pattern, extra = (arg, {}) if isinstance(arg, str) else (arg[0], arg[1])
            return [re.sub(r"\$\{([^}]+)\}", lambda m: self._var(m.group(1), extra), pattern)]
        if fn == "Fn::Join":
            separator, parts = arg
            return [separator.join(p) for p in _product([self.text(p) for p in parts])]
        if fn == "Fn::If":
            return self.text(arg[1]) + self.text(arg[2])
        return [UNKNOWN]

    def _ref(self, name: str) -> str:
        pseudo = {"AWS::Region": "REGION", "AWS::AccountId": "ACCOUNT", "AWS::Partition": "aws",
                  "AWS::StackName": "STACK", "AWS::URLSuffix": "amazonaws.com"}
        if name in pseudo:
            return pseudo[name]
        if name in self.parameters:
            return UNKNOWN
        if self.resources.get(name, {}).get("Type") == "AWS::DynamoDB::Table":
            return self.name(name)
        return f"STACK-{name}-RANDOM"

    def _att(self, logical: str, attr: str) -> str:
        if self.resources.get(logical, {}).get("Type") == "AWS::DynamoDB::Table":
            return self.arn(logical) + ("/stream/TIME" if attr == "StreamArn" else "")
        return f"arn:aws:other:REGION:ACCOUNT:{logical}/{attr}"

    def _var(self, name: str, extra: dict[str, Any]) -> str:
        if name in extra:
            return self.text(extra[name])[0]
        if "." in name and not name.startswith("AWS::"):
            return self._att(*name.split(".", 1))
        return self._ref(name)


def _product(lists: list[list[str]]) -> list[list[str]]:
    out: list[list[str]] = [[]]
    for options in lists:
        out = [[*o, t] for o in out for t in options]
    return out


def _covers(patterns: list[str], arn: str) -> bool:
    """IAM resource patterns (``*`` and ``?``) that match the table's ARN (items are written
    through the table's ARN, never through an index's)."""
    return any(fnmatchcase(arn, p) for p in patterns)


def _granted(statement: dict[str, Any], wanted: tuple[str, ...]) -> list[str]:
    """Which of ``wanted`` an Allow statement grants (by ``Action`` patterns or ``NotAction``)."""
    if statement.get("Effect", "Allow") != "Allow":
        return []
    if "NotAction" in statement:
        excluded = _as_list(statement["NotAction"])
        return [a for a in wanted if not any(fnmatchcase(a.lower(), str(p).lower()) for p in excluded)]
    actions = _as_list(statement.get("Action", []))
    return [a for a in wanted if any(fnmatchcase(a.lower(), str(p).lower()) for p in actions)]


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _reaches(names: Names, statement: dict[str, Any]) -> bool:
    audit = names.arn(AUDIT_TABLE)
    if "NotResource" in statement:
        return not _covers([t for r in _as_list(statement["NotResource"]) for t in names.text(r)], audit)
    return _covers([t for r in _as_list(statement.get("Resource", [])) for t in names.text(r)], audit)


def _statements(document: Any) -> list[dict[str, Any]]:
    if isinstance(document, dict) and "Statement" in document:
        return [s for s in _as_list(document["Statement"]) if isinstance(s, dict)]
    return []


def _policy_findings(names: Names, where: str, policies: list[Any], writer: bool) -> list[str]:
    found = []
    for policy in policies:
        if isinstance(policy, str):  # an AWS managed policy, by name or ARN
            if policy.rsplit("/", 1)[-1] not in HARMLESS_MANAGED:
                found.append(f"{where}: managed policy {policy} (cannot tell that it spares the audit table)")
            continue
        if not isinstance(policy, dict):
            found.append(f"{where}: a policy the test cannot read: {policy!r}")
            continue
        if "Statement" in policy:
            found += _statement_findings(names, where, _statements(policy), writer)
            continue
        for template, args in policy.items():
            if "DynamoDB" not in template or template in READ_ONLY_TEMPLATES:
                continue
            tables = names.text((args or {}).get("TableName", {"Fn::ImportValue": "?"}))
            if any(fnmatchcase(names.name(AUDIT_TABLE), t) for t in tables):
                found.append(f"{where}: {template} on the audit table")
    return found


def _statement_findings(names: Names, where: str, statements: list[dict[str, Any]], writer: bool) -> list[str]:
    found = []
    for statement in statements:
        if not _reaches(names, statement):
            continue
        for action in _granted(statement, DESTRUCTIVE) + ([] if writer else _granted(statement, CREATING)):
            found.append(f"{where}: {action} reaches the audit table")
    return found


def audit_grants(template: dict[str, Any]) -> list[str]:
    """Every grant in the template that lets something other than the audit writer put, or
    anything at all change or delete, an audit entry."""
    names = Names(template)
    found: list[str] = []
    globals_ = template.get("Globals", {}).get("Function", {})
    for logical, res in names.resources.items():
        kind, props = res.get("Type"), res.get("Properties") or {}
        if kind == "AWS::Serverless::Function":
            writer = str(props.get("Handler", "")).rsplit(".", 1)[-1] == WRITER_HANDLER
            policies = _as_list(globals_.get("Policies", [])) + _as_list(props.get("Policies", []))
            found += _policy_findings(names, logical, policies, writer)
        elif kind == "AWS::IAM::Role":
            found += _policy_findings(names, logical, props.get("ManagedPolicyArns", []), False)
            for inline in props.get("Policies", []):
                found += _statement_findings(names, logical, _statements(inline.get("PolicyDocument")), False)
        elif kind in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
            found += _statement_findings(names, logical, _statements(props.get("PolicyDocument")), False)
        elif kind == "AWS::Serverless::Connector":
            destinations = _as_list(props.get("Destination", []))
            if any(d.get("Id") == AUDIT_TABLE or names.text(d.get("Arn", "")) == [names.arn(AUDIT_TABLE)]
                   for d in destinations if isinstance(d, dict)) and "Write" in props.get("Permissions", []):
                found.append(f"{logical}: a Write connector to the audit table")
    return found


TEMPLATE = load_template()


def test_no_function_can_change_or_delete_an_audit_entry_and_only_the_writer_can_add_one():
    assert audit_grants(TEMPLATE) == []


def test_the_audit_writer_exists_and_may_put_entries():
    """The rule holds for a reason: the writer is there, and its grant is what the test allows."""
    writers = [k for k, r in TEMPLATE["Resources"].items() if r["Type"] == "AWS::Serverless::Function"
               and r["Properties"]["Handler"].rsplit(".", 1)[-1] == WRITER_HANDLER]
    assert len(writers) == 1
    grants = [s for p in TEMPLATE["Resources"][writers[0]]["Properties"]["Policies"] if isinstance(p, dict)
              for s in _statements(p) if _reaches(Names(TEMPLATE), s)]
    assert [a for s in grants for a in _granted(s, CREATING)] == ["dynamodb:PutItem"]


# -- the check catches each form of grant --------------------------------------------------------------------
def _with(policy: Any, handler: str = "app.app", extra: dict[str, Any] | None = None) -> dict[str, Any]:
    template = copy.deepcopy(TEMPLATE)
    template["Resources"]["SneakyFunction"] = {"Type": "AWS::Serverless::Function", "Properties": {
        "CodeUri": "functions/identity/", "Handler": handler, "Policies": [policy]}}
    template["Resources"].update(extra or {})
    return template


def _allow(action: Any, resource: Any, **more: Any) -> dict[str, Any]:
    return {"Statement": [{"Effect": "Allow", "Action": action, "Resource": resource, **more}]}


AUDIT_ARN = {"Fn::GetAtt": ["AuditTable", "Arn"]}
CAUGHT = {
    "crud template": {"DynamoDBCrudPolicy": {"TableName": {"Ref": "AuditTable"}}},
    "write template": {"DynamoDBWritePolicy": {"TableName": {"Ref": "AuditTable"}}},
    "dynamodb:*": _allow("dynamodb:*", AUDIT_ARN),
    "update item": _allow(["dynamodb:GetItem", "dynamodb:UpdateItem"], AUDIT_ARN),
    "delete item": _allow("dynamodb:DeleteItem", {"Fn::GetAtt": "AuditTable.Arn"}),
    "batch write": _allow(["dynamodb:BatchWriteItem"], {"Fn::Sub": "${AuditTable.Arn}"}),
    "partiql": _allow(["dynamodb:PartiQLUpdate"], AUDIT_ARN),
    "wildcard action": _allow("dynamodb:*Item", AUDIT_ARN),
    "star resource": _allow("dynamodb:DeleteItem", "*"),
    "every table": _allow("dynamodb:DeleteItem",
                          {"Fn::Sub": "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/*"}),
    "tables of the stack": _allow("dynamodb:UpdateItem", {"Fn::Sub": "arn:aws:dynamodb:*:*:table/${AWS::StackName}-*"}),
    "joined arn": _allow("dynamodb:DeleteItem", {"Fn::Join": ["", ["arn:aws:dynamodb:", {"Ref": "AWS::Region"},
                                                                   ":", {"Ref": "AWS::AccountId"}, ":table/*"]]}),
    "not action": {"Statement": [{"Effect": "Allow", "NotAction": ["dynamodb:Scan"], "Resource": AUDIT_ARN}]},
    "not resource": {"Statement": [{"Effect": "Allow", "Action": "dynamodb:DeleteItem",
                                    "NotResource": {"Fn::GetAtt": ["CatalogTable", "Arn"]}}]},
    "put by another function": _allow("dynamodb:PutItem", AUDIT_ARN),
    "managed policy": "AmazonDynamoDBFullAccess",
    "managed policy arn": "arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess",
    "imported table name": {"DynamoDBCrudPolicy": {"TableName": {"Fn::ImportValue": "audit-table"}}},
    "if branch": _allow("dynamodb:DeleteItem", {"Fn::If": ["Prod", {"Fn::GetAtt": ["CatalogTable", "Arn"]}, AUDIT_ARN]}),
}


@pytest.mark.parametrize("form", sorted(CAUGHT))
def test_each_form_of_grant_on_the_audit_table_is_caught(form):
    assert audit_grants(TEMPLATE) == []
    found = audit_grants(_with(CAUGHT[form]))
    assert found and all(f.startswith("SneakyFunction:") for f in found), found


def test_iam_resources_and_connectors_are_caught_too():
    role = {"Type": "AWS::IAM::Role", "Properties": {"Policies": [
        {"PolicyName": "p", "PolicyDocument": _allow("dynamodb:DeleteItem", AUDIT_ARN)}]}}
    policy = {"Type": "AWS::IAM::Policy", "Properties": {"PolicyDocument": _allow("dynamodb:UpdateItem", "*")}}
    connector = {"Type": "AWS::Serverless::Connector", "Properties": {
        "Source": {"Id": "CatalogFunction"}, "Destination": {"Id": "AuditTable"}, "Permissions": ["Read", "Write"]}}
    found = audit_grants(_with("AWSLambdaBasicExecutionRole", extra={"R": role, "P": policy, "C": connector}))
    assert sorted(f.split(":")[0] for f in found) == ["C", "P", "R"]


def test_what_is_allowed_stays_allowed():
    """Reads, other tables, denials and the writer's own put do not count."""
    harmless = [{"DynamoDBReadPolicy": {"TableName": {"Ref": "AuditTable"}}},
                {"DynamoDBCrudPolicy": {"TableName": {"Ref": "CatalogTable"}}},
                _allow(["dynamodb:Query", "dynamodb:GetItem"], [AUDIT_ARN, {"Fn::Sub": "${AuditTable.Arn}/index/*"}]),
                _allow("dynamodb:DeleteItem", {"Fn::Sub": "${CatalogTable.Arn}"}),
                {"Statement": [{"Effect": "Deny", "Action": "dynamodb:*", "Resource": "*"}]},
                "AWSLambdaBasicExecutionRole"]
    for policy in harmless:
        assert audit_grants(_with(policy)) == [], policy
    assert audit_grants(_with(_allow("dynamodb:PutItem", AUDIT_ARN), handler="app.record_audit")) == []
    assert audit_grants(_with(_allow("dynamodb:UpdateItem", AUDIT_ARN), handler="app.record_audit")) != []
