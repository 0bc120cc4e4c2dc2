"""The grading service (``grader serve``): students hand in through the browser or the API.

Its database is the source of truth and the queue (``models``, ``queue``): an
upload is stored before it is receipted (``handins``), a worker takes a lease
on it and grades it through the one engine (``worker``), and what a student
sees of the result is what the Aufgabe's policy lets them see (``visible``).
"""
