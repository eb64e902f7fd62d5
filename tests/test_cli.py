import json
import subprocess
import sys

import pytest

from cftui import __version__, cli
from cftui.commands import run as run_command
from cftui.results.atomic import WriteError, write_json
from cftui.train import catalog, methods


def run_json(tmp_path, *flags):
    out = tmp_path / "r.json"
    code = cli.main(["run", *flags, "--json", str(out)])
    return code, json.loads(out.read_text())


def test_polynomial_forgets_catastrophically(tmp_path, capsys):
    code, result = run_json(tmp_path, "--preset", "polynomial", "--method", "naive")
    assert code == 0
    L = result["loss_matrix"]
    assert L[1][0] >= 10 * L[0][0]  # task 1's MSE after task 2 vs. right after task 1
    assert L[0][0] < 0.05 and L[1][1] < 0.05  # each task was learned
    assert result["forgetting"] == pytest.approx([L[1][0] - L[0][0]])
    assert result["bwt"] == pytest.approx(L[0][0] - L[1][0])
    assert result["steps"] == 400 and result["steps_per_second"] > 0
    assert [t["x_range"] for t in result["tasks"]] == [[-3.0, 0.0], [0.0, 3.0]]
    assert [(t["n_train"], t["n_test"]) for t in result["tasks"]] == [(80, 20), (80, 20)]
    assert result["config"]["model"] == {"layers": [1, 150, 150, 1], "activation": "sigmoid"}
    assert (result["preset"], result["method"], result["seed"]) == ("polynomial", "naive", 0)
    assert result["device"] == "cpu" and result["state"] == "finished"
    assert result["diverged"] is None
    printed = capsys.readouterr().out
    assert "test MSE" in printed and "forgot" in printed and "BWT" in printed


def test_same_seed_same_json_numbers(tmp_path):
    flags = ("--preset", "hypercl-toy", "--epochs", "30", "--seed", "4")
    a = run_json(tmp_path, *flags)[1]
    b = run_json(tmp_path, *flags)[1]
    assert a["loss_matrix"] == b["loss_matrix"] and len(a["loss_matrix"]) == 3
    assert a["config"]["data"]["seed"] == 4 and a["config"]["train"]["epochs"] == 30


def test_divergence_exits_1_and_keeps_what_it_had(tmp_path, capsys):
    preset = tmp_path / "boom.toml"
    preset.write_text('[train]\noptimizer = "sgd"\nlr = 1000.0\nepochs = 50\n')
    code, result = run_json(tmp_path, "--preset", str(preset))
    assert code == 1
    assert result["state"] == "diverged"
    assert result["diverged"]["task"] == 0 and result["diverged"]["step"] >= 1
    assert result["loss_matrix"] == [] and result["forgetting"] is None
    err = capsys.readouterr().err
    assert err.startswith("cftui: diverged: the loss became") and "Traceback" not in err


def test_unwritable_json_path_is_bad_input(tmp_path, capsys):
    target = tmp_path / "missing" / "r.json"
    assert cli.main(["run", "--epochs", "1", "--json", str(target)]) == 2
    assert f"{target}: cannot write: folder" in capsys.readouterr().err
    assert not target.parent.exists()


def test_a_write_error_is_one_line_and_exit_2(monkeypatch, capsys):
    def refuse(path):
        raise WriteError(path, "read-only")

    monkeypatch.setattr(run_command, "check_writable", refuse)
    assert cli.main(["run", "--json", "out.json"]) == 2
    assert capsys.readouterr().err == "cftui: error: out.json: cannot write: read-only\n"


def test_a_failed_write_leaves_no_partial_file(tmp_path):
    """The rename fails (the target is a folder): a clear error, and no temp file left."""
    (tmp_path / "r.json").mkdir()
    with pytest.raises(WriteError, match=r"r.json: cannot write: Is a directory"):
        write_json(tmp_path / "r.json", {"a": 1})
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]


def test_write_replaces_the_whole_file(tmp_path):
    target = tmp_path / "r.json"
    target.write_text("old")
    write_json(target, {"a": [1, 2]})
    assert json.loads(target.read_text()) == {"a": [1, 2]}


def test_presets_and_methods_list(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "250")  # one table row per line
    assert cli.main(["presets"]) == 0
    out = capsys.readouterr().out
    for name in ("polynomial", "rbf", "sigmoid", "fourier", "hypercl-toy"):
        assert name in out
    assert cli.main(["methods"]) == 0
    rows = capsys.readouterr().out.splitlines()
    for record in methods.METHODS:
        settings = [
            f"{key} = {methods.setting_text(value)}" for key, value in record.defaults.items()
        ] or ["-"]
        at = next(
            i
            for i, row in enumerate(rows)
            if all(part in row for part in (record.name, record.summary, ", ".join(settings)))
        )
        aware = "task id given" in rows[at + 1]  # the scenario, under the method's name
        assert aware == record.task_aware, record.name


def test_presets_names_a_broken_file_once_and_marks_shadowing(tmp_path, capsys, monkeypatch):
    folder = tmp_path / "cftui" / "presets"
    folder.mkdir(parents=True)
    (folder / "bad.toml").write_text("[train]\nepochz = 3\nlr = -1\n")
    (folder / "rbf.toml").write_text('name = "mine"\ndescription = "[red]not markup[/]"\n')
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    monkeypatch.setenv("COLUMNS", "250")
    assert cli.main(["presets", "-v"]) == 0
    out = capsys.readouterr().out
    assert out.count(str(folder / "bad.toml")) == 1
    assert f"skipped {folder / 'bad.toml'}:\n" in out
    assert "\n  [train] epochz: unknown key; did you mean 'epochs'?\n" in out
    assert "\n  [train] lr: must be > 0, got -1.0\n" in out
    rows = {line.split()[1]: line for line in out.splitlines() if line.startswith("│")}
    assert "[red]not markup[/]" in rows["rbf"] and "yours, shadows shipped" in rows["rbf"]
    assert rows["polynomial"].rstrip(" │").endswith("shipped") and "yours" not in rows["sigmoid"]


def test_console_script_piped_has_no_progress_bar(tmp_path):
    """The installed entry point, piped: the table, no progress bar, exit 0."""
    done = subprocess.run(
        [sys.executable, "-m", "cftui", "run", "--epochs", "5"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "test MSE" in done.stdout and "epochs ·" not in done.stdout
    assert done.stderr == ""


def test_compare_runs_every_method_on_every_seed(tmp_path, capsys):
    out = tmp_path / "c.json"
    flags = ["--methods", "naive,ewc,replay", "--seeds", "2", "--epochs", "5", "--seed", "3"]
    assert cli.main(["compare", *flags, "--json", str(out)]) == 0
    result = json.loads(out.read_text())
    assert result["seeds"] == [3, 4]
    runs = result["runs"]
    assert [(r["method"], r["seed"]) for r in runs] == [
        (m, s) for m in ("naive", "ewc", "replay") for s in (3, 4)
    ]
    assert all(len(r["loss_matrix"]) == 2 and r["state"] == "finished" for r in runs)
    for r in runs:  # every row carries its own metrics
        L = r["loss_matrix"]
        assert r["forgetting"] == pytest.approx([L[1][0] - L[0][0]])
        assert r["bwt"] == pytest.approx(L[0][0] - L[1][0]) and r["diverged"] is None
    # during task 1 no method does anything yet: same data, same weights, same first row
    for seed in (3, 4):
        rows = {tuple(r["loss_matrix"][0]) for r in runs if r["seed"] == seed}
        assert len(rows) == 1
    naive = [r["loss_matrix"][-1][0] for r in runs if r["method"] == "naive"]
    summary = result["summary"]["naive"]
    assert summary["final"][0]["mean"] == pytest.approx(sum(naive) / 2)
    printed = capsys.readouterr().out
    assert "replay" in printed and "%" in printed


def test_compare_rejects_unknown_methods(capsys):
    with pytest.raises(SystemExit) as caught:
        cli.main(["compare", "--methods", "naive,ewk"])
    assert caught.value.code == 2
    assert "unknown method ewk" in capsys.readouterr().err


def test_presets_fit_an_80_column_terminal_a_line_each_descriptions_with_v(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setenv("XDG_CONFIG_HOME", "/nonexistent")
    assert cli.main(["presets"]) == 0
    lines = capsys.readouterr().out.splitlines()
    rows = [line for line in lines if line.startswith("│")]
    assert len(rows) == len(list(catalog.available())) and len(lines) <= len(rows) + 10
    assert all(len(line) <= 80 for line in lines) and "description" not in lines[2]
    assert "│ blobs-class    │ 3 blobs, class " in "\n".join(rows)
    assert cli.main(["presets", "-v"]) == 0
    assert "illustrative" in capsys.readouterr().out  # a word of polynomial's description


@pytest.mark.parametrize(
    ("argv", "line"),
    [
        (["--presets", "polynomial"], "unknown flag --presets; did you mean --preset?"),
        (["run", "--threds", "2"], "unknown flag --threds; did you mean --threads?"),
        (["--colour"], "unknown flag --colour (see"),
        (["--pace", "fast"], "'fast' is not a pace: epochs per second (a number > 0), or full"),
    ],
)
def test_a_misspelt_flag_or_value_says_what_would_do(argv, line, capsys):
    with pytest.raises(SystemExit) as stop:
        cli.main(argv)
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and line in err


def test_an_abbreviated_flag_still_works_and_the_version_is_given(capsys):
    args = cli.build_parser().parse_args(["run", "--epoch", "3", "--pres", "rbf"])
    assert (args.epochs, args.preset) == (3, "rbf")
    with pytest.raises(SystemExit) as stop:
        cli.main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out == f"cftui {__version__}\n"
    assert cli.build_parser().format_help().count(f"cftui {__version__}:") == 1
