"""The folder where the server processes of `ironlog serve --workers N` gather their metrics
(prometheus_client's multiprocess mode, core/metrics.py).

Apart from core/metrics.py because prometheus_client chooses between in-memory and file-backed
values once, when it is imported: `ironlog serve` sets `PROMETHEUS_MULTIPROC_DIR` here first,
then imports the application (which imports prometheus_client) and forks the workers from it
(core/serving.py)."""

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"


def multiprocess_dir() -> str | None:
    return os.environ.get(MULTIPROC_ENV) or None


@contextmanager
def multiprocess_dir_for(workers: int) -> Iterator[str | None]:
    """For `ironlog serve`, around the worker processes: the folder they share, emptied of an
    earlier run's files (they would be added to this run's counters), or, when several workers
    run and none was given, a temporary one, removed afterwards."""
    folder = multiprocess_dir()
    made = folder is None and workers > 1
    if made:
        folder = tempfile.mkdtemp(prefix="ironlog-metrics-")
        os.environ[MULTIPROC_ENV] = folder
    if folder is None:
        yield None
        return
    path = Path(folder)
    path.mkdir(parents=True, exist_ok=True)
    for item in path.glob("*.db"):
        item.unlink()
    try:
        yield folder
    finally:
        if made:
            shutil.rmtree(path, ignore_errors=True)
