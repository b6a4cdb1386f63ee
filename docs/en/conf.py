"""Sphinx configuration of the pas-mm docs site (MyST markdown, autodoc).

Built with warnings as errors by ``tests/test_docs/test_docs_build.py``:

    python -m sphinx -W --keep-going -b html docs/en docs/en/_build/html
"""
from pas_mm.version import __version__  # installed by tools/install.sh

project = 'pas-mm'
copyright = '2026, the pas-mm developers'
author = 'the pas-mm developers'

version = release = __version__

extensions = [
    'myst_parser',
    'sphinx.ext.autodoc',
    'sphinx.ext.napoleon',
    'sphinx.ext.viewcode',
]
source_suffix = {'.rst': 'restructuredtext', '.md': 'markdown'}
root_doc = 'index'
exclude_patterns = ['_build']
myst_enable_extensions = ['colon_fence', 'deflist']
myst_heading_anchors = 3
# a link to a page or heading that does not exist is a warning, so an
# error in the -W build

autodoc_member_order = 'bysource'
autodoc_typehints = 'description'
autodoc_default_options = {'members': True, 'show-inheritance': False}
napoleon_google_docstring = True
napoleon_numpy_docstring = False

html_theme = 'sphinx_rtd_theme'
html_title = f'pas-mm {version}'
html_static_path = []
