"""The research runs behind the `cpu` preset (docs/benchmarks.md): one training run per call, outside `train`.

    KAGGLEHUB_CACHE=../shared/kagglehub python bench/recipe_search.py NAME key=value ...

Keys and defaults are in DEFAULTS below (e.g. `img_size=64 epochs=12 sched=cos bn_mom=0.9 seed=1 frac=0.5`).
Writes runs/recipe-search/NAME.json (settings, per-epoch log, train/valid/test AUC); SAVE=1 also saves the model.
Data: the project's `build_index` and `load_input` (the decode and resize of `make_dataset`), cached as uint8
arrays in runs/recipe-search/cache. Model: `training_model`, the detector as `train` builds it offline
(EfficientNetB0 from random weights -> GAP -> Dropout -> Dense(1, sigmoid)). Training may use random crops
(crop < img_size) at native resolution; evaluation feeds the whole img_size image to a model of that size
carrying the same weights (what inference does). A benchmark, not a test: a run takes minutes.
"""
import sys, os, json, time, hashlib
from pathlib import Path
import numpy as np

DEFAULTS = dict(img_size=256, crop=0, bs=32, epochs=8, opt='adam', lr=1e-3, wd=0.0, sched='const', warmup=0,
                ls=0.0, dropout=0.2, aug='flip', data='140k', seed=42, time_limit=600, eval_every=0,
                bf16=0, tta=0, train_eval_n=0, bn_mom=0.0, ema=0.0, mixup=0.0, frac=1.0)
def main(argv:list=None, # NAME key=value ... (default: the command line)
        ):
    "One research run: parse NAME and the key=value settings, train, evaluate, write runs/recipe-search/NAME.json"
    argv = sys.argv[1:] if argv is None else argv
    T0 = time.time()
    if len(argv) < 1 or argv[0].startswith('-'): sys.exit(__doc__)
    name = argv[0]
    P = dict(DEFAULTS)
    for kv in argv[1:]:
        k, v = kv.split('=', 1)
        if k not in DEFAULTS: sys.exit(f"unknown key {k!r}; the keys are {', '.join(DEFAULTS)}")
        P[k] = v if isinstance(DEFAULTS[k], str) else type(DEFAULTS[k])(v)
    R = Path('runs/recipe-search'); (R/'cache').mkdir(parents=True, exist_ok=True)

    import tensorflow as tf, keras
    from sklearn.metrics import roc_auc_score
    from deepfake_nb.config import Config
    from deepfake_nb.data import build_index, local_cache
    from deepfake_nb.images import load_input
    from deepfake_nb.train import TrainConfig, training_model

    keras.utils.set_random_seed(P['seed'])
    if P['bf16']: keras.mixed_precision.set_global_policy('mixed_bfloat16')
    cfg = Config().replace(img_size=P['img_size'], seed=P['seed'], batch_size=P['bs'])
    S = P['img_size']

    def arrays(data):
        where = hashlib.sha1(str(local_cache().resolve()).encode()).hexdigest()[:8]   # one cache per data source
        f = R/'cache'/f"{Path(str(data)).name}_{S}_{where}.npz"
        if f.exists():
            z = np.load(f); return {k: (z[k+'_x'], z[k+'_y']) for k in ('train', 'valid', 'test')}
        df, _ = build_index(data, cfg, cache=local_cache(), progress=False)
        out = {}
        for sp in ('train', 'valid', 'test'):
            d = df[df.split == sp]
            out[sp] = (np.stack([load_input(p, S).astype(np.uint8) for p in d.path]), d.label.to_numpy(np.float32))
        np.savez(f, **{k+'_x': v[0] for k, v in out.items()}, **{k+'_y': v[1] for k, v in out.items()})
        return out

    t = time.time(); D = arrays(P['data']); t_data = time.time() - t
    if P['frac'] < 1:   # learning curve: a stratified random part of the training split
        x, y = D['train']; rs = np.random.RandomState(P['seed'])
        keep = np.concatenate([rs.permutation(np.flatnonzero(y == c))[:int(round(P['frac'] * (y == c).sum()))] for c in (0, 1)])
        D['train'] = (x[np.sort(keep)], y[np.sort(keep)])
    print({k: (v[0].shape, float(v[1].mean())) for k, v in D.items()}, f"data {t_data:.1f}s", flush=True)

    crop = P['crop'] or S
    augs = P['aug'].split(',') if P['aug'] else []

    def train_ds():
        x, y = D['train']
        ds = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(len(x), seed=P['seed'], reshuffle_each_iteration=True)
        def f(img, lab):
            img = tf.cast(img, tf.float32)
            if crop < S: img = tf.image.random_crop(img, (crop, crop, 3))
            if 'flip' in augs: img = tf.image.random_flip_left_right(img)
            if 'bright' in augs: img = tf.clip_by_value(img + tf.random.uniform((), -25., 25.), 0, 255)
            if 'contrast' in augs:
                m = tf.reduce_mean(img); img = tf.clip_by_value((img - m) * tf.random.uniform((), .85, 1.15) + m, 0, 255)
            if 'rot90' in augs: img = tf.image.rot90(img, tf.random.uniform((), 0, 4, tf.int32))
            if 'vflip' in augs: img = tf.image.random_flip_up_down(img)
            return img, lab
        ds = ds.map(f, num_parallel_calls=tf.data.AUTOTUNE).batch(P['bs'], drop_remainder=True)
        kaug = [a for a in augs if a in ('rotate', 'zoom', 'translate')]
        if kaug:
            from deepfake_nb.data import augmenter
            am = augmenter(tuple(kaug), P['seed'])
            ds = ds.map(lambda x, y: (am(x, training=True), y), num_parallel_calls=tf.data.AUTOTUNE)
        if P['mixup']:
            a = P['mixup']
            def mix(x, y):
                g1 = tf.random.gamma((), a); g2 = tf.random.gamma((), a); lam = g1 / (g1 + g2)
                idx = tf.random.shuffle(tf.range(tf.shape(x)[0]))
                return lam * x + (1 - lam) * tf.gather(x, idx), lam * y + (1 - lam) * tf.gather(y, idx)
            ds = ds.map(mix, num_parallel_calls=tf.data.AUTOTUNE)
        return ds.prefetch(tf.data.AUTOTUNE)

    tcfg = TrainConfig(weights=None, dropout=P['dropout'], bn_momentum=P['bn_mom'] or None)
    build = lambda side: training_model(cfg.replace(img_size=side), tcfg, policy=keras.mixed_precision.global_policy().name)

    model = build(crop)
    steps_per_epoch = len(D['train'][0]) // P['bs']
    if not steps_per_epoch: sys.exit(f"bs={P['bs']} is larger than the {len(D['train'][0])} training images: lower it")
    total = steps_per_epoch * P['epochs']
    lr = P['lr']
    if P['sched'] == 'cos':
        lr = keras.optimizers.schedules.CosineDecay(0.0 if P['warmup'] else P['lr'], total - P['warmup'] * steps_per_epoch,
                                                    warmup_target=P['lr'] if P['warmup'] else None,
                                                    warmup_steps=P['warmup'] * steps_per_epoch, alpha=0.0)
    if P['opt'] == 'adamw': opt = keras.optimizers.AdamW(lr, weight_decay=P['wd'])
    elif P['opt'] == 'sgd': opt = keras.optimizers.SGD(lr, momentum=0.9, nesterov=True)
    else: opt = keras.optimizers.Adam(lr, use_ema=bool(P['ema']), ema_momentum=P['ema'] or 0.99)
    model.compile(opt, keras.losses.BinaryCrossentropy(label_smoothing=P['ls']), metrics=[keras.metrics.AUC(name='auc')])

    evalm = build(S)
    def evaluate(split, bs=32):
        evalm.set_weights(model.get_weights())
        x, y = D[split]
        if split == 'train' and P['train_eval_n']:
            idx = np.random.RandomState(0).permutation(len(x))[:P['train_eval_n']]; x, y = x[idx], y[idx]
        p = evalm.predict(x.astype(np.float32), batch_size=bs, verbose=0).ravel()
        if P['tta']: p = (p + evalm.predict(x[:, :, ::-1].astype(np.float32), batch_size=bs, verbose=0).ravel()) / 2
        return float(roc_auc_score(y, p)), p

    hist = []
    class Cb(keras.callbacks.Callback):
        def on_epoch_begin(self, ep, logs=None): self.t = time.time()
        def on_epoch_end(self, ep, logs=None):
            dt = time.time() - self.t
            h = dict(epoch=ep + 1, sec=round(dt, 1), ips=round(steps_per_epoch * P['bs'] / dt, 1),
                     loss=round(logs['loss'], 4), auc=round(logs['auc'], 4))
            if P['eval_every'] and (ep + 1) % P['eval_every'] == 0 and ep + 1 < P['epochs']:
                h['valid_auc'] = round(evaluate('valid')[0], 4)
            hist.append(h); print(h, flush=True)
            if time.time() - T_train > P['time_limit']:
                print('time limit hit'); self.model.stop_training = True

    T_train = time.time()
    model.fit(train_ds(), epochs=P['epochs'], verbose=0, callbacks=[Cb()])
    t_train = time.time() - T_train
    t = time.time()
    res = {sp: round(evaluate(sp)[0], 4) for sp in ('train', 'valid', 'test')}
    t_eval = time.time() - t
    out = dict(name=name, params=P, **{f'{k}_auc': v for k, v in res.items()}, epochs_done=len(hist),
               t_data=round(t_data, 1), t_train=round(t_train, 1), t_eval=round(t_eval, 1), t_total=round(time.time() - T0, 1),
               train_ips_last=hist[-1]['ips'] if hist else None, hist=hist)
    print(json.dumps({k: v for k, v in out.items() if k != 'hist'}), flush=True)
    (R/f'{name}.json').write_text(json.dumps(out, indent=1))
    if os.environ.get('SAVE'): model.save(R/f'{name}.keras')

if __name__ == '__main__': main()
