import numpy as np
import pytest

from biosig.datasets import read_wfdb
from biosig.features import BeatTemplate
from biosig.windows import BeatSampler

SFREQ = 360.0


def _beats(n_normal, n_odd, odd, p_height=0.15, size=1.0, rng=None):
    """Beat windows (-0.25 s to 0.45 s at 360 Hz) of one record: a P wave, a QRS and a
    T wave; ``odd`` beats lose the P wave ("p") or widen the QRS ("qrs")."""
    t = np.arange(252) / SFREQ - 0.25
    rng = rng or np.random.default_rng(0)

    def beat(p, qrs_width):
        return size * (p * np.exp(-((t + 0.16) / 0.025) ** 2)
                       + np.exp(-(t / qrs_width) ** 2) + 0.3 * np.exp(-((t - 0.25) / 0.05) ** 2))

    normal = beat(p_height, 0.012)
    other = beat(0.0, 0.012) if odd == "p" else beat(p_height, 0.04)
    X = np.stack([normal] * n_normal + [other] * n_odd)[:, None, :]
    return X + 0.002 * size * rng.standard_normal(X.shape)


def test_an_odd_segment_stands_out_against_the_records_median_beat():
    X = _beats(40, 5, "p")
    template = BeatTemplate(SFREQ, ch_names=["MLII"]).fit(X)
    # P before -50 ms, QRS to +100 ms, T after: at 360 Hz, with the R peak at sample 90
    np.testing.assert_array_equal(template.bounds_, [0, 72, 126, 252])
    Z = template.transform(X, groups=np.zeros(len(X)))
    names = template.get_feature_names_out().tolist()
    assert names == [f"MLII_{s}_{k}" for s in ("p", "qrs", "t")
                     for k in ("correlation", "difference")]
    f = dict(zip(names, Z.T))
    assert Z.dtype == np.float32 and Z.shape == (45, 6)
    # the normal beats are the median beat; the P-less ones differ in their P segment only
    assert (f["MLII_p_correlation"][:40] > 0.95).all() and (f["MLII_p_correlation"][40:] < 0.5).all()
    assert (f["MLII_qrs_correlation"] > 0.99).all() and (f["MLII_t_correlation"] > 0.99).all()
    assert f["MLII_p_difference"][40:].min() > 10 * f["MLII_p_difference"][:40].max()

    wide = _beats(40, 5, "qrs")
    f = dict(zip(names, template.transform(wide, groups=np.zeros(len(wide))).T))
    assert (f["MLII_qrs_correlation"][40:] < 0.9).all()
    assert f["MLII_qrs_difference"][40:].min() > 10 * f["MLII_qrs_difference"][:40].max()


def test_each_record_is_compared_with_its_own_median_beat_whatever_its_size():
    small = _beats(30, 3, "p", size=0.2, rng=np.random.default_rng(1))
    large = _beats(30, 3, "p", size=3.0, rng=np.random.default_rng(1))  # the same noise
    X, groups = np.concatenate([small, large]), np.repeat(["100", "200"], 33)
    template = BeatTemplate(SFREQ).fit(X)
    together = template.transform(X, groups=groups)
    np.testing.assert_allclose(together[:33], template.transform(small, groups=groups[:33]))
    # in units of the record's own QRS, the same beats give the same features
    np.testing.assert_allclose(together[:33], together[33:], rtol=1e-4, atol=1e-6)
    # the rows' order does not matter
    order = np.random.default_rng(3).permutation(len(X))
    np.testing.assert_allclose(template.transform(X[order], groups=groups[order]), together[order])


def test_the_difference_is_in_units_of_the_median_beats_qrs():
    """A beat a times the record's median beat differs from it by |1 - a| times the
    segment's root mean square, over the median beat's QRS root mean square about its
    mean."""
    usual = _beats(1, 0, "p", rng=np.random.default_rng(4))[0]
    X = np.stack([usual] * 5 + [1.5 * usual])
    Z = BeatTemplate(SFREQ).fit_transform(X, groups=np.zeros(6))
    qrs = usual[0, 72:126]
    scale = np.sqrt(np.mean((qrs - qrs.mean()) ** 2))
    for k, (lo, hi) in enumerate([(0, 72), (72, 126), (126, 252)]):
        expected = 0.5 * np.sqrt(np.mean(usual[0, lo:hi] ** 2)) / scale
        assert Z[5, 2 * k + 1] == pytest.approx(expected, rel=1e-5)
        assert Z[5, 2 * k] == pytest.approx(1.0)
        assert Z[0, 2 * k + 1] == 0.0


def test_errors_name_what_is_wrong():
    X = _beats(5, 0, "p")
    with pytest.raises(ValueError, match="P segment before it"):
        BeatTemplate(SFREQ, peak_time=0.02).fit(X)
    with pytest.raises(ValueError, match="sfreq"):
        BeatTemplate(0).fit(X)
    with pytest.raises(ValueError, match="record .groups. of each of the 5 windows"):
        BeatTemplate(SFREQ).fit(X).transform(X)
    with pytest.raises(ValueError, match="fitted on windows of"):
        BeatTemplate(SFREQ).fit(X).transform(X[..., :200], groups=np.zeros(5))
    with pytest.raises(ValueError, match="shape"):
        BeatTemplate(SFREQ).fit(X[:, 0])
    with pytest.raises(ValueError, match="2 ch_names for windows of 1 channels"):
        BeatTemplate(SFREQ, ch_names=["MLII", "V1"]).fit(X)
    fitted = BeatTemplate(SFREQ).fit(X)
    with pytest.raises(ValueError, match="T segment after it"):
        fitted.set_params(qrs=(-0.05, 0.45)).fit(X[..., :200])
    assert fitted.n_times_ == 252  # a refused refit leaves the fitted shape as it was


def test_on_a_real_record(mitdb_dir):
    """Record 119 (MLII), whose ventricular beats have another QRS than its normal ones."""
    windows = BeatSampler(-0.25, 0.45, channels=["MLII"], progress=False).sample(
        [read_wfdb(mitdb_dir / "119")])
    Z = BeatTemplate(windows.sfreq).fit_transform(windows.X, groups=windows.meta["record"])
    normal, ventricular = Z[windows.y == "N"], Z[windows.y == "V"]
    assert len(normal) > 1500 and len(ventricular) > 400
    # QRS correlation and difference (columns 2 and 3), medians over each class
    assert np.median(normal[:, 2]) > 0.98 and np.median(ventricular[:, 2]) < 0.8
    assert np.median(ventricular[:, 3]) > 5 * np.median(normal[:, 3])
