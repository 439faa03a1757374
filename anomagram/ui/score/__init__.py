"""The Score page: a data panel, a model panel and the results."""
