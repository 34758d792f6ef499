"""``[features]``: what a model reads of each window, as steps of its pipeline."""

import numpy as np

from ._keys import RecipeError
from ._registry import Registry

__all__ = ["EXTRACTORS", "INPUTS", "RR_RHYTHM", "rr_rhythm", "tabular_features"]

INPUTS = Registry("features", "input")
EXTRACTORS = Registry("features", "extractors")


def _bands(study):
    return {k: tuple(v) for k, v in study.features.bands.items()} or None


EXTRACTORS.add("wavelet", describe=None)(
    lambda study, sfreq, ch_names: _features().WaveletFeatures(
        study.features.wavelet, study.features.wavelet_level, ch_names=ch_names))
EXTRACTORS.add("wavelet_packet", describe=None)(
    lambda study, sfreq, ch_names: _features().WaveletPacketEnergy(
        study.features.wavelet, study.features.wavelet_level, ch_names=ch_names))
EXTRACTORS.add("band_power", describe=None)(
    lambda study, sfreq, ch_names: _features().BandPower(sfreq, _bands(study), log=True,
                                                         ch_names=ch_names))
EXTRACTORS.add("differential_entropy", describe=None)(
    lambda study, sfreq, ch_names: _features().DifferentialEntropy(sfreq, _bands(study),
                                                                   ch_names=ch_names))
EXTRACTORS.add("hjorth", describe=None)(
    lambda study, sfreq, ch_names: _features().Hjorth(ch_names=ch_names))
EXTRACTORS.add("spectral_shape", describe=None)(
    lambda study, sfreq, ch_names: _features().SpectralShape(sfreq, ch_names=ch_names))


def _beat_morphology(study, sfreq, ch_names):
    if study.windows.sampler != "beat":
        raise RecipeError(f"{study.path}: [features] 'beat_morphology' reads beat windows: "
                          "it needs [windows] sampler = 'beat'")
    return _features().BeatMorphology(sfreq, -study.windows.options["tmin"], ch_names=ch_names)


EXTRACTORS.add("beat_morphology", describe=None)(_beat_morphology)


def _features():
    from .. import features

    return features


def _union(study, info):
    from sklearn.pipeline import FeatureUnion

    steps = [(name, EXTRACTORS[name].build(study, info.sfreq, info.ch_names))
             for name in study.features.extractors]
    if study.features.tabular:
        steps.append(("tabular", _features().TabularFeatures()))
    return FeatureUnion(steps)


def _describe_input(study):
    f = study.features
    text = {"raw": "raw windows", "scalogram": "CWT scalograms",
            "features": f"features {', '.join(f.extractors)}"
                        + (f" over {f.steps} sub-windows (sequences)" if f.steps > 1 else "")
                        + (", computed inside each fold's pipeline"
                           if f.input == "features" else "")}[f.input]
    if f.tabular:
        text += f" with tabular features {', '.join(f.tabular)}"
    return f"Input: {text}."


@INPUTS.add("raw", describe=_describe_input,
            shape=lambda study, channels, samples: (channels, samples))
def _raw(study, info):
    return []  # the network reads the windows (and their tabular features) itself


def _check_features(study):
    f = study.features
    if not f.extractors:
        raise RecipeError(f"{study.path}: [features] extractors is empty but input = 'features'; "
                          f"allowed values: {', '.join(map(repr, EXTRACTORS.choices()))}")


@INPUTS.add("features", describe=_describe_input, check=_check_features,
            shape=lambda study, channels, samples: (channels, study.features.steps))
def _feature_vectors(study, info):
    if study.features.steps > 1:
        return [("features", _features().SubWindowFeatures(_union(study, info),
                                                           study.features.steps))]
    return [("features", _union(study, info))]


def _freqs(study, sfreq):
    return tuple(study.features.freqs) or tuple(range(2, int(min(40, sfreq / 2)) + 1, 2))


@INPUTS.add("scalogram", describe=_describe_input,
            shape=lambda study, channels, samples: (channels, len(study.features.freqs) or 20,
                                                    samples))
def _scalogram(study, info):
    return [("scalogram", _features().CWTScalogram(info.sfreq, _freqs(study, info.sfreq)))]


def _records(meta):
    """Each window's record, told apart by cohort where two databases share a store."""
    records = meta["record"].astype(str).to_numpy()
    if "cohort" in meta:
        records = meta["cohort"].astype(str).to_numpy() + "/" + records
    return records


#: The columns of :func:`rr_rhythm`.
RR_RHYTHM = ("rr_local_irregularity", "rr_prematurity", "rr_prev_over_local_median")


def rr_rhythm(meta, half):
    """How the beat's previous RR interval sits in the rhythm around it.

    In a steady rhythm a supraventricular beat stands out by coming early;
    in atrial fibrillation every interval is irregular, and an early normal
    beat is no sign of one. Each statistic is a running median over the
    ``2 * half + 1`` beats of the record centred on each beat (its
    neighbours among ``meta``'s rows, in sample order; fewer at the
    record's ends). With ``m`` the running median of ``rr_prev`` and ``d``
    the running median of each beat's ``|rr_prev - m|`` (its distance from
    its own ``m``):

    - ``rr_local_irregularity``: the running median of the absolute
      differences between successive ``rr_prev`` (the record's first beat
      counts 0), over ``m`` (high in atrial fibrillation);
    - ``rr_prematurity``: ``(m - rr_prev) / (d + 0.01 m)``, how many of the
      rhythm's own deviations early the beat comes;
    - ``rr_prev_over_local_median``: ``rr_prev / m``.

    Parameters
    ----------
    meta : pandas.DataFrame
        The beat windows' meta: ``record``, ``sample``, ``rr_prev``, and
        ``cohort`` where two databases share a store.
    half : int
        Beats on either side (a recipe's ``[windows] local_beats``, 10 by
        default: 21 beats, where ``rr_local`` averages 10 intervals).

    Returns
    -------
    values : ndarray of float64, shape (n_windows, 3)
        Columns in the order of ``RR_RHYTHM``.
    """
    import pandas as pd

    def running_median(v):
        return pd.Series(v).rolling(2 * half + 1, center=True, min_periods=1).median().to_numpy()

    samples, intervals = meta["sample"].to_numpy(), meta["rr_prev"].to_numpy(np.float64)
    values = np.empty((len(meta), len(RR_RHYTHM)))
    records = pd.Series(_records(meta))
    for rows in records.groupby(records, sort=False).indices.values():
        rows = rows[np.argsort(samples[rows], kind="stable")]
        rr = intervals[rows]
        m = running_median(rr)
        irregularity = running_median(np.abs(np.diff(rr, prepend=rr[0]))) / m
        deviation = running_median(np.abs(rr - m))
        values[rows] = np.column_stack([irregularity, (m - rr) / (deviation + 0.01 * m), rr / m])
    return values


def tabular_features(study, windows):
    """The tabular features joined to the windows, computed once over the store.

    ``rr``: the sampler's RR intervals and each over the record's mean (the
    ratios carry prematurity across patients with different heart rates).
    ``rr_local_ratios``: the previous and next RR intervals over the local
    mean, and the next over the previous (a premature beat followed by a
    pause), which do not drift with the heart rate within a record.
    ``rr_rhythm``: the rhythm around the beat, over the ``2 * local_beats + 1``
    beat windows of its record centred on it (``local_beats`` per side here,
    where ``rr_local`` takes half of them on each side; see :func:`rr_rhythm`).
    ``beat_template``: each beat's P, QRS and T segments against its record's
    median beat (:class:`~biosig.features.BeatTemplate`).
    An extractor's name: its features of each window. Each is a function of
    the window and of its own record's beats (R peaks, median beat), without
    labels, fitted on nothing: computed before the split, it carries nothing
    from one record to another, and a test record's values come from its own
    beats alone.

    Returns
    -------
    values : ndarray of float32, shape (n_windows, n_features) | None
    names : list of str
    """
    from ..windows import RR_FEATURES, WindowView

    names = study.features.tabular
    if not names:
        return None, []
    blocks, columns = [], []
    for name in names:
        if name == "rr":
            rr = windows.meta[list(RR_FEATURES)].to_numpy(np.float64)
            blocks += [rr, rr[:, :3] / rr[:, 3:]]
            columns += list(RR_FEATURES) + [f"{n}_ratio" for n in RR_FEATURES[:3]]
        elif name == "rr_rhythm":
            blocks.append(rr_rhythm(windows.meta, study.windows.options["local_beats"]))
            columns += list(RR_RHYTHM)
        elif name == "beat_template":
            template = _features().BeatTemplate(windows.sfreq, -study.windows.options["tmin"],
                                                ch_names=windows.ch_names)
            blocks.append(template.fit(windows.X[:1]).transform(windows.X,
                                                                 groups=_records(windows.meta)))
            columns += template.get_feature_names_out().tolist()
        elif name == "rr_local_ratios":
            prev, next_, local = windows.meta[list(RR_FEATURES[:3])].to_numpy(np.float64).T
            blocks.append(np.column_stack([prev / local, next_ / local, next_ / prev]))
            columns += ["rr_prev_over_local", "rr_next_over_local", "rr_next_over_prev"]
        else:
            extractor = EXTRACTORS[name].build(study, windows.sfreq, windows.ch_names)
            view = WindowView(windows.X)
            blocks.append(extractor.fit(view).transform(view))
            columns += extractor.get_feature_names_out().tolist()
    values = np.concatenate(blocks, axis=1)
    bad = ~np.isfinite(values)
    if bad.any():
        rows, cols = np.nonzero(bad)
        records = sorted(set(windows.meta["record"].to_numpy()[rows]))
        raise ValueError(f"features {sorted({columns[c] for c in cols})[:5]} are NaN or infinite "
                         f"in {bad.any(axis=1).sum()} windows of records {records[:10]} "
                         "(a flat signal, a record with fewer than two beats, or two beats "
                         "annotated at one sample)")
    return values.astype(np.float32), columns
