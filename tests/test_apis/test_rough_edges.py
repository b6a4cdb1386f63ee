"""Rough edges a full-recipe user met: the data hint names only the
project's own folders, and a compact model tests into its own folder."""
import os.path as osp
import runpy

from mmengine.config import Config

from pas_mm.apis.dataset_check import _generator_hint

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def test_the_data_hint_is_only_for_the_generated_folders():
    assert _generator_hint('data/demo/cls') == \
        '; run `python tools/data/prepare_demo.py`'
    assert _generator_hint('data/proxy/coco/') == \
        '; run `python tools/data/prepare_proxy.py`'
    # a user's own data_root, even one with 'demo' in its name
    assert _generator_hint('/data/my_demo_set') == ''
    assert _generator_hint('data/demos') == ''


def test_a_compact_config_tests_into_its_export_folder(tmp_path):
    default_work_dir = runpy.run_path(
        osp.join(REPO, 'tools/test.py'))['default_work_dir']
    config = str(tmp_path / 'run' / 'compact' / 'config.py')
    compact = Config(dict(model=dict(type='pas_mm.PaSCompact')))
    assert default_work_dir(compact, config, 'test') == osp.dirname(config)
    assert default_work_dir(compact, config, 'val') == osp.join(
        osp.dirname(config), 'val')
    plain = Config(dict(model=dict(type='ImageClassifier')))
    assert default_work_dir(plain, 'configs/x/r18_demo.py', 'test') == \
        osp.join('./work_dirs', 'r18_demo')


def test_replacing_a_recipes_hooks_is_named(tmp_path):
    from pas_mm.engine.recipe_hooks import dropped_recipe_hooks
    (tmp_path / 'recipe.py').write_text(
        "custom_hooks = [dict(type='EMAHook'), "
        "dict(type='PipelineSwitchHook', switch_epoch=1)]\n")
    pas = "dict(type='pas_mm.PaSSearchHook', search_epochs=1)"
    (tmp_path / 'replaces.py').write_text(
        f"_base_ = ['./recipe.py']\ncustom_hooks = [{pas}]\n")
    (tmp_path / 'keeps.py').write_text(
        f"_base_ = ['./recipe.py']\n"
        f"custom_hooks = _base_.custom_hooks + [{pas}]\n")
    assert dropped_recipe_hooks(Config.fromfile(
        tmp_path / 'replaces.py')) == ['EMAHook', 'PipelineSwitchHook']
    assert dropped_recipe_hooks(Config.fromfile(tmp_path / 'keeps.py')) == []
    assert dropped_recipe_hooks(Config(dict(custom_hooks=[]))) == []
