"""Can the input pipeline feed a GPU? Images/s of `make_dataset` epoch by epoch, as training reads it, against
the rate a T4 trains EfficientNetB0 at 224 px with mixed precision (about 900 images/s).

    python bench/train_vs_pipeline.py [--preset colab] [--data 140k] [--epochs 3] [--cache disk]
                                      [--target 900] [--cache_dir DIR] [--steps 0]

The training split goes through `make_dataset(training=True)` with the preset's image size, augmentation
and batch size, `--epochs` times. The first epoch decodes every JPEG and writes the cache; from the
second on, images come from the cache (`--cache disk`: a file in `--cache_dir`; `memory`; or `none`, which
decodes every epoch). Prints images/s per epoch and the ratio of the cached epochs' rate to `--target`.
`--steps N` also times N training steps of the preset's model on one batch, on this machine (minutes on a
CPU, so off by default). The disk cache goes to a temporary folder, removed at the end, unless
`--cache_dir` names one (an existing cache there makes the first epoch a cached one too).
Uses $KAGGLEHUB_CACHE when set, else the bundled sample (too small to time well).
"""
import os, tempfile, time, warnings, shutil
from deepfake_nb.config import command_parser   # argparse from the signature, fastcore 1 or 2
from deepfake_nb.data import build_index, make_dataset, local_cache
from deepfake_nb.train import preset as get_preset, compile_detector, training_model

from pipeline import images_per_second   # bench/ is on sys.path when run as a script

def train_step_rate(cfg, tcfg, ds, steps:int)->float:
    "Images/s of the preset's training step on one ready batch, repeated: no input cost at all"
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        model = compile_detector(training_model(cfg, tcfg.replace(weights=None)), tcfg.lr, tcfg)   # as `train` builds it, offline
    x, y = next(iter(ds))
    model.train_on_batch(x, y)                                   # build and trace
    t = time.perf_counter()
    for _ in range(steps): model.train_on_batch(x, y)
    return steps * len(y) / (time.perf_counter() - t)

def main(preset:str='colab',  # training preset: image size, augmentation and batch size
         data:str='140k',     # a dataset name, pinned handle or folder (looked up in $KAGGLEHUB_CACHE or the sample)
         epochs:int=3,        # epochs to time; the first decodes and fills the cache
         cache:str='disk',    # make_dataset's cache: disk, memory or none
         target:float=900,    # images/s the GPU needs (a T4, EfficientNetB0 at 224 px, mixed precision)
         cache_dir:str=None,  # where the disk cache goes (default: a temporary folder, removed at the end)
         steps:int=0,         # also time this many training steps on this machine (0: do not)
        ):
    "Time the training input pipeline epoch by epoch and compare it with what a GPU consumes"
    tmp = None if cache_dir else tempfile.mkdtemp(prefix='deepfake_nb-bench-')
    try:
        cfg, tcfg = get_preset(preset)
        cfg = cfg.replace(cache_dir=cache_dir or tmp)
        bs = tcfg.batch_size or cfg.batch_size
        df, _ = build_index(data, cfg, cache=local_cache(), progress=False)
        train = df[df.split == 'train']
        ds = make_dataset(train, cfg, training=True, augment=tcfg.augment, cache=cache, batch_size=bs)
        print(f"preset {preset}: {cfg.img_size}px, batch {bs}, augment {tcfg.augment}, cache {cache!r}, "
              f"{len(train)} training images, {os.cpu_count()} cores")
        rates, stream = [], iter(ds)   # the stream is endless: an "epoch" is as many images as the split holds
        for epoch in range(1, epochs + 1):
            rates.append(images_per_second(stream, len(train)))
            what = "decode + resize" + ("" if cache == 'none' else " + cache write") + " + augment"
            print(f"epoch {epoch}: {rates[-1]:8.1f} img/s" + (f"  ({what})" if epoch == 1 else ""))
        later = rates[1:] or rates
        steady = sum(later) / len(later)
        print(f"from epoch 2 on: {steady:.1f} img/s (mean; {min(later):.0f} to {max(later):.0f}) "
              f"= {steady / target:.2f}x the {target:.0f} img/s a GPU needs")
        if steps:
            step = train_step_rate(cfg, tcfg, ds, steps)
            print(f"training step here ({tcfg.backbone}, forward+backward): {step:.1f} img/s; "
                  f"pipeline/step: first epoch {rates[0] / step:.1f}x, later {steady / step:.1f}x")
    finally:
        if tmp: shutil.rmtree(tmp, ignore_errors=True)

if __name__ == '__main__': main(**vars(command_parser(main).parse_args()))
