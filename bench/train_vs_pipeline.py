"""Is the input pipeline the bottleneck of training? Images/s of `make_dataset` against images/s of the
training step, at a preset's image size, measured in one run.

    python bench/train_vs_pipeline.py [--preset cpu] [--data 140k] [--steps 20]

Prints both rates and their ratio; the goal is a ratio of at least 5 (the pipeline is never what the
GPU or CPU waits for). Uses $KAGGLEHUB_CACHE when set, else the bundled sample.
"""
import argparse, time, warnings
import numpy as np
from deepfake_nb.data import build_index, make_dataset, local_cache
from deepfake_nb.train import preset, compile_detector, training_model

from pipeline import images_per_second as rate   # bench/ is on sys.path when run as a script

if __name__ == '__main__':
    ap = argparse.ArgumentParser()
    ap.add_argument('--preset', default='cpu'); ap.add_argument('--data', default='140k')
    ap.add_argument('--steps', type=int, default=20)
    a = ap.parse_args()
    cfg, tcfg = preset(a.preset)
    bs = tcfg.batch_size or cfg.batch_size
    df, _ = build_index(a.data, cfg, cache=local_cache(), progress=False)
    train = df[df.split == 'train']
    # the pipeline as training uses it, from files (first epoch: decode + resize + augment) and from the cache
    ds = make_dataset(train, cfg, training=True, augment=tcfg.augment, cache=True, batch_size=bs)
    first = rate(ds, len(train))
    cached = rate(ds, len(train))
    # the training step on one ready batch, repeated: no input cost at all
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        model = compile_detector(training_model(cfg, tcfg.replace(weights=None)), tcfg.lr, tcfg)   # as `train` builds it, offline
    x, y = next(iter(ds))
    model.train_on_batch(x, y)                                   # build and trace
    t = time.perf_counter()
    for _ in range(a.steps): model.train_on_batch(x, y)
    step = a.steps * len(y) / (time.perf_counter() - t)
    print(f"preset {a.preset}: {cfg.img_size}px, batch {bs}, {len(train)} training images")
    print(f"pipeline, first epoch (decode+resize+augment): {first:8.1f} img/s")
    print(f"pipeline, cached epoch (augment only):         {cached:8.1f} img/s")
    print(f"training step (EfficientNetB0, forward+backward): {step:8.1f} img/s")
    print(f"ratio pipeline/training: first epoch {first/step:.1f}x, cached {cached/step:.1f}x (goal >= 5x)")
