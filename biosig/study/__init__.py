"""Studies: a recipe as a typed plan of scikit-learn parts, run fold by fold as jobs.

:func:`load_recipe` reads a TOML recipe into a :class:`Study`;
:func:`run_study` runs it into a run folder; :func:`render_report` and
:func:`compare_runs` read run folders back. The options a recipe can name
(samplers, inputs, splits, imbalance settings, models) each have one
registry, in the module of their name.
"""

from ._data import MissingDataError
from ._keys import RecipeError, parse_override
from ._plan import Anchor, Study, load_recipe, validate
from ._run_folder import compare_runs, render_report
from ._runner import run_study

__all__ = ["Anchor", "MissingDataError", "RecipeError", "Study", "compare_runs", "load_recipe",
           "parse_override", "render_report", "run_study", "validate"]
