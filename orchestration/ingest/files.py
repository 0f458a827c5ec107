"""Find and read the files of one landing source.

A landing file is a :class:`LandingFile`: its name in the landing location, size,
time and a way to open its bytes, whether it is in a local folder
(:func:`local_files`) or in a lake read through Spark
(:mod:`orchestration.ingest.lake`). The opening checks (empty file, encoding) and the
change detection (sha256) work on those bytes alike.

Files are read with DuckDB's own CSV and Parquet readers, every value as text, so
that a malformed value becomes a quarantined row with a reason instead of a failed
read. File-level problems (no such file, empty file, an encoding that is not
UTF-8 or GB18030, a missing required column) raise :class:`LandingFileError`
naming the file and the column.
"""

from __future__ import annotations

import codecs
import functools
import hashlib
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import BinaryIO

import duckdb

from contracts.landing import Source
from orchestration.warehouse import quote_ident, quote_literal

SUFFIXES = (".csv", ".parquet")
#: encodings tried in order when a source has no explicit setting; GB18030 is a
#: superset of GBK and GB2312, the usual encodings of Chinese source systems.
AUTO_ENCODINGS = ("utf-8", "gb18030")


class LandingFileError(ValueError):
    """A landing file that cannot be loaded at all (the whole source fails)."""


@dataclass(frozen=True)
class LandingFile:
    """One file of a landing location, as found (before it is read)."""

    #: its name in the landing location (``customers/2026-10.csv``): the rows'
    #: ``_source_file`` and the key of the store's record of it
    relative: str
    size: int
    mtime_ns: int
    #: where its readers find it: a local path, or a Hadoop path (``s3a://b/x.csv``)
    location: str
    #: opens its bytes for reading
    opener: Callable[[], BinaryIO] = field(compare=False, repr=False)
    #: ``location`` is a path of this machine (DuckDB's readers can read it)
    is_local: bool = True

    @property
    def suffix(self) -> str:
        return PurePosixPath(self.relative).suffix.lower()

    def open(self) -> BinaryIO:
        return self.opener()

    def sha256(self) -> str:
        digest = hashlib.sha256()
        with self.open() as fh:
            while block := fh.read(1 << 20):
                digest.update(block)
        return digest.hexdigest()

    @property
    def spark_path(self) -> str:
        """The path Spark's readers are given: Hadoop's form, its glob characters
        escaped (Spark reads ``customers [1].csv`` as a pattern otherwise, matching
        ``customers 1.csv`` or nothing)."""
        hadoop = "file:" + str(Path(self.location).resolve()) if self.is_local else self.location
        return _HADOOP_GLOB.sub(r"\\\1", hadoop)


#: characters Hadoop's path globbing (and so Spark's readers) expands; ``\`` escapes
_HADOOP_GLOB = re.compile(r"([\\\[\]{}*?])")


def local_files(landing: Path, source: str) -> list[LandingFile]:
    """The files of ``source`` in the local folder ``landing`` (:func:`find_files`)."""
    found = []
    for path in find_files(landing, source):
        stat = path.stat()
        found.append(
            LandingFile(
                relative=path.relative_to(landing).as_posix(),
                size=stat.st_size,
                mtime_ns=stat.st_mtime_ns,
                location=str(path),
                opener=functools.partial(path.open, "rb"),
            )
        )
    return found


@dataclass
class LandedFile:
    relative: str
    encoding: str = "utf-8"
    extra_columns: list[str] = field(default_factory=list)
    rows: int = 0
    #: the file's sha256, when the encoding check read its bytes
    sha256: str | None = None


#: characters DuckDB's readers expand as a file pattern; a landing file whose path
#: holds one is read through a copy with a plain name (see :func:`_literal_path`).
GLOB_CHARACTERS = frozenset("*?[]{}")


def refuse_links(landing: Path, path: Path) -> None:
    """A symlink, or a path that resolves outside the landing folder, is refused:
    the landing folder is the whole input, and a link could point anywhere."""
    relative = path.relative_to(landing)
    current = landing
    for part in relative.parts:
        current = current / part
        if current.is_symlink():
            raise LandingFileError(
                f"{relative.as_posix()}: symbolic link ({current.relative_to(landing)} -> "
                f"{os.readlink(current)}) refused; put the file itself in the landing folder"
            )
    if not path.resolve().is_relative_to(landing.resolve()):
        raise LandingFileError(
            f"{relative.as_posix()}: resolves outside the landing folder {landing}; refused"
        )


def is_source_file(name: str, source: str) -> bool:
    """A file at the top of the landing location that belongs to ``source``:
    ``customers.csv``, ``customers_2026-10.parquet``; not ``customersx.csv``."""
    return (
        name.startswith(source)
        and PurePosixPath(name).suffix.lower() in SUFFIXES
        and not name[len(source) : len(source) + 1].isalpha()
    )


def is_folder_file(name: str) -> bool:
    """A file under ``<source>/`` that is read: a CSV or Parquet file, not hidden."""
    return PurePosixPath(name).suffix.lower() in SUFFIXES and not name.startswith(".")


def find_files(landing: Path, source: str) -> list[Path]:
    """``<source>*.csv|parquet`` in the folder and any such file under ``<source>/``.

    Symbolic links (to a file or a folder) and paths resolving outside the landing
    folder raise :class:`LandingFileError` naming them.
    """
    if not landing.is_dir():
        return []
    found = [
        p
        for p in landing.iterdir()
        if is_source_file(p.name, source) and (p.is_file() or p.is_symlink())
    ]
    folder = landing / source
    if folder.is_symlink():
        refuse_links(landing, folder)
    if folder.is_dir():
        found += [
            p
            for p in folder.rglob("*")
            if (p.is_file() or p.is_symlink()) and is_folder_file(p.name)
        ]
    for p in found:
        refuse_links(landing, p)
    return sorted(found, key=lambda p: p.relative_to(landing).as_posix())


def _literal_path(path: Path, tmpdir: Path, number: int) -> Path:
    """``path`` itself, or a copy with a plain name when its path holds a character
    DuckDB would read as a glob pattern (``customers_[1].csv`` would otherwise match
    ``customers_1.csv`` or nothing, and its rows would be lost)."""
    if not GLOB_CHARACTERS & set(str(path)):
        return path
    return plain_named(path, tmpdir, number)


def plain_named(path: Path, folder: Path, number: int) -> Path:
    """``path`` under a plain name in ``folder``: a hard link (no bytes copied), or a
    copy when the folder is on another file system."""
    target = folder / f"landing_{number}{path.suffix.lower()}"
    try:
        os.link(path, target)
    except OSError:
        shutil.copyfile(path, target)
    return target


def configured_encoding(source: str) -> str | None:
    """Per-source override, e.g. ``TIERING_ENCODING_TRANSACTIONS=gbk``."""
    return os.environ.get(f"TIERING_ENCODING_{source.upper()}") or None


def _decode_error(
    file: LandingFile, encoding: str, digest: hashlib._Hash | None = None
) -> UnicodeDecodeError | None:
    """Read ``file`` once, decoding it as ``encoding``: its first decoding error, or
    None. ``digest`` is fed every byte (the read then goes on to the end)."""
    decoder = codecs.getincrementaldecoder(encoding)()
    error = None
    with file.open() as fh:
        while chunk := fh.read(1 << 20):
            if digest is not None:
                digest.update(chunk)
            if error is None:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError as exc:
                    error = exc
            elif digest is None:
                break
    if error is None:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            error = exc
    return error


def detect_encoding(file: LandingFile, preferred: str | None) -> tuple[str, str]:
    """The encoding of a CSV file (``preferred``, else the first of
    :data:`AUTO_ENCODINGS` that decodes all of it) and the file's sha256, taken in
    the same first read (a file in a lake is not read twice for them)."""
    candidates = (preferred,) if preferred else AUTO_ENCODINGS
    digest = hashlib.sha256()
    for number, encoding in enumerate(candidates):
        try:
            codecs.lookup(encoding)
        except LookupError as exc:
            raise LandingFileError(
                f"{file.relative}: unknown encoding {encoding!r} configured"
            ) from exc
        last = _decode_error(file, encoding, digest if number == 0 else None)
        if last is None:
            return encoding, digest.hexdigest()
    tried = ", ".join(candidates)
    raise LandingFileError(
        f"{file.relative}: not readable as {tried} (byte {last.start}: {last.reason}); "
        f"set TIERING_ENCODING_<SOURCE> to the file's encoding"
    )


def _utf8_copy(path: Path, encoding: str, tmpdir: Path, number: int) -> Path:
    """DuckDB reads UTF-8 natively; other encodings are transcoded in a stream."""
    target = tmpdir / f"landing_{number}.utf8.csv"
    with (
        path.open("r", encoding=encoding, newline="") as src,
        target.open("w", encoding="utf-8", newline="") as dst,
    ):
        while chunk := src.read(1 << 20):
            dst.write(chunk)
    return target


def _reader_sql(path: Path) -> str:
    if path.suffix.lower() == ".parquet":
        return f"read_parquet({quote_literal(str(path))})"
    return (
        f"read_csv({quote_literal(str(path))}, header = true, all_varchar = true, "
        "auto_detect = true, strict_mode = false, null_padding = false)"
    )


def landed_file(file: LandingFile, source: Source) -> LandedFile:
    """A landing file about to be read: an empty file fails the source, and a CSV
    file's encoding is found (the configured one, else UTF-8 or GB18030)."""
    item = LandedFile(relative=file.relative)
    if file.size == 0:
        raise LandingFileError(f"{item.relative}: empty file (0 bytes)")
    if file.suffix == ".csv":
        item.encoding, item.sha256 = detect_encoding(file, configured_encoding(source.name))
    return item


def contract_columns(item: LandedFile, source: Source, present: list[str]) -> dict[str, str]:
    """The file's column of each contract column it has (matched trimmed, in any
    case); a missing required column fails the source, naming the file and the
    column. Sets ``item.extra_columns`` to the columns the contract does not know."""
    by_lower = {p.strip().lower(): p for p in present}
    missing = [c for c in source.required if c not in by_lower]
    if missing:
        raise LandingFileError(
            f"{item.relative}: missing required column(s) {', '.join(missing)} "
            f"of source {source.name!r} (file has: {', '.join(present)})"
        )
    item.extra_columns = [p for p in present if p.strip().lower() not in source.column_names]
    return by_lower


def load_source_files(
    con: duckdb.DuckDBPyConnection,
    source: Source,
    files: list[LandingFile],
    consume: Callable[[str], None],
    extra_table: str,
) -> list[LandedFile]:
    """Read ``files`` one by one and hand each to ``consume`` as the SQL of a select of
    its rows: the contract columns as text, then ``_source_file`` and ``_source_row``
    (the row's number in the file). ``consume`` runs it (e.g. inserts its rows,
    checked, into the store): a file's rows are copied once, not first gathered.

    Contract columns a file lacks are null (optional) or fail the source (required);
    columns the contract does not know are reported in ``extra_columns`` and kept
    aside in the temp table ``extra_table`` as (file, row, column, value).
    """
    cols = source.column_names
    con.execute(
        f"create or replace temp table {extra_table} (_source_file varchar, "
        "_source_row bigint, column_name varchar, value varchar)"
    )
    landed: list[LandedFile] = []
    with tempfile.TemporaryDirectory(prefix="tiering-landing-") as tmp:
        for number, file in enumerate(files):
            if not file.is_local:
                raise LandingFileError(
                    f"{file.location}: a lake file is read by the Spark engine only "
                    "(--engine spark); DuckDB reads a local or mounted folder"
                )
            item = landed_file(file, source)
            landed.append(item)
            path = Path(file.location)
            read_path = _literal_path(path, Path(tmp), number)
            if item.encoding.replace("_", "-").lower() not in ("utf-8", "utf8"):
                read_path = _utf8_copy(path, item.encoding, Path(tmp), number)
            try:
                con.execute(
                    "create or replace temp table _file as select * from " + _reader_sql(read_path)
                )
            except duckdb.Error as exc:
                raise LandingFileError(
                    f"{item.relative}: unreadable: {str(exc).splitlines()[0]}"
                ) from exc
            present = [
                r[0] for r in con.execute("select name from pragma_table_info('_file')").fetchall()
            ]
            by_lower = contract_columns(item, source, present)
            item.rows = con.execute("select count(*) from _file").fetchone()[0]
            # rowid follows insertion order, i.e. the order of the rows in the file;
            # temp tables number rows from a large offset, so subtract the first.
            first = con.execute("select coalesce(min(rowid), 0) from _file").fetchone()[0]
            row_no = f"rowid - {first} + 1"
            select = ", ".join(
                f"cast({quote_ident(by_lower[c]) if c in by_lower else 'null'} as varchar) "
                f"as {quote_ident(c)}"
                for c in cols
            )
            consume(
                f"select {select}, {quote_literal(item.relative)} as _source_file, "
                f"{row_no} as _source_row from _file"
            )
            for extra in item.extra_columns:
                con.execute(
                    f"insert into {extra_table} select {quote_literal(item.relative)}, "
                    f"{row_no}, {quote_literal(extra)}, "
                    f"cast({quote_ident(extra)} as varchar) from _file"
                )
            con.execute("drop table _file")
    return landed
