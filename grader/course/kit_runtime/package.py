"""The kit's package ``gnn_kit`` (copied into the kit as ``gnn_kit/__init__.py``).

Needs nothing but numpy, matplotlib, pytest and the files beside it in the
kit; never imported by the grader itself. In a notebook: ``from gnn_kit import
check; check()`` (nbformat, which comes with Jupyter, reads the notebook).
"""


def check(notebook=None) -> None:
    """Die öffentlichen Fälle gegen dieses Notebook (wie gespeichert) laufen lassen und als Liste ✓/✗ zeigen."""
    from .in_jupyter import check as run

    run(notebook)
