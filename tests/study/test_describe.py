"""The run header's record of the software and the machine a run was computed with."""

import importlib.metadata
import os

from biosig.study._describe import software, software_sentence


def test_the_processor_and_the_onednn_switch_are_recorded(monkeypatch):
    monkeypatch.delenv("TF_ENABLE_ONEDNN_OPTS", raising=False)
    versions = software("tensorflow")
    assert "TF_ENABLE_ONEDNN_OPTS" not in versions  # TensorFlow's default
    assert " cores" in versions["cpu"]
    assert versions["scikit-learn"] == importlib.metadata.version("scikit-learn")
    monkeypatch.setenv("TF_ENABLE_ONEDNN_OPTS", "0")
    versions = software("tensorflow")
    assert versions["TF_ENABLE_ONEDNN_OPTS"] == "0"
    assert "TF_ENABLE_ONEDNN_OPTS 0" in software_sentence(versions)
    assert "TF_ENABLE_ONEDNN_OPTS" not in software("jax")  # TensorFlow's switch only


def test_the_processor_is_read_from_cpuinfo(tmp_path, monkeypatch):
    from biosig.study import _describe

    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("processor\t: 0\nmodel name\t: Test CPU 9000\n"
                       "flags\t\t: fpu sse4_2 avx avx2 avx512f avx512_vnni\n\n"
                       "processor\t: 1\nmodel name\t: Test CPU 9000\n")
    monkeypatch.setattr(_describe, "_CPUINFO", str(cpuinfo))
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2}, raising=False)
    assert _describe._cpu() == "Test CPU 9000 (3 cores, avx2, avx512f, avx512_vnni)"
    monkeypatch.setattr(_describe, "_CPUINFO", str(tmp_path / "absent"))
    assert _describe._cpu().endswith("(3 cores)")
