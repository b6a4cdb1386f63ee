"""Data the project generates from assets inside PyPI packages: the proxy
benchmark's data (``proxy``) and the synthetic demo data (``synthetic``)."""
