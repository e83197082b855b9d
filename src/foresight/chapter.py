"""What a chapter notebook calls: glue everything a report module returns, in one call.

Each chapter's numbers, tables and figures are computed by its report module
(``foresight.<domain>.report``, tested like the rest of the package); the
notebook only narrates and calls :func:`glue_all`. Figures are closed once
glued, so nothing is displayed twice; DataFrames are glued with their text
columns in full. Text meant for ``{glue:md}`` is marked with :class:`Markdown`.
A number is glued as :func:`foresight.rounding.settle` leaves it: round-off
around zero (below :data:`foresight.rounding.ZERO_FLOOR`) as ``0.0``, so a
quantity that is zero by construction reads as zero on every machine, and 12
significant digits, so that a value on a rounding edge of the prose prints the
same everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["Markdown", "glue_all"]


class Markdown(str):
    """Text glued as Markdown (shown with ``{glue:md}`` rather than as a string)."""


def glue_all(*items: Mapping[str, object]) -> None:
    """Glue every value of every mapping under its key (``myst_nb.glue``, not displayed).

    Parameters
    ----------
    items
        Mappings of glue key -> number, text, :class:`Markdown`, table
        (:class:`foresight.display.HouseTable`, or a DataFrame, which is
        formatted by :func:`foresight.display.house_table`) or matplotlib
        figure (rendered by :func:`foresight.plotting.render`, then closed).

    Raises
    ------
    ValueError
        When a key appears twice (a later value would silently win).
    TypeError
        For a pandas Styler: every table goes through the one house formatter.
    """
    import matplotlib.pyplot as plt
    import pandas as pd
    from IPython.display import Markdown as IPythonMarkdown
    from matplotlib.figure import Figure
    from myst_nb import glue
    from pandas.io.formats.style import Styler

    from foresight.display import HouseTable, as_table
    from foresight.rounding import settle
    from foresight.plotting import render

    seen: set[str] = set()
    # tables of prose (summaries, caveats) are shown in full, never cut at 50 characters
    with pd.option_context("display.max_colwidth", None):
        for mapping in items:
            for key, value in mapping.items():
                if key in seen:
                    raise ValueError(f"glue key {key!r} is given twice")
                seen.add(key)
                if isinstance(value, Styler):
                    raise TypeError(f"{key}: a Styler; format tables with foresight.display.house_table")
                if isinstance(value, Figure):
                    shown = render(value)
                    plt.close(value)
                elif isinstance(value, (pd.DataFrame, pd.Series, HouseTable)):
                    shown = as_table(value)
                elif isinstance(value, Markdown):
                    shown = IPythonMarkdown(str(value))
                else:
                    shown = settle(value)
                glue(key, shown, display=False)
