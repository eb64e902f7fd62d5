"""The app's word on a preset nobody measured a method on: what the method did on the
generated zoo's presets like it (cftui/train/zoo_word.py), counted from the kept files, shown
while task 1 trains and in the explain pane."""

import dataclasses
import importlib.util
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cftui import cli
from cftui.train import catalog, explain, zoo_word
from cftui.train.snapshot import State

from tui_helpers import drive, screen_text, until

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
_spec = importlib.util.spec_from_file_location("zoo_table", BENCHMARKS / "zoo_table.py")
zoo_table = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(zoo_table)


@pytest.mark.parametrize(
    ("activation", "noise", "said"),
    [
        ("relu", 0.1, "relu, noise ≥ 0.035"),
        ("relu", 0.0349, "relu, noise < 0.035"),
        ("tanh", 0.035, "sigmoid or tanh, noise ≥ 0.035"),  # the bound is the higher kind's
        ("sigmoid", 0.01, "sigmoid or tanh, noise < 0.035"),
        ("gelu", 0.1, None),  # the zoo never drew one: nothing is said of it
    ],
)
def test_a_preset_s_kind_is_its_activation_and_its_noise(activation, noise, said):
    assert zoo_word.kind(activation, noise) == said


@pytest.mark.parametrize(("method", "kept"), [("ewc", 47 + 22), ("hnet", 47 + 22 + 24)])
def test_the_kinds_counts_are_the_kept_files_counted_by_hand(method, kept):
    """Over every draw that trained the method (the third trained only hnet and packnet),
    counted here from each file's seeds: per kind, the presets, those where task 1's median
    ends below naive's, and those with the last task's median within 3x naive's; zoo.json
    ships the same."""
    hand: dict[str, list[int]] = {}
    for folder in (zoo_table.HERE, zoo_table.HELD_OUT, zoo_table.THIRD):
        for path in sorted(folder.glob("zoo-r*.json")):
            result = json.loads(path.read_text(encoding="utf-8"))
            final = {"naive": [], method: []}
            for run in result["runs"]:
                if run["method"] in final:
                    final[run["method"]].append(run["loss_matrix"][-1])
            if result["dropped"] or not final[method]:
                continue
            (n1, nl), (e1, el) = (
                (sorted(r[0] for r in rows), sorted(r[-1] for r in rows))
                for rows in (final["naive"], final[method])
            )
            mid = [(v[1] + v[2]) / 2 for v in (n1, nl, e1, el)]  # the median of 4 seeds
            preset = result["preset"]
            act = "relu" if preset["model"]["activation"] == "relu" else "sigmoid or tanh"
            low = "<" if preset["data"]["noise"] < 0.035 else "≥"
            row = hand.setdefault(f"{act}, noise {low} 0.035", [0, 0, 0])
            row[0] += 1
            row[1] += mid[2] < mid[0]
            row[2] += mid[3] <= 3 * mid[1]
    shipped = zoo_word.zoo()["alike"][method]
    assert {
        k: [r["presets"], r["beats_naive"], r["last_within_3x"]] for k, r in shipped.items()
    } == hand
    assert sum(r[0] for r in hand.values()) == kept  # every kept regression of those draws


def test_the_app_ships_what_the_table_script_counts_now():
    """zoo.json's counts are the kept files' as zoo_table.py counts them today: a draw added
    or a rule changed without rerunning ``zoo_table.py --packaged`` fails here."""
    assert (
        zoo_word.zoo()["alike"]
        == zoo_table.packaged(
            zoo_table.tables(zoo_table.HERE),
            zoo_table.tables(zoo_table.HELD_OUT),
            zoo_table.tables(zoo_table.THIRD),
        )["alike"]
    )


ZOO = {  # a made-up zoo: one kind's counts, and 2-D scenarios' shares
    "alike": {  # naive "beats" itself on none, as in the real zoo: it is never cautioned
        "naive": {"relu, noise ≥ 0.035": {"presets": 10, "beats_naive": 0, "last_within_3x": 10}},
        "ewc": {"relu, noise ≥ 0.035": {"presets": 10, "beats_naive": 9, "last_within_3x": 8}},
        "si": {"relu, noise ≥ 0.035": {"presets": 10, "beats_naive": 8, "last_within_3x": 10}},
        "hnet": {"relu, noise ≥ 0.035": {"presets": 10, "beats_naive": 10, "last_within_3x": 7}},
    },
    "classification": {
        "ewc": {"class": {"presets": 13, "above_naive": 1 / 13}},
        "si": {"domain": {"presets": 10, "above_naive": 9 / 10}},  # the goal itself: met
        "replay": {"domain": {"presets": 22, "above_naive": 15 / 22}},  # 15/22*22 < 15 (floats)
    },
}


@pytest.fixture
def relu_preset(tiny):
    """A user's own preset: a relu network, noise 0.1, no numbers measured on it."""
    return dataclasses.replace(
        tiny, name="my-relu", model=dataclasses.replace(tiny.model, activation="relu")
    )


def test_a_caution_is_said_only_where_a_goal_was_missed(relu_preset):
    # 9 of 10 and 8 of 10 are the goals themselves (90 %, 80 %): met, so nothing is said
    assert zoo_word.caution(ZOO, relu_preset, "ewc") is None
    long, short = zoo_word.caution(ZOO, relu_preset, "si")  # 8 of 10 below naive's: short of 90 %
    assert long == (
        "si ended task 1 no better than naive on 2 of 10 zoo presets like this"
        " (relu, noise ≥ 0.035)"
    )
    assert short == "zoo: si's task 1 no better than naive's on 2/10 like this"
    long, _ = zoo_word.caution(ZOO, relu_preset, "hnet")  # task 1 held, the last task 7 of 10
    assert long.startswith("hnet's last task ended over 3x naive's MSE on 3 of 10 zoo presets")
    assert zoo_word.caution(ZOO, relu_preset, "naive") is None
    assert zoo_word.caution(ZOO, relu_preset, "mas") is None  # not in this zoo: nothing to say
    gelu = dataclasses.replace(
        relu_preset, model=dataclasses.replace(relu_preset.model, activation="gelu")
    )
    assert zoo_word.caution(ZOO, gelu, "si") is None


def test_a_2d_preset_s_caution_is_its_scenario_s():
    blobs = catalog.resolve("blobs-class")
    long, _ = zoo_word.caution(ZOO, blobs, "ewc")
    assert long == (
        "ewc ended no better than naive on 12 of 13 zoo presets like this (2-D class-incremental)"
    )
    assert zoo_word.caution(ZOO, catalog.resolve("digits-class"), "ewc") is None  # not 2-D
    moons = catalog.resolve("moons-domain")
    assert zoo_word.caution(ZOO, moons, "si") is None  # 9 of 10: the 90 % goal met
    long, short = zoo_word.caution(ZOO, moons, "replay")
    assert long == (
        "replay ended no better than naive on 7 of 22 zoo presets like this"
        " (2-D domain-incremental)"
    )
    assert short == "zoo: replay no better than naive on 7/22 like this"


def renamed(config, name: str):
    return dataclasses.replace(config, name=name)


def test_a_shipped_preset_has_its_own_numbers_and_no_caution(tiny, relu_preset):
    assert explain.caution(tiny, "ewc") is None  # polynomial's measured row says it
    zoo_says = zoo_word.caution(zoo_word.zoo(), relu_preset, "ewc")
    assert zoo_says is not None
    assert explain.caution(relu_preset, "ewc") == zoo_says
    # a copy of polynomial edited to relu that kept its name: polynomial's measured row was
    # taken on sigmoid, so the zoo's relu presets speak for it
    edited = renamed(relu_preset, "polynomial")
    assert explain.measured_row(edited, "ewc") is not None
    assert explain.caution(edited, "ewc") == zoo_says
    # a shipped 2-D preset is measured in the docs' tables; a renamed copy of it is not
    blobs = catalog.resolve("blobs-class")
    assert explain.caution(blobs, "ewc") is None
    assert explain.caution(renamed(blobs, "my-blobs"), "ewc") == zoo_word.caution(
        zoo_word.zoo(), blobs, "ewc"
    )
    gelu = dataclasses.replace(tiny, model=dataclasses.replace(tiny.model, activation="gelu"))
    assert explain.caution(renamed(gelu, "my-gelu"), "si") is None  # the zoo drew no gelu


def test_the_explain_pane_gives_the_counts_on_presets_like_this_one(relu_preset):
    row = zoo_word.zoo()["alike"]["ewc"]["relu, noise ≥ 0.035"]
    text = explain.method_markdown(relu_preset, "ewc")
    said = (
        f"**On presets like this one** (relu, noise ≥ 0.035; {row['presets']} in the zoo's"
        f" draws): task 1 ended below naive's on {row['beats_naive']}, the last task within 3x"
        f" naive's on {row['last_within_3x']}."
    )
    assert said in text
    assert text.index(said) < text.index("On the generated zoo")  # first, for a user's preset
    shipped = explain.method_markdown(renamed(relu_preset, "polynomial"), "ewc")
    assert shipped.index("Measured on polynomial") < shipped.index(said)  # after its own numbers
    gelu = dataclasses.replace(
        relu_preset, model=dataclasses.replace(relu_preset.model, activation="gelu")
    )
    assert "On presets like this one" not in explain.method_markdown(gelu, "ewc")


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
def test_the_advice_line_cautions_while_task_1_trains_then_watches(relu_preset, size):
    """The form that fits the width while task 1 trains; then the article's advice again."""
    expected = explain.caution(relu_preset, "ewc")
    assert expected is not None  # the kept zoo: EWC beat naive on under 90 % of these
    config = relu_preset.with_overrides(method="ewc", epochs=100_000)

    async def script(app, pilot):
        await until(pilot, lambda s: s.step > 0)
        advice = screen_text(app).splitlines()[1].strip()
        assert advice == expected[0 if size[0] == 120 else 1] + " — i: why"
        await pilot.press("n")
        await until(pilot, lambda s: s.task == 1 and s.state is State.RUNNING)
        assert "watch task 1's loss climb" in screen_text(app).splitlines()[1]

    drive(config, script, size=size)


def test_the_methods_guide_shows_the_kinds_table():
    guide = BENCHMARKS.parent / "docs" / "guide" / "methods.md"
    assert zoo_table.alike_markdown(zoo_word.zoo()["alike"]) in guide.read_text(encoding="utf-8")


def test_cftui_run_says_it_before_training_on_a_preset_of_your_own(tmp_path, capsys):
    shipped = (BENCHMARKS.parent / "presets" / "polynomial.toml").read_text(encoding="utf-8")
    mine = tmp_path / "mine.toml"
    mine.write_text(
        shipped.replace('name = "polynomial"', 'name = "mine"').replace(
            'activation = "sigmoid"', 'activation = "relu"'
        ),
        encoding="utf-8",
    )
    config = catalog.resolve(str(mine))
    long, _ = explain.caution(config, "ewc")
    for preset, said in ((str(mine), True), ("polynomial", False)):
        flags = ["run", "--preset", preset, "--method", "ewc", "--epochs", "2"]
        assert cli.main(flags) == 0
        out = capsys.readouterr().out.splitlines()
        assert (f"note: {long}" in out) is said  # one line, whatever the width (no wrap)
        assert not said or out.index(f"note: {long}") == 0  # before anything else


def test_when_task_1_is_done_the_advice_line_offers_the_next_task_again(relu_preset):
    async def script(app, pilot):
        await until(pilot, lambda s: s.state is State.TASK_DONE)
        assert screen_text(app).splitlines()[1].strip().startswith("task 1 done — n: on to task 2")

    drive(relu_preset.with_overrides(method="ewc"), script)


def test_paused_in_task_1_the_advice_line_offers_the_keys_not_the_caution(relu_preset):
    """Space pauses task 1: the line says how to go on, as on any preset; space resumes and
    the caution is back."""
    long, _ = explain.caution(relu_preset, "ewc")
    config = relu_preset.with_overrides(method="ewc", epochs=100_000)

    async def script(app, pilot):
        await until(pilot, lambda s: s.step > 0)
        await pilot.press("space")
        await until(pilot, lambda s: s.state is State.PAUSED)
        await pilot.pause(0.2)
        assert screen_text(app).splitlines()[1].strip().startswith("paused — space: resume")
        await pilot.press("space")
        await until(pilot, lambda s: s.state is State.RUNNING)
        await pilot.pause(0.2)
        assert screen_text(app).splitlines()[1].strip() == f"{long} — i: why"

    drive(config, script)


SHIPPED_NAMES = sorted(p.stem for p in catalog.shipped_dir().glob("*.toml"))


@st.composite
def own_presets(draw):
    """A preset a user could write: a shipped one as a start, any name (a shipped one's
    kept, or their own), any activation the config takes, any noise, any scenario its
    family takes."""
    start = catalog.resolve(draw(st.sampled_from(SHIPPED_NAMES)))
    name = draw(st.sampled_from(SHIPPED_NAMES) | st.text("abc-1", min_size=1, max_size=8))
    model = dataclasses.replace(
        start.model, activation=draw(st.sampled_from(["sigmoid", "tanh", "relu", "gelu"]))
    )
    data = dataclasses.replace(start.data, noise=draw(st.floats(0, 0.5)))
    if start.data.scenario:
        data = dataclasses.replace(
            data, scenario=draw(st.sampled_from(["class", "domain", "task"]))
        )
    return dataclasses.replace(start, name=name, model=model, data=data)


@settings(max_examples=150, deadline=None, derandomize=True)
@given(own_presets(), st.sampled_from(sorted(zoo_word.zoo()["regression"])))
def test_any_preset_of_your_own_gets_true_words_or_none(config, method):
    """Whatever a user writes, the words are the zoo's counts for its kind (a miss is the
    presets less the hits) and the short form fits 80 columns with its key; none for naive,
    for a kind the zoo never drew, or where the method met the goals."""
    said = explain.caution(config, method)
    found = zoo_word.counts(zoo_word.zoo(), config, method)
    if said is None:
        return
    assert method != "naive" and found is not None
    what, row = found
    hits = row.get("above_naive", row.get("beats_naive"))
    if "last task" in said[0] and hits >= zoo_word.BEATS_NAIVE * row["presets"]:
        hits = row["last_within_3x"]
    long, short = said
    assert f" {row['presets'] - hits} of {row['presets']} zoo presets like this ({what})" in long
    assert f" {row['presets'] - hits}/{row['presets']} like this" in short
    assert len(short + " — i: why") <= 80 and long.startswith(method)
