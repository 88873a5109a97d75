"""What frozen Lite0 features from every layer can tell apart: linear probes, the 140k part and unseen generators.

    KAGGLEHUB_CACHE=../shared/kagglehub python bench/layer_probe.py [--diffusion ../shared/diffusion]

A benchmark, not a test (about 3 minutes on 2 cores). It reads the project's index of the shared 140k sample
(and the diffusion folder, split on its own as `build_index` does), passes every image and its mirror image
through EfficientNet-Lite0 with its ImageNet weights, frozen (`build_detector(backbone='efficientnet_lite0')`,
the `cpu` preset's base), and pools each block's output over the image: its mean per channel (what the
detector's `GlobalAveragePooling2D` head sees, for the top layer) and its standard deviation per channel
(texture statistics). The two views of an image are averaged. A standardised logistic regression on the
training split is then scored on valid and test:

1. the 140k sample alone (FFHQ photos against StyleGAN fakes), per group of layers, the regulariser C
   chosen on valid;
2. both sources, one regression (C=0.03), each source weighted as `sample_weights` weights it with
   `140k?weight=3`: AUC of the StyleGAN and of the diffusion fakes against the 140k reals, and, leaving
   one diffusion generator out of training, of that unseen generator; last, a probe of the diffusion fakes
   alone against the reals.

It answers whether the fine-tuned detector leaves easy accuracy on the table (a probe on frozen features
that beat it would say so) and whether some layers carry a trace that reaches unseen generators.
"""
import argparse, time
import numpy as np, pandas as pd
import tensorflow as tf, keras
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler
from sklearn.metrics import roc_auc_score
from deepfake_nb.data import build_index, sample_weights
from deepfake_nb.images import load_input
from deepfake_nb.model import build_detector
from deepfake_nb.train import preset

def block_outputs(model:keras.Model)->list:
    "Names of each block's output (its residual sum, else its projection), bottom to top, and the top activation"
    outs = {}
    for l in model.layers:
        if l.name.startswith('block') and l.name.endswith(('_add', '_project_bn')): outs[l.name.split('_')[0]] = l.name
    return list(outs.values()) + ['top_activation']

def pooled_features(model, names, paths, size, batch=32)->dict:
    "{layer: (mean, std)} per image, each the average of the image's and its mirror image's"
    ext = keras.Model(model.input, [model.get_layer(n).output for n in names])
    stats = lambda o: tf.concat([tf.reduce_mean(o, axis=[1, 2]), tf.math.reduce_std(o, axis=[1, 2])], -1)
    f = tf.function(lambda x: [(stats(a) + stats(b)) / 2 for a, b in zip(ext(x, training=False),
                                                                           ext(x[:, :, ::-1], training=False))])
    parts = []
    for i in range(0, len(paths), batch):
        parts.append([o.numpy() for o in f(np.stack([load_input(p, size) for p in paths[i:i + batch]]))])
    out = {}
    for k, n in enumerate(names):
        z = np.concatenate([p[k] for p in parts]); c = z.shape[1] // 2
        out[n] = (z[:, :c], z[:, c:])
    return out

def columns(feats, names, pool)->np.ndarray:
    "The features of some layers: pool 'mean', 'std' or 'mean+std'"
    pick = {'mean': (0,), 'std': (1,), 'mean+std': (0, 1)}[pool]
    return np.hstack([feats[n][i] for n in names for i in pick])

def auc(y, s): return roc_auc_score(y, s)

def fit(X, y, w=None, C=0.03):
    "A standardised logistic regression; returns its scoring function"
    sc = StandardScaler().fit(X)
    lr = LogisticRegression(C=C, max_iter=5000).fit(sc.transform(X), y, sample_weight=w)
    return lambda Z: lr.decision_function(sc.transform(Z))

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--diffusion', default=None, help='a folder of diffusion fakes (e.g. ../shared/diffusion)')
    a = ap.parse_args()
    cfg, tcfg = preset('cpu')
    data = ['140k?weight=3'] + ([a.diffusion] if a.diffusion else [])
    df, _ = build_index(data, cfg, progress=False)
    df = df.reset_index(drop=True)
    model = build_detector(cfg, backbone='efficientnet_lite0', weights='imagenet')
    names = block_outputs(model)
    t = time.time(); feats = pooled_features(model, names, list(df.path), cfg.img_size)
    print(f"{len(df)} images ({len(names)} layers, with mirror images) in {time.time() - t:.0f} s\n")
    y, split = df.label.to_numpy(), df.split.to_numpy()
    is140 = (df.source == '140k').to_numpy()
    stage = lambda n: n[5] if n.startswith('block') else 'top'
    groups = {f'block {s}': [n for n in names if stage(n) == s] for s in '1234567'}
    groups.update({'top (the head\'s input)': ['top_activation'], 'every block and the top': names,
                   'blocks 3 to 7 and the top': [n for n in names if stage(n) not in '12']})

    rows = []
    m140 = is140 & (split == 'train')
    for g, ns in groups.items():
        for pool in ('mean', 'mean+std'):
            X = columns(feats, ns, pool)
            best = max(((C, fit(X[m140], y[m140], C=C)) for C in (0.003, 0.01, 0.03, 0.1, 0.3)),
                       key=lambda cf: auc(y[is140 & (split == 'valid')], cf[1](X[is140 & (split == 'valid')])))
            s = best[1](X)
            rows.append({'layers': g, 'pool': pool, 'dims': X.shape[1], 'C': best[0],
                         **{f'{sp} AUC': auc(y[is140 & (split == sp)], s[is140 & (split == sp)])
                            for sp in ('valid', 'test')}})
    pd.set_option('display.width', 200)
    print("1. The 140k sample alone: a probe per group of layers\n"
          + pd.DataFrame(rows).round(3).to_string(index=False))
    if not a.diffusion: return

    prefix = df.path.map(lambda p: p.split('/')[-1].rsplit('_', 1)[0])   # the diffusion sample's generator prefix
    gen = np.where(y == 0, 'real', np.where(is140, 'stylegan', prefix))
    real = lambda sp: (split == sp) & (y == 0)
    part = lambda s, sp, fakes: auc(np.r_[np.zeros(real(sp).sum()), np.ones(fakes.sum())],
                                    np.r_[s[real(sp)], s[fakes]])
    rows = []
    for g in ('top (the head\'s input)', 'every block and the top'):
        for pool in ('mean', 'mean+std'):
            X = columns(feats, groups[g], pool)
            for out in (None, 'sfhq_t2i', 'sd14_blonde_woman'):
                tr = (split == 'train') & (gen != out)
                s = fit(X[tr], y[tr], sample_weights(df[tr]))(X)
                r = {'layers': g, 'pool': pool, 'left out': out or '-'}
                for sp in ('valid', 'test'):
                    r[f'{sp} StyleGAN'] = part(s, sp, (split == sp) & (gen == 'stylegan'))
                    r[f'{sp} diffusion'] = part(s, sp, (split == sp) & (y == 1) & ~is140)
                    r[f'{sp} unseen'] = part(s, sp, (split == sp) & (gen == out)) if out else np.nan
                rows.append(r)
    X = columns(feats, groups['every block and the top'], 'mean+std')
    tr = (split == 'train') & ((y == 0) | ~is140)
    s = fit(X[tr], y[tr], sample_weights(df[tr]))(X)
    rows.append({'layers': 'every block and the top, diffusion fakes only', 'pool': 'mean+std', 'left out': 'StyleGAN',
                 **{f'{sp} {k}': part(s, sp, (split == sp) & m) for sp in ('valid', 'test')
                    for k, m in (('StyleGAN', gen == 'stylegan'), ('diffusion', (y == 1) & ~is140))}})
    print("\n2. Both sources, one probe; 'unseen': the left-out generator's fakes against the 140k reals\n"
          + pd.DataFrame(rows).round(3).to_string(index=False))

if __name__ == '__main__': main()
