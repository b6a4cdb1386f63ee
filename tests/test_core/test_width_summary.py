"""Per-stage summaries take their stages from the module tree the group
names spell, whatever an architecture calls its stages."""
from pas_mm.core.compact.width_summary import per_stage, stage_labels


def _stages(names):
    return list(dict.fromkeys(stage_labels(names).values()))


def test_resnet_and_a_detector_keep_their_stage_names():
    r18 = ['backbone.conv1'] + [f'backbone.layer{i}.{b}.conv1'
                                for i in range(1, 5) for b in range(2)]
    assert _stages(r18) == ['stem', 'layer1', 'layer2', 'layer3', 'layer4']
    det = [f'architecture.{n}' for n in r18] + [
        'architecture.neck.lateral_convs.0.conv']
    assert _stages(det) == ['stem', 'layer1', 'layer2', 'layer3', 'layer4',
                            'neck']


def test_shufflenet_and_cspnext_stages_are_found():
    shuffle = ['backbone.conv1.conv'] + [
        f'backbone.layers.{s}.{b}.branch2.0.conv' for s in range(3)
        for b in range(4)] + ['backbone.conv2.conv']
    assert _stages(shuffle) == ['stem', 'layers.0', 'layers.1', 'layers.2',
                                'conv2']
    csp = ['backbone.stem.0.conv', 'backbone.stem.1.conv'] + [
        f'backbone.stage{s}.{b}.blocks.0.conv1.conv' for s in range(1, 5)
        for b in range(2)] + ['neck.reduce_layers.0.conv']
    assert _stages(csp) == ['stem', 'stage1', 'stage2', 'stage3', 'stage4',
                            'neck']
    widths = {n: (1, 2) for n in csp}
    assert per_stage(widths)['stage2'] == (2, 4)
    assert per_stage(widths)['stem'] == (2, 4)
