"""How the local tooling reads the template's language extensions and conditions, the way
CloudFormation does on AWS (infra/stack.py), and how the local runtime honours what the
template says about concurrency."""
from __future__ import annotations

import threading

import pytest

from infra.stack import Stack, expand

TEMPLATE = {
    "Parameters": {"Stage": {"Type": "String", "Default": "dev"}, "Origin": {"Type": "String", "Default": ""}},
    "Conditions": {"HasOrigin": {"Fn::Not": [{"Fn::Equals": [{"Ref": "Origin"}, ""]}]}},
    "Mappings": {"Consumers": {"Audit": {"Timeout": 60, "Pattern": '{"source": ["a"]}'},
                               "Sales": {"Timeout": 180, "Pattern": '{"source": ["b"]}'}}},
    "Resources": {
        "Bus": {"Type": "AWS::Events::EventBus", "Properties": {"Name": {"Fn::Sub": "bus-${Stage}"}}},
        "Fn::ForEach::Consumers": ["Name", ["Audit", "Sales"], {
            "${Name}Queue": {"Type": "AWS::SQS::Queue", "Properties": {
                "VisibilityTimeout": {"Fn::FindInMap": ["Consumers", {"Ref": "Name"}, "Timeout"]},
                "RedrivePolicy": {"deadLetterTargetArn": {"Fn::GetAtt": ["${Name}Dlq", "Arn"]}}}},
            "${Name}Dlq": {"Type": "AWS::SQS::Queue", "Properties": {}},
            "${Name}Rule": {"Type": "AWS::Events::Rule", "Properties": {
                "Description": {"Fn::Sub": "${Name} on ${Stage}"},
                "EventPattern": {"Fn::FindInMap": ["Consumers", {"Ref": "Name"}, "Pattern"]},
                "Targets": [{"Id": {"Ref": "Name"}, "Arn": {"Fn::GetAtt": ["${Name}Queue", "Arn"]}}]}},
        }],
        "Bucket": {"Type": "AWS::S3::Bucket", "Properties": {
            "Origins": [{"Fn::If": ["HasOrigin", {"Ref": "Origin"}, "https://*.cloudfront.net"]}],
            "Optional": {"Fn::If": ["HasOrigin", "x", {"Ref": "AWS::NoValue"}]}}},
    },
}


def test_for_each_makes_one_copy_per_value_with_the_identifier_and_mappings_filled_in():
    resources = expand(TEMPLATE)["Resources"]
    assert sorted(resources) == ["AuditDlq", "AuditQueue", "AuditRule", "Bucket", "Bus", "SalesDlq", "SalesQueue",
                                 "SalesRule"]
    sales = resources["SalesRule"]["Properties"]
    assert sales["EventPattern"] == '{"source": ["b"]}'
    assert sales["Targets"] == [{"Id": "Sales", "Arn": {"Fn::GetAtt": ["SalesQueue", "Arn"]}}]
    assert sales["Description"] == {"Fn::Sub": "Sales on ${Stage}"}  # CloudFormation's own variables stay
    assert resources["AuditQueue"]["Properties"]["VisibilityTimeout"] == "60"
    assert resources["AuditQueue"]["Properties"]["RedrivePolicy"]["deadLetterTargetArn"] == \
        {"Fn::GetAtt": ["AuditDlq", "Arn"]}


def test_a_loop_making_an_existing_logical_id_is_refused():
    template = {"Resources": {"AuditQueue": {}, "Fn::ForEach::X": ["N", ["Audit"], {"${N}Queue": {}}]}}
    with pytest.raises(ValueError, match="AuditQueue"):
        expand(template)


def _stack(**parameters: str) -> Stack:
    template = expand(TEMPLATE)
    params = {k: str(v.get("Default", "")) for k, v in template["Parameters"].items()}
    return Stack(template=template, region="us-east-1", prefix="t", parameters={**params, **parameters})


def test_conditions_choose_the_branch_and_no_value_leaves_the_property_out():
    bucket = TEMPLATE["Resources"]["Bucket"]["Properties"]
    assert _stack().resolve(bucket) == {"Origins": ["https://*.cloudfront.net"]}
    assert _stack(Origin="https://admin.example.com").resolve(bucket) == \
        {"Origins": ["https://admin.example.com"], "Optional": "x"}


def test_the_real_template_expands_and_every_reference_names_a_resource():
    stack = Stack.load(region="us-east-1", prefix="t")
    names = set(stack.resources) | set(stack.template.get("Parameters", {}))
    text = str(stack.template["Resources"])
    assert "${Consumer}" not in text and "${Capability}" not in text
    assert not [k for k in stack.template["Resources"] if k.startswith("Fn::ForEach")]
    for fn, _, props in stack.events_of("SQS"):
        assert props["Queue"]["Fn::GetAtt"][0] in names, fn


def test_the_local_pool_never_runs_more_containers_than_the_reserved_concurrency(tmp_path, monkeypatch):
    """A provider-facing function reserved to 2 runs at most 2 invocations at once locally, as
    Lambda would; the others queue (Lambda would throttle and retry)."""
    from infra.runtime import functions

    code = tmp_path / "fn"
    code.mkdir()
    (code / "app.py").write_text(
        "import time, threading\n"
        "active = []\n"
        "def handler(event, context):\n"
        "    import builtins\n"
        "    state = builtins.__dict__.setdefault('_reserved_probe', {'now': 0, 'most': 0, 'lock': threading.Lock()})\n"
        "    with state['lock']:\n"
        "        state['now'] += 1; state['most'] = max(state['most'], state['now'])\n"
        "    time.sleep(0.05)\n"
        "    with state['lock']:\n"
        "        state['now'] -= 1\n"
        "    return state['most']\n")
    monkeypatch.setattr(functions, "ROOT", tmp_path)
    fn = functions.Function("Sender", {"CodeUri": "fn/", "Handler": "app.handler", "ReservedConcurrentExecutions": 2},
                            max_containers=4)
    threads = [threading.Thread(target=fn.invoke, args=({},)) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    import builtins

    assert builtins._reserved_probe["most"] == 2  # type: ignore[attr-defined]
    assert fn.max_containers == 2 and fn.cold_starts == 2
    del builtins._reserved_probe  # type: ignore[attr-defined]
