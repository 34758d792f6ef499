"""scikit-learn's estimator checks on every model, with networks small enough to train in a blink.

The checks fit about a hundred times per estimator on tiny tabular data. On
the TensorFlow and JAX backends Keras traces and compiles every new network,
which makes that take minutes per estimator, so the checks run on the PyTorch
backend, which executes eagerly; under any other backend this module runs
itself in a PyTorch subprocess.

A 2-D ``X`` is one single-channel window per row. EEGNet and ShallowConvNet
pool over time with fixed factors from their papers, and the 2-D CNN reads
images (n, channels, scales, time): the checks that fit them on a few columns
cannot apply, are listed with the reason, and still run as expected failures.
"""

import os
import re
import subprocess
import sys

import keras
import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from biosig.models import (
    RBM,
    AutoencoderAnomalyDetector,
    BiLSTMClassifier,
    CNN1DClassifier,
    CNN2DClassifier,
    DBNClassifier,
    EEGNetClassifier,
    ShallowConvNetClassifier,
)

_FAST = dict(epochs=4, batch_size=64, learning_rate=0.05, validation_fraction=0,
             random_state=0, verbose=0)

# The contract lives in the shared bases; one estimator per fit path keeps the
# checks within the suite's time: plain networks of each input kind (1-D, recurrent,
# EEG, 2-D), layer-wise pretraining (the DBN; the SDAE shares its path), the anomaly
# detector and the RBM. The CNN-LSTM is a BiLSTM with convolutions before it.
ESTIMATORS = [
    CNN1DClassifier(filters=(4,), kernel_size=3, dense_units=8, dropout=0.0, **_FAST),
    BiLSTMClassifier(units=(4,), dropout=0.0, **_FAST),
    DBNClassifier(hidden_layer_sizes=(8,), pretrain_epochs=2, **_FAST),
    EEGNetClassifier(F1=2, D=1, F2=2, kernel_length=4, **_FAST),
    ShallowConvNetClassifier(n_filters=2, kernel_length=4, pool_length=8, pool_stride=4, **_FAST),
    CNN2DClassifier(filters=(4,), dense_units=8, **_FAST),
    AutoencoderAnomalyDetector(hidden_layer_sizes=(4,), epochs=5, batch_size=64,
                               random_state=0),
    RBM(4, visible="gaussian", n_iter=2, random_state=0),
]

# The checks that fit on 1-10 columns.
_FIT_ON_FEW_COLUMNS = (
    "check_classifier_data_not_an_array", "check_classifiers_classes",
    "check_classifiers_train", "check_class_weight_classifiers", "check_dict_unchanged",
    "check_dont_overwrite_parameters", "check_dtype_object", "check_estimators_dtypes",
    "check_estimators_fit_returns_self", "check_estimators_nan_inf",
    "check_estimators_overwrite_params", "check_estimators_pickle",
    "check_f_contiguous_array_estimator", "check_fit2d_1feature", "check_fit2d_predict1d",
    "check_fit_check_is_fitted", "check_fit_idempotent", "check_fit_score_takes_y",
    "check_methods_sample_order_invariance", "check_methods_subset_invariance",
    "check_n_features_in", "check_n_features_in_after_fitting", "check_pipeline_consistency",
    "check_positive_only_tag_during_fit", "check_readonly_memmap_input",
    "check_supervised_y_2d",
)
_NOT_APPLICABLE = {
    EEGNetClassifier: "EEGNet pools time by 4 then 8 (Lawhern 2018): it needs >= 32 samples",
    ShallowConvNetClassifier: "ShallowConvNet needs a window at least as long as its "
                              "temporal kernel plus one mean pool",
    CNN2DClassifier: "the 2-D CNN reads images (n, channels, scales, time), not rows",
}


def _expected_failures(estimator):
    reason = _NOT_APPLICABLE.get(type(estimator))
    return dict.fromkeys(_FIT_ON_FEW_COLUMNS, reason) if reason else {}


if keras.backend.backend() == "torch":

    @parametrize_with_checks(ESTIMATORS, expected_failed_checks=_expected_failures)
    def test_sklearn_estimator_checks(estimator, check):
        check(estimator)

else:

    def test_sklearn_estimator_checks_on_the_torch_backend():
        pytest.importorskip("torch", reason="the checks run on PyTorch: pip install torch")
        out = subprocess.run(
            [sys.executable, "-m", "pytest", __file__, "-q", "-p", "no:cacheprovider", "-n", "0",
             "--durations=0", "-W", "ignore::sklearn.exceptions.SkipTestWarning"],
            # one process and one thread: these networks are tiny, the suite's other worker
            # has the other core, and more workers would each pay torch's import (about 20 s
            # of CPU for two)
            env=dict(os.environ, KERAS_BACKEND="torch", OMP_NUM_THREADS="1"),
            capture_output=True, text=True,
            timeout=900)
        summary = out.stdout.strip().splitlines()[-1] if out.stdout.strip() else ""
        assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-2000:]
        assert re.search(r"\d+ passed", summary) and not re.search(r"\d+ failed", summary), summary
