"""Why a network decides: gradient attributions of window classifiers, and their figures.

:func:`saliency`, :func:`integrated_gradients` and :func:`grad_cam` take a
fitted biosig classifier (or a ``keras.Model``) and windows, on any Keras
backend; the ``plot_*`` functions draw them per class; :func:`explain_run`
does both for a run folder's saved model (``biosig explain RUN_DIR``).
"""

from ._attribution import class_scores, grad_cam, integrated_gradients, saliency
from ._explain import METHODS, explain_run
from ._figures import (
    plot_beat_attribution,
    plot_channel_time,
    plot_feature_attribution,
    plot_topomaps,
)

__all__ = ["METHODS", "class_scores", "explain_run", "grad_cam", "integrated_gradients",
           "plot_beat_attribution", "plot_channel_time", "plot_feature_attribution",
           "plot_topomaps", "saliency"]
