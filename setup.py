import os.path as osp
from setuptools import find_packages, setup


def read_version():
    scope = {}
    with open(osp.join(osp.dirname(__file__), 'pas_mm', 'version.py')) as f:
        exec(f.read(), scope)
    return scope['__version__']


def read_requirements(name):
    path = osp.join(osp.dirname(__file__), 'requirements', name)
    with open(path) as f:
        return [
            line.strip() for line in f
            if line.strip() and not line.startswith(('#', '-'))
        ]


setup(
    name='pas-mm',
    version=read_version(),
    description=('Pruning-as-Search (PaS) channel-width search for '
                 'OpenMMLab 2.x'),
    long_description=(open('README.md').read()
                      if osp.exists('README.md') else ''),
    long_description_content_type='text/markdown',
    packages=find_packages(exclude=('configs', 'tools', 'tests', 'data')),
    python_requires='==3.11.*',
    # mm* packages are installed by tools/install.sh (mmcv is built from
    # source and mmagic needs --no-deps), so only the core runtime is
    # declared here.
    install_requires=read_requirements('runtime.txt'),
    extras_require={
        'mim': read_requirements('mminstall.txt'),
        'deploy': read_requirements('deploy.txt'),
        'tests': read_requirements('tests.txt'),
    },
    license='Apache License 2.0',
    zip_safe=False,
)
