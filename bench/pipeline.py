"""Input pipeline speed: decode + resize images/s through `make_dataset`, at a given image size.

    python bench/pipeline.py [--data 140k] [--img-size 224] [--epochs 2]

Prints images/s for the first epoch (decode + resize + cache) and for a cached epoch. Uses
$KAGGLEHUB_CACHE when set, else the bundled sample (too small to time well).
"""
import argparse, time
from deepfake_nb.config import Config
from deepfake_nb.data import build_index, make_dataset, local_cache

def images_per_second(ds, n):
    t = time.perf_counter()
    for _ in ds: pass
    return n / (time.perf_counter() - t)

if __name__ == '__main__':
    ap = argparse.ArgumentParser()
    ap.add_argument('--data', default='140k'); ap.add_argument('--img-size', type=int, default=224)
    ap.add_argument('--split', default='train')
    a = ap.parse_args()
    cfg = Config(img_size=a.img_size)
    df, _ = build_index(a.data, cfg, cache=local_cache(), progress=False)
    df = df[df.split == a.split]
    ds = make_dataset(df, cfg, training=True, augment=('flip',), cache=True)
    first = images_per_second(ds, len(df))
    cached = images_per_second(ds, len(df))
    nocache = images_per_second(make_dataset(df, cfg, training=False, cache=False), len(df))
    print(f"{len(df)} images at {a.img_size}px: decode+resize {nocache:.0f} img/s (no cache), "
          f"first epoch {first:.0f} img/s, cached epoch {cached:.0f} img/s")
