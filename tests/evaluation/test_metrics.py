import numpy as np
import pytest
from sklearn.metrics import f1_score, precision_score, recall_score, roc_auc_score

from biosig.evaluation import classification_metrics


def test_agrees_with_sklearn_on_random_predictions():
    rng = np.random.default_rng(0)
    classes = ["F", "N", "S", "V"]
    y_true = rng.choice(classes, 500, p=[0.05, 0.7, 0.1, 0.15])
    proba = rng.dirichlet(np.ones(4), 500)
    y_pred = np.array(classes)[proba.argmax(1)]
    labels = ["N", "S", "V", "F"]
    m = classification_metrics(y_true, y_pred, proba, labels=labels, classes=classes)
    se = recall_score(y_true, y_pred, labels=labels, average=None)
    ppv = precision_score(y_true, y_pred, labels=labels, average=None)
    f1 = f1_score(y_true, y_pred, labels=labels, average=None)
    for i, label in enumerate(labels):
        assert m["per_class"][label]["sensitivity"] == pytest.approx(se[i])
        assert m["per_class"][label]["ppv"] == pytest.approx(ppv[i])
        assert m["per_class"][label]["f1"] == pytest.approx(f1[i])
        auc = roc_auc_score(y_true == label, proba[:, classes.index(label)])
        assert m["per_class"][label]["auc"] == pytest.approx(auc)
    assert m["macro_f1"] == pytest.approx(f1_score(y_true, y_pred, average="macro"))
    assert m["macro_auc"] == pytest.approx(
        roc_auc_score(y_true, proba, multi_class="ovr", average="macro", labels=classes))
    assert np.sum(m["confusion_matrix"]) == 500


def test_absent_class_is_undefined_not_zero():
    y_true = ["N", "N", "V", "V"]
    y_pred = ["N", "S", "V", "N"]
    m = classification_metrics(y_true, y_pred, labels=["N", "S", "V"])
    assert m["per_class"]["S"]["sensitivity"] is None
    assert m["per_class"]["S"]["support"] == 0
    assert m["per_class"]["S"]["ppv"] == 0.0
    # macro F1 averages the classes present in the test set
    assert m["macro_f1"] == pytest.approx(np.mean([1 / 2, 2 / 3]))  # N: P=R=1/2; V: P=1, R=1/2
    assert m["per_class"]["N"]["specificity"] == pytest.approx(1 / 2)
