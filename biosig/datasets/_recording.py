"""The one container that every source hands on: :class:`Recording`."""

from typing import NamedTuple

import numpy as np

__all__ = ["BeatAnnotations", "Recording"]


class BeatAnnotations(NamedTuple):
    """Beat annotations kept beside a Raw: one onset and one label per beat.

    An ECG record holds a beat annotation every second or so (about 2,000 in
    a 30-minute MIT-BIH record). MNE checks and stores each of its
    annotations one by one in Python, which costs more than reading the
    record; the beats are therefore kept as two arrays.

    Attributes
    ----------
    onset : ndarray of float, shape (n_beats,)
        Seconds from the recording's first sample, in increasing order; they
        hold at any sampling rate, as MNE's annotation onsets do.
    symbol : ndarray of object, shape (n_beats,)
        Each beat's label (a WFDB symbol such as ``"N"`` or ``"V"``).
    """

    onset: np.ndarray
    symbol: np.ndarray


class Recording:
    """A continuous recording from any source, EEG and ECG alike.

    A thin wrapper over :class:`mne.io.BaseRaw` that adds the study identity
    (subject, session, record, source). Signals are kept in MNE's SI units
    (volts), ECG leads have channel type ``"ecg"``, and annotations are MNE
    :class:`~mne.Annotations` (onset and duration in seconds, description as
    the label), except beat annotations, which sources of annotated ECG keep
    apart in ``beats``.

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
    beats : BeatAnnotations | None
        Beat annotations kept apart from ``raw.annotations`` (see
        :class:`BeatAnnotations`); :attr:`annotations` holds both.
    """

    def __init__(self, raw, *, subject, record, session=None, source=None, metadata=None,
                 beats=None):
        self.raw = raw
        self.subject = str(subject)
        self.record = str(record)
        self.session = None if session is None else str(session)
        self.source = source
        self.metadata = dict(metadata or {})
        self.beats = beats

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
        """mne.Annotations: events and labels of the recording, beats included.

        Where beats are kept apart (:attr:`beats`), they are merged here into a
        new :class:`~mne.Annotations` in time order, at MNE's cost per
        annotation (so changing it changes nothing: change ``raw.annotations``
        or ``beats``); ``raw.set_annotations(recording.annotations)`` puts
        them on the Raw, e.g. to see them in ``raw.plot()``.
        """
        annotations = self.raw.annotations
        if self.beats is None or not len(self.beats.onset):
            return annotations
        merged = annotations.copy()
        merged.append(self.beats.onset, 0.0, self.beats.symbol.astype(str))
        return merged

    def annotation_onsets(self):
        """Return the label and sample index of every annotation, beats included.

        The quick way to the beats: unlike :attr:`annotations`, nothing is
        built annotation by annotation.

        Returns
        -------
        labels : ndarray of object, shape (n_annotations,)
        samples : ndarray of int64, shape (n_annotations,)
            In the order of :attr:`annotations`: by onset, then duration, the
            Raw's before the beats.
        """
        annotations = self.raw.annotations
        labels = np.asarray(annotations.description, dtype=object)
        onset = np.asarray(annotations.onset, dtype=float)
        if self.beats is not None:
            labels = np.concatenate([labels, np.asarray(self.beats.symbol, dtype=object)])
            duration = np.concatenate([annotations.duration, np.zeros(len(self.beats.onset))])
            onset = np.concatenate([onset, self.beats.onset])
            order = np.lexsort((duration, onset))  # stable, as MNE's sort
            labels, onset = labels[order], onset[order]
        samples = self.raw.time_as_index(onset, use_rounding=True,
                                         origin=annotations.orig_time)
        return labels, samples.astype(np.int64)

    def annotation_samples(self, annotations=None):
        """Return the sample index of each annotation onset.

        Parameters
        ----------
        annotations : mne.Annotations | None
            :attr:`annotations`, where the caller has already built it.

        Returns
        -------
        samples : ndarray of int, shape (n_annotations,)
        """
        if annotations is None:
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
            beats=self.beats,
        )

    def __repr__(self):
        return (
            f"<Recording {self.source or ''}:{self.record} subject={self.subject} "
            f"{len(self.ch_names)} ch × {self.n_samples} samples @ {self.sfreq:g} Hz, "
            f"{len(self.raw.annotations) + len(self.beats.onset if self.beats else ())} "
            "annotations>"
        )
