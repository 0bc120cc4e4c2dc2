"""What the report tests share: markers of what must (not) appear, and a figure."""

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

SCRIPT = "<script>alert('x')</script>"
HIDDEN_SECRET = "GEHEIM-4711"
"""Stands for what a hidden case must never show: its message, output and values."""


def png(colour: str) -> bytes:
    figure, axes = plt.subplots(figsize=(3, 2))
    axes.plot([0, 1, 2], [0, 1, 0], color=colour)
    axes.set_xlabel("o_1")
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=60)
    plt.close(figure)
    return buffer.getvalue()
