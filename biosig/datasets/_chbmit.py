"""CHB-MIT Scalp EEG Database (PhysioNet ``chbmit`` 1.0.0): EDF files plus a summary per patient."""

import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from ._edf import read_raw
from ._physionet import PhysioNetSource

__all__ = ["CHBMIT", "CHBMITFile", "read_chbmit_summary"]

# Each line of a summary, any letter case and spacing (the 24 summaries vary).
_SFREQ = re.compile(r"^Data\s+Sampling\s+Rate\s*:\s*(\d+(?:\.\d+)?)\s*Hz$", re.IGNORECASE)
_CHANNELS = re.compile(r"^Channels\s+(in\s+EDF\s+Files|changed)\s*:$", re.IGNORECASE)
_CHANNEL = re.compile(r"^Channel\s+(\d+)\s*:\s*(\S*)$", re.IGNORECASE)
_FILE = re.compile(r"^File\s+Name\s*:\s*(\S+\.edf)$", re.IGNORECASE)
_CLOCK = re.compile(r"^File\s+(Start|End)\s+Time\s*:\s*(\d+):(\d+):(\d+)$", re.IGNORECASE)
_COUNT = re.compile(r"^Number\s+of\s+Seizures\s+in\s+File\s*:\s*(\d+)$", re.IGNORECASE)
# chb01-chb10 write "Seizure Start Time:", later patients "Seizure 1 Start Time:".
_SEIZURE = re.compile(r"^Seizure(?:\s+(\d+))?\s+(Start|End)\s+Time\s*:\s*(\d+(?:\.\d+)?)\s*"
                      r"(seconds)?$", re.IGNORECASE)
_SEPARATOR = re.compile(r"^\*+$")
# Placeholder channels of some files ("-", ".") that hold no signal.
_DUMMY = {"-", ".", ""}


@dataclass
class CHBMITFile:
    """One EDF file as a CHB-MIT summary describes it.

    Attributes
    ----------
    name : str
        File name, e.g. ``"chb01_03.edf"``.
    channels : list of str
        The channel list in force for this file, in file order.
    seizures : list of tuple of float
        (start, end) in seconds from the file start.
    start, end : str | None
        The wall-clock start and end as written (hours may pass 24), or None
        where the summary omits them (chb24).
    """

    name: str
    channels: list
    seizures: list = field(default_factory=list)
    start: str | None = None
    end: str | None = None


def read_chbmit_summary(path):
    """Parse a CHB-MIT ``chbNN-summary.txt`` file into its files, channels and seizures.

    Handles both wordings of seizure lines (``Seizure Start Time:`` and
    ``Seizure 1 Start Time:``), several seizures per file, summaries without
    file clock times, and ``Channels changed:`` blocks that give the channel
    list of the files after them.

    Parameters
    ----------
    path : path-like

    Returns
    -------
    sfreq : float | None
        The stated sampling rate.
    files : list of CHBMITFile

    Raises
    ------
    ValueError
        Naming the file and line when the summary lists no file, a seizure
        line has no file, a seizure lacks its start or end, ends before it
        starts, or a file's seizure count is missing or disagrees with the
        seizures listed.
    """
    path = Path(path)
    sfreq, channels, files = None, [], []
    in_channels, current, counts, pending = False, None, {}, None

    def close(entry):
        if entry is None:
            return
        if pending is not None:
            raise ValueError(f"{path}: {entry.name}: seizure starting at {pending} s has no end")
        stated = counts.get(entry.name)
        if stated is None:
            raise ValueError(f"{path}: {entry.name} has no 'Number of Seizures in File' line "
                             "(a truncated summary?)")
        if stated != len(entry.seizures):
            raise ValueError(f"{path}: {entry.name} states {stated} seizure(s) but lists "
                             f"{len(entry.seizures)}")

    try:
        text = path.read_bytes().decode("ascii")
    except UnicodeDecodeError as err:
        raise ValueError(f"{path}: not a CHB-MIT summary: byte {err.start} is not ASCII "
                         "text") from None
    for lineno, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        where = f"{path}, line {lineno}"
        if not line or _SEPARATOR.match(line):
            continue
        if not _CHANNEL.match(line):  # any other line ends a channel list
            in_channels = False
        if (m := _SFREQ.match(line)):
            if sfreq is not None:
                raise ValueError(f"{where}: a second sampling rate")
            sfreq = float(m.group(1))
        elif _CHANNELS.match(line):
            in_channels, channels = True, []
        elif (m := _CHANNEL.match(line)):
            if not in_channels or int(m.group(1)) != len(channels) + 1:
                raise ValueError(f"{where}: channel line out of place or out of order")
            channels.append(m.group(2))
        elif (m := _FILE.match(line)):
            close(current)
            if any(f.name == m.group(1) for f in files):
                raise ValueError(f"{where}: {m.group(1)} listed twice")
            current = CHBMITFile(m.group(1), list(channels))
            files.append(current)
        elif (m := _CLOCK.match(line)) and current is not None:
            if getattr(current, m.group(1).lower()) is not None:
                raise ValueError(f"{where}: a second clock time for {current.name}")
            value = ":".join(g.zfill(2) for g in m.groups()[1:])
            setattr(current, m.group(1).lower(), value)
        elif (m := _COUNT.match(line)) and current is not None:
            if current.name in counts:
                raise ValueError(f"{where}: a second seizure count for {current.name}")
            counts[current.name] = int(m.group(1))
        elif (m := _SEIZURE.match(line)):
            if current is None:
                raise ValueError(f"{where}: seizure line before any 'File Name:' line")
            value = float(m.group(3))
            due = len(current.seizures) + 1
            if m.group(1) is not None and int(m.group(1)) != due:
                raise ValueError(f"{where}: seizure {m.group(1)} where {due} is due")
            if m.group(2).lower() == "start":
                if pending is not None:
                    raise ValueError(f"{where}: seizure starting at {pending} s has no end")
                pending = value
            else:
                if pending is None:
                    raise ValueError(f"{where}: seizure end without a start")
                if value <= pending:
                    raise ValueError(f"{where}: seizure ends at {value} s, before its "
                                     f"start at {pending} s")
                current.seizures.append((pending, value))
                pending = None
        else:
            raise ValueError(f"{where}: {line[:40]!r} is not a line of a CHB-MIT summary")
    close(current)
    if not files:
        raise ValueError(f"{path}: no 'File Name:' line: an empty or truncated CHB-MIT summary")
    return sfreq, files


class CHBMIT(PhysioNetSource):
    """CHB-MIT Scalp EEG: 23 paediatric patients (24 cases), bipolar 10-20 EDF at 256 Hz.

    Each EDF file is one :class:`Recording` (record ``"chb01_03"``) with one
    ``"seizure"`` annotation per seizure that the patient's summary file lists.
    The summary is the list of a case's files.

    Parameters
    ----------
    data_dir : path-like | None
        Folder holding ``chbmit/chb01/chb01_03.edf`` and
        ``chbmit/chb01/chb01-summary.txt``; defaults to ``BIOSIG_DATA``.
    download : bool
        Fetch the summary and missing EDF files from PhysioNet (SHA-256
        verified) into the cache.
    cache_dir : path-like | None
        Download cache; defaults to ``BIOSIG_CACHE`` or ``~/.cache/biosig``.
    progress : bool
        Show progress bars.

    Notes
    -----
    Case chb21 was recorded from the same patient as chb01, 1.5 years later
    (PhysioNet's description); both get subject ``"chb01"``, so no split can
    place them on opposite sides. The channel list changes between files of
    some cases; ``channels="common"`` keeps those every file of the case has.

    References
    ----------
    Shoeb AH. Application of machine learning to epileptic seizure onset
    detection and treatment. PhD thesis, MIT (2009).
    """

    name = "chbmit"
    title = "CHB-MIT Scalp EEG Database"
    size = "~43 GB (24 cases)"
    subjects = tuple(f"chb{n:02d}" for n in range(1, 25))
    SFREQ = 256.0

    def normalise_subject(self, subject):
        match = re.fullmatch(r"(?:chb)?0*(\d+)", str(subject).strip(), re.IGNORECASE)
        if match is None:
            raise ValueError(subject)
        return f"chb{int(match.group(1)):02d}"

    def patient(self, case):
        """Return the patient of a case: ``"chb01"`` for chb21, else the case itself."""
        return "chb01" if case == "chb21" else case

    def summary_file(self, case):
        """Return the path of a case's summary, relative to the dataset folder."""
        return f"{case}/{case}-summary.txt"

    def summary(self, case):
        """Return the parsed summary of one case: ``(sfreq, [CHBMITFile, ...])``."""
        (case,) = self.check_subjects([case])
        return read_chbmit_summary(self.path(self.summary_file(case)))

    def subject_files(self, subject, records=None):
        """Return the summary and the EDF files (``records`` of them, or all) of a case.

        Only the summary is listed while it is not here: it names the rest.
        """
        summary = self.find(self.summary_file(subject))
        if summary is None:
            return [self.summary_file(subject)]
        _, files = read_chbmit_summary(summary)
        names = [Path(f.name).stem for f in files]
        return [self.summary_file(subject)] + [
            f"{subject}/{n}.edf" for n in self._records(subject, names, records)]

    def _records(self, case, names, records):
        if records is None:
            return names
        wanted = [Path(str(r)).stem for r in records]
        ours = [r for r in wanted if r.startswith(f"{case}_")]
        unknown = [r for r in ours if r not in names]
        if unknown:
            raise ValueError(f"{self.name}: {case}'s summary lists no record {unknown}")
        return [n for n in names if n in ours]

    def _selection(self, kwargs):
        return {"records": kwargs.get("records")}

    def fetch(self, subjects=None, records=None):
        """Download the summaries, then the missing EDF files, of ``subjects``.

        Returns
        -------
        fetched : list of Path
        """
        subjects = self.check_subjects(subjects)
        summaries = [self.summary_file(s) for s in subjects if self.find(self.summary_file(s)) is None]
        fetched = self._fetch(summaries) if summaries else []
        return fetched + super().fetch(subjects, records=records)

    def common_channels(self, case):
        """Return the channels that every file of ``case`` has, in the first file's order."""
        _, files = self.summary(case)
        lists = [[c for c in f.channels if c not in _DUMMY] for f in files]
        if not lists:
            return []
        return [c for c in dict.fromkeys(lists[0]) if all(c in other for other in lists[1:])]

    def load(self, subjects=None, *, records=None, channels=None, n_jobs=1):
        """Load the files of several cases.

        Parameters
        ----------
        subjects : list | None
            Cases (``1``, ``"chb01"``); all 24 when None.
        records : list of str | None
            Records to keep, e.g. ``["chb01_03", "chb01_04"]``; all when None.
            Only these are downloaded; a name a case's summary lacks is an error.
        channels : list of str | "common" | None
            Channels to keep (bipolar names as in the summary, e.g.
            ``"FP1-F7"``); ``"common"``: those every file of the case has;
            None: each file's own.
        n_jobs : int
            Cases read in parallel.

        Returns
        -------
        recordings : list of Recording
        """
        return super().load(subjects, records=records, channels=channels, n_jobs=n_jobs)

    def _load_subject(self, subject, records=None, channels=None):
        sfreq, files = self.summary(subject)
        wanted = set(self._records(subject, [Path(f.name).stem for f in files], records))
        if channels == "common":
            channels = self.common_channels(subject)
        return [self.read_file(subject, f, sfreq=sfreq, channels=channels) for f in files
                if Path(f.name).stem in wanted]

    def read_file(self, case, entry, *, sfreq=None, channels=None):
        """Read one EDF file of ``case`` as its summary entry describes it."""
        path = self.path(f"{case}/{entry.name}")
        with warnings.catch_warnings():
            # Most files repeat T8-P8; MNE numbers the copies, handled below.
            warnings.filterwarnings("ignore", "Channel names are not unique")
            rec = read_raw(path, subject=self.patient(case), record=path.stem,
                           source=self.name, preload=self.preload)
        expected = sfreq or self.SFREQ
        if rec.sfreq != expected:
            raise ValueError(f"{path}: sampled at {rec.sfreq:g} Hz; the summary states "
                             f"{expected:g} Hz")
        raw = rec.raw
        dummies = [c for c in raw.ch_names if c in _DUMMY or re.fullmatch(r"[-.]-\d+", c)]
        if dummies:  # "-" placeholders hold no signal
            raw.drop_channels(dummies)
        if channels is not None:
            # MNE renames a repeated channel (T8-P8 in most files) to T8-P8-0, T8-P8-1.
            names = {c: c if c in raw.ch_names else f"{c}-0" for c in channels}
            missing = [c for c, n in names.items() if n not in raw.ch_names]
            if missing:
                raise ValueError(f"{path}: no channel {missing}; it has {raw.ch_names}")
            raw.pick(list(names.values()))
            raw.rename_channels({n: c for c, n in names.items() if n != c})
        duration = raw.n_times / raw.info["sfreq"]
        for start, end in entry.seizures:
            if end > duration:
                raise ValueError(f"{path}: the summary places a seizure at {start:g}-{end:g} s "
                                 f"but the file lasts {duration:g} s")
        if entry.seizures:  # onsets count from the file start, as EDF+ onsets do
            raw.annotations.append([s for s, _ in entry.seizures],
                                   [e - s for s, e in entry.seizures], "seizure")
        rec.session = None
        rec.metadata.update(case=case, start=entry.start, end=entry.end,
                            n_seizures=len(entry.seizures))
        return rec
