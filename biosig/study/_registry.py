"""Registries of recipe options: one entry per choice, holding all that the engine needs of it."""

from dataclasses import dataclass, field
from typing import Callable

from ._keys import RecipeError

__all__ = []


@dataclass(frozen=True)
class Option:
    """One choice of a recipe option (a sampler, a split, a model, ...).

    Attributes
    ----------
    name : str
        The value a recipe writes, e.g. ``"inter_patient"``.
    keys : dict of Key
        The keys this choice adds to its section.
    build : callable
        Builds its scikit-learn (or sampler, splitter) object; the
        signature is the registry's.
    describe : callable
        The sentence(s) of the report's protocol; the signature is the
        registry's.
    traits : dict
        Facts the engine asks of this choice (the unit a split resamples,
        the inputs a model takes, ...).
    """

    name: str
    keys: dict
    build: Callable
    describe: Callable
    traits: dict = field(default_factory=dict)

    def __getattr__(self, name):
        traits = object.__getattribute__(self, "traits")
        if name in traits:
            return traits[name]
        raise AttributeError(f"{self.name!r} has no {name!r}")


class Registry:
    """The choices of one recipe option, e.g. ``[split] kind``.

    Adding a choice is one decorated function in the registry's module::

        @SPLITS.add("my_split", keys={...}, describe=lambda ...: "...", unit="subject")
        def _my_split(study, sides):
            return MySplitter(...)

    Parameters
    ----------
    section, key : str
        Where a recipe names the choice, e.g. ``"split"`` and ``"kind"``.
    """

    def __init__(self, section, key):
        self.section = section
        self.key = key
        self._options = {}

    def add(self, name, *, keys=None, describe, **traits):
        """Register ``name``; decorates its build function."""

        def decorate(build):
            self._options[name] = Option(name, dict(keys or {}), build, describe, traits)
            return build

        return decorate

    def __contains__(self, name):
        return name in self._options

    def __iter__(self):
        return iter(self._options)

    def __getitem__(self, name):
        return self._options[name]

    def choices(self):
        """tuple of str: the registered names, in registration order."""
        return tuple(self._options)

    def get(self, name, source):
        """The option called ``name``; a RecipeError naming the file and the choices if none."""
        if name not in self._options:
            raise RecipeError(f"{source}: [{self.section}] {self.key} = {name!r}: {name!r} is not "
                              f"allowed; allowed values: {', '.join(map(repr, self._options))}")
        return self._options[name]
