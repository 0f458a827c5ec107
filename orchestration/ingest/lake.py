"""Landing files in a data lake (``s3a://``, ``abfss://``, ``gs://``, ``file://``…),
found and opened through Hadoop's FileSystem in the Spark session's JVM.

On the Spark engine the landing location may be a URI instead of a folder
(``tiering run --engine spark --landing s3a://bank-landing/tiering``). Its files are
found by the rules of a landing folder (:func:`orchestration.ingest.files.find_files`):
``<source>*.csv|parquet`` at the top, and any such file under ``<source>/`` except
hidden ones. Their size and modification time come from the file system's listing;
their bytes (for the encoding check and the sha256 of a changed file) are streamed
through Hadoop's input stream, so nothing is copied to the job's machine. The file
system's client and credentials are Spark's own: the connector on the classpath
(``hadoop-aws``, ``hadoop-azure``…) and its ``spark.hadoop.*`` settings, as for any
Spark job of the cluster.
"""

from __future__ import annotations

import functools
import io
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from orchestration.ingest.files import (
    LandingFile,
    LandingFileError,
    is_folder_file,
    is_source_file,
    refuse_links,
)
from orchestration.ingest.spark import spark_message

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

#: bytes fetched from the JVM per call while a file is read (sha256, encoding)
BLOCK = 1 << 20


class _HadoopStream(io.RawIOBase):
    """A Hadoop input stream as a Python binary file."""

    def __init__(self, stream) -> None:
        self._stream = stream

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        # py4j hands a Java byte[] back as Python bytes
        return bytes(self._stream.readNBytes(BLOCK if size is None or size < 0 else size))

    def readinto(self, buffer) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        if not self.closed:
            self._stream.close()
        super().close()


def _open(fs, path) -> io.BufferedReader:
    return io.BufferedReader(_HadoopStream(fs.open(path)), BLOCK)


def lake_files(spark: SparkSession, root: str, source: str) -> list[LandingFile]:
    """The files of ``source`` under the URI ``root``, in name order.

    A root that does not exist has no files (a mandatory source then fails as in an
    empty folder). Under ``file://`` a symbolic link is refused, as in a local folder;
    object stores have none. A file whose name holds ':' is refused, naming it:
    Hadoop cannot open it.
    """
    jvm = spark._jvm
    hadoop_path = jvm.org.apache.hadoop.fs.Path
    top = hadoop_path(root)
    try:
        fs = top.getFileSystem(spark._jsc.hadoopConfiguration())
        top = fs.makeQualified(top)
        if not fs.exists(top):
            return []
        prefix = top.toString().rstrip("/") + "/"
        statuses = [
            s
            for s in fs.listStatus(top)
            if s.isFile() and is_source_file(s.getPath().getName(), source)
        ]
        folder = hadoop_path(top, source)
        if fs.exists(folder) and fs.getFileStatus(folder).isDirectory():
            listing = fs.listFiles(folder, True)
            while listing.hasNext():
                status = listing.next()
                if is_folder_file(status.getPath().getName()):
                    statuses.append(status)
    except Exception as exc:  # the file system's own errors: no connector, no access
        raise LandingFileError(
            f"{root}: cannot list the landing location: {spark_message(exc)}"
        ) from exc

    found = []
    for status in statuses:
        location = status.getPath().toString()
        if not location.startswith(prefix):  # not expected of a listing under the root
            raise LandingFileError(f"{location}: listed outside the landing location {root}")
        if ":" in status.getPath().getName():
            raise LandingFileError(
                f"{location[len(prefix) :]}: a ':' in a file name cannot be read through "
                "Hadoop's file systems (it reads as a URI scheme); rename the file"
            )
        found.append(
            LandingFile(
                relative=location[len(prefix) :],
                size=int(status.getLen()),
                # Hadoop's times are in milliseconds
                mtime_ns=int(status.getModificationTime()) * 1_000_000,
                location=location,
                opener=functools.partial(_open, fs, status.getPath()),
                is_local=False,
            )
        )
    if urlsplit(root).scheme == "file":
        local = Path(unquote(urlsplit(root).path))
        for file in found:
            refuse_links(local, local / file.relative)
    return sorted(found, key=lambda f: f.relative)
