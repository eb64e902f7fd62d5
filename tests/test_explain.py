"""The explain pane: every method and data family explained in full, each documented setting
a real one, and every number shown the one the kept per-seed results give."""

import asyncio
import dataclasses
import importlib.util
import json
from pathlib import Path
from typing import ClassVar

import numpy as np
import pytest
from textual.binding import Binding
from textual.containers import VerticalScroll

from cftui import __version__
from cftui.train import explain, methods, planar, tasks, zoo_word
from cftui.train.config import DataConfig
from cftui.train.snapshot import State
from cftui.tui import app as app_module
from cftui.tui.app import CftuiApp
from cftui.tui.explain import ExplainScreen
from cftui.tui.screens import Picker

from conftest import small
from tui_helpers import screen_text, until, worker_ended

KEPT = Path(__file__).resolve().parents[1] / "benchmarks" / "methods"
README = KEPT.parents[1] / "docs" / "guide" / "methods.md"  # the measured-effect tables


class WithExplain(CftuiApp):
    """The app with the `i` key the lead adds to CftuiApp (this exact code)."""

    CSS_PATH = Path(app_module.__file__).with_name(CftuiApp.CSS_PATH)  # beside app.py
    BINDINGS: ClassVar = [Binding("i", "explain", "explain", show=False)]

    def action_explain(self) -> None:
        self.push_screen(ExplainScreen(self.snapshot.scene.config))


App = CftuiApp if hasattr(CftuiApp, "action_explain") else WithExplain


def method_tables():
    spec = importlib.util.spec_from_file_location("method_tables", KEPT.parent / "method_tables.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_family_has_every_field():
    """A method's text is checked with its file (test_method_home.py); a family's here."""
    families = explain.texts()["family"]
    assert set(families) == set(tasks.FAMILIES) | set(planar.FAMILIES)
    for name, entry in families.items():
        assert set(entry) == set(explain.FAMILY_FIELDS), name
        for field in explain.FAMILY_FIELDS:
            if field != "settings":
                assert isinstance(entry[field], str) and len(entry[field]) > 20, (name, field)
        assert all(len(about) > 20 for about in entry["settings"].values()), name


def test_the_data_settings_documented_are_exactly_the_data_keys():
    texts = explain.texts()
    shared, line, plane = (set(texts[kind]["settings"]) for kind in ("data", "line", "plane"))
    own = {key for entry in texts["family"].values() for key in entry["settings"]}
    fields = {f.name for f in dataclasses.fields(DataConfig)}
    assert shared | line | plane | own | {"family"} == fields
    assert not (shared & line or shared & plane or line & plane or (shared | line | plane) & own)


NOT_MEASURED = ("derpp", "er_ace", "icarl")  # on the 1-D presets (method_tables.py)


def recomputed(preset: str) -> dict[str, dict]:
    """Per method, straight from the per-seed rows: task 1 and the last task after the last
    task (medians over finished seeds), and the seeds on which task 1 beats naive's."""
    runs = json.loads((KEPT / f"{preset}.json").read_text())["runs"]
    done = [r for r in runs if r["state"] == "finished"]
    naive = {r["seed"]: r["loss_matrix"][-1][0] for r in done if r["method"] == "naive"}
    out = {}
    for name in [n for n in methods.names() if n not in NOT_MEASURED]:
        mine = [r for r in done if r["method"] == name]
        out[name] = {
            "task1": float(np.median([r["loss_matrix"][-1][0] for r in mine])),
            "last": float(np.median([r["loss_matrix"][-1][-1] for r in mine])),
            "wins": sum(r["loss_matrix"][-1][0] <= 0.9 * naive[r["seed"]] for r in mine),
            "seeds": len(mine),
        }
    return out


@pytest.mark.parametrize("preset", sorted(p.stem for p in KEPT.glob("*.json")))
def test_measured_json_holds_the_medians_of_the_kept_seeds(preset):
    shipped = explain.measured()[preset]["methods"]
    for name, row in recomputed(preset).items():
        assert shipped[name]["task1"] == pytest.approx(row["task1"], rel=1e-12), name
        assert shipped[name]["last"] == pytest.approx(row["last"], rel=1e-12), name
        assert (shipped[name]["wins"], shipped[name]["seeds"]) == (row["wins"], row["seeds"])
        ratio = row["task1"] / recomputed(preset)["naive"]["task1"]
        assert shipped[name]["vs_naive"] == pytest.approx(ratio, rel=1e-9), name


def test_measured_json_is_what_method_tables_builds_from_the_kept_files():
    """Rebuilt without training (--summary-only): the packaged file is not stale."""
    tables = method_tables()
    for preset, shipped in explain.measured().items():
        assert json.loads(json.dumps(tables.packaged(preset))) == shipped, preset


@pytest.mark.parametrize("preset", sorted(p.stem for p in KEPT.glob("*.json")))
def test_the_pane_shows_the_measured_numbers_of_the_current_preset(preset):
    from cftui.train import catalog

    config = catalog.resolve(preset)
    entry = explain.measured()[preset]
    for name in methods.names():
        text = explain.method_markdown(config, name)
        if name in NOT_MEASURED:  # added after the 1-D tables were measured: it says so
            assert f"{name} was not measured on {preset}" in text and "Goal met" not in text
            continue
        row = entry["methods"][name]
        assert f"task 1 after the last task: {row['task1']:.3g}" in text, name
        if name != "naive":
            assert f"10 % lower than naive's on {row['wins']} of {row['versus']} seeds" in text
            assert f"{row['vs_naive']:.2g}x naive's" in text
        assert "this run differs" not in text  # the shipped preset is what was measured
    family = explain.family_markdown(config)
    assert f"({entry['naive']['growth']:.0f}x at the median seed)" in family
    assert f"naive: task 1 at {entry['naive']['after_task1']:.3g} after task 1" in family


def test_a_preset_never_measured_says_so_instead_of_numbers(polynomial):
    mine = dataclasses.replace(polynomial, name="my-own")
    text = explain.method_markdown(mine, "ewc")
    assert "no measured numbers for preset my-own" in text
    assert "task 1 after the last task" not in text
    assert "no measured numbers for preset my-own" in explain.family_markdown(mine)


def test_a_run_set_up_unlike_the_measured_one_names_what_differs(polynomial):
    changed = polynomial.with_overrides(epochs=50, seed=7, settings={"ewc": {"lambda": 5.0}})
    assert explain.differences(changed, "ewc") == ["train.epochs", "ewc.lambda"]  # not seed
    assert "this run differs in train.epochs, ewc.lambda" in explain.method_markdown(changed, "ewc")
    assert explain.differences(changed, "si") == ["train.epochs"]


def test_the_settings_shown_are_this_runs_values(polynomial):
    config = polynomial.with_overrides(settings={"si": {"c": 0.5}})
    text = explain.method_markdown(config, "si")
    assert "- `c` = 0.5 (default 1): strength of the pull" in text
    assert "- `xi` = 0.1 (default 0.1)" in text
    assert "- none" in explain.method_markdown(config, "naive")


def drive(config, script, size):
    async def main():
        app = App(config, "cpu", pace=None)
        async with app.run_test(size=size) as pilot:
            await script(app, pilot)
        await worker_ended(app)

    asyncio.run(main())


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_i_explains_the_method_then_the_data_and_esc_closes(tiny, size):
    config = tiny.with_overrides(method="ewc")

    async def script(app, pilot):
        await until(pilot, lambda s: s.state is State.TASK_DONE)
        await pilot.press("i")
        pane = app.screen
        assert isinstance(pane, ExplainScreen) and pane.tab == "method"
        text = screen_text(app)
        assert "method: ewc" in text and "After each task, keep its weights" in text
        assert "esc: close" in text and f"cftui {__version__}" in text  # keys, version
        scroller = pane.query_one("#method VerticalScroll", VerticalScroll)
        assert scroller.has_focus
        if size == (80, 24):
            assert scroller.max_scroll_y > 0 and scroller.show_vertical_scrollbar
            await pilot.press("end")
            await pilot.pause(0.1)
            last = zoo_word.zoo_lines("ewc")[-1].removeprefix("- ")[:24]  # the zoo's last line
            assert last in screen_text(app)  # reached by scrolling
        await pilot.press("i")
        assert pane.tab == "family"
        assert pane.query_one("#family VerticalScroll").has_focus  # ↑↓ scroll the new tab
        await pilot.pause(0.1)
        assert "Each task is a noisy polynomial" in screen_text(app)
        await pilot.press("tab")
        assert pane.tab == "method"
        await pilot.press("escape")
        assert not isinstance(app.screen, ExplainScreen)

    drive(small(config), script, size)


def test_the_method_picker_explains_the_highlighted_method(tiny):
    async def script(app, pilot):
        await until(pilot, lambda s: s.state is State.TASK_DONE)
        await pilot.press("m")
        assert "i: explain" in screen_text(app)
        names = list(methods.names())
        await pilot.press(*["down"] * names.index("si"), "i")
        pane = app.screen
        assert isinstance(pane, ExplainScreen) and pane.method == "si"
        await pilot.pause(0.1)
        assert "method: si" in screen_text(app)
        assert "each weight sums its share" in screen_text(app)
        await pilot.press("escape")
        assert isinstance(app.screen, Picker)  # back in the picker, which still chooses
        await pilot.press("enter")
        snap = await until(pilot, lambda s: s.run == 1 and s.state is State.TASK_DONE)
        assert snap.scene.config.method.name == "si"

    drive(tiny, script, (80, 24))


@pytest.mark.parametrize("preset", sorted(p.stem for p in KEPT.glob("*.json")))
def test_the_readme_tables_are_the_kept_seeds(preset):
    """README's (the docs') measured-effect tables are method_tables.py's, from the kept files."""
    assert method_tables().markdown(preset) in README.read_text(encoding="utf-8")


def _update(config, name: str) -> str:
    """The pane's Update section: the method's formula as this run's problem poses it."""
    text = explain.method_markdown(config, name)
    return text[text.index("**Update**") : text.index("**Settings**")]


@pytest.mark.parametrize("preset", ["polynomial", "blobs-class", "blobs-task", "moons-domain"])
def test_the_update_is_the_formula_of_the_run_s_problem_kind(preset):
    """Issue 32: a 2-D preset showed naive's regression formula. Every method that fits the
    preset shows its own kind's formula: a classification's has no MSE and names its CE,
    a regression's no cross-entropy, and neither shows the other kind's marked line."""
    from cftui.train import catalog, validation

    config = catalog.resolve(preset)
    classes = bool(config.data.scenario)
    for name in validation.fitting_methods(config):
        update = _update(config, name)
        assert "regression:" not in update and "classes:" not in update, name
        if classes:  # DER++ matches the stored logits by MSE, in either kind
            assert "MSE" not in update.replace("MSE(f(x'), z')", ""), name
            assert "(f_θ(x) \N{MINUS SIGN} y)²" not in update, name
        else:
            assert "CE" not in update and "softmax" not in update, name
    if classes:
        assert "\N{MINUS SIGN}log p_θ(y|x)" in _update(config, "naive")
        assert "Σ_c p(c|x)" in _update(config, "ewc") and "empirical" not in _update(config, "ewc")
        assert "KL(softmax(f_old(x)/T)" in _update(config, "lwf")
        assert "CE: the cross-entropy" in _update(config, "si")
    else:
        assert "(f_θ(x) \N{MINUS SIGN} y)²" in _update(config, "naive")
        assert "(empirical)" in _update(config, "ewc")


def test_formula_for_keeps_the_lines_of_one_kind():
    formula = "L = loss + P\nregression: P = a\nclasses: P = b"
    assert explain.formula_for(formula, "regression") == "L = loss + P\nP = a"
    assert explain.formula_for(formula, "classification") == "L = loss + P\nP = b"
    assert explain.formula_for("L = MSE_t", "classification").splitlines()[0] == "L = CE_t"
    assert explain.formula_for("g ← g + p", "classification") == "g ← g + p"
