"""Generated bad inputs (tests/mutations.py) against every reader of what a user writes:
valid presets (each shipped one, 1-D and 2-D), sweep specs, --set values and cluster
addresses, mutated. Each ends in a valid result or in ConfigError (exit 2): one line per
problem, naming the file or flag; never another exception, never a giant array, never a
valid input that fails later on something the reader could have seen (a preset's data is
drawn finite and without a warning; a sweep job's config loads again in its worker).

About 1,400 examples a run, derandomized: the same inputs on every run and machine.
"""

import subprocess
import sys
import tomllib
import tracemalloc
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from mutations import mutated, mutated_text, toml_text, truncated

from cftui import cli
from cftui.commands import run as headless
from cftui.sweep import cluster, spec
from cftui.train import catalog, methods, problem, validation
from cftui.train.config import ConfigError, from_dict, load

SHIPPED = {path.stem: path.read_text() for path in sorted(catalog.shipped_dir().glob("*.toml"))}
PRESETS = {name: tomllib.loads(text) for name, text in SHIPPED.items()}
SPEC = {
    "presets": ["polynomial", "blobs-class", "tiny.toml"],
    "seeds": [0, 1],
    "epochs": 3,
    "grid": {
        "naive": {},
        "ewc": {"lambda": [1.0, 100.0], "empirical_fisher": [True]},
        "lwf": {"temperature": [1.0, 2.0], "alpha": [0.5]},
        "replay": {"buffer": [10]},
    },
}
SPEC_TASK = {  # task-aware methods, on presets that give them the task id
    "presets": ["blobs-task", "tiny.toml"],
    "seeds": 3,
    "grid": {
        "multihead": {"freeze_basis": [True, False]},
        "packnet": {"prune": [0.5], "retrain_epochs": [2]},
        "si": {"c": [0.1], "xi": [0.1]},
    },
}
TINY = '[data]\nfamily = "rbf"\npoints_per_task = 40\n[model]\nlayers = [1, 8, 1]\n'
ADDRESSES = ("auto", "127.0.0.2:6379", "ray://127.0.0.2:10001", "[::1]:6379", "head.lan:1")
MOST_BYTES = 20_000_000  # what checking a preset may allocate: its values, not its data
NOT_AN_ADDRESS = "is not auto, HOST:PORT or ray://HOST:PORT"


def generated(examples: int):
    return settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )


def one_line_each(err: ConfigError, source: str) -> None:
    """A line per problem, each naming ``source``, none empty or spread over lines."""
    lines = str(err).splitlines()
    assert len(lines) == len(err.problems) >= 1, lines
    assert all(line.startswith(f"{source}: ") and line != f"{source}: " for line in lines)


def checked(doc: dict, source: str):
    """The config ``doc`` makes, or None when refused; checking allocates little."""
    tracemalloc.start()
    try:
        config = from_dict(doc, source)
    except ConfigError as err:
        one_line_each(err, source)
        event("refused")
        return None
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert peak < MOST_BYTES, f"checking allocated {peak} bytes"
    return config


@generated(600)
@given(st.sampled_from(sorted(PRESETS)).flatmap(lambda name: mutated(PRESETS[name])))
def test_a_mutated_preset_is_a_config_whose_data_draws_or_one_line_per_problem(doc):
    config = checked(doc, "p.toml")
    if config is None:
        return
    event("valid: data drawn")
    assert from_dict(config.to_dict(), "again") == config
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow, no division by zero, no empty mean
        drawn = problem.of(config).draw(config.data)
    assert len(drawn) == config.data.n_tasks
    for task in drawn:
        assert np.isfinite(task.x_train).all() and np.isfinite(task.y_train).all()
        assert np.abs(task.y_train).max(initial=0) < 1e30  # fits float32, squared or not
        assert len(task.x_train) and len(task.x_test)


@generated(200)
@given(st.sampled_from(sorted(SHIPPED)).flatmap(lambda name: truncated(SHIPPED[name])))
def test_a_preset_file_cut_at_any_byte_loads_or_is_one_line_per_problem(tmp_path_factory, raw):
    path = tmp_path_factory.mktemp("cut") / "p.toml"
    path.write_bytes(raw)
    try:
        load(path)
    except ConfigError as err:
        one_line_each(err, str(path))


@generated(150)
@given(st.sampled_from(sorted(PRESETS)).flatmap(lambda name: mutated(PRESETS[name])))
def test_a_mutated_preset_file_at_the_cli_is_exit_0_or_2_and_one_line_each(
    tmp_path_factory, monkeypatch, capsys, doc
):
    path = tmp_path_factory.mktemp("cli") / "p.toml"
    path.write_text(toml_text(doc))
    monkeypatch.setattr(headless, "run", lambda args, config: 0)  # up to, not into, training
    code = cli.main(["run", "--preset", str(path)])
    err = capsys.readouterr().err
    assert code in (0, 2) and (err == "") == (code == 0), err
    assert all(line.startswith("cftui: error: ") for line in err.splitlines()), err


@pytest.fixture(scope="module")
def spec_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("spec")
    (folder / "tiny.toml").write_text(TINY)
    return folder


@generated(250)
@given(st.sampled_from([SPEC, SPEC_TASK]).flatmap(mutated))
def test_a_mutated_sweep_spec_gives_jobs_that_load_in_their_worker_or_one_line_each(
    spec_folder, doc
):
    path = spec_folder / "spec.toml"
    path.write_text(toml_text(doc))
    try:
        found = spec.load(path)
    except ConfigError as err:
        one_line_each(err, str(path))
        event("refused")
        return
    event("valid: jobs loaded")
    assert 1 <= len(found.seeds) <= validation.MAX_SEEDS
    for job in spec.jobs(found):
        config = from_dict(job.config, job.preset)  # what backends.train does in a worker
        assert validation.unfit_method(config, job.method) is None
        assert len(job.runs) <= len(found.seeds)


SETTINGS = [(m, k) for m in methods.names() for k in methods.info(m).defaults]
VALUES = st.one_of(
    st.sampled_from(["0", "-1", "nan", "inf", "-inf", "1e308", "1e999", "true", "", "[1]"]),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-(2**70), 2**70).map(str),
    st.text(max_size=10),
)


@generated(150)
@given(st.sampled_from(SETTINGS).flatmap(lambda s: st.tuples(st.just(s), VALUES)))
def test_a_set_flag_is_within_its_settings_bounds_or_one_line(drawn):
    (method, key), value = drawn
    record = methods.info(method)
    try:
        given = validation.method_overrides([f"{method}.{key}={value}"])
    except ConfigError as err:
        one_line_each(err, "--set")
        return
    taken = given[method][key]
    assert type(taken) is type(record.defaults[key])
    if key in record.least:
        assert record.least[key] <= taken <= record.most[key]


@generated(250)
@given(st.sampled_from(ADDRESSES).flatmap(mutated_text))
def test_a_mutated_address_is_taken_as_ray_reads_it_or_refused_in_one_line(address):
    try:
        cluster.check_form(address)
    except ConfigError as err:
        assert str(err) == f"--address: {address!r} {NOT_AN_ADDRESS}"
        return
    if address == "auto" or address.startswith(cluster.CLIENT):
        return
    try:
        gcs = cluster._bootstrap(address)  # as Ray resolves it: no cluster is reached
    except ConfigError as err:
        assert str(err).count("\n") == 0 and str(err).startswith("--address: ")
        return
    assert gcs.rpartition(":")[2] == address.rpartition(":")[2]


TWO_D = SHIPPED["blobs-class"]
GOOD_SPEC = 'presets = ["polynomial"]\n[grid.naive]'
BAD = [
    (["run", "--preset", "{dir}/p.toml"], TWO_D.replace("n_tasks = 3 ", "n_tasks = 0 "), "n_tasks"),
    (["run", "--preset", "{dir}/p.toml"], "[data\nn_tasks = 2", "TOML syntax error"),
    (["run", "--preset", "{dir}/p.toml"], "x = " + "[" * 3000 + "]" * 3000, "nested too deeply"),
    (["run", "--set", "lwf.temperature=0"], "", "lwf.temperature: must be 0.01..100"),
    (["sweep", "{dir}/spec.toml"], 'presets = ["blobs-class"]\n[grid.multihead]', "multihead"),
    (["sweep", "{dir}/spec.toml", "--address", ""], GOOD_SPEC, "'' is not auto"),
]


@pytest.mark.parametrize(("argv", "text", "words"), BAD, ids=[b[2] for b in BAD])
def test_python_m_cftui_exits_2_with_one_line(tmp_path, argv, text, words):
    (tmp_path / ("spec.toml" if argv[0] == "sweep" else "p.toml")).write_text(text)
    argv = [a.replace("{dir}", str(tmp_path)) for a in argv]
    done = subprocess.run(
        [sys.executable, "-m", "cftui", *argv], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
    assert done.stderr.startswith("cftui: error: ") and words in done.stderr, done.stderr
