"""``docs/zoo.md``: the zoo check's results as markdown
(``pas_mm.analysis.zoo`` runs the check)."""
from typing import Dict, List, Optional

import torch

from .zoo import (EXACT, MACS_TOLERANCE, NUM_CLASSES, OPEN_REACH, REACH_LIMIT,
                  ZooResult)


def _reach_cell(r: ZooResult) -> str:
    if r.reach is None:
        return ''
    if r.reach <= REACH_LIMIT or not r.held_by:
        return f'{r.reach:.3f}'
    return f'{r.reach:.3f} ({r.held_by})'.replace('|', '/')


def tp_outcomes_of(path: str, entries) -> Dict[str, str]:
    """'source/name' -> Torch-Pruning's outcome, from the table of an
    earlier zoo page (``path``), for the ``entries`` it has. Its rows are
    in the zoo's order (torchvision, then timm), so a name both libraries
    have is matched to the first unused row."""
    from pas_mm.apis.errors import ToolInputError
    try:
        with open(path) as f:
            text = f.read()
    except OSError as e:
        raise ToolInputError(f'--tp-from {path}: {e.strerror}')
    rows = [[c.strip() for c in line.split('|')[1:-1]]
            for line in text.splitlines() if line.startswith('| `')]
    if not rows or 'Torch-Pruning' not in text:
        raise ToolInputError(f'--tp-from {path}: no zoo table with a '
                             'Torch-Pruning column')
    unused = [(r[0].strip('`'), r[-1]) for r in rows]
    out = {}
    for entry in entries:
        for i, (name, outcome) in enumerate(unused):
            if name == entry.name and outcome:
                out[f'{entry.source}/{entry.name}'] = outcome
                del unused[i]
                break
    return out


def zoo_markdown(results: List[ZooResult],
                 tp: Optional[Dict[str, str]] = None,
                 command: str = '', tp_carried=None) -> str:
    """``docs/zoo.md``: what was run, the counts, one row per model.
    ``tp_carried``: (page, count, limit) when Torch-Pruning's outcomes of
    ``count`` models came from an earlier page."""
    import timm
    import torchvision
    counts = {s: sum(r.status == s for r in results)
              for s in ('exact', 'refused', 'failed')}
    reached = sum(r.reach is not None and r.reach <= REACH_LIMIT
                  for r in results)
    lines = [
        '# pas-mm over the model zoos', '',
        f'Written by `{command}` (`pas_mm/analysis/zoo.py`), torch '
        f'{torch.__version__}, torchvision {torchvision.__version__}, timm '
        f'{timm.__version__}, on the CPU.', '',
        'Each model is built with random weights and '
        f'{NUM_CLASSES} classes (nothing downloaded), its batch norms given '
        'non-trivial statistics, traced over the whole model, about half of '
        "every channel group switched off at random, and exported. 'exact': "
        'the compact output equals the gated one within '
        f'{EXACT:g} (relative max difference) and the full MACs of the '
        "search space equal mmengine.analysis' count within "
        f'{MACS_TOLERANCE:.0%} (scaled dot-product attention counted by '
        '`pas_mm/compat/flop_handles.py`), and so do its MACs at the pruned '
        "widths and mmengine.analysis' count of the exported model ('pruned "
        "MACs / mmengine'). 'refused': one `PaSError` line "
        "names what stops it. 'failed': anything else.", '',
        f'**{len(results)} models: {counts["exact"]} exact, '
        f'{counts["refused"]} refused, {counts["failed"]} failed.**', '',
        "'reach': the smallest MACs ratio export can reach with every gate "
        'at its floor (`SearchSpace.reach()`); above '
        f'{REACH_LIMIT:g} the cell names what holds most of the rest (a '
        'pin reason: the op and its module, repeated blocks as `*`). '
        f'**{reached} of {len(results)} reach {REACH_LIMIT:g} or less.**']
    held_open = [r for r in results if r.model.name in OPEN_REACH and
                 r.reach is not None and r.reach > REACH_LIMIT]
    if held_open:
        lines += ['', 'Above the line for a reason pas-mm can remove and '
                  'has not yet (the zoo tests accept these, and only '
                  'these, and fail once one of them reaches the line):', '']
        lines += [f'- `{r.model.name}`: {OPEN_REACH[r.model.name]}.'
                  for r in held_open]
        lines += ['', 'The others above it are held by what the '
                  'architecture itself fixes (products of activations, '
                  'LayerNorms over the channels: `prune_residual=True` '
                  'searches those).']
    if tp is not None:
        pruned = sum(v == 'pruned' for v in tp.values())
        lines += ['', 'Torch-Pruning 1.6.1 out of the box on the same '
                  'models (`MetaPruner`, random importance, 50 % of the '
                  'channels, every layer with the class count as output '
                  'ignored, the heads of timm-style attention (a `qkv` '
                  'linear and `num_heads`) given as `num_heads` and their '
                  'head counts and sizes updated after the step, as its '
                  'timm example does): '
                  "'pruned' when the pruned model runs and gives an output "
                  'of the right shape; a time-out is counted as a hang: '
                  f'**{pruned} of {len(tp)} pruned.** It does not check '
                  'equivalence (it has no gated model to compare with). '
                  'The two do not prune the same channels: Torch-Pruning '
                  "also cuts transformers' residual (embedding) widths, "
                  'which pas-mm keeps whole (its LayerNorms normalise over '
                  'them); pas-mm cuts their heads and FFN widths.']
        if tp_carried:
            page, count, limit = tp_carried
            lines[-1] += (f' For {count} of the models the outcome is the '
                          f'one `{page}` recorded (the same Torch-Pruning '
                          "and torch; its outcome does not depend on "
                          f'pas-mm); the other {len(tp) - count} were run '
                          f'here, with {limit} s before a hang.')
    return '\n'.join(lines) + '\n\n' + zoo_table(results, tp)


def zoo_table(results: List[ZooResult],
              tp: Optional[Dict[str, str]] = None) -> str:
    """The markdown table of ``docs/zoo.md``: one row per model."""
    head = ['model', 'family', 'params (M)', 'input', 'groups', 'pas-mm',
            'max rel. diff', 'MACs / mmengine', 'pruned MACs / mmengine']
    if tp is not None:
        head.append('Torch-Pruning 1.6.1')
    head.insert(head.index('pruned MACs / mmengine') + 1,
                'reach (held most by, above 0.25)')
    lines = ['| ' + ' | '.join(head) + ' |',
             '|' + '---|' * len(head)]
    for r in results:
        m = r.model
        outcome = r.status if not r.message else f'{r.status}: {r.message}'
        row = [f'`{m.name}`', m.family, f'{r.params_m:.1f}',
               f'{m.size}x{m.size}', str(r.groups),
               outcome.replace('|', '/'),
               '' if r.rel_diff is None else f'{r.rel_diff:.1e}',
               '' if r.macs_ratio is None else f'{r.macs_ratio:.4f}',
               '' if r.pruned_macs_ratio is None
               else f'{r.pruned_macs_ratio:.4f}',
               _reach_cell(r)]
        if tp is not None:
            row.append(tp.get(f'{m.source}/{m.name}', '').replace('|', '/'))
        lines.append('| ' + ' | '.join(row) + ' |')
    return '\n'.join(lines) + '\n'
