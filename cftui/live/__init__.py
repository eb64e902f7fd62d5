"""What drives a view: the Runner (live training) and the Player (a recording), both a
Source, with their command inbox and pace. No UI library; only runner.py loads torch."""
