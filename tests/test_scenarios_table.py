"""The docs' scenario tables (docs/guide/classes-2d.md, digits.md) are benchmarks/scenarios.py's,
derived from the kept per-seed accuracy matrices; and the targets they mark are checked
against those numbers."""

import importlib.util
import json
import subprocess
import sys
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


def test_a_method_measured_again_replaces_only_its_rows_and_says_when_each_was_measured():
    module = scenarios()

    def result(names, old, day, commit):
        return {
            "seeds": [0, 1],
            "runs": [{"method": m, "seed": s, "old": old} for m in names for s in (0, 1)],
            "summary": {m: f"{m} {day}" for m in names},
            "measured_on": day,
            "commit": commit,
        }

    def header(result):
        return module._rerun(result)

    kept = result(("naive", "ewc", "packnet"), True, "12-01", "aaa")
    first = module._merged(kept, result(["packnet"], False, "", ""), STAMP_B) | STAMP_B
    assert [(r["method"], r["seed"], r["old"]) for r in first["runs"]] == [
        *[(m, s, True) for m in ("naive", "ewc") for s in (0, 1)],
        ("packnet", 0, False),
        ("packnet", 1, False),
    ]
    assert first["summary"] == {"naive": "naive 12-01", "ewc": "ewc 12-01", "packnet": "packnet "}
    assert header(first) == " (packnet; the others 12-01 at aaa)"
    second = module._merged(first, result(["naive"], False, "", ""), STAMP_C) | STAMP_C
    assert header(second) == " (naive; packnet 12-08 at bbb; the others 12-01 at aaa)"
    everything = result(("naive", "ewc", "packnet"), False, "", "")
    assert header(module._merged(second, everything, STAMP_C) | STAMP_C) == ""
    assert header(kept) == ""  # measured whole: nothing to say


STAMP_B = {"measured_on": "12-08", "commit": "bbb"}
STAMP_C = {"measured_on": "12-09", "commit": "ccc"}


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["--methods", "packnte"], "--methods: unknown method packnte"),
        (["--methods", "packnet", "--summary-only"], "--methods trains; --summary-only"),
    ],
)
def test_a_partial_rerun_refuses_what_it_cannot_do_in_one_line(argv, said):
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "scenarios.py"), *argv],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2 and said in done.stderr and "Traceback" not in done.stderr


def test_a_partial_rerun_skips_a_preset_none_of_its_methods_fits(capsys, monkeypatch):
    module = scenarios()

    def trains(*args, **kwargs):
        raise AssertionError(f"trained: {args}")

    monkeypatch.setattr(module.subprocess, "run", trains)
    module.run("blobs-class", 16, ["packnet"])  # class-incremental: packnet needs a task id
    assert (
        capsys.readouterr().out
        == "blobs-class: none of the methods asked for fits it; kept as it is\n"
    )
    with pytest.raises(SystemExit, match="kept seeds"):
        module.run("blobs-class", 3, ["naive"])  # checked before anything trains
