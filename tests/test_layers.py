"""The package's layering, read from the source: the layers import one way (LAYERS),
training and what drives a view import no UI library, no two cftui modules import each other
(even through a function's import), and the modules a replay or a sweep summary needs load on
a machine without torch."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "cftui"
# Each layer and the layers it may import besides itself; commands, tui and the top-level
# modules (cli, __main__) may import any.
LAYERS = {
    "train": set(),  # the domain and the training loop
    "results": {"train"},  # what runs leave: summaries, atomic writes, recordings, trials
    "draw": set(),  # text-drawing helpers
    "live": {"train", "results"},  # what drives a view
    "figures": {"train", "results", "draw"},
    "sweep": {"train", "results", "draw", "figures"},
}
NO_UI = ("train", "live")  # layers that must run headless: no textual, no rich
UI_LIBRARIES = {"textual", "rich"}
# What a replay, `sweep show` and the app's first frame load: no torch. (cftui.live.runner
# builds trainers, so it is the one part of live/ that loads torch; the app imports it in
# its worker.)
TORCH_FREE = [
    "cftui.results.summary",
    "cftui.results.recording",
    "cftui.tui.replay",
    "cftui.sweep.show",
    *sorted(
        f"cftui.live.{path.stem}"
        for path in (PACKAGE / "live").glob("*.py")
        if path.stem != "runner"
    ),
]


def module_name(path: Path, package: Path) -> str:
    parts = path.relative_to(package.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: Path, package_root: Path, modules: set[str]) -> set[str]:
    """What ``path`` imports when it runs, at its top and inside functions (not under ``if
    TYPE_CHECKING:``): ``from a import b`` is the module a.b where there is one, else a;
    relative imports are made absolute."""
    package = module_name(path, package_root).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    names = set()
    for node in runtime_nodes(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = ".".join(package[: len(package) - node.level + 1] if node.level else [])
            source = ".".join(filter(None, [base, node.module]))
            names.update(
                f"{source}.{alias.name}" if f"{source}.{alias.name}" in modules else source
                for alias in node.names
            )
    return names


def runtime_nodes(node: ast.AST):
    """Every node under ``node`` but those under ``if TYPE_CHECKING:`` (never run)."""
    for child in ast.iter_child_nodes(node):
        test = getattr(child, "test", None) if isinstance(child, ast.If) else None
        if ast.unparse(test or ast.Constant(None)).endswith("TYPE_CHECKING"):
            continue
        yield child
        yield from runtime_nodes(child)


def modules_of(package: Path) -> dict[str, Path]:
    return {module_name(path, package): path for path in package.rglob("*.py")}


def import_graph(package: Path = PACKAGE) -> dict[str, set[str]]:
    """cftui module -> the cftui modules it imports. A module's own packages are left out:
    they are imported before it whatever it says (a package's registry, such as
    cftui.train.methods, is imported back by the modules it lists)."""
    files = modules_of(package)
    return {
        name: {
            other
            for other in imported(path, package, set(files)) & files.keys()
            if not f"{name}.".startswith(f"{other}.")
        }
        for name, path in files.items()
    }


def cycles(graph: dict[str, set[str]]) -> list[frozenset[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index, low, stack, found = {}, {}, [], []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in sorted(graph[node]):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = {stack.pop()}
            while node not in component:
                component.add(stack.pop())
            if len(component) > 1:
                found.append(frozenset(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def ui_imports(package: Path = PACKAGE) -> dict[str, set[str]]:
    """Module of a headless layer -> the UI libraries it imports."""
    files = modules_of(package)
    return {
        name: found
        for name, path in files.items()
        if name.split(".")[1:2] in ([layer] for layer in NO_UI)
        and (found := {n.split(".")[0] for n in imported(path, package, set(files))} & UI_LIBRARIES)
    }


def layer_of(module: str) -> str:
    return module.split(".")[1] if module.count(".") else ""


def wrong_way(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    """Module of a layer in LAYERS -> the cftui modules it imports from a layer it may not."""
    return {
        name: found
        for name, others in graph.items()
        if layer_of(name) in LAYERS
        and (
            found := {
                other
                for other in others
                if layer_of(other) not in {layer_of(name), *LAYERS[layer_of(name)]}
            }
        )
    }


def test_the_layers_import_one_way():
    assert wrong_way(import_graph()) == {}


def test_training_and_live_import_no_ui_library():
    assert ui_imports() == {}


def test_no_import_cycle_among_cftui_modules():
    found = cycles(import_graph())
    assert [sorted(cycle) for cycle in found] == []


@pytest.mark.parametrize("module", TORCH_FREE)
def test_loads_without_torch(module):
    code = f'import sys; sys.modules["torch"] = None; import {module}'
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def test_the_rules_catch_a_ui_import_and_a_cycle_inside_a_function(tmp_path):
    """Each rule fails when broken: a copy of the package with a function-level import of
    textual in cftui/train, and a function-level import that closes a cycle."""
    copy = tmp_path / "cftui"
    (copy / "train").mkdir(parents=True)
    (copy / "live").mkdir()
    (copy / "tui").mkdir()
    (copy / "__init__.py").write_text("")
    (copy / "train" / "__init__.py").write_text("")
    (copy / "train" / "model.py").write_text("def f():\n    from rich.text import Text\n")
    (copy / "tui" / "a.py").write_text("from cftui.tui import b\n")
    (copy / "tui" / "b.py").write_text("def g():\n    from . import a\n")
    (copy / "train" / "trainer.py").write_text("def h():\n    from cftui.tui import a\n")
    assert ui_imports(copy) == {"cftui.train.model": {"rich"}}
    assert wrong_way(import_graph(copy)) == {"cftui.train.trainer": {"cftui.tui.a"}}
    assert cycles(import_graph(copy)) == [frozenset({"cftui.tui.a", "cftui.tui.b"})]
