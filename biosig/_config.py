"""Where data and caches live: the ``BIOSIG_DATA`` and ``BIOSIG_CACHE`` settings."""

import os
from pathlib import Path

DATA_ENV = "BIOSIG_DATA"
CACHE_ENV = "BIOSIG_CACHE"


def get_data_dir(data_dir=None):
    """Return the local data folder, or None when none is set.

    Parameters
    ----------
    data_dir : path-like | None
        An explicit folder. When None, the ``BIOSIG_DATA`` environment variable
        is used.
    """
    if data_dir is None:
        data_dir = os.environ.get(DATA_ENV) or None
    return None if data_dir is None else Path(data_dir).expanduser()


def get_cache_dir():
    """Return the download cache folder.

    ``BIOSIG_CACHE`` when set, else ``$XDG_CACHE_HOME/biosig`` (by default
    ``~/.cache/biosig``).
    """
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base).expanduser() / "biosig"
