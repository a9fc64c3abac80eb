"""API cold starts pay for neither the X-Ray SDK nor powertools: the Logger, the Tracer, the
batch and idempotency utilities are built on first use (docs/architecture.md "Cold start")."""
from __future__ import annotations

import json
import subprocess
import sys

from infra.stack import ROOT, Stack

PROBE = """
import importlib.util, json, sys
sys.path.insert(0, '.')
found = {}
for i, path in enumerate(json.loads(sys.argv[1])):
    spec = importlib.util.spec_from_file_location(f'fn{i}', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    found[path] = sorted({k.split('.')[0] for k in sys.modules if k.startswith(('aws_xray_sdk', 'aws_lambda_powertools'))})
print(json.dumps(found))
"""


def test_importing_any_function_loads_neither_xray_nor_powertools():
    functions = Stack.load(region="us-east-1", prefix="unit").functions().values()
    modules = sorted({str(ROOT / f["CodeUri"] / (f["Handler"].rpartition(".")[0] + ".py")) for f in functions})
    assert len(modules) >= 8
    out = subprocess.run([sys.executable, "-c", PROBE, json.dumps(modules)], cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout
    # Cumulative: a module listed with a package means it, or one imported before it, loaded it.
    assert json.loads(out) == {m: [] for m in modules}
