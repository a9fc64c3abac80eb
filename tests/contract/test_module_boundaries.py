"""Module boundaries run one way (docs/architecture.md, "Module boundaries").

Read from the source with ``ast``, not by importing, so that imports made inside function
bodies count too (they are how a cycle hides: it works until someone moves the import up):

- no import cycle inside ``shared/``: the module import graph has no strongly connected
  component of more than one module;
- nothing imports another package's ``_private`` names (``from shared.x import _y`` or
  ``module._y`` on an imported module), where a package is a capability (``shared/catalog``) or
  a top-level module of ``shared/`` (``shared/tx.py``);
- the domain never imports ``shared.http``, the HTTP glue of the Chalice apps;
- every key that starts with the shop is built by ``shared.keys`` (no ``"SHOP#"`` by hand).

The last tests feed the same checks made-up sources, to show that they do catch what they are for.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Graph:
    modules: dict[str, str]  # module name -> source
    edges: dict[str, set[str]] = field(default_factory=dict)
    private: list[str] = field(default_factory=list)  # "where: what" of every private import across packages
    trees: dict[str, ast.Module] = field(default_factory=dict)


def modules_under(*folders: str) -> dict[str, str]:
    found = {}
    for folder in folders:
        for path in sorted((ROOT / folder).rglob("*.py")):
            if "node_modules" in path.parts:
                continue
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            found[name.removesuffix(".__init__")] = path.read_text(encoding="utf-8")
    return found


def owner(module: str) -> str:
    """The package whose private names a module may use: ``shared.catalog.jobs`` ->
    ``shared.catalog``; ``shared.tx`` -> ``shared.tx``; ``functions.catalog.app`` -> ``functions.catalog``."""
    parts = module.split(".")
    return ".".join(parts[:2])


def build(modules: dict[str, str], known: set[str] | None = None) -> Graph:
    """The import graph of ``modules``; ``known``: every importable module name (default: these)."""
    known = known if known is not None else set(modules)
    graph = Graph(modules=modules)
    for name, source in modules.items():
        tree = ast.parse(source)
        graph.trees[name] = tree
        is_package = any(k.startswith(name + ".") for k in known)
        package = name if is_package else name.rpartition(".")[0]
        targets: set[str] = set()
        aliases: dict[str, str] = {}  # local name -> module it is bound to
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    target = _nearest(alias.name, known)
                    if target:
                        targets.add(target)
                        if alias.asname and target == alias.name:
                            aliases[alias.asname] = target
            elif isinstance(node, ast.ImportFrom):
                base = _absolute(node, package)
                if base is None:
                    continue
                for alias in node.names:
                    if f"{base}.{alias.name}" in known:
                        targets.add(f"{base}.{alias.name}")
                        aliases[alias.asname or alias.name] = f"{base}.{alias.name}"
                        continue
                    target = _nearest(base, known)
                    if target:
                        targets.add(target)
                        if _is_private(alias.name) and owner(target) != owner(name):
                            graph.private.append(f"{name}:{node.lineno}: from {base} import {alias.name}")
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and _is_private(node.attr)
                    and node.value.id in aliases and owner(aliases[node.value.id]) != owner(name)):
                graph.private.append(f"{name}:{node.lineno}: {node.value.id}.{node.attr} "
                                     f"({aliases[node.value.id]})")
        graph.edges[name] = {t for t in targets if t != name and t in modules}
    return graph


def _is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _absolute(node: ast.ImportFrom, package: str) -> str | None:
    if not node.level:
        return node.module
    parts = package.split(".")
    base = parts[:len(parts) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _nearest(name: str, known: set[str]) -> str | None:
    while name and name not in known:
        name = name.rpartition(".")[0]
    return name or None


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for start in sorted(edges):
        if start in index:
            continue
        work = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def http_imports(graph: Graph) -> list[str]:
    return [f"{m} imports {t}" for m, ts in sorted(graph.edges.items()) if not m.startswith("shared.http")
            for t in sorted(ts) if t == "shared.http" or t.startswith("shared.http.")]


def shop_keys_by_hand(graph: Graph, allowed: str = "shared.keys") -> list[str]:
    """String literals and f-strings that spell ``SHOP#`` (or begin ``USER#``) outside
    ``shared.keys``, docstrings (which document the key layout) excepted; and any ``shop_pk``
    defined or imported from anywhere but ``shared.keys``."""
    found = []
    for name, tree in graph.trees.items():
        if name == allowed:
            continue
        docstrings = {id(n.body[0].value) for n in ast.walk(tree)
                      if isinstance(n, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                      and n.body and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings \
                    and ("SHOP#" in node.value or node.value.startswith("USER#")):
                found.append(f"{name}:{node.lineno}: {node.value!r}")
            elif isinstance(node, ast.FunctionDef) and node.name in KEY_HELPERS:
                found.append(f"{name}:{node.lineno}: def {node.name}")
            elif isinstance(node, ast.ImportFrom) and node.module != allowed \
                    and any(a.name in KEY_HELPERS for a in node.names):
                found.append(f"{name}:{node.lineno}: {', '.join(a.name for a in node.names)} from {node.module}")
    return found


KEY_HELPERS = {"shop_pk", "shop_key", "shop_of", "user_pk", "user_of"}


PLATFORM_PACKAGES = ("shared.auth", "shared.events")
ABOVE_THE_CAPABILITIES = ("shared.events.registry", "shared.http")  # the list of all events; the HTTP glue


def platform_imports_of_capabilities(graph: Graph) -> list[str]:
    """The platform (the top-level modules of ``shared/``, ``shared.auth``, ``shared.events``)
    sits below every capability: it never imports one. Two modules sit above them all on purpose:
    the registry listing every capability's events, and the HTTP glue."""
    def is_platform(m: str) -> bool:
        return (m.count(".") == 1 and not any(k.startswith(m + ".") for k in graph.modules)) \
            or m.startswith(PLATFORM_PACKAGES)

    def is_capability(m: str) -> bool:
        return m.startswith("shared.") and not is_platform(m) and not m.startswith(ABOVE_THE_CAPABILITIES)

    return [f"{m} imports {t}" for m, ts in sorted(graph.edges.items())
            if is_platform(m) and not m.startswith(ABOVE_THE_CAPABILITIES) for t in sorted(ts) if is_capability(t)]


SHARED = build(modules_under("shared"))
EVERYTHING = build(modules_under("shared", "functions", "infra"))


# -- the rules, on the real code ---------------------------------------------------------------------
def test_no_import_cycle_inside_shared_even_through_imports_in_function_bodies():
    assert cycles(SHARED.edges) == []


def test_nothing_imports_another_packages_private_names():
    assert EVERYTHING.private == []


def test_domain_modules_never_import_shared_http():
    assert http_imports(SHARED) == []


def test_the_platform_never_imports_a_capability():
    assert platform_imports_of_capabilities(SHARED) == []


def test_every_shop_key_is_built_by_shared_keys():
    assert shop_keys_by_hand(EVERYTHING) == []


def test_the_graph_sees_the_real_code():
    """A guard against a graph that reads nothing (and so finds nothing): known edges are there,
    including one made inside a function body."""
    assert "shared.tx" in SHARED.edges["shared.inventory.ledger"]
    assert "shared.identity.access" in SHARED.edges["shared.http.app"]  # imported in _authenticate
    assert len(SHARED.modules) > 80


# -- the checks catch what they are for --------------------------------------------------------------
FAKE_KNOWN = {"shared", "shared.a", "shared.a.one", "shared.a.two", "shared.b", "shared.b.three", "shared.http",
              "shared.http.app", "shared.keys"}


def _fake(sources: dict[str, str]) -> Graph:
    full = {name: "" for name in FAKE_KNOWN} | sources
    return build(full, set(full))


def test_a_cycle_hidden_in_a_function_body_is_found():
    graph = _fake({"shared.a.one": "from shared.a import two\n",
                   "shared.a.two": "def later():\n    from shared.a.one import x\n    return x\n"})
    assert cycles(graph.edges) == [["shared.a.one", "shared.a.two"]]


def test_a_relative_import_cycle_through_three_modules_is_found():
    graph = _fake({"shared.a.one": "from . import two\n", "shared.a.two": "import shared.b.three\n",
                   "shared.b.three": "def f():\n    from ..a.one import thing\n"})
    assert cycles(graph.edges) == [["shared.a.one", "shared.a.two", "shared.b.three"]]


def test_one_way_imports_are_no_cycle():
    graph = _fake({"shared.a.one": "from shared.a import two\n", "shared.a.two": "import shared.b.three\n"})
    assert cycles(graph.edges) == []


def test_private_names_of_another_package_are_found_both_ways():
    graph = _fake({"shared.a.one": "from shared.b.three import _hidden, public\n",
                   "shared.a.two": "from shared.b import three as t\n\ndef f():\n    return t._inner()\n",
                   "shared.b.three": "from shared.b import _mine\n"})  # its own package's: allowed
    assert sorted(graph.private) == ["shared.a.one:1: from shared.b.three import _hidden",
                             "shared.a.two:4: t._inner (shared.b.three)"]


def test_an_import_of_http_from_the_domain_is_found():
    graph = _fake({"shared.a.one": "def f():\n    from shared.http.app import parse_model\n",
                   "shared.http.app": "from shared.a import one\n"})
    assert http_imports(graph) == ["shared.a.one imports shared.http.app"]


def test_a_shop_key_by_hand_is_found_but_a_docstring_is_not():
    graph = _fake({"shared.a.one": '"""pk SHOP#<s>"""\n\ndef pk(s):\n    """SHOP#<s>"""\n    return f"SHOP#{s}"\n',
                   "shared.a.two": 'from shared.a.one import shop_pk\n\ndef user_pk(u):\n    return "USER#" + u\n',
                   "shared.keys": 'def shop_pk(s):\n    return f"SHOP#{s}"\n'})
    assert sorted(shop_keys_by_hand(graph)) == ["shared.a.one:5: 'SHOP#'", "shared.a.two:1: shop_pk from shared.a.one",
                                                "shared.a.two:3: def user_pk", "shared.a.two:4: 'USER#'"]


def test_a_platform_module_importing_a_capability_is_found():
    graph = _fake({"shared.keys": "from shared.a.one import x\n", "shared.b.three": "from shared.a import two\n",
                   "shared.http.app": "from shared.a import one\n"})
    assert platform_imports_of_capabilities(graph) == ["shared.keys imports shared.a.one"]
