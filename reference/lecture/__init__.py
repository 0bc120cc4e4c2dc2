"""The lecture's algorithms in numpy, one module per topic; see ``reference/README.md``."""
