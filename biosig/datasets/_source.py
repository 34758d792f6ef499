"""What every source shares: local folders first, a verified download cache, listing."""

import numbers
from pathlib import Path

from joblib import Parallel, delayed
from tqdm.auto import tqdm

from .._config import get_cache_dir, get_data_dir

__all__ = ["BaseSource"]


class BaseSource:
    """Base class of the dataset sources.

    A source knows its subjects, the files each subject needs (paths relative
    to the dataset folder, as its publisher lays them out), and how to read
    them. Files are looked up in ``<data_dir>/<name>/``, then
    ``<data_dir>/<name>/<version>/``, then the download cache
    ``<cache>/<name>/<version>/``; only missing files are fetched, and only
    when ``download=True``.

    Subclasses set ``name``, ``title``, ``version``, ``url``, ``licence``,
    ``size``, ``subjects`` and implement ``subject_files`` and
    ``_load_subject``; those that can be downloaded implement ``_fetch``.

    Parameters
    ----------
    data_dir : path-like | None
        Local data folder holding ``<name>/``; defaults to ``BIOSIG_DATA``.
    download : bool
        Fetch missing files into the cache.
    cache_dir : path-like | None
        Download cache; defaults to ``BIOSIG_CACHE`` or ``~/.cache/biosig``.
    progress : bool
        Show progress bars.
    preload : bool
        Read signals into memory when loading. With False, EDF, BDF and GDF
        recordings stay on disk until their data are asked for (MNE reads
        them lazily), so many recordings can be listed at little cost.
    """

    name = ""
    title = ""
    version = "1.0.0"
    url = ""
    licence = ""
    size = ""
    subjects = ()
    #: How files are obtained when missing: "download" or "manual".
    access = "download"

    def __init__(self, data_dir=None, *, download=False, cache_dir=None, progress=True,
                 preload=True):
        self.data_dir = data_dir
        self.download = download
        self.cache_dir = cache_dir
        self.progress = progress
        self.preload = preload

    # -- where files are -------------------------------------------------
    @property
    def cache_path(self):
        """Path: the folder this dataset is downloaded into."""
        base = Path(self.cache_dir) if self.cache_dir is not None else get_cache_dir()
        return base / self.name / self.version

    @property
    def folders(self):
        """list of Path: the folders searched for files, in order."""
        folders = []
        data_dir = get_data_dir(self.data_dir)
        if data_dir is not None:
            folders += [data_dir / self.name, data_dir / self.name / self.version]
        return folders + [self.cache_path]

    def find(self, relative):
        """Return the first existing path of a file relative to the dataset folder.

        Parameters
        ----------
        relative : str
            Path inside the dataset folder, e.g. ``"S001/S001R04.edf"``.

        Returns
        -------
        path : Path | None
            None when no folder holds the file.
        """
        for folder in self.folders:
            if (folder / relative).exists():
                return folder / relative
        return None

    def path(self, relative):
        """Return the path of a file that must exist, fetching it when allowed.

        Raises
        ------
        FileNotFoundError
            Naming the file, the folders searched and how to obtain it.
        """
        found = self.find(relative)
        if found is None and self.download:
            self._fetch([relative])
            found = self.find(relative)
        if found is None:
            raise FileNotFoundError(self.missing_message([relative]))
        return found

    # -- subjects -------------------------------------------------------
    def normalise_subject(self, subject):
        """Return the canonical id of ``subject`` (subclasses accept other spellings)."""
        return str(subject)

    def check_subjects(self, subjects=None):
        """Return the canonical ids of ``subjects``, without repeats.

        Parameters
        ----------
        subjects : list | str | int | None
            Ids in any spelling ``normalise_subject`` accepts; all when None.

        Returns
        -------
        subjects : list of str

        Raises
        ------
        ValueError
            Naming the unknown ids and the valid range.
        """
        if subjects is None:
            return list(self.subjects)
        if isinstance(subjects, (str, numbers.Integral)):
            subjects = [subjects]
        out, unknown = [], []
        for s in subjects:
            try:
                canonical = self.normalise_subject(int(s) if isinstance(s, numbers.Integral) else s)
            except ValueError:
                canonical = None
            if canonical in self.subjects:
                out.append(canonical)
            else:
                unknown.append(s)
        if unknown:
            shown = (", ".join(self.subjects) if len(self.subjects) <= 5 else
                     ", ".join(self.subjects[:3]) + ", ..., " + self.subjects[-1])
            raise ValueError(f"{self.name}: unknown subject id(s) {unknown}; "
                             f"it has {len(self.subjects)} subjects: {shown}")
        return list(dict.fromkeys(out))

    def subject_files(self, subject, **selection):
        """Return the files (relative to the dataset folder) ``subject`` needs.

        Parameters
        ----------
        subject : str
            Canonical subject id.
        **selection
            Source-specific choice of runs, sessions or records.

        Returns
        -------
        files : list of str
        """
        raise NotImplementedError

    def missing_files(self, subjects=None, **selection):
        """Return the files that the chosen subjects need and no folder holds.

        Parameters
        ----------
        subjects : list | None
            All subjects when None.
        **selection
            As for ``subject_files``.

        Returns
        -------
        files : list of str
        """
        return [f for s in self.check_subjects(subjects)
                for f in self.subject_files(s, **selection) if self.find(f) is None]

    def local_subjects(self, *, complete=True, **selection):
        """Return the subjects whose files are here.

        Parameters
        ----------
        complete : bool
            True: every file of the subject is here; False: at least one.
        **selection
            As for ``subject_files``.

        Returns
        -------
        subjects : list of str
        """
        test = all if complete else any
        return [s for s in self.subjects
                if test(self.find(f) is not None for f in self.subject_files(s, **selection))]

    def missing_message(self, files):
        """Explain which files are missing, where they were sought, how to get them."""
        shown = ", ".join(str(f) for f in files[:5]) + (" ..." if len(files) > 5 else "")
        searched = ", ".join(str(f) for f in self.folders)
        if self.access == "download":
            how = (f"fetch them with download=True (biosig datasets download {self.name}), "
                   f"or mirror {self.url} into <data_dir>/{self.name}/")
        else:
            how = self.manual_instructions()
        return f"{self.name}: {len(files)} file(s) missing: {shown}. Searched {searched}. To get them: {how}"

    def manual_instructions(self):
        """How to obtain a dataset that cannot be downloaded automatically."""
        return f"download it from {self.url} and lay it out under <data_dir>/{self.name}/"

    # -- download -------------------------------------------------------
    def fetch(self, subjects=None, **selection):
        """Download the missing files of ``subjects`` into the cache.

        Returns
        -------
        fetched : list of Path
        """
        missing = self.missing_files(subjects, **selection)
        return self._fetch(missing) if missing else []

    def _fetch(self, files):
        raise FileNotFoundError(self.missing_message(files))

    # -- loading --------------------------------------------------------
    def _load_subject(self, subject, **kwargs):
        raise NotImplementedError

    def load(self, subjects=None, *, n_jobs=1, **kwargs):
        """Load the recordings of several subjects.

        Parameters
        ----------
        subjects : list | None
            Subject ids; all subjects when None.
        n_jobs : int
            Subjects read in parallel with joblib (``-1``: all cores). A Dask
            cluster is reached with ``joblib.parallel_config(backend="dask")``.
        **kwargs
            Source-specific selection (runs, sessions, channels, ...).

        Returns
        -------
        recordings : list of Recording
        """
        subjects = self.check_subjects(subjects)
        if self.download:
            self.fetch(subjects, **self._selection(kwargs))
        jobs = (delayed(self._load_subject)(s, **kwargs) for s in subjects)
        out = Parallel(n_jobs=n_jobs, return_as="generator")(jobs)
        per_subject = tqdm(out, total=len(subjects), desc=f"load {self.name}",
                           unit="subject", disable=not self.progress)
        return [rec for recs in per_subject for rec in recs]

    def _selection(self, kwargs):
        """The keyword arguments of ``load`` that change which files are needed."""
        return {}

    def status(self):
        """Return what this source is and what of it is here.

        Returns
        -------
        status : dict
            ``name``, ``title``, ``size``, ``licence``, ``url``, ``access``,
            ``n_subjects``, ``complete`` (subjects with every file here) and
            ``partial`` (subjects with some of their files here).
        """
        some = self.local_subjects(complete=False)
        complete = [s for s in some if not self.missing_files([s])]
        return {"name": self.name, "title": self.title, "size": self.size,
                "licence": self.licence, "url": self.url, "access": self.access,
                "n_subjects": len(self.subjects), "complete": complete,
                "partial": [s for s in some if s not in complete]}

    def __repr__(self):
        return f"<{type(self).__name__} {self.name} {self.version}, {len(self.subjects)} subjects>"
