"""Bar charts drawn on the server as accessible SVG: no JavaScript, no chart library, static CSS.

A chart is horizontal bars, one row per category (a year, an offence, a legal age), each row one
bar per series (grouped: a bar per country) or one bar of stacked segments (stacked: themes).
`includes/chart.html` draws it: `role="img"` with a `<title>` and a `<desc>`, a text legend, and
the same numbers as a table behind a disclosure. A value that is not known is `None`: the chart
writes what the app says about it ("not known", "no prison term") where the bar would be, never
a zero-length bar.

Why our own: the Python SVG chart libraries on offer (pygal, leather, matplotlib's SVG back end)
write inline `style` attributes or `<style>` elements, which the site's CSP forbids, and none
gives an SVG with a title, a description and labelled data in the page's own markup. The palette
is Okabe and Ito's, designed to be told apart with every common colour-vision deficiency.
"""

import dataclasses
import hashlib
import math
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

from django.template.loader import render_to_string
from django.utils.functional import Promise
from django.utils.safestring import mark_safe

# Okabe–Ito, most distinct first; yellow last (weakest on white); grey for "no theme" and the like.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
OTHER = "#8C8C8C"

WIDTH = 560
FONT_SIZE = 12
CHAR_WIDTH = 6.6  # average advance of the sans-serif at FONT_SIZE, for label room
LABEL_MAX_CHARS = 30
BAR_HEIGHT = 14
BAR_GAP = 2  # between the bars of one row
ROW_GAP = 10
VALUE_ROOM = 96  # right of the longest bar: its value label or the "not known" note
TOP = 8
AXIS_ROOM = 24


@dataclass
class Series:
    key: str
    label: str
    fill: str = ""


@dataclass
class Value:
    number: float | None  # None: not known
    text: str  # as a reader should read it: "15 years", "2", "not known"


@dataclass
class Row:
    label: str
    values: dict  # series key -> Value
    url: str = ""
    total_text: str = ""  # stacked charts: what the row's total means, for the table
    cells: list = field(default_factory=list)  # the values in series order (set by the chart)


@dataclass
class BarChart:
    id: str  # HTML id prefix, unique on the page
    title: str
    description: str
    series: list
    rows: list
    stacked: bool = False
    axis_label: str = ""
    tick_step: float | None = None  # None: chosen from the largest value
    tick_text: object = None  # number -> text for the axis ticks
    total_label: str = ""  # stacked charts: heading of the table's total column
    row_heading: str = ""  # the table's first column
    value_heading: str = ""  # the value column of a chart with one unnamed series
    empty: str = "No data to draw."
    missing: str = "not known"  # a grouped chart's value nobody gave (a stacked one's: 0)
    geometry: dict = field(default_factory=dict, init=False)

    def __post_init__(self):
        for n, series in enumerate(self.series):
            if not series.fill:
                series.fill = PALETTE[n % len(PALETTE)]
        absent = Value(0, "0") if self.stacked else Value(None, self.missing)
        for row in self.rows:
            row.values = {s.key: row.values.get(s.key) or absent for s in self.series}
            row.cells = [row.values[s.key] for s in self.series]

    @property
    def has_data(self):
        return any(v.number is not None for row in self.rows for v in row.values.values())

    @property
    def show_legend(self):
        return len(self.series) > 1

    def layout(self):
        """Everything the template draws, in SVG units."""
        if self.geometry:
            return self.geometry
        longest = max((len(short(row.label)) for row in self.rows), default=0)
        label_room = min(longest, LABEL_MAX_CHARS) * CHAR_WIDTH + 12
        plot_left = label_room
        plot_width = WIDTH - label_room - VALUE_ROOM
        top_value = max(
            (row_total(row, self.stacked) for row in self.rows if row_total(row, self.stacked)),
            default=0,
        )
        step = self.tick_step or nice_step(top_value)
        axis_max = max(step, math.ceil(top_value / step) * step) if top_value else step
        scale = plot_width / axis_max
        bars_per_row = 1 if self.stacked else len(self.series)
        row_height = bars_per_row * BAR_HEIGHT + (bars_per_row - 1) * BAR_GAP
        rows, y = [], TOP
        for row in self.rows:
            bars = []
            if self.stacked:
                x = plot_left
                for series in self.series:
                    value = row.values.get(series.key)
                    if value is None or not value.number:
                        continue
                    width = value.number * scale
                    bars.append(bar(series, value, row, x, y, width))
                    x += width
                total = row_total(row, True)
                notes = [] if total else [note(plot_left, y, "0")]
                text = row.total_text or str(fmt(total))
                totals = [label_at(x + 4, y, text)] if total else []
            else:
                notes, totals = [], []
                for n, series in enumerate(self.series):
                    value = row.values[series.key]
                    bar_y = y + n * (BAR_HEIGHT + BAR_GAP)
                    if value.number is None:
                        # Which bar is missing must not be told by colour alone.
                        text = f"{series.label}: {value.text}" if series.label else value.text
                        notes.append(note(plot_left, bar_y, text, series))
                        continue
                    width = value.number * scale
                    bars.append(bar(series, value, row, plot_left, bar_y, width))
                    totals.append(label_at(plot_left + width + 4, bar_y, value.text))
            rows.append(
                {
                    "row": row,
                    "label": short(row.label),
                    "label_x": plot_left - 6,
                    "label_y": y + row_height / 2 + FONT_SIZE * 0.35,
                    "bars": bars,
                    "notes": notes,
                    "totals": totals,
                }
            )
            y += row_height + ROW_GAP
        plot_bottom = y - ROW_GAP + 4
        ticks = []
        tick = 0.0
        while tick <= axis_max + 1e-9:
            x = plot_left + tick * scale
            text = self.tick_text(tick) if self.tick_text else fmt(tick)
            ticks.append({"x": round(x, 1), "text": text})
            tick += step
        self.geometry = {
            "width": WIDTH,
            "height": round(plot_bottom + AXIS_ROOM + (14 if self.axis_label else 0), 1),
            "rows": rows,
            "plot_left": plot_left,
            "plot_top": TOP - 4,
            "plot_bottom": plot_bottom,
            "axis_y": plot_bottom + 14,
            "axis_label_x": plot_left + plot_width / 2,
            "axis_label_y": plot_bottom + AXIS_ROOM + 8,
            "ticks": ticks,
            "font_size": FONT_SIZE,
        }
        return self.geometry


def row_total(row, stacked):
    numbers = [v.number for v in row.values.values() if v is not None and v.number is not None]
    if not numbers:
        return 0
    return sum(numbers) if stacked else max(numbers)


def bar(series, value, row, x, y, width):
    return {
        "x": round(x, 1),
        "y": y,
        "width": round(max(width, 0.5), 1),
        "height": BAR_HEIGHT,
        "fill": series.fill,
        "series": series,
        "value": value,
        "title": f"{row.label}: {series.label + ', ' if series.label else ''}{value.text}",
    }


def note(x, y, text, series=None):
    return {"x": x + 2, "y": y + BAR_HEIGHT * 0.8, "text": text, "series": series}


def label_at(x, y, text):
    return {"x": round(x, 1), "y": y + BAR_HEIGHT * 0.8, "text": text}


def short(label):
    return label if len(label) <= LABEL_MAX_CHARS else label[: LABEL_MAX_CHARS - 1].rstrip() + "…"


def fmt(number):
    return int(number) if float(number).is_integer() else round(number, 1)


def nice_step(top):
    """A round tick step giving about four to eight ticks up to `top`."""
    if top <= 0:
        return 1
    raw = top / 5
    magnitude = 10 ** math.floor(math.log10(raw))
    for multiple in (1, 2, 5, 10):
        if raw <= multiple * magnitude:
            return max(1, multiple * magnitude) if top >= 5 else 1
    return 10 * magnitude


# --- drawn once per distinct chart ---------------------------------------------------------------
# A chart's SVG is a function of its data alone, so a process keeps the last ones it drew: the
# country page drawn again after an edit that left the chart's numbers as they were (a title
# corrected) draws no chart. Bounded, and shared by the process's threads.
DRAWN_KEEP = 256
_drawn = OrderedDict()
_drawn_lock = threading.Lock()


class _Unkeyable(Exception):
    """A chart holds something whose content cannot be told (a closure): it is drawn each time."""


def _fingerprint(value):
    """A value standing for `value`'s content, or _Unkeyable for what has none (a closure)."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, Promise):  # a lazy translation: its text now
        return str(value)
    if isinstance(value, list | tuple):
        return tuple(_fingerprint(item) for item in value)
    if isinstance(value, dict):
        return tuple(sorted((str(k), _fingerprint(v)) for k, v in value.items()))
    if dataclasses.is_dataclass(value):
        return (type(value).__qualname__,) + tuple(
            _fingerprint(getattr(value, f.name)) for f in dataclasses.fields(value) if f.init
        )
    qualname = getattr(value, "__qualname__", "")
    if callable(value) and qualname and "<" not in qualname:  # a module-level function
        return (value.__module__, qualname)
    raise _Unkeyable


def chart_html(chart):
    """`includes/chart.html` drawn for `chart` (the same chart is drawn once per process)."""
    try:
        key = hashlib.sha256(repr(_fingerprint(chart)).encode()).digest()
    except _Unkeyable:
        return mark_safe(render_to_string("includes/chart.html", {"chart": chart}))
    with _drawn_lock:
        html = _drawn.get(key)
        if html is not None:
            _drawn.move_to_end(key)
            return html
    html = mark_safe(render_to_string("includes/chart.html", {"chart": chart}))
    with _drawn_lock:
        _drawn[key] = html
        while len(_drawn) > DRAWN_KEEP:
            _drawn.popitem(last=False)
    return html
