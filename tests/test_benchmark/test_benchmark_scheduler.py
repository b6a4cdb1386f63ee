"""pas_mm.benchmark.scheduler.run_all: runs on several workers, in
dependency order; baselines and timings alone; the first failure stops new
starts."""
import threading
import time

from pas_mm.benchmark.scheduler import RunGroup, dependencies, run_all


def _group(run_dir, *args, barrier=False):
    return RunGroup(run_dir, [['python', 'tools/train.py', 'c.py', *args]],
                    barrier)


class Recorder:
    """run_one that records what ran at the same time."""

    def __init__(self, fail=()):
        self.lock = threading.Lock()
        self.active, self.log, self.fail = set(), [], set(fail)
        self.overlaps = []

    def __call__(self, group):
        with self.lock:
            self.overlaps.append((group.run_dir, set(self.active)))
            self.active.add(group.run_dir)
        time.sleep(0.05)
        with self.lock:
            self.active.discard(group.run_dir)
            self.log.append(group.run_dir)
        return f'{group.run_dir} failed' if group.run_dir in self.fail \
            else None


def test_dependencies_are_read_from_the_commands():
    groups = [
        _group('w/t/baseline', barrier=True),
        _group('w/t/pas@0.25-seed0', 'model.pretrained=w/t/baseline/e.pth'),
        _group('w/t/scratch@0.25-seed0', 'model.transfer.width_spec='
               'w/t/pas@0.25-seed0/compact/width_spec.json'),
        _group('w/d/transfer@0.25-seed0', 'model.transfer.width_spec='
               'w/t/pas@0.25-seed0/compact/width_spec.json',
               'model.pretrained=/published/ckpt.pth'),
    ]
    deps = dependencies(groups)
    assert deps['w/t/pas@0.25-seed0'] == {'w/t/baseline'}
    assert deps['w/t/scratch@0.25-seed0'] == {'w/t/pas@0.25-seed0'}
    # a path outside the suite's runs is no dependency
    assert deps['w/d/transfer@0.25-seed0'] == {'w/t/pas@0.25-seed0'}


def test_two_workers_barriers_and_dependencies():
    base = 'model.pretrained=w/baseline/e.pth'
    groups = [_group('w/baseline', barrier=True),
              _group('w/a', base), _group('w/b', base),
              _group('w/c', 'model.transfer.width_spec=w/a/compact/s.json'),
              _group('w/d', base),
              _group('w/timing', barrier=True),
              _group('w/e', base)]
    rec = Recorder()
    assert run_all(groups, rec, jobs=2) is None
    overlaps = dict(rec.overlaps)
    assert overlaps['w/baseline'] == set() and overlaps['w/timing'] == set()
    assert any(len(o) == 1 for o in overlaps.values())  # two at a time
    assert max(len(o) for o in overlaps.values()) <= 1
    log = rec.log
    assert log.index('w/a') < log.index('w/c')
    assert log.index('w/baseline') == 0
    # nothing overtakes the timing barrier, which waits for all before it
    assert log.index('w/timing') == len(log) - 2 and log[-1] == 'w/e'


def test_first_failure_stops_new_starts():
    groups = [_group(f'w/r{i}') for i in range(6)]
    rec = Recorder(fail={'w/r1'})
    error = run_all(groups, rec, jobs=2)
    assert error == 'w/r1 failed'
    assert len(rec.log) < 6 and 'w/r5' not in rec.log


def test_one_worker_keeps_suite_order():
    groups = [_group(f'w/r{i}') for i in range(4)]
    rec = Recorder()
    assert run_all(groups, rec, jobs=1) is None
    assert rec.log == [f'w/r{i}' for i in range(4)]
    assert all(not o for _, o in rec.overlaps)


def test_a_failed_dependency_is_named():
    groups = [_group('w/a'), _group(
        'w/b', 'model.transfer.width_spec=w/a/compact/s.json')]
    error = run_all(groups, Recorder(fail={'w/a'}), jobs=2)
    assert error == 'w/a failed'
