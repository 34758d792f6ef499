"""The scikit-learn estimator one fold trains: an imblearn pipeline of a study's parts."""

import inspect
from dataclasses import dataclass

import numpy as np
from sklearn import config_context
from sklearn.base import clone
from sklearn.ensemble import VotingClassifier

from ._inputs import INPUTS
from ._keys import RecipeError
from ._models import MODELS

__all__ = ["WindowInfo", "check_model_fits", "make_estimator"]

#: The metadata that carries each window's subject to the alignment, in fit and predict.
SUBJECT = "subject"


@dataclass(frozen=True)
class WindowInfo:
    """What the pipeline must know of the windows before it sees them."""

    sfreq: float
    ch_names: list
    shape: tuple  # (n_channels, n_samples)


def _model(study, window_shape=None, callbacks=None, sfreq=None):
    option = MODELS[study.model.name]
    params = study.model_params()
    if params.get("augmentation"):
        from ..models._augment import with_sfreq

        # baseline wander's and frequency shift's frequencies are in Hz: they take the windows' rate
        params["augmentation"] = with_sfreq(params["augmentation"], sfreq)
    accepted = option.build().get_params()
    if window_shape is not None and "window_shape" in accepted:
        params["window_shape"] = tuple(window_shape)
    if callbacks:
        params["callbacks"] = list(callbacks)
    model = option.build(**{k: v for k, v in params.items() if k in accepted})
    if "groups" in inspect.signature(model.fit).parameters:
        with config_context(enable_metadata_routing=True):
            model = model.set_fit_request(groups=True)
    n, seed = study.training.ensemble, study.training.seed
    if n == 1:
        return model
    # clone keeps each member's metadata requests (its early-stopping groups)
    return VotingClassifier([(f"seed_{s}", clone(model).set_params(random_state=s))
                             for s in range(seed, seed + n)], voting="soft")


def _per_subject(name, transformer):
    """A pipeline step given each window's subject (``subject`` metadata) in fit and transform."""
    with config_context(enable_metadata_routing=True):
        return (name, transformer.set_fit_request(groups=SUBJECT)
                .set_transform_request(groups=SUBJECT))


def make_estimator(study, info, callbacks=None):
    """The estimator a fold trains, from its recipe.

    ``[features]`` steps (feature extractors run inside the pipeline, on the
    training side of the fold only), then the model; the imbalance setting
    lives in the model (class weights, focal loss, or a sampler applied to
    its training part after its early-stopping split); with
    ``threshold_class``, the whole is wrapped in a
    :class:`~biosig.training.ClassThresholdClassifier`. ``groups`` reach the
    model (its early-stopping split) through scikit-learn's metadata routing.
    With ``[features] align``, an alignment step comes first; it takes each
    window's subject as the ``subject`` metadata, in ``fit`` and in
    ``predict_proba`` alike (a test subject is aligned on its own trials);
    so does the scaling of each subject's feature vectors (``[features]
    scale``), which comes after them.

    Parameters
    ----------
    study : Study
    info : WindowInfo
    callbacks : list of keras.callbacks.Callback | None
        Given to the network (e.g. a progress bar).

    Returns
    -------
    estimator : imblearn.pipeline.Pipeline | ClassThresholdClassifier
    """
    from imblearn.pipeline import Pipeline

    from .. import features

    f = study.features
    steps = INPUTS[f.input].build(study, info)
    if f.align == "euclidean":
        steps = [_per_subject("align", features.EuclideanAlignment()), *steps]
    if f.scale == "subject":
        steps = [*steps, _per_subject("scale", features.GroupScaler())]
    estimator = Pipeline([*steps, ("model", _model(study, callbacks=callbacks,
                                                    sfreq=info.sfreq))])
    target = study.training.threshold_class
    if target:
        from ..training import ClassThresholdClassifier

        estimator = ClassThresholdClassifier(
            estimator, target, cv=study.training.threshold_cv or None,
            validation_fraction=study.training.validation_fraction,
            random_state=study.training.seed)
    return estimator


def fitted_model(estimator):
    """The trained classifier inside a fitted estimator of :func:`make_estimator`."""
    if hasattr(estimator, "estimator_"):
        estimator = estimator.estimator_
    return estimator.steps[-1][1] if hasattr(estimator, "steps") else estimator


def first_network(model):
    """A fitted model's network: an ensemble's first member, else the model itself."""
    return model.estimators_[0] if isinstance(model, VotingClassifier) else model


def check_model_fits(study, n_channels, n_samples):
    """Build the network on the recipe's window shape; explain a mismatch.

    Raises
    ------
    RecipeError
        Naming the file, the model and the [windows] keys that set the shape.
    """
    import keras

    f = study.features
    if (f.input == "features" and f.steps == 1) or not MODELS[study.model.name].network:
        return
    shape = INPUTS[f.input].shape(study, n_channels, n_samples)
    model = _model(study)
    if isinstance(model, VotingClassifier):  # an ensemble: its members share one shape
        model = model.estimators[0][1]
    keys = "length" if study.windows.sampler == "sliding" else "tmin/tmax"
    windows = np.random.default_rng(0).standard_normal((2, *shape)).astype(np.float32)
    try:
        stats = {"signal": (np.zeros(shape[0]), np.ones(shape[0]))}
        network = model._build(shape, 0, 2, stats)
        network({"signal": windows[:1]})
    except Exception as err:  # Keras raises ValueError, or backend errors on empty axes
        params = ", ".join(f"{k} = {v!r}" for k, v in study.model.params.items())
        raise RecipeError(
            f"{study.path}: [model] name = {study.model.name!r} ({params or 'defaults'}) does "
            f"not fit windows of {shape[-1]} samples x {n_channels} channels from [windows] "
            f"{keys}: {str(err).splitlines()[0][:200]}. Lengthen the windows, or shrink the "
            "model's kernels and pools") from None
    finally:
        keras.backend.clear_session()
