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
    assert 'pas_mm.core.tracer' in graph['pas_mm.core.space']
    assert find_cycle(graph) is None, ' -> '.join(find_cycle(graph))


def test_core_reads_as_a_pipeline():
    """The structures know nothing of the tracer; cost knows no search."""
    graph = import_graph()
    assert not graph['pas_mm.core.graph'] & {
        'pas_mm.core.tracer', 'pas_mm.core.free_ops', 'pas_mm.core.space'}
    assert not graph['pas_mm.core.cost'] & {
        'pas_mm.core.space', 'pas_mm.core.tracer', 'pas_mm.core.export'}


def test_cycle_finder_finds_a_cycle():
    assert find_cycle({'a': {'b'}, 'b': {'c'}, 'c': {'a'}}) == \
        ['a', 'b', 'c', 'a']
    assert find_cycle({'a': {'b'}, 'b': set()}) is None
