"""Analyses of a search (diagnostics), over the core and the toolkits."""
