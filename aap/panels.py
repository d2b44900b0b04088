"""Home panel of the calls for projects."""
