"""Serving speed: where the time of a prediction goes, for each backbone and quantisation, measured in one run.

    python bench/inference.py [--backbones efficientnet_lite0,efficientnetb0] [--img_size 224] [--ship int8]
                              [--n 15] [--batch 8] [--images 128] [--rounds 7] [--keras_images 32]
                              [--folder DIR] [--model DIR] [--no_breakdown] [--no_folder]

Each backbone is built at --img_size by `testing.random_artifact` (Lite0 with its ImageNet weights, which are
offline; EfficientNetB0 with random ones; the head fitted on the bundled sample: speed does not depend on the
weights) and converted every way `tflite_model` knows, int8
calibrated on the bundled sample (this measures speed; the quality gate is `export_int8`'s job). --model
uses a trained model folder instead, for its backbone. Alternatives are called in turn, round after round,
so that a busy machine slows them all alike: read the ratios.

1. Breakdown (skipped with --no_breakdown), ms per image, median of --n rounds, per backbone and quantisation:
   bare invoke (set_tensor + invoke + get_tensor on a ready tensor) at batch 1 with one thread per core and
   with one thread, at batch --batch (an export traced with a free batch, resized), without the class
   activation map output (the probability alone), and with XNNPACK off; plus decode and resize per image
   (`load_image`, `to_input`, `load_input`) for a 256 px face and a 600 px ciplab one, and what
   `Image.draft` would save on the latter.
2. (skipped with --no_folder) A folder of 256 px JPEG faces (--folder, default: --images copies of the bundled 140k faces), images/s
   of `predict_many` (one worker per core, and one two-thread worker), of `predict_files` (what
   `deepfake_predict` runs, CSV to /dev/null), of the Keras backend's `predict_many` (on --keras_images of
   them), and the bare-invoke ceiling (the model alone on ready tensors: one two-thread interpreter, and one
   one-thread interpreter per core), for float32 and --ship; median of --rounds rounds.
3. One image from a path: bare invoke, `Detector.predict`, the app's handler `predict_image` (no Gradio
   server), and Keras `Model.predict`, for float32 and --ship, and the parts of their overhead: `load_input`,
   its decode and its resize, the handler's overlay and the float64 overlay it replaced; median and best of
   --n rounds, all in the same rounds.

RATIO lines at the end: predict_many / ceiling, predict_many / Keras, and Detector.predict and the handler /
bare invoke (goal <= 1.2: the median of the per-round ratios, and the ratio of the best rounds), the overlay's
speed-up.
"""
import atexit, contextlib, os, shutil, statistics, tempfile, threading, time, warnings
from pathlib import Path
import numpy as np
from deepfake_nb.config import command_parser, store_true   # argparse from the signature, fastcore 1 or 2

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')
QUANTS = ('none', 'float16', 'dynamic', 'int8')

def rounds_ms(cases:dict, n:int, warmup:int=2, raw:bool=False)->dict:
    "Median ms per image of each case (name -> (fn, images per call)), the cases called in turn, n rounds (raw: every round's)"
    for f, _ in cases.values():
        for _ in range(warmup): f()
    ts = {k: [] for k in cases}
    for _ in range(n):
        for k, (f, per) in cases.items():
            t = time.perf_counter(); f(); ts[k].append(1000 * (time.perf_counter() - t) / per)
    return ts if raw else {k: statistics.median(v) for k, v in ts.items()}

def build(backbone:str, img_size:int, tmp:Path, model_dir:str=None)->tuple:
    "(Keras model, model folder): `model_dir`, or `testing.random_artifact`'s detector of `backbone` (its head fitted on the sample)"
    from deepfake_nb.testing import random_artifact
    from deepfake_nb.train import load_artifact
    if not model_dir:
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            model_dir = random_artifact(tmp/backbone, backbone=backbone, img_size=img_size, weights='auto', fit=True)
    return load_artifact(model_dir)[0], Path(model_dir)

def float64_overlay(image, heatmap, alpha:float=0.45, cmap:str='jet'):
    "`explain.overlay` as it was before issue 13: the colour map at every pixel, blended in float64"
    import matplotlib
    from PIL import Image
    from deepfake_nb.images import load_image
    im = load_image(image)
    h = Image.fromarray(np.uint8(np.clip(heatmap, 0, 1) * 255)).resize(im.size, Image.BILINEAR)
    colours = matplotlib.colormaps[cmap](np.asarray(h, np.float32) / 255)[..., :3]
    return Image.fromarray(np.uint8(np.clip((1 - alpha) * np.asarray(im, np.float32) + alpha * 255 * colours, 0, 255)))

def exports(model, art:Path, quants:tuple, calib:np.ndarray, tmp:Path, breakdown:bool)->dict:
    "TFLite files: (quantize, 'b1' | 'bN' | 'nocam') -> path; 'b1' is what `export_tflite` writes"
    import tensorflow as tf
    from tensorflow.python.framework.convert_to_constants import convert_variables_to_constants_v2
    from deepfake_nb.export import freeze_detector, tflite_model
    size = model.input_shape[1]
    fn = tf.function(lambda image: model(image, training=False))   # the probability alone: no map output
    nocam = convert_variables_to_constants_v2(fn.get_concrete_function(tf.TensorSpec([1, size, size, 3], tf.float32, name='image')))
    frozen = {'b1': freeze_detector(model), 'bN': freeze_detector(model, batch=None), 'nocam': nocam}
    out = {}
    for q in quants:
        for kind in (('b1', 'bN', 'nocam') if breakdown and q in ('none', 'int8') else ('b1',)):
            with warnings.catch_warnings(), contextlib.redirect_stderr(open(os.devnull, 'w')):
                warnings.simplefilter('ignore')
                data = tflite_model(model, q, frozen[kind], calibration=calib if q == 'int8' else None)
            out[q, kind] = tmp/f"{art.name}-{q}-{kind}.tflite"
            out[q, kind].write_bytes(data)
    return out

def bare(path:Path, x:np.ndarray, threads:int, batch:int=1, xnnpack:bool=True):
    "A function doing one bare invoke of `path` on `batch` copies of the ready input `x`"
    from ai_edge_litert.interpreter import Interpreter, OpResolverType
    it = Interpreter(model_path=str(path), num_threads=threads, experimental_op_resolver_type=
                     OpResolverType.AUTO if xnnpack else OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES)
    inp = it.get_input_details()[0]['index']
    if batch != 1: it.resize_tensor_input(inp, [batch, *x.shape])
    it.allocate_tensors()
    xb, outs = np.repeat(x[None], batch, 0), [d['index'] for d in it.get_output_details()]
    def f():
        it.set_tensor(inp, xb); it.invoke()
        return [it.get_tensor(o) for o in outs]
    return f

def parallel_bare(path:Path, x:np.ndarray, workers:int, k:int):
    "A function doing `k` bare invokes split over `workers` threads, each with a one-thread interpreter"
    fns = [bare(path, x, 1) for _ in range(workers)]
    def f():
        ts = [threading.Thread(target=lambda g=g, m=m: [g() for _ in range(m)]) for g, m in zip(fns, np.diff(np.linspace(0, k, workers + 1).round().astype(int)))]
        for t in ts: t.start()
        for t in ts: t.join()
    return f

def face_folder(folder:str, n:int, tmp:Path)->list:
    "The image files of `folder`, or `n` copies of the bundled sample's 256 px 140k faces in a new one"
    from deepfake_nb.config import sample_dir
    from deepfake_nb.inference import image_paths
    if folder: return image_paths([folder], recursive=True)
    faces = sorted(p for p in sample_dir().rglob('*.jpg') if '/xhlulu/' in str(p))
    out = tmp/'faces'; out.mkdir()
    for i in range(n): shutil.copy(faces[i % len(faces)], out/f"{i:05d}.jpg")
    return image_paths([out])

def md_table(rows:list, cols:list)->str:
    "A markdown table of dicts"
    fmt = lambda v: f"{v:.2f}" if isinstance(v, float) else str(v)
    return '\n'.join(['| ' + ' | '.join(cols) + ' |', '|' + '---|' * len(cols)] + ['| ' + ' | '.join(fmt(r.get(c, '')) for c in cols) + ' |' for r in rows])

def main(backbones:str='efficientnet_lite0,efficientnetb0', # comma-separated backbones to build and time
         img_size:int=224,    # input size of the built models
         ship:str='int8',     # the quantisation served, timed against float32 in parts 2 and 3
         n:int=15,            # rounds of the per-call timings (parts 1 and 3)
         batch:int=8,         # the batch of the batched invokes
         images:int=128,      # files in the default folder of part 2
         rounds:int=7,        # rounds of the folder timings (part 2)
         keras_images:int=32, # files scored by the Keras backend in part 2 (it is slow)
         folder:str=None,     # a folder of images for part 2 (default: copies of the bundled 140k faces)
         model:str=None,      # a trained model folder to time instead of building its backbone
         no_breakdown:store_true=False, # skip part 1
         no_folder:store_true=False,    # skip part 2
        ):
    "Time bare invokes, decoding, predict_many, predict_files, predict and the app's handler, and print tables and ratios"
    from PIL import Image
    from deepfake_nb.config import sample_dir
    from deepfake_nb.artifact import METADATA_FILE, TFLITE_FILE, read_metadata
    from deepfake_nb.images import load_image, load_input, to_input
    from deepfake_nb.inference import Detector, predict_files, _KerasRunner
    from deepfake_nb.app import predict_image
    tmp = Path(tempfile.mkdtemp(prefix='deepfake_nb-bench-')); atexit.register(shutil.rmtree, tmp, True)
    cores, breakdown = os.cpu_count(), not no_breakdown
    names = [read_metadata(model).get('backbone', 'efficientnetb0')] if model else backbones.split(',')
    files = sorted(str(p) for p in sample_dir().rglob('*.jpg'))
    face, big = next(p for p in files if '/xhlulu/' in p), next(p for p in files if '/ciplab/' in p)
    folder_files = [] if no_folder else face_folder(folder, images, tmp)
    print(f"{cores} cores, load average {os.getloadavg()[0]:.2f} at the start; folder: {len(folder_files)} files")
    built = {}
    for b in names:
        m, art = build(b, img_size, tmp, model)
        size = m.input_shape[1]
        calib = np.stack([load_input(p, size) for p in files])
        quants = QUANTS if breakdown else tuple(dict.fromkeys(('none', ship)))
        built[b] = dict(model=m, art=art, size=size, x=load_input(face, size), files=exports(m, art, quants, calib, tmp, breakdown))

    if breakdown:   # ---- 1. where the time of one call goes
        cases, rows = {}, []
        for b, d in built.items():
            for q in QUANTS:
                f = d['files'][q, 'b1']
                cases[b, q, f'batch 1, {cores} threads'] = (bare(f, d['x'], cores), 1)
                cases[b, q, 'batch 1, 1 thread'] = (bare(f, d['x'], 1), 1)
                if (q, 'bN') in d['files']:
                    cases[b, q, f'batch {batch}, {cores} threads'] = (bare(d['files'][q, 'bN'], d['x'], cores, batch), batch)
                    cases[b, q, 'no map output'] = (bare(d['files'][q, 'nocam'], d['x'], cores), 1)
                    cases[b, q, 'XNNPACK off'] = (bare(f, d['x'], cores, xnnpack=False), 1)
            try: bare(d['files']['none', 'b1'], d['x'], cores, batch); fixed = 'resizes'
            except Exception as e: fixed = f"fails ({str(e).splitlines()[0][:70]})"
            print(f"{b}: the batch-one export at batch {batch}: {fixed}")
        t = rounds_ms(cases, n)
        for b, d in built.items():
            for q in QUANTS:
                row = dict(backbone=b, quantize=q, MB=os.path.getsize(d['files'][q, 'b1']) / 1e6)
                row.update({k[2]: v for k, v in t.items() if k[:2] == (b, q)})
                rows.append(row)
        cols = ['backbone', 'quantize', 'MB', f'batch 1, {cores} threads', 'batch 1, 1 thread', f'batch {batch}, {cores} threads',
                'no map output', 'XNNPACK off']
        print(f"\n## 1. Bare invoke, ms per image ({img_size} px, median of {n})\n\n" + md_table(rows, cols))
        im256, im600 = load_image(face), load_image(big)
        def drafted(p, s):
            im = Image.open(p); im.draft('RGB', (s, s))
            return np.asarray(im.convert('RGB').resize((s, s), Image.BILINEAR), np.float32)
        s = img_size
        dec = rounds_ms({'load_image 256': (lambda: load_image(face), 1), 'to_input 256': (lambda: to_input(im256, s), 1),
                         'load_input 256': (lambda: load_input(face, s), 1), 'load_image 600': (lambda: load_image(big), 1),
                         'to_input 600': (lambda: to_input(im600, s), 1), 'load_input 600': (lambda: load_input(big, s), 1),
                         'draft 600': (lambda: drafted(big, s), 1)}, 5 * n)
        diff = np.abs(drafted(big, s) - load_input(big, s))
        print(f"\n## Decode and resize, ms per image (median of {5 * n}, one thread)\n\n" + md_table(
            [dict(image=f'{k} px JPEG', **{c: dec[f'{c} {k}'] for c in ('load_image', 'to_input', 'load_input')}) for k in ('256', '600')],
            ['image', 'load_image', 'to_input', 'load_input']))
        print(f"Image.draft on the 600 px JPEG (decoded at 300 px, then resized): {dec['draft 600']:.2f} ms instead of "
              f"{dec['load_input 600']:.2f}, but its input differs from training's by up to {diff.max():.0f} (mean {diff.mean():.2f}) of 255; "
              f"a 256 px JPEG cannot be drafted to {s} px (it would be 128)")

    # ---- 2. a folder
    qs, fold, ratios = tuple(dict.fromkeys(('none', ship))), {}, []
    devnull = open(os.devnull, 'w')
    for b, d in built.items():
        for q in qs:
            served = tmp/f"served-{b}-{q}"; served.mkdir()
            shutil.copy(d['files'][q, 'b1'], served/TFLITE_FILE); shutil.copy(d['art']/METADATA_FILE, served)
            d['served', q] = served
    for b, d in ({} if no_folder else built).items():
        for q in qs:
            served = d['served', q]
            det = Detector.load(served, backend='tflite')
            k = len(folder_files)
            fold[b, q, 'ceiling: one interpreter, all threads'] = ((lambda g=bare(d['files'][q, 'b1'], d['x'], cores), k=k: [g() for _ in range(k)]), k)
            fold[b, q, 'ceiling: one 1-thread interpreter per core'] = (parallel_bare(d['files'][q, 'b1'], d['x'], cores, k), k)
            fold[b, q, 'predict_many'] = ((lambda det=det: det.predict_many(folder_files, progress=False)), k)
            fold[b, q, 'predict_many, one 2-thread worker'] = ((lambda det=det: det.predict_many(folder_files, workers=1, progress=False)), k)
            def _files(served=served):
                with contextlib.redirect_stdout(devnull), contextlib.redirect_stderr(devnull): predict_files(served, [str(Path(folder_files[0]).parent)], progress=False)
            fold[b, q, 'predict_files (deepfake_predict)'] = (_files, k)
        kdet = Detector(_KerasRunner(d['model']), read_metadata(d['art']), 'keras')
        fold[b, 'keras', 'Keras predict_many'] = ((lambda kdet=kdet: kdet.predict_many(folder_files[:keras_images], batch_size=32, progress=False)), min(keras_images, len(folder_files)))
    if not no_folder:
        print(f"load average {os.getloadavg()[0]:.2f} before part 2")
        t = rounds_ms(fold, rounds, warmup=1)
        ips = {k: 1000 / v for k, v in t.items()}
        rows = [dict(backbone=k[0], quantize=k[1], what=k[2], **{'img/s': v}) for k, v in ips.items()]
        print(f"\n## 2. A folder of {len(folder_files)} 256 px JPEG faces, images/s (median of {rounds})\n\n" + md_table(rows, ['backbone', 'quantize', 'what', 'img/s']))
        for b in built:
            for q in qs:
                ceil = max(ips[b, q, 'ceiling: one interpreter, all threads'], ips[b, q, 'ceiling: one 1-thread interpreter per core'])
                pm, pf, kr = ips[b, q, 'predict_many'], ips[b, q, 'predict_files (deepfake_predict)'], ips[b, 'keras', 'Keras predict_many']
                ratios.append(f"RATIO {b} {q}: predict_many {pm:.0f} img/s = {pm / ceil:.2f} of the ceiling ({ceil:.0f}), {pm / kr:.1f}x Keras ({kr:.1f}); "
                              f"predict_files {pf:.0f} img/s = {pf / ceil:.2f} of the ceiling")

    # ---- 3. one image: the served paths against the bare invoke, and the parts of their overhead, in the same rounds
    one, s = {}, img_size
    for b, d in built.items():
        for q in qs:
            det = Detector.load(d['served', q], backend='tflite')
            one[b, q, 'bare invoke'] = (bare(d['files'][q, 'b1'], d['x'], cores), 1)
            one[b, q, 'Detector.predict(path)'] = ((lambda det=det: det.predict(face)), 1)
            one[b, q, 'app handler predict_image'] = ((lambda det=det: predict_image(det, {'path': face, 'orig_name': 'face.jpg'}, det.threshold, False)), 1)
        xb = d['x'][None]
        one[b, 'keras', 'Keras Model.predict'] = ((lambda m=d['model']: m.predict(xb, verbose=0)), 1)
    ex, im256 = det.explain(face), load_image(face)
    def decode():
        im = Image.open(face); im.load(); return im
    parts = {'load_input (decode, orient, RGB, resize, float32)': (lambda: load_input(face, s), 1),
             'of which decode (Image.open + load)': (decode, 1), f'of which resize to {s} px (bilinear)': (lambda: im256.resize((s, s), Image.BILINEAR), 1),
             'overlay (8-bit palette + Image.blend)': (lambda: ex.overlay(), 1), 'overlay as before (float64 colour map)': (lambda: float64_overlay(ex.image, ex.heatmap), 1)}
    one.update({('parts', '', k): v for k, v in parts.items()})
    print(f"load average {os.getloadavg()[0]:.2f} before part 3")
    raw = rounds_ms(one, n, raw=True)
    t, best = {k: statistics.median(v) for k, v in raw.items()}, {k: min(v) for k, v in raw.items()}
    rows = [dict(backbone=k[0], quantize=k[1], what=k[2], **{'median ms': t[k], 'best ms': best[k]}) for k in raw]
    print(f"\n## 3. One 256 px JPEG from a path, ms (median and best of {n}, called in turn)\n\n" + md_table(rows, ['backbone', 'quantize', 'what', 'median ms', 'best ms']))
    for b in built:
        for q in qs:
            bk = b, q, 'bare invoke'
            def r(what):   # median of the per-round ratios (both timed within a few ms of each other), and the ratio of the bests
                k = b, q, what
                return f"{statistics.median(x / y for x, y in zip(raw[k], raw[bk])):.2f}x (best {best[k] / best[bk]:.2f}x)"
            ratios.append(f"RATIO {b} {q}: Detector.predict / bare invoke = {r('Detector.predict(path)')}, "
                          f"app handler / bare invoke = {r('app handler predict_image')} (goal <= 1.2); "
                          f"Keras predict / Detector.predict = {t[b, 'keras', 'Keras Model.predict'] / t[b, q, 'Detector.predict(path)']:.1f}x")
    ov, ov0 = 'overlay (8-bit palette + Image.blend)', 'overlay as before (float64 colour map)'
    ratios.append(f"RATIO overlay: {t['parts', '', ov]:.2f} ms, {t['parts', '', ov0] / t['parts', '', ov]:.1f}x faster than before ({t['parts', '', ov0]:.2f} ms)")
    print('\n' + '\n'.join(ratios))
    print(f"load average {os.getloadavg()[0]:.2f} at the end")

if __name__ == '__main__': main(**vars(command_parser(main).parse_args()))
