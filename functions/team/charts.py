"""Bar charts drawn on the server as SVG: no script, so they work under the strict CSP.

Each chart carries its numbers, so the page shows them as a table too (screen readers read
the table; the SVG is a picture with a title and a description).
"""

from __future__ import annotations

from dataclasses import dataclass

#: Drawing units: the SVG scales to the page's width.
WIDTH = 640
BAR_HEIGHT = 18
ROW_HEIGHT = 52


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    total: int

    @property
    def share(self) -> float:
        return 0.0 if self.total <= 0 else min(1.0, self.value / self.total)


@dataclass(frozen=True)
class BarChart:
    key: str
    title: str
    description: str
    unit: str  # "pounds" (values in pence) or "people"
    bars: list[Bar]
    value_label: str
    total_label: str
    empty: str

    @property
    def height(self) -> int:
        return ROW_HEIGHT * len(self.bars) + 8

    def rows(self) -> list[dict[str, object]]:
        """Where each bar goes, in drawing units."""
        drawn = []
        for index, bar in enumerate(self.bars):
            top = index * ROW_HEIGHT
            drawn.append(
                {
                    "bar": bar,
                    "label_y": top + 16,
                    "bar_y": top + 24,
                    "filled": round(WIDTH * bar.share, 1),
                    "height": BAR_HEIGHT,
                }
            )
        return drawn


__all__ = ["WIDTH", "Bar", "BarChart"]
