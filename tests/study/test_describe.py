"""The run header's record of the software and the machine a run was computed with."""

import importlib.metadata
import os

from biosig.study._describe import software, software_sentence


def test_the_processor_and_the_onednn_switch_are_recorded(monkeypatch):
    monkeypatch.delenv("TF_ENABLE_ONEDNN_OPTS", raising=False)
    versions = software("tensorflow")
    assert "TF_ENABLE_ONEDNN_OPTS" not in versions  # TensorFlow's default
    assert versions["cpu"].endswith(")") and f"({os.cpu_count()} cores" in versions["cpu"]
    assert versions["scikit-learn"] == importlib.metadata.version("scikit-learn")
    monkeypatch.setenv("TF_ENABLE_ONEDNN_OPTS", "0")
    versions = software("tensorflow")
    assert versions["TF_ENABLE_ONEDNN_OPTS"] == "0"
    assert "TF_ENABLE_ONEDNN_OPTS 0" in software_sentence(versions)
    assert "TF_ENABLE_ONEDNN_OPTS" not in software("jax")  # TensorFlow's switch only
