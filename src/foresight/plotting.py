"""The one place that decides how figures look.

House style: a white figure background (legible on the theme's light *and*
dark pages, since the figure carries its own background), one colour-blind-safe
palette (Okabe & Ito 2008), sizes that fit the book theme's text column
(about 7.5 in wide at 100 dpi), and deterministic SVG/PNG output (no
timestamps or random ids in saved files).

Use :func:`figure` to make a figure and :func:`style` as a context manager
when a third-party routine draws its own.
"""

from __future__ import annotations

import contextlib
import io
from typing import Iterator, Sequence

import matplotlib as mpl
import matplotlib.pyplot as plt
from cycler import cycler

# No backend is forced here: in a notebook the inline backend must stay active
# so that glued figures are stored as images; headless runs (tests, CI) fall
# back to Agg by themselves.

#: Okabe-Ito palette, in the order used for series.
PALETTE: tuple[str, ...] = (
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#009E73",  # bluish green
    "#E69F00",  # orange
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#F0E442",  # yellow
    "#000000",  # black
)
#: Conventional colours for the two sexes, used consistently across chapters.
SEX_COLOURS = {"male": PALETTE[0], "female": PALETTE[1], "both": PALETTE[7]}
#: Sequential and diverging colour maps for heat maps.
SEQUENTIAL_CMAP = "viridis"
DIVERGING_CMAP = "RdBu_r"

#: Width of the theme's text column in inches at the rcParams dpi.
COLUMN_WIDTH = 7.5
#: Resolution of the pictures the book shows: sharp on HiDPI screens and in print.
DPI = 200
#: Screen resolution the figure sizes are designed for (CSS pixels per inch).
SCREEN_DPI = 100
#: Smallest font size (points) any text in a figure may have.
MIN_FONT_PT = 8.0

RC = {
    "figure.figsize": (COLUMN_WIDTH, 4.2),
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "figure.facecolor": "white",
    "axes.facecolor": "white",
    "savefig.facecolor": "white",
    "savefig.bbox": "tight",
    "axes.prop_cycle": cycler(color=list(PALETTE)),
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#dddddd",
    "grid.linewidth": 0.6,
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "axes.labelsize": 10,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 9,
    "legend.frameon": False,
    "font.family": "DejaVu Sans",
    "text.color": "#222222",
    "axes.labelcolor": "#222222",
    "xtick.color": "#222222",
    "ytick.color": "#222222",
    "lines.linewidth": 1.6,
    "image.cmap": SEQUENTIAL_CMAP,
    # deterministic files
    "svg.hashsalt": "foresight",
    "svg.fonttype": "none",
    "pdf.fonttype": 42,
}


def apply() -> None:
    """Install the house style globally (chapters call this once)."""
    mpl.rcParams.update(RC)


@contextlib.contextmanager
def style() -> Iterator[None]:
    """Context manager applying the house style temporarily."""
    with mpl.rc_context(RC):
        yield


def figure(
    nrows: int = 1,
    ncols: int = 1,
    *,
    height: float | None = None,
    width: float = COLUMN_WIDTH,
    **kwargs,
):
    """A house-styled figure and axes, sized to the text column.

    Parameters
    ----------
    nrows, ncols
        Grid of axes, as in :func:`matplotlib.pyplot.subplots`.
    height
        Height in inches; defaults to 4.2 for one row and 3.2 per row otherwise.
    width
        Width in inches; the column width by default.
    """
    apply()
    if height is None:
        height = 4.2 if nrows == 1 else 3.2 * nrows
    kwargs.setdefault("layout", "constrained")
    return plt.subplots(nrows, ncols, figsize=(width, height), **kwargs)


def colours(n: int) -> Sequence[str]:
    """The first ``n`` palette colours (cycling if ``n`` exceeds the palette)."""
    return [PALETTE[i % len(PALETTE)] for i in range(n)]


def smallest_text_pt(fig) -> float:
    """Font size (points) of the smallest visible, non-empty text in ``fig``.

    The figure is drawn first, so tick labels exist. Returns ``inf`` for a
    figure without text.
    """
    from matplotlib.text import Text

    fig.canvas.draw()
    sizes = [t.get_fontsize() for t in fig.findobj(Text)
             if t.get_visible() and t.get_text().strip()]
    return float(min(sizes)) if sizes else float("inf")


def render(fig, *, dpi: int = DPI):
    """The figure as the book shows it: a PNG at ``dpi``, displayed at 100 px per inch.

    The PNG records, in text chunks, its resolution (``foresight:dpi``) and the
    size of its smallest text (``foresight:min-font-pt``), so the site tests can
    work out how large that text appears in the browser. No timestamp or
    software version is written, so the bytes depend on the figure only.
    """
    from IPython.display import Image

    small = smallest_text_pt(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight",
                metadata={"Software": None, "foresight:dpi": str(dpi),
                          "foresight:min-font-pt": f"{small:.2f}"})
    data = buf.getvalue()
    from PIL import Image as PILImage

    width = PILImage.open(io.BytesIO(data)).size[0]
    return Image(data=data, format="png", width=round(width * SCREEN_DPI / dpi))
