"""Atomic writes: an interrupted write leaves the old file or none."""
import json
import os

import pytest
import torch

from pas_mm.core.io import atomic_torch_save, atomic_write_text


class _Unpicklable:
    def __reduce__(self):
        raise RuntimeError('interrupted mid-write')


def test_export_writes_are_atomic(tmp_path, monkeypatch):
    target = tmp_path / 'compact.pth'
    atomic_torch_save({'ok': torch.ones(3)}, target)
    before = target.read_bytes()
    # a write that fails after the first bytes hit the disk
    obj = {'big': torch.randn(256, 256), 'bad': _Unpicklable()}
    with pytest.raises(RuntimeError, match='interrupted mid-write'):
        atomic_torch_save(obj, target)
    assert target.read_bytes() == before  # the old file, whole
    with pytest.raises(RuntimeError):
        atomic_torch_save(obj, tmp_path / 'new.pth')
    assert not (tmp_path / 'new.pth').exists()
    # width spec / config text: interrupted after writing, before the rename
    spec = tmp_path / 'width_spec.json'
    atomic_write_text(str(spec), '{"a": 1}')

    def interrupted(fd):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, 'fsync', interrupted)
    with pytest.raises(KeyboardInterrupt):
        atomic_write_text(str(spec), '{"a": 2, "half": "written"}')
    monkeypatch.undo()
    assert json.loads(spec.read_text()) == {'a': 1}
    # no temporary left behind
    assert sorted(os.listdir(tmp_path)) == ['compact.pth', 'width_spec.json']


def test_files_get_the_usual_mode(tmp_path):
    old = os.umask(0o022)
    try:
        atomic_write_text(str(tmp_path / 'a.json'), '{}')
    finally:
        os.umask(old)
    assert (tmp_path / 'a.json').stat().st_mode & 0o777 == 0o644
