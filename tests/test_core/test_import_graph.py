"""pas_mm's modules import each other without cycles (lazy imports too)."""
import ast
import os.path as osp
from pathlib import Path

import pas_mm

ROOT = Path(osp.dirname(pas_mm.__file__))


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix('').parts)
    if parts[-1] == '__init__':
        parts = parts[:-1]
    return '.'.join(parts)


def _imports(path: Path, name: str, known):
    """pas_mm modules imported anywhere in the file (lazy imports too)."""
    package = name if path.name == '__init__.py' else name.rsplit('.', 1)[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        targets = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ''
            if node.level:
                anchor = package.split('.')
                anchor = anchor[:len(anchor) - node.level + 1]
                base = '.'.join(anchor + ([base] if base else []))
            targets = [base] + [f'{base}.{a.name}' for a in node.names]
        out.update(t for t in targets if t in known and t != name)
    return out


def import_graph():
    files = {_module_name(p): p for p in ROOT.rglob('*.py')}
    return {n: _imports(p, n, files) for n, p in files.items()}


def find_cycle(graph):
    state, stack = {}, []

    def visit(node):
        state[node] = 'open'
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 'open':
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        state[node] = 'done'
        stack.pop()
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_no_import_cycle():
    graph = import_graph()
    assert 'pas_mm.core.trace.tracer' in graph['pas_mm.core.search.space']
    assert find_cycle(graph) is None, ' -> '.join(find_cycle(graph))


# pas_mm.core's folders, in pipeline order: each imports only the folders
# before it (and itself); errors / io serve all, pas_search drives all.
PIPELINE = ('trace', 'cost', 'search', 'criteria', 'compact')
SHARED = {'pas_mm.core', 'pas_mm.core.errors', 'pas_mm.core.io'}


def _step(module: str):
    parts = module.split('.')
    return parts[2] if len(parts) > 2 and parts[2] in PIPELINE else None


def back_arrows(graph):
    """(importer, imported) pairs of pas_mm.core that run against the
    pipeline order, or leave core for anything but pas_mm.compat."""
    bad = []
    for name, targets in graph.items():
        if not name.startswith('pas_mm.core'):
            continue
        step = _step(name)
        for target in targets:
            if target.startswith('pas_mm.compat'):
                continue
            if not target.startswith('pas_mm.core'):
                bad.append((name, target))
            elif step is None or target in SHARED - {'pas_mm.core'}:
                continue
            elif target == 'pas_mm.core' or target.startswith(
                    'pas_mm.core.pas_search') or _step(target) is None or \
                    PIPELINE.index(_step(target)) > PIPELINE.index(step):
                bad.append((name, target))
    return bad


def test_core_reads_as_a_pipeline():
    """trace -> cost -> search -> criteria -> compact, no arrow back."""
    graph = import_graph()
    steps = {_step(n) for n in graph if n.startswith('pas_mm.core.')}
    assert set(PIPELINE) <= steps
    flat = [n for n in graph if n.count('.') == 2 and
            n.startswith('pas_mm.core.')]
    assert sorted(flat) == sorted(
        ['pas_mm.core.errors', 'pas_mm.core.io', 'pas_mm.core.pas_search',
         'pas_mm.core.export_probe'] +
        [f'pas_mm.core.{s}' for s in PIPELINE])
    assert back_arrows(graph) == []
    # the structures know nothing of the tracer
    assert not graph['pas_mm.core.trace.graph'] & {
        'pas_mm.core.trace.tracer', 'pas_mm.core.trace.free_ops'}


def test_back_arrow_finder_finds_one():
    graph = {'pas_mm.core.cost.macs': {'pas_mm.core.search.space',
                                       'pas_mm.core.trace.graph',
                                       'pas_mm.core.errors'},
             'pas_mm.core.trace.graph': {'pas_mm.models.utils'}}
    assert sorted(back_arrows(graph)) == [
        ('pas_mm.core.cost.macs', 'pas_mm.core.search.space'),
        ('pas_mm.core.trace.graph', 'pas_mm.models.utils')]


def test_compat_is_the_bottom_layer():
    """Work-arounds import nothing else of pas_mm, so core may use them."""
    graph = import_graph()
    for name, targets in graph.items():
        if name.startswith('pas_mm.compat'):
            assert {t for t in targets if not t.startswith(
                'pas_mm.compat')} == set(), name


def test_cycle_finder_finds_a_cycle():
    assert find_cycle({'a': {'b'}, 'b': {'c'}, 'c': {'a'}}) == \
        ['a', 'b', 'c', 'a']
    assert find_cycle({'a': {'b'}, 'b': set()}) is None
