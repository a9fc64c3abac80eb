"""The route table of docs/api.md, generated from the apps' route declarations (method, path,
permission, the first line of the route's docstring), so it cannot drift from the code:

    python -m infra.route_docs --write     # after adding or changing a route

A contract test (tests/contract/test_template_operations.py) fails when the table is stale. The
full reference (bodies, answers, errors) is the OpenAPI document at /api/openapi.json, browsable
at /api-docs/.
"""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

from infra.stack import ROOT, Stack

DOC = ROOT / "docs" / "api.md"
START, END = "<!-- routes:start (generated: python -m infra.route_docs --write) -->", "<!-- routes:end -->"


def api_specs(stack: Stack) -> list[Any]:
    """Every route declaration of every API function, in template order."""
    specs: list[Any] = []
    seen: set[Path] = set()
    for logical, props in stack.functions().items():
        if not any(e["Type"] == "Api" for e in props.get("Events", {}).values()):
            continue
        module_file = props["Handler"].rpartition(".")[0]
        path = (ROOT / props["CodeUri"] / f"{module_file}.py").resolve()
        if path in seen:
            continue
        seen.add(path)
        name = f"_route_docs_{logical}"
        module = sys.modules.get(name)
        if module is None:
            spec = importlib.util.spec_from_file_location(name, path)
            assert spec and spec.loader
            module = importlib.util.module_from_spec(spec)
            sys.modules[name] = module
            spec.loader.exec_module(module)
        specs.extend(module.app.specs)
    return specs


def table(specs: list[Any]) -> str:
    def who(spec: Any) -> str:
        if spec.access == "public":
            return "public"
        return {"signed_in": "signed in", "shop_member": "shop member"}.get(spec.permission, spec.permission)

    rows = ["| method | path | permission | what |", "|---|---|---|---|"]
    for spec in specs:
        rows.append(f"| {spec.method} | `{spec.path}` | {who(spec)} | {spec.summary.replace('|', '/')} |")
    return "\n".join(rows)


def rendered(current: str, specs: list[Any]) -> str:
    before, _, rest = current.partition(START)
    _, _, after = rest.partition(END)
    return f"{before}{START}\n{table(specs)}\n{END}{after}"


if __name__ == "__main__":
    specs = api_specs(Stack.load(region="us-east-1", prefix="docs"))
    text = DOC.read_text(encoding="utf-8")
    if START not in text:
        sys.exit(f"{DOC} has no {START} marker")
    if "--write" in sys.argv:
        DOC.write_text(rendered(text, specs), encoding="utf-8")
        print("wrote", DOC)
    else:
        print(table(specs))
