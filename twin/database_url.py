"""Where a database URL points: the file of a SQLite URL, how a URL of three slashes is read (from
the working folder), and a read-only folder's database opened to reading only. Used by the results
database (`store.py`) and by the commands that read one before opening it."""

from __future__ import annotations

import contextlib
import os
import re
from pathlib import Path

import sqlalchemy as sa


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL (None for another database, or one in memory), also when given as a
    URI filename (`sqlite:///file:PATH?mode=ro&uri=true`)."""
    if not url.startswith("sqlite:///") or url.startswith("sqlite:///:memory:"):
        return None
    try:  # as SQLAlchemy reads it: percent-escapes decoded ('%20' is a space), the query (options) apart
        path = sa.engine.make_url(url).database or ""
    except sa.exc.ArgumentError:  # not a URL SQLAlchemy can read: said when the engine is made
        path = url[len("sqlite:///"):].split("?")[0]
    return Path(path.removeprefix("file:"))


def in_memory(url: str) -> bool:
    """A SQLite database held in memory (`sqlite://`, `sqlite:///:memory:`, a URI of `mode=memory`):
    gone when the command ends."""
    if not url.startswith("sqlite"):
        return False
    try:
        parsed = sa.engine.make_url(url)
    except sa.exc.ArgumentError:
        return False
    return parsed.database in (None, "", ":memory:") or parsed.query.get("mode") == "memory"


def in_memory_note(url: str) -> str | None:
    """What a command storing in a database in memory should know, or None for another database."""
    from twin.errors import safe_url

    if not in_memory(url):
        return None
    return (f"twin: note: --db {safe_url(url)} is a database in memory: nothing stored in it outlives this command "
            f"(an interrupted one cannot resume; `twin analyse` and `twin export` cannot read it)")


def absolute_meant(url: str) -> str:
    """For a SQLite URL of three slashes whose first folder is missing under the working folder but
    exists from the root (`sqlite:///tmp/x.db`: the file `tmp/x.db` here, not `/tmp/x.db`), how each is
    written, to follow "the file ...". Otherwise ""."""
    path = sqlite_path(url)
    if (path is None or path.is_absolute() or len(path.parts) < 2 or Path(path.parts[0]).exists()
            or not (Path("/") / path.parts[0]).is_dir()):
        return ""
    return (f"{path} under the working folder (three slashes after 'sqlite:' begin a path from it; the file "
            f"/{path.as_posix()} is sqlite:////{path.as_posix()})")


def refuse_folder(url: str, path: Path) -> None:
    """A SQLite URL naming a folder is refused, said as such (SQLite's "unable to open database file" is not)."""
    from twin.errors import UserError, safe_url

    if path.is_dir():
        raise UserError(f"--db '{safe_url(url)}': {path} is a folder; expected a database file, such as "
                        f"sqlite:///{(path / 'twin.db').as_posix()}")


def new_database_note(url: str, default: str) -> str:
    """What to say before a command makes its SQLite database (nothing for one that exists, or a
    server's): a relative path that may have meant one from the root (`absolute_meant`); a folder not
    there (mistyped, perhaps: not for the `default` URL); and where a new file from a relative path
    is (a command run from another folder makes a new database there, and reuses none of the runs
    stored in the first). Else ""."""
    from twin.errors import safe_url

    path = sqlite_path(url)
    if path is None:
        return ""
    if meant := absolute_meant(url):
        return f"twin: note: --db {safe_url(url)} is the file {meant}"
    if path.exists():
        return ""
    if url != default and not path.parent.exists():
        relative = ("" if path.is_absolute() else f" ({Path(os.path.abspath(path.parent))}: sqlite:/// with three "
                    f"slashes is a path from the folder this command runs in, with four one from the root)")
        return (f"twin: note: --db {safe_url(url)}: its folder {path.parent}{relative} did not exist; a new database "
                f"is made there (runs stored in another are not reused)")
    if not path.is_absolute():
        return (f"twin: note: a new database, {Path(os.path.abspath(path))} (sqlite:///{path.as_posix()} is a path "
                f"from the folder this command runs in; runs stored in a database elsewhere are not reused)")
    return ""


def read_only_folder_url(url: str) -> str | None:
    """For a SQLite file that exists in a folder nothing can be written to (a read-only mount, a
    shared folder without permission): the same file opened to reading only, as unchanging
    (SQLite's `mode=ro&immutable=1`), since the write-ahead log's shared-memory file cannot be made
    beside it and SQLite would not open it at all; or, when a write-ahead log is beside it, a copy of
    both (`_private_copy`). None for anything else."""
    path = sqlite_path(url)
    if path is None or not path.is_file() or os.access(path.parent, os.W_OK):
        return None
    shared = path.with_name(path.name + "-shm")
    if shared.is_file() and os.access(shared, os.W_OK):  # SQLite can work with the one there
        return None
    log = path.with_name(path.name + "-wal")
    if log.is_file() and log.stat().st_size > 0:  # runs stored there and not yet in the file (a command killed)
        return _private_copy(path, log)
    from urllib.parse import quote

    given = sa.engine.make_url(url)  # the path percent-encoded: SQLite reads '#', '?' and '%' in a URI itself
    return given.set(database=f"file:{quote(str(path.resolve()))}").update_query_dict(
        {"mode": "ro", "immutable": "1", "uri": "true"}).render_as_string(hide_password=False)


def _private_copy(path: Path, log: Path) -> str:
    """A copy of a SQLite database and its write-ahead log in a temporary folder, removed when the
    command ends, as a URL: an unchanging open (`immutable=1`) reads the file alone, and a command
    stopped before the log was folded into the file left runs there that it would not see (a
    database with all its runs in the log read as holding no experiment at all)."""
    import atexit
    import shutil
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="twin-read-only-"))
    atexit.register(shutil.rmtree, folder, True)
    shutil.copyfile(path, folder / path.name)
    shutil.copyfile(log, folder / log.name)
    return f"sqlite:///{folder / path.name}"


#: the options of a SQLite URI filename (https://www.sqlite.org/uri.html), which the driver reads only with uri=true
SQLITE_URI_OPTIONS = {"mode", "immutable", "cache", "vfs", "nolock", "psow", "modeof"}


def check_url(url: str) -> None:
    """A --db that SQLAlchemy cannot read as a URL (a bare file path, most often), refused before a
    command computes anything (a sweep's design check can take a while), as `Store` refuses it; and
    a SQLite URI filename's options without uri=true, which the driver ignores."""
    from twin.errors import UserError, safe_url

    try:
        parsed = sa.engine.make_url(url)
    except sa.exc.ArgumentError as exc:
        raise UserError(unusable_url(url, exc)) from None
    if url.startswith("sqlite") and parsed.query.get("uri") == "true" and set(parsed.query) & SQLITE_URI_OPTIONS \
            and not (parsed.database or "file:").startswith("file:"):  # (the options would end the file's name)
        raise UserError(f"--db '{safe_url(url)}': with uri=true and SQLite options the file is written as a URI "
                        f"filename, file:PATH (sqlite:///file:{parsed.database}?{url.split('?', 1)[1]})")
    if url.startswith("sqlite") and parsed.query.get("uri") != "true":  # SQLite's URI forms need uri=true
        options = sorted(set(parsed.query) & SQLITE_URI_OPTIONS)
        add = "add &uri=true" if parsed.query else "add ?uri=true"
        if options:
            many = len(options) > 1
            raise UserError(f"--db '{safe_url(url)}': the SQLite option{'s' if many else ''} {', '.join(options)} "
                            f"{'are' if many else 'is'} read only with uri=true in the URL too (without it the "
                            f"driver ignores {'them' if many else 'it'}): {add}")
        if (parsed.database or "").startswith("file:"):
            raise UserError(f"--db '{safe_url(url)}': a file: path is read as a SQLite URI filename only with "
                            f"uri=true in the URL too (without it, it names a file called 'file:...'): {add}")


def unusable_url(url: str, exc: Exception) -> str:
    from twin.errors import safe_url

    path_like = url and (":" not in url or re.match(r"^[A-Za-z]:[\\/]", url))  # C:\ too
    hint = f"; a file is given as sqlite:///{url}" if path_like else ""
    kind = url.split("://", 1)[0] if "://" in url else ""
    if kind.split("+")[0] == "postgres":  # as Heroku and libpq write it
        hint = f"; a PostgreSQL URL begins postgresql:// ({safe_url('postgresql' + url[len('postgres'):])})"
    elif kind and isinstance(exc, sa.exc.NoSuchModuleError):
        hint = f"; '{kind}' is no database kind SQLAlchemy knows: expected sqlite:///FILE or postgresql://HOST/DB"
    return f"--db '{safe_url(url)}': not a usable SQLAlchemy URL ({exc}){hint}"


def with_lock_timeout(url: str, seconds: float) -> str:
    """The `options` of a PostgreSQL connection with a lock timeout: a lock waits `seconds` as on
    SQLite, not for ever. Given as a connection argument, they replace the URL's own and libpq's
    PGOPTIONS (a schema's search_path, say), so both are kept, after the timeout, which either may set
    again (the last setting of a name wins)."""
    given = sa.engine.make_url(url).query.get("options", "")
    given = " ".join(given) if isinstance(given, tuple) else given
    return " ".join(part for part in (f"-c lock_timeout={seconds * 1000:.0f}", os.environ.get("PGOPTIONS", ""),
                                      given) if part)


def without_password(url: str) -> str:
    """A database URL fit to print in a command to paste: its password left out, not masked ('***'
    pasted back was taken as the password)."""
    try:
        parsed = sa.engine.make_url(url)
    except sa.exc.ArgumentError:
        return url
    return url if parsed.password is None else parsed._replace(password=None).render_as_string(hide_password=False)


def require_database(url: str) -> None:
    """Commands that read results refuse a SQLite file that does not exist (rather than create it)."""
    from twin.errors import UserError, safe_url

    path = sqlite_path(url)
    if path is not None and not path.exists():
        meant = absolute_meant(url) if (Path("/") / path).exists() else ""  # a file there, meant
        looked = "" if path.is_absolute() else f"{path.absolute()}, under the folder this command runs in; "
        raise UserError(f"--db {safe_url(url)}: no such database file " + (meant or (
            f"({looked}run `twin compare` or `twin sweep` first, or give --db)")))


@contextlib.contextmanager
def made_for_nothing_removed(url: str):
    """A SQLite file this command makes is removed again when the command fails (a user mistake
    found after the database was opened: a scenario name given twice, a bad --baseline, a cluster
    not reached) before storing any experiment: an empty database left behind made a later `twin
    export` say 'no experiments yet' where it would have said there was no such file."""
    path = sqlite_path(url)
    new = path is not None and not path.exists()
    made = []  # the folders it makes for the file, deepest first
    folder = path.absolute().parent if new else None
    while folder is not None and not folder.exists() and folder != folder.parent:
        made.append(folder)
        folder = folder.parent
    try:
        yield
    except BaseException:
        if new and path.is_file():
            with _unheld(path) as unheld:  # no other command has it open (one started meanwhile may use it)
                if unheld and _holds_no_experiment(path):
                    for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
                        leftover.unlink(missing_ok=True)
            for folder in made:
                with contextlib.suppress(OSError):  # (not empty: left)
                    folder.rmdir()
        raise


#: this process's shared locks on SQLite files, by file: (token, descriptor) of each `Store` holding one
_HELD: dict[Path, list[tuple[object, int]]] = {}


def hold_sqlite_file(path: Path, owner) -> None:
    """A shared lock on a SQLite file for as long as `owner` (a `Store`) lives: `flock`, which SQLite's
    own locks do not see, taken before SQLite opens the file (made empty if new). Another command
    that made the file, and fails before storing anything, removes it only if no command holds it
    (`made_for_nothing_removed`). Where there are no such locks (Windows), or the file cannot be opened,
    nothing is held."""
    import weakref

    for _ in range(3):
        try:
            import fcntl

            descriptor = os.open(path, os.O_RDONLY | os.O_CREAT, 0o644)
        except (ImportError, OSError):
            return
        fcntl.flock(descriptor, fcntl.LOCK_SH)  # waits while a failed command removes the file (moments)
        try:
            if os.fstat(descriptor).st_ino == os.stat(path).st_ino:
                break  # (else the file this lock is on was removed meanwhile: lock the one there now)
        except OSError:
            pass
        os.close(descriptor)
    else:
        return
    token = object()
    _HELD.setdefault(path.absolute(), []).append((token, descriptor))
    weakref.finalize(owner, _release, path.absolute(), token)


def _forget_held() -> None:
    """In a forked child (a worker): the parent's locks are the parent's; the child's copies of their
    descriptors are closed, so that a command failing later is not held up by its own workers."""
    for held in _HELD.values():
        for _, descriptor in held:
            with contextlib.suppress(OSError):
                os.close(descriptor)
    _HELD.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_held)


def _release(key: Path, token: object) -> None:
    for held in list(_HELD.get(key, [])):
        if held[0] is token:
            _HELD[key].remove(held)
            os.close(held[1])


@contextlib.contextmanager
def _unheld(path: Path):
    """Whether no command holds `path` (`hold_sqlite_file`), this one's locks released first (it is
    failing); while True, none can start holding it. True where there are no such locks."""
    for token, _ in list(_HELD.get(path.absolute(), [])):
        _release(path.absolute(), token)
    try:
        import fcntl

        descriptor = os.open(path, os.O_RDONLY)
    except (ImportError, OSError):
        yield True
        return
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:  # held by another command
            yield False
            return
        yield True
    finally:
        os.close(descriptor)


def _holds_no_experiment(path: Path) -> bool:
    import sqlite3

    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1)) as connection:
            tables = {row[0] for row in connection.execute("select name from sqlite_master where type = 'table'")}
            return ("experiments" not in tables
                    or connection.execute("select count(*) from experiments").fetchone()[0] == 0)
    except sqlite3.Error:
        return False  # not ours to judge: left alone


#: PostgreSQL's refusals of a write: a role without the privilege; a read-only transaction (a role or
#: database set to `default_transaction_read_only`, or a standby server)
REFUSED_WRITE_STATES = ("42501", "25006")


def read_only_options(url: str) -> bool:
    """Whether a SQLite URL's options open it to reading only (mode=ro, immutable=1)."""
    try:
        query = sa.engine.make_url(url).query
    except sa.exc.ArgumentError:  # (said when the engine is made)
        return False
    return query.get("mode") == "ro" or query.get("immutable") == "1"


def refused_write(exc: Exception) -> bool:
    """Whether a database error is a write refused to a database only to be read: SQLite's read-only
    file, or PostgreSQL's `REFUSED_WRITE_STATES`."""
    return "readonly" in str(exc) or getattr(getattr(exc, "orig", None), "sqlstate", None) in REFUSED_WRITE_STATES
