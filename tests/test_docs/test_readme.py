"""The README stays short and in the OpenMMLab shape, and every figure it
keeps is one a committed result file holds."""
import os.path as osp
import re

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def _read(*path):
    with open(osp.join(ROOT, *path), encoding='utf-8') as f:
        return f.read()


def _between(text, begin, end):
    match = re.search(re.escape(begin) + r'\n(.*?)\n' + re.escape(end),
                      text, re.S)
    assert match, f'{begin} ... {end} not found'
    return match.group(1).strip().splitlines()


def test_readme_is_short_and_has_its_sections():
    readme = _read('README.md')
    assert len(readme.splitlines()) <= 300
    for heading in ('## Installation', '## Get started', '## Results',
                    '## Citation', '## License', '## Plain PyTorch'):
        assert heading in readme, heading
    # the one install, main-job and test commands (CI calls the last)
    assert 'bash tools/install.sh' in readme
    assert 'bash tools/run_demo.sh\n' in readme
    test_cmd = '.venv/bin/python -m pytest -q -n auto --dist loadfile tests'
    assert test_cmd in readme and test_cmd in _read('.ci', 'run')


def test_the_results_table_is_the_reports_headline():
    readme = _between(_read('README.md'),
                      '<!-- headline: docs/artifacts/benchmark/report.md -->',
                      '<!-- /headline -->')
    report = _read('docs', 'artifacts', 'benchmark', 'report.md').splitlines()
    start = report.index('## Headline: PaS minus the best other method')
    table = []
    for line in report[start + 1:]:
        if table and not line.startswith('|'):
            break
        if line.startswith('|'):
            table.append(line)
    assert readme == table


def test_the_zoo_figures_are_the_zoo_pages():
    zoo = _read('docs', 'zoo.md')
    summary = re.search(r'\*\*(\d+) models: (\d+) exact', zoo)
    total, exact = int(summary.group(1)), int(summary.group(2))
    rows = [line.split('|') for line in zoo.splitlines()
            if line.startswith('| `')]
    assert len(rows) == total
    pruned = sum(1 for r in rows if r[-2].strip() == 'pruned')
    readme = _read('README.md')
    assert f'<!-- zoo -->{exact} of {total}<!-- /zoo -->' in readme
    assert f'<!-- tp -->{pruned} of {total}<!-- /tp -->' in readme
    reached = re.search(r'\*\*(\d+) of (\d+) reach ([\d.]+) or less', zoo)
    assert int(reached.group(2)) == total
    assert sum(1 for r in rows if r[-3].strip() and
               float(r[-3].split()[0]) <= float(reached.group(3))) == \
        int(reached.group(1))
    assert f'<!-- reach -->{reached.group(1)} of {total}<!-- /reach -->' \
        in readme
