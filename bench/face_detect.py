"""The face crop's detector: how many faces it finds, and how fast, against OpenCV's Haar cascade.

    python bench/face_detect.py [--data FOLDER] [--data FOLDER ...] [--every 1] [--rounds 3]

`inference.detect_faces` (MediaPipe's BlazeFace, short range, on ai-edge-litert) on every --every'th JPEG of each
--data folder: the share of pictures where it finds a face, and the milliseconds per picture (decode included),
median of --rounds rounds. Where the installed OpenCV still has `CascadeClassifier` (OpenCV 4; OpenCV 5 dropped
it), the frontal-face Haar cascade the face crop used before runs on the same pictures, as that code ran it: a
copy of at most 480 px per side, scaleFactor 1.1, minNeighbors 5, faces of at least a tenth of the smaller side.

RATIO lines: faces found by BlazeFace against the cascade, per folder (goal: >= 1, no face lost by the change),
and the cascade's time against BlazeFace's.
"""
import os, statistics, time
from pathlib import Path
from deepfake_nb.config import command_parser, Param   # argparse from the signature, fastcore 1 or 2

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')

def haar():
    "A function that says whether OpenCV's Haar cascade finds a face in a picture, or None without OpenCV 4"
    try: import cv2
    except ImportError: return None
    if not hasattr(cv2, 'CascadeClassifier'): return None
    import numpy as np
    from PIL import Image
    from deepfake_nb.images import load_image
    cascade = cv2.CascadeClassifier(cv2.data.haarcascades + 'haarcascade_frontalface_default.xml')
    def found(path):
        im = load_image(path)
        s = min(1.0, 480 / max(im.size))
        if s < 1: im = im.resize((max(1, round(im.size[0] * s)), max(1, round(im.size[1] * s))), Image.BILINEAR)
        grey = cv2.cvtColor(np.asarray(im), cv2.COLOR_RGB2GRAY)
        side = max(20, min(grey.shape) // 10)
        return len(cascade.detectMultiScale(grey, scaleFactor=1.1, minNeighbors=5, minSize=(side, side))) > 0
    return found

def measure(found, files, rounds):
    "(faces found, ms per picture, median of rounds)"
    times, n = [], 0
    for _ in range(rounds):
        t = time.perf_counter()
        n = sum(bool(found(f)) for f in files)
        times.append((time.perf_counter() - t) / len(files) * 1000)
    return n, statistics.median(times)

def main(data:Param("a folder of pictures; once per folder", str, action='append')=None,
         every:int=1,   # take every so many pictures of each folder (sorted by path)
         rounds:int=3): # rounds; the median time is reported
    from deepfake_nb.inference import detect_faces
    blaze, cascade = (lambda p: len(detect_faces(p)[0]) > 0), haar()
    for folder in data or ['sample/datasets', 'sample/diffusion']:
        files = sorted(Path(folder).rglob('*.jpg'))[::every]
        nb, tb = measure(blaze, files, rounds)
        line = f"{folder}: {len(files)} pictures; BlazeFace finds a face in {nb} ({tb:.2f} ms each)"
        if cascade is None: print(line + "; no OpenCV 4 here, so no Haar cascade to compare"); continue
        nh, th = measure(cascade, files, rounds)
        print(line + f"; the Haar cascade in {nh} ({th:.2f} ms each)")
        print(f"RATIO faces found, BlazeFace / Haar, {folder}: {nb / max(nh, 1):.2f}")
        print(f"RATIO time, Haar / BlazeFace, {folder}: {th / tb:.2f}")

if __name__ == '__main__': main(**vars(command_parser(main).parse_args()))
