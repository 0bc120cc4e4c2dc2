"""The harness: what runs inside the sandbox. Needs only numpy and matplotlib."""
