"""The figures where the app and `sweep show` meet them: "g" writes the view's figures where
"s" writes screenshots, and says where; without matplotlib it says what to install;
`cftui sweep show --png` draws the trade-off with its Pareto front."""

import sys

from PIL import Image
from test_sweep_cli import exit_code, fabricate

from cftui import figures
from cftui.figures import planes, trade_off
from cftui.results.summary import Stats
from cftui.sweep import show
from cftui.sweep.store import Store
from cftui.train.snapshot import State

from tui_helpers import drive, until

WAIT_S = 30.0  # matplotlib's first import and four figures, on two busy cores


async def notices_after_g(app, pilot) -> list[str]:
    """Press g and wait (at most WAIT_S) for its notice that figures were saved; every notice
    shown by then, each on one line."""
    await pilot.press("g")
    for _ in range(int(WAIT_S / 0.05)):
        await pilot.pause(0.05)
        said = [n.message.replace("\n", "") for n in app._notifications]
        if any("saved" in message for message in said):
            break
    return said


def test_g_writes_the_views_figures_where_s_writes_screenshots(tiny, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    async def script(app, pilot):
        await until(pilot, lambda s: s.state is State.TASK_DONE)
        said = await notices_after_g(app, pilot)
        assert any(f"saved {tmp_path}/cftui-polynomial-naive-" in m for m in said), said
        assert any(m.endswith("-*.png: data, loss, fit, matrix") for m in said), said

    drive(tiny, script, size=(120, 40))
    made = sorted(tmp_path.glob("*.png"))
    assert [path.name.rsplit("-", 1)[1] for path in made] == [
        "data.png",
        "fit.png",
        "loss.png",
        "matrix.png",
    ]
    with Image.open(tmp_path / made[2]) as loss:
        assert loss.size == (1200, 750)


def test_without_matplotlib_the_key_says_which_extra(tiny, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # as if not installed
    saved, said = figures.save_here(object(), "stem")
    assert not saved
    assert said == (
        "figures not saved: the \"g\" key: needs matplotlib: pip install 'cftui[figures]'"
    )


def test_sweep_show_png_draws_every_setting_and_the_front(tmp_path, monkeypatch, capsys):
    db, out = tmp_path / "s.db", tmp_path / "trade.png"
    fabricate(db)
    assert exit_code(monkeypatch, "sweep", "show", "--db", db, "--png", out) == 0
    assert f"wrote {out}" in capsys.readouterr().out
    with Image.open(out) as image:
        assert image.size == trade_off.SIZE
    found = show.points(Store(db).rows())
    ax = trade_off.chart("tiny", "task 1's final test MSE", found).axes[0]
    front = sorted((p for p in found if p.pareto), key=lambda p: p.plasticity.median)
    assert list(ax.lines[0].get_xdata()) == [p.plasticity.median for p in front]
    assert list(ax.lines[0].get_ydata()) == [p.memory.median for p in front]
    labels = ax.get_legend_handles_labels()[1]
    assert labels == ["Pareto front", "naive", "ewc", "l2"]
    named = [text.get_text() for text in ax.texts]  # every setting, which λ is which
    assert sorted(named) == sorted(trade_off.setting(p) for p in found)
    assert "naive" in named and "lambda=100" in named
    bold = sorted(text.get_text() for text in ax.texts if text.get_fontweight() == "bold")
    assert bold == sorted(trade_off.setting(p) for p in front)
    fig = ax.figure
    fig.canvas.draw()
    ticks = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert ticks and all("$" not in t and "e" not in t for t in ticks), ticks  # one style


def test_the_trade_off_axes_label_one_style_within_a_decade():
    """Points within one decade: matplotlib would label the minor ticks in powers of ten
    beside the plain major labels; here every label is plain (0.02, 0.05, ...)."""
    near = [
        show.Point("ewc", f"ewc lambda={lam}", Stats.of([m]), Stats.of([q]), 1, 1, 0)
        for lam, m, q in ((1, 0.031, 0.021), (10, 0.024, 0.033), (100, 0.022, 0.038))
    ]
    ax = trade_off.chart("tiny", "task 1's final test MSE", near).axes[0]
    ax.figure.canvas.draw()
    for axis in (ax.xaxis, ax.yaxis):
        labels = axis.get_ticklabels() + axis.get_ticklabels(minor=True)
        shown = [t.get_text() for t in labels if t.get_text()]
        assert shown and all(float(t) > 0 for t in shown), shown  # no 2×10⁻² among them


def test_g_on_a_2d_run_writes_its_regions_and_accuracy_figures(tmp_path, monkeypatch):
    """Issue 32: g on a 2-D run did nothing at all (the key was dimmed), then said "no
    figures": now it writes the run's own figures, the regions among them."""
    import dataclasses

    from cftui.train import catalog

    monkeypatch.chdir(tmp_path)
    blobs = catalog.resolve("blobs-class")
    blobs = dataclasses.replace(blobs, train=dataclasses.replace(blobs.train, epochs=3))

    async def script(app, pilot):
        await until(pilot, lambda s: s.state is State.TASK_DONE)
        said = await notices_after_g(app, pilot)
        listed = "-*.png:data,loss,accuracy,regions,matrix"  # spaces aside: a long path wraps
        assert any(m.replace(" ", "").endswith(listed) for m in said), said

    drive(blobs, script, size=(120, 40))
    made = sorted(path.name.rsplit("-", 1)[1] for path in tmp_path.glob("*.png"))
    assert made == ["accuracy.png", "data.png", "loss.png", "matrix.png", "regions.png"]
    with Image.open(next(tmp_path.glob("*-regions.png"))) as regions:
        ends = (regions.size[0] - 80) / planes.PANEL_PX  # a plane per task end so far
        assert ends in (1, 2) and regions.size[1] == planes.PANEL_PX + 140
