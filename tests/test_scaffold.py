"""`cftui methods new NAME`: two files that run as they are and give naive's numbers."""

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_method_files import error_of, registry  # noqa: F401 (a fresh registry per test)

from cftui import cli
from cftui.train import methods

FAST = ("--preset", "polynomial", "--epochs", "3", "--seeds", "2")


def matrices(tmp_path, method):
    out = tmp_path / f"{method.replace('/', '_')}.json"
    assert cli.main(["run", *FAST, "--method", method, "--json", str(out)]) == 0
    return [run["loss_matrix"] for run in json.loads(out.read_text())["runs"]]


def test_the_scaffold_runs_as_it_is_with_naive_numbers(tmp_path, capsys):
    assert cli.main(["methods", "new", "mine", "--dir", str(tmp_path)]) == 0
    assert "cftui --compare ./" in capsys.readouterr().out
    assert {p.name for p in tmp_path.iterdir()} == {"mine.py", "mine.toml"}
    naive = matrices(tmp_path, "naive")
    assert matrices(tmp_path, str(tmp_path / "mine.py")) == naive and naive[0] != naive[1]
    record = methods.info("mine")
    assert record.class_name == "Mine" and record.defaults == {"strength": 1.0}
    assert record.summary == "my method: plain fine-tuning for now"


def test_the_scaffold_documents_each_hook_with_its_shapes(tmp_path):
    cli.main(["methods", "new", "mine", "--dir", str(tmp_path)])
    code = (tmp_path / "mine.py").read_text()
    hooks = ("build_model", "training_set", "before_task", "batch", "penalty")
    hooks += ("after_backward", "after_step", "after_task")
    assert all(f"    def {hook}(" in code for hook in hooks)
    assert "[S, N, F]" in code and "per_seed" in code and "take(values, index)" in code


def test_the_scaffold_never_writes_over_a_file(tmp_path, capsys):
    (tmp_path / "mine.toml").write_text("mine")
    err = error_of(capsys, "methods", "new", "mine", "--dir", str(tmp_path))
    assert "mine.toml: exists" in err and not (tmp_path / "mine.py").exists()
    assert (tmp_path / "mine.toml").read_text() == "mine"


@settings(max_examples=15, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet="aZ_1é-", min_size=1, max_size=8) | st.sampled_from(["ewc", "naive"]))
def test_any_name_writes_a_method_that_loads_or_is_one_line(tmp_path_factory, name):
    folder = tmp_path_factory.mktemp("new")
    try:
        code = cli.main(["methods", "new", name, "--dir", str(folder)])
    except SystemExit as exit:  # argparse: a name that reads as a flag
        code = exit.code
    if not name.isidentifier() or name in methods.NAMES:
        assert code == 2 and not list(folder.iterdir())
    else:
        assert code == 0 and methods.use_file(folder / f"{name}.py") == name
        assert methods.info(name).defaults == {"strength": 1.0}


def test_a_scaffold_with_an_error_stays_one_line(tmp_path, capsys):
    cli.main(["methods", "new", "mine", "--dir", str(tmp_path)])
    path = tmp_path / "mine.py"
    path.write_text(path.read_text().replace("return x, y\n", "return x, y.squeeze(-1)\n"))
    capsys.readouterr()
    err = error_of(capsys, "run", *FAST, "--method", str(path), code=1)
    assert "mine.py:" in err and "batch: returned x [2, 80, 1] and y [2, 80]" in err
