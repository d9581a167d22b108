"""Outputs written whole (`twin.staging`): an interrupted report leaves the earlier one as it was."""

import multiprocessing
import os
import signal
import time
from pathlib import Path

import pytest

from twin import staging as staging_module
from twin.errors import UserError
from twin.staging import (WRITTEN_RECORD, _interrupts_deferred, _written_before_the_record, claim_folder,
                          remove_written, staged_folder, write_whole)


def _earlier_report(folder):
    (folder / "charts").mkdir(parents=True)
    (folder / "summary.csv").write_text("old")
    (folder / "charts" / "a.png").write_text("old")
    (folder / "report.html").write_text("old")
    (folder / WRITTEN_RECORD).write_text("summary.csv\ncharts/a.png\nreport.html\n")  # the twin's own


def test_a_report_interrupted_while_written_leaves_the_earlier_one_whole(tmp_path):
    _earlier_report(tmp_path)
    with pytest.raises(KeyboardInterrupt):
        with staged_folder(tmp_path) as staging:
            (staging / "summary.csv").write_text("new")
            raise KeyboardInterrupt  # Ctrl-C while the charts are drawn
    assert {p.read_text() for p in tmp_path.rglob("*") if p.is_file() and p.name != WRITTEN_RECORD} == {"old"}
    assert sorted(p.name for p in tmp_path.iterdir()) == [WRITTEN_RECORD, "charts", "report.html", "summary.csv"]


def test_a_finished_report_replaces_every_file_and_keeps_others(tmp_path):
    _earlier_report(tmp_path)
    (tmp_path / "notes.txt").write_text("mine")
    with staged_folder(tmp_path) as staging:
        (staging / "charts").mkdir()
        for name in ("summary.csv", "charts/a.png", "charts/b.png", "report.html"):
            (staging / name).write_text("new")
    files = {p.relative_to(tmp_path).as_posix(): p.read_text() for p in tmp_path.rglob("*")
             if p.is_file() and p.name != WRITTEN_RECORD}
    assert files == {"summary.csv": "new", "charts/a.png": "new", "charts/b.png": "new", "report.html": "new",
                     "notes.txt": "mine"}
    assert (tmp_path / WRITTEN_RECORD).read_text().split() == ["charts/a.png", "charts/b.png", "report.html",
                                                               "summary.csv"]


def test_an_output_s_file_not_written_again_is_removed_not_left_over(tmp_path):
    """A comparison drawing fewer charts than the last one in its folder: the last one's extra chart
    goes (it showed the other comparison); a user's file named like one stays, as does what the
    output does not name."""
    _earlier_report(tmp_path)
    (tmp_path / "charts" / "c.png").write_text("mine")  # not on the record: a user's
    (tmp_path / "charts" / "d.png").write_text("old")
    with (tmp_path / WRITTEN_RECORD).open("a") as record:
        record.write("charts/d.png\n")
    with staged_folder(tmp_path, replaces=("charts/a.png", "charts/c.png")) as staging:
        (staging / "summary.csv").write_text("new")
    assert not (tmp_path / "charts" / "a.png").exists()
    assert (tmp_path / "charts" / "c.png").read_text() == "mine" and (tmp_path / "charts" / "d.png").exists()
    assert "charts/a.png" not in (tmp_path / WRITTEN_RECORD).read_text().split()


def test_a_users_own_file_is_never_written_over_and_nothing_moves(tmp_path):
    """A user's --out folder holding a summary.csv and a charts/b.png of their own: refused, naming them,
    with every file as it was and no staging folder left; the twin's own files are replaced."""
    _earlier_report(tmp_path)
    (tmp_path / "charts" / "b.png").write_text("mine")
    (tmp_path / WRITTEN_RECORD).write_text("report.html\ncharts/a.png\n")  # summary.csv is not the twin's
    with pytest.raises(UserError, match=r"holds charts/b.png, summary.csv, which the twin did not write"):
        with staged_folder(tmp_path) as staging:
            (staging / "charts").mkdir()
            for name in ("summary.csv", "charts/a.png", "charts/b.png", "report.html"):
                (staging / name).write_text("new")
    assert {p.relative_to(tmp_path).as_posix(): p.read_text() for p in tmp_path.rglob("*") if p.is_file()} == {
        "summary.csv": "old", "charts/a.png": "old", "charts/b.png": "mine", "report.html": "old",
        WRITTEN_RECORD: "report.html\ncharts/a.png\n"}
    claim_folder(tmp_path, ["report.html", "new.csv"])  # the twin's, and one not there: claimed
    with pytest.raises(UserError, match=r"holds summary.csv, which"):
        claim_folder(tmp_path, ["report.html", "summary.csv"])


@pytest.mark.parametrize("name, text", [
    ("run.json", '{"scenario": {"name": "x"}, "scenario_hash": "a", "seed": 1, "code_hash": "b"}'),
    ("experiment.json", '{"experiment_id": 3, "database": "sqlite:///x.db", "file": "x.toml"}'),
    ("fit.json", '{"title": "t", "notes": [], "misfit": 1.0, "targets": []}'),
    ("sensitivity.json", '{"design": {}, "indices": []}'),
    ("screening.json", '{"design": {}, "effects": []}'),
    ("validation.json", '{"experiments/validation/a.toml": {"kind": "k", "measures": {}}}'),
    ("analysis.json", '[{"outcome": "o", "feature_scores": {}}]'),
    ("analysis.json", '{"experiment_id": 1, "outcomes": [{"outcome": "o", "feature_scores": {}}]}'),
    ("fit_runs.jsonl", '{"config": "abc", "sample": "1", "outcome": [1.0]}\n'),
    ("README.txt", "Experiment 1 (a sweep), exported by `twin export`.\n"),
    ("trajectories.partial.csv", "step,date,area,metric,value\n1,2025-04-01,UK,harm_gbp_total,1\n"),
])
def test_each_commands_folder_of_an_earlier_version_is_known_and_a_users_file_of_the_name_is_not(tmp_path, name, text):
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    for folder, content in ((ours, text), (theirs, '{"mine": 1}\n' if name.endswith("json") else "my own notes\n")):
        folder.mkdir()
        (folder / name).write_text(content)
        (folder / "summary.csv").write_text("old")
    claim_folder(ours, ["summary.csv"])  # taken as the twin's, with everything in the folder
    recorded = set((ours / WRITTEN_RECORD).read_text().split())
    assert _written_before_the_record(ours) and {name, "summary.csv"} <= recorded
    assert not _written_before_the_record(theirs)
    with pytest.raises(UserError, match="holds summary.csv, which the twin did not write"):
        claim_folder(theirs, ["summary.csv"])


def test_a_file_the_twin_removes_leaves_its_record_and_a_users_file_of_the_name_later_stays(tmp_path):
    """An ABC fit's posterior.csv, removed by a point fit in the same folder, stayed on the record: a
    user's own posterior.csv put there later was deleted by the next point fit."""
    claim_folder(tmp_path, ["posterior.csv", "fit.json"])
    (tmp_path / "posterior.csv").write_text("the twin's")
    remove_written(tmp_path, "posterior.csv")
    assert not (tmp_path / "posterior.csv").exists()
    assert (tmp_path / WRITTEN_RECORD).read_text().split() == ["fit.json"]
    (tmp_path / "posterior.csv").write_text("mine")
    remove_written(tmp_path, "posterior.csv")
    assert (tmp_path / "posterior.csv").read_text() == "mine"


def test_a_folder_the_twin_wrote_before_it_kept_its_record_is_taken_as_its_own(tmp_path):
    (tmp_path / "report.html").write_text('<html><head><meta name="twin-experiment" content="3">')
    (tmp_path / "summary.csv").write_text("old")
    claim_folder(tmp_path, ["report.html", "summary.csv"])
    assert (tmp_path / WRITTEN_RECORD).read_text().split() == ["report.html", "summary.csv"]
    other = tmp_path / "other"
    other.mkdir()
    (other / "report.html").write_text("<html>mine</html>")
    with pytest.raises(UserError, match="holds report.html, which"):
        claim_folder(other, ["report.html"])


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


def test_a_sigterm_the_command_stops_on_is_held_back_too():
    """`twin` stops on SIGTERM (a batch scheduler) as on Ctrl-C: held back while files move, as
    Ctrl-C is (it was not, so a calibration could be left half moved); left alone where the process
    keeps the default (a library user's: SIGTERM ends it, as it would have)."""
    def stop(signum, frame):
        raise KeyboardInterrupt

    inherited = signal.signal(signal.SIGTERM, stop)
    try:
        moved = []
        with pytest.raises(KeyboardInterrupt):
            with _interrupts_deferred():
                os.kill(os.getpid(), signal.SIGTERM)
                moved.append("after the signal")
        assert moved == ["after the signal"] and signal.getsignal(signal.SIGTERM) is stop
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        with _interrupts_deferred():
            assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
    finally:
        signal.signal(signal.SIGTERM, inherited)


def test_a_file_written_whole_keeps_the_earlier_one_when_writing_fails(tmp_path):
    target = tmp_path / "sweep_results.csv"
    target.write_text("earlier, whole")

    def cut_short(path):
        path.write_text("new, cut sh")
        raise OSError(28, "No space left on device")
    with pytest.raises(OSError):
        write_whole(target, cut_short)
    assert target.read_text() == "earlier, whole" and sorted(p.name for p in tmp_path.iterdir()) == [target.name]
    write_whole(target, lambda path: path.write_text("new"))
    assert target.read_text() == "new" and sorted(p.name for p in tmp_path.iterdir()) == [target.name]


def _make_staging_and_die(folder):
    with staged_folder(folder) as staging:
        (staging / "report.html").write_text("half")
        os._exit(9)  # as kill -9 does: no clean-up


def test_a_killed_commands_staging_folder_is_removed_by_the_next_and_a_live_ones_kept(tmp_path):
    killed = multiprocessing.get_context("fork").Process(target=_make_staging_and_die, args=(tmp_path,))
    killed.start()
    killed.join(timeout=60)
    (abandoned,) = tmp_path.glob(".writing-*")
    assert killed.exitcode == 9 and (abandoned / "report.html").is_file()
    live = tmp_path / f".writing-{staging_module._HOST}-{os.getpid()}-x"  # this process's, still writing
    live.mkdir()
    stranger = tmp_path / ".writing-0000beef-1-x"  # another machine's: its process cannot be looked up here
    stranger.mkdir()
    old = tmp_path / ".writing-0000beef-2-x"
    old.mkdir()
    long_ago = time.time() - staging_module.ABANDONED_AFTER_S - 60
    os.utime(old, (long_ago, long_ago))
    with staged_folder(tmp_path) as staging:
        (staging / "report.html").write_text("whole")
    assert (tmp_path / "report.html").read_text() == "whole"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["report.html", WRITTEN_RECORD, live.name,
                                                                  stranger.name])


def _note_many(out_dir: str, writer: int, count: int) -> None:
    for number in range(count):
        staging_module._note_written(Path(out_dir), [f"w{writer}_{number}.csv"])


def test_commands_writing_into_one_folder_at_once_keep_each_others_names(tmp_path):
    """The record is read and rewritten whole: unlocked, four writers adding 60 names each lost
    some of each other's (a file left off the record is then refused as not the twin's)."""
    context = multiprocessing.get_context("fork")
    writers = [context.Process(target=_note_many, args=(str(tmp_path), writer, 60)) for writer in range(4)]
    for process in writers:
        process.start()
    for process in writers:
        process.join(60)
    assert all(process.exitcode == 0 for process in writers)
    names = {f"w{writer}_{number}.csv" for writer in range(4) for number in range(60)}
    assert staging_module.written_here(tmp_path) == names


def test_a_folder_holding_another_commands_results_is_said(tmp_path):
    """An export into a sweep's folder replaced the sweep's README.txt without a word, and a sweep
    into a comparison's folder wrote its results beside the report as if one experiment's."""
    from twin.export import EXPORTED_RECORD
    from twin.report import REPORT_FILES
    from twin.staging import RESULTS_MARKS, other_results

    assert RESULTS_MARKS["export"][0] == EXPORTED_RECORD and RESULTS_MARKS["compare"][0] == REPORT_FILES[0]
    assert other_results(tmp_path, "export") == ""
    (tmp_path / "sweep_results.csv").write_text("x\n")
    assert other_results(tmp_path, "sweep") == ""  # its own: another sweep's is said by the sweep itself
    assert other_results(tmp_path, "export") == (
        f"Note: {tmp_path} holds a sweep's results; this export's files are written beside them and its README.txt "
        f"replaces theirs (give another --out to keep them apart).")
    (tmp_path / "report.html").write_text("<html>")
    assert other_results(tmp_path, "compare") == (
        f"Note: {tmp_path} holds a sweep's results; this comparison's files are written beside them (give another "
        f"--out to keep them apart).")
    (tmp_path / ".twin-export").write_text("experiments.csv\n")
    assert other_results(tmp_path, "sweep").startswith(
        f"Note: {tmp_path} holds a comparison's report and an export's tables; this sweep's files are written beside "
        f"them and its README.txt replaces theirs")
