#!/bin/bash
# The GPU probe of docs/artifacts/transformer/README.md, as it ran on a lent H200
# (Python 3.12, torch 2.11): the three proxy transformers trained side by
# side on the suite's 100-epoch schedule, each cut off after 330 s.
# .whl/ held pure-Python wheels of mmengine 0.10.7, mmpretrain 1.2.0, mmcv
# 2.1.0 built without ops (MMCV_WITH_OPS=0) and their small dependencies;
# only the proxy train / val splits travelled, so test points at val.
set -x
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl || exit 3
export PYTHONPATH=/tmp/site:$PWD TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1 PYTHONUNBUFFERED=1
python3 -c "import numpy, torch, mmengine, mmcv, mmpretrain, pas_mm; from pas_mm.compat import apply_all; print(numpy.__version__, torch.__version__, mmcv.__version__, torch.cuda.get_device_name())" || exit 4
rm -rf data/proxy/cls/test; ln -s val data/proxy/cls/test; cp .whl/summary.json data/proxy/cls/ 2>/dev/null
W=/tmp/wd; S=$(date +%s)
LONG="train_cfg.max_epochs=100 train_cfg.val_interval=10 param_scheduler.1.end=100 param_scheduler.1.T_max=97 train_dataloader.num_workers=4 default_hooks.logger.interval=113 default_hooks.checkpoint.interval=100"
run() { timeout 330 python3 tools/train.py $2 --work-dir $W/$1 --cfg-options $LONG > $W-$1.out 2>&1; echo "$1 rc $?"; }
mkdir -p $W
run swin configs/classification/swin/swin-e48-d222-p2-w4_1xb64-30e_proxy-cls.py &
run vit configs/classification/vit/vit-e96-d6-p4_1xb64-30e_proxy-cls.py &
run convstem configs/classification/vit/vit-convstem-e96-d6-p4_1xb64-30e_proxy-cls.py &
wait
echo "training part: $(( $(date +%s) - S )) s"
for n in swin vit convstem; do
  grep -E "Epoch\(val\)|Epoch\(train\) +\[(1|5|10|20|30|50|70|90|100)\]\[113/113\]" $W/$n/*/*.log | sed 's/.*Epoch/Epoch/' | cut -c1-150 | tail -24
  tail -3 $W-$n.out
  f=$(ls $W/$n/epoch_100.pth 2>/dev/null) && python3 -c "import torch,sys; c=torch.load(sys.argv[1],map_location='cpu',weights_only=False); torch.save(dict(meta=c.get('meta'),state_dict=c['state_dict']),sys.argv[2])" $f $OUT/${n}_epoch_100.pth
done
tar czf $OUT/train_logs.tgz -C /tmp wd-swin.out wd-vit.out wd-convstem.out $(cd /tmp && ls wd/*/*/*.log)
ls -la $OUT
