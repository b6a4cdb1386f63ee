# PaS on the 4-head proxy ViT with its residual width searched too
# (prune_residual=True): the embedding width (patch embedding, class and
# position tokens, every block's LayerNorms, attention output and FFN
# output, the final norm and the head's input) is one more gate group
# beside the heads and FFN widths. During the search the LayerNorms take
# their statistics over the kept channels, so the export is exact.
# Otherwise as pas_vit-e96-d6-h4-p4_1xb64-4e_proxy-cls_flops-0.5x.py: one
# search epoch and three of fine-tuning at 50 % of the MACs.
#   python tools/train.py configs/classification/vit/pas-residual_vit-e96-d6-h4-p4_1xb64-4e_proxy-cls_flops-0.5x.py
_base_ = ['./pas_vit-e96-d6-h4-p4_1xb64-4e_proxy-cls_flops-0.5x.py']

model = dict(prune_residual=True)
