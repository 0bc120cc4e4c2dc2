"""The shared vocabulary at the bottom: results, statuses, errors, German wording, pinned versions.

Imports nothing of the grader above it."""
