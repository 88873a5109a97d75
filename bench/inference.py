"""Serving speed: where the time of one prediction goes, measured in one run.

    python bench/inference.py [--model DIR] [--img-size 224] [--n 30] [--threads N]

Without --model, a randomly initialised detector (speed does not depend on the weights) is built at
--img-size and exported to TFLite in a temporary folder. Prints the median time of:

  bare invoke       ai-edge-litert set_tensor + invoke + get_tensor on a ready input tensor
  Detector.predict  one JPEG path -> decode, resize (load_input), invoke, temperature, label (TFLite backend)
  keras predict     keras.Model.predict on one ready input
  predict_many      images/s over a list of files, against the ceiling 1 / bare invoke

and the ratios: Detector.predict / bare invoke (goal <= 1.2), keras predict / Detector.predict (goal >= 3).
"""
import argparse, atexit, os, shutil, statistics, tempfile, time, warnings
from pathlib import Path
import numpy as np

def median_ms(fn, n, warmup=3):
    "Median milliseconds of `fn()`"
    return interleaved_ms([fn], n, warmup)[0]

def interleaved_ms(fns, n, warmup=3):
    "Median milliseconds of each of `fns`, called in turn n times: a busy machine slows them all alike"
    for f in fns:
        for _ in range(warmup): f()
    ts = [[] for _ in fns]
    for _ in range(n):
        for f, t in zip(fns, ts):
            start = time.perf_counter(); f(); t.append(time.perf_counter() - start)
    return [1000 * statistics.median(t) for t in ts]

def tiny_artifact(img_size):
    "A random detector at `img_size`, saved as training would and exported to TFLite"
    import keras
    from deepfake_nb.config import Config
    from deepfake_nb.model import build_detector, inference_copy, INPUT_CONTRACT
    from deepfake_nb.train import save_artifact
    from deepfake_nb.inference import export_tflite
    cfg = Config(img_size=img_size)
    keras.utils.set_random_seed(cfg.seed)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        model = inference_copy(build_detector(cfg, weights=None))
    meta = dict(class_names=list(cfg.class_names), positive=cfg.positive, img_size=img_size,
                input_contract=INPUT_CONTRACT, threshold=0.5, config=cfg.to_dict())
    tmp = Path(tempfile.mkdtemp()); atexit.register(shutil.rmtree, tmp, True)   # removed when the script ends
    out = save_artifact(model, meta, tmp/'bench')
    export_tflite(out)
    return out

if __name__ == '__main__':
    ap = argparse.ArgumentParser()
    ap.add_argument('--model', help='a model folder with model.keras (exported to model.tflite if there is none)')
    ap.add_argument('--img-size', type=int, default=224)
    ap.add_argument('--n', type=int, default=30, help='timed calls per measurement')
    ap.add_argument('--threads', type=int, default=None, help='TFLite threads (default: one per core)')
    ap.add_argument('--images', type=int, default=64, help='files for predict_many')
    a = ap.parse_args()
    os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')
    from deepfake_nb.config import sample_dir
    from deepfake_nb.images import load_input
    from deepfake_nb.inference import Detector, export_tflite, TFLITE_FILE
    from ai_edge_litert.interpreter import Interpreter

    art = Path(a.model) if a.model else tiny_artifact(a.img_size)
    if not (art/TFLITE_FILE).exists(): export_tflite(art)
    det = Detector.load(art, backend='tflite', num_threads=a.threads)
    files = sorted(str(p) for p in sample_dir().rglob('*.jpg'))
    face = next(p for p in files if '/xhlulu/' in p)   # a 256 px face, as users upload
    x = load_input(face, det.img_size)

    it = Interpreter(model_path=str(art/TFLITE_FILE), num_threads=a.threads or os.cpu_count())
    it.allocate_tensors()
    inp, prob_out = it.get_input_details()[0]['index'], det.runner.prob_index
    xb = x[None]
    def bare():
        it.set_tensor(inp, xb); it.invoke(); return it.get_tensor(prob_out)
    prep_ms = median_ms(lambda: load_input(face, det.img_size), a.n)

    # a batch in one invoke, for comparison with the loop of single invokes the detector uses
    bs = 8
    try:
        itb = Interpreter(model_path=str(art/TFLITE_FILE), num_threads=a.threads or os.cpu_count())
        itb.resize_tensor_input(inp, [bs, det.img_size, det.img_size, 3]); itb.allocate_tensors()
        xbatch = np.repeat(xb, bs, 0)
        batched = f"{median_ms(lambda: (itb.set_tensor(inp, xbatch), itb.invoke()), max(5, a.n // 4)) / bs:8.2f} ms"
    except RuntimeError as e: batched = f"n/a: the export has a fixed batch of one ({str(e).splitlines()[0][:60]})"

    from deepfake_nb.train import load_artifact
    model, _ = load_artifact(art)
    bare_ms, predict_ms, keras_ms, keras_call_ms = interleaved_ms(
        [bare, lambda: det.predict(face), lambda: model.predict(xb, verbose=0), lambda: model(xb, training=False)], a.n)

    many = (files * (a.images // len(files) + 1))[:a.images]
    loop = lambda: [bare() for _ in many]   # the ceiling: the model alone, one ready tensor after another
    many_ms, loop_ms = interleaved_ms([lambda: det.predict_many(many, batch_size=32, progress=False), loop], 3, warmup=1)
    ips, ceiling = 1000 * len(many) / many_ms, 1000 * len(many) / loop_ms

    print(f"model: {art} ({det.img_size} px, {os.path.getsize(art/TFLITE_FILE)/1e6:.1f} MB TFLite), "
          f"{a.threads or os.cpu_count()} threads, {os.cpu_count()} cores, median of {a.n}")
    print(f"bare invoke (ready tensor)          {bare_ms:8.2f} ms")
    print(f"batched invoke, per image (batch {bs})  {batched}")
    print(f"load_input alone (decode + resize)  {prep_ms:8.2f} ms")
    print(f"Detector.predict (path, TFLite)     {predict_ms:8.2f} ms")
    print(f"keras Model.predict (ready tensor)  {keras_ms:8.2f} ms")
    print(f"keras model(x) call (ready tensor)  {keras_call_ms:8.2f} ms")
    print(f"predict_many                        {ips:8.1f} images/s over {len(many)} files (ceiling: bare invokes {ceiling:.1f}/s)")
    print(f"RATIO Detector.predict / bare invoke   = {predict_ms / bare_ms:.2f}x  (goal <= 1.2)")
    print(f"RATIO keras predict / Detector.predict = {keras_ms / predict_ms:.2f}x  (goal >= 3)")
    print(f"RATIO predict_many / ceiling           = {ips / ceiling:.2f}")
