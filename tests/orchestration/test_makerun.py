"""The queue of `make run` (kimi_research.orchestration.runner.makerun): the longest notebooks first,
by the time each took last, so that the two workers finish together."""

from __future__ import annotations

import json

import pytest

from kimi_research import registry
from kimi_research.orchestration.runner import makerun


@pytest.fixture
def seconds(tmp_path, monkeypatch):
    f = tmp_path / "cache" / "notebook-seconds.json"
    monkeypatch.setattr(makerun, "seconds_file", lambda: f)
    return f


def test_without_a_record_the_later_notebooks_go_first(seconds):
    assert makerun._order(list(registry.NAMES)) == list(reversed(registry.NAMES))


def test_the_longest_notebooks_go_first_and_those_never_timed_before_them(seconds):
    names = list(registry.NAMES)
    seconds.parent.mkdir()
    seconds.write_text(json.dumps({names[0]: 5.0, names[2]: 30.0, names[4]: 20.0}), encoding="utf-8")
    never = [n for n in reversed(names) if n not in (names[0], names[2], names[4])]
    assert makerun._order(names) == [*never, names[2], names[4], names[0]]
    assert makerun._order([f"{names[0]}=mine.yaml", names[2]]) == [names[2], f"{names[0]}=mine.yaml"]


def test_times_are_merged_and_a_cache_that_cannot_be_written_is_no_error(seconds, monkeypatch):
    makerun._record_seconds({"a": 1.0})
    makerun._record_seconds({"b": 2.0})
    assert json.loads(seconds.read_text(encoding="utf-8")) == {"a": 1.0, "b": 2.0}
    seconds.write_text("not json", encoding="utf-8")
    assert makerun._seconds() == {}

    def refuse(*a, **k):
        raise PermissionError(13, "Permission denied", str(seconds))

    monkeypatch.setattr(makerun, "atomic_write_text", refuse)
    makerun._record_seconds({"c": 3.0})  # no exception
