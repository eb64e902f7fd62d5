"""The docs' scenario tables (docs/guide/classes-2d.md, digits.md) are benchmarks/scenarios.py's,
derived from the kept per-seed accuracy matrices; and the targets they mark are checked
against those numbers."""

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).parent.parent


def scenarios():
    path = ROOT / "benchmarks" / "scenarios.py"
    spec = importlib.util.spec_from_file_location("scenarios", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("page", "preset"),
    [(page, preset) for page, presets in scenarios().PAGES.items() for preset in presets],
)
def test_the_docs_have_each_scenario_table_as_generated(page, preset):
    text = (ROOT / "docs" / "guide" / page).read_text(encoding="utf-8")
    assert scenarios().markdown(preset) in text


@pytest.mark.parametrize("preset", scenarios().PRESETS)
def test_each_table_is_the_median_of_the_kept_seeds(preset):
    """The average accuracy column, recomputed from the kept rows by hand."""
    module = scenarios()
    runs = json.loads((module.HERE / f"{preset}.json").read_text())["runs"]
    table = module.markdown(preset)
    for method in dict.fromkeys(r["method"] for r in runs):
        finals = [np.mean(r["accuracy_matrix"][-1]) for r in runs if r["method"] == method]
        assert len(finals) == 16
        assert f"| {method} | {100 * np.median(finals):.1f} (" in table, method


def test_the_digits_guide_puts_the_medians_beside_the_papers_numbers():
    """The tables beside the papers are generated, and their cells are the kept medians
    (EWC's, recomputed here by hand) and the papers' printed numbers."""
    module = scenarios()
    guide = (ROOT / "docs" / "guide" / "digits.md").read_text(encoding="utf-8")
    split, permuted = (module.beside_paper(protocol) for protocol in module.PROTOCOLS)
    assert split in guide and permuted in guide
    medians = {}
    for preset in ("digits-task", "digits-class", "digits-domain"):
        runs = json.loads((module.HERE / f"{preset}.json").read_text())["runs"]
        finals = [np.mean(r["accuracy_matrix"][-1]) for r in runs if r["method"] == "ewc"]
        medians[preset] = f"{100 * np.median(finals):.1f}"
    task, klass, domain = medians["digits-task"], medians["digits-class"], medians["digits-domain"]
    assert f"| ewc (EWC) | {task} | 98.64 | {klass} | 20.01 |" in split
    assert "| icarl (iCaRL (budget = 2000)) | – | – |" in split  # no iCaRL with a task id
    assert f"| ewc (EWC) | {domain} | 94.31 |" in permuted


def test_a_method_measured_again_replaces_only_its_rows_and_says_when_the_others_were():
    module = scenarios()
    old = {
        "preset": "p",
        "seeds": [0, 1],
        "runs": [
            {"method": m, "seed": s, "old": True} for m in ("naive", "packnet") for s in (0, 1)
        ],
        "summary": {"naive": "old naive", "packnet": "old packnet"},
        "measured_on": "2026-12-01",
        "commit": "abc",
    }
    fresh = {
        "preset": "p",
        "seeds": [0, 1],
        "runs": [{"method": "packnet", "seed": s, "old": False} for s in (0, 1)],
        "summary": {"packnet": "new packnet"},
    }
    merged = module._merged(old, fresh, ["packnet"])
    assert [(r["method"], r["seed"], r["old"]) for r in merged["runs"]] == [
        ("naive", 0, True),
        ("naive", 1, True),
        ("packnet", 0, False),
        ("packnet", 1, False),
    ]
    assert merged["summary"] == {"naive": "old naive", "packnet": "new packnet"}
    assert merged["kept_rows_from"] == {"measured_on": "2026-12-01", "commit": "abc"}
    merged |= {"measured_on": "2026-12-08", "commit": "def"}
    assert module._rerun(merged) == " (packnet; the others 2026-12-01 at abc)"
    naive = {"runs": [{"method": "naive", "seed": s} for s in (0, 1)], "summary": {"naive": "n"}}
    again = module._merged(merged, fresh | naive, ["naive"])
    assert again["kept_rows_from"] == merged["kept_rows_from"]  # the oldest rows' date
    assert again["rerun"] == ["naive", "packnet"]
    with pytest.raises(SystemExit, match="kept seeds"):
        module._merged(old, fresh | {"seeds": [0, 1, 2]}, ["packnet"])
