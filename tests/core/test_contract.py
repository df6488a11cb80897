"""The module contract (ARCHITECTURE.md): every domain plugs in the same way, the core sits below the domains,
no module imports itself back, and nothing registers as a side effect of an import."""

from __future__ import annotations

import ast
import importlib
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

from club import BLUEPRINTS, create_app
from club.config import ROOT
from club.core.registry import Registry, registry

PACKAGE = ROOT / "club"
DOMAINS = ("members", "incubator", "deals", "missions")
# What sits below the domains: the core package and the project-wide helpers beside it.
CORE_LAYER = ("club.core", "club.config", "club.database", "club.extensions", "club.forms", "club.filters",
              "club.formats", "club.htmx", "club.i18n", "club.models", "club.navigation", "club.permissions",
              "club.security")
ABOVE_CORE = tuple(module for module, _ in BLUEPRINTS if module != "club.core") + ("club.demo", "club.model_index")
REGISTRY_METHODS = {name for name in vars(Registry) if not name.startswith("_") and callable(getattr(Registry, name))
                    and name not in ("nav_items", "panels", "sections", "search_providers", "demo_parts")}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _type_checking(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def imports_of(name: str, *, lazy: bool = True) -> set[str]:
    """The club modules ``name`` imports (with ``lazy``, also those imported inside functions), type-checking
    imports aside. ``from club.x import y`` counts as importing ``club.x.y`` when that is a module."""
    path = MODULES[name]
    found: set[str] = set()

    def visit(node):
        for child in ast.iter_child_nodes(node):
            if _type_checking(child):
                continue
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) and not lazy:
                continue
            if isinstance(child, ast.Import):
                found.update(alias.name for alias in child.names if alias.name.startswith("club"))
            elif isinstance(child, ast.ImportFrom) and child.module and child.module.startswith("club"):
                for alias in child.names:
                    full = f"{child.module}.{alias.name}"
                    found.add(full if full in MODULES else child.module)
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    found.discard(name)
    return {m for m in found if m in MODULES}


def test_every_package_plugs_in_through_its_hooks():
    for module, _ in BLUEPRINTS:
        hooks = importlib.import_module(f"{module}.hooks")
        assert callable(getattr(hooks, "register", None)), f"{module}.hooks has no register(app)"
        assert (PACKAGE / module.split(".")[1] / "views.py").exists() or \
            (PACKAGE / module.split(".")[1] / "views" / "__init__.py").exists(), f"{module} has no views"


@pytest.mark.parametrize("domain", DOMAINS)
def test_every_domain_has_the_same_files_for_the_same_concerns(domain):
    folder = PACKAGE / domain
    for concern in ("models", "forms", "views", "services", "queries", "hooks"):
        assert (folder / f"{concern}.py").exists() or (folder / concern / "__init__.py").exists(), \
            f"club/{domain} has no {concern}"


def test_no_views_file_is_over_400_lines():
    long = {str(p.relative_to(ROOT)): n for p in PACKAGE.rglob("views*.py") if (n := len(p.read_text().splitlines())) > 400}
    long.update({str(p.relative_to(ROOT)): n for p in PACKAGE.glob("*/views/*.py")
                 if (n := len(p.read_text().splitlines())) > 400})
    assert not long, long


def test_the_core_imports_no_domain():
    upward = []
    for name in MODULES:
        if name == "club" or not name.startswith(CORE_LAYER):
            continue
        for imported in imports_of(name):
            if imported.startswith(ABOVE_CORE):
                upward.append(f"{name} -> {imported}")
    assert not upward, upward


@pytest.mark.parametrize("lazy", [False, True], ids=["at-import", "inside-functions-too"])
def test_no_module_imports_itself_back(lazy):
    graph = {name: imports_of(name, lazy=lazy) for name in MODULES}
    try:
        tuple(TopologicalSorter(graph).static_order())
    except CycleError as error:
        pytest.fail(f"import circle: {' -> '.join(error.args[1])}")


def test_the_circle_check_can_fail():
    graph = {"a": {"b"}, "b": {"a"}}
    with pytest.raises(CycleError):
        tuple(TopologicalSorter(graph).static_order())


def _module_level_calls(tree: ast.Module):
    """Calls in statements run at import (not inside a function or class body's methods)."""
    for statement in tree.body:
        if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            continue
        for node in ast.walk(statement):
            if isinstance(node, ast.Call):
                yield node


def test_nothing_registers_as_a_side_effect_of_an_import():
    offences = []
    for name, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for call in _module_level_calls(tree):
            callee = call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", "")
            if callee.startswith("register") or callee in REGISTRY_METHODS or callee == "registry":
                offences.append(f"{name}:{call.lineno} {ast.unparse(call.func)}(…)")
        source = path.read_text(encoding="utf-8")
        if "record_once" in source or "_part_order" in source:
            offences.append(f"{name}: record_once/_part_order")
    assert not offences, offences


def test_each_app_has_its_own_registry_and_an_entry_cannot_be_added_twice(app):
    other = create_app({**app.config, "TESTING": True})
    first, second = registry(app), registry(other)
    assert first is not second
    assert [i.endpoint for i in first.nav_items] == [i.endpoint for i in second.nav_items]
    assert len({i.endpoint for i in first.nav_items}) == len(first.nav_items)
    with pytest.raises(ValueError, match="registered twice"):
        second.nav("members.index", "Members")
    with pytest.raises(ValueError, match="registered twice"):
        second.action_labels({"deal.create": "again"})
    # Domains register in BLUEPRINTS order: members' demo part before those that build on its contacts.
    assert [name for name, _ in first.demo_parts] == ["members", "incubator", "deals", "missions", "programmes",
                                                        "activities", "segments", "mailings", "reports",
                                                        "report_schedules"]
