"""`cftui figure --scenarios`: van de Ven & Tolias's three scenarios as one picture, the tour's
chapter on them: the same methods trained on the class-, task- and domain-incremental
presets, each method's regions after the last task, a row per scenario. In one look, a
student sees that no regulariser keeps an old class where the task id is not given, that
replay does, and that with the task id every method keeps its tasks.

The flags of a run apply to every preset (--epochs, --seed, --seeds, --settings); a
recording, --preset, --method, --only, --gif and --record are refused in one line, before
anything trains. The file is written all or none, as `cftui figure`'s.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

PRESETS = ("blobs-class", "blobs-task", "moons-domain")  # the tour's chapter, a scenario each
METHODS = ("naive", "ewc", "replay")  # without --compare: no help, a regulariser, replay
REFUSED = ("preset", "method", "only", "gif", "record")  # flags that name one run's outputs


def main(args: argparse.Namespace, configure: Callable, train: Callable) -> int:
    """``configure(args)``: the config of ``args.preset`` and its stem; ``train(args,
    config)``: its frames (`cftui figure`'s own, which calls this)."""
    from cftui.figures import planes, static
    from cftui.results.atomic import Outputs
    from cftui.train.config import ConfigError

    given = [f"--{name}" for name in REFUSED if getattr(args, name, None)]
    if args.file or given:
        refused = " ".join(given) or str(args.file)
        raise ConfigError(refused, "", "is one run's: not with --scenarios")
    args.compare = args.compare or METHODS
    configs = []
    for preset in PRESETS:  # every config checked (the methods fit?) before any trains
        args.preset = preset
        configs.append(configure(args)[0])
    stem = f"cftui-{'-'.join(args.compare)}-{time.strftime('%Y%m%d-%H%M%S')}"
    out = args.out or Path(f"{stem}.png")
    path = out.with_name(f"{out.stem}-scenarios{out.suffix}")
    with Outputs([path]) as outputs:
        rows = [train(args, config)[-1].snapshot for config in configs]
        size, dpi = args.size or planes.scenarios_size(rows), args.dpi or static.DPI
        draw = lambda fig: planes.scenarios(fig, rows, args.style)  # noqa: E731
        fig = static.drawn(draw, args.style, size, dpi)
        outputs.write(path, static.encode(fig, path.suffix.lower()))
        outputs.commit()
    print(f"wrote {path}")
    return 0
