"""What the student kit runs on a student's machine (copied into the kit as ``gnn_kit``).

Needs nothing but numpy, matplotlib, pytest and the files beside it in the
kit; never imported by the grader itself.
"""
