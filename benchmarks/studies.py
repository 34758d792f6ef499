"""Run every recipe whose data is here and print one table beside the published anchors.

    BIOSIG_DATA=../shared/data python benchmarks/studies.py [--quick] [--only NAME ...]

A study runs on the real data in the data folder; one whose subjects are
partly here runs a reduced protocol, marked as such; one with no data is
listed as not run. Anchors are the published numbers with their protocol:
they are context, not a like-for-like comparison, unless the protocols match.

**Goals.** Where an issue sets a target for a study (``GOALS``), its row says
the target and whether the run met it.

**Peers** (``--peers``): braindecode's EEGNet and ATCNet, trained by
braindecode's own loop (``EEGClassifier``, a skorch net) on exactly the
windows and folds of ``motor_imagery_eegmmi`` (the same store, the same group
5-fold by subject), with the recipe's settings where braindecode has them:
EEGNet-8,2 with the recipe's kernel and dropout and the paper's max-norm
classifier; ATCNet at braindecode's defaults (the paper's), which it shrinks
for windows shorter than 616 samples; Adam at 1e-3, batch 64, balanced class
weights in the loss, at most ``training.epochs`` epochs with early stopping
(patience ``training.patience``, best weights restored) on 20 % of the
training subjects drawn as biosig draws them, and each channel standardised on
the training windows as biosig's networks do. Each peer's accuracy (interval
by subject) and wall time are printed beside biosig's run of the same
network on the same folds (for ATCNet, the recipe with ``model = {name =
"atcnet"}``, run here). braindecode imports without a loadable torchaudio
through a stand-in (``_braindecode.py``).
"""

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).parents[1]
ANCHORS = {
    "arrhythmia_mitbih": "de Chazal 2004 (LDA, DS1->DS2): VEB Se 77.7 / +P 81.9, SVEB Se 75.9 / "
                         "+P 38.5; Niu 2020 (CNN): acc 96.4; Xu 2022: macro F1 ~ 0.6-0.7",
    "arrhythmia_mitbih_dbn": "as above (de Chazal 2004; Niu 2020; Xu 2022), DS1->DS2",
    "arrhythmia_mitbih_dbn_selected": "de Chazal 2004 (LDA, DS1->DS2): SVEB Se 75.9 / +P 38.5",
    "seizure_bonn": "Acharya 2018 (13-layer CNN, 10-fold, one set per class: Z normal, "
                    "N preictal, S seizure): acc 88.7",
    "seizure_chbmit": "Shoeb 2010 (patient-specific SVM): 96 % of seizures, 2 false "
                      "detections per 24 h, latency 4.6 s",
    "arrhythmia_mitbih_selected": "as above (de Chazal 2004; Niu 2020; Xu 2022), DS1->DS2",
    "arrhythmia_mitbih_ensemble": "as above (de Chazal 2004; Niu 2020; Xu 2022), DS1->DS2",
    "arrhythmia_mitbih_rr": "as above (de Chazal 2004; Niu 2020; Xu 2022), DS1->DS2",
    "arrhythmia_mitbih_dbn_rr": "de Chazal 2004 (LDA, DS1->DS2): SVEB Se 75.9 / +P 38.5",
    "arrhythmia_mitbih_leads": "as above (de Chazal 2004; Niu 2020; Xu 2022), DS1->DS2",
    "arrhythmia_mitbih_dbn_leads": "de Chazal 2004 (LDA, DS1->DS2): SVEB Se 75.9 / +P 38.5",
    **dict.fromkeys(("arrhythmia_mitbih_lda", "arrhythmia_mitbih_lda_rhythm",
                     "arrhythmia_mitbih_lda_template"),
                    "de Chazal 2004 (LDA on both leads, DS1->DS2): SVEB Se 75.9 / +P 38.5, "
                    "VEB Se 77.7 / +P 81.9"),
    "seizure_bonn_voted": "Ullah 2018 (P-1D-CNN ensemble, 512-sample windows, voting, 10-fold): "
                          "99.1 +- 0.9 over its cases; published 3-class 96.7-98.1",
    "seizure_bonn_5class": "J. Healthc. Eng. 2022 (CNN features + classifiers, 10-fold): 94.0",
    "seizure_bonn_5class_voted": "J. Healthc. Eng. 2022 (CNN features + classifiers, 10-fold): "
                                 "94.0",
    "motor_imagery_eegmmi": "Wang 2020 (EEGNet, cross-subject, 2 classes): acc 82.4",
    "motor_imagery_eegmmi_selected": "Wang 2020 (EEGNet, cross-subject, 2 classes): acc 82.4",
    "motor_imagery_eegmmi_models": "Wang 2020 (EEGNet, cross-subject, 2 classes): acc 82.4",
    "motor_imagery_eegmmi_channels": "Wang 2020 (EEGNet, cross-subject, 2 classes): acc 82.4",
    "motor_imagery_eegmmi_cropped": "Wang 2020 (EEGNet, cross-subject, 2 classes): acc 82.4",
    "motor_imagery_eegmmi_ensemble": "Wang 2020 (EEGNet, cross-subject, 2 classes): acc 82.4",
    "motor_imagery_eegmmi_riemann": "MOABB's tangent-space pipeline; Wang 2020 EEGNet 82.4",
    "motor_imagery_eegmmi_3class": "Wang 2020 (EEGNet, cross-subject, 3 classes): acc 75.1",
    "motor_imagery_eegmmi_4class": "Wang 2020 (EEGNet, cross-subject, 4 classes): acc 65.1",
    "motor_imagery_bciiv2a": "ATCNet 81.1, EEG-TCNet 77.4 (acc, session T->E, 4 classes)",
    "emotion_deap": "Koelstra 2012 (single-subject, Gaussian NB): valence acc 57.6, F1 56.3",
    "emotion_deap_arousal": "Koelstra 2012 (single-subject): arousal acc 62.0, F1 58.3",
}
QUICK = {"training.epochs": 5, "training.bootstrap": 200, "model.pretrain_epochs": 2}
# Targets of the issues, on metrics of the row: [(metric, value, issue), ...].
_WANG = [("accuracy", 0.824, "#16: Wang 2020's 2-class figure")]
_AAMI = [("SVEB F1", 0.80, "#15"), ("VEB F1", 0.92, "#15")]
_DE_CHAZAL = [("SVEB Se", 0.759, "#15: de Chazal's"), ("SVEB +P", 0.385, "#15: de Chazal's")]
GOALS = {
    "motor_imagery_eegmmi": _WANG, "motor_imagery_eegmmi_selected": _WANG,
    "motor_imagery_eegmmi_models": _WANG, "motor_imagery_eegmmi_channels": _WANG,
    "motor_imagery_eegmmi_cropped": _WANG, "motor_imagery_eegmmi_ensemble": _WANG,
    "seizure_bonn": [("accuracy", 0.98, "#16")], "seizure_bonn_voted": [("accuracy", 0.98, "#16")],
    "arrhythmia_mitbih": _AAMI, "arrhythmia_mitbih_selected": _AAMI,
    "arrhythmia_mitbih_ensemble": _AAMI, "arrhythmia_mitbih_rr": _AAMI,
    "arrhythmia_mitbih_dbn_rr": _DE_CHAZAL, "arrhythmia_mitbih_leads": _AAMI,
    "arrhythmia_mitbih_dbn_leads": _DE_CHAZAL, "arrhythmia_mitbih_lda": _DE_CHAZAL,
    "arrhythmia_mitbih_lda_rhythm": _DE_CHAZAL, "arrhythmia_mitbih_lda_template": _DE_CHAZAL,
    "arrhythmia_mitbih_dbn": _DE_CHAZAL, "arrhythmia_mitbih_dbn_selected": _DE_CHAZAL,
}
PEER_STUDY = "motor_imagery_eegmmi"
#: The networks trained by braindecode beside biosig's, and biosig's model table for each.
PEERS = {"eegnet": None, "atcnet": {"name": "atcnet"}}


def _cell(ci):
    if ci is None or ci["value"] is None:
        return "-"
    if ci["low"] is None:
        return f"{ci['value']:.3f}"
    return f"{ci['value']:.3f} [{ci['low']:.3f}, {ci['high']:.3f}]"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=os.environ.get("BIOSIG_DATA"))
    parser.add_argument("--quick", action="store_true", help="few epochs, 200 bootstrap resamples")
    parser.add_argument("--only", nargs="+", help="recipe names")
    parser.add_argument("--set", dest="overrides", action="append", default=[],
                        metavar="KEY=VALUE", help="override a key of every recipe run")
    parser.add_argument("--peers", action="store_true",
                        help=f"also train braindecode's networks on {PEER_STUDY}'s windows and "
                             "folds")
    parser.add_argument("--peer-models", nargs="+", choices=sorted(PEERS), default=list(PEERS),
                        help="the peers' networks (default: all)")
    parser.add_argument("--peer-subjects", nargs="+", metavar="ID",
                        help="the peer's subjects (default: the recipe's, those here)")
    args = parser.parse_args(argv)
    if not args.data_dir:
        parser.error("set BIOSIG_DATA or --data-dir")
    from biosig.study import MissingDataError, load_recipe, run_study

    rows = []
    for path in sorted((ROOT / "recipes").glob("*.toml")):
        if args.only and path.stem not in args.only:
            continue
        overrides = []
        if args.quick:
            tables = load_recipe(path).to_dict()
            overrides = [f"{k}={v}" for k, v in QUICK.items()
                         if k.split(".")[1] in tables[k.split(".")[0]]]
        recipe = load_recipe(path, overrides + args.overrides)
        started = time.perf_counter()
        row = {"study": path.stem, "anchor": ANCHORS.get(path.stem, "")}
        try:
            with tempfile.TemporaryDirectory() as tmp:
                out = run_study(recipe, data_dir=args.data_dir, out=Path(tmp) / "run",
                                 partial=True, progress=False)
                result = json.loads((out / "metrics.json").read_text())
                selection = _selection(out)
        except MissingDataError as err:
            row.update(protocol="not run: data absent here", note=str(err).split(";")[0][:90])
            rows.append(row)
            continue
        except ValueError as err:  # e.g. one subject here, and a split that needs several
            row.update(protocol="not run: too little data here", note=str(err)[:90])
            rows.append(row)
            continue
        header, metrics = result["header"], result["metrics"]
        ci = metrics["ci95"]
        row.update(
            protocol=("reduced " if header["reduced_protocol"] else "") + header["split"]
            + f", {len(header['subjects'])} subj/rec, {header['n_folds']} fold(s)",
            accuracy=_cell(ci.get("accuracy")), macro_f1=_cell(ci.get("macro_f1")),
            extra="; ".join(f"{k} {_cell(ci[k])}" for k in ci
                            if k not in ("accuracy", "macro_f1", "balanced_accuracy", "kappa",
                                         "macro_auc")),
            wall_s=round(time.perf_counter() - started, 1))
        if selection:
            row["selection"] = selection
        goals = []
        for metric, target, issue in GOALS.get(path.stem, []):
            value = (ci.get(metric) or {}).get("value")
            met = "yes" if value is not None and value >= target else "no"
            goals.append(f"{metric} >= {target} ({issue}): {met}")
        if goals:
            row["goal"] = "; ".join(goals)
        rows.append(row)
        print(pd.DataFrame([row]).to_string(index=False), flush=True)
    if args.peers:
        rows.extend(_peer_rows(args, rows))
    table = pd.DataFrame(rows).astype(object).fillna("")  # blank cells, numbers kept
    print("\n" + table.to_markdown(index=False) if hasattr(table, "to_markdown") and _has_tabulate()
          else "\n" + table.to_string(index=False))


def _selection(out):
    """The chosen candidate of each outer fold and its inner score, beside the test score."""
    path = out / "selection.csv"
    if not path.is_file():
        return ""
    table = pd.read_csv(path, dtype={"fold": str})
    score = next(c for c in table.columns if c.startswith("inner "))
    settings = [c for c in table.columns if c not in ("fold", "chosen", score)]
    parts = []
    for fold, rows in table.groupby("fold", sort=False):
        best = rows[rows["chosen"]].iloc[0]
        chosen = ", ".join(f"{c}={_short(best[c])}" for c in settings if pd.notna(best[c]))
        others = ", ".join(f"{v:.3f}" for v in rows.loc[~rows["chosen"], score])
        parts.append(f"fold {fold}: {chosen} ({score} {best[score]:.3f}; others {others})")
    return "; ".join(parts)


def _short(value):
    """A setting as the table shows it: a long list by its length (e.g. 21 channels)."""
    text = str(value)
    if text.startswith("[") and len(text) > 40:
        return f"[{text.count(',') + 1} items]"
    return text.replace("|", "\\|")  # lead alternatives, in a Markdown cell


def _peer_rows(args, rows):
    """braindecode's networks on the windows and folds of PEER_STUDY, as table rows."""
    from biosig.study import load_recipe, run_study

    overrides = ([f"{k}={v}" for k, v in QUICK.items() if k.startswith("training.")]
                 if args.quick else [])
    if args.peer_subjects:
        overrides.append(f"dataset.subjects={json.dumps(args.peer_subjects)}")
    out = []
    for network in args.peer_models:
        model = PEERS[network]
        recipe = load_recipe(ROOT / "recipes" / f"{PEER_STUDY}.toml", overrides + args.overrides)
        if model is not None:
            recipe = recipe.override({"model": model})
        name = PEER_STUDY if model is None else f"{PEER_STUDY} ({network}, biosig)"
        ours = next((r for r in rows if r["study"] == name and "wall_s" in r), None)
        if ours is None and model is not None:  # biosig's run of this network, same folds
            started = time.perf_counter()
            with tempfile.TemporaryDirectory() as tmp:
                run = run_study(recipe, data_dir=args.data_dir, out=Path(tmp) / "run",
                                partial=True, progress=False)
                ci = json.loads((run / "metrics.json").read_text())["metrics"]["ci95"]
            ours = {"study": name, "protocol": "the same windows and folds",
                    "accuracy": _cell(ci["accuracy"]),
                    "wall_s": round(time.perf_counter() - started, 1)}
            print(pd.DataFrame([ours]).to_string(index=False), flush=True)
            out.append(ours)
        row = {"study": f"{PEER_STUDY} ({network}, braindecode peer)"}
        try:
            peer = braindecode_peer(recipe, args.data_dir, network)
        except ImportError as err:
            row.update(protocol="not run: braindecode does not import", note=str(err)[:90])
            out.append(row)
            continue
        row.update(protocol=peer["protocol"], accuracy=_cell(peer["accuracy"]),
                   extra=(f"braindecode {peer['version']} {peer['class']}, skorch loop, "
                          f"{peer['params']} trainable parameters; epochs per fold "
                          f"{peer['epochs']}"),
                   wall_s=peer["wall_s"])
        if ours is not None:
            ratio = peer["wall_s"] / ours["wall_s"]
            row["note"] = (f"wall time: biosig {ratio:.2f}x faster" if ratio >= 1 else
                           f"wall time: braindecode {1 / ratio:.2f}x faster")
        print(pd.DataFrame([row]).to_string(index=False), flush=True)
        out.append(row)
    return out


def _eegnet(braindecode, study, shape, n_classes, sfreq):
    model = study.model.params
    return braindecode.models.EEGNet(
        n_chans=shape[0], n_outputs=n_classes, n_times=shape[1],
        F1=model.get("F1", 8), D=model.get("D", 2), F2=model.get("F2", 16),
        kernel_length=model.get("kernel_length", 64), drop_prob=model.get("dropout", 0.25),
        final_layer_with_constraint=True)


def _atcnet(braindecode, study, shape, n_classes, sfreq):
    import warnings

    with warnings.catch_warnings():  # "n_times is smaller than the minimum": it shrinks itself
        warnings.simplefilter("ignore", UserWarning)
        return braindecode.models.ATCNet(n_chans=shape[0], n_outputs=n_classes,
                                         n_times=shape[1], sfreq=sfreq)


_PEER_MODULES = {"eegnet": _eegnet, "atcnet": _atcnet}


def braindecode_peer(study, data_dir, network="eegnet"):
    """Train a braindecode network by braindecode's own loop on ``study``'s windows and folds.

    Returns
    -------
    result : dict
        ``accuracy`` ({value, low, high}, interval by subject), ``wall_s``,
        ``epochs`` per fold, ``params``, ``version``, ``class``, ``protocol``.

    Raises
    ------
    ImportError
        Where braindecode does not import.
    """
    import sys

    import numpy as np
    from sklearn.metrics import accuracy_score
    from sklearn.model_selection import GroupShuffleSplit
    from sklearn.utils.class_weight import compute_class_weight

    sys.path.insert(0, str(Path(__file__).parent))
    from _braindecode import import_braindecode

    braindecode = import_braindecode()
    import torch
    from skorch.callbacks import EarlyStopping
    from skorch.dataset import Dataset
    from skorch.helper import predefined_split

    from biosig.datasets import get_source
    from biosig.evaluation import bootstrap_ci
    from biosig.study._data import present_subjects, protocol_subjects, study_windows
    from biosig.study._splits import make_folds

    started = time.perf_counter()
    source = get_source(study.dataset.source, data_dir=data_dir, progress=False, preload=False)
    subjects, sides = protocol_subjects(source, study)
    here, missing = present_subjects(source, subjects, study, True)
    windows, _ = study_windows(study, source, here, False)
    folds = make_folds(study, windows, sides)
    X = np.asarray(windows.X, dtype=np.float32)  # read once; every fold indexes it
    classes, y_all = np.unique(np.asarray(windows.y), return_inverse=True)
    groups = np.asarray(windows.groups).astype(str)
    training = study.training
    predicted = np.empty(len(y_all), int)
    epochs = []
    for k, fold in enumerate(folds):
        train, test = fold.train, fold.test
        fit, val = next(GroupShuffleSplit(1, test_size=0.2, random_state=training.seed).split(
            train, y_all[train], groups[train]))
        fit, val = train[fit], train[val]
        mean = X[fit].mean(axis=(0, 2), keepdims=True)
        std = X[fit].std(axis=(0, 2), keepdims=True) + 1e-8

        def scaled(index):
            return (X[index] - mean) / std

        weight = compute_class_weight("balanced", classes=np.arange(len(classes)), y=y_all[fit])
        torch.manual_seed(training.seed + k)
        module = _PEER_MODULES[network](braindecode, study, X.shape[1:], len(classes),
                                         windows.sfreq)
        net = braindecode.EEGClassifier(
            module, criterion=torch.nn.CrossEntropyLoss,
            criterion__weight=torch.tensor(weight, dtype=torch.float32),
            optimizer=torch.optim.Adam, optimizer__lr=1e-3, batch_size=training.batch_size,
            max_epochs=training.epochs,
            train_split=predefined_split(Dataset(scaled(val), y_all[val])),
            callbacks=[("early_stopping", EarlyStopping(monitor="valid_loss",
                                                         patience=training.patience,
                                                         load_best=True))],
            # as biosig's batches: the last, smaller one left out, unless it is the only one
            iterator_train__drop_last=len(fit) >= training.batch_size, device="cpu", verbose=0)
        net.fit(scaled(fit), y_all[fit])
        epochs.append(len(net.history))
        predicted[test] = net.predict(scaled(test))
    tested = np.concatenate([f.test for f in folds])
    truth, guess = y_all[tested], predicted[tested]
    interval = bootstrap_ci(lambda t, p, s: accuracy_score(t, p), truth, guess, groups[tested],
                            n_resamples=training.bootstrap, random_state=training.seed)["value"]
    return {"accuracy": {"value": accuracy_score(truth, guess), "low": interval[0],
                         "high": interval[1]},
            "wall_s": round(time.perf_counter() - started, 1), "epochs": epochs,
            "params": sum(p.numel() for p in module.parameters() if p.requires_grad),
            "version": braindecode.__version__, "class": type(module).__name__,
            "protocol": ("reduced " if missing else "") + f"{study.split.kind}, "
                        f"{len(here)} subj/rec, {len(folds)} fold(s)"}


def _has_tabulate():
    try:
        import tabulate  # noqa: F401
    except ImportError:
        return False
    return True


if __name__ == "__main__":
    main()
