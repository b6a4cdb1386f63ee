"""The docs site builds with warnings as errors: a broken link or
reference, a stale include or a malformed docstring fails it."""
import os.path as osp
import subprocess
import sys

import pytest

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


@pytest.mark.slow
def test_docs_build_with_warnings_as_errors(tmp_path):
    result = subprocess.run(
        [sys.executable, '-m', 'sphinx', '-W', '--keep-going', '-q', '-b',
         'html', osp.join(ROOT, 'docs', 'en'), str(tmp_path / 'html')],
        cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    for page in ('index', 'get_started', 'glossary', 'api',
                 'user_guides/reading_a_search', 'results/benchmark',
                 'results/zoo'):
        assert (tmp_path / 'html' / f'{page}.html').is_file(), page
    api = (tmp_path / 'html' / 'api.html').read_text()
    assert 'PaSSearch' in api and 'PaSSearchHook' in api
