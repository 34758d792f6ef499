import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from biosig.datasets import MITBIHArrhythmia
from biosig.evaluation import InterPatientSplit


@settings(max_examples=50, deadline=None)
@given(st.lists(st.sampled_from(list("abcdefgh")), min_size=2, max_size=60),
       st.sets(st.sampled_from(list("abcdefgh")), min_size=1, max_size=4))
def test_no_group_on_both_sides(groups, train):
    test = set("abcdefgh") - train
    groups = np.array(groups)
    if not (np.isin(groups, list(train)).any() and np.isin(groups, list(test)).any()):
        return
    (tr, te), = InterPatientSplit(sorted(train), sorted(test)).split(groups, groups=groups)
    assert not set(groups[tr]) & set(groups[te])
    assert set(groups[tr]) <= train and set(groups[te]) <= test
    assert len(tr) + len(te) == len(groups)


def test_ds1_ds2_on_real_records(data_dir):
    from biosig.windows import BeatSampler

    ds = MITBIHArrhythmia(data_dir, progress=False)
    missing = ds.missing()
    present = ([r for r in ds.DS1 if r not in missing][:3]
               + [r for r in ds.DS2 if r not in missing][:3])
    if not set(present) & set(ds.DS1) or not set(present) & set(ds.DS2):
        pytest.skip("no DS1 or no DS2 record in the data folder")
    w = BeatSampler(progress=False).sample(ds.load(present, channels=["MLII"]))
    records = w.meta["record"].to_numpy()
    (tr, te), = InterPatientSplit(ds.DS1, ds.DS2).split(w.X, w.y, records)
    assert set(records[tr]) == set(present) & set(ds.DS1)
    assert set(records[te]) == set(present) & set(ds.DS2)


def test_errors():
    X = np.zeros(4)
    with pytest.raises(ValueError, match=r"both sides of the split: \['b'\]"):
        list(InterPatientSplit(["a", "b"], ["b"]).split(X, groups=list("abab")))
    with pytest.raises(ValueError, match="needs groups"):
        list(InterPatientSplit(["a"], ["b"]).split(X))
    with pytest.raises(ValueError, match="no window belongs to the test groups"):
        list(InterPatientSplit(["a"], ["z"]).split(X, groups=list("aaaa")))
    assert InterPatientSplit(["a"], ["b"]).get_n_splits() == 1
