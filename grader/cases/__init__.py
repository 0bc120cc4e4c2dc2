"""An Aufgabe: its folder, its cases' source, the reference's expected values, its catalogue of typical mistakes."""
