"""Writing results: atomic, with the usual file mode, and one clear error when it cannot."""

import dataclasses
import os
import stat

import pytest

from cftui.results.atomic import WriteError, check_writable, write_atomic, write_json


@pytest.mark.parametrize("umask", [0o022, 0o077])
def test_written_files_get_the_mode_the_umask_gives(tmp_path, umask):
    old = os.umask(umask)
    try:
        target = tmp_path / "out.json"
        write_json(target, {"a": 1})
    finally:
        os.umask(old)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask  # 0644 under 022
    assert target.read_text() == '{\n  "a": 1\n}\n'


def test_a_rewrite_replaces_the_whole_file_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "shot.svg"
    write_atomic(target, "x" * 10_000)
    write_atomic(target, "<svg/>")
    assert target.read_text() == "<svg/>"
    assert [p.name for p in tmp_path.iterdir()] == ["shot.svg"]


def test_an_unwritable_target_is_a_write_error_naming_it(tmp_path):
    (tmp_path / "taken").mkdir()
    with pytest.raises(WriteError, match=r"taken: cannot write: Is a directory$"):
        write_atomic(tmp_path / "taken", "data")
    assert [p.name for p in tmp_path.iterdir()] == ["taken"]  # no temporary left behind
    with pytest.raises(WriteError, match=r"folder .*missing does not exist"):
        check_writable(tmp_path / "missing" / "r.json")


def test_nan_becomes_null_in_json(tmp_path):
    target = tmp_path / "r.json"
    write_json(target, {"loss": [float("nan"), 1.5, float("inf")]})
    assert target.read_text() == '{\n  "loss": [\n    null,\n    1.5,\n    null\n  ]\n}\n'


def test_a_screenshot_stays_in_the_current_folder_whatever_the_preset_is_called(
    tmp_path, monkeypatch, tiny
):
    from cftui.results import export
    from cftui.tui import files

    monkeypatch.chdir(tmp_path)
    config = dataclasses.replace(tiny, name="../../etc/x y")
    saved, said = files.save_screenshot("<svg/>", export.file_stem(config))
    assert saved and said.startswith(f"saved {tmp_path}")
    [shot] = tmp_path.iterdir()
    assert shot.name.startswith("cftui-.._.._etc_x_y-naive-") and shot.read_text() == "<svg/>"
