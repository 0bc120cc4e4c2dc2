"""What the student kit runs on a student's machine: copied into the kit as the package ``gnn_kit``
(``package.py`` becomes its ``__init__.py``); never imported by the grader itself."""
