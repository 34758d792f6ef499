"""Every notebook runs top to bottom, on small settings, so that none rots."""

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).parents[1] / "notebooks").glob("*.ipynb"))
pytestmark = pytest.mark.slow


def test_there_is_one_notebook_per_study_and_one_for_own_files():
    names = {p.stem for p in NOTEBOOKS}
    assert {"arrhythmia_mitbih", "seizure", "motor_imagery", "emotion_deap",
            "own_file_to_model"} <= names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_executes(path, data_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("BIOSIG_NOTEBOOK_QUICK", "1")
    monkeypatch.setenv("TMPDIR", str(tmp_path))  # the notebook's work folder, cleaned by pytest
    monkeypatch.setenv("BIOSIG_DATA", str(data_dir))
    monkeypatch.delenv("MPLBACKEND", raising=False)  # the kernel draws inline figures
    book = nbformat.read(path, as_version=4)
    NotebookClient(book, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    outputs = [o for cell in book.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert any(o.output_type == "display_data" and "image/png" in o.get("data", {})
               for o in outputs)  # at least one figure was drawn
