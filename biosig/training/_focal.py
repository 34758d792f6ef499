"""Focal loss for sparse multi-class labels (Lin et al. 2017)."""

import keras
from keras import ops

__all__ = ["SparseFocalLoss"]


@keras.saving.register_keras_serializable(package="biosig")
class SparseFocalLoss(keras.losses.Loss):
    """Multi-class focal loss on integer labels and softmax probabilities.

    ``-alpha_t (1 - p_t)^gamma log(p_t)``, where ``p_t`` is the probability
    given to the true class: easy, confident examples weigh less, so the
    gradient is not swamped by the majority class. With ``gamma=0`` and no
    ``alpha`` it is the cross-entropy.

    Parameters
    ----------
    gamma : float
        Focusing parameter (2 in the paper).
    alpha : list of float | None
        Weight of each class (``alpha_t`` above); None weighs all alike.
    name : str
        Keras name of the loss.

    References
    ----------
    Lin TY, Goyal P, Girshick R, He K, Dollar P. Focal loss for dense object
    detection. ICCV (2017).
    """

    def __init__(self, gamma=2.0, alpha=None, name="sparse_focal_loss", **kwargs):
        super().__init__(name=name, **kwargs)
        self.gamma = float(gamma)
        self.alpha = None if alpha is None else [float(a) for a in alpha]

    def call(self, y_true, y_pred):
        y_true = ops.cast(ops.reshape(y_true, (-1,)), "int32")
        probs = ops.clip(y_pred, keras.backend.epsilon(), 1.0 - keras.backend.epsilon())
        p_true = ops.take_along_axis(probs, ops.expand_dims(y_true, -1), axis=-1)[:, 0]
        loss = -ops.power(1.0 - p_true, self.gamma) * ops.log(p_true)
        if self.alpha is not None:
            loss = loss * ops.take(ops.convert_to_tensor(self.alpha, dtype=loss.dtype), y_true)
        return loss

    def get_config(self):
        return {**super().get_config(), "gamma": self.gamma, "alpha": self.alpha}
