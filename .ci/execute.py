"""Run notebooks top to bottom and save their outputs (plots, tables) into them, as a reader sees them.

    python .ci/execute.py [NOTEBOOK ...]     # default: every notebook in nbs/

Each code cell that runs gets a hash of its source in its metadata (`source_hash`, kept by `nbdev_clean`
through settings.ini's `allowed_cell_metadata_keys`), so `.ci/outputs.py` can tell when a cell's code
changed after its output was saved.

Paths of the machine that ran them are written as a reader would: the checkout's as relative paths, the
test scratch folder as `scratch/`, other temporary folders as `tmp/`, the home folder as `~`, and the
data folders of the environment (KAGGLEHUB_CACHE, DEEPFAKE_NB_DIFFUSION) by their variable's name.

Every cell that runs starts with no outputs (execnb leaves a cell's old outputs in place when it shows
nothing now). Cells are skipped exactly as `nbdev_test` skips them (the `tst_flags` of settings.ini: kaggle, imagenet,
gpu, slow), so this runs offline on $KAGGLEHUB_CACHE or the bundled sample. Run `nbdev_clean` after it.
"""
import sys, os, re
from pathlib import Path
from execnb.nbio import read_nb, write_nb
from execnb.shell import CaptureShell
from fastcore.xtras import working_directory
from nbdev.config import get_config
from nbdev.process import NBProcessor

from outputs import source_hash   # .ci/ is on sys.path when run as a script

PROGRESS = re.compile(r'\d+%\|.*\|')   # a tqdm bar: "scanning:  40%|####      | 2/5 [...]"

def drop_progress(nb):
    "Remove progress bars from stream outputs (what a terminal would overwrite with `\\r`), keeping warnings and prints"
    for c in nb.cells:
        outs = []
        for o in c.get('outputs', []):
            if o.get('output_type') == 'stream':
                text = ''.join(o['text']) if isinstance(o['text'], list) else o['text']
                lines = [l.split('\r')[-1] for l in text.split('\n')]
                kept = '\n'.join(l for l in lines if not PROGRESS.search(l)).strip('\n')
                if not kept: continue
                o['text'] = kept + '\n'
            outs.append(o)
        if 'outputs' in c: c['outputs'] = outs

ROOT = Path(__file__).resolve().parent.parent

def _path_forms()->list:
    "(pattern, replacement) for the paths of this machine, most specific first"
    forms = [(re.escape(os.environ[v].rstrip('/')), f'${v}') for v in ('KAGGLEHUB_CACHE', 'DEEPFAKE_NB_DIFFUSION') if os.environ.get(v)]
    forms += [(re.escape(str(ROOT)) + '/', ''), (re.escape(str(ROOT)) + r'\b', '.'),
              (r'/tmp/deepfake_nb-tests-\w+/tmp\w+/', 'scratch/'), (r'/tmp/deepfake_nb-tests-\w+/?', 'scratch/'),
              (r'/tmp/deepfake_nb-\.\.\.', 'scratch/...'),   # pandas cut the path short
              (r'/tmp/tmp\w+/', 'tmp/'), (re.escape(str(Path.home())) + r'\b', '~')]
    return [(re.compile(p), r) for p, r in forms]

def machine_paths(nb):
    "Write this machine's paths in outputs as a reader would read them (see the module's docstring)"
    forms = _path_forms()
    def fix(t):
        for p, r in forms: t = p.sub(r, t)
        return t
    for c in nb.cells:
        for o in c.get('outputs', []):
            if 'text' in o: o['text'] = fix(''.join(o['text']) if isinstance(o['text'], list) else o['text'])
            for k, v in o.get('data', {}).items():
                if k.startswith('text/'): o['data'][k] = fix(''.join(v) if isinstance(v, list) else v)

def execute(fn:Path):
    skip = set(get_config().tst_flags.split())
    nb = read_nb(fn)
    def _skip(cell):
        if cell.cell_type != 'code': return True
        d = getattr(cell, 'directives_', None) or {}
        return 'nbdev_export(' in cell.source or bool(skip & d.keys()) or d.get('eval:', [''])[0].lower() == 'false'
    # NBProcessor parses the `#|` directives; copy them onto the cells that are run and written back
    proc = NBProcessor(fn, process=True).nb
    for c, p in zip(nb.cells, proc.cells): c['directives_'] = getattr(p, 'directives_', {})
    os.environ.pop('IN_TEST', None)
    for c in nb.cells:   # execnb keeps a cell's old outputs when it now shows nothing: clear them first
        if c.cell_type == 'code' and not _skip(c): c['outputs'] = []
    with working_directory(fn.parent):
        CaptureShell(fn, mpl_format='png').run_all(nb, exc_stop=True, preproc=_skip)   # png at 100 dpi: retina quadruples the pixels of every photo
    for c in nb.cells:
        if c.cell_type == 'code' and not _skip(c): c.metadata['source_hash'] = source_hash(c.source)
        c.pop('directives_', None)
    drop_progress(nb)
    machine_paths(nb)
    write_nb(nb, fn)
    print(f"executed {fn}")

if __name__ == '__main__':
    root = Path(__file__).resolve().parent.parent
    files = [Path(f).resolve() for f in sys.argv[1:]] or sorted((root/'nbs').glob('*.ipynb'))
    for f in files: execute(f)
