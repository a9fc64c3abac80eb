"""``template.yaml`` read once and resolved against the local cloud: the one description of the
infrastructure, from which the provisioner creates resources and the local runtime finds its
functions, routes, queues, streams and schedules.

Intrinsics (``!Ref``, ``!GetAtt``, ``!Sub``, ``!Join``, ``!If`` with the template's
``Conditions``) resolve through ``Stack.physical``, which the provisioner fills with each
resource's local physical ids.

The template uses ``AWS::LanguageExtensions``: ``load_template`` expands its ``Fn::ForEach``
loops and ``Fn::FindInMap`` lookups the way CloudFormation does before SAM runs, so everything
here (provisioner, runtime, contract tests) sees the resources the loops make, under the same
logical ids as on AWS.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

_NO_VALUE = object()  # !Ref AWS::NoValue: the property or list item is left out
ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "template.yaml"
ACCOUNT_ID = "123456789012"  # moto's default account


def load_template(path: Path = TEMPLATE) -> dict[str, Any]:
    """The template with its language extensions expanded (``Fn::ForEach``, ``Fn::FindInMap``)."""
    return expand(load_raw_template(path))


def load_raw_template(path: Path = TEMPLATE) -> dict[str, Any]:
    # cfn-flip's loader understands the short intrinsic tags (!Ref, !GetAtt, !Sub ...).
    from cfn_tools import load_yaml

    return json.loads(json.dumps(load_yaml(path.read_text(encoding="utf-8"))))


_FOR_EACH = "Fn::ForEach::"


def expand(template: dict[str, Any]) -> dict[str, Any]:
    """What ``AWS::LanguageExtensions`` does first on AWS: every ``Fn::ForEach::<Loop>``
    ``[Identifier, [values], {"Key${Identifier}": body}]`` becomes one copy of its body per value
    (``${Identifier}`` and ``&{Identifier}`` replaced in keys and in ``Fn::Sub`` strings, ``Ref:
    Identifier`` replaced by the value), then ``Fn::FindInMap`` of literal keys is looked up.
    A ``Fn::Sub`` left without variables becomes its plain string."""
    mappings = template.get("Mappings", {})
    params = template.get("Parameters", {})

    def loops(node: Any) -> Any:
        if isinstance(node, list):
            return [loops(v) for v in node]
        if not isinstance(node, dict):
            return node
        out: dict[str, Any] = {}
        for key, value in node.items():
            if not key.startswith(_FOR_EACH):
                out[key] = loops(value)
                continue
            identifier, collection, body = value
            if isinstance(collection, dict) and "Ref" in collection:  # a CommaDelimitedList parameter
                collection = str(params[collection["Ref"]].get("Default", "")).split(",")
            for item in collection:
                for made_key, made in loops(_substitute(body, identifier, str(item))).items():
                    if made_key in out:
                        raise ValueError(f"{key} makes {made_key}, which exists already")
                    out[made_key] = made
        return out

    def lookups(node: Any) -> Any:
        if isinstance(node, list):
            return [lookups(v) for v in node]
        if not isinstance(node, dict):
            return node
        if len(node) == 1:
            (key, arg), = node.items()
            if key == "Fn::FindInMap" and all(isinstance(a, str) for a in arg):
                found = mappings[arg[0]][arg[1]][arg[2]]
                return found if isinstance(found, list) else str(found)
            if key == "Fn::Sub" and isinstance(arg, str) and "${" not in arg:
                return arg
        return {k: lookups(v) for k, v in node.items()}

    return dict(lookups(loops(template)))


def _substitute(node: Any, identifier: str, value: str) -> Any:
    def text(s: str) -> str:
        return s.replace(f"${{{identifier}}}", value).replace(f"&{{{identifier}}}", re.sub(r"[^0-9A-Za-z]", "", value))

    if isinstance(node, list):
        return [_substitute(v, identifier, value) for v in node]
    if isinstance(node, str):
        return node
    if not isinstance(node, dict):
        return node
    if node == {"Ref": identifier}:
        return value
    out = {}
    for key, child in node.items():
        if key == "Fn::Sub":
            out[key] = text(child) if isinstance(child, str) else \
                [text(child[0]), _substitute(child[1], identifier, value)]
        elif key == "Fn::GetAtt":  # !GetAtt [!Sub "${Id}Queue", Arn] (the loader drops the inner !Sub)
            parts = child if isinstance(child, list) else child.split(".", 1)
            out[key] = [text(p) if isinstance(p, str) else _substitute(p, identifier, value) for p in parts]
        else:
            out[text(key)] = _substitute(child, identifier, value)
    return out


@dataclass
class Route:
    method: str
    path: str  # API Gateway resource path, e.g. /settings/{id}
    function: str  # logical id
    public: bool
    pattern: re.Pattern[str] = field(repr=False, default=re.compile(""))
    authorizer: str = "StaffPool"  # the API's authorizer that checks its token ("NONE" when public)


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

    def condition_holds(self, resource: dict[str, Any]) -> bool:
        """Whether a resource with a ``Condition`` is made with the stack's parameters."""
        return "Condition" not in resource or self.condition(resource["Condition"])

    def condition(self, name: str) -> bool:
        """A condition of the template's ``Conditions``, with the stack's parameters."""
        return bool(self._evaluate(self.template.get("Conditions", {})[name]))

    def _evaluate(self, node: Any) -> Any:
        if not isinstance(node, dict) or len(node) != 1:
            return self.resolve(node)
        (key, arg), = node.items()
        if key == "Fn::Equals":
            return str(self._evaluate(arg[0])) == str(self._evaluate(arg[1]))
        if key == "Fn::Not":
            return not self._evaluate(arg[0])
        if key == "Fn::And":
            return all(self._evaluate(a) for a in arg)
        if key == "Fn::Or":
            return any(self._evaluate(a) for a in arg)
        if key == "Condition":
            return self.condition(arg)
        return self.resolve(node)

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
        apis = self.of_type("AWS::Serverless::Api")
        default = {name: ((api["Properties"].get("Auth") or {}).get("DefaultAuthorizer") or "NONE")
                   for name, api in apis.items()}
        for name, props in self.functions().items():
            for ev in props.get("Events", {}).values():
                if ev["Type"] != "Api":
                    continue
                p = ev["Properties"]
                api = p.get("RestApiId", {}).get("Ref") if isinstance(p.get("RestApiId"), dict) else None
                authorizer = (p.get("Auth") or {}).get("Authorizer") or default.get(api or "", "NONE")
                public = authorizer == "NONE"
                regex = "^" + re.sub(r"\\\{(\w+)(?:\\\+)?\\\}", r"(?P<\1>[^/]+)", re.escape(p["Path"])) + "$"
                found.append(Route(method=p["Method"].upper(), path=p["Path"], function=name, public=public,
                                   pattern=re.compile(regex), authorizer=authorizer))
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
            return [r for r in (self.resolve(v) for v in value) if r is not _NO_VALUE]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            (key, arg), = value.items()
            if key == "Ref":
                return _NO_VALUE if arg == "AWS::NoValue" else self._ref(arg)
            if key == "Fn::If":
                return self.resolve(arg[1] if self.condition(arg[0]) else arg[2])
            if key == "Fn::GetAtt":
                res, attr = arg if isinstance(arg, list) else arg.split(".", 1)
                return self._att(self.resolve(res), attr)
            if key == "Fn::Sub":
                return self._sub(arg)
            if key == "Fn::Join":
                sep, parts = arg
                return sep.join(str(self.resolve(p)) for p in parts)
        return {k: r for k, r in ((k, self.resolve(v)) for k, v in value.items()) if r is not _NO_VALUE}

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
