"""Small-number statistics for the reports: relative rates with a confidence interval, and suppression."""

import math
from dataclasses import dataclass

Z95 = 1.96


@dataclass(frozen=True)
class RateRatio:
    ratio: float
    low: float
    high: float


def rate_ratio(a: int, n1: int, c: int, n2: int) -> RateRatio | None:
    """The rate ratio of ``a`` of ``n1`` against ``c`` of ``n2`` with its 95% confidence interval (log method):
    RR × exp(±1.96 · sqrt(1/a − 1/n1 + 1/c − 1/n2)). None when any cell is zero (the interval is not defined)."""
    if not (a and n1 and c and n2):
        return None
    ratio = (a / n1) / (c / n2)
    spread = Z95 * math.sqrt(1 / a - 1 / n1 + 1 / c - 1 / n2)
    return RateRatio(ratio, ratio * math.exp(-spread), ratio * math.exp(spread))


def hidden(count: int, threshold: int) -> bool:
    """A count from 1 to ``threshold`` − 1 is suppressed (zero is shown)."""
    return 0 < count < threshold
