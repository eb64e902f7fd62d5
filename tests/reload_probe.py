"""What a method file under test saw at the start of each run (tests/test_method_reload.py):
the file imports this module, which a reload of the file does not import again."""

SEEN: list[tuple] = []  # (version, initial parameters, task 1's points), one per run started
