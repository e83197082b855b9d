"""What a chapter notebook calls: glue everything a report module returns, in one call.

Each chapter's numbers, tables and figures are computed by its report module
(``foresight.<domain>.report``, tested like the rest of the package); the
notebook only narrates and calls :func:`glue_all`. Figures are closed once
glued, so nothing is displayed twice; DataFrames are glued with their text
columns in full. Text meant for ``{glue:md}`` is marked with :class:`Markdown`.
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
        Mappings of glue key -> number, text, :class:`Markdown`, DataFrame or
        Styler, or matplotlib figure (closed after gluing).

    Raises
    ------
    ValueError
        When a key appears twice (a later value would silently win).
    """
    import matplotlib.pyplot as plt
    import pandas as pd
    from IPython.display import Markdown as IPythonMarkdown
    from matplotlib.figure import Figure
    from myst_nb import glue

    seen: set[str] = set()
    # tables of prose (summaries, caveats) are shown in full, never cut at 50 characters
    with pd.option_context("display.max_colwidth", None):
        for mapping in items:
            for key, value in mapping.items():
                if key in seen:
                    raise ValueError(f"glue key {key!r} is given twice")
                seen.add(key)
                glue(key, IPythonMarkdown(str(value)) if isinstance(value, Markdown) else value,
                     display=False)
                if isinstance(value, Figure):
                    plt.close(value)
