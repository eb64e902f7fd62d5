"""Every kind of bad preset gives one line per problem naming the file and the key, all of
its problems at once, and exit code 2; --set is checked like the preset's method keys."""

import re
import tomllib

import pytest

from cftui import cli
from cftui.train import catalog
from cftui.train.config import ConfigError, from_dict, load
from cftui.tui import app

SECTIONS = {
    "": ['name = "t"'],
    "data": ['family = "polynomial"', "n_tasks = 2", "x_range = [-3.0, 3.0]"],
    "model": ["layers = [1, 8, 1]"],
    "train": ["lr = 0.01", "epochs = 3"],
    "method": ['name = "naive"'],
}


def preset(section: str = "", lines: str = "") -> str:
    """The good preset, each of ``lines`` replacing its key in ``section`` (or added there)."""
    sections = {name: list(body) for name, body in SECTIONS.items()}
    for line in lines.splitlines():
        key = line.split("=")[0].strip()
        kept = [old for old in sections.get(section, []) if old.split("=")[0].strip() != key]
        sections[section] = [*kept, line]
    parts = ["\n".join(sections.pop(""))]
    parts += [f"[{name}]\n" + "\n".join(body) for name, body in sections.items()]
    return "\n\n".join(parts) + "\n"


GOOD = preset()

BAD = [
    # (section, line put there, the key the message names, words in the message)
    ("data", "famly = 1", "[data] famly", "did you mean 'family'"),
    ("", "colour = 1", "colour", "unknown key"),
    ("training", "lr = 1", "training", "did you mean 'train'"),
    ("train", 'lr = "fast"', "[train] lr", "must be a number, got a string ('fast')"),
    ("train", "epochs = 2.5", "[train] epochs", "must be an integer"),
    ("train", "epochs = true", "[train] epochs", "must be an integer, got a boolean"),
    ("train", "lr = 0", "[train] lr", "must be > 0"),
    ("train", "lr = -1e-3", "[train] lr", "must be > 0"),
    ("train", "epochs = 0", "[train] epochs", "must be 1..1000000"),
    ("data", "n_tasks = 0", "[data] n_tasks", "must be 1..20"),
    ("model", "layers = [2, 8, 1]", "[model] layers", "must start and end with 1"),
    ("model", "layers = [1, 8, 3]", "[model] layers", "must start and end with 1"),
    ("model", "layers = [1, 0, 1]", "[model] layers[1]", "must be 1..4096"),
    ("model", "layers = [1, 8.5, 1]", "[model] layers[1]", "must be an integer"),
    ("data", "x_range = [3.0, -3.0]", "[data] x_range", "low < high"),
    ("data", "x_range = [1.0, 1.0]", "[data] x_range", "low < high"),
    ("data", "x_range = [1.0]", "[data] x_range", "must have 2 items"),
    ("data", "x_range = 3", "[data] x_range", "must be an array"),
    ("data", "points_per_task = 100000000", "[data] points_per_task", "must be 2..100000"),
    ("data", "test_fraction = 1.5", "[data] test_fraction", "must be in (0, 1)"),
    ("data", "test_fraction = 0.001", "[data] test_fraction", "need at least one of each"),
    ("data", "noise = -0.1", "[data] noise", "must be 0..1000, got -0.1"),
    ("data", "ranges = [[0, 1]]", "[data] ranges", "has 1 entries but n_tasks = 2"),
    ("data", "ranges = [[0, 1], [3, 2]]", "[data] ranges[1]", "low < high"),
    ("data", 'family = "spline"', "[data] family", "unknown 'spline'"),
    ("data", 'family = "rbff"', "[data] family", "did you mean 'rbf'"),
    ("model", 'activation = "softplus"', "[model] activation", "choose from sigmoid, tanh"),
    ("train", 'optimizer = "adamw"', "[train] optimizer", "did you mean 'adam'"),
    ("method", 'name = "ewk"', "[method] name", "unknown 'ewk'"),
    ("method", "lambda = 3", "[method] lambda", "unknown key"),
    ("method.ewcc", "lambda = 3", "[method] ewcc", "unknown key"),
    ("data", "coefficients = [[1.0]]", "[data] coefficients", "has 1 entries but n_tasks = 2"),
    ("data", "coefficients = [[1.0], []]", "[data] coefficients[1]", "must have 1..8 numbers"),
    ("data", 'family = "expr"', "[data] functions", "needs one expression per task"),
    ("data", 'functions = ["x"]', "[data] functions", "has 1 entries but n_tasks = 2"),
    ("data", "test_fraction = 1e307", "[data] test_fraction", "must be in (0, 1)"),  # no overflow
    ("data", 'test_points = "grids"', "[data] test_points", "did you mean 'grid'"),
    ("train", 'optimizer_lifetime = "epoch"', "[train] optimizer_lifetime", "choose from method"),
]
EXPRESSIONS = [
    ("y", "unknown name 'y'"),
    ("__import__('os')", "not allowed"),
    ("x +", "syntax error"),
    ("log(x)", "not finite"),
]
BAD += [
    ("data", f'functions = ["x", "{text}"]\nfamily = "expr"', "[data] functions[1]", words)
    for text, words in EXPRESSIONS
]


def test_good_preset_loads(tmp_path):
    path = tmp_path / "good.toml"
    path.write_text(GOOD)
    config = load(path)
    assert config.model.layers == (1, 8, 1) and config.train.epochs == 3
    assert config.data.x_range == (-3.0, 3.0)


@pytest.mark.parametrize(("section", "line", "key", "words"), BAD, ids=[b[1] for b in BAD])
def test_bad_preset_names_file_and_key(tmp_path, capsys, section, line, key, words):
    path = tmp_path / "bad.toml"
    path.write_text(preset(section, line))
    with pytest.raises(ConfigError) as caught:
        load(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: {key}: "), message
    assert words in message
    # the CLI: exit 2, one line on stderr, no traceback
    assert cli.main(["run", "--preset", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err == f"cftui: error: {message}\n"


def test_a_section_that_is_not_a_table(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text("data = 3\n")
    with pytest.raises(ConfigError, match=r"bad.toml: data: must be a table"):
        load(path)


def test_toml_syntax_error_gives_the_line(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text('name = "x"\n[data\nn_tasks = 2\n')
    with pytest.raises(ConfigError, match=r"broken.toml: TOML syntax error: .*line 2"):
        load(path)


def test_missing_file(tmp_path, capsys):
    assert cli.main(["run", "--preset", str(tmp_path / "nope.toml")]) == 2
    assert "nope.toml: no such preset file" in capsys.readouterr().err


def test_every_problem_at_once(tmp_path, capsys):
    """One problem per key, in every table, each on its own line naming the file and key."""
    path = tmp_path / "bad.toml"
    path.write_text(
        'colour = 1\n[data]\nn_tasks = 0\nnoise = "loud"\nfunctions = ["x", "y", "z"]\n'
        "[model]\nlayers = [2, 8, 1]\n[train]\nepochz = 3\nlr = -1\n"
        "[method]\nname = 'ewc'\nlambda = -1\n[method.si]\nc = true\n"
    )
    expected = {
        "colour": "unknown key",
        "[data] n_tasks": "must be 1..20, got 0",
        "[data] noise": "must be a number, got a string ('loud')",
        "[model] layers": "must start and end with 1",
        "[train] epochz": "did you mean 'epochs'?",
        "[train] lr": "must be > 0, got -1",
        "[method] lambda": "must be 0..1e+12, got -1",
        "[method.si] c": "must be a number, got a boolean",
    }
    with pytest.raises(ConfigError) as caught:
        load(path)
    lines = str(caught.value).splitlines()
    assert len(lines) == len(expected), lines  # and not "[data] functions has 3 entries"
    for key, words in expected.items():
        assert any(line.startswith(f"{path}: {key}: ") and words in line for line in lines), key
    assert cli.main(["run", "--preset", str(path)]) == 2
    err = capsys.readouterr().err
    assert err == "".join(f"cftui: error: {line}\n" for line in lines)


@pytest.mark.parametrize(
    ("lines", "reported"),
    [
        # a bad value is not judged again by the rules that depend on it
        ('n_tasks = "two"\nfunctions = ["x", "x", "x"]', ["[data] n_tasks"]),
        ('family = "expr"\nfunctions = ["x", "y", "x"]', ["[data] functions"]),
        (
            'family = "expr"\nfunctions = ["y", "x"]\nranges = [[1, 0], [1, 2]]',
            ["[data] ranges[0]"],
        ),
        ("points_per_task = 1\ntest_fraction = 0.001", ["[data] points_per_task"]),
        ("x_range = [1.0, [2]]", ["[data] x_range[1]"]),
    ],
)
def test_a_problem_is_reported_once(lines, reported):
    with pytest.raises(ConfigError) as caught:
        from_dict(tomllib.loads(preset("data", lines)), "p.toml")
    assert [key for key, _ in caught.value.problems] == reported


def test_unknown_preset_name_lists_the_loadable(tmp_path, monkeypatch, capsys):
    folder = tmp_path / "cftui" / "presets"
    folder.mkdir(parents=True)
    (folder / "broken.toml").write_text("[data]\nn_tasks = -1\n")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert cli.main(["run", "--preset", "polynomal"]) == 2
    err = capsys.readouterr().err
    known = ", ".join(e.name for e in catalog.available() if e.name != "broken")
    assert f"--preset polynomal: no such preset; known: {known} (broken: broken;" in err
    assert "polynomial, rbf, sigmoid" in known


def test_shipped_presets_all_load():
    names = {entry.name: entry for entry in catalog.available()}
    assert {"polynomial", "rbf", "sigmoid", "fourier", "hypercl-toy"} <= set(names)
    assert all(entry.config is not None for entry in names.values())


def test_polynomial_is_the_article_setup(polynomial):
    assert polynomial.model.layers == (1, 150, 150, 1)
    assert polynomial.model.activation == "sigmoid"
    t = polynomial.train
    assert (t.optimizer, t.lr, t.epochs, t.batch_size) == ("adam", 0.01, 200, 0)
    assert polynomial.data.n_tasks == 2 and polynomial.method.name == "naive"


def test_user_presets_shadow_shipped_and_broken_ones_say_why(tmp_path, monkeypatch):
    folder = tmp_path / "cftui" / "presets"
    folder.mkdir(parents=True)
    (folder / "polynomial.toml").write_text(GOOD)
    (folder / "broken.toml").write_text("[data]\nn_tasks = -1\n[train]\nlr = 0\n")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    entries = {entry.name: entry for entry in catalog.available()}
    assert entries["polynomial"].path == folder / "polynomial.toml"
    assert entries["polynomial"].shadows and not entries["rbf"].shadows
    assert entries["broken"].config is None and not entries["broken"].shadows
    # one problem per line, without the path (the picker and `cftui presets` name the file)
    assert (
        entries["broken"].error
        == "[data] n_tasks: must be 1..20, got -1\n[train] lr: must be > 0, got 0.0"
    )
    assert catalog.resolve("polynomial").name == "t"


def test_overrides_and_round_trip(polynomial):
    changed = polynomial.with_overrides(seed=7, epochs=5, lr=0.5, method=None)
    assert (changed.data.seed, changed.train.epochs, changed.train.lr) == (7, 5, 0.5)
    assert changed.method == polynomial.method
    # to_dict has the TOML's shape: read back as a preset, it is the same config
    assert from_dict(changed.to_dict(), "round trip") == changed
    # other methods' settings too: hypercl-toy's own, and one from --set
    toy = catalog.resolve("hypercl-toy").with_overrides(settings={"si": {"xi": 0.5}})
    assert toy.to_dict()["method"]["si"] == {"c": 0.1, "xi": 0.5, "silent_floor": 0.0}
    assert from_dict(toy.to_dict(), "round trip") == toy


def test_set_overrides_a_method_setting(capsys):
    """--set reaches the selected method and the others (switched to later), keeps the
    preset's other keys, and survives being applied again to a preset picked later."""
    flags = ["--preset", "hypercl-toy", "--method", "ewc", "--set", "ewc.lambda=1e3"]
    args = cli.build_parser().parse_args([*flags, "--set", "si.xi=2", "--set", "replay.buffer=9"])
    config, overrides = cli.load_config(args)
    off = {"silent_floor": 0.0}  # EWC's and SI's floor under silent units: off by default
    assert config.method.params == {"lambda": 1000.0, "empirical_fisher": False, **off}
    assert config.with_overrides(method="si").method.params == {"c": 0.1, "xi": 2.0, **off}
    assert config.method.of("replay") == {"buffer": 9}
    picked = catalog.resolve("polynomial").with_overrides(**overrides, method="si")
    assert picked.method.params == {"c": 1.0, "xi": 2.0, **off}
    assert picked.method.of("ewc") == {"lambda": 1000.0, "empirical_fisher": False, **off}
    assert cli.main(["run", "--set", "ewc.lambda=1", "--epochs", "1"]) == 0
    capsys.readouterr()


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("ewk.lambda=1", "--set: ewk.lambda: unknown 'ewk' (did you mean 'ewc'?)"),
        ("ewc.lambd=1", "--set: ewc.lambd: unknown key; did you mean 'lambda'?"),
        ("naive.lambda=1", "--set: naive.lambda: unknown key; naive takes none"),
        ("ewc.lambda=big", "--set: ewc.lambda: must be a number, got a string ('big')"),
        ("replay.buffer=2.5", "--set: replay.buffer: must be an integer"),
        ("ewc.lambda=-1", "--set: ewc.lambda: must be 0..1e+12, got -1"),
        ("ewc.lambda=nan", "--set: ewc.lambda: must be a finite number, got nan"),
        ("si.c=inf", "--set: si.c: must be a finite number, got inf"),
        ("packnet.prune=1.5", "--set: packnet.prune: must be 0..0.99, got 1.5"),
        ("multihead.freeze_basis=2", "--set: multihead.freeze_basis: must be true or false"),
        ("ewc=1", "--set: ewc=1: expected METHOD.KEY=VALUE"),
    ],
)
@pytest.mark.parametrize("command", [[], ["run"], ["compare"]])
def test_bad_set_exits_2_with_one_line(capsys, monkeypatch, command, value, words):
    monkeypatch.setattr(app, "CftuiApp", None)  # the TUI must refuse it before opening
    assert cli.main([*command, "--set", value]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"cftui: error: {words}") and err.count("\n") == 1


@pytest.mark.parametrize(
    ("flag", "value", "words"),
    [
        ("--lr", "0", "argument --lr: must be > 0"),
        ("--lr", "abc", "argument --lr: 'abc' is not a valid float"),
        ("--epochs", "0", "argument --epochs: must be >= 1"),
        ("--seed", "-1", "argument --seed: must be >= 0"),
        ("--method", "ewk", "argument --method: unknown method ewk; choose from naive"),
        ("--device", "tpu", "argument --device: invalid choice: 'tpu'"),
    ],
)
def test_bad_flags_exit_2_with_one_line(capsys, flag, value, words):
    with pytest.raises(SystemExit) as caught:
        cli.main(["run", flag, value])
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert words in err and err.count("\n") == 1


@pytest.mark.parametrize(
    ("line", "key"),
    [("[train]\nlr = inf", "[train] lr"), ("[data]\nnoise = nan", "[data] noise"),
     ("[data]\nx_range = [-inf, 3.0]", "[data] x_range[0]")],
)  # fmt: skip
def test_a_preset_number_must_be_finite(tmp_path, line, key):
    preset = tmp_path / "p.toml"
    preset.write_text(line + "\n")
    with pytest.raises(ConfigError, match=rf"{re.escape(key)}: must be a finite number"):
        load(preset)
