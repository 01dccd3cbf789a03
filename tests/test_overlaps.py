"""The label-overlap check: finds texts that cover each other, and only those."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

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


def test_save_records_the_labels_and_the_check_reads_them(fig, tmp_path, monkeypatch):
    monkeypatch.setenv("KIMI_RESEARCH_BUILD_DIR", str(tmp_path))
    ax = fig.axes[0]
    ax.text(5, 0.5, "first label")
    ax.text(5.2, 0.5, "second label")
    png = plotting.save(fig, "99_test", "chart", show=False)
    assert png.with_suffix(".labels.json").exists()
    found = overlaps.find_overlaps(png.parent.parent)  # the figures folder of this run (build/runs/...)
    assert list(found) == ["99_test/chart"]
    assert "'first label' overlaps text 'second label'" in overlaps.report(found)
