"""The reference run: the `cpu` preset trained on the development machine's sample, its evaluation and a
float16 export, written to `docs/cpu-run/` for the chapters' figures of a trained detector (05's training
curves, 06's class activation maps, 08's plots and tables). A fresh clone has the results, not the data.

    KAGGLEHUB_CACHE=$SHARED/kagglehub DEEPFAKE_NB_DIFFUSION=$SHARED/diffusion python bench/cpu_run.py \
        [--model runs/cpu] [--baseline runs/cpu-140k]

Trains `deepfake_train --data '140k?weight=3' --data $DEEPFAKE_NB_DIFFUSION --preset cpu --out MODEL` unless
MODEL already holds a model, and the baseline the same way on the 140k sample alone (`--data 140k`), then scores its valid and test splits (`evaluate` with `calibrate`, as the
README's commands do), and writes to `docs/cpu-run/`:
- `metadata.json` and `training_log.csv`, as training wrote them (machine paths as variable names);
- `predictions.csv`: every valid and test image with its split, source, generator, label and raw `prob_fake`,
  and the baseline's raw score as `prob_fake_140k_only`;
- `baseline.json`: the baseline's metadata (what it was trained on, its history);
- `images/`: the few faces the chapters show (the most confident mistakes, a face of each kind), whose
  rows in `predictions.csv` point there; the rest point at `$KAGGLEHUB_CACHE/...` or `$DEEPFAKE_NB_DIFFUSION/...`;
- `model.tflite` (float16) for the class activation maps, and `README.md` with the numbers and credits.
"""
import os, re, json, shutil, argparse
from pathlib import Path
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT/'docs'/'cpu-run'
SHOWN_MISTAKES = 8   # `plot_mistakes`'s default

def env_path(p:str)->str:
    "A path of this machine written with the data variables' names"
    for v in ('KAGGLEHUB_CACHE', 'DEEPFAKE_NB_DIFFUSION'):
        if os.environ.get(v): p = p.replace(os.environ[v].rstrip('/'), f'${v}')
    return p

def env_json(x):
    if isinstance(x, str): return env_path(x)
    if isinstance(x, list): return [env_json(v) for v in x]
    if isinstance(x, dict): return {k: env_json(v) for k, v in x.items()}
    return x

if __name__ == '__main__':
    ap = argparse.ArgumentParser(); ap.add_argument('--model', default=str(ROOT/'runs'/'cpu'))
    ap.add_argument('--baseline', default=str(ROOT/'runs'/'cpu-140k')); a = ap.parse_args()
    for v in ('KAGGLEHUB_CACHE', 'DEEPFAKE_NB_DIFFUSION'):
        if not os.environ.get(v): raise SystemExit(f"set {v}: the reference run is made on the development machine's sample")
    data = ['140k?weight=3', os.environ['DEEPFAKE_NB_DIFFUSION']]
    model, baseline = Path(a.model), Path(a.baseline)
    from deepfake_nb.artifact import METADATA_FILE, MODEL_FILE, LOG_FILE, read_metadata
    from deepfake_nb.train import deepfake_train
    if not (model/MODEL_FILE).exists(): deepfake_train(data, out=str(model), preset='cpu', verbose=2)
    if not (baseline/MODEL_FILE).exists(): deepfake_train(['140k'], out=str(baseline), preset='cpu', verbose=2)
    from deepfake_nb.evaluate import evaluate, raw_detector, score_index, confident_mistakes
    from deepfake_nb.export import training_index, export_tflite
    report = evaluate(model, data, calibrate=True, n_boot=1000, progress=False)
    meta = read_metadata(model)
    df = training_index(model, meta['data'])
    scored = score_index(raw_detector(model), df[df.split.isin(['valid', 'test'])], progress=False)
    cols = ['path', 'split', 'source', 'generator', 'label', 'prob_fake']
    preds = scored[cols].copy()
    preds['prob_fake_140k_only'] = score_index(raw_detector(baseline), scored[cols[:-1]], progress=False).prob_fake.to_numpy()
    if OUT.exists(): shutil.rmtree(OUT)
    (OUT/'images').mkdir(parents=True)
    test = preds[preds.split == 'test']
    from deepfake_nb.evaluate import choose_threshold
    valid = preds[preds.split == 'valid']
    row_of = {p: i for i, p in zip(test.index, test.path)}   # (`confident_mistakes` renumbers its rows: go by path)
    shown = [row_of[p] for t in (choose_threshold(valid.label, valid.prob_fake), 0.5)   # 08's thresholds: Youden's J, and 0.5
             for p in confident_mistakes(test, t, 2 * SHOWN_MISTAKES).path]
    shown += [test[test.generator == g].index[0] for g in sorted(test.generator.unique())]   # a face of each kind
    for i in dict.fromkeys(shown):
        src = Path(preds.at[i, 'path'])
        g = preds.at[i, 'generator']
        name = src.name if src.stem.startswith(g) else f"{g}_{src.name}"   # the kind in the name: real_00002.jpg
        shutil.copy(src, OUT/'images'/name)
        preds.at[i, 'path'] = f'images/{name}'
    preds['path'] = preds.path.map(env_path)
    preds.to_csv(OUT/'predictions.csv', index=False, float_format='%.6g')
    export_tflite(model, 'float16', out=OUT/'model.tflite')               # (copies the metadata beside it...)
    (OUT/METADATA_FILE).write_text(json.dumps(env_json(meta), indent=1))   # (...which is written again, with variables for paths)
    shutil.copy(model/LOG_FILE, OUT/LOG_FILE)
    (OUT/'baseline.json').write_text(json.dumps(env_json(read_metadata(baseline)), indent=1))
    by_gen = report.get('by_generator', {})
    lines = [f"# The reference run\n",
             f"`python bench/cpu_run.py` (see its docstring): the `cpu` preset ({meta['backbone']}, {meta['img_size']} px) trained on "
             f"{meta['images'].get('train', 0)} faces of the development machine's sample in {meta['train_seconds']:.0f} s, "
             f"valid ROC AUC {meta['val_auc']:.3f}; on its test split ({report['n']} images) ROC AUC {report['roc_auc']:.3f}.\n",
             "The chapters 05, 06 and 08 draw their figures of a trained detector from these files.\n",
             "The faces in `images/` are copies of test images from the same sources as the bundled sample, credited",
             "in `sample/README.md`: FFHQ photos and StyleGAN fakes of Kaggle's 140k Real and Fake Faces (xhlulu;",
             "FFHQ: NVIDIA, CC BY-NC-SA 4.0), and diffusion faces (Stable Diffusion 1.4 regularization images, SDXL",
             "faces of tobecwb/facial-features-yolo8x-seg, CC BY 4.0, and SFHQ-T2I example tiles, MIT).\n"]
    (OUT/'README.md').write_text('\n'.join(lines))
    print(f"wrote {OUT}: {len(preds)} predictions, {len(list((OUT/'images').iterdir()))} images, "
          f"model.tflite {(OUT/'model.tflite').stat().st_size / 1e6:.1f} MB")
