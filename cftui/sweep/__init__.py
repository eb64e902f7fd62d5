"""Sweeps: a grid of method settings x seeds x presets, run on a process pool or Ray,
every run one row of a SQLite file, so the stability-plasticity trade-off can be seen.

spec.py reads the TOML spec into jobs, backends.py trains them, store.py keeps the rows,
driver.py ties them together with a progress bar, show.py draws and tabulates the results,
and cftui.commands.sweep is ``cftui sweep``. Importing this package loads neither torch nor
Textual.
"""
