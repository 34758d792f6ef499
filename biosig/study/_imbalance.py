"""``[training] imbalance``: how a rare class is given its weight in training."""

from ._registry import Registry

__all__ = ["IMBALANCE"]

IMBALANCE = Registry("training", "imbalance")


def _none(study):
    return {"class_weight": None, "loss": None, "sampler": None}


IMBALANCE.add("none", describe=lambda study: "Imbalance: none (plain cross-entropy).",
              feature_vectors=False)(_none)
IMBALANCE.add("class_weight",
              describe=lambda study: "Imbalance: class_weight (each class is weighted by the "
                                     "inverse of its frequency on the training side).",
              feature_vectors=False)(lambda study: {**_none(study), "class_weight": "balanced"})
IMBALANCE.add("focal", describe=lambda study: "Imbalance: focal (focal loss, gamma 2).",
              feature_vectors=False)(lambda study: {**_none(study), "loss": "focal"})


@IMBALANCE.add("balanced_batches",
               describe=lambda study: "Imbalance: balanced_batches (every epoch draws batches "
                                      "with the classes oversampled to balance).",
               feature_vectors=False)
def _balanced_batches(study):
    from imblearn.over_sampling import RandomOverSampler

    return {**_none(study), "sampler": RandomOverSampler(random_state=study.training.seed)}


def _resampler(name, module, class_name):
    """A sampler of feature vectors, applied to the training part after the early-stopping split."""

    @IMBALANCE.add(name, feature_vectors=True,
                   describe=lambda study: (
                       f"Imbalance: {name} ({class_name} on the feature vectors of the training "
                       "part of each fit, after its early-stopping split: validation and test "
                       "windows are never resampled)."))
    def build(study):
        import importlib

        cls = getattr(importlib.import_module(f"imblearn.{module}"), class_name)
        return {**_none(study), "sampler": cls(random_state=study.training.seed)}

    return build


_resampler("smote", "over_sampling", "SMOTE")
_resampler("adasyn", "over_sampling", "ADASYN")
_resampler("random_under", "under_sampling", "RandomUnderSampler")
_resampler("smoteenn", "combine", "SMOTEENN")
