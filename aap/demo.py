"""Demo data of the calls for projects (filled below)."""
