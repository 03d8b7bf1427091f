"""Shared looks of the table views: signed numbers, the tone colour scale and eighth-block bars."""

from __future__ import annotations

import math

# Tone colour: grey at 0, full red or green at |tone| >= TONE_FULL_SCALE.
TONE_FULL_SCALE = 0.5
_GREY = (140, 140, 140)
_RED = (214, 39, 40)
_GREEN = (44, 160, 44)
_EIGHTHS = " ▏▎▍▌▋▊▉"
BAR_WIDTH = 10
MINUS = "\u2212"  # a true minus sign: as wide as "+", so signed columns line up
UNDEFINED = "–"
MISSING = "n/a"  # a NaN: the tone of text VADER cannot read (not English), or a mean of none


def signed(value: float | None, digits: int = 2) -> str:
    """``+0.25`` / ``−0.25`` (U+2212) in every table view; ``–`` when undefined (None),
    ``n/a`` when missing (NaN)."""
    if value is None:
        return UNDEFINED
    if math.isnan(value):
        return MISSING
    return f"{value:+.{digits}f}".replace("-", MINUS)


def tone_colour(tone: float | None) -> str:
    """Red (negative) – grey (neutral) – green (positive) as '#rrggbb'; 'dim' when undefined."""
    if tone is None or math.isnan(tone):
        return "dim"
    weight = min(abs(tone) / TONE_FULL_SCALE, 1.0)
    end = _GREEN if tone > 0 else _RED
    red, green, blue = (round(g + (e - g) * weight) for g, e in zip(_GREY, end, strict=True))
    return f"#{red:02x}{green:02x}{blue:02x}"


def bar(fraction: float, width: int = BAR_WIDTH) -> str:
    """A horizontal bar of ``fraction`` (0…1) of ``width`` cells, in eighths, padded to width."""
    eighths = round(max(0.0, min(fraction, 1.0)) * width * 8)
    full, rest = divmod(eighths, 8)
    return ("█" * full + (_EIGHTHS[rest] if rest else "")).ljust(width)


CI_OVER = {"articles": ("articles", ""), "sentences": ("these texts", "yellow")}
"""How a table view names an interval's ``ci_unit`` (text, style): over the perspective's
articles, or over sentences, within these texts only."""
