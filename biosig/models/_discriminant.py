"""Linear discriminants on feature vectors, weighted by class: de Chazal's ECG baseline."""

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

__all__ = ["LinearDiscriminantClassifier"]


class LinearDiscriminantClassifier(ClassifierMixin, BaseEstimator):
    """Linear discriminant analysis whose class priors carry the class weights.

    The classifier of de Chazal, O'Dwyer & Reilly (2004, "Automatic
    classification of heartbeats using ECG morphology and heartbeat interval
    features"), the reference of the inter-patient MIT-BIH protocol: one
    mean per class, one within-class covariance, and training windows
    weighted so that every class counts alike. Weighting every window of a
    class by one factor leaves the class means unchanged and moves the
    prior and that class's share of the within-class covariance; so
    ``class_weight`` sets the priors of
    :class:`sklearn.discriminant_analysis.LinearDiscriminantAnalysis`, whose
    ``lsqr`` and ``eigen`` solvers sum the classes' covariances weighted by
    the priors (``"balanced"``: equal priors, every class's covariance
    counts alike; the ``svd`` solver pools the windows unweighted). A thin
    face over scikit-learn, so that a recipe can name it (``[model] name =
    "lda"``) beside the networks and take the same imbalance settings.

    Parameters
    ----------
    solver : {"lsqr", "eigen", "svd"}
        Solver of :class:`~sklearn.discriminant_analysis.LinearDiscriminantAnalysis`.
    shrinkage : "auto" | float | "none" | None
        Shrinkage of each class's covariance before they are summed
        (``"auto"``: Ledoit-Wolf on the standardised features); ``"none"``
        or None for none, as ``solver="svd"`` needs.
    class_weight : "balanced" | dict | None
        ``"balanced"``: equal priors; a dict ``{class: weight}`` of
        positive weights (1 for a class it leaves out): priors in
        proportion to each class's count times its weight; None: the
        classes' frequencies.
    sampler : imblearn sampler | None
        Resamples the training feature vectors before the fit (``SMOTE()``,
        ``RandomUnderSampler()``, ...); the priors then follow the resampled
        counts and ``class_weight``.
    random_state : int | None
        Unused by the discriminant (its fit is deterministic); kept so that
        the study engine sets every model's seed alike. A sampler has its
        own.

    Attributes
    ----------
    classes_ : ndarray, shape (n_classes,)
        The class labels, sorted.
    priors_ : ndarray, shape (n_classes,)
        The priors the discriminant was fitted with.
    discriminant_ : sklearn.discriminant_analysis.LinearDiscriminantAnalysis
        The fitted discriminant (its ``covariance_``, ``coef_``, ...).
    n_features_in_ : int
        Length of the feature vectors seen in ``fit``.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((300, 4))
    >>> y = np.where(np.arange(300) < 270, "N", "S")
    >>> X[y == "S", 0] += 2.0
    >>> model = LinearDiscriminantClassifier(class_weight="balanced").fit(X, y)
    >>> model.priors_.tolist()
    [0.5, 0.5]
    """

    def __init__(self, solver="lsqr", shrinkage="auto", *, class_weight=None, sampler=None,
                 random_state=None):
        self.solver = solver
        self.shrinkage = shrinkage
        self.class_weight = class_weight
        self.sampler = sampler
        self.random_state = random_state

    def _priors(self, classes, counts):
        weight = self.class_weight
        if weight is None:
            return counts / counts.sum()
        if isinstance(weight, str):
            if weight != "balanced":
                raise ValueError(f"LinearDiscriminantClassifier: class_weight={weight!r}; "
                                 "expected 'balanced', a dict or None")
            return np.full(len(classes), 1.0 / len(classes))
        unknown = set(weight) - set(classes.tolist())
        if unknown:
            raise ValueError(f"LinearDiscriminantClassifier: class_weight names classes "
                             f"{sorted(map(str, unknown))} that the labels do not hold")
        factors = np.array([weight.get(c, 1.0) for c in classes], dtype=float)
        if not (np.isfinite(factors).all() and (factors > 0).all()):
            raise ValueError("LinearDiscriminantClassifier: class_weight must give each class "
                             f"a finite positive weight, got {weight!r}")
        mass = counts * factors
        return mass / mass.sum()

    def fit(self, X, y):
        """Fit the discriminant on (optionally resampled) feature vectors.

        Parameters
        ----------
        X : array-like, shape (n_windows, n_features)
        y : array-like, shape (n_windows,)

        Returns
        -------
        self : LinearDiscriminantClassifier
        """
        X, y = validate_data(self, X, y, dtype=[np.float64, np.float32])
        check_classification_targets(y)
        if self.sampler is not None:
            X, y = clone(self.sampler).fit_resample(X, y)
        classes, counts = np.unique(y, return_counts=True)
        if len(classes) < 2:
            raise ValueError("LinearDiscriminantClassifier needs at least 2 classes in the "
                             f"training labels, got 1 class: {classes.tolist()}")
        self.priors_ = self._priors(classes, counts)
        shrinkage = None if self.shrinkage == "none" else self.shrinkage
        if self.solver == "svd" and shrinkage is not None:
            raise ValueError(f"LinearDiscriminantClassifier: solver='svd' takes no shrinkage, "
                             f"got shrinkage={self.shrinkage!r}; use 'lsqr' or 'eigen', or "
                             "shrinkage='none'")
        self.discriminant_ = LinearDiscriminantAnalysis(
            solver=self.solver, shrinkage=shrinkage, priors=self.priors_).fit(X, y)
        self.classes_ = self.discriminant_.classes_
        return self

    def predict_proba(self, X):
        """Posterior probability of each class under the fitted priors.

        Parameters
        ----------
        X : array-like, shape (n_windows, n_features)

        Returns
        -------
        proba : ndarray, shape (n_windows, n_classes)
            Columns in the order of ``classes_``.
        """
        check_is_fitted(self, "discriminant_")
        X = validate_data(self, X, reset=False, dtype=[np.float64, np.float32])
        return self.discriminant_.predict_proba(X)

    def predict(self, X):
        """The most probable class of every window.

        Parameters
        ----------
        X : array-like, shape (n_windows, n_features)

        Returns
        -------
        labels : ndarray, shape (n_windows,)
        """
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]
