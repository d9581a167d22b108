"""Every reader of a user's CSV file (areas file, register, file of ocg_ids, posterior sample) reads
through `csv_input.read_records`: a bad file raises the reader's own error class, naming the file and
the line, never another exception; a file as a spreadsheet saves it reads as the clean file does."""

import re
from dataclasses import dataclass
from typing import Callable

import numpy as np
import pytest

from twin.posterior import load_posterior
from twin.errors import RegisterError, ScenarioError, UserError
from twin.geography import load_geography
from twin.group_selection import read_ocg_ids
from twin.register import load_register

GEO = load_geography()
WHERE = "scenario.toml: [[levers]] #1 (clear): groups.ocg_ids"


@dataclass(frozen=True)
class Reader:
    error: type[UserError]
    word: str  # how the reader names a line in its messages
    header: str
    rows: tuple[str, str]
    read: Callable  # the path -> what was read, in a form that compares with ==
    short_rows: bool  # a row may leave off values at its end


def _areas(path):
    geo = load_geography(path)
    return (geo.area_names, geo.nation, geo.region_names, geo.area_region.tolist(), geo.population.tolist(),
            geo.exporter.tolist())


def _posterior(path):
    return load_posterior(str(path)).to_dict("list")


READERS = {
    "areas": Reader(ScenarioError, "line", "force_area,nation,region,population_thousands,county_lines_exporter",
                    ("Riverside City,England,R1,420,1", "Harbour Town,England,R2,300,0"), _areas, True),
    "register": Reader(RegisterError, "row", "ocg_id,area,type,reach,markets,size,violence,enablers,known",
                       ("A1,Kent,family,local,fraud,5,none,,1", "A2,Merseyside,cultural,regional,cocaine,7,some,,0"),
                       lambda path: load_register(str(path), GEO).digest(), False),
    "ocg_ids": Reader(ScenarioError, "line", "ocg_id,why", ("SYN00010,top of the matrix", "SYN00042,next"),
                      lambda path: read_ocg_ids(path, path.name, WHERE), True),
    "posterior": Reader(UserError, "row", "asset_realisation_share,seizure_share_of_capital",
                        ("0.2,0.4", "0.3,0.5"), _posterior, False),
}


def _write(tmp_path, reader: Reader, text: str, name: str = "input.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


def _fails(reader: Reader, path, *words: str) -> str:
    """The reader's own error (exactly its class, not another exception) for `path`, naming the file
    and each of `words` (regular expressions)."""
    with pytest.raises(Exception) as caught:
        reader.read(path)
    message = str(caught.value)
    assert type(caught.value) is reader.error, f"{type(caught.value).__name__}: {message}"
    assert path.name in message
    for pattern in words:
        assert re.search(pattern, message), f"{pattern!r} not in {message!r}"
    return message


@pytest.fixture(params=list(READERS))
def reader(request) -> Reader:
    return READERS[request.param]


def test_a_clean_file_reads(reader, tmp_path):
    path = _write(tmp_path, reader, "\n".join((reader.header, *reader.rows)) + "\n")
    read = reader.read(path)
    assert read  # and it holds both rows, as the reader gives them
    first, second = (row.split(",")[0] for row in reader.rows)
    if reader is READERS["register"]:  # a register reads as a digest: the groups themselves are checked
        register = load_register(str(path), GEO)
        assert list(register.ocg_id) == [first, second] and list(register.size) == [5, 7]
    else:
        shown = repr(read) if not isinstance(read, str) else read
        assert first in shown and second in shown


def test_a_file_as_a_spreadsheet_saves_it_reads_as_the_clean_file(reader, tmp_path):
    """A byte-order mark, Windows line ends, the header in other case with spaces, blank lines and
    empty rows (',,,,'), values left empty beyond the header's columns."""
    clean = reader.read(_write(tmp_path, reader, "\n".join((reader.header, *reader.rows)) + "\n", "clean.csv"))
    header = ",".join(f" {name.upper()} " if k % 2 else name.title() for k, name in enumerate(reader.header.split(",")))
    empty = "," * reader.header.count(",")
    text = "\r\n".join(("", header, reader.rows[0] + ",,", "", empty, "   ", reader.rows[1], empty)) + "\r\n"
    saved = _write(tmp_path, reader, b"\xef\xbb\xbf" + text.encode(), "saved.csv")
    assert reader.read(saved) == clean
    lone_cr = _write(tmp_path, reader, "\r".join((reader.header, *reader.rows)) + "\r", "old_mac.csv")
    assert reader.read(lone_cr) == clean


def test_a_missing_file_or_a_folder_cannot_be_read(reader, tmp_path):
    missing = tmp_path / "absent.csv"
    _fails(reader, missing, "cannot be read|not found")
    folder = tmp_path / "folder.csv"
    folder.mkdir()
    _fails(reader, folder, r"folder.csv'.*: is a folder; expected a CSV file")


@pytest.mark.parametrize("start, what", [(b"PK\x03\x04\x14\x00\x06\x00", r"spreadsheet workbook \(such as .xlsx"),
                                         (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00", r"old .xls format")])
def test_a_workbook_given_for_its_sheet_saved_as_csv_says_so(reader, tmp_path, start, what):
    path = _write(tmp_path, reader, start + bytes(range(256)) * 4, name="input.xlsx")
    _fails(reader, path, what, "not a CSV file; save the sheet as CSV UTF-8")


def test_a_sqlite_database_given_for_a_csv_file_says_so(reader, tmp_path):
    import sqlite3

    path = tmp_path / "input.db"
    with sqlite3.connect(path) as connection:
        connection.execute("create table t (x)")
    connection.close()
    _fails(reader, path, "this is a SQLite database, not a CSV file")
    if reader.error is RegisterError:  # a register can be read from a database's table: how is said
        _fails(reader, path, f"--register sqlite:///{path.resolve().as_posix()} --register-table TABLE")


def test_text_not_in_utf8_is_named_by_line_and_byte(reader, tmp_path):
    body = f"{reader.header}\n{reader.rows[0]}\n\n".encode()
    raw = body + "Crème".encode("latin-1") + reader.rows[1][1:].encode() + b"\n"
    byte = raw.index(b"\xe8")
    _fails(reader, _write(tmp_path, reader, raw), rf"not UTF-8 text \(line 4, byte {byte}\); save it as CSV UTF-8")


def test_a_quote_never_closed_in_a_large_file_is_not_a_valid_csv_file(reader, tmp_path):
    """The csv module's 'field larger than field limit': named with the line the quote opens on."""
    text = f"{reader.header}\n{reader.rows[0]}\n\n\"{reader.rows[1]}" + "x" * 140_000 + "\n"
    _fails(reader, _write(tmp_path, reader, text),
           rf"{reader.word} 4: not a valid CSV file \(field larger than field limit.*\) \(a quote that opens a "
           rf"field and is never closed\?\)")


@pytest.mark.parametrize("quoted", ["unclosed", "closed"])
def test_a_field_running_on_to_the_next_line_is_named_by_its_line(reader, tmp_path, quoted):
    first, second = reader.rows
    run_on = f'"{second}\n{first}\n' if quoted == "unclosed" else f'"{second.split(",")[0]}\nmore",{second}\n'
    text = f"{reader.header}\n{first}\n\n{run_on}"
    _fails(reader, _write(tmp_path, reader, text), rf"{reader.word} 4: a quote \(\"\) opens a field that runs on to "
                                                   r"the next line")


def test_more_values_than_the_header_are_named_by_their_line(reader, tmp_path):
    columns = reader.header.count(",") + 1
    text = f"{reader.header}\n{reader.rows[0]}\n\n{reader.rows[1]},extra,\n"
    _fails(reader, _write(tmp_path, reader, text),
           rf"{reader.word} 4: {columns + 2} values where the header has {columns} columns \(more fields than the "
           rf"header: a comma too many or too few\?\)")


def test_fewer_values_than_the_header_are_named_or_read_as_empty(reader, tmp_path):
    """Registers and posteriors refuse a short row; areas files and files of ids read the values it
    leaves off as empty (an areas file's checks then name the empty value)."""
    columns = reader.header.count(",") + 1
    short = reader.rows[1].rsplit(",", 1)[0]
    path = _write(tmp_path, reader, f"{reader.header}\n{reader.rows[0]}\n\n{short}\n")
    if not reader.short_rows:
        _fails(reader, path, rf"{reader.word} 4: {columns - 1} values? where the header has {columns} columns "
                             r"\(fewer fields than the header")
    elif reader is READERS["areas"]:
        _fails(reader, path,
               r"line 4, field 'county_lines_exporter': expected 0 or 1 \(or true/false, yes/no\), got ''")
    else:
        assert reader.read(path) == ["SYN00010", "SYN00042"]


@pytest.mark.parametrize("text", ["", "\n\n", "\ufeff", ",,,\n \n"])
def test_an_empty_file_is_named_as_such(reader, tmp_path, text):
    _fails(reader, _write(tmp_path, reader, text), "empty")


def test_line_numbers_are_the_file_s_lines(reader, tmp_path):
    """Blank lines and empty rows before a row count; a reader's own check of a value names the
    line it is on."""
    bad = {"areas": "Harbour Town,England,R2,lots,0", "register": "A2,Merseyside,cultural,regional,cocaine,7,huge,,0",
           "ocg_ids": " ,why not", "posterior": "0.3,"}
    key = next(k for k, v in READERS.items() if v is reader)
    empty = "," * reader.header.count(",")
    text = f"\n{reader.header}\n{reader.rows[0]}\n{empty}\n\n{bad[key]}\n{reader.rows[1]}\n"
    _fails(reader, _write(tmp_path, reader, text), rf"{reader.word} 6\b")


def test_builtin_areas_read_as_before():
    geo = load_geography()
    assert geo.n_areas == 45 and geo.area_names[0] == "Cleveland" and geo.latitude is not None
    assert np.isclose(geo.population.sum(), 67.0e6, rtol=0.05)


def test_a_posterior_header_with_an_unnamed_column_says_which(tmp_path):
    path = tmp_path / "posterior.csv"
    path.write_text("asset_realisation_share,,seizure_share_of_capital\n0.2,,0.4\n")
    with pytest.raises(UserError, match=r"header: column 2 has no name \(a comma too many in the header\?\)"):
        load_posterior(str(path))


def test_a_posterior_as_a_spreadsheet_saves_it_is_read(tmp_path):
    """Empty columns at the end of a spreadsheet's sample ("...,,") read as a column named twice, or
    one with no name, and a number with thousands separators was refused; the other readers take
    both. A value under a column with no name is still refused."""
    path = tmp_path / "posterior.csv"
    path.write_text("asset_realisation_share,fine_gbp_per_conviction,,\n0.2,\"66,135.5\",,\n0.3,70000,,\n")
    frame = load_posterior(str(path))
    assert list(frame.columns) == ["asset_realisation_share", "fine_gbp_per_conviction"]
    assert frame["fine_gbp_per_conviction"].tolist() == [66135.5, 70000.0]
    path.write_text("asset_realisation_share,fine_gbp_per_conviction\n0.2,\"0,500\"\n")  # a decimal comma: not 500
    with pytest.raises(UserError, match=r"row 2.*fine_gbp_per_conviction.*0,500"):
        load_posterior(str(path))
    path.write_text("asset_realisation_share,fine_gbp_per_conviction,\n0.2,60000,\n0.3,70000,5\n")
    with pytest.raises(UserError, match=r"row 3: a value in column 3, which the header does not name"):
        load_posterior(str(path))

