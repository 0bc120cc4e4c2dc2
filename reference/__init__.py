"""Reference numpy implementations: the Aufgaben's submissions and the lecture's algorithms."""
