import matplotlib.colors as mcolors

from foresight import plotting


def test_figure_has_white_background_and_column_width():
    fig, ax = plotting.figure()
    try:
        assert mcolors.to_hex(fig.get_facecolor()) == "#ffffff"
        assert abs(fig.get_figwidth() - plotting.COLUMN_WIDTH) < 1e-9
        line = ax.plot([0, 1], [0, 1])[0]
        assert line.get_color().lower() == plotting.PALETTE[0].lower()
    finally:
        import matplotlib.pyplot as plt

        plt.close(fig)


def test_palette_is_distinct_and_valid():
    assert len(set(plotting.PALETTE)) == len(plotting.PALETTE)
    for c in plotting.PALETTE:
        assert mcolors.is_color_like(c)
    assert plotting.colours(10)[8] == plotting.PALETTE[0]
