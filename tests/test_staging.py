"""Reports written whole (`twin.staging`): an interrupted report leaves the earlier one as it was."""

import os
import signal

import pytest

from twin.staging import _interrupts_deferred, staged_folder


def _earlier_report(folder):
    (folder / "charts").mkdir(parents=True)
    (folder / "summary.csv").write_text("old")
    (folder / "charts" / "a.png").write_text("old")
    (folder / "report.html").write_text("old")


def test_a_report_interrupted_while_written_leaves_the_earlier_one_whole(tmp_path):
    _earlier_report(tmp_path)
    with pytest.raises(KeyboardInterrupt):
        with staged_folder(tmp_path) as staging:
            (staging / "summary.csv").write_text("new")
            raise KeyboardInterrupt  # Ctrl-C while the charts are drawn
    assert {p.read_text() for p in tmp_path.rglob("*") if p.is_file()} == {"old"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["charts", "report.html", "summary.csv"]  # no staging left


def test_a_finished_report_replaces_every_file_and_keeps_others(tmp_path):
    _earlier_report(tmp_path)
    (tmp_path / "notes.txt").write_text("mine")
    with staged_folder(tmp_path) as staging:
        (staging / "charts").mkdir()
        for name in ("summary.csv", "charts/a.png", "charts/b.png", "report.html"):
            (staging / name).write_text("new")
    files = {p.relative_to(tmp_path).as_posix(): p.read_text() for p in tmp_path.rglob("*") if p.is_file()}
    assert files == {"summary.csv": "new", "charts/a.png": "new", "charts/b.png": "new", "report.html": "new",
                     "notes.txt": "mine"}


def test_a_ctrl_c_while_files_move_takes_effect_once_they_have_moved():
    # as a command's process starts (a test process may have inherited Ctrl-C ignored)
    inherited = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        moved = []
        with pytest.raises(KeyboardInterrupt):
            with _interrupts_deferred():
                os.kill(os.getpid(), signal.SIGINT)
                moved.append("after the signal")
        assert moved == ["after the signal"]
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # the handler is given back
    finally:
        signal.signal(signal.SIGINT, inherited)
