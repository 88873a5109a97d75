"""Per generator, and the "blonde woman" check: how a trained model scores each kind of fake on a test split.

    KAGGLEHUB_CACHE=../shared/kagglehub python bench/generators.py MODEL [--data 140k --data ../shared/diffusion]
                                                                        [--split test] [--n_boot 1000] [--perturb]

Scores the split of the model's own sources (default: the metadata's `data`), rebuilt with its settings, and
prints `evaluate.generator_table` three times: each generator's fakes against every real of the split, against
the real *women* of the 140k test split only, and against its real *blonde* women only. The women are a hand
label of the shared 140k sample's test reals (`bench/ffhq_test_women.csv`: 43 of 102, 8 of them blonde,
labelled from a contact sheet). The Stable Diffusion 1.4 fakes all answer the prompt "blonde woman": a model
that learnt "blonde woman means fake" would score them much lower against blonde real women than against all
reals. With --perturb, also the AUC per source under each of `evaluate.PERTURBATIONS`.
"""
import argparse, os, sys, time
from pathlib import Path
import pandas as pd
from deepfake_nb.config import Config
from deepfake_nb.data import build_index
from deepfake_nb.evaluate import raw_detector, score_index, generator_table, perturbation_row, PERTURBATIONS

WOMEN = Path(__file__).with_name('ffhq_test_women.csv')

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('model'); ap.add_argument('--data', action='append'); ap.add_argument('--split', default='test')
    ap.add_argument('--n_boot', type=int, default=1000); ap.add_argument('--perturb', action='store_true')
    a = ap.parse_args()
    det = raw_detector(a.model)
    data = a.data or det.meta.get('data')
    df, _ = build_index(data, Config.from_dict(det.meta['config']).here(), progress=False)
    t0 = time.time()
    s = score_index(det, df[df.split == a.split], progress=False)
    print(f"model {a.model}: trained {det.meta.get('train_seconds', float('nan')):.0f} s on {det.meta.get('data')}; "
          f"{len(s)} {a.split} images scored in {time.time() - t0:.0f} s")
    seen = set(det.meta.get('generators') or {})
    pd.set_option('display.width', 160)
    print("\nevery real of the split:\n" + generator_table(s, seen=seen, n_boot=a.n_boot).round(3).to_string())
    women = pd.read_csv(WOMEN)
    rel = s.path.map(lambda p: p.replace(os.sep, '/').split('real-vs-fake/')[-1])
    for name, files in (('real women', set(women.file)), ('real blonde women', set(women.file[women.blonde == 1]))):
        keep = (s.label == 1) | ((s.source == '140k') & rel.isin(files))
        n = int((keep & (s.label == 0)).sum())
        if n == 0: print(f"\n{name}: none in this split (the labels are of the shared 140k sample's test split)"); continue
        t = generator_table(s[keep], seen=seen, n_boot=a.n_boot).round(3)
        print(f"\nagainst the {n} {name} of the 140k {a.split} split:\n" + t.to_string())
    if a.perturb:
        rows = {'clean': perturbation_row(s)}
        for k, (what, f) in PERTURBATIONS.items(): rows[k] = perturbation_row(score_index(det, df[df.split == a.split], progress=False, transform=f))
        tab = pd.DataFrame({c: {'all': r['roc_auc'], **{f'source {k}': v for k, v in r['by_source'].items()}, **r['by_generator']}
                            for c, r in rows.items()}).T
        print("\nunder perturbations (ROC AUC):\n" + tab.round(3).to_string())

if __name__ == '__main__': main()
