"""Sources published on PhysioNet: fetched with pooch, verified against SHA256SUMS.txt."""

from ._download import fetch_physionet
from ._source import BaseSource

__all__ = []


class PhysioNetSource(BaseSource):
    """A source whose files PhysioNet serves under ``/files/<name>/<version>/``."""

    licence = "ODC-BY 1.0"

    @property
    def url(self):
        return f"https://physionet.org/content/{self.name}/{self.version}/"

    def _fetch(self, files):
        return fetch_physionet(self.name, self.version, list(files), self.cache_path,
                               progress=self.progress)
