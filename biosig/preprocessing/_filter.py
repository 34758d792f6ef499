"""Band-pass filtering of a Recording, through MNE."""

__all__ = ["bandpass"]


def bandpass(recording, l_freq, h_freq, *, picks=None, n_jobs=None):
    """Return a band-pass filtered copy of a recording.

    A thin wrapper over :meth:`mne.io.Raw.filter` (zero-phase FIR, MNE's
    defaults). A high-pass of about 0.5 Hz removes ECG baseline wander.

    Parameters
    ----------
    recording : Recording
    l_freq, h_freq : float | None
        Pass-band edges in Hz; None leaves that side open.
    picks : str | list | None
        Channels to filter; MNE's default (data channels) when None. ECG
        leads are filtered too.
    n_jobs : int | None
        Passed to MNE.

    Returns
    -------
    recording : Recording
    """
    if picks is None:
        picks = "all"
    raw = recording.raw.copy().filter(l_freq, h_freq, picks=picks, n_jobs=n_jobs,
                                      verbose=False)
    return recording.copy(raw=raw)
