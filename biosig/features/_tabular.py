"""The tabular features that travel with windows (RR intervals, ...), as a pipeline step."""

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from ..windows import WindowView

__all__ = ["TabularFeatures"]


class TabularFeatures(TransformerMixin, BaseEstimator):
    """Return the per-window tabular features a :class:`~biosig.windows.WindowView` carries.

    The beat sampler's RR intervals depend on neighbouring beats, so they
    cannot be computed from the window alone; they travel beside the windows
    in the view. In a :class:`~sklearn.pipeline.FeatureUnion` next to a
    feature extractor, they join its features column by column.

    Attributes
    ----------
    n_features_out_ : int
    feature_names_out_ : ndarray of str
    """

    def _check(self, X):
        if not isinstance(X, WindowView) or not X.has_features:
            raise ValueError("TabularFeatures reads the features of a WindowView; got "
                             f"{type(X).__name__} without tabular features")
        return X

    def fit(self, X, y=None):
        """Record how many tabular features there are and their names.

        Parameters
        ----------
        X : WindowView
            With tabular features.
        y : None
            Ignored.

        Returns
        -------
        self
        """
        X = self._check(X)
        self.n_features_out_ = X.base_features.shape[1]
        names = X.feature_names or [f"tabular{i}" for i in range(self.n_features_out_)]
        self.feature_names_out_ = np.asarray(names, dtype=object)
        return self

    def transform(self, X):
        """Return the tabular features of the view's rows.

        Returns
        -------
        features : ndarray of float32, shape (n_windows, n_features_out_)
        """
        check_is_fitted(self, "n_features_out_")
        features = self._check(X).features
        if features.shape[1] != self.n_features_out_:
            raise ValueError(f"TabularFeatures was fitted on {self.n_features_out_} features, "
                             f"got {features.shape[1]}")
        return features

    def get_feature_names_out(self, input_features=None):
        """The names of the tabular features."""
        check_is_fitted(self, "n_features_out_")
        return self.feature_names_out_
