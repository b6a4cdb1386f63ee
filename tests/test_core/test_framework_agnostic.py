"""pas_mm.core is plain PyTorch: no mm* package is imported by it."""
import ast
import os.path as osp
import subprocess
import sys

import pas_mm.core

CORE = osp.dirname(pas_mm.core.__file__)


def test_core_sources_import_no_mm_package():
    import glob
    paths = glob.glob(osp.join(CORE, '**', '*.py'), recursive=True)
    assert any(osp.sep + 'trace' + osp.sep in p for p in paths)  # folders
    for path in paths:
        tree = ast.parse(open(path).read())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or '']
            for name in names:
                assert not name.split('.')[0].startswith('mm'), (path, name)


def test_core_works_without_any_mm_package():
    code = (
        "import sys\n"
        "for m in ('mmengine', 'mmcv', 'mmdet', 'mmpretrain', 'mmagic'):\n"
        "    sys.modules[m] = None  # make every import of them fail\n"
        "import torch\n"
        "from pas_mm.core import build_search_space, export\n"
        "class Net(torch.nn.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.body = torch.nn.Sequential(torch.nn.Conv2d(3, 8, 3),"
        " torch.nn.ReLU(), torch.nn.Conv2d(8, 4, 3))\n"
        "    def forward(self, x):\n"
        "        return self.body(x)\n"
        "net = Net()\n"
        "space = build_search_space(net, torch.randn(1, 3, 8, 8))\n"
        "assert list(space.gates) == ['body.0']\n"
        "net(torch.randn(1, 3, 8, 8))\n"
        "mm = ('mmengine', 'mmcv', 'mmdet', 'mmpretrain', 'mmagic')\n"
        "loaded = [m for m in sys.modules if m.split('.')[0] in mm"
        " and sys.modules[m] is not None]\n"
        "assert not loaded, loaded\n"
        "print('ok')\n")
    proc = subprocess.run([sys.executable, '-c', code], capture_output=True,
                          text=True)
    assert proc.returncode == 0 and 'ok' in proc.stdout, proc.stderr
