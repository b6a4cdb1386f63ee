# Measure (c) of docs/search_evidence.md, row 'pas-widths': a PaS run's
# searched widths and channels (the exported width spec's own indices) cut
# from the converged baseline once, then fine-tuned for the 15
# post-baseline epochs, as a criterion is. PaS's architecture on the
# criteria's pipeline: it splits PaS's remaining gap into widths and
# pipeline. The suite sets the width spec run by run (same budget, seed):
#   python tools/train.py configs/classification/resnet/transfer_resnet18-w16_1xb64-15e_proxy-cls.py \
#       --cfg-options model.pretrained=BASELINE.pth \
#       model.transfer.width_spec=PAS_RUN/compact/width_spec.json
_base_ = ['./uniform_resnet18-w16_1xb64-15e_proxy-cls_flops-0.5x.py']

model = dict(
    criterion='pas',
    transfer=dict(width_spec='PAS_RUN/compact/width_spec.json',
                  channels='indices'))
