"""A sweep spec is held to the rules of the CLI's flags before anything trains: a method
that does not fit a preset's scenario, the seeds cap, each method setting's bounds; and
`sweep show` refuses a figure format it cannot write (issue 31's examples, each seen
failing before)."""

import pytest
from test_sweep import main, write_spec
from test_sweep_cli import fabricate

from cftui.sweep import backends, driver, spec
from cftui.train import validation


@pytest.fixture
def nothing_trains(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a job was started")

    monkeypatch.setattr(backends, "start", refuse)


def refused(tmp_path, monkeypatch, capsys, body: str) -> str:
    """`cftui sweep` of a spec: exit 2, one line on stderr, no database; that line."""
    path = write_spec(tmp_path, body)
    assert main(monkeypatch, "sweep", path) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"cftui: error: {path}: "), err
    assert not driver.default_db(path).exists()
    return err.removeprefix(f"cftui: error: {path}: ").rstrip("\n")


def test_a_method_that_does_not_fit_a_presets_scenario_is_refused_up_front(
    tmp_path, monkeypatch, capsys, nothing_trains
):
    line = refused(
        tmp_path, monkeypatch, capsys, 'presets = ["blobs-class"]\n[grid.naive]\n[grid.multihead]\n'
    )
    assert line.startswith("[grid.multihead]: preset 'blobs-class': multihead needs the task id")


def test_seeds_are_capped_as_the_clis_seeds_without_building_them(
    tmp_path, monkeypatch, capsys, nothing_trains
):
    def bounded(*args):
        assert max(args) <= validation.MAX_SEEDS, "a seed range built past the cap"
        return range(*args)

    monkeypatch.setattr(spec, "range", bounded, raising=False)  # the module's, not the builtin
    line = refused(tmp_path, monkeypatch, capsys, "seeds = 100000000\n[grid.naive]\n")
    assert line == "seeds: must be 1..4096 (seeds 0..N-1) or a list, got 100000000"
    many = f"seeds = {list(range(validation.MAX_SEEDS + 1))}\n[grid.naive]\n"
    assert (
        refused(tmp_path, monkeypatch, capsys, many)
        == "seeds: must list at most 4096 seeds, got 4097"
    )
    assert spec.load(write_spec(tmp_path, "seeds = 4096\n[grid.naive]\n")).seeds[-1] == 4095


@pytest.mark.parametrize(
    ("body", "line"),
    [
        (
            "[grid.lwf]\ntemperature = [2.0, 0]\n",
            "[grid.lwf] temperature: must be 0.01..100, got 0",
        ),
        ("[grid.si]\nxi = [0]\n", "[grid.si] xi: must be 1e-08..1e+06, got 0"),
        ("[grid.online_ewc]\ngamma = [1.5]\n", "[grid.online_ewc] gamma: must be 0..1, got 1.5"),
        ("[grid.agem]\nmemory = [0]\n", "[grid.agem] memory: must be 1..100000, got 0"),
        ("epochs = 100000000\n[grid.naive]\n", "epochs: must be 1..1000000, got 100000000"),
    ],
)
def test_each_setting_is_bounded_as_in_a_preset(tmp_path, monkeypatch, capsys, body, line):
    assert refused(tmp_path, monkeypatch, capsys, body) == line


def test_a_grid_too_large_to_mean_it_is_refused(tmp_path, monkeypatch, capsys, nothing_trains):
    values = ", ".join(str(k) for k in range(101))
    body = f"[grid.si]\nc = [{values}]\nxi = [{values}]\n"
    line = refused(tmp_path, monkeypatch, capsys, body.replace("xi = [0, ", "xi = ["))
    assert line == "[grid.si]: has 10100 combinations of settings; at most 10000"


def test_show_refuses_a_figure_format_it_cannot_write(tmp_path, monkeypatch, capsys):
    pytest.importorskip("matplotlib")
    monkeypatch.chdir(tmp_path)
    fabricate(tmp_path / "sweep.db")
    assert main(monkeypatch, "sweep", "show", "--png", "trade.jpg") == 2
    assert capsys.readouterr().err == (
        "cftui: error: --png: trade.jpg: name a .png, .svg, .pdf file\n"
    )
    assert not (tmp_path / "trade.jpg").exists()


def test_a_task_aware_method_on_a_split_that_gives_task_ids_loads(tmp_path):
    path = write_spec(tmp_path, 'presets = ["blobs-task"]\n[grid.multihead]\n[grid.packnet]\n')
    assert list(spec.load(path).grid) == ["multihead", "packnet"]
