"""The overlap check: finds text covered by text, lines, markers, patches and legends, and only those."""

from __future__ import annotations

import json

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from kimi_research import paths  # noqa: E402
from kimi_research.presentation import overlaps, plotting  # noqa: E402


@pytest.fixture
def fig():
    plotting.theme()
    f, ax = plt.subplots(figsize=(10, 5.2))
    ax.plot([0, 10], [0, 1])
    ax.set_xlabel("x label")
    ax.set_ylabel("y label")
    ax.set_xlim(0, 10)
    yield f
    plt.close(f)


@pytest.fixture
def square():
    """An empty 0..10 x 0..10 chart."""
    plotting.theme()
    f, ax = plt.subplots(figsize=(8, 5))
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 10)
    yield f, ax
    plt.close(f)


def found(f) -> list[str]:
    """What the check reports for a live figure, one description each."""
    return [overlaps.describe(*x) for x in overlaps.problems(f)]


def test_two_labels_on_top_of_each_other_are_found(fig):
    ax = fig.axes[0]
    ax.text(5, 0.5, "first label")
    ax.text(5.2, 0.5, "second label")
    found = overlaps.overlapping_labels(fig)
    assert [(a.text, b.text) for a, b, _ in found] == [("first label", "second label")]


def test_labels_apart_and_ticks_out_of_view_are_not(fig):
    ax = fig.axes[0]
    ax.text(1, 0.9, "left")
    ax.text(8, 0.1, "right")
    ax.set_xticks([-50, 0, 5, 10, 60])  # the ticks outside the view are not drawn
    assert overlaps.overlapping_labels(fig) == []


def test_rotated_tick_labels_side_by_side_are_not(fig):
    ax = fig.axes[0]
    ax.set_xticks(range(11), [f"a rather long label {i}" for i in range(11)], rotation=45, ha="right", rotation_mode="anchor")
    fig.canvas.draw()
    ticks = [x for x in overlaps.labels(fig) if x.kind == "tick" and x.corners]
    assert len(ticks) == 11 and overlaps.overlaps(ticks) == []
    assert any(
        overlaps.overlaps([a, b], 0) == [] and (min(a.box[2], b.box[2]) > max(a.box[0], b.box[0]))
        for a, b in zip(ticks, ticks[1:], strict=False)
    ), "their boxes meet, their letters do not"


def test_a_label_struck_through_by_a_reference_line_is_found(square):
    f, ax = square
    ax.axhline(5, color="black", lw=1)
    ax.text(3, 5, "struck label", va="center")
    ax.text(3, 7, "label above the line", va="center")
    assert found(f) == ["text 'struck label' is struck through by a 'solid line'"]


def test_a_label_beside_a_diagonal_line_is_not_found_but_one_on_it_is(square):
    """The line's bounding box covers the whole axis: only its path counts."""
    f, ax = square
    ax.plot([0, 10], [0, 10], color="C0", label="_diagonal")
    ax.text(6, 2, "below the diagonal")
    ax.text(1, 8, "above the diagonal")
    assert found(f) == []
    ax.text(4.5, 5, "on the diagonal", va="center")
    assert found(f) == ["text 'on the diagonal' is struck through by a 'solid line'"]


def test_a_line_through_the_empty_corner_of_a_two_line_label_is_not_found(square):
    """A short first line over a long second one: a line past the first line's end misses the letters."""
    f, ax = square
    ax.text(2, 5, "21m\nDecember 2024", va="bottom", ha="left", fontsize=12)
    f.canvas.draw()
    label = next(x for x in overlaps.labels(f) if x.text.startswith("21m"))
    (x0, _, x1, _), second = label.lines
    assert x1 - x0 < (second[2] - second[0]) / 2
    # a horizontal line at the height of the first line, starting right of "21m"
    to_data = ax.transData.inverted()
    y = to_data.transform((0, (label.lines[0][1] + label.lines[0][3]) / 2))[1]
    start = to_data.transform((x1 + 10, 0))[0]
    ax.plot([start, 10], [y, y], color="black", label="_past")
    assert found(f) == []
    ax.plot([0, 10], [y, y], color="black", label="through")
    assert found(f) == ["text '21m December 2024' is struck through by a 'through' line"]


def test_text_over_a_marker_is_found(square):
    f, ax = square
    ax.scatter([5], [5], s=120, label="_points")
    ax.plot([8], [2], marker="o", markersize=10, ls="none", label="a point")
    ax.text(5, 5, "on the scatter point", ha="center", va="center")
    ax.text(2, 2, "far from the points")
    assert found(f) == [next(d for d in found(f) if "scatter" in d)]
    assert found(f)[0].startswith("text 'on the scatter point' covers 'scatter' markers")
    ax.text(8, 2, "on the point", ha="center", va="center")
    assert any(d.startswith("text 'on the point' covers 'a point' markers") for d in found(f))


def test_text_under_a_legend_is_found(square):
    f, ax = square
    ax.plot([0, 10], [1, 1], label="a series with a long name")
    ax.legend(loc="upper left")
    ax.text(0.3, 9.6, "rate 0.10", va="top")
    ax.text(6, 4, "clear of the legend")
    assert found(f) == [next(d for d in found(f) if "legend" in d)]
    assert found(f)[0].startswith("text 'rate 0.10' is under a legend")


def test_a_bar_edge_through_a_label_is_found_a_label_inside_its_bar_is_not(square):
    f, ax = square
    ax.barh([2, 6], [5, 5], height=2, color="C1")
    ax.text(2.5, 2, "inside its bar", va="center", ha="center")
    assert found(f) == []
    ax.text(5, 6, "across the end", va="center", ha="center")
    assert found(f) == ["text 'across the end' is crossed by the edge of a 'rectangle' patch"]


def test_an_opaque_label_over_another_line_is_not_struck(square):
    """Event labels sit on a white box drawn above the other events' dotted lines."""
    f, ax = square
    ax.axvline(5, color="#999999", ls=":", zorder=1)
    ax.text(4, 8, "an event label", bbox=dict(fc="white", ec="none", alpha=0.85), zorder=3)
    assert found(f) == []
    ax.text(4, 3, "a plain label")
    assert found(f) == ["text 'a plain label' is struck through by a 'dotted line'"]


def test_a_clean_chart_has_no_overlaps(square):
    f, ax = square
    ax.plot([1, 9], [1, 3], marker="o", label="series A")
    ax.bar([6, 8], [5, 6], width=1, label="bars")
    ax.axhline(9, color="black", lw=1, label="_ref")
    ax.text(1.2, 1.8, "start")
    ax.text(8.6, 6.4, "6", ha="center")
    ax.text(0.2, 9.3, "reference line")
    ax.legend(loc="center left")
    ax.set_title("A clean chart")
    assert found(f) == []


def test_save_records_texts_shapes_and_the_png(fig, tmp_path, monkeypatch):
    monkeypatch.setenv("KIMI_RESEARCH_BUILD_DIR", str(tmp_path))
    monkeypatch.setenv(paths.RUN_DIR_ENV, str(tmp_path / "run"))
    ax = fig.axes[0]
    ax.text(5, 0.5, "first label")
    ax.text(5.2, 0.5, "second label")
    ax.axhline(0.51, color="black")
    assert plotting.save(fig, "99_test", "chart", show=False) is None, "a chart cell would print what save returns"
    png = tmp_path / "run" / "figures" / "99_test" / "chart.png"
    record = json.loads(png.with_suffix(".labels.json").read_text(encoding="utf-8"))
    assert record["savefig_dpi"] == plt.rcParams["savefig.dpi"]
    assert record["png"]["width"] == int.from_bytes(png.read_bytes()[16:20], "big")
    assert {s["kind"] for s in record["shapes"]} == {"line"}
    found = overlaps.find_overlaps(png.parent.parent)
    assert list(found) == ["99_test/chart"]
    text = overlaps.report(found)
    assert "'first label' overlaps text 'second label'" in text
    assert "text 'first label' is struck through by a 'solid line' (×2)" in text
    fig_record = overlaps.recorded_figures(png.parent.parent)[0]
    assert fig_record.smallest is not None and fig_record.smallest.fontsize == min(x["fontsize"] for x in record["labels"])


def test_strict_exits_1_on_overlaps(fig, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("KIMI_RESEARCH_BUILD_DIR", str(tmp_path))
    monkeypatch.setenv(paths.RUN_DIR_ENV, str(tmp_path / "figures-root"))
    fig.axes[0].text(5, 0.5, "first label")
    fig.axes[0].text(5.2, 0.5, "second label")
    plotting.save(fig, "99_test", "chart", show=False)
    (tmp_path / "figures-root" / "figures").rename(tmp_path / "figures")  # as a default run promotes it
    assert overlaps.main(["--strict"]) == 1
    assert overlaps.main([]) == 0
    assert "99_test/chart: text 'first label' overlaps text 'second label'" in capsys.readouterr().out
