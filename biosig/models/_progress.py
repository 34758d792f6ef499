"""A progress bar over the epochs of one training run."""

import keras
from tqdm.auto import tqdm

__all__ = ["EpochProgress"]


class EpochProgress(keras.callbacks.Callback):
    """Keras callback drawing one tqdm bar per ``fit``: epochs done, loss and validation loss.

    Pass it in a classifier's ``callbacks``, e.g.
    ``CNN1DClassifier(callbacks=[EpochProgress("fold 1/5")])``. Early
    stopping leaves the bar short of the epoch budget, which shows where
    training stopped.

    Parameters
    ----------
    desc : str
        Label at the left of the bar.
    leave : bool
        Keep the finished bar on screen.
    """

    def __init__(self, desc="training", leave=True):
        super().__init__()
        self.desc = desc
        self.leave = leave
        self._bar = None

    def on_train_begin(self, logs=None):
        self._bar = tqdm(total=self.params.get("epochs"), desc=self.desc, unit="epoch",
                         leave=self.leave, dynamic_ncols=True)

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        shown = {k: f"{logs[k]:.4f}" for k in ("loss", "val_loss") if k in logs}
        self._bar.set_postfix(shown, refresh=False)
        self._bar.update(1)

    def on_train_end(self, logs=None):
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __getstate__(self):  # the bar lives only during fit; estimators are cloned and pickled
        state = self.__dict__.copy()
        state["_bar"] = None
        state["_model"] = None
        return state
