"""The scan's decoding threads on a slow (network) file system: images/s of `scan_images` by thread count.

    python bench/scan_threads.py [--data sample/datasets/xhlulu] [--images 256] [--latency_ms 0,5,20]
                                 [--threads 1,2,4,8,16,32] [--rounds 3]

Colab reads Drive through a FUSE mount and Kaggle mounts datasets under /kaggle/input: each file open there waits
on the network, where decoding waits on a core. This machine has no such mount, so the wait is simulated: each
file's check first sleeps --latency_ms (a blocking read releases the GIL as `time.sleep` does), then decodes the
file as usual. For each latency, `scan_images` runs with each --threads count (its `n_workers`) and with its default
(`n_workers=None`); the table is images/s, median of --rounds rounds, alternatives called in turn within a round.
With latency the folder is reported to `scan_workers` as a network mount ('fuse.drive', Colab's Drive), without it
as the local disk it is, so the default chooses as it would on that file system.

RATIO lines: the default's speed against the best thread count, per latency (goal: >= 0.8 everywhere, so
the default needs no tuning on a local disk or a network mount).
"""
import os, statistics, time
from pathlib import Path
from unittest import mock
from deepfake_nb.config import command_parser   # argparse from the signature, fastcore 1 or 2

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')

def main(data:str='sample/datasets/xhlulu', # a folder of images (real/ and fake/ below it)
         images:int=256,                     # how many of its images to scan
         latency_ms:str='0,5,20',            # simulated wait per file, comma-separated
         threads:str='1,2,4,8,16,32',        # `n_workers` values to compare with the default
         rounds:int=3):                      # rounds; the median is reported
    from deepfake_nb import data as D
    index = D.index_dataset(Path(data)).head(images)
    counts = [None] + [int(t) for t in threads.split(',')]
    print(f"{len(index)} images from {data} ({D.file_system(data) or 'unknown'} file system); {os.cpu_count()} cores")
    local_fs = D.file_system(data)
    real_check = D._check
    ratios = {}
    for lat in [float(x) for x in latency_ms.split(',')]:
        def slow_check(*a, **k):
            time.sleep(lat / 1000)
            return real_check(*a, **k)
        speeds = {c: [] for c in counts}
        fs = 'fuse.drive' if lat > 0 else local_fs
        with mock.patch.object(D, '_check', slow_check), mock.patch.object(D, 'file_system', lambda p: fs):
            print(f"latency {lat:5.1f} ms: as on a {fs!r} file system, default n_workers = {D.scan_workers(data)}")
            for _ in range(rounds):
                for c in counts:
                    t = time.perf_counter()
                    good, problems = D.scan_images(index, progress=False, n_workers=c)
                    speeds[c].append(len(index) / (time.perf_counter() - t))
                    assert len(good) + len(problems) == len(index)
        med = {c: statistics.median(v) for c, v in speeds.items()}
        best = max(v for c, v in med.items() if c is not None)
        row = '  '.join(f"{'default' if c is None else c}: {v:7.0f}" for c, v in med.items())
        print(f"latency {lat:5.1f} ms  images/s  {row}")
        ratios[lat] = med[None] / best
    for lat, r in ratios.items(): print(f"RATIO default/best at {lat:g} ms latency: {r:.2f}")

if __name__ == '__main__': main(**vars(command_parser(main).parse_args()))
