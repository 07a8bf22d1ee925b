"""Progress reporting (进度): domain code reports progress; the CLI decides how it is shown."""

from __future__ import annotations

from types import TracebackType
from typing import Protocol

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)


class ProgressBar(Protocol):
    """What long work needs from a progress display."""

    def start(self, total: int, description: str, unit: str = "页") -> None:
        """Begin a run of ``total`` units."""

    def advance(self, amount: int = 1) -> None:
        """Report ``amount`` more units done."""

    def finish(self) -> None:
        """End the run (also on error)."""


class NullProgress:
    """Shows nothing (tests, the API, scripts)."""

    def start(self, total: int, description: str, unit: str = "页") -> None:
        """Ignore the start."""

    def advance(self, amount: int = 1) -> None:
        """Ignore progress."""

    def finish(self) -> None:
        """Ignore the end."""


class RichProgress:
    """A Rich progress bar with count, rate and time left, in Chinese."""

    def __init__(self, console: Console | None = None) -> None:
        self._console = console
        self._progress: Progress | None = None
        self._task: TaskID | None = None
        self._unit = "页"

    def start(self, total: int, description: str, unit: str = "页") -> None:
        """Show the bar."""
        self._unit = unit
        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}"),
            TimeElapsedColumn(),
            TextColumn("剩余"),
            TimeRemainingColumn(),
            console=self._console,
            transient=False,
        )
        self._progress.start()
        self._task = self._progress.add_task(description, total=total, rate="")

    def advance(self, amount: int = 1) -> None:
        """Move the bar."""
        if self._progress is None or self._task is None:
            return
        self._progress.advance(self._task, amount)
        task = self._progress.tasks[0]
        speed = task.speed
        self._progress.update(self._task, rate=f"{speed:.1f} {self._unit}/秒" if speed else "")

    def finish(self) -> None:
        """Stop the bar."""
        if self._progress is not None:
            self._progress.stop()
            self._progress = None

    def __enter__(self) -> RichProgress:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.finish()
