"""Judging a case run: comparisons, verdicts, the typical mistake, what a report may show."""
