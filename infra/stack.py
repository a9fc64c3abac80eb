"""``template.yaml`` read once and resolved against the local cloud: the one description of the
infrastructure, from which the provisioner creates resources and the local runtime finds its
functions, routes, queues, streams and schedules.

Intrinsics (``!Ref``, ``!GetAtt``, ``!Sub``, ``!Join``) resolve through ``Stack.physical``,
which the provisioner fills with each resource's local physical ids.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "template.yaml"
ACCOUNT_ID = "123456789012"  # moto's default account


def load_template(path: Path = TEMPLATE) -> dict[str, Any]:
    # cfn-flip's loader understands the short intrinsic tags (!Ref, !GetAtt, !Sub ...).
    from cfn_tools import load_yaml

    return json.loads(json.dumps(load_yaml(path.read_text(encoding="utf-8"))))


@dataclass
class Route:
    method: str
    path: str  # API Gateway resource path, e.g. /settings/{id}
    function: str  # logical id
    public: bool
    pattern: re.Pattern[str] = field(repr=False, default=re.compile(""))


@dataclass
class Stack:
    template: dict[str, Any]
    region: str
    prefix: str
    parameters: dict[str, str] = field(default_factory=dict)
    physical: dict[str, dict[str, str]] = field(default_factory=dict)

    @classmethod
    def load(cls, region: str, prefix: str, overrides: dict[str, str] | None = None,
             path: Path = TEMPLATE) -> Stack:
        template = load_template(path)
        params = {k: str(v.get("Default", "")) for k, v in template.get("Parameters", {}).items()}
        params.update(overrides or {})
        return cls(template=template, region=region, prefix=prefix, parameters=params)

    # -- reading --------------------------------------------------------------------------
    @property
    def resources(self) -> dict[str, dict[str, Any]]:
        return dict(self.template["Resources"])

    def of_type(self, type_: str) -> dict[str, dict[str, Any]]:
        return {k: v for k, v in self.resources.items() if v["Type"] == type_}

    def functions(self) -> dict[str, dict[str, Any]]:
        """Serverless functions with Globals.Function merged in (Environment merged by key)."""
        defaults = self.template.get("Globals", {}).get("Function", {})
        merged = {}
        for name, res in self.of_type("AWS::Serverless::Function").items():
            props = {**defaults, **res["Properties"]}
            env = {**defaults.get("Environment", {}).get("Variables", {}),
                   **res["Properties"].get("Environment", {}).get("Variables", {})}
            props["Environment"] = {"Variables": env}
            merged[name] = props
        return merged

    def routes(self) -> list[Route]:
        found = []
        for name, props in self.functions().items():
            for ev in props.get("Events", {}).values():
                if ev["Type"] != "Api":
                    continue
                p = ev["Properties"]
                public = (p.get("Auth") or {}).get("Authorizer") == "NONE"
                regex = "^" + re.sub(r"\\\{(\w+)(?:\\\+)?\\\}", r"(?P<\1>[^/]+)", re.escape(p["Path"])) + "$"
                found.append(Route(method=p["Method"].upper(), path=p["Path"], function=name, public=public,
                                   pattern=re.compile(regex)))
        return found

    def events_of(self, type_: str) -> list[tuple[str, str, dict[str, Any]]]:
        """(function, event name, properties) of every event of one type (SQS, DynamoDB, ScheduleV2 ...)."""
        return [(fn, ev_name, ev["Properties"]) for fn, props in self.functions().items()
                for ev_name, ev in props.get("Events", {}).items() if ev["Type"] == type_]

    # -- resolving --------------------------------------------------------------------------
    def name_for(self, logical: str) -> str:
        return f"{self.prefix}-{logical}".lower()

    def resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            (key, arg), = value.items()
            if key == "Ref":
                return self._ref(arg)
            if key == "Fn::GetAtt":
                res, attr = arg if isinstance(arg, list) else arg.split(".", 1)
                return self._att(res, attr)
            if key == "Fn::Sub":
                return self._sub(arg)
            if key == "Fn::Join":
                sep, parts = arg
                return sep.join(str(self.resolve(p)) for p in parts)
        return {k: self.resolve(v) for k, v in value.items()}

    def _pseudo(self) -> dict[str, str]:
        return {"AWS::Region": self.region, "AWS::AccountId": ACCOUNT_ID, "AWS::Partition": "aws",
                "AWS::StackName": self.prefix, "AWS::URLSuffix": "amazonaws.com"}

    def _ref(self, name: str) -> str:
        if name in self.parameters:
            return self.parameters[name]
        if name in self._pseudo():
            return self._pseudo()[name]
        if name in self.physical:
            return self.physical[name]["Ref"]
        raise KeyError(f"!Ref {name}: not provisioned locally (provision it first or add support)")

    def _att(self, res: str, attr: str) -> str:
        try:
            return self.physical[res][attr]
        except KeyError as exc:
            raise KeyError(f"!GetAtt {res}.{attr}: not known locally") from exc

    def _sub(self, arg: Any) -> str:
        text, extra = (arg, {}) if isinstance(arg, str) else (arg[0], self.resolve(arg[1]))

        def one(match: re.Match[str]) -> str:
            token = match.group(1)
            if token in extra:
                return str(extra[token])
            if "." in token and not token.startswith("AWS::"):
                res, attr = token.split(".", 1)
                return self._att(res, attr)
            return self._ref(token)

        return re.sub(r"\$\{([^}!]+)\}", one, text)

    def function_environment(self, logical: str) -> dict[str, str]:
        env = self.functions()[logical]["Environment"]["Variables"]
        return {k: str(self.resolve(v)) for k, v in env.items()}
