"""Load test of the detector's web app: N requests at once, bad uploads among them; requests/s, p50 and p95 latency.

    python bench/app_load.py --url http://127.0.0.1:7860          # an app that is already running, as it is
    python bench/app_load.py --space space                        # a built Space folder
    python bench/app_load.py --model runs/cpu-140k --data 140k    # a model folder, built into a Space (quantize --quantize)
    python bench/app_load.py --random_size 224                    # `testing.random_artifact`'s detector of --backbone at that size
    python bench/app_load.py --random_size 224 --compare --grid 2x1,4x1,8x1,4x2 --rounds 2 [--client gradio] [--n 50]

Every request uploads one image (cycling through --images, default the Space's examples, or for --url the
bundled sample's) and asks `/predict` for the probabilities and the Grad-CAM overlay. Unless --no_bad, three bad
uploads go in the burst too: a file one byte over the upload limit (`images.MAX_BYTES`, `launch_app`'s default:
Gradio must refuse it before the handler), a truncated JPEG and a text file renamed .jpg (the handler must explain
them); the good requests around them must still be answered.

A Space (--space, --model, --random_size) is served from its folder, on its own copy of the modules, with
`build_app(concurrency=C, num_threads=T)` for each CxT of --grid (default: the app's defaults), one server at
a time, round after round (--rounds), so that a busy machine slows all configurations alike. --compare adds
the configuration of issue 6 as the baseline, served the way the app served it then: an EfficientNetB0 at
--random_size (`random_artifact`'s) with float16 weights, queue concurrency 2, one model call at a time (a global
lock) on a two-thread interpreter, the overlay sent as WebP.

--client http (default) sends the requests through Gradio's HTTP API from one event loop; --client gradio
uses `gradio_client`, a thread per request, which costs this machine about as much CPU as the server.
--quantize is the Space's export (--model, --random_size): 'auto' (int8 if it passes the AUC gate on --data,
else float16), or int8, float16, none. `random_artifact`'s model (Lite0 with its ImageNet weights, B0 with
random ones, the head fitted on the bundled sample) has no quality for the gate to guard, so with --random_size
the int8 export is calibrated on the bundled sample and not gated.

Prints one JSON line per configuration and round, then a markdown table of medians: requests/s, p50 and p95
latency of the good requests, errors (good requests that failed), bad uploads refused, and answers that
differ from `Detector.predict` on the same image (must be 0); --json_out also writes every result to a file.
Exit status 1 if any good request failed, any bad one was answered, or any answer was not the Detector's.
"""
import json, os, shutil, statistics, sys, tempfile, warnings
from pathlib import Path
from deepfake_nb.config import command_parser, store_true, Param   # argparse from the signature, fastcore 1 or 2

def random_space(size:int, backbone:str, quantize:str, out:Path)->Path:
    "A Space folder serving `testing.random_artifact`'s detector of `backbone` at `size` px (TensorFlow needed to build it, not to serve it)"
    from deepfake_nb.config import sample_dir
    from deepfake_nb.testing import random_artifact
    from deepfake_nb.space import build_space
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        art = random_artifact(out/f'model-{backbone}-{quantize}', backbone=backbone, img_size=size, weights='auto', fit=True)
        return build_space(art, out/f'space-{backbone}-{quantize}', quantize=quantize, data=str(sample_dir()), max_auc_loss=1.0)

def bad_uploads(folder:Path, face:str, limit:int)->list:
    "Three files the app must refuse: one byte over the upload limit, a truncated JPEG, a text file renamed .jpg"
    folder.mkdir(parents=True, exist_ok=True)
    big, cut, text = folder/'oversized.jpg', folder/'truncated.jpg', folder/'notes.jpg'
    with open(big, 'wb') as f: f.write(Path(face).read_bytes()); f.truncate(limit + 1)
    cut.write_bytes(Path(face).read_bytes()[:3000])
    text.write_text('this is not an image')
    return [big, cut, text]

BASELINE = """
import sys, threading
sys.path.insert(0, '.')
from deepfake_nb.app import build_app, launch_app
demo = build_app('.', concurrency=2, num_threads=2, examples=[])
det, lock, explain = demo.detector, threading.Lock(), demo.detector.explain
def locked(*a, **k):
    with lock: return explain(*a, **k)
det.explain = locked                                                  # one model call at a time, as MODEL_LOCK did
next(b for b in demo.blocks.values() if getattr(b, 'elem_id', None) == 'overlay').format = 'webp'   # Gradio's default then
launch_app(demo)
"""
SERVE = """
import sys
sys.path.insert(0, '.')
from deepfake_nb.app import build_app, launch_app
launch_app(build_app('.', concurrency={c}, num_threads={t}, examples=[]))
"""

def cpu_seconds(pid:int)->float:
    "User + system CPU seconds of a process, from /proc (NaN where there is none)"
    try:
        f = Path(f'/proc/{pid}/stat').read_text().rsplit(')', 1)[1].split()
        return (int(f[11]) + int(f[12])) / os.sysconf('SC_CLK_TCK')
    except (OSError, IndexError, ValueError): return float('nan')

def main(url:str=None,            # an app already running: load it as it is
         space:str=None,          # a built Space folder to serve
         model:str=None,          # a model folder to build a Space from
         random_size:int=None,    # build `testing.random_artifact`'s detector of --backbone at this size into a Space
         backbone:str='efficientnet_lite0', # --random_size: the backbone
         quantize:str='auto',     # --model, --random_size: the Space's export (auto, int8, float16, none)
         data:str=None,           # --model: the data it was trained on, for the int8 gate (default: the metadata's)
         grid:str=None,           # comma-separated CxT: queue concurrency x interpreter threads (default: the app's defaults)
         compare:store_true=False, # also serve the issue-6 configuration (B0 float16, concurrency 2, a lock, WebP)
         rounds:int=1,            # rounds over the configurations
         n:int=50,                # requests per burst, all sent at once (the bad ones included)
         client:str='http',       # 'http' (Gradio's HTTP API, one event loop) or 'gradio' (gradio_client, a thread each)
         no_bad:store_true=False, # leave the bad uploads out
         images:Param("images to send (default: the Space's examples)", str, nargs='+')=None,
         json_out:str=None,       # also write every result to this file
        ):
    "Serve the app in each configuration and load it with N simultaneous requests, bad uploads among them"
    from deepfake_nb.app import APP_CONCURRENCY, APP_THREADS, sample_examples
    from deepfake_nb.space import build_space
    from deepfake_nb.testing import AppProcess, load_test, load_summary
    from deepfake_nb.images import MAX_BYTES
    from deepfake_nb.inference import Detector
    if sum(x is not None for x in (url, space, model, random_size)) != 1: sys.exit("give exactly one of --url, --space, --model, --random_size")
    tmp = Path(tempfile.mkdtemp(prefix='deepfake_nb-bench-'))
    try:
        if model:
            with warnings.catch_warnings():
                warnings.simplefilter('ignore')
                space = build_space(model, tmp/'space', quantize=quantize, data=data)
        elif random_size: space = random_space(random_size, backbone, quantize, tmp)
        servers, base = {}, None                                # name -> (folder, command); none: --url
        if space:
            space = Path(space).resolve()
            for cxt in (grid or f"{APP_CONCURRENCY}x{APP_THREADS}").split(','):
                c, t = map(int, cxt.split('x'))
                servers[f"{space.name} {c}x{t}"] = (space, [sys.executable, '-c', SERVE.format(c=c, t=t)])
        if compare:
            base = random_space(random_size or 224, 'efficientnetb0', 'float16', tmp)
            servers = {f"issue 6: {base.name} 2x2, lock, WebP": (base, [sys.executable, '-c', BASELINE]), **servers}
        src = space or base
        pics = images or (sorted(str(p) for p in (src/'examples').iterdir()) if src else list(sample_examples().values()))
        bad = [] if no_bad else bad_uploads(tmp/'bad', pics[0], MAX_BYTES)
        results = []
        for r in range(rounds):
            for name, how in (servers or {url: None}).items():
                proc = AppProcess(how[1], cwd=how[0]) if how else None
                where = proc.__enter__() if proc else url
                try:
                    load_test(where, pics[:1], n=2)                                  # warm up: lazy imports, first interpreters
                    c0 = cpu_seconds(proc.proc.pid) if proc else float('nan')
                    df = load_test(where, pics, n=n, bad=bad, client=client)
                    cpu = cpu_seconds(proc.proc.pid) - c0 if proc else float('nan')
                finally:
                    if proc: proc.stop()
                det = Detector.load(how[0], backend='tflite') if how else None
                ok = df[~df.bad & (df.error == '')]
                wrong = int(sum(p != det.predict(i).prob_fake for i, p in zip(ok.image, ok.prob_fake))) if det else None
                res = dict(config=name, round=r, client=client, **load_summary(df), not_detector=wrong, server_cpu_s=cpu,
                           load_avg=os.getloadavg()[0])
                results.append(res)
                print(json.dumps({k: round(v, 3) if isinstance(v, float) else v for k, v in res.items()}), flush=True)
                for _, row in df[df.bad].iterrows(): print(f"   bad upload {Path(row.image).name}: {row.error[:110]}", file=sys.stderr)
                if res['errors']: print(df[~df.bad & (df.error != '')].error.value_counts().to_string(), file=sys.stderr)
        med = lambda name, k: statistics.median(x[k] for x in results if x['config'] == name)
        names = list(dict.fromkeys(x['config'] for x in results))
        print(f"\n{n} requests at once ({len(bad)} bad), {client} client, median of {rounds} round(s), {os.cpu_count()} cores\n")
        print("| configuration | requests/s | p50 s | p95 s | errors | bad refused | not the Detector's | server CPU s |\n|---|---|---|---|---|---|---|---|")
        for nm in names:
            print(f"| {nm} | {med(nm, 'per_second'):.1f} | {med(nm, 'p50'):.2f} | {med(nm, 'p95'):.2f} | {max(x['errors'] for x in results if x['config'] == nm)} | "
                  f"{min(x['refused'] for x in results if x['config'] == nm)}/{len(bad)} | {max((x['not_detector'] or 0) for x in results if x['config'] == nm)} | "
                  f"{med(nm, 'server_cpu_s'):.1f} |")
        if json_out: Path(json_out).write_text(json.dumps(results, indent=2))
        failed = any(x['errors'] or x['refused'] != x['bad'] or x['not_detector'] for x in results)
    finally: shutil.rmtree(tmp, ignore_errors=True)
    sys.exit(1 if failed else 0)

if __name__ == '__main__': main(**vars(command_parser(main).parse_args()))
