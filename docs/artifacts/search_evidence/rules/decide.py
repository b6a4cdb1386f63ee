"""Protocol B's decision rule (docs/search_evidence.md), applied as written.

Reads measure (a)'s val results and the per-candidate diagnostics in this
folder and prints the decision table in markdown: over protocol B's
candidates (``B``), or B's and C's together (``BC``, protocol C):

    python docs/artifacts/search_evidence/rules/decide.py [B|BC] [CSV]

Protocol D's candidate ran on benchmark v3's baselines; its reference rows
are v3's (``pas`` there is the own-layer default), read on val:

    python docs/artifacts/search_evidence/rules/decide.py D \
        docs/artifacts/benchmark/v3/results_val.csv D_RESULTS_VAL_CSV
"""
import csv
import os.path as osp
import re
import sys
from collections import defaultdict
from statistics import mean, stdev

from scipy import stats

HERE = osp.dirname(osp.abspath(__file__))
SETTINGS = (('classification', 0.25, 'ResNet-18-w16 25 %'),
            ('classification', 0.5, 'ResNet-18-w16 50 %'),
            ('classification_repvgg', 0.25, 'RepVGG-mini 25 %'))
CANDIDATES = {
    'B': ('pas-evidence', 'pas-evidence-mac', 'pas-own-layer',
          'pas-original'),
    'BC': ('pas-evidence', 'pas-evidence-mac', 'pas-own-layer',
           'pas-original', 'pas-evidence-rms', 'pas-evidence-rms-mac'),
    'D': ('pas-fisher-flat', )}
# the diagnostics file of a row, where the row's name is not the file's
# (protocol D's 'pas' is the own-layer default)
RHO_FILE = {'D': {'pas': 'pas-own-layer'}}
CRITERIA = ('bn-gamma', 'tp-taylor', 'tp-magnitude', 'uniform', 'random')
SEEDS = (0, 1, 2)


def load(path):
    runs = defaultdict(dict)  # (task, budget, method) -> {seed: top-1}
    with open(path) as f:
        for row in csv.DictReader(f):
            if row['metric'] == 'accuracy/top1' and row['seed'] != '':
                key = (row['task'], float(row['budget']), row['method'])
                runs[key][int(row['seed'])] = float(row['value'])
    return runs


def rho(method, protocol='B'):
    name = RHO_FILE.get(protocol, {}).get(method, method)
    path = osp.join(HERE, 'diagnostics', f'r18-w16_0.25_seed0_{name}.md')
    text = open(path).read()
    return float(re.search(rf'^\| {re.escape(name)} \| \w+ \| ([-0-9.]+) ',
                           text, re.M).group(1))


def paired(a, b):
    """Mean of a − b over the seeds, with its 95 % t interval."""
    d = [a[s] - b[s] for s in SEEDS]
    half = stats.t.ppf(0.975, len(d) - 1) * stdev(d) / len(d)**0.5
    return mean(d), mean(d) - half, mean(d) + half


def main(protocol='B', path=osp.join(HERE, 'results_val.csv'), *more):
    candidates = CANDIDATES[protocol]
    runs = load(path)
    for extra in more:  # protocol D: the candidate's own work dir
        for key, seeds in load(extra).items():
            runs[key].update(seeds)
    missing = [(t, b, m, s) for t, b, _ in SETTINGS
               for m in ('pas', ) + candidates + CRITERIA for s in SEEDS
               if s not in runs[(t, b, m)]]
    if missing:
        sys.exit(f'decide.py: {len(missing)} runs missing from {path}, '
                 f'e.g. {missing[0]}')
    best, diffs = {}, defaultdict(list)
    print('| setting | best criterion (mean ± std) | row | mean ± std | '
          'row − best criterion [95 % CI] |')
    print('|---|---|---|---|---|')
    for task, budget, label in SETTINGS:
        scores = {m: runs[(task, budget, m)] for m in ('pas', ) +
                  candidates + CRITERIA}
        best[label] = max(CRITERIA, key=lambda m: mean(scores[m].values()))
        b = scores[best[label]]
        for m in ('pas', ) + candidates:
            d, lo, hi = paired(scores[m], b)
            diffs[m].append(d)
            v = list(scores[m].values())
            print(f'| {label} | {best[label]} ({mean(b.values()):.2f} ± '
                  f'{stdev(b.values()):.2f}) | {m} | {mean(v):.2f} ± '
                  f'{stdev(v):.2f} | {d:+.2f} [{lo:+.2f}, {hi:+.2f}] |')
    print()
    print('| row | mean difference to the best criterion | all three ≥ 0 | '
          'ρ to budget-only (R18 25 % seed 0) | qualifies |')
    print('|---|---|---|---|---|')
    verdict = {}
    for m in ('pas', ) + candidates:
        r = rho(m, protocol)
        ok = all(d >= 0 for d in diffs[m]) and r <= 0.5
        verdict[m] = (mean(diffs[m]), ok)
        print(f'| {m} | {mean(diffs[m]):+.2f} | '
              f'{"yes" if all(d >= 0 for d in diffs[m]) else "no"} | '
              f'{r:.2f} | {"yes" if ok else "no"} |')
    qualified = [m for m in candidates if verdict[m][1]]
    pool = qualified or list(candidates)
    pick = max(pool, key=lambda m: verdict[m][0])
    if verdict[pick][0] <= verdict['pas'][0]:
        print(f'\nDecision: no candidate beats pas on the mean difference '
              f'(best: {pick}, {verdict[pick][0]:+.2f} against pas\'s '
              f'{verdict["pas"][0]:+.2f}); pas stays the default.')
    else:
        how = 'qualifies' if qualified else 'no candidate qualifies; the ' \
            f'best is {-verdict[pick][0]:.2f} behind the best criterion ' \
            'on the mean'
        print(f'\nDecision: {pick} ({how}).')
    if protocol == 'D':
        return
    lead = sorted((m for m in candidates if m != 'pas-original'),
                  key=lambda m: -verdict[m][0])[:2]
    print(f'Measure (b) trains the widths of: {", ".join(lead)}, '
          'pas-original.')


if __name__ == '__main__':
    main(*sys.argv[1:])
