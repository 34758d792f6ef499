"""The AAMI EC57 grouping of WFDB beat symbols into five heartbeat classes."""

import numpy as np
import pandas as pd

__all__ = ["AAMI_CLASSES", "AAMI_EC57", "aami_class"]

#: The five AAMI classes, in the order reports use.
AAMI_CLASSES = ("N", "S", "V", "F", "Q")

#: WFDB beat symbol -> AAMI EC57 class (ANSI/AAMI EC57:1998/(R)2008, table 1).
#: N: normal and bundle branch block beats, atrial and nodal escape beats;
#: S: supraventricular ectopic beats; V: ventricular ectopic beats;
#: F: fusion of ventricular and normal; Q: paced, fusion of paced and normal,
#: and unclassifiable beats. Non-beat annotations (rhythm, noise, ...) map to
#: nothing.
AAMI_EC57 = {
    "N": "N", "L": "N", "R": "N", "B": "N", "e": "N", "j": "N",
    "A": "S", "a": "S", "J": "S", "S": "S", "n": "S",
    "V": "V", "E": "V", "r": "V",
    "F": "F",
    "/": "Q", "f": "Q", "Q": "Q", "?": "Q",
}


def aami_class(symbols):
    """Map WFDB beat symbols to AAMI classes.

    Parameters
    ----------
    symbols : array-like of str
        WFDB annotation symbols.

    Returns
    -------
    classes : ndarray of object, shape (n_symbols,)
        The AAMI class of each symbol, or None for non-beat annotations.
    """
    mapped = pd.Series(np.asarray(symbols, dtype=object)).map(AAMI_EC57)
    return mapped.astype(object).where(mapped.notna(), None).to_numpy()
