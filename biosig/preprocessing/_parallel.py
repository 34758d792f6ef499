"""Run one preprocessing step over many recordings in parallel, with joblib."""

from joblib import Parallel, delayed
from tqdm.auto import tqdm

__all__ = ["map_recordings"]


def map_recordings(func, recordings, *, n_jobs=1, progress=True, **kwargs):
    """Apply ``func(recording, **kwargs)`` to every recording, in parallel.

    Recordings are independent, so the work spreads over processes with
    :class:`joblib.Parallel` (the loky backend by default). To spread it over a
    cluster instead, register a Dask client and select joblib's Dask backend::

        from dask.distributed import Client
        import joblib

        client = Client("scheduler-address:8786")
        with joblib.parallel_config(backend="dask"):
            filtered = map_recordings(bandpass, recordings, n_jobs=-1,
                                      l_freq=0.5, h_freq=40.0)

    Parameters
    ----------
    func : callable
        Takes a Recording (and ``kwargs``) and returns a Recording, e.g.
        :func:`~biosig.preprocessing.bandpass`. It must be picklable (a
        module-level function, or a :func:`functools.partial` of one).
    recordings : list of Recording
    n_jobs : int
        Parallel workers; ``-1`` for all cores. 1 runs in this process.
    progress : bool
        Show a progress bar.
    **kwargs
        Passed to ``func``.

    Returns
    -------
    results : list
        In the order of ``recordings``.
    """
    recordings = list(recordings)
    jobs = (delayed(func)(rec, **kwargs) for rec in recordings)
    out = Parallel(n_jobs=n_jobs, return_as="generator")(jobs)
    name = getattr(func, "__name__", type(func).__name__)
    return list(tqdm(out, total=len(recordings), desc=name, unit="record",
                     disable=not progress))
