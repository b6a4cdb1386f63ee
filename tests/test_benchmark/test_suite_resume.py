"""A killed suite goes on from the checkpoints its unfinished trainings
saved: the next run passes ``--resume CKPT`` to exactly those steps."""
import os
import os.path as osp
import runpy

from pas_mm.benchmark.check import load_suite

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
SUITE = osp.join(REPO, 'configs/benchmark/latency_suite.py')


def _train_argv(tmp_path, prepare):
    script = runpy.run_path(osp.join(REPO, 'tools/benchmark/run_suite.py'))
    task = load_suite(SUITE)[0]
    steps = script['plan']([task], str(tmp_path), [])
    prepare({s[1]: s[3] for s in steps})
    ran = {}
    schedule = script['schedule']
    # run nothing: record what each run's process would be given
    schedule.__globals__['run_group'] = lambda todo, env, start: \
        ran.update({t['label']: t['argv'] for t in todo})
    groups, run_one = schedule(steps, 1, {}, 0.0)
    for group in groups:
        run_one(group)
    return {label.split('] ')[1]: argv for label, argv in ran.items()
            if label.endswith(': train') or label.endswith('(resumed)')}


def test_an_unfinished_training_resumes_from_its_last_checkpoint(tmp_path):
    def prepare(dirs):
        killed = dirs['pas@0.5-seed0']  # saved epoch 2 of 4, then killed
        os.makedirs(killed)
        ckpt = osp.join(killed, 'epoch_2.pth')
        open(ckpt, 'wb').close()
        with open(osp.join(killed, 'last_checkpoint'), 'w') as f:
            f.write(ckpt)
        stale = dirs['pas@0.5-seed1']  # names a checkpoint now gone
        os.makedirs(stale)
        with open(osp.join(stale, 'last_checkpoint'), 'w') as f:
            f.write(osp.join(stale, 'epoch_2.pth'))

    argv = _train_argv(tmp_path, prepare)
    name = 'classification_latency pas@0.5-seed0: train (resumed)'
    assert argv[name][-2:] == [
        '--resume', osp.join(str(tmp_path), 'classification_latency',
                             'pas@0.5-seed0', 'epoch_2.pth')]
    fresh = [a for label, a in argv.items() if label != name]
    assert len(fresh) == 1 + 26  # the baseline and every other run
    assert not any('--resume' in a for a in fresh)
