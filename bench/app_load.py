"""Load test of the detector's web app: N simultaneous gradio_client requests, errors (goal: 0), p50 and p95 latency.

    python bench/app_load.py --url http://127.0.0.1:7860    # an app that is already running
    python bench/app_load.py --space space                  # a built Space folder, served as Spaces does: `python app.py`
    python bench/app_load.py --model runs/colab             # a model folder, served by `build_app` + `launch_app`
    python bench/app_load.py --random-size 224              # a random-weights EfficientNetB0 at 224 px (the compute of a
                                                            # trained one), built into a float16 Space and served

Every request uploads one image (cycling through --images, default the Space's examples or the bundled sample) and
asks `/predict` for the probabilities and the Grad-CAM overlay. Besides errors and latency it counts answers that
differ from the other answers for the same image: under load every answer must still be the model's.
"""
import argparse, atexit, json, shutil, sys, tempfile, warnings
from pathlib import Path
import numpy as np
from deepfake_nb.app import AppProcess, build_space, load_test, load_summary, sample_examples


def random_space(size:int, out:Path)->Path:
    "A Space folder serving a random-weights detector at `size` px (TensorFlow needed to build it, not to serve it)"
    from deepfake_nb.config import Config
    from deepfake_nb.model import build_detector, inference_copy, INPUT_CONTRACT
    from deepfake_nb.train import save_artifact
    cfg = Config(img_size=size)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        model = inference_copy(build_detector(cfg, weights=None))
    meta = dict(class_names=list(cfg.class_names), positive=cfg.positive, img_size=size, input_contract=INPUT_CONTRACT,
                threshold=0.5, config=cfg.to_dict())
    art = save_artifact(model, meta, out/'model')
    return build_space(art, out/'space')


def inconsistent(df)->int:
    "Answers that differ from the median answer for the same image"
    ok = df[df.error == '']
    med = ok.groupby('image').prob_fake.transform('median')
    return int((np.abs(ok.prob_fake - med) > 1e-5).sum())


if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument('--url'); src.add_argument('--space'); src.add_argument('--model'); src.add_argument('--random-size', type=int)
    ap.add_argument('-n', type=int, default=50, help='requests, all sent at once')
    ap.add_argument('--images', nargs='+', help='images to send (default: the Space examples or the bundled sample)')
    ap.add_argument('--json', help='also write the summary to this file')
    a = ap.parse_args()
    tmp = Path(tempfile.mkdtemp()); atexit.register(shutil.rmtree, tmp, True)   # removed when the script ends
    space = Path(a.space) if a.space else random_space(a.random_size, tmp) if a.random_size else None
    images = a.images or (sorted(str(p) for p in (space/'examples').iterdir()) if space and (space/'examples').is_dir()
                          else list(sample_examples().values()))
    if a.url: server, url = None, a.url
    else:
        cmd = ([sys.executable, 'app.py'] if space else
               [sys.executable, '-c', 'import sys; from deepfake_nb.app import build_app, launch_app; launch_app(build_app(sys.argv[1]))', a.model])
        server = AppProcess(cmd, cwd=space)
        url = server.__enter__()
        print(f"serving at {url}: {next((l for l in server.log.splitlines() if 'serving' in l), '')}", file=sys.stderr)
    try:
        load_test(url, images[:1], n=2)                            # warm up: the first requests pay for lazy imports
        df = load_test(url, images, n=a.n)
    finally:
        if server: server.stop()
    r = dict(load_summary(df), inconsistent=inconsistent(df), images=len(images))
    print(json.dumps({k: round(v, 3) if isinstance(v, float) else v for k, v in r.items()}))
    if r['errors']: print(df[df.error != ''].error.value_counts().to_string(), file=sys.stderr)
    if a.json: Path(a.json).write_text(json.dumps(r, indent=2))
    sys.exit(1 if r['errors'] or r['inconsistent'] else 0)
