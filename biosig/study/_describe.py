"""The protocol of a run in words, from the sentences of its registry entries."""

from ._imbalance import IMBALANCE
from ._inputs import INPUTS
from ._models import MODELS
from ._samplers import SAMPLERS
from ._splits import SPLITS, guard_unit, split_unit

__all__ = []


def _listed(ids, limit=20):
    return ", ".join(ids[:limit]) + (" ..." if len(ids) > limit else "")


def protocol(study, *, source, here, windows, sides, n_folds, shared, thresholds, selection):
    """The sentences of the report's protocol section.

    Parameters
    ----------
    selection : str | None
        How the settings were chosen, when a [selection] ran.
    """
    unit = split_unit(study)
    guard = guard_unit(study)
    lines = [
        f"Source: {source.title} ({source.name}); {len(here)} subject(s) or record(s): "
        f"{_listed(here)}.",
        SAMPLERS[study.windows.sampler].describe(study, windows.X.shape[1:], windows.sfreq),
        INPUTS[study.features.input].describe(study),
        *([] if study.features.align == "none" else [
            "Euclidean alignment (He & Wu 2019) per subject, without labels: each subject's "
            "windows are whitened by the mean of their own covariances, a test subject's by "
            "its own test windows."]),
        *([] if study.features.scale == "none" else [
            "Feature vectors scaled per subject, without labels: each subject's on its own "
            "median and interquartile range, a test subject's on its own test windows."]),
        MODELS[study.model.name].describe(study),
        *([] if study.training.ensemble == 1 else [
            f"Ensemble: {study.training.ensemble} networks, trained with seeds "
            f"{study.training.seed} to {study.training.seed + study.training.ensemble - 1}; "
            "their class probabilities averaged."]),
        *SPLITS[study.split.kind].describe(study, sides, n_folds, unit),
    ]
    if study.split.per_subject and not SPLITS[study.split.kind].traits.get("sessions"):
        lines.append("Patient-specific: folds are made within each subject, one model per fold.")
    if sides is not None and {"201", "202"} <= set(sides[0] + sides[1]):
        lines.append("Records 201 and 202 come from the same patient and lie on different "
                     "sides, as in de Chazal's published lists.")
    lines.append("No leakage guard (chronological split within records)." if guard == "none" else
                 f"Leakage guard: checked that no {guard} is on both sides of any fold"
                 + (" (shared ones allowed and listed above)." if any(shared) else "."))
    if MODELS[study.model.name].network:
        lines.append(f"Early stopping on a held-out {study.training.validation_fraction:.0%} of "
                     "the training side, taken by whole subject or record where the training "
                     "side has several.")
    lines.append(IMBALANCE[study.training.imbalance].describe(study))
    if thresholds:
        n = study.training.threshold_cv
        lines.append(f"Decision threshold of {study.training.threshold_class} tuned on held-out "
                     "training groups in each fold" + (
                         f" (the out-of-fold probabilities of a {n}-fold split of the training "
                         "side, pooled)." if n else "."))
    if study.evaluation.vote == "record":
        lines.append("Each test record is scored once: the class probabilities of its windows "
                     "are averaged, and the metrics and intervals count records.")
    elif study.evaluation.vote == "trial":
        lines.append("Each test trial is scored once: the class probabilities of its crops are "
                     "averaged (an uncropped trial is its one window), and the metrics count "
                     "trials.")
    if selection:
        lines.append(selection)
    lines.append(f"Confidence intervals: {study.training.bootstrap} bootstrap resamples of whole "
                 f"test {unit}s.")
    return lines


def warnings(study, *, shared, missing, subjects, guard):
    """The report's warnings: notes, shared groups, a reduced protocol."""
    out = [study.split.note] if study.split.note else []
    if any(shared):
        both = sorted({g for fold in shared for g in fold})
        out.append(f"Shared groups: {guard}(s) {', '.join(both[:12])}"
                   f"{' ...' if len(both) > 12 else ''} have windows on both the training and "
                   "the test side (allow_shared_groups = true). Their windows can inform their "
                   "own test; the numbers may be optimistic.")
    if missing:
        out.append(f"Reduced protocol: {len(missing)} of the {len(subjects)} subjects or records "
                   f"of the protocol are missing ({', '.join(missing[:12])}"
                   f"{' ...' if len(missing) > 12 else ''}); these numbers are not comparable "
                   "with published full-protocol results.")
    return out


def selection_sentence(study, candidates, chosen, windows):
    """How the settings were chosen, in one sentence.

    Parameters
    ----------
    study : Study
    candidates : list of Candidate
    chosen : dict
        Fold name -> index of its chosen candidate.
    windows : Windows
        The recipe's own windows: a pick whose windows are others is described.

    Returns
    -------
    sentence : str
        Each pick with the folds that chose it and, where they are not the recipe's, its
        windows.
    """
    s = study.selection
    parts = []
    for c in sorted(set(chosen.values())):
        candidate = candidates[c]
        text = ", ".join(f"{k} = {v!r}" for k, v in candidate.overrides.items())
        folds = [str(f) for f, pick in chosen.items() if pick == c]
        text += f" in fold{'s' if len(folds) > 1 else ''} {_listed(folds, 10)}"
        if candidate.windows is not windows:
            text += " — " + SAMPLERS[candidate.study.windows.sampler].describe(
                candidate.study, candidate.windows.X.shape[1:],
                candidate.windows.sfreq).rstrip(".")
        parts.append(text)
    inner = (f"{s.n_splits}-fold by {s.groups}" if s.inner == "group_kfold"
             else f"leave one {s.groups} out")
    return (f"Settings chosen on the training side only: {len(candidates)} candidates scored "
            f"by {s.scoring} under an inner {inner} split of each fold's training side; chosen: "
            f"{'; '.join(parts)}. The test side was scored once, with the chosen settings.")


#: Distributions whose release can move a run's numbers, in the order the report names them.
_SOFTWARE = ("keras", "numpy", "scipy", "scikit-learn", "imbalanced-learn", "mne", "wfdb",
             "PyWavelets", "pyriemann")


#: Where Linux describes the processor.
_CPUINFO = "/proc/cpuinfo"
#: The x86 extensions by which oneDNN picks its kernels.
_VECTOR_FLAGS = ("avx2", "avx512f", "avx512_vnni", "avx512_bf16", "amx_bf16")


def _cpu():
    """The processor's model name, the cores this process may use, and its vector extensions."""
    import os
    import platform

    name, flags = platform.processor() or "unknown", set()
    try:
        with open(_CPUINFO) as f:
            for line in f:
                key, _, value = line.partition(":")
                if key.strip() == "model name":
                    name = value.strip()
                elif key.strip() == "flags":
                    flags = set(value.split())
                    break
    except OSError:
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return f"{name} ({', '.join([f'{cores} cores'] + [f for f in _VECTOR_FLAGS if f in flags])})"


def software(backend):
    """The releases of Python, biosig, the Keras backend and each of ``_SOFTWARE``, and the machine.

    A network's numbers change with the release of Keras and of its backend,
    and with the processor (TensorFlow's oneDNN kernels pick their code, and
    so the order of their sums, by the vector extensions it has), so a run
    records them beside its results.

    Returns
    -------
    versions : dict
        ``"python"``, ``"machine"`` (e.g. ``"x86_64"``) and ``"cpu"`` (model
        name, the cores this process may use, the vector extensions oneDNN
        reads), then distribution name -> version (``"absent"`` where it is
        not installed); with TensorFlow, ``"TF_ENABLE_ONEDNN_OPTS"`` where
        that variable is set.
    """
    import importlib
    import importlib.metadata
    import importlib.util
    import os
    import platform

    versions = {"python": platform.python_version(), "machine": platform.machine(),
                "cpu": _cpu()}
    for name in ("biosig-dl", backend) + _SOFTWARE:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "absent"
    if versions[backend] == "absent" and importlib.util.find_spec(backend):
        # e.g. installed as tensorflow-cpu
        versions[backend] = getattr(importlib.import_module(backend), "__version__", "absent")
    if backend == "tensorflow" and "TF_ENABLE_ONEDNN_OPTS" in os.environ:
        versions["TF_ENABLE_ONEDNN_OPTS"] = os.environ["TF_ENABLE_ONEDNN_OPTS"]
    return versions


def software_sentence(versions):
    """The report's line naming the releases a run was computed with."""
    return "Software: " + ", ".join(f"{k} {v}" for k, v in versions.items()) + "."
