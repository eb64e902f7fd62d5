"""`cftui tour`: the article "Why you forget me?" as a guided sequence of steps.

Each step is data: what to read, and what it sets up (preset, methods, which task is on
screen, and whether that task is untrained, training live at the default pace, or trained).
A step sets itself up from scratch: it restarts the run and trains the tasks before the one
it shows at full pace, so any step shows what it speaks of within a second or two, whatever
step came before (cftui.tui.tour drives the runner; this module needs neither torch nor
Textual). A step naming several methods shows them side by side.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from cftui.train.config import Config


class Show(enum.StrEnum):
    DATA = "data"  # nothing trained: paused before the first step, the points in view
    TRAINING = "training"  # the task trains live at the default pace
    TRAINED = "trained"  # the task trained to its end at full pace; the run waits there


@dataclass(frozen=True)
class Step:
    title: str
    text: str
    preset: str = "polynomial"
    methods: tuple[str, ...] = ("naive",)  # several: side by side (or one after another)
    task: int = 1  # the task on screen (0-based); the tasks before it train at full pace
    show: Show = Show.TRAINING
    watch: str = ""  # the advice line while its task trains, where naive's ("watch task 1's
    # loss climb") would contradict what the step shows; at most 78 columns

    @property
    def paused(self) -> bool:
        return self.show is Show.DATA

    def full_pace_epochs(self, config: Config) -> int:
        """Epochs trained at full pace before the step shows what it speaks of."""
        return config.train.epochs * (self.task + (self.show is Show.TRAINED))


SCENARIO_METHODS = ("naive", "ewc", "si", "replay")  # the scenario chapter's, side by side
FAMILY = (
    "Task 1 trained first, at full pace; task 2 trains now, and task 1 is forgotten again:"
    " watch its loss climb."
)
STEPS = (
    Step(
        "two tasks",
        "Two noisy polynomials, task 1 on the left half of [-3, 3] and task 2 on the right:"
        " the points, and dotted the true curves. Nothing is trained yet.",
        task=0,
        show=Show.DATA,
    ),
    Step(
        "task 1 trains",
        "The MLP [1, 150, 150, 1] (sigmoid, Adam, full batch) fits task 1. Right: each task's"
        " test loss. Task 1's falls; task 2's, never seen, goes where it will.",
        task=0,
    ),
    Step(
        "the fit after task 1",
        "The solid line hugs task 1's points. Over task 2's half it is whatever the network"
        " extrapolates: it has never seen a point there.",
        task=0,
        show=Show.TRAINED,
    ),
    Step(
        "task 2 trains",
        "Now only task 2's points are in the loss. Task 1's test loss climbs while task 2's"
        " falls: nothing holds what task 1 needed.",
    ),
    Step(
        "forgotten",
        "Dashed: the fit at the end of task 1. Solid: the fit now. Over task 1's half it has"
        " become a mess; the loss matrix says how many times task 1's loss grew.",
        show=Show.TRAINED,
    ),
    Step("RBF data", f"One random curve of Gaussian bumps, cut in halves. {FAMILY}", "rbf"),
    Step("sigmoid data", f"One random curve of sigmoid steps, cut in halves. {FAMILY}", "sigmoid"),
    Step("Fourier data", f"One random curve of sines and cosines, in halves. {FAMILY}", "fourier"),
    Step(
        "remedy: retrain on all data",
        "joint trains task 2 on tasks 1 and 2 together: nothing is forgotten. The cost: every"
        " point is kept for good, and each epoch of task k goes over k tasks' points.",
        methods=("joint",),
        watch="task 2 trains on both tasks' points: task 1's loss stays low",
    ),
    Step(
        "remedy: EWC",
        "After task 1, EWC keeps its weights and the Fisher (how much each weight mattered);"
        " task 2 pays (λ/2)ΣF(θ-θ*)² to move them. Press i for the why.",
        methods=("ewc",),
        watch="task 2 trains; EWC's penalty holds task 1's weights: its loss stays low",
    ),
    Step(
        "remedy: SI",
        "SI finds each weight's importance on the way, from its share of task 1's loss drop,"
        " and pulls the same way EWC does. No old data is kept.",
        methods=("si",),
        watch="task 2 trains; SI holds task 1: its loss climbs far less than naive's",
    ),
    Step(
        "remedy: replay",
        "A reservoir of old points is mixed into every batch of task 2: the old points keep"
        " pulling the fit back over task 1's half.",
        methods=("replay",),
        watch="task 2 trains with old points replayed: task 1's loss stays low",
    ),
    Step(
        "side by side",
        "Naive, EWC, SI and replay on the same data and initial weights: which keeps task 1,"
        " and what does it cost task 2?",
        methods=("naive", "ewc", "si", "replay"),
        watch="task 2 trains: naive's task 1 loss climbs, the remedies' stay far lower",
    ),
    Step(
        "classes: class-incremental",
        "Now classes in 2-D (van de Ven & Tolias's three scenarios): six blobs, two new ones"
        " per task, no task id at test. Each cell shows the class predicted there.",
        "blobs-class",
        methods=SCENARIO_METHODS,
        task=2,
        watch="task 3 trains: EWC, SI forget old classes as naive does; replay keeps them",
    ),
    Step(
        "classes: task-incremental",
        "The same split, and the task id is given: each task only tells its own two blobs"
        " apart (a head per task). Here every method keeps the old tasks.",
        "blobs-task",
        methods=SCENARIO_METHODS,
        task=2,
        watch="task 3 trains: each old task keeps its own head; accuracy stays high",
    ),
    Step(
        "classes: domain-incremental",
        "The same two classes in every task, the moons turned 60° further each time, no task"
        " id. Regularisers help a little; replay keeps the old turns.",
        "moons-domain",
        methods=SCENARIO_METHODS,
        task=2,
        watch="task 3 trains: the newest turn wins where the moons overlap",
    ),
)
