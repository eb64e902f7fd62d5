"""Methods from outside the package: a file named with --method, an installed entry point,
and every way one can be wrong (one line, exit 2 to load, 1 for a hook that raises)."""

import json
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cftui import cli
from cftui.train import catalog, methods
from cftui.train.methods import outside

FAST = ("--preset", "polynomial", "--epochs", "3")
CLEAN = """
from cftui.train.methods.base import Method


class Halves(Method):
    \"\"\"scales the batch's targets by a setting (to see a setting arrive)\"\"\"

    settings = {"scale": 1.0}

    def batch(self, x, y):
        return x, y * self.params["scale"]
"""


@pytest.fixture(autouse=True)
def registry(monkeypatch):
    """Each test starts with no method file loaded and reads the entry points afresh."""
    monkeypatch.setattr(methods, "_FILES", {})
    monkeypatch.setattr(outside, "_SKIPPED", [])
    outside.installed.cache_clear()
    yield
    outside.installed.cache_clear()


def write(folder, name, code, toml=None):
    path = folder / f"{name}.py"
    path.write_text(textwrap.dedent(code))
    if toml is not None:
        (folder / f"{name}.toml").write_text(textwrap.dedent(toml))
    return path


def loss_matrix(tmp_path, *flags):
    out = tmp_path / "r.json"
    assert cli.main(["run", *FAST, *flags, "--json", str(out)]) == 0
    return json.loads(out.read_text())["loss_matrix"]


def error_of(capsys, *flags, code=2):
    """The one line of stderr a failed command wrote (argparse's errors exit by SystemExit)."""
    try:
        assert cli.main(list(flags)) == code
    except SystemExit as exit:
        assert exit.code == code
    err = capsys.readouterr().err.strip()
    assert "Traceback" not in err and len(err.splitlines()) == 1, err
    return err


def test_a_file_method_runs_and_takes_its_settings(tmp_path):
    path = write(tmp_path, "halves", CLEAN)
    naive = loss_matrix(tmp_path, "--method", "naive")
    assert loss_matrix(tmp_path, "--method", str(path)) == naive  # scale 1: naive's numbers
    scaled = loss_matrix(tmp_path, "--method", str(path), "--set", "halves.scale=0")
    assert scaled != naive  # the setting reached the hook
    assert methods.info("halves").origin == f"file {path.resolve()}"
    assert methods.info("halves").defaults == {"scale": 1.0}


def test_a_toml_beside_the_file_gives_its_settings_and_text(tmp_path):
    path = write(
        tmp_path,
        "halves",
        CLEAN,
        """
        summary = "from the TOML"
        idea = "an idea"
        [settings.scale]
        default = 2.0
        most = 3.0
        about = "the targets' factor"
        """,
    )
    assert methods.use_file(path) == "halves"
    record = methods.info("halves")
    assert (record.summary, record.idea, record.defaults, record.most) == (
        "from the TOML",
        "an idea",
        {"scale": 2.0},
        {"scale": 3.0},
    )
    assert record.optimizer_lifetime == "run" and record.task_aware is False


def test_compare_runs_a_file_beside_built_ins_with_seeds(tmp_path, capsys):
    path = write(tmp_path, "halves", CLEAN)
    out = tmp_path / "c.json"
    flags = ["compare", *FAST, "--seeds", "2", "--methods", f"naive,{path}", "--json", str(out)]
    assert cli.main(flags) == 0
    runs = json.loads(out.read_text())["runs"]
    matrices = {}
    for run in runs:  # one per method and seed
        matrices.setdefault(run["method"], []).append(run["loss_matrix"])
    assert set(matrices) == {"naive", "halves"} and len(matrices["halves"]) == 2
    assert matrices["halves"] == matrices["naive"] and matrices["naive"][0] != matrices["naive"][1]


def test_a_preset_naming_a_file_is_refused_in_one_line(tmp_path, capsys):
    path = write(tmp_path, "halves", CLEAN)
    preset = tmp_path / "p.toml"
    preset.write_text(f'[method]\nname = "{path}"\n')
    err = error_of(capsys, "run", "--preset", str(preset))
    assert "p.toml: [method] name: a preset is data" in err and "--method" in err
    assert "halves" not in methods.names()  # nothing was loaded, let alone run


@settings(max_examples=25, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet="ab./\\_", min_size=1, max_size=12).filter(outside.looks_like_file))
def test_any_path_in_a_preset_is_refused(tmp_path_factory, name):
    preset = tmp_path_factory.mktemp("p") / "p.toml"
    preset.write_text(f"[method]\nname = {json.dumps(name)}\n")
    with pytest.raises(catalog.ConfigError, match="a preset is data"):
        catalog.resolve(str(preset))


@pytest.mark.parametrize(
    ("code", "toml", "expected"),
    [
        ("import nope\n", None, ":1: ModuleNotFoundError: No module named 'nope'"),
        ("x = (\n", None, ":1: SyntaxError"),
        ("x = 1\n\n1 / 0\n", None, ":3: ZeroDivisionError"),
        ("x = 1\n", None, "needs one Method subclass, found none"),
        (CLEAN + "\nclass Two(Halves):\n    pass\n", None, "found 2 (Halves, Two)"),
        (CLEAN, 'summary = "s"\nsumary = "t"\n', "unknown key 'sumary'"),
        (CLEAN, 'summary = "s"\noptimizer_lifetime = "day"\n', "optimizer_lifetime must be"),
        (CLEAN, "summary = [\n", "halves.toml: "),
        (CLEAN, 'summary = "s"\n[settings.k]\ndefault = 1\n', "needs default and about"),
        (CLEAN, 'summary = "s"\n[settings.k]\ndefault = -1\nabout=""\n', "number >= 0"),
    ],
)
def test_a_file_that_cannot_load_is_one_line(tmp_path, capsys, code, toml, expected):
    path = write(tmp_path, "halves", code, toml)
    err = error_of(capsys, "run", *FAST, "--method", str(path))
    assert str(tmp_path) in err and expected in err


def test_a_file_named_as_a_built_in_or_missing_is_one_line(tmp_path, capsys):
    clash = write(tmp_path, "ewc", CLEAN)
    assert "'ewc' is taken" in error_of(capsys, "run", "--method", str(clash))
    missing = tmp_path / "gone.py"
    assert "no such method file" in error_of(capsys, "run", "--method", str(missing))


def test_a_hook_that_raises_is_its_file_and_line(tmp_path, capsys):
    code = (
        CLEAN + "\n    def after_task(self, model, data, k):\n        raise RuntimeError('boom')\n"
    )
    path = write(tmp_path, "halves", code)
    err = error_of(capsys, "run", *FAST, "--method", str(path), code=1)
    line = path.read_text().splitlines().index("        raise RuntimeError('boom')") + 1
    assert err == f"cftui: error: {path.resolve()}:{line}: RuntimeError: boom"


@pytest.mark.parametrize(
    ("hook", "expected"),
    [
        ("def batch(self, x, y):\n        return x[:, :, 0], y", "batch: returned x [1, 80]"),
        ("def batch(self, x, y):\n        return x", "batch: returned Tensor; expected a pair"),
        (
            "def training_set(self, data, k):\n"
            "        return data.train(k)[0], data.train(k)[1][:, :3]",
            "training_set: returned x [1, 80, 1] and y [1, 3, 1]",
        ),
        ("def penalty(self, model, x):\n        return model(x)", "penalty: returned [1, 80, 1]"),
    ],
)
def test_a_hook_of_the_wrong_shape_is_its_file_and_line(tmp_path, capsys, hook, expected):
    code = "from cftui.train.methods.base import Method\n\n\nclass Bad(Method):\n    " + hook
    path = write(tmp_path, "bad", code + "\n")
    err = error_of(capsys, "run", *FAST, "--method", str(path), code=1)
    assert err.startswith(f"cftui: error: {path.resolve()}:5 ") and expected in err


INSTALLED = """
from cftui.train.methods.base import Method


class Shipped(Method):
    \"\"\"from a package\"\"\"
"""


@pytest.fixture
def installed(tmp_path, monkeypatch):
    """A package `cftui-demo` installed on sys.path, offering methods `demo` and `ewc`."""
    write(tmp_path, "cftui_demo_method", INSTALLED, 'summary = "a method a package offers"\n')
    info = tmp_path / "cftui_demo-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: cftui-demo\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(
        "[cftui.methods]\ndemo = cftui_demo_method:Shipped\newc = cftui_demo_method:Shipped\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    outside.installed.cache_clear()


def test_an_installed_method_is_listed_run_and_named_by_presets(
    installed, tmp_path, capsys, monkeypatch
):
    monkeypatch.setenv("COLUMNS", "200")  # a table row on one line
    assert methods.names()[-1] == "demo" and "demo" not in methods.NAMES
    assert methods.info("demo").origin == "installed from cftui-demo"
    assert cli.main(["methods"]) == 0
    listed = capsys.readouterr().out
    assert "installed from cftui-demo" in listed and "a method a package offers" in listed
    assert "skipped ewc (cftui-demo): the name 'ewc' is taken" in listed
    assert loss_matrix(tmp_path, "--method", "demo") == loss_matrix(tmp_path, "--method", "naive")
    preset = tmp_path / "p.toml"
    preset.write_text('[method]\nname = "demo"\n')
    assert catalog.resolve(str(preset)).method.name == "demo"  # an installed method: data


def test_methods_all_takes_installed_methods(installed):
    assert cli.build_parser().parse_args(["compare", "--methods", "all"]).methods[-1] == "demo"


def toml(value):
    if isinstance(value, bool):
        return str(value).lower()
    return "{}" if value == {} else json.dumps(value)


@settings(max_examples=40, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.dictionaries(
        st.sampled_from(["summary", "class", "task_aware", "optimizer_lifetime", "idea", "x"]),
        st.one_of(st.text(max_size=4), st.booleans(), st.integers(-2, 2), st.just({})),
        max_size=4,
    )
)
def test_any_toml_table_loads_or_is_one_line(tmp_path_factory, table):
    """Whatever a user writes in the TOML, it loads or says why in one line, never more."""
    folder = tmp_path_factory.mktemp("m")
    path = write(folder, "halves", CLEAN)
    (folder / "halves.toml").write_text("".join(f"{k} = {toml(v)}\n" for k, v in table.items()))
    try:
        methods.use_file(path)
    except outside.MethodLoadError as err:
        assert str(path.with_suffix(".toml")) in str(err) or str(path) in str(err)
        assert "\n" not in str(err)
    else:
        record = methods.info("halves")
        assert isinstance(record.summary, str) and record.optimizer_lifetime in ("run", "task")


@pytest.mark.timeout(180)
def test_a_file_method_sweeps_on_the_local_pool_and_ray_refuses_it(tmp_path, monkeypatch):
    from test_sweep import main, write_spec

    from cftui.sweep import backends, spec

    path = write(tmp_path, "halves", CLEAN)
    sweep = write_spec(tmp_path, "seeds = 2\n[grid.naive]\n[grid.halves]\nscale = [1.0, 0.0]\n")
    db = tmp_path / "s.db"
    assert main(monkeypatch, "sweep", sweep, "--db", db, "--workers", 2, "--method", path) == 0
    runs = {}  # (method, settings) -> {seed: loss matrix}
    for row in sqlite_rows(db):
        runs.setdefault((row["method"], str(row["settings"])), {})[row["seed"]] = row["loss_matrix"]
    assert sorted(m for m, _ in runs) == ["halves", "halves", "naive"]
    assert all(len(seeds) == 2 for seeds in runs.values())
    naive = next(v for (m, _), v in runs.items() if m == "naive")
    scaled = [v for (m, _), v in runs.items() if m == "halves"]
    assert sum(v == naive for v in scaled) == 1  # scale 1 trains as naive, in the workers
    jobs = spec.jobs(spec.load(sweep))
    with pytest.raises(catalog.ConfigError, match="a file on this machine, which Ray's nodes"):
        backends.start("ray", jobs, 2, None)


def sqlite_rows(db):
    from test_sweep import rows

    return rows(db)


def test_a_recording_names_the_file_and_hash_and_replays_without_it(tmp_path, monkeypatch):
    import hashlib

    from cftui.results.recording import read

    path = write(tmp_path, "halves", CLEAN)
    recording = tmp_path / "r.jsonl"
    flags = ["run", *FAST, "--method", str(path), "--set", "halves.scale=0.5"]
    assert cli.main([*flags, "--record", str(recording)]) == 0
    header = json.loads(recording.read_text().splitlines()[0])
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    assert header["method_files"] == {"halves": {"path": str(path.resolve()), "sha256": sha}}
    assert header["config"]["method"] == {"name": "halves", "scale": 0.5}
    monkeypatch.setattr(methods, "_FILES", {})  # a replay elsewhere: the file is not loaded
    replayed = read(recording)
    config = replayed.frames[-1].snapshot.scene.config
    assert config.method.name == "halves" and config.method.params == {"scale": 0.5}
    assert methods.info("halves").summary == f"recorded from {path.resolve()} (sha256 {sha[:12]})"
    assert methods.files() == {}  # nothing to run: a replay loads no code


def test_the_guides_worked_example_runs_and_holds_task_1(tmp_path):
    """The docs' "Write your own method" example, as written there, against naive."""
    readme = (Path(__file__).parent.parent / "docs/guide/own-method.md").read_text(encoding="utf-8")
    start = readme.index('```python\n"""Pseudo-rehearsal') + len("```python\n")
    code = readme[start : readme.index("```", start)]
    assert 25 <= len(code.splitlines()) <= 40  # about 30 lines, start to finish
    path = tmp_path / "pseudo.py"
    path.write_text(code)
    out = tmp_path / "c.json"
    flags = ["--preset", "polynomial", "--epochs", "60", "--seeds", "2"]
    assert cli.main(["compare", *flags, "--methods", f"naive,{path}", "--json", str(out)]) == 0
    task1 = {}
    for run in json.loads(out.read_text())["runs"]:
        task1.setdefault(run["method"], []).append(run["loss_matrix"][-1][0])
    assert all(p < n / 5 for p, n in zip(task1["pseudo"], task1["naive"], strict=True))


def test_the_pickers_mark_an_installed_method(installed, tiny):
    from cftui.tui.compare_picker import choice
    from cftui.tui.screens import method_picker

    entries = {name: text for name, text, _ in method_picker(tiny).entries}
    assert entries["demo"].splitlines()[1].startswith("installed from cftui-demo · ")
    assert "installed from" not in entries["ewc"]
    assert choice("demo").plain == "demo  a method a package offers  installed from cftui-demo"
    assert choice("naive").plain.endswith("(forgets)")  # a built-in one: no origin
