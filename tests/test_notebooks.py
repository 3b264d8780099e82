"""The analyst notebooks run top to bottom against the small demo bank; their assert cells are the checks.

Each notebook reads the database named by ``CHAINSIGHT_DB``; here that is a published copy of the session's
small bank. The kernel is ipykernel in *this* interpreter, not whatever ``python3`` kernelspec the machine
happens to have, so a fresh clone with ``pip install -e .[dev]`` runs these tests with no
``ipykernel install`` step.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from traitlets import default

import chainsight

NOTEBOOK_DIR = Path(__file__).resolve().parents[1] / "notebooks"
NOTEBOOKS = ["01_explore_chains.ipynb", "02_prospect_scoring.ipynb"]
CELL_TIMEOUT = 300  # seconds per cell
_ANSI = re.compile(r"\x1b\[[0-9;]*m")  # IPython colours its tracebacks


class ThisPythonKernelManager(AsyncKernelManager):
    """Starts ipykernel in ``sys.executable``, whatever kernelspecs the machine has installed.

    With no kernel directories to search, ``python3`` resolves to ipykernel's built-in spec, whose command
    is this interpreter: a user-level ``python3`` kernelspec pointing at another Python cannot shadow it.
    """

    @default("kernel_spec_manager")
    def _this_python_only(self) -> KernelSpecManager:
        return KernelSpecManager(kernel_dirs=[])


@pytest.fixture(scope="module")
def published_db(small_bank: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the small bank's staging database with the analysis published (other tests share the original)."""
    staging = small_bank[1]
    db = tmp_path_factory.mktemp("notebooks") / "chainsight.duckdb"
    shutil.copyfile(staging, db)
    wal = staging.with_name(staging.name + ".wal")
    if wal.exists():
        shutil.copyfile(wal, db.with_name(db.name + ".wal"))
    with chainsight.open(db) as cs:
        cs.analyze()
    return db


def test_kernel_is_this_interpreter() -> None:
    km = ThisPythonKernelManager(kernel_name="python3")
    assert km.kernel_spec is not None
    assert km.format_kernel_cmd()[0] == sys.executable


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_is_committed_clean(name: str) -> None:
    """Committed notebooks carry no outputs (small diffs), run on python3 and check something."""
    nb = nbformat.read(NOTEBOOK_DIR / name, as_version=nbformat.NO_CONVERT)
    nbformat.validate(nb)
    assert nb.nbformat == 4
    assert nb.metadata.kernelspec.name == "python3"
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    dirty = [cell.id for cell in code if cell.outputs or cell.execution_count is not None]
    assert not dirty, f"{name}: clear the outputs of cells {dirty} before committing"
    assert sum("assert " in cell.source for cell in code) >= 3, f"{name}: too few assert cells"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs(name: str, published_db: Path) -> None:
    nb = nbformat.read(NOTEBOOK_DIR / name, as_version=4)
    client = NotebookClient(nb, kernel_name="python3", kernel_manager_class=ThisPythonKernelManager,
                            timeout=CELL_TIMEOUT,
                            resources={"metadata": {"path": str(NOTEBOOK_DIR)}})  # the kernel's cwd
    failure = None
    try:
        client.execute(env={**os.environ, "CHAINSIGHT_DB": str(published_db)})
    except CellExecutionError as exc:  # its text holds the failing cell's source and traceback
        failure = _ANSI.sub("", str(exc))
    if failure is not None:  # outside the except: the report shows the cell, not the chained traceback
        pytest.fail(f"{name}: a cell raised\n{failure}", pytrace=False)
    ran = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert ran and all(cell.execution_count is not None for cell in ran)
