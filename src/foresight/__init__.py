"""foresight: the shared package behind the compendium's chapters.

Subpackages are imported lazily by the chapters that need them
(``foresight.mortality``, ``foresight.sle``, ``foresight.careers``,
``foresight.selection``), so one domain's import cost or failure never
affects another's.
"""

from foresight.errors import ConvergenceWarning, DataError

__version__ = "0.1.0"

__all__ = ["ConvergenceWarning", "DataError", "__version__"]
