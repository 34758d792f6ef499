"""The one container that every source hands on: :class:`Recording`."""

import numpy as np

__all__ = ["Recording"]


class Recording:
    """A continuous recording from any source, EEG and ECG alike.

    A thin wrapper over :class:`mne.io.BaseRaw` that adds the study identity
    (subject, session, record, source). Signals are kept in MNE's SI units
    (volts), ECG leads have channel type ``"ecg"``, and annotations are MNE
    :class:`~mne.Annotations` (onset and duration in seconds, description as
    the label).

    Parameters
    ----------
    raw : mne.io.BaseRaw
        The signals, channel names and types, and annotations.
    subject : str
        Subject or patient id.
    record : str
        Record id, unique within the source.
    session : str | None
        Session id, when the source has sessions.
    source : str | None
        Name of the source that produced the recording, e.g. ``"mitdb"``.
    metadata : dict | None
        What the publisher gives beside the signals, e.g. a DEAP trial's
        self-assessment ratings or a Bonn segment's set.
    """

    def __init__(self, raw, *, subject, record, session=None, source=None, metadata=None):
        self.raw = raw
        self.subject = str(subject)
        self.record = str(record)
        self.session = None if session is None else str(session)
        self.source = source
        self.metadata = dict(metadata or {})

    @property
    def signal(self):
        """ndarray, shape (n_channels, n_samples): the data in SI units."""
        return self.raw.get_data()

    @property
    def sfreq(self):
        """float: sampling rate in Hz."""
        return float(self.raw.info["sfreq"])

    @property
    def ch_names(self):
        """list of str: channel names."""
        return list(self.raw.ch_names)

    @property
    def ch_types(self):
        """list of str: MNE channel types (``"ecg"``, ``"eeg"``, ...)."""
        return self.raw.get_channel_types()

    @property
    def n_samples(self):
        """int: number of samples per channel."""
        return int(self.raw.n_times)

    @property
    def annotations(self):
        """mne.Annotations: events and labels of the recording."""
        return self.raw.annotations

    def annotation_samples(self):
        """Return the sample index of each annotation onset.

        Returns
        -------
        samples : ndarray of int, shape (n_annotations,)
        """
        annotations = self.annotations
        return self.raw.time_as_index(annotations.onset, use_rounding=True,
                                      origin=annotations.orig_time).astype(np.int64)

    def copy(self, raw=None):
        """Return a copy, optionally holding another ``raw`` with the same identity."""
        return Recording(
            self.raw.copy() if raw is None else raw,
            subject=self.subject,
            record=self.record,
            session=self.session,
            source=self.source,
            metadata=self.metadata,
        )

    def __repr__(self):
        return (
            f"<Recording {self.source or ''}:{self.record} subject={self.subject} "
            f"{len(self.ch_names)} ch × {self.n_samples} samples @ {self.sfreq:g} Hz, "
            f"{len(self.annotations)} annotations>"
        )
