# Copyright (c) 2026, lacatfly
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The few samples a status needs from a Prometheus text exposition (what cloudflared serves on /metrics).

Private to this collection (no compatibility promise). Reads the text format
version 0.0.4 far enough to sum the samples of named metrics: comment and
blank lines are skipped, a sample is ``name[{labels}] value [timestamp]``,
label values may hold escaped quotes and braces. Nothing else of the format
(types, histograms) is interpreted.
"""

from __future__ import annotations

import math


def _split_sample(line):
    """``(name, value)`` of one sample line, or None when it is not one."""
    brace = line.find("{")
    space = line.find(" ")
    if brace != -1 and (space == -1 or brace < space):
        name = line[:brace]
        # skip the label set: quoted values may hold } and escaped quotes
        i, quoted = brace + 1, False
        while i < len(line):
            ch = line[i]
            if quoted and ch == "\\":
                i += 2
                continue
            if ch == '"':
                quoted = not quoted
            elif ch == "}" and not quoted:
                break
            i += 1
        else:
            return None
        rest = line[i + 1 :].split()
    else:
        name, _sep, tail = line.partition(" ")
        rest = tail.split()
    if not name or not rest:
        return None
    try:
        value = float(rest[0])
    except ValueError:
        return None
    return name, value


def sample_sums(text, names):
    """For each of ``names``, the sum of its samples in ``text``; None for a metric that has none.

    A NaN sample is left out of the sum (a gauge that is not set).
    """
    wanted = set(names)
    sums = dict.fromkeys(names)
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        sample = _split_sample(line)
        if sample is None or sample[0] not in wanted or math.isnan(sample[1]):
            continue
        sums[sample[0]] = (sums[sample[0]] or 0.0) + sample[1]
    return sums
