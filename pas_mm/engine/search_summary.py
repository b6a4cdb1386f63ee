"""The end-of-search summary: the ratio reached against the target, the
evidence behind the widths, and the final widths per layer and per stage,
as ``widths.json``, log lines and a PNG of the kept ratio per layer."""
import json
import os
import os.path as osp

import numpy as np

from pas_mm.core.compact.width_spec import save_width_spec
from pas_mm.core.compact.width_summary import (per_stage, spec_layer_widths,
                                               stage_labels, summary_lines)
from pas_mm.core.io import atomic_write_text


def write_search_summary(runner, spec: dict, folder: str) -> None:
    """Everything the end of a search writes, in one place: the width spec
    (``width_spec.json``), ``widths.json`` and ``widths.png`` into
    ``folder``; log the final widths and hand the plot to the runner's
    visualizer (so any configured backend, e.g. TensorBoard, gets it
    too)."""
    path = osp.join(folder, 'width_spec.json')
    save_width_spec(spec, path)
    runner.logger.info(f'PaS: width spec written to {path}')
    widths = spec_layer_widths(spec)
    atomic_write_text(osp.join(folder, 'widths.json'), json.dumps(dict(
        layers={n: dict(kept=k, total=c) for n, (k, c) in widths.items()},
        stages={s: dict(kept=k, total=c)
                for s, (k, c) in per_stage(widths).items()},
        macs_ratio=spec['macs']['ratio'],
        target_ratio=spec.get('target_ratio'),
        search_end_ratio=spec.get('search_end_ratio'),
        evidence=spec.get('evidence'),
        at_floor=spec.get('at_floor', {}).get('count', 0)), indent=1))
    for line in summary_lines(spec):
        runner.logger.info(line)
    at_floor = spec.get('at_floor', {})
    if at_floor.get('count'):
        runner.logger.info(
            f"PaS: {at_floor['count']} group(s) kept only their floor "
            f"(min_channels={spec.get('min_channels')}, min_ratio="
            f"{spec.get('min_ratio')}): {', '.join(at_floor['groups'])}")
    image = plot_widths(widths, osp.join(folder, 'widths.png'),
                        spec['macs']['ratio'])
    runner.logger.info(f"PaS: width plot {osp.join(folder, 'widths.png')}")
    if image is not None and runner.visualizer is not None:
        runner.visualizer.add_image('pas_widths', image)


def plot_widths(widths, path, macs_ratio):
    """Bar chart of kept/total per layer, coloured by stage; returns the
    RGB array (None when matplotlib is missing)."""
    try:
        import matplotlib
        matplotlib.use('Agg')
        import matplotlib.pyplot as plt
    except ImportError:  # a plot is a nicety, the JSON is the record
        return None
    names = list(widths)
    ratios = [k / c for k, c in widths.values()]
    labels = stage_labels(names)
    stages = [labels[n] for n in names]
    palette = {s: plt.cm.tab10(i % 10)
               for i, s in enumerate(dict.fromkeys(stages))}
    fig, ax = plt.subplots(figsize=(max(6, 0.18 * len(names)) + 1.2, 3.2),
                           dpi=100)
    ax.bar(range(len(names)), ratios, color=[palette[s] for s in stages])
    ax.set_ylim(0, 1.05)
    ax.set_ylabel('kept / total channels')
    ax.set_xlabel('channel group (trace order)')
    ax.set_title(f'PaS searched widths (MACs ratio {macs_ratio:.3f})')
    from matplotlib.patches import Patch
    ax.legend(handles=[Patch(color=c, label=s) for s, c in palette.items()],
              fontsize=6, loc='upper left', bbox_to_anchor=(1.01, 1.0),
              title='stage', title_fontsize=7)
    fig.tight_layout()
    fig.canvas.draw()
    image = np.asarray(fig.canvas.buffer_rgba())[..., :3].copy()
    tmp = path + '.tmp.png'
    fig.savefig(tmp)
    plt.close(fig)
    os.replace(tmp, path)
    return image
