import os
import re

import numpy as np
import pytest
import sqlalchemy as sa

from twin.errors import RegisterError
from twin.geography import load_geography
from twin.parameters import Parameters
from twin.register import load_register, synthetic_register
from twin.register_sources import write_register_csv
from twin.streams import RandomStreams
from twin.vocabulary import (
    COCAINE, FRAUD, HEROIN_CRACK, MARKETS, MONEY_LAUNDERING, NO_VIOLENCE, OCG_TYPES, REACH, SERIOUS_VIOLENCE,
)

GEO = load_geography()
PARAMS = Parameters()


@pytest.fixture(scope="module")
def register():
    return synthetic_register(GEO, PARAMS, RandomStreams(11)["register"])


def _within(share, target, n, z=4.0):
    return abs(share - target) < z * np.sqrt(target * (1 - target) / n) + 1e-9


def test_register_size_and_known_share(register):
    n = len(register)
    assert n == round(PARAMS.ocgs_known_uk / PARAMS.ocg_known_share)
    assert _within(register.known.mean(), PARAMS.ocg_known_share, n)


@pytest.mark.parametrize("name, shares", [
    ("type", {"cultural": 0.47, "proximity": 0.42, "family": 0.09, "virtual": 0.02}),
    ("reach", {"local": 0.36, "regional": 0.15, "national": 0.49}),
])
def test_type_and_reach_shares_match_seed_004(register, name, shares):
    values = register.ocg_type if name == "type" else register.reach
    labels = OCG_TYPES if name == "type" else REACH
    for label, target in shares.items():
        assert _within((values == labels.index(label)).mean(), target, len(register)), label


def test_portfolio_and_violence_shares(register):
    n = len(register)
    drugs = register.markets[:, HEROIN_CRACK] | register.markets[:, COCAINE]
    multi = register.markets.sum(axis=1) > 1
    assert _within(multi.mean(), 0.96, n)
    assert _within((drugs & register.markets[:, MONEY_LAUNDERING]).mean(), 0.64, n)
    assert _within((register.markets[:, FRAUD] & ~drugs).mean(), 0.32, n)
    assert _within((register.violence != NO_VIOLENCE).mean(), 0.70, n)
    assert _within((register.violence == SERIOUS_VIOLENCE).mean(), 0.56, n)


def test_sizes_are_heavy_tailed_with_a_floor(register):
    assert register.size.min() >= PARAMS.ocg_size_min
    assert register.size.max() > 5 * np.median(register.size)


def test_csv_round_trip(register, tmp_path):
    path = tmp_path / "register.csv"
    write_register_csv(register, GEO, path)
    loaded = load_register(str(path), GEO)
    assert loaded.ocg_id == register.ocg_id
    for column in ("area", "ocg_type", "reach", "markets", "size", "violence", "enablers", "known", "county_lines"):
        assert np.array_equal(getattr(loaded, column), getattr(register, column)), column


def test_sql_register(register, tmp_path):
    path = tmp_path / "register.csv"
    write_register_csv(register, GEO, path)
    import pandas as pd

    url = f"sqlite:///{tmp_path / 'reg.db'}"
    pd.read_csv(path, keep_default_na=False).head(50).to_sql("ocgs", sa.create_engine(url), index=False)
    loaded = load_register(url, GEO, table="ocgs")
    assert len(loaded) == 50 and loaded.ocg_id[0] == register.ocg_id[0]
    with pytest.raises(RegisterError, match="no such table; the tables there: ocgs; did you mean 'ocgs'"):
        load_register(url, GEO, table="ocg")
    with pytest.raises(RegisterError, match="--register-table"):
        load_register(url, GEO)
    pd.read_csv(path, keep_default_na=False).head(5).drop(columns=["known"]).to_sql(
        "unmapped", sa.create_engine(url), index=False)
    with pytest.raises(RegisterError, match=r"^register table 'unmapped' at sqlite:///\S+: missing column\(s\) known"):
        load_register(url, GEO, table="unmapped")  # the table named once, not "register 'register table ...'"
    # a table named with its schema (PostgreSQL's outside the default one; SQLite's 'main'), and a view
    assert len(load_register(url, GEO, table="main.ocgs")) == 50
    with pytest.raises(RegisterError, match=r"no such table; the tables there: main.ocgs, main.unmapped; did you mean "
                                            r"'main.ocgs'"):
        load_register(url, GEO, table="main.ocg")  # a misspelt table of a schema: that schema's tables
    with pytest.raises(RegisterError, match=r"no such table; there is no schema 'mian' \(the schemas: main\); the "
                                            r"default schema's tables: ocgs, unmapped"):
        load_register(url, GEO, table="mian.ocgs")  # (SQLite said only "unknown database")
    with sa.create_engine(url).begin() as connection:
        connection.execute(sa.text("CREATE VIEW v_reg AS SELECT * FROM ocgs"))
    with pytest.raises(RegisterError, match="the tables there: ocgs, unmapped, v_reg; did you mean 'v_reg'"):
        load_register(url, GEO, table="v_rge")
    # a path written with three slashes, read as relative: the four-slash URL of the file there is
    relative = f"sqlite:///{(tmp_path / 'reg.db').as_posix().lstrip('/')}"
    with pytest.raises(RegisterError, match=f"no such database file .*; for the file {tmp_path / 'reg.db'} write "
                                            f"sqlite:///{tmp_path / 'reg.db'} \\(four slashes"):
        load_register(relative, GEO, table="ocgs")


def test_a_misspelt_table_of_a_postgresql_schema_is_offered_that_schema_s_tables(register, tmp_path):
    """`--register-table SCHEMA.T` reads a table outside PostgreSQL's default schema; misspelt, it was
    offered the default schema's tables. Now the tables of its schema, or the schemas there are."""
    import pandas as pd

    from conftest import postgres_url

    url = postgres_url()
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    path = tmp_path / "register.csv"
    write_register_csv(register, GEO, path)
    schema = f"regs_{os.getpid()}"
    with engine.begin() as connection:
        connection.execute(sa.text(f"CREATE SCHEMA {schema}"))
    try:
        pd.read_csv(path, keep_default_na=False).head(20).to_sql("ocgs", engine, index=False, schema=schema)
        assert len(load_register(url, GEO, table=f"{schema}.ocgs")) == 20
        with pytest.raises(RegisterError, match=f"no such table; the tables there: {schema}.ocgs; did you mean "
                                                f"'{schema}.ocgs'"):
            load_register(url, GEO, table=f"{schema}.ocg")
        with pytest.raises(RegisterError, match=f"there is no schema 'nosuch' \\(the schemas: .*{schema}.*\\); the "
                                                f"default schema's tables"):
            load_register(url, GEO, table="nosuch.ocgs")
    finally:
        with engine.begin() as connection:
            connection.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))


def test_a_sqlite_register_s_declared_types_do_not_change_its_text(tmp_path):
    """A table typed and then filled from a CSV file (what `sqlite3`'s `.import` does) holds text in
    typed columns: SQLAlchemy's converters read 'FALSE' and 'no' in a BOOLEAN column as true (every
    group known, silently) and failed with a traceback on '' in a NUMERIC or DATE column. Each value
    is now read as the database holds it and checked as a CSV file's cell is."""
    import sqlite3

    path = tmp_path / "typed.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE reg (ocg_id TEXT, area TEXT, type TEXT, reach TEXT, markets TEXT, "
                           "size INTEGER, violence TEXT, enablers TEXT, known BOOLEAN, capital_gbp NUMERIC, "
                           "first_recorded DATE)")
        connection.executemany("INSERT INTO reg VALUES (?,?,?,?,?,?,?,?,?,?,?)", [
            ("A1", "Merseyside", "family", "local", "heroin_crack", "12", "some", "", "FALSE", "", "01/03/2024"),
            ("A2", "Merseyside", "family", "local", "cocaine", 7, "some", "", "no", "2,500", ""),
            ("A3", "Merseyside", "family", "local", "cocaine", 5.0, "none", "", "TRUE", 1000.5, "2024-01-01")])
    register = load_register(f"sqlite:///{path}", GEO, table="reg")
    assert register.known.tolist() == [False, False, True]
    assert register.size.tolist() == [12, 7, 5]
    capital = register.capital_gbp.tolist()
    assert np.isnan(capital[0]) and capital[1:] == [2500.0, 1000.5]


def test_a_postgresql_register_s_typed_columns_and_arrays_are_read(tmp_path):
    """PostgreSQL's own types (boolean, numeric, date) read as their text, and the markets as an
    array (`text[]`, or an array of an enum, which the driver returns as its text and SQLAlchemy
    parses) read as a list of them, as the CSV file's ';' separates them."""
    from conftest import postgres_url

    url = postgres_url()
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    table, kind = f"typed_register_{os.getpid()}", f"market_{os.getpid()}"

    def read(*statements, dropped=()):
        with engine.begin() as connection:
            for statement in statements:
                connection.execute(sa.text(statement))
        try:
            return load_register(url, GEO, table=table)
        finally:
            with engine.begin() as connection:
                for name in (f"TABLE {table}", *dropped):
                    connection.execute(sa.text(f"DROP {name}"))

    columns = "ocg_id text, area text, type text, reach text"
    register = read(f"CREATE TABLE {table} ({columns}, markets text[], size numeric, violence text, enablers text, "
                    f"known boolean, first_recorded date)",
                    f"INSERT INTO {table} VALUES ('A1', 'Merseyside', 'family', 'local', '{{heroin_crack,cocaine}}', "
                    f"12, 'some', '', false, '2024-01-01'), ('A2', 'Merseyside', 'family', 'local', '{{fraud}}', 7.0, "
                    f"'none', NULL, true, NULL)")
    assert register.known.tolist() == [False, True] and register.size.tolist() == [12, 7]
    markets = [[MARKETS[m] for m in np.flatnonzero(row)] for row in register.markets]
    assert markets == [["heroin_crack", "cocaine"], ["fraud"]]
    register = read(f"CREATE TYPE {kind} AS ENUM ('heroin_crack', 'cocaine', 'fraud')",
                    f"CREATE TABLE {table} ({columns}, markets {kind}[], size int, violence text, enablers text, "
                    f"known boolean)",
                    f"INSERT INTO {table} VALUES ('A1', 'Merseyside', 'family', 'local', '{{heroin_crack,cocaine}}', "
                    f"12, 'some', '', false)", dropped=(f"TYPE {kind}",))
    assert [[MARKETS[m] for m in np.flatnonzero(row)] for row in register.markets] == [["heroin_crack", "cocaine"]]


def test_a_register_url_s_remarks_are_one_line_warnings(register, tmp_path, capsys):
    """SQLite's URI options without `uri=true` are ignored, with SQLAlchemy's warning printed as Python
    prints warnings (the file, the line, the source): now a one-line warning naming the URL, once."""
    import pandas as pd

    from twin import register_sources

    path = tmp_path / "register.csv"
    write_register_csv(register, GEO, path)
    url = f"sqlite:///{tmp_path / 'reg.db'}"
    pd.read_csv(path, keep_default_na=False).head(5).to_sql("ocgs", sa.create_engine(url), index=False)
    register_sources._SAID.clear()
    for _ in range(2):
        assert len(load_register(f"{url}?mode=ro", GEO, table="ocgs")) == 5
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"Warning: register URL '{url}?mode=ro': Query string argument")


def test_a_register_view_without_end_is_refused_before_its_rows_are_read(tmp_path, monkeypatch):
    """A small shared database can hold a view that makes rows without end: its rows were all read
    before any check, until memory ran out. They are counted first, no further than a register can hold."""
    import sqlite3

    from twin import register_sources

    monkeypatch.setattr(register_sources, "MAX_REGISTER_MEMBERS", 1_000)  # the check, at a size a test can reach
    connection = sqlite3.connect(tmp_path / "reg.db")
    connection.execute("CREATE VIEW ocgs AS WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) "
                       "SELECT 'X-' || i AS ocg_id, 'Cleveland' AS area, 'family' AS type, 'local' AS reach, "
                       "'fraud' AS markets, 3 AS size, 'none' AS violence, '' AS enablers, 1 AS known FROM n")
    connection.execute("CREATE VIEW some AS SELECT * FROM ocgs LIMIT 1000")
    connection.commit()
    connection.close()
    url = f"sqlite:///{tmp_path / 'reg.db'}"
    with pytest.raises(RegisterError, match=r"register table 'ocgs' at \S+: more than 1,000 rows; a register has one "
                                            r"row per group of at least one member"):
        register_sources.read_sql(url, "ocgs")
    rows, lines = register_sources.read_sql(url, "some")  # as many as it can hold: read
    assert len(rows) == 1_000 and lines[-1] == 1_000 and rows[-1]["ocg_id"] == "X-1000"


def test_a_sqlite_register_that_does_not_exist_is_named_and_not_created(tmp_path):
    missing = tmp_path / "nowhere.db"
    with pytest.raises(RegisterError, match=r"register URL 'sqlite:///\S+nowhere.db': no such database file"):
        load_register(f"sqlite:///{missing}", GEO, table="ocgs")
    assert not missing.exists()  # SQLite would have created an empty file


def test_a_sqlite_register_url_naming_a_folder_says_so(tmp_path):
    with pytest.raises(RegisterError, match=r"is a folder, not a database file"):
        load_register(f"sqlite:///{tmp_path}", GEO, table="ocgs")


def test_a_note_over_two_lines_in_a_quoted_cell_is_read(tmp_path):
    """Valid CSV as a spreadsheet saves it (BOM, CRLF): a note written over two lines in a column the
    model ignores; it was refused as a quote running on to the next line. Rows after it keep their numbers."""
    path = tmp_path / "notes.csv"
    path.write_bytes(("\ufeff" + HEADER.rstrip("\n") + ",notes\r\n"
                      'A1,Kent,family,local,fraud,5,none,,1,"Linked to A2.\r\nSee log 117"\r\n'
                      "A2,Kent,family,local,fraud,5,none,,1,\r\nA3,Kent,family,local,fraud,-5,none,,1,\r\n").encode())
    with pytest.raises(RegisterError, match=r"row 5, field 'size'"):  # the note's row spans lines 2-3
        load_register(str(path), GEO)
    path.write_bytes(path.read_bytes().replace(b"fraud,-5", b"fraud,5"))
    assert load_register(str(path), GEO).ocg_id == ["A1", "A2", "A3"]
    padded = tmp_path / "padded.csv"  # trailing empty cells, allowed in any row, beside a note over two lines
    padded.write_text(HEADER.rstrip("\n") + ",notes\n" + 'A1,Kent,family,local,fraud,5,none,,1,"two\nlines",,\n')
    assert load_register(str(padded), GEO).ocg_id == ["A1"]
    # a quote never closed in the last column swallows the rows after it at the header's width: refused,
    # not read as one group with a long note (the rows after it lost)
    swallowed = tmp_path / "swallowed.csv"
    swallowed.write_text(HEADER.rstrip("\n") + ",notes\n" + 'A1,Kent,family,local,fraud,5,none,,1,"see A2\n'
                         "A2,Kent,family,local,fraud,5,none,,1,\nA3,Kent,family,local,fraud,5,none,,1,\n")
    with pytest.raises(RegisterError, match=r"row 2: a quote \(\"\) opens a field that runs on"):
        load_register(str(swallowed), GEO)


def test_an_unclosed_quote_in_a_register_is_named_with_its_row(tmp_path):
    """A quote opening a field made the rest of the file one field: 'fewer fields than the header'
    in a small file, 'field larger than field limit' in a large one."""
    rows = "".join(f"A{i},Merseyside,family,local,fraud,5,none,,1\n" for i in range(1, 8))
    path = tmp_path / "quote.csv"
    path.write_text(HEADER + rows.replace("A4,", '"A4,'))
    with pytest.raises(RegisterError, match=r"quote.csv', row 5: a quote \(\"\) opens a field that runs on"):
        load_register(str(path), GEO)
    big = tmp_path / "big.csv"
    big.write_text(HEADER + '"A1,' + "x" * 140_000 + "\n")
    with pytest.raises(RegisterError, match=r"not a valid CSV file \(.*\) \(a quote that opens a field and is never"):
        load_register(str(big), GEO)


HEADER = "ocg_id,area,type,reach,markets,size,violence,enablers,known\n"


@pytest.mark.parametrize("row, words", [
    ("A1,Mersyside,family,local,heroin_crack,5,none,,1", "row 2, field 'area'.*did you mean 'Merseyside'"),
    ("A1,Merseyside,famly,local,heroin_crack,5,none,,1", "field 'type'.*did you mean 'family'"),
    ("A1,Merseyside,family,local,heroine_crack,5,none,,1", "field 'markets'.*did you mean 'heroin_crack'"),
    ("A1,Merseyside,family,local,,5,none,,1", "field 'markets': expected at least one market"),
    ("A1,Merseyside,family,local,cocaine;Cocaine ;,5,none,,1", "field 'markets': 'cocaine' is listed twice"),
    ("A1,Merseyside,family,local,fraud,5,none,insider;insider,1", "field 'enablers': 'insider' is listed twice"),
    ("A1,Merseyside,family,local,fraud,five,none,,1", "field 'size': expected a whole number"),
    ("A1,Merseyside,family,local,fraud,0,none,,1", "field 'size'"),
    ("A1,Merseyside,family,local,fraud,5,extreme,,1", "field 'violence'"),
    ("A1,Merseyside,family,local,fraud,5,none,lawyer,1", "field 'enablers'"),
    ("A1,Merseyside,family,local,fraud,5,none,,maybe", "field 'known'"),
    ("A1,Merseyside,family,global,fraud,5,none,,1", "field 'reach'"),
    ("A1,Merseyside,family,local,fraud,1000000000,none,,1", "field 'size': expected a whole number of members from 1 to"),
    ("A1,Merseyside,family,local,fraud,5,none,,1,extra", "row 2: 10 values where the header has 9 .*more fields"),
    ("A1,Merseyside,family,local,fraud,5,none", "row 2: 7 values where the header has 9 .*fewer fields"),
    ("A1,Merseyside,family,local,heroin_crack,4,none,,1,,99999",
     "field 'county_lines': 99,999 lines for a group of 4 members; expected at most one line per member"),
    ("A1,Merseyside,family,local,heroin_crack,4,none,,1,,99999999999999999999",  # once an OverflowError traceback
     "field 'county_lines': expected a whole number >= 0, got '99999999999999999999'"),
    ("A1,Merseyside,family,local,fraud,4,none,,1,,2",  # a fraud group supplied 120 heroin/crack users
     "field 'county_lines': 2 lines for a group without heroin_crack in its markets"),
    ("A1,Kent,family,local,heroin_crack,4,none,,1,,2",
     "field 'county_lines': 2 lines for a group in Kent, which is not a county-lines exporter area; lines run from "
     "the exporter areas of the areas file \\(Greater Manchester, Merseyside"),
    ("A1,Merseyside,family,local,heroin_crack,4,none,,1,,2.5", "field 'county_lines': expected a whole number"),
])
def test_invalid_rows_name_row_and_field(tmp_path, row, words):
    path = tmp_path / "bad.csv"
    header = HEADER.strip() + ",capital_gbp,county_lines\n" if row.count(",") == 10 else HEADER
    path.write_text(header + row + "\n")
    with pytest.raises(RegisterError, match=words):
        load_register(str(path), GEO)


def test_one_fault_is_one_line_and_a_spreadsheets_whole_numbers_load(tmp_path):
    path = tmp_path / "reg.csv"
    path.write_text(HEADER + "A1,Merseyside,family,local,heroin,5,none,,1\n")
    with pytest.raises(RegisterError) as error:  # an unknown market, not also "no market given"
        load_register(str(path), GEO)
    assert len(str(error.value).splitlines()) == 1 and "did you mean 'heroin_crack'" in str(error.value)
    path.write_text(HEADER.strip() + ",capital_gbp,county_lines\n" + "A1,Merseyside,family,local,heroin_crack,21.0,"
                    "none,,1,,2.0\n")
    register = load_register(str(path), GEO)
    assert (register.size[0], register.county_lines[0]) == (21, 2)


def test_every_bad_row_is_reported(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + "A1,Nowhere,family,local,fraud,5,none,,1\nA1,Kent,family,local,fraud,5,none,,1\n")
    with pytest.raises(RegisterError) as error:
        load_register(str(path), GEO)
    message = str(error.value)
    assert "row 2, field 'area'" in message and "row 3, field 'ocg_id': duplicate" in message


def test_missing_columns_and_files(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("ocg_id,area\nA,Kent\n")
    with pytest.raises(RegisterError, match="missing column"):
        load_register(str(path), GEO)
    with pytest.raises(RegisterError, match="absent.csv': not found$"):  # nothing near it to suggest
        load_register(str(tmp_path / "absent.csv"), GEO)
    # a near name, or the same name with its suffix mistyped: the file meant (it read as an I/O failure)
    for wrong in ("badd.csv", "bad.cvs"):
        with pytest.raises(RegisterError, match=rf"{wrong}': not found; did you mean '.*/bad.csv'\?$"):
            load_register(str(tmp_path / wrong), GEO)
    path.write_text("")
    with pytest.raises(RegisterError, match=r"bad.csv': the file is empty; expected a header row"):
        load_register(str(path), GEO)


def test_a_semicolon_separated_register_is_named_as_such(register, tmp_path):
    path = tmp_path / "semicolons.csv"
    write_register_csv(register, GEO, path)
    path.write_text(path.read_text().replace(",", ";"))
    with pytest.raises(RegisterError, match="separated by ';'.*save it as CSV with commas"):
        load_register(str(path), GEO)
    path.write_text(path.read_text().replace(";", "\t"))
    with pytest.raises(RegisterError, match="separated by tabs .*save it as CSV with commas"):
        load_register(str(path), GEO)


def test_spreadsheet_csv_with_a_byte_order_mark_loads(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes("\ufeff".encode() + (HEADER + "A1,Kent,family,local,fraud,5,none,,1\n").encode())
    assert load_register(str(path), GEO).ocg_id == ["A1"]


@pytest.mark.parametrize("header, words", [
    (HEADER.strip() + ",capitol_gbp\n", "column 'capitol_gbp' is not a register column; did you mean 'capital_gbp'"),
    # shortened: read as a note and ignored, the groups' capital was lost without a word
    (HEADER.strip() + ",capital\n", "column 'capital' is not a register column; did you mean 'capital_gbp'"),
    (HEADER.strip() + ",Capital (GBP)\n",
     "column 'capital (gbp)' is not a register column; did you mean 'capital_gbp'"),
    (HEADER.strip() + ",countyline\n", "column 'countyline' is not a register column; did you mean 'county_lines'"),
    (HEADER.replace("size", "sise"), "column 'sise' is not a register column; did you mean 'size'"),
    (HEADER.replace("type", "area"), "column area appears more than once in the header"),
])
def test_misspelt_columns_are_named(tmp_path, header, words):
    path = tmp_path / "bad.csv"
    path.write_text(header + "A1,Kent,family,local,fraud,5,none,,1" + (",0" if header.count(",") > 8 else "") + "\n")
    with pytest.raises(RegisterError, match=re.escape(words)):
        load_register(str(path), GEO)


def test_text_in_another_encoding_is_a_clear_error(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes((HEADER + "Cr\xe8me,Kent,family,local,fraud,5,none,,1\n").encode("latin-1"))
    with pytest.raises(RegisterError, match=r"not UTF-8 text \(line 2, byte \d+\)"):
        load_register(str(path), GEO)


def test_too_many_members_in_all_is_rejected(tmp_path, monkeypatch):
    import twin.register as register_module

    monkeypatch.setattr(register_module, "MAX_REGISTER_MEMBERS", 8)
    path = tmp_path / "big.csv"
    path.write_text(HEADER + "A1,Kent,family,local,fraud,5,none,,1\nA2,Kent,family,local,fraud,5,none,,1\n")
    with pytest.raises(RegisterError, match="10 members in all"):
        load_register(str(path), GEO)


def test_database_errors_hide_the_password_and_missing_drivers_are_named(monkeypatch):
    import sys

    with pytest.raises(RegisterError) as error:
        load_register("sqlite+nosuchdriver://u:secret@h/db", GEO, table="t")
    assert "secret" not in str(error.value)
    with pytest.raises(RegisterError, match=r"URL: name the table with --register-table \(register_table=") as error:
        load_register("postgresql://u:secret@h/db", GEO)
    assert "secret" not in str(error.value)
    with pytest.raises(RegisterError, match="--register-table t: names a table .* 'reg.csv' is not a URL"):
        load_register("reg.csv", GEO, table="t")
    monkeypatch.setitem(sys.modules, "MySQLdb", None)  # the driver is missing, whatever this machine has
    with pytest.raises(RegisterError, match="driver is not installed") as error:
        load_register("mysql://u:secret@localhost/db", GEO, table="t")
    assert "secret" not in str(error.value) and "***" in str(error.value)


@pytest.mark.parametrize("override, words", [
    ({"ocgs_known_uk": 0}, r"give 0 OCGs; the synthetic register needs 1 to"),
    ({"ocgs_known_uk": 1e12}, r"the synthetic register needs 1 to"),
    ({"members_known_uk": 1e12}, r"members_known_uk = 1e\+12 with group sizes drawn as .* needs more than"),
])
def test_synthetic_register_rejects_impossible_scales(override, words):
    from twin.errors import ParameterError

    with pytest.raises(ParameterError, match=words):
        synthetic_register(GEO, Parameters(override), RandomStreams(1)["register"])


def test_a_register_without_county_lines_is_warned_that_none_will_open(register, tmp_path):
    """A user's register without a `county_lines` column (or with 0 everywhere) starts the run
    with no lines, and the openings, scaled from the lines a run starts with, stay at none."""
    import csv

    from pathlib import Path

    from twin.preflight import scenario_register_warnings
    from twin.scenario import load_scenario

    full = tmp_path / "full.csv"
    write_register_csv(register, GEO, full)
    rows = list(csv.DictReader(full.open()))
    assert sum(int(r["county_lines"] or 0) for r in rows) == register.county_lines.sum() > 0
    without = tmp_path / "without.csv"
    with without.open("w", newline="") as file:
        writer = csv.DictWriter(file, [c for c in rows[0] if c != "county_lines"])
        writer.writeheader()
        writer.writerows({k: v for k, v in r.items() if k != "county_lines"} for r in rows)
    baseline = Path(__file__).resolve().parents[1] / "scenarios" / "baseline.toml"
    scenario = (tmp_path / "s.toml")
    for path, warned in ((full, False), (without, True)):
        scenario.write_text(f'[scenario]\nname = "s"\nbase = "{baseline}"\nregister = "{path}"\n')
        said = [w for w in scenario_register_warnings(load_scenario(scenario)) if "no county lines" in w]
        assert bool(said) == warned
    can_run = int((GEO.exporter[register.area] & register.markets[:, HEROIN_CRACK]).sum())
    assert f"give the lines of its {can_run:,} heroin/crack group(s) in exporter areas" in said[0]
    # and the run bears it out: no line opens
    from twin.model import TwinModel

    model = TwinModel(seed=1, n_steps=12, register=load_register(str(without), GEO))
    model.run()
    frame = model.results.to_frame()
    assert frame.loc[(frame.area == "UK") & (frame.metric == "county_lines_active"), "value"].max() == 0


def test_other_extra_columns_are_allowed(tmp_path):
    path = tmp_path / "extra.csv"
    path.write_text(HEADER.strip() + ",county,notes\n" + "A1,Kent,family,local,fraud,5,none,,1,Kent,seen 2024\n")
    assert load_register(str(path), GEO).ocg_id == ["A1"]


def test_a_partial_register_is_warned_about_and_a_complete_one_is_not(register, tmp_path, capsys):
    from twin.cli import main
    from twin.register_checks import coverage_warning

    assert coverage_warning(register.area, register.known, GEO, PARAMS) is None
    full = tmp_path / "full.csv"
    write_register_csv(register, GEO, full)
    part = tmp_path / "part.csv"
    part.write_text("".join(full.read_text().splitlines(keepends=True)[:51]))  # header and 50 groups
    loaded = load_register(str(part), GEO)
    warning = coverage_warning(loaded.area, loaded.known, GEO, PARAMS)
    assert "the register has 50 groups" in warning and "results will not be meaningful" in warning
    from pathlib import Path

    baseline = str(Path(__file__).resolve().parents[1] / "scenarios" / "baseline.toml")
    assert main(["run", baseline, "--register", str(part), "--years", "0.25", "--quiet",
                 "--out", str(tmp_path / "run")]) == 0
    assert "Warning: the register has 50 groups" in capsys.readouterr().err


def _one_area_known_only(register, area):
    from twin.register import _rows

    return _rows(register, (register.area == area) & register.known)


def test_completing_a_complete_register_adds_nothing(register):
    from twin.register import complete_register

    other = synthetic_register(GEO, PARAMS, RandomStreams(12)["register"])
    completed, completion = complete_register(register, other)
    assert len(completed) == len(register) and completion.filled_groups == completion.unknown_groups == 0
    assert completed.ocg_id == register.ocg_id and np.array_equal(completed.size, register.size)


def test_a_one_area_register_is_completed_from_the_synthetic_register(register):
    from twin.register import complete_register

    area = int(np.bincount(register.area).argmax())
    own = _one_area_known_only(register, area)
    own.ocg_id = [f"SYN{i:05d}" for i in range(len(own))]  # ids that clash with the synthetic ones
    synthetic = synthetic_register(GEO, PARAMS, RandomStreams(12)["register"])
    completed, completion = complete_register(own, synthetic)
    n = len(own)
    # the user's rows first, unchanged
    assert completed.ocg_id[:n] == own.ocg_id and np.array_equal(completed.size[:n], own.size)
    rest = slice(n, None)
    elsewhere = synthetic.area != area
    # every synthetic group outside the area, and in the area only the unknown ones, in order
    expected = elsewhere | ((synthetic.area == area) & ~synthetic.known)
    assert np.array_equal(completed.size[rest], synthetic.size[expected])
    assert np.array_equal(completed.area[rest], synthetic.area[expected])
    assert not completed.known[rest][completed.area[rest] == area].any()
    assert len(set(completed.ocg_id)) == len(completed)
    assert completion.register_groups == n and completion.register_areas == 1
    assert completion.filled_groups == int(elsewhere.sum())
    assert completion.unknown_groups == int(((synthetic.area == area) & ~synthetic.known).sum()) > 0
    from twin.register_checks import coverage_warning

    assert coverage_warning(own.area, own.known, GEO, PARAMS) is not None
    assert coverage_warning(completed.area, completed.known, GEO, PARAMS) is None


def test_a_register_area_with_unknown_groups_gets_no_synthetic_ones(register):
    from twin.register import _rows, complete_register

    area = int(np.bincount(register.area).argmax())
    own = _rows(register, register.area == area)  # known and unknown groups alike
    assert (~own.known).any()
    completed, completion = complete_register(own, synthetic_register(GEO, PARAMS, RandomStreams(12)["register"]))
    assert completion.unknown_groups == 0
    assert np.count_nonzero(completed.area == area) == len(own)


def test_a_completed_run_matches_the_synthetic_world_outside_the_register(register):
    from twin.model import TwinModel

    area = int(np.bincount(register.area).argmax())
    own = _one_area_known_only(register, area)
    completed = TwinModel(seed=5, n_steps=1, register=own, complete_register=True)
    default = TwinModel(seed=5, n_steps=1)
    outside = default.ocgs.area[: default.ocgs.n] != area
    n = len(own)
    assert completed.register_completion.register_groups == n
    # the same stream draws the same synthetic register: groups outside the area are the default run's
    mask = completed.ocgs.area[n: completed.ocgs.n] != area
    assert np.array_equal(completed.ocgs.area[n: completed.ocgs.n][mask], default.ocgs.area[: default.ocgs.n][outside])
    assert TwinModel(seed=5, n_steps=1, register=own).register_completion is None


def test_complete_register_on_the_command_line(register, tmp_path, capsys):
    import json
    from pathlib import Path

    from twin.cli import main

    area = int(np.bincount(register.area).argmax())
    own = tmp_path / "own.csv"
    write_register_csv(_one_area_known_only(register, area), GEO, own)
    baseline = str(Path(__file__).resolve().parents[1] / "scenarios" / "baseline.toml")
    out = tmp_path / "run"
    assert main(["run", baseline, "--register", str(own), "--complete-register", "--years", "0.25",
                 "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert f"in 1 of {GEO.n_areas} areas were completed with" in err and "Warning" not in err
    meta = json.loads((out / "run.json").read_text())
    assert meta["scenario"]["register"] == str(own) and meta["scenario"]["complete_register"] is True
    assert meta["register_completion"]["register_areas"] == 1
    assert main(["run", baseline, "--complete-register", "--years", "0.25", "--out", str(out)]) == 2
    assert "--complete-register: completes a register, but none is given" in capsys.readouterr().err


def test_run_json_names_a_database_register_s_table(register, tmp_path, capsys):
    """Runs from two tables of one database recorded the same URL in run.json: only the digest told
    them apart. The table is recorded beside it."""
    import json
    from pathlib import Path

    import pandas as pd

    from twin.cli import main

    path = tmp_path / "register.csv"
    write_register_csv(register, GEO, path)
    url = f"sqlite:///{tmp_path / 'reg.db'}"
    pd.read_csv(path, keep_default_na=False).head(40).to_sql("ocgs_2024", sa.create_engine(url), index=False)
    baseline = str(Path(__file__).resolve().parents[1] / "scenarios" / "baseline.toml")
    out = tmp_path / "run"
    assert main(["run", baseline, "--register", url, "--register-table", "ocgs_2024", "--complete-register",
                 "--years", "0.25", "--quiet", "--out", str(out)]) == 0
    scenario = json.loads((out / "run.json").read_text())["scenario"]
    assert scenario["register"] == url and scenario["register_table"] == "ocgs_2024"


def test_a_scenario_file_starts_from_a_register_in_a_database(register, tmp_path, capsys):
    """`register` may be a database's URL with `register_table` beside it, so that comparisons and
    sweeps (not only `twin run --register`) start from a register kept in a database: the runs are
    those of the same rows read from a CSV file, a SQLite path is read from the scenario's folder,
    and the scenario is known by what the table holds."""
    import json

    import pandas as pd

    from twin.cli import main
    from twin.register_sources import table_digest
    from twin.runner import run_scenario
    from twin.scenario import load_scenario

    path = tmp_path / "register.csv"
    write_register_csv(register, GEO, path)
    rows = pd.read_csv(path, keep_default_na=False).head(40)
    rows.to_csv(tmp_path / "forty.csv", index=False)
    rows.to_sql("ocgs", sa.create_engine(f"sqlite:///{tmp_path / 'reg.db'}"), index=False)
    head = '[scenario]\nname = "{name}"\nyears = 0.25\nspin_up_years = 0\ncomplete_register = true\n'
    (tmp_path / "db.toml").write_text(head.format(name="db") + 'register = "sqlite:///reg.db"\n'
                                                               'register_table = "ocgs"\n')
    (tmp_path / "csv.toml").write_text(head.format(name="csv") + 'register = "forty.csv"\n')
    from_db, from_csv = load_scenario(tmp_path / "db.toml"), load_scenario(tmp_path / "csv.toml")
    assert from_db.register == f"sqlite:///{(tmp_path / 'reg.db').resolve()}"  # next to the scenario
    a = run_scenario(from_db, seed=3, out_dir=tmp_path / "a", warn=False).frame
    b = run_scenario(from_csv, seed=3, out_dir=tmp_path / "b", warn=False).frame
    pd.testing.assert_frame_equal(a, b)
    assert json.loads((tmp_path / "a" / "run.json").read_text())["scenario"]["register_table"] == "ocgs"
    # an edited table is another scenario (its stored runs are not reused)
    before = from_db.spec_hash()
    rows.head(39).to_sql("ocgs", sa.create_engine(from_db.register), index=False, if_exists="replace")
    table_digest.cache_clear()  # a command reads it once; this test edits it within one process
    assert from_db.spec_hash() != before and from_csv.spec_hash() == load_scenario(tmp_path / "csv.toml").spec_hash()
    # a comparison starts from it too
    assert main(["compare", str(tmp_path / "db.toml"), "--reps", "1", "--workers", "1", "--quiet",
                 "--db", f"sqlite:///{tmp_path / 'c.db'}", "--out", str(tmp_path / "c")]) == 0
    # edited again within this process (a notebook): the next comparison reads it afresh, another experiment
    rows.head(38).to_sql("ocgs", sa.create_engine(from_db.register), index=False, if_exists="replace")
    from twin.ensemble import run_ensemble
    from twin.store import Store

    store = Store(f"sqlite:///{tmp_path / 'c.db'}")
    again = run_ensemble([str(tmp_path / "db.toml")], 1, 1, None, 1, store, progress=False)
    assert again.experiment_id == 2 and (again.ran, again.skipped, again.copied) == (1, 0, 0)  # none copied
    # mistakes: one line each, naming the file and the key
    for setting, expected in (('register = "sqlite:///reg.db"\n', "needs the table's name beside it"),
                              ('register = "postgresql://u:secret@h/db"\nregister_table = "t"\n',
                               "the URL holds a password"),
                              ('register = "forty.csv"\nregister_table = "ocgs"\n', "register_table: names a table"),
                              ('register_table = "ocgs"\n', "the scenario's register is not given"),
                              ('areas_file = "sqlite:///reg.db"\n', "areas_file: expected a CSV file")):
        (tmp_path / "bad.toml").write_text(head.format(name="bad") + setting)
        assert main(["run", str(tmp_path / "bad.toml"), "--quiet", "--out", str(tmp_path / "bad")]) == 2
        err = capsys.readouterr().err
        assert expected in err and "bad.toml: [scenario]" in err and "Traceback" not in err, err
    (tmp_path / "child.toml").write_text('[scenario]\nbase = "db.toml"\nname = "child"\nregister = "forty.csv"\n')
    assert load_scenario(tmp_path / "child.toml").register_table is None  # another register: not the base's table


@pytest.mark.parametrize("url", ["postgresql://me@dbhost:port/ocgs", "my db://ocgs", "://ocgs.db"])
def test_a_register_url_that_cannot_be_parsed_is_refused_in_one_line(tmp_path, capsys, monkeypatch, url):
    """A scenario's `register` holding '://' is read as a database's URL: one that SQLAlchemy cannot parse
    (a port left as the word 'port', a space in the dialect's name) is one line naming the file and the key,
    before any database is opened."""
    import twin.precompile
    import twin.runner
    from twin.cli import main

    for module, function in ((twin.precompile, "warm_up"), (twin.runner, "run_scenario")):
        monkeypatch.setattr(module, function, lambda *a, **k: pytest.fail("went on to run the scenario"))

    path = tmp_path / "bad.toml"
    path.write_text(f'[scenario]\nname = "bad"\nyears = 0.25\nregister = "{url}"\nregister_table = "ocgs"\n')
    assert main(["run", str(path), "--quiet", "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip()
    assert err == (f"twin: error: {path}: [scenario] register: expected a CSV file or a database URL such as "
                   f"sqlite:///ocgs.db or postgresql://user@host/db, got '{url}'"), err


def test_a_completed_register_short_in_its_own_areas_is_warned_about_without_advising_completion(
        register, tmp_path, capsys):
    import json
    from pathlib import Path

    from twin.cli import main
    from twin.register import _rows

    # two groups in each of the 30 areas with most groups: completion fills only the other 15
    biggest = np.argsort(np.bincount(register.area, minlength=GEO.n_areas))[-30:]
    keep = np.zeros(len(register), dtype=bool)
    for area in biggest:
        keep[np.flatnonzero(register.area == area)[:2]] = True
    own = tmp_path / "own.csv"
    write_register_csv(_rows(register, keep), GEO, own)
    baseline = str(Path(__file__).resolve().parents[1] / "scenarios" / "baseline.toml")
    out = tmp_path / "run"
    assert main(["run", baseline, "--register", str(own), "--complete-register", "--years", "0.25", "--quiet",
                 "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "known to police in its 30 areas, where the synthetic register" in err
    assert "List every group in the areas it covers" in err
    assert "--complete-register`" not in err  # no advice to do what was done
    assert any("where the synthetic register" in w for w in json.loads((out / "run.json").read_text())["warnings"])
    # one force's register of 3 known groups, completed: short in its own area, however full the rest
    met = GEO.area_index("Metropolitan Police")
    few = np.flatnonzero((register.area == met) & register.known)[:3]
    keep = np.zeros(len(register), dtype=bool)
    keep[few] = True
    write_register_csv(_rows(register, keep), GEO, own)
    assert main(["run", baseline, "--register", str(own), "--complete-register", "--years", "0.25", "--quiet",
                 "--out", str(out)]) == 0
    assert "lists 3 groups known to police in its 1 area, where the synthetic register" in capsys.readouterr().err
    # the digest is the user's register's, whatever the seed's synthetic completion
    digest = json.loads((out / "run.json").read_text())["register_digest"]
    assert main(["run", baseline, "--register", str(own), "--complete-register", "--years", "0.25", "--quiet",
                 "--seed", "7", "--out", str(out)]) == 0
    assert json.loads((out / "run.json").read_text())["register_digest"] == digest
    capsys.readouterr()
    # the full synthetic register's known groups in one area, completed: no warning
    keep = (register.area == met) & register.known
    write_register_csv(_rows(register, keep), GEO, own)
    assert main(["run", baseline, "--register", str(own), "--complete-register", "--years", "0.25", "--quiet",
                 "--out", str(out)]) == 0
    assert "Warning" not in capsys.readouterr().err


def test_complete_register_in_a_scenario(register, tmp_path, capsys):
    from twin.cli import main

    area = int(np.bincount(register.area).argmax())
    write_register_csv(_one_area_known_only(register, area), GEO, tmp_path / "own.csv")
    scenario = tmp_path / "force.toml"
    scenario.write_text('[scenario]\nname = "force"\nregister = "own.csv"\ncomplete_register = true\nyears = 0.25\n')
    assert main(["run", str(scenario), "--quiet", "--out", str(tmp_path / "run")]) == 0
    assert "Warning" not in capsys.readouterr().err
    scenario.write_text('[scenario]\nname = "force"\nregister = "own.csv"\ncomplete_register = "yes"\n')
    assert main(["run", str(scenario), "--out", str(tmp_path / "run")]) == 2
    assert "[scenario] complete_register: expected true or false, got 'yes'" in capsys.readouterr().err


def test_the_synthetic_register_gives_no_group_more_lines_than_members():
    """At the top of the range of starting county lines, a size-weighted share-out put more lines
    than members on small groups in about a third of seeds (and a user's register may not)."""
    params = Parameters({"county_lines_initial": 3000})
    for seed in range(1, 21):
        register = synthetic_register(GEO, params, RandomStreams(seed)["register"])
        assert register.county_lines.sum() == 3000 and (register.county_lines <= register.size).all()


def test_a_scenario_completing_a_short_register_is_warned_about_before_any_run(register, tmp_path):
    from pathlib import Path

    from twin.preflight import scenario_register_warnings
    from twin.register import _rows
    from twin.scenario import load_scenario

    met = GEO.area_index("Metropolitan Police")
    keep = np.zeros(len(register), dtype=bool)
    keep[np.flatnonzero((register.area == met) & register.known)[:3]] = True
    own = tmp_path / "own.csv"
    write_register_csv(_rows(register, keep), GEO, own)
    baseline = Path(__file__).resolve().parents[1] / "scenarios" / "baseline.toml"
    scenario = tmp_path / "s.toml"
    scenario.write_text(f'[scenario]\nname = "own"\nbase = "{baseline}"\nregister = "{own}"\ncomplete_register = true\n')
    warnings = scenario_register_warnings(load_scenario(scenario))
    assert len(warnings) == 1 and "lists 3 groups known to police in its 1 area" in warnings[0]
    scenario.write_text(scenario.read_text().replace("complete_register = true", "complete_register = false"))
    warnings = scenario_register_warnings(load_scenario(scenario))
    assert len(warnings) == 1 and "Complete it with synthetic groups" in warnings[0]


@pytest.mark.parametrize("capital, loads", [("2500000", True), ("1e10", True), ("1e30", False), ("-5", False),
                                            ("lots", False)])
def test_a_groups_capital_beyond_any_groups_is_refused(tmp_path, capital, loads):
    """£1e30 (a typing or unit mistake) was accepted and made one group richer than the economy."""
    path = tmp_path / "capital.csv"
    path.write_text(HEADER.strip() + ",capital_gbp\n" + f"A1,Kent,family,local,fraud,5,none,,1,{capital}\n")
    if loads:
        assert load_register(str(path), GEO).capital_gbp[0] == float(capital)
    else:
        with pytest.raises(RegisterError, match=r"row 2, field 'capital_gbp': expected an amount in pounds "
                                                r"from 0 to 10,000,000,000"):
            load_register(str(path), GEO)


def test_a_model_starts_with_the_capital_its_register_gives(register):
    """Capital given in the register is each group's starting capital as given (the set-up's
    market clearing passes no time); groups without one start at their steady state."""
    import dataclasses

    from twin.model import TwinModel

    given = np.full(len(register), np.nan)
    given[::2] = 1_000_000.0
    model = TwinModel(seed=3, n_steps=1, register=dataclasses.replace(register, capital_gbp=given))
    start = model.ocgs.capital_gbp[: len(register)]
    assert (start[::2] == 1_000_000.0).all()
    assert np.isfinite(start[1::2]).all() and (start[1::2] > 0).all()


def test_a_spreadsheets_leftovers_load_and_errors_keep_their_row_numbers(tmp_path):
    """Empty rows (',,,,' at the end, and between groups), headers and area names in another case or
    with spaces are read as meant; rows after an empty one keep their numbers in the file."""
    path = tmp_path / "excel.csv"
    header = " OCG_ID,Area ,type,reach,markets,Size,violence,enablers,known\n"
    path.write_text(header + "A1,MERSEYSIDE,family,local,fraud,5,none,,1\n,,,,,,,,\n"
                    "A2,kent,family,local,fraud,5,none,,0\n,,,,,,,,\n , ,,,,,,,\n")
    register = load_register(str(path), GEO)
    assert register.ocg_id == ["A1", "A2"]
    assert [GEO.area_names[a] for a in register.area] == ["Merseyside", "Kent"] and list(register.known) == [True, False]
    path.write_text(HEADER + "A1,Kent,family,local,fraud,5,none,,1\n,,,,,,,,\nA2,,family,local,fraud,5,none,,1\n")
    with pytest.raises(RegisterError, match=r"row 4, field 'area': empty; expected a police force area's name"):
        load_register(str(path), GEO)


def test_a_size_that_is_not_whole_is_one_error_not_also_a_county_lines_one(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(HEADER.strip() + ",capital_gbp,county_lines\nA1,Merseyside,family,local,heroin_crack,2.5,none,,1,,2\n")
    with pytest.raises(RegisterError) as error:
        load_register(str(path), GEO)
    assert "field 'size'" in str(error.value) and "county_lines" not in str(error.value)


def test_a_database_register_numbers_its_rows_from_1_and_reads_real_flags(tmp_path):
    import pandas as pd

    url = f"sqlite:///{tmp_path / 'reg.db'}"
    rows = pd.DataFrame({"ocg_id": ["A1", "A2"], "area": ["Kent", "Nowhere"], "type": "family", "reach": "local",
                         "markets": "fraud", "size": [5.0, 4.0], "violence": "none", "enablers": "",
                         "known": [1.0, np.nan]})  # pandas writes a flag column with a gap as REAL
    rows.to_sql("ocgs", sa.create_engine(url), index=False)
    with pytest.raises(RegisterError) as error:
        load_register(url, GEO, table="ocgs")
    message = str(error.value)
    assert "row 2, field 'area': 'Nowhere'" in message and "row 1" not in message  # the table's second row
    assert "row 2, field 'known': expected 1/0" in message  # the gap; the first row's 1.0 reads as 1
    rows.assign(area="Kent", known=[1.0, 0.0]).to_sql("fixed", sa.create_engine(url), index=False)
    assert list(load_register(url, GEO, table="fixed").known) == [True, False]


@pytest.mark.parametrize("size, capital, loaded", [('"1,200"', '"£2,500,000"', (1200, 2.5e6)),
                                                   ('"1,200.0"', '"2,500,000.50"', (1200, 2500000.5)),
                                                   ("1200", "£ 75", (1200, 75.0))])
def test_numbers_with_a_spreadsheets_thousands_separators_load(tmp_path, size, capital, loaded):
    """A spreadsheet that shows 1,200 saves it quoted with its separator; it used to be refused."""
    path = tmp_path / "grouped.csv"
    path.write_text(HEADER.strip() + ",capital_gbp\n" + f"A1,Kent,family,local,fraud,{size},none,,1,{capital}\n")
    register = load_register(str(path), GEO)
    assert (int(register.size[0]), float(register.capital_gbp[0])) == loaded


@pytest.mark.parametrize("size", ['"1,2"', '"12,00"', '"1,2000"', '",200"', '"£1,200"'])
def test_commas_that_are_not_thousands_separators_are_refused(tmp_path, size):
    """Only whole groups of three digits are separators; a pound sign is not a size."""
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + f"A1,Kent,family,local,fraud,{size},none,,1\n")
    with pytest.raises(RegisterError, match="row 2, field 'size': expected a whole number of members"):
        load_register(str(path), GEO)


def test_a_small_register_in_every_area_is_not_told_to_complete_what_it_leaves_out(tmp_path):
    """A register covering every area of a small geography was told to complete 'the areas it leaves
    out', which are none: it is told to give every group or scale the national quantities instead."""
    from twin.geography import NATIONAL_QUANTITIES, load_geography
    from twin.register_checks import coverage_warning

    areas = tmp_path / "areas.csv"
    areas.write_text("force_area,nation,region,population_thousands,county_lines_exporter\n"
                     "A,England,R,700,1\nB,England,R,480,0\n")
    geo = load_geography(areas)
    warning = coverage_warning(np.array([0, 1, 1]), np.array([True, True, False]), geo, PARAMS)
    assert "in 2 of 2 areas" in warning and "--complete-register" not in warning
    assert "scale the national quantities to its people: scale_national_quantities = true in [scenario]" in warning
    scaled = PARAMS.copy()
    scaled.scale_national(NATIONAL_QUANTITIES, float(geo.population.sum()) / GEO.population.sum())
    already = coverage_warning(np.array([0, 1, 1]), np.array([True, True, False]), geo, scaled)
    assert already.endswith("Give every group there is")  # scaled already: nothing more to suggest
    assert "--complete-register" in coverage_warning(np.array([0]), np.array([True]), geo, PARAMS)
    # the UK's own areas, a few groups in every one: give every group; there is nothing to scale
    uk = coverage_warning(np.arange(GEO.n_areas), np.ones(GEO.n_areas, dtype=bool), GEO, PARAMS)
    assert uk.endswith("Give every group there is") and "--complete-register" not in uk


def test_register_areas_match_the_areas_file_s_names_in_any_case_and_spacing(tmp_path):
    """The areas file's names have inner runs of spaces read as one; a register written with the
    doubled space it used to match must still match."""
    from twin.geography import load_geography

    areas = tmp_path / "areas.csv"
    areas.write_text("force_area,nation,region,population_thousands,county_lines_exporter\n"
                     "Riverside  City,England,R,700,1\nMoor End,England,R,480,0\n")
    geo = load_geography(areas)
    path = tmp_path / "reg.csv"
    path.write_text(HEADER + "A1,Riverside  City,family,local,fraud,5,none,,1\nA2,moor   END,family,local,fraud,5,none,,0\n")
    assert list(load_register(str(path), geo).area) == [0, 1]


def test_a_register_from_a_pandas_frame_reads_its_empty_cells_as_empty(register, tmp_path):
    """`frame.to_dict("records")` gives NaN for empty optional cells; they were refused as 'nan'."""
    import pandas as pd

    from twin.register import validate_rows

    path = tmp_path / "register.csv"
    write_register_csv(register, GEO, path)
    frame = pd.read_csv(path).head(20)
    frame["capital_gbp"], frame["enablers"] = float("nan"), float("nan")
    loaded = validate_rows(frame.to_dict("records"), GEO, "frame")
    assert len(loaded) == 20 and loaded.ocg_id == list(frame.ocg_id)


def test_parameters_only_the_synthetic_register_reads_change_nothing_with_a_users_register(register, tmp_path,
                                                                                          capsys):
    """Each parameter `SYNTHETIC_REGISTER_ONLY` lists leaves a run from a user's register unchanged
    to the last bit (so the warning that it is unused is true), and a scenario setting one is warned."""
    from twin.model import TwinModel
    from twin.parameter_table import PARAMETER_TABLE
    from twin.register import SYNTHETIC_REGISTER_ONLY
    from twin.preflight import scenario_warnings
    from twin.scenario import load_scenario

    path = tmp_path / "own.csv"  # one area's groups: a small run, every rule in play
    write_register_csv(_one_area_known_only(register, int(np.bincount(register.area).argmax())), GEO, path)
    given = load_register(str(path), GEO)

    def run(overrides):
        model = TwinModel(params=Parameters(overrides), seed=3, n_steps=6, register=given)
        model.run()
        return model.results.values

    reference = run({})
    table = {row.name: row for row in PARAMETER_TABLE}
    for name in SYNTHETIC_REGISTER_ONLY:
        row = table[name]
        other = row.high if row.high != row.value else row.low
        assert np.array_equal(run({name: other}), reference, equal_nan=True), name
    # a parameter the model reads does change the run
    assert not np.array_equal(run({"recruitment_fill_rate_per_month": 0.2}), reference, equal_nan=True)
    scenario = tmp_path / "own.toml"
    scenario.write_text('[scenario]\nname = "own"\nregister = "own.csv"\n[parameters]\ncounty_lines_initial = 1200\n'
                        'recruitment_fill_rate_per_month = 0.2\n')
    said = [w for w in scenario_warnings(load_scenario(scenario)) if "synthetic register" in w]
    assert said == [f"{scenario}: [parameters] county_lines_initial: this only shapes the synthetic register, which "
                    f"the given register replaces, so it has no effect on this run (`complete_register = true` "
                    f"would use it for the areas the register leaves out)"]
    from twin.cli import main  # the command says it for the register it runs from, options included

    for options, said in (([], True), (["--complete-register"], False)):
        assert main(["run", str(scenario), "--years", "0.25", "--spin-up-years", "0", "--quiet",
                     "--out", str(tmp_path / "run")] + options) == 0
        assert ("only shapes the synthetic register" in capsys.readouterr().err) is said
    completing = scenario.read_text().replace('register = "own.csv"\n', 'register = "own.csv"\ncomplete_register = true\n')
    scenario.write_text(completing)
    assert not [w for w in scenario_warnings(load_scenario(scenario)) if "synthetic register" in w]


def test_a_register_of_more_than_all_the_groups_or_none_known_is_warned_of(register):
    """A register holding twice the groups there are (joined exports listing them again under other
    ids) or sizes in another unit ran silently to four times the homicides; one marking no group
    known (an inverted flag) was told to complete itself with synthetic groups."""
    from twin.register import _concat
    from twin.register_checks import REGISTER_EXCESS, coverage_warning

    assert coverage_warning(register.area, register.known, GEO, PARAMS, register.size) is None  # the UK's own
    twice = _concat(_concat(register, register), register)
    warning = coverage_warning(twice.area, twice.known, GEO, PARAMS, twice.size)
    assert warning.startswith(f"the register has {3 * len(register):,} groups ({3 * int(register.known.sum()):,} known")
    assert f"more than {REGISTER_EXCESS:g} times that" in warning and "listed more than once" in warning
    # the same groups with ten times the members: the members, not the groups, are too many
    warning = coverage_warning(register.area, register.known, GEO, PARAMS, register.size * 10)
    assert warning is not None and "sizes in another unit" in warning
    none_known = coverage_warning(register.area, np.zeros(len(register), dtype=bool), GEO, PARAMS, register.size)
    assert "marks none of its" in none_known and "inverted" in none_known and "--complete-register" not in none_known


def test_a_completed_register_of_more_than_all_the_groups_is_warned_of(register):
    """Completing a register fills the areas it leaves out: its own areas' groups listed three times
    over (joined exports) made a UK of more groups than there are, with no warning said."""
    from twin.register import _concat, _rows, complete_register
    from twin.preflight import _register_warnings

    own = _rows(register, register.area == GEO.area_names.index("Metropolitan Police"))
    synthetic = synthetic_register(GEO, PARAMS, RandomStreams(12)["register"])
    completed, completion = complete_register(own, synthetic)
    assert not [w for w in _register_warnings(completed, completion, GEO, PARAMS) if "times that" in w]
    many = own
    for _ in range(5):
        many = _concat(many, many)  # 32 times the Met's groups: about four times the UK's known groups
    completed, completion = complete_register(many, synthetic)
    said = [w for w in _register_warnings(completed, completion, GEO, PARAMS) if "times that" in w]
    assert len(said) == 1 and said[0].startswith(f"the register completed with synthetic groups has {len(completed):,}")


def test_register_values_in_their_common_forms_are_read_and_regions_are_named_as_regions(tmp_path):
    path = tmp_path / "forms.csv"
    path.write_text(HEADER + "A1,Avon & Somerset,family,local,fraud,5,none,none,Y\n"
                    "A2,Kent,family,local,fraud,5,some,professional,n\nA3,Kent,family,local,fraud,5,none,,t\n"
                    "A4,Kent,family,local,fraud,5,none,,F\n")
    loaded = load_register(str(path), GEO)
    assert [GEO.area_names[a] for a in loaded.area] == ["Avon and Somerset", "Kent", "Kent", "Kent"]
    assert list(loaded.known) == [True, False, True, False] and not loaded.enablers[0].any()
    path.write_text(HEADER + "A1,London,family,local,fraud,5,none,,1\n")
    with pytest.raises(RegisterError, match=r"'London' is not an area of the geography; 'London' is a region of 2 "
                                            r"areas \(Metropolitan Police, City of London\): give the group's own"):
        load_register(str(path), GEO)


def test_a_header_under_another_name_or_below_a_title_is_pointed_to(tmp_path):
    path = tmp_path / "renamed.csv"
    path.write_text(HEADER.replace("ocg_id", "id") + "A1,Kent,family,local,fraud,5,none,,1\n")
    with pytest.raises(RegisterError, match="missing column\\(s\\) ocg_id; rename column 'id' to 'ocg_id'; expected"):
        load_register(str(path), GEO)
    path.write_text("OFFICIAL-SENSITIVE\n" + HEADER + "A1,Kent,family,local,fraud,5,none,,1\n")
    with pytest.raises(RegisterError, match="the first row is read as the header: if the header is further down"):
        load_register(str(path), GEO)


def test_a_register_s_capital_in_another_unit_is_warned_of(register):
    """Capital in pence (each row under the per-row limit) ran silently with recovered assets doubled."""
    from twin.register_checks import capital_warning

    steady = np.full(len(register), 1.7e6)  # about £9.5bn in all: the model's own starting capital
    assert capital_warning(steady) is None and capital_warning(np.full(len(register), np.nan)) is None
    warning = capital_warning(steady * 100)
    assert warning.startswith(f"the register's capital_gbp adds up to £{steady.sum() * 100 / 1e9:,.0f}bn")
    assert "most likely in pence" in warning
    # where the national quantities are scaled up (a larger geography), so is the yardstick
    assert capital_warning(steady * 8, scale=10.0) is None and capital_warning(steady * 8) is not None


@pytest.mark.parametrize("changed", [{}, {
    "drugs_portfolio_heroin_crack_share": 0.8, "drugs_portfolio_cocaine_share": 0.5,
    "drugs_portfolio_firearms_share": 0.4, "drugs_portfolio_immigration_share": 0.0,
    "economic_portfolio_acquisitive_share": 0.1,  # and two shares equal by default made unequal, so a swap shows
    "economic_portfolio_modern_slavery_share": 0.3, "economic_portfolio_immigration_share": 0.1,
    "drugs_only_portfolio_heroin_crack_share": 0.3}])
def test_the_markets_within_each_portfolio_follow_their_parameters(changed):
    """The markets a synthetic group runs within its portfolio were constants of the code: each share is
    drawn as its parameter says, within 4 standard errors (about 5,600 groups a register)."""
    from twin.vocabulary import ACQUISITIVE, FIREARMS, IMMIGRATION, MODERN_SLAVERY

    params = Parameters(changed)
    drawn = synthetic_register(GEO, params, RandomStreams(12)["register"])
    m = drawn.markets
    drugs = (m[:, HEROIN_CRACK] | m[:, COCAINE]) & m[:, MONEY_LAUNDERING]
    economic, only = m[:, FRAUD], (m[:, HEROIN_CRACK] | m[:, COCAINE]) & ~m[:, MONEY_LAUNDERING]
    assert not (drugs & economic).any() and drugs.sum() > 2_000 and economic.sum() > 1_000 and only.sum() > 100
    checks = [(drugs, HEROIN_CRACK, "drugs_portfolio_heroin_crack_share"),
              (drugs & m[:, HEROIN_CRACK], COCAINE, "drugs_portfolio_cocaine_share"),  # the rest always supply it
              (drugs, FIREARMS, "drugs_portfolio_firearms_share"),
              (drugs, ACQUISITIVE, "drugs_portfolio_acquisitive_share"),
              (drugs, MODERN_SLAVERY, "drugs_portfolio_modern_slavery_share"),
              (drugs, IMMIGRATION, "drugs_portfolio_immigration_share"),
              (economic, MODERN_SLAVERY, "economic_portfolio_modern_slavery_share"),
              (economic, IMMIGRATION, "economic_portfolio_immigration_share"),
              (economic, ACQUISITIVE, "economic_portfolio_acquisitive_share"),
              (only, HEROIN_CRACK, "drugs_only_portfolio_heroin_crack_share")]
    for rows, market, name in checks:
        assert _within(m[rows, market].mean(), params[name], rows.sum()), (name, m[rows, market].mean())
    assert m[drugs & ~m[:, HEROIN_CRACK], COCAINE].all() and (m[only, HEROIN_CRACK] ^ m[only, COCAINE]).all()


def test_the_portfolio_shares_are_among_the_parameters_a_users_register_leaves_unused():
    from twin.parameter_table import PARAMETER_TABLE
    from twin.register import SYNTHETIC_REGISTER_ONLY

    shares = [p.name for p in PARAMETER_TABLE if p.name.endswith("_share") and "_portfolio_" in p.name]
    assert len(shares) == 10 and set(shares) <= set(SYNTHETIC_REGISTER_ONLY)
    assert len(SYNTHETIC_REGISTER_ONLY) == len(set(SYNTHETIC_REGISTER_ONLY))  # each named once in the warning
