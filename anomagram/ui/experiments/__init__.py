"""The Experiments page: the sweep form, the run, the results."""
