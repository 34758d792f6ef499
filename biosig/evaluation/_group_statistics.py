"""Per-group sufficient statistics: every resample of whole groups becomes a weighted sum.

A bootstrap that resamples records or subjects draws each group some number
of times. Every headline metric is a function of sums over windows, so it is
a function of per-group sums weighted by those draw counts:

- the confusion matrix of a resample is ``sum_g c_g C_g`` (one matrix a group);
- the ROC-AUC of class k is the Mann-Whitney statistic, ``c' M c / (P N)``,
  where ``M[g, h]`` counts the correctly ordered (positive of g, negative of
  h) pairs, ties counting one half, and ``P = c' p``, ``N = c' n``;
- the average precision needs the precision-recall curve, which is the
  cumulative sum of the draw counts of the windows in score order: one sort
  at the start, then sums;
- seizure events add up per record (seizures, detections, false detections,
  hours, latencies).

The values are exactly those of :func:`classification_metrics` on the
concatenated windows of each resample.
"""

import warnings

import numpy as np

from ._metrics import _label_array

__all__ = []


def _divide(num, den, fill=np.nan):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1), fill)


def _nanmean(values, axis):
    with warnings.catch_warnings():  # a resample where nothing is defined
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmean(values, axis=axis)


class GroupStatistics:
    """Sufficient statistics of scored windows, one row per group.

    Parameters
    ----------
    y_true, y_pred : array-like, shape (n_windows,)
    group_index : ndarray of int, shape (n_windows,)
        Group of each window, 0 to ``n_groups - 1``.
    n_groups : int
    y_score : ndarray, shape (n_windows, n_classes) | None
        Columns follow ``classes``.
    labels : list
        Classes reported, as in :func:`classification_metrics`.
    classes : list | None
        Column order of ``y_score``.
    pr_auc : bool
        Also keep what the average precision needs (one sort of the windows
        per class; each resample then costs a pass over the windows).
    """

    def __init__(self, y_true, y_pred, group_index, n_groups, y_score=None, *, labels,
                 classes=None, pr_auc=False):
        y_true, y_pred = _label_array(y_true), _label_array(y_pred)
        self.labels = list(labels)
        # Every value that occurs, so that accuracy and balanced accuracy see
        # windows whose label is not reported, as scikit-learn's do.
        extra = [v for v in np.unique(np.concatenate([y_true, y_pred])).tolist()
                 if v not in self.labels]
        self.all_labels = self.labels + extra
        code = {label: i for i, label in enumerate(self.all_labels)}
        t = np.array([code[v] for v in y_true.tolist()], dtype=np.int64)
        p = np.array([code[v] for v in y_pred.tolist()], dtype=np.int64)
        n_all = len(self.all_labels)
        g = np.asarray(group_index, dtype=np.int64)
        self.n_groups = n_groups
        cells = (g * n_all + t) * n_all + p
        self.confusion = np.bincount(cells, minlength=n_groups * n_all * n_all).reshape(
            n_groups, n_all, n_all).astype(np.float64)
        self.auc = {}
        self.ranking = {}
        if y_score is None:
            return
        if classes is None:
            raise ValueError("classes (the column order of y_score) is required with y_score")
        y_score = np.asarray(y_score, dtype=np.float64)
        column = {c: i for i, c in enumerate(classes)}
        for k, label in enumerate(self.labels):
            if label not in column:
                continue
            score, positive = y_score[:, column[label]], t == k
            self.auc[label] = self._pair_counts(score, positive, g)
            if pr_auc:
                self.ranking[label] = self._ranking(score, positive, g)

    def _pair_counts(self, score, positive, g):
        """``M[g, h]``: positives of g ranked above negatives of h (ties count 1/2)."""
        pos_score, pos_group = score[positive], g[positive]
        M = np.zeros((self.n_groups, self.n_groups))
        for h in range(self.n_groups):
            neg = np.sort(score[~positive & (g == h)])
            if neg.size and pos_score.size:
                below = np.searchsorted(neg, pos_score, "left")
                upto = np.searchsorted(neg, pos_score, "right")
                M[:, h] = np.bincount(pos_group, weights=(below + upto) / 2.0,
                                      minlength=self.n_groups)
        n_pos = np.bincount(g[positive], minlength=self.n_groups).astype(np.float64)
        n_neg = np.bincount(g[~positive], minlength=self.n_groups).astype(np.float64)
        return M, n_pos, n_neg

    def _ranking(self, score, positive, g):
        """Positives and negatives of each group at each distinct score, highest first."""
        from scipy.sparse import csr_matrix

        distinct, position = np.unique(-score, return_inverse=True)
        shape = (len(distinct), self.n_groups)
        pos = csr_matrix((positive.astype(np.float64), (position, g)), shape=shape)
        neg = csr_matrix(((~positive).astype(np.float64), (position, g)), shape=shape)
        return pos, neg

    # -- the metrics of weighted groups ------------------------------------
    def metrics(self, counts):
        """The metrics of the resamples that draw group g ``counts[r, g]`` times.

        Parameters
        ----------
        counts : ndarray, shape (n_resamples, n_groups)

        Returns
        -------
        metrics : dict
            As :func:`classification_metrics` (without the confusion
            matrix), each value an array over resamples, NaN where undefined.
        """
        counts = np.asarray(counts, dtype=np.float64)
        cm = np.einsum("rg,gij->rij", counts, self.confusion)
        n_rep = len(self.labels)
        total = cm.sum(axis=(1, 2))
        tp_all = np.einsum("rii->ri", cm)
        true_all, pred_all = cm.sum(axis=2), cm.sum(axis=1)
        tp, true, pred = tp_all[:, :n_rep], true_all[:, :n_rep], pred_all[:, :n_rep]
        recall, precision = _divide(tp, true), _divide(tp, pred)
        f1 = _divide(2 * tp, true + pred)
        tn = total[:, None] - (pred + true - tp)
        specificity = _divide(tn, tn + pred - tp, fill=0.0)
        present = true > 0

        auc = np.full((len(counts), n_rep), np.nan)
        pr_auc = np.full_like(auc, np.nan)
        for k, label in enumerate(self.labels):
            if label not in self.auc:
                continue
            M, n_pos, n_neg = self.auc[label]
            both = (counts @ n_pos) * (counts @ n_neg)  # 0 unless both sides are drawn
            auc[:, k] = _divide(np.einsum("rg,gh,rh->r", counts, M, counts), both)
            if label in self.ranking:
                ap = self._average_precision(counts, *self.ranking[label])
                pr_auc[:, k] = np.where(both > 0, ap, np.nan)

        f1_present = np.where(present, f1, np.nan)
        any_present = present.any(axis=1)
        weighted = _divide(np.nansum(f1_present * true, axis=1), (true * present).sum(axis=1))

        # Cohen's kappa on the reported labels, as scikit-learn computes it.
        sub = cm[:, :n_rep, :n_rep]
        s0, s1 = sub.sum(axis=1), sub.sum(axis=2)
        n_sub = s0.sum(axis=1)
        expected = _divide(np.einsum("ri,rj->rij", s0, s1), n_sub[:, None, None])
        off = 1.0 - np.eye(n_rep)
        observed_off = np.einsum("rij,ij->r", sub, off)
        expected_off = np.einsum("rij,ij->r", expected, off)
        kappa = np.where(n_sub > 0, 1.0 - _divide(observed_off, expected_off), np.nan)

        balanced = _nanmean(_divide(tp_all, true_all), axis=1)
        return {
            "per_class": {
                str(label): {"sensitivity": recall[:, k], "ppv": precision[:, k],
                             "f1": f1[:, k], "specificity": specificity[:, k],
                             "auc": auc[:, k], "pr_auc": pr_auc[:, k], "support": true[:, k]}
                for k, label in enumerate(self.labels)},
            "macro_f1": np.where(any_present, _nanmean(f1_present, axis=1), np.nan),
            "weighted_f1": np.where(any_present, weighted, np.nan),
            "macro_auc": _nanmean(np.where(present, auc, np.nan), axis=1),
            "macro_pr_auc": _nanmean(np.where(present, pr_auc, np.nan), axis=1),
            "accuracy": _divide(tp_all.sum(axis=1), total),
            "balanced_accuracy": np.where(any_present, balanced, np.nan),
            "kappa": kappa,
        }

    @staticmethod
    def _average_precision(counts, pos, neg, chunk=64):
        """Average precision of each weighted resample, as scikit-learn computes it."""
        out = np.empty(len(counts))
        for start in range(0, len(counts), chunk):
            c = counts[start:start + chunk].T
            tps = np.cumsum(pos @ c, axis=0)  # (distinct scores, resamples)
            fps = np.cumsum(neg @ c, axis=0)
            n_pos = tps[-1]
            precision = _divide(tps, tps + fps, fill=0.0)
            recall = _divide(tps, n_pos, fill=np.nan)
            step = np.diff(recall, axis=0, prepend=0.0)
            out[start:start + chunk] = np.where(n_pos > 0, np.sum(step * precision, axis=0), np.nan)
        return out
