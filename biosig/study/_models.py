"""``[model] name``: the estimators a recipe can train, and what input each takes."""

from ._registry import Registry

__all__ = ["MODELS"]

MODELS = Registry("model", "name")

#: [training] keys that set estimator parameters of the same name.
TRAINING_TO_MODEL = ("epochs", "batch_size", "learning_rate", "validation_fraction", "patience")
#: Estimator parameters set by biosig itself, from [training], the imbalance or the windows.
MANAGED = set(TRAINING_TO_MODEL) | {"window_shape", "callbacks", "random_state", "verbose",
                                    "class_weight", "loss", "sampler"}


def _describe(study):
    params = ", ".join(f"{k}={v}" for k, v in study.model.params.items())
    return f"Model: {study.model.name}" + (f" ({params})" if params else "") + "."


def _entry(name, class_name, inputs, *, tabular=False, sequences=False, network=True,
           describe=_describe):
    """Register the biosig estimator ``class_name`` under ``name``.

    ``network``: a Keras network (built on the window shape before the run,
    early stopping, ``model.keras``); False for a classical estimator.
    """

    @MODELS.add(name, describe=describe, inputs=inputs, tabular=tabular, sequences=sequences,
                network=network, class_name=class_name)
    def build(**params):
        from .. import models

        return getattr(models, class_name)(**params)

    return build


_entry("cnn1d", "CNN1DClassifier", ("raw",), tabular=True)
_entry("ra_cnn", "ResidualAttentionCNNClassifier", ("raw",), tabular=True)
_entry("mpcnn", "MultiPerspectiveCNNClassifier", ("raw",), tabular=True)
_entry("eegnet", "EEGNetClassifier", ("raw",))
_entry("shallow_convnet", "ShallowConvNetClassifier", ("raw",))
_entry("deep4net", "Deep4NetClassifier", ("raw",))
_entry("eeg_tcnet", "EEGTCNetClassifier", ("raw",))
_entry("atcnet", "ATCNetClassifier", ("raw",))
_entry("eeg_conformer", "EEGConformerClassifier", ("raw",))
_entry("bilstm", "BiLSTMClassifier", ("raw", "features"), sequences=True)
_entry("cnn_lstm", "CNNLSTMClassifier", ("raw",))
_entry("cnn2d", "CNN2DClassifier", ("scalogram",))
_entry("dbn", "DBNClassifier", ("features",), tabular=True)
_entry("sdae", "StackedDenoisingAutoencoderClassifier", ("features",), tabular=True)


def _params(study):
    """The recipe's ``[model]`` keys over the estimator's own defaults."""
    return {**model_class(study.model.name)().get_params(), **study.model.params}


def _describe_tangent_space(study):
    p = _params(study)
    return (f"Model: tangent_space (pyRiemann: {p['estimator']} covariance of each window, "
            f"projected onto the tangent space at the {p['metric']} mean of the training "
            f"covariances; logistic regression, C = {p['C']}).")


# keys: estimator ("oas"), metric ("riemann"), C (1.0), max_iter; see TangentSpaceClassifier
_entry("tangent_space", "TangentSpaceClassifier", ("raw",), network=False,
       describe=_describe_tangent_space)


def _describe_lda(study):
    p = _params(study)
    return (f"Model: lda (linear discriminants on the feature vectors, as de Chazal 2004; "
            f"{p['solver']} solver, shrinkage {p['shrinkage']}; the class weights set the "
            f"priors).")


# keys: solver ("lsqr"), shrinkage ("auto", a float or "none"); see LinearDiscriminantClassifier
_entry("lda", "LinearDiscriminantClassifier", ("features",), tabular=True, network=False,
       describe=_describe_lda)


def model_class(name):
    """The estimator class of a recipe model name."""
    from .. import models

    return getattr(models, MODELS[name].class_name)
