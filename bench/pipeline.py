"""Input pipeline speed: images/s through `make_dataset`, at a given image size.

    python bench/pipeline.py [--data 140k] [--img_size 224] [--split train] [--cache disk] [--cache_dir DIR]

Prints images/s without a cache (decode + resize every epoch), for a first training epoch (decode +
resize + cache write + flip) and for a cached one (cache read + flip). The disk cache goes to a
temporary folder, removed at the end, unless `--cache_dir` names one. Uses $KAGGLEHUB_CACHE when set,
else the bundled sample (too small to time well).
"""
import shutil, tempfile, time
from deepfake_nb.config import command_parser   # argparse from the signature, fastcore 1 or 2
from deepfake_nb.config import Config
from deepfake_nb.data import build_index, make_dataset, local_cache

def images_per_second(ds, n:int)->float:
    "Images/s of the next `n` images of `ds`: a dataset (a new pass) or an iterator (training's endless stream)"
    t, seen = time.perf_counter(), 0
    for batch in ds:
        seen += len(batch[0])
        if seen >= n: break
    return seen / (time.perf_counter() - t)

def main(data:str='140k',    # a dataset name, pinned handle or folder
         img_size:int=224,   # side of the model's input
         split:str='train',  # which split to read
         cache:str='disk',   # make_dataset's cache for the training passes: disk or memory
         cache_dir:str=None, # where the disk cache goes (default: a temporary folder, removed at the end)
        ):
    "Time make_dataset: uncached, first epoch and cached epoch"
    tmp = None if cache_dir else tempfile.mkdtemp(prefix='deepfake_nb-bench-')
    try:
        cfg = Config(img_size=img_size, cache_dir=cache_dir or tmp)
        df, _ = build_index(data, cfg, cache=local_cache(), progress=False)
        df = df[df.split == split]
        nocache = images_per_second(make_dataset(df, cfg, training=False, cache='none'), len(df))
        # training's stream is endless: one iterator, an "epoch" is as many images as the split holds
        ds = iter(make_dataset(df, cfg, training=True, augment=('flip',), cache=cache))
        first = images_per_second(ds, len(df))
        cached = images_per_second(ds, len(df))
        print(f"{len(df)} images at {img_size}px: decode+resize {nocache:.0f} img/s (no cache), "
              f"first epoch {first:.0f} img/s, cached epoch ({cache}) {cached:.0f} img/s")
    finally:
        if tmp: shutil.rmtree(tmp, ignore_errors=True)

if __name__ == '__main__': main(**vars(command_parser(main).parse_args()))
