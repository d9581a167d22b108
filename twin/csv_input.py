"""Reading a user's CSV file: an areas file, an OCG register, a file of ocg_ids for a lever, a
posterior sample. One reader gives every one of them the same behaviour on a file as a spreadsheet
saves it and on a file that is not what it should be.

`read_records` reads the whole file and returns its header (column names with spaces trimmed, in
lower case) and the records that hold anything, each with the number of the line in the file it
starts on (the first line is 1, and blank lines count, so the numbers are those an editor shows;
a caller names them "line" or "row"). On the way:

- a byte-order mark (a spreadsheet's "CSV UTF-8") is dropped;
- blank lines and a spreadsheet's empty rows (`,,,,`) are skipped;
- a file that cannot be read (missing, a folder, no permission) says so, and so does a spreadsheet's
  workbook (.xlsx, .ods, .xls) given for its sheet saved as CSV;
- text that is not UTF-8 is named by the line and byte (counted from 0 in the whole file);
- a file the csv module cannot parse (a field over its size limit: a quote never closed) is named
  by the line its record starts on;
- a field holding a line break where the record is not the header's width (a quote that runs on to
  the next line) is named by its line; a quoted cell over two lines in a record of the right width is read;
- a row with more values than the header is named, unless the values beyond it are empty; a row with
  fewer is named too, unless the caller pads such rows with empty values (`short_rows=True`).

Checks of the columns (required, unknown, misspelt) stay with each caller: `check_header` is given
the header before any row is checked, so that a wrong header is named before a row that follows
from it. An empty file gives an empty header, and the caller's `check_header` names it as such.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from pathlib import Path

from twin.errors import UserError


#: how a spreadsheet's own files start, and what they are: given by mistake for a CSV file
WORKBOOKS = ((b"PK\x03\x04", "a spreadsheet workbook (such as .xlsx or .ods)"),
             (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "a spreadsheet workbook in the old .xls format"))
#: how a SQLite database file starts (it is not text: read as CSV it was "not UTF-8")
SQLITE = b"SQLite format 3\x00"


def read_records(path: Path | str, label: str, error: type[UserError], *, word: str = "line",
                 short_rows: bool = False, check_header: Callable[[list[str]], None] | None = None,
                 database_hint: str = "") -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header and the records of the CSV file at `path` (see the module's docstring); each
    record has as many values as the header. Faults raise `error` with a message that starts with
    `label` (such as "register 'my.csv'") and names the line as "`word` N"; a SQLite database given
    instead is named so, followed by `database_hint` (how to give a table of it, where one can be)."""
    records = _parsed(Path(path), label, error, word, database_hint)
    header = [name.strip().lower() for name in records.pop(0)[1]] if records else []
    if check_header is not None:
        check_header(header)
    for number, (line, fields) in enumerate(records):
        if len(fields) > len(header) and any(value.strip() for value in fields[len(header):]):
            raise error(_count_message(label, word, line, len(fields), len(header), "more"))
        if len(fields) < len(header) and not short_rows:
            raise error(_count_message(label, word, line, len(fields), len(header), "fewer"))
        records[number] = (line, (fields + [""] * len(header))[:len(header)])
    return header, records


def _parsed(path: Path, label: str, error: type[UserError], word: str,
            database_hint: str = "") -> list[tuple[int, list[str]]]:
    """The file's records that hold anything, each with the line it starts on, header included."""
    try:
        raw = path.read_bytes()
    except IsADirectoryError:
        raise error(f"{label}: is a folder; expected a CSV file") from None
    except FileNotFoundError:
        from twin.file_hints import nearby_file

        raise error(f"{label}: not found{nearby_file(path, written=str(path))}") from None
    except OSError as exc:
        raise error(f"{label}: cannot be read ({exc.strerror or exc})") from None
    workbook = next((kind for signature, kind in WORKBOOKS if raw.startswith(signature)), None)
    if workbook:
        raise error(f"{label}: this is {workbook}, not a CSV file; save the sheet as CSV UTF-8")
    if raw.startswith(SQLITE):
        raise error(f"{label}: this is a SQLite database, not a CSV file{database_hint}")
    try:
        text = raw.decode("utf-8").removeprefix("\ufeff")  # spreadsheets put a BOM before "CSV UTF-8"
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise error(f"{label}: not UTF-8 text (line {line}, byte {exc.start}); save it as CSV UTF-8") from None
    reader = csv.reader(io.StringIO(text, newline=""))  # lines end at \n, \r\n or \r, as a file read with newline=""
    records, before = [], 0  # `before`: the lines read before the record being read
    try:
        for fields in reader:
            line, before = before + 1, reader.line_num
            if not any(value.strip() for value in fields):  # a blank line, or a spreadsheet's ",,,,"
                continue
            if any("\n" in value or "\r" in value for value in fields) and not _note_over_lines(fields, records):
                raise error(f"{label}, {word} {line}: a quote (\") opens a field that runs on to the next line; "
                            f"close it, or remove it (or the line break, if a cell holds one)")
            records.append((line, fields))
    except csv.Error as exc:
        unclosed = " (a quote that opens a field and is never closed?)" if "field larger" in str(exc) else ""
        raise error(f"{label}, {word} {before + 1}: not a valid CSV file ({exc}){unclosed}") from None
    return records


def _note_over_lines(fields: list[str], records: list) -> bool:
    """Whether a record holding a line break is a cell written over lines (a note), valid CSV, rather
    than a quote never closed that has swallowed what follows it: the record is no wider than the
    header (trailing empty cells aside), the header has two columns or more (in one column a
    swallowed rest would read as one cell), and no line inside a cell looks like a record of its own."""
    if not records or len(records[0][1]) < 2:
        return False
    width, used = len(records[0][1]), len(fields)
    while used > width and not fields[used - 1].strip():
        used -= 1
    return used <= width and not any(line.count(",") >= width - 1 for value in fields
                                     for line in value.splitlines())


def _count_message(label: str, word: str, line: int, values: int, columns: int, more_or_fewer: str) -> str:
    return (f"{label}, {word} {line}: {values} value{'s' if values != 1 else ''} where the header has {columns} "
            f"column{'s' if columns != 1 else ''} ({more_or_fewer} fields than the header: a comma too many or "
            f"too few?)")


#: what a spreadsheet reads a cell starting with as a formula: names the results' CSV files carry
#: (scenarios, areas, regions) must not start with one, or opening those files could run it
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def formula_like(name: str, examples: str = "'minus 10% budget', 'budget -10%'") -> str | None:
    """Why `name` cannot name something the results' CSV files carry (None when it can); `examples`
    of names that can, for the kind of thing named ('' for none)."""
    if name.startswith(FORMULA_STARTS):
        return (f"expected a name not starting with {name[0]!r} (a spreadsheet opening the results would read it "
                f"as a formula), got {name!r}; start it with a letter or digit" + (f" (e.g. {examples})" if examples
                                                                                    else ""))
    return None


#: a number as a spreadsheet formats it with thousands separators ("1,200", "2,500,000.50"); never
#: with a leading 0, which a decimal comma has ("0,500" is a half, not 500, and is refused)
GROUPED_NUMBER = re.compile(r"[1-9][0-9]{0,2}(,[0-9]{3})+(\.[0-9]*)?")
#: a yes/no cell as spreadsheets and databases write it, in lower case (t/f: PostgreSQL's booleans as
#: `\copy` writes them)
TRUE_WORDS = ("1", "true", "yes", "y", "t")
FALSE_WORDS = ("0", "false", "no", "n", "f")


def plain_number(raw: object, currency: bool = False) -> str:
    """`raw` as text float() reads: stripped, thousands separators dropped ("1,200" as a
    spreadsheet shows it) and, for an amount (`currency`), a leading pound sign. Other commas stay,
    so "1,2" is refused as it was written."""
    text = str(raw).strip()
    if currency and text.startswith("£"):
        text = text[1:].strip()
    return text.replace(",", "") if GROUPED_NUMBER.fullmatch(text) else text


def other_separator(columns: list[str]) -> str | None:
    """'the columns are separated by ...; save it as CSV with commas' for a header read as one column
    that holds a spreadsheet's other separators (';' in some regional settings, tabs); else None."""
    for separator, what in ((";", "';' (a spreadsheet's regional setting)"), ("\t", "tabs (a TSV file)")):
        if len(columns) == 1 and separator in columns[0]:
            return f"the columns are separated by {what}; save it as CSV with commas"
    return None
