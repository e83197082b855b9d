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


def test_render_records_resolution_and_smallest_text():
    import io

    import matplotlib.pyplot as plt
    from PIL import Image

    from foresight import plotting

    fig, ax = plotting.figure(width=4, height=3)
    ax.plot([0, 1], [0, 1])
    ax.text(0.5, 0.5, "small", fontsize=6.5)
    assert plotting.smallest_text_pt(fig) == 6.5
    shown = plotting.render(fig)
    plt.close(fig)
    im = Image.open(io.BytesIO(shown.data))
    assert im.text["foresight:dpi"] == str(plotting.DPI) and float(im.text["foresight:min-font-pt"]) == 6.5
    assert "Software" not in im.text
    # displayed at 100 px per inch: half the 200-dpi pixels
    assert shown.width == round(im.size[0] * plotting.SCREEN_DPI / plotting.DPI)
