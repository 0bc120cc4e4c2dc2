"""An Aufgabe: its folder, its cases' source, the reference's expected values (with the float32
margin of each tolerance), its catalogue of typical mistakes."""
