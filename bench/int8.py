"""Why int8 loses ROC AUC, and what keeps it: the int8 gate's figures for one trained model, several ways.

    python bench/int8.py --model runs/cpu [--data ...] [--calibration 256 1024]

Prints, on the model's valid split (rebuilt from its metadata and checked against its fingerprint):
- `float`: the Keras model; `float, output on 256 levels`: its probabilities rounded as an int8 output
  tensor rounds them (scale 1/256), which is what ties many images when most scores sit near 0 or 1;
- `int8`: the export as `export_int8` makes it (every op int8, float32 at the edges), with N calibration images;
- `int8, logit out`: the same with the sigmoid moved after the model (the int8 graph ends at the logit,
  whose 256 levels spread over the scores' whole range, and `Detector` applies the sigmoid in float).
Each row: ROC AUC, its loss against float, and the number of distinct scores.
"""
import argparse, time, numpy as np, pandas as pd
from sklearn.metrics import roc_auc_score
import keras, tensorflow as tf
from deepfake_nb.train import load_artifact
from deepfake_nb.export import training_index, calibration_images, gate_sample, _inputs, tflite_model
from deepfake_nb.artifact import read_metadata

def logit_model(model):
    "The detector with its output unit's sigmoid removed: the logit, same weights"
    dense = model.layers[-1]
    logit = keras.layers.Dense(1, name='logit', dtype='float32')
    x = dense.input
    out = logit(x); logit.set_weights(dense.get_weights())
    return keras.Model(model.inputs, out)

def tflite_probs(flat:bytes, xs, sigmoid=False):
    import tempfile, pathlib
    with tempfile.TemporaryDirectory() as t:
        p = pathlib.Path(t)/'m.tflite'; p.write_bytes(flat)
        from ai_edge_litert.interpreter import Interpreter
        it = Interpreter(model_path=str(p), num_threads=2); it.allocate_tensors()
        i, o = it.get_input_details()[0], it.get_output_details()[0]
        out = []
        for x in xs:
            it.set_tensor(i['index'], x[None]); it.invoke(); out.append(float(np.ravel(it.get_tensor(o['index']))[0]))
    out = np.array(out)
    return 1 / (1 + np.exp(-out)) if sigmoid else out

def convert(model, xs):
    conv = tf.lite.TFLiteConverter.from_keras_model(model)
    conv.optimizations = [tf.lite.Optimize.DEFAULT]
    conv.representative_dataset = lambda: ([x[None]] for x in xs)
    conv.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    conv.inference_input_type = conv.inference_output_type = tf.float32
    return conv.convert()

if __name__ == '__main__':
    ap = argparse.ArgumentParser(); ap.add_argument('--model', required=True); ap.add_argument('--data', action='append')
    ap.add_argument('--calibration', type=int, nargs='+', default=[256, 1024]); a = ap.parse_args()
    meta = read_metadata(a.model); size = int(meta['img_size'])
    df = training_index(a.model, a.data)
    model, _ = load_artifact(a.model)
    valid = gate_sample(df[df.split == 'valid'])
    vx, ok = _inputs(valid.path.tolist(), size); y = valid.label.to_numpy()[ok]
    p_float = np.asarray(model.predict(vx, batch_size=32, verbose=0))[:, 0]
    rows = [('float', 0, p_float), ('float, output on 256 levels', 0, np.round(p_float * 256) / 256)]
    lm = logit_model(model)
    for n in a.calibration:
        xs = calibration_images(df, size, n, int(meta['config'].get('seed', 42)))
        t = time.time(); rows.append(('int8', len(xs), tflite_probs(convert(model, xs), vx)))
        rows.append(('int8, logit out', len(xs), tflite_probs(convert(lm, xs), vx, sigmoid=True)))
        print(f"calibration {len(xs)}: {time.time() - t:.0f} s", flush=True)
    auc0 = roc_auc_score(y, p_float)
    table = pd.DataFrame([dict(model=m, calibration=n, auc=roc_auc_score(y, p), loss=auc0 - roc_auc_score(y, p),
                               distinct=len(np.unique(p))) for m, n, p in rows])
    print(f"{a.model}: valid split of {len(y)} images ({int(y.sum())} fake)")
    print(table.round(4).to_string(index=False))
