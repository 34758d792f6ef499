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
    present = ["101", "106", "108", "100", "103", "105"]  # three of DS1, three of DS2
    if ds.missing(present):
        pytest.skip(f"records {ds.missing(present)} are not in the data folder")
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


_LABELS = st.lists(st.tuples(st.sampled_from(["s1", "s2", "s3", "s4"]),
                             st.sampled_from(["T", "E", "X"])), min_size=2, max_size=80)


@settings(max_examples=60, deadline=None)
@given(_LABELS, st.booleans())
def test_session_split_never_mixes_sessions_or_subjects(pairs, per_subject):
    from biosig.evaluation import SessionSplit

    groups = np.array([f"{s}/{t}" for s, t in pairs], dtype=object)
    for tr, te in SessionSplit(["T"], ["E"], per_subject=per_subject).split(groups, groups=groups):
        assert {g.split("/")[1] for g in groups[tr]} == {"T"}
        assert {g.split("/")[1] for g in groups[te]} == {"E"}
        assert not set(groups[tr]) & set(groups[te])
        if per_subject:
            assert len({g.split("/")[0] for g in groups[np.r_[tr, te]]}) == 1


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(list("abcde")), min_size=4, max_size=80),
       st.floats(0.1, 0.9), st.integers(0, 3))
def test_chronological_split_tests_the_end_of_each_record(groups, fraction, gap):
    from biosig.evaluation import ChronologicalSplit

    groups = np.array(sorted(groups))  # windows in time order within each record
    ((tr, te),) = ChronologicalSplit(fraction, gap=gap).split(groups, groups=groups)
    assert not set(tr) & set(te)
    for g in set(groups):
        mine_tr, mine_te = tr[groups[tr] == g], te[groups[te] == g]
        if len(mine_tr) and len(mine_te):
            assert mine_tr.max() + gap < mine_te.min()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(list("abcdef")), st.booleans()), min_size=2,
                max_size=80))
def test_leave_one_seizure_out_tests_each_seizure_record_once(rows):
    from biosig.evaluation import LeaveOneSeizureOut

    groups = np.array([g for g, _ in rows])
    y = np.array(["ictal" if s else "interictal" for _, s in rows])
    if not (y == "ictal").any():
        with pytest.raises(ValueError, match="nothing to leave out"):
            list(LeaveOneSeizureOut().split(groups, y, groups))
        return
    folds = list(LeaveOneSeizureOut().split(groups, y, groups))
    tested = [set(groups[te]) for _, te in folds]
    assert all(len(t) == 1 for t in tested)
    assert {t.pop() for t in tested} == set(groups[y == "ictal"])
    for tr, te in folds:
        assert not set(groups[tr]) & set(groups[te]) and len(tr) + len(te) == len(groups)


def test_leakage_guard_fires_and_can_be_overridden():
    from sklearn.model_selection import GroupKFold, StratifiedKFold

    from biosig.evaluation import LeakageError, check_group_leakage

    X = np.zeros((40, 2))
    y = np.arange(40) % 2
    subjects = np.repeat(["p1", "p2", "p3", "p4"], 10)
    assert check_group_leakage(GroupKFold(4), X, y, subjects) == [[], [], [], []]
    with pytest.raises(LeakageError, match=r"fold 0: 1 group\(s\) on both.*\(p1\).*allow_shared_groups"):
        check_group_leakage(StratifiedKFold(5), X, y, subjects)
    with pytest.warns(UserWarning, match="share groups"):
        shared = check_group_leakage(StratifiedKFold(5), X, y, subjects, allow_shared_groups=True)
    assert shared[0] == ["p1"] and all(shared)
