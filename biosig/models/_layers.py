"""Small Keras layers the EEG networks need, serialisable in the .keras format."""

import keras
from keras import ops

__all__ = []


@keras.saving.register_keras_serializable(package="biosig")
class Square(keras.layers.Layer):
    """Element-wise square (ShallowConvNet's power nonlinearity)."""

    def call(self, x):
        return ops.square(x)


@keras.saving.register_keras_serializable(package="biosig")
class SafeLog(keras.layers.Layer):
    """Natural log of the input clipped below at ``eps``."""

    def __init__(self, eps=1e-6, **kwargs):
        super().__init__(**kwargs)
        self.eps = eps

    def call(self, x):
        return ops.log(ops.maximum(x, self.eps))

    def get_config(self):
        return {**super().get_config(), "eps": self.eps}
