"""When something acts: one time-window type for levers, investments and shocks."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Window:
    """Weeks ``start_week .. start_week + duration_weeks - 1``; no duration: to the end of the run."""

    start_week: int
    duration_weeks: int | None = None

    @property
    def end_week(self) -> int | None:
        """First week after the window (None if it never ends)."""
        return None if self.duration_weeks is None else self.start_week + self.duration_weeks

    def active(self, week: int) -> bool:
        return week >= self.start_week and (self.duration_weeks is None or week < self.start_week + self.duration_weeks)
