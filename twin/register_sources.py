"""Reading a user's OCG register: a CSV file (as a spreadsheet saves it) or a table in any
SQLAlchemy database, with its columns checked; `register.validate_rows` checks the rows. And
writing one (`twin register --out`) as CSV."""

from __future__ import annotations

import csv
import functools
import hashlib
import json
import re
import sys
import warnings
from pathlib import Path

from twin.csv_input import other_separator, read_records
from twin.errors import RegisterError, UserError, closest, did_you_mean, first_line, safe_url

REQUIRED_COLUMNS = ("ocg_id", "area", "type", "reach", "markets", "size", "violence", "enablers", "known")
OPTIONAL_COLUMNS = ("capital_gbp", "county_lines")


def read_csv(path: Path) -> tuple[list[dict[str, str]], list[int]]:
    """The rows that hold anything (a spreadsheet's empty rows, ',,,,', are left out) and their
    row numbers, which are the file's line numbers (the header is row 1); column names are read as
    lower case without spaces (`csv_input.read_records`)."""
    label = f"register '{path}'"

    def check_header(columns: list[str]) -> None:
        if not columns:
            raise RegisterError(f"{label}: the file is empty; expected a header row ({', '.join(REQUIRED_COLUMNS)}) "
                                f"and one row per OCG (`twin register --out FILE.csv` writes a template)")
        _check_columns(columns, label)

    hint = (f"; a register in a database is read from its table: `twin run SCENARIO --register "
            f"sqlite:///{path.resolve().as_posix()} --register-table TABLE`")
    columns, records = read_records(path, label, RegisterError, word="row", check_header=check_header,
                                    database_hint=hint)
    return [dict(zip(columns, values)) for _, values in records], [number for number, _ in records]


#: most members a register may hold in all (register.py's checks), so most rows it may have: one
#: group of at least one member a row
MAX_REGISTER_MEMBERS = 2_000_000


_SAID: set[str] = set()


def read_sql(url: str, table: str) -> tuple[list[dict[str, str]], list[int]]:
    """The table's rows as text, numbered from 1 in the order the database returns them."""
    import sqlalchemy as sa

    label = f"register table '{table}' at {safe_url(url)}"
    try:
        database = sa.engine.make_url(url)
        if (database.get_backend_name() == "sqlite" and database.database not in (None, "", ":memory:")
                and not database.database.startswith("file:") and not Path(database.database).is_file()):
            # SQLite would create an empty file and then report no such table
            what = "is a folder, not a database file" if Path(database.database).is_dir() else "no such database file"
            absolute = Path("/" + database.database)
            slashes = (f"; for the file {absolute} write sqlite:///{absolute} (four slashes: three, then the path's "
                       f"own)" if not Path(database.database).is_absolute() and absolute.is_file() else "")
            raise RegisterError(f"register URL '{safe_url(url)}': {what} ({database.database}){slashes}")
        with warnings.catch_warnings(record=True) as said:
            warnings.simplefilter("always", sa.exc.SAWarning)  # SQLAlchemy's remarks on the URL: a line each
            engine = sa.create_engine(url)
        with engine.connect() as connection:
            source = _reflected(sa, connection, table)
            # counted first, no further than can be: a view can make rows without end
            counted = sa.select(sa.literal(1)).select_from(source).limit(MAX_REGISTER_MEMBERS + 1).subquery()
            if connection.execute(sa.select(sa.func.count()).select_from(counted)).scalar() > MAX_REGISTER_MEMBERS:
                raise RegisterError(f"{label}: more than {MAX_REGISTER_MEMBERS:,} rows; a register has one row per "
                                    f"group of at least one member, and at most {MAX_REGISTER_MEMBERS:,} members "
                                    f"in all (the UK picture is about 100,000)")
            # each value as the database holds it, checked as a CSV file's text is: SQLAlchemy's converters for
            # the declared types (a table typed, then filled from a CSV by `sqlite3 .import`) read 'FALSE' in a
            # BOOLEAN column as true and fail on '' in a NUMERIC or DATE one
            # (an array keeps its type: SQLAlchemy parses PostgreSQL's arrays of an enum, which the driver does not)
            result = connection.execute(sa.select(*(c if isinstance(c.type, sa.ARRAY) else
                                                    sa.type_coerce(c, sa.types.NullType()).label(c.name)
                                                    for c in source.columns)))
            columns = [str(c).strip().lower() for c in result.keys()]
            rows = [dict(zip(columns, r)) for r in result]
        for remark in (str(w.message).splitlines()[0] for w in said if issubclass(w.category, sa.exc.SAWarning)):
            line = f"Warning: register URL '{safe_url(url)}': {remark}"
            if line not in _SAID:  # once a command (the register is read for its checks, then for the run)
                _SAID.add(line)
                print(line, file=sys.stderr)
    except sa.exc.NoSuchTableError:
        raise RegisterError(f"{label}: no such table{_tables_there(sa, engine, table)}") from None
    except (sa.exc.ArgumentError, sa.exc.NoSuchModuleError) as exc:
        raise RegisterError(f"register URL '{safe_url(url)}': not a valid SQLAlchemy URL ({exc})") from None
    except ImportError as exc:
        hint = 'pip install -e ".[postgres]"' if "psycopg" in str(exc.name or exc) else "install it with pip"
        raise RegisterError(f"register URL '{safe_url(url)}': its database driver is not installed "
                            f"({exc.name or exc}); {hint}") from None
    except sa.exc.SQLAlchemyError as exc:
        raise RegisterError(f"{label}: cannot be read ({exc.__class__.__name__}: {first_line(exc)})") from None
    except (ValueError, TypeError) as exc:  # a driver's own conversion of a value
        raise RegisterError(f"{label}: a value cannot be read ({exc.__class__.__name__}: {first_line(exc)})") from None
    _check_columns(columns, label)
    return [{k: _text(v) for k, v in row.items()} for row in rows], list(range(1, len(rows) + 1))


def _text(value) -> str:
    """A database value as a CSV file's cell would hold it: an array (PostgreSQL's `text[]` of
    markets, say) as its items separated by ';'."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return ";".join(_text(item) for item in value)
    return str(value)


def _reflected(sa, connection, table: str):
    """The table (or view) named, as given or, failing that, `schema.table` in that schema (a
    PostgreSQL table outside the default schema)."""
    try:
        return sa.Table(table, sa.MetaData(), autoload_with=connection)
    except sa.exc.NoSuchTableError:
        schema, dot, name = table.partition(".")
        if not dot or not name:
            raise
        try:
            return sa.Table(name, sa.MetaData(), schema=schema, autoload_with=connection)
        except sa.exc.OperationalError as exc:  # SQLite: a schema (attached database) it does not have
            if "unknown database" not in str(exc):
                raise
            raise sa.exc.NoSuchTableError(table) from None


def _tables_there(sa, engine, table: str) -> str:
    """The tables (and views) there are, as a typo's cure: those of the schema `table` names
    (`schema.t`), as `schema.name`, when there is such a schema; else the default schema's."""
    try:
        inspector = sa.inspect(engine)
        schema, dot, _ = table.partition(".")
        schemas = inspector.get_schema_names() if dot else []
        if schema not in schemas:
            schema = None
        tables = [f"{schema}.{t}" if schema else t
                  for t in inspector.get_table_names(schema=schema) + inspector.get_view_names(schema=schema)]
    except sa.exc.SQLAlchemyError:
        return ""
    where = f"schema '{schema}'" if schema else "database"
    no_schema = (f"; there is no schema '{table.partition('.')[0]}' (the schemas: {', '.join(schemas)})"
                 if dot and schemas and schema is None else "")
    return no_schema + (f"; {'the default schema' + chr(39) + 's tables' if no_schema else 'the tables there'}: "
                        f"{', '.join(tables[:10])}{' ...' if len(tables) > 10 else ''}"
                        f"{did_you_mean(table, tables)}" if tables else f"; the {where} has no tables")


def _short_for(column: str, optional: list[str]) -> str | None:
    """The optional column `column` shortens or spells otherwise ('capital' or 'Capital (GBP)' for
    capital_gbp, 'countyline' for county_lines): read as a note and ignored, its figures would be lost.
    Seven letters at least: a 'county' column (a place) is a note."""
    stem = lambda name: re.sub(r"[^a-z0-9]", "", name.lower())  # noqa: E731
    mine = stem(column)
    return next((name for name in optional if len(mine) >= 7 and stem(name).startswith(mine)), None)


def _check_columns(columns: list[str], label: str) -> None:
    """`label` names the source: "register 'my.csv'" or "register table 't' at URL"."""
    expected = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
    twice = sorted({c for c in columns if c in expected and columns.count(c) > 1})
    if twice:  # a reader would keep one of them silently
        raise RegisterError(f"{label}: column{'s' if len(twice) > 1 else ''} {', '.join(twice)} "
                            f"appear{'' if len(twice) > 1 else 's'} more than once in the header")
    missing_required = [c for c in REQUIRED_COLUMNS if c not in columns]
    missing_optional = [c for c in OPTIONAL_COLUMNS if c not in columns]
    for column in (c for c in columns if c not in expected):
        # A misspelt column would be reported as missing the wrong way round (required) or silently
        # ignored (optional). Other extra columns (notes, a county) are allowed and ignored, so only
        # a near miss of an optional column counts as a misspelling.
        match = (closest(column, missing_required) or closest(column, missing_optional, cutoff=0.85)
                 or _short_for(column, missing_optional))
        if match:
            raise RegisterError(f"{label}: column {column!r} is not a register column; "
                                f"did you mean '{match}'?")
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing and other_separator(columns):
        raise RegisterError(f"{label}: {other_separator(columns)}")
    if missing:
        meant = closest(missing[0], [c for c in columns if c not in REQUIRED_COLUMNS])
        hints = f"; rename column '{meant}' to '{missing[0]}'" if meant else ""
        if len(missing) == len(REQUIRED_COLUMNS):  # no register column at all: the header may be lower down
            hints += ("; the first row is read as the header: if the header is further down (a title or a "
                      "protective marking above it), remove the lines above it")
        raise RegisterError(
            f"{label}: missing column(s) {', '.join(missing)}{hints}; "
            f"expected columns {', '.join(REQUIRED_COLUMNS)} (optional: {', '.join(OPTIONAL_COLUMNS)})"
        )


def check_register_out(path: Path) -> None:
    """`twin register --out`: a .csv file, new or a register already (its header), never another
    file written over (a scenario, an experiment or a user's own register given by mistake)."""
    if path.is_dir():
        raise UserError(f"--out '{path}': is a folder; give the CSV file to write")
    if path.suffix.lower() != ".csv":
        raise UserError(f"--out '{path}': expected a file name ending in .csv (the register is written as CSV)")
    if path.is_file():
        with open(path, encoding="utf-8-sig", errors="replace") as handle:
            header = handle.readline().strip()
        if header != ",".join(REQUIRED_COLUMNS + OPTIONAL_COLUMNS):
            raise UserError(f"--out '{path}': the file exists and is not a register `twin register` wrote; give a new "
                            f"file name, or move it first")


def write_register_csv(register, geography, path: Path, replace: bool = True) -> None:
    """Write the register as CSV to `path`; with `replace` False, a file there already is written over
    only when it holds the same register (the same command run again), never one edited since."""
    import io

    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=list(REQUIRED_COLUMNS) + list(OPTIONAL_COLUMNS))
    writer.writeheader()
    writer.writerows(register.to_rows(geography))
    text = buffer.getvalue()
    if not replace and path.is_file() and path.read_bytes() != text.encode("utf-8"):
        raise UserError(f"--out '{path}': the file exists and holds another register (one edited since `twin "
                        f"register` wrote it, or drawn with another seed or scenario); give a new file name, move "
                        f"it first, or give --replace to write over it")
    with open(path, "w", newline="", encoding="utf-8") as handle:
        handle.write(text)


@functools.cache
def table_digest(url: str, table: str) -> str:
    """What a register's table holds, as a digest (a scenario's identity: a table edited between
    two commands is another scenario); read once per command or experiment: `cli.main`,
    `ensemble.prepare` and `sweep.load_experiment` clear the cache first (`table_digest.cache_clear`),
    so a table edited between two comparisons in one Python session is read again."""
    rows, numbers = read_sql(url, table)
    return hashlib.sha256(json.dumps([rows, numbers], sort_keys=True, default=str).encode()).hexdigest()
