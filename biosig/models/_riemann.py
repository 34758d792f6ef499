"""The Riemannian tangent-space classifier: pyRiemann's covariances, tangent space, then
logistic regression."""

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from threadpoolctl import threadpool_limits
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted

__all__ = ["TangentSpaceClassifier"]


class TangentSpaceClassifier(ClassifierMixin, BaseEstimator):
    """Trial covariances, their Riemannian tangent space, and a logistic regression.

    The strongest classical baseline of motor-imagery decoding in MOABB
    (Barachant et al. 2012, "Multiclass brain-computer interface
    classification by Riemannian geometry"; Jayaram & Barachant 2018): each
    window's spatial covariance
    (:class:`pyriemann.estimation.Covariances`) is projected onto the
    tangent space at the mean of the training covariances
    (:class:`pyriemann.tangentspace.TangentSpace`), and a
    :class:`sklearn.linear_model.LogisticRegression` classifies the
    vectors. A thin scikit-learn face over pyRiemann, so that a recipe can
    name it (``[model] name = "tangent_space"``) and it reads windows and
    :class:`~biosig.windows.WindowView` as the networks do. Its linear
    algebra runs on one BLAS thread: the matrices are one trial's, small,
    and threads only cost (measured on 2 busy cores, 400 trials of 64
    channels: covariances 16.3 s on the default threads, 0.7 s on one).

    Parameters
    ----------
    estimator : str
        Covariance estimator of :class:`~pyriemann.estimation.Covariances`:
        ``"oas"`` (Oracle Approximating Shrinkage, well conditioned for 64
        channels), ``"lwf"``, ``"scm"``, ``"sch"``, ``"corr"``, ...
    metric : str
        Metric of the tangent space's reference point and log map:
        ``"riemann"`` (affine-invariant), ``"logeuclid"`` or ``"euclid"``.
    C : float
        Inverse regularisation strength of the logistic regression.
    max_iter : int
        Iterations of the logistic regression's solver.
    class_weight : "balanced" | dict | None
        Class weights of the logistic regression (set by a recipe's
        ``[training] imbalance = "class_weight"``).
    random_state : int | None
        Given to the logistic regression (its lbfgs solver is
        deterministic; kept for the other solvers and for the study engine).

    Attributes
    ----------
    classes_ : ndarray
    pipeline_ : sklearn.pipeline.Pipeline
        The fitted ``Covariances`` -> ``TangentSpace`` -> ``LogisticRegression``.
    n_channels_ : int
    n_features_in_ : int
        Length of the tangent vectors: ``C (C + 1) / 2`` for ``C`` channels.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((60, 3, 200))
    >>> y = np.repeat(["a", "b"], 30)
    >>> X[y == "b", 0] *= 3  # class b: more power on channel 0
    >>> model = TangentSpaceClassifier().fit(X, y)
    >>> float(model.score(X, y)) > 0.9
    True
    """

    def __init__(self, estimator="oas", metric="riemann", C=1.0, max_iter=1000,
                 class_weight=None, random_state=None):
        self.estimator = estimator
        self.metric = metric
        self.C = C
        self.max_iter = max_iter
        self.class_weight = class_weight
        self.random_state = random_state

    @staticmethod
    def _windows(X):
        if np.ndim(X) != 3:
            raise ValueError("TangentSpaceClassifier expects windows of shape (n_windows, "
                             f"n_channels, n_samples), got shape {np.shape(X)}")
        X = np.asarray(X, dtype=np.float64)
        if not np.isfinite(X).all():
            raise ValueError("TangentSpaceClassifier: the windows hold NaN or infinite values")
        return X

    def fit(self, X, y):
        """Estimate the covariances, the tangent space at their mean, and the regression.

        Parameters
        ----------
        X : ndarray, shape (n_windows, n_channels, n_samples) | WindowView
        y : array-like, shape (n_windows,)

        Returns
        -------
        self
        """
        from pyriemann.estimation import Covariances
        from pyriemann.tangentspace import TangentSpace
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline

        X = self._windows(X)
        y = np.asarray(y)
        check_classification_targets(y)
        if len(y) != len(X):
            raise ValueError(f"TangentSpaceClassifier: {len(y)} labels for {len(X)} windows")
        self.pipeline_ = make_pipeline(
            Covariances(estimator=self.estimator), TangentSpace(metric=self.metric),
            LogisticRegression(C=self.C, max_iter=self.max_iter, class_weight=self.class_weight,
                               random_state=self.random_state))
        with threadpool_limits(1, user_api="blas"):
            self.pipeline_.fit(X, y)
        self.classes_ = self.pipeline_.classes_
        self.n_channels_ = X.shape[1]
        self.n_features_in_ = self.n_channels_ * (self.n_channels_ + 1) // 2
        return self

    def _checked(self, X):
        check_is_fitted(self, "pipeline_")
        X = self._windows(X)
        if X.shape[1] != self.n_channels_:
            raise ValueError(f"TangentSpaceClassifier was fitted on {self.n_channels_} channels, "
                             f"got {X.shape[1]}")
        return X

    def predict_proba(self, X):
        """Class probabilities of every window.

        Parameters
        ----------
        X : ndarray, shape (n_windows, n_channels, n_samples) | WindowView

        Returns
        -------
        proba : ndarray, shape (n_windows, n_classes)
            Columns in the order of ``classes_``.
        """
        X = self._checked(X)
        with threadpool_limits(1, user_api="blas"):
            return self.pipeline_.predict_proba(X)

    def predict(self, X):
        """The most probable class of every window.

        Parameters
        ----------
        X : ndarray, shape (n_windows, n_channels, n_samples) | WindowView

        Returns
        -------
        labels : ndarray, shape (n_windows,)
        """
        X = self._checked(X)
        with threadpool_limits(1, user_api="blas"):
            return self.pipeline_.predict(X)
