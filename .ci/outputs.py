"""Fail when a chapter's saved outputs do not show its code, or show what a reader does not need: a cell
whose code changed after its output was saved (stale), a cell that displays something (its last line an
expression: a table, a plot, a value) saved without output, a warning or an error in an output, or a path
of the machine that ran it (/tmp, /work, /root, /home).

    python .ci/outputs.py            # check every chapter in nbs/

`.ci/execute.py` writes the outputs and, in each cell it runs, `source_hash` in the cell's metadata. Cells
that `nbdev_test` skips (flagged, `eval: false`, the export call) are not run there and are not checked.
"""
import re, sys, ast, json, hashlib, configparser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

def source_hash(source:str)->str:
    "A short hash of a cell's code, blank lines at the ends aside"
    return hashlib.sha256(source.strip().encode()).hexdigest()[:16]

def _directives(src): return {w for l in src.splitlines() if l.startswith('#|') for w in l[2:].split()}

def _displays(src:str)->bool:
    "Whether a cell's last statement is an expression whose value Jupyter shows (not a test call, not None-valued)"
    if src.rstrip().endswith(';'): return False   # a trailing semicolon hides the value
    try: tree = ast.parse(src)
    except SyntaxError: return False
    if not tree.body or not isinstance(tree.body[-1], ast.Expr): return False
    v = tree.body[-1].value
    if isinstance(v, ast.Call):
        name = v.func.attr if isinstance(v.func, ast.Attribute) else getattr(v.func, 'id', '')
        if name.startswith(('test_', 'assert')) or name in ('print', 'close', 'cleanup', 'sleep', 'write', 'append', 'update',
                                                              'unlink', 'mkdir', 'rmtree', 'remove', 'savefig', 'release', 'start', 'stop', 'join', 'kill', 'wait'): return False
    return not isinstance(v, ast.Constant)

MACHINE_PATH = re.compile(r'(?<![\w.])/(?:tmp|work|root|home|private/var)/[^\s\'")]*')
WARNING = re.compile(r'\b\w*(?:Warning|Deprecat\w*)\b|^W\d{4} |\bWARNING\b', re.M)

def _texts(o:dict)->list:
    "The text an output shows: a stream, or a result's plain text and markdown (not images, not HTML's markup)"
    if o.get('output_type') == 'stream': return [(o.get('name'), ''.join(o['text']) if isinstance(o['text'], list) else o['text'])]
    data = o.get('data', {})
    return [(k, ''.join(v) if isinstance(v, list) else v) for k, v in data.items() if k in ('text/plain', 'text/markdown')]

def noise(c:dict)->list:
    "What a cell's saved outputs show that a reader does not need: errors, warnings, this machine's paths"
    out = []
    for o in c.get('outputs', []):
        if o.get('output_type') == 'error': out.append(f"an error ({o.get('ename')})"); continue
        for kind, text in _texts(o):
            if kind == 'stderr' and WARNING.search(text): out.append(f"a warning: {WARNING.search(text)[0]!r}")
            if m := MACHINE_PATH.search(text): out.append(f"a path of this machine: {m[0][:60]!r}")
    return out

def problems(nb_path:Path, flags:set)->list:
    "What is wrong with one notebook's saved outputs"
    out = []
    for i, c in enumerate(json.loads(nb_path.read_text())['cells']):
        if c['cell_type'] != 'code': continue
        src = ''.join(c['source'])
        d = _directives(src)
        if d & flags or 'eval:' in d and 'false' in src.split('eval:')[1][:8] or 'nbdev.nbdev_export' in src: continue
        saved = c.get('metadata', {}).get('source_hash')
        first = src.strip().splitlines()[0] if src.strip() else ''
        if saved is None: out.append(f"cell {i} was never executed by .ci/execute.py: {first[:60]}")
        elif saved != source_hash(src): out.append(f"cell {i} changed after its output was saved: {first[:60]}")
        if 'hide' not in d and _displays(src) and not c.get('outputs'): out.append(f"cell {i} shows something but has no output: {first[:60]}")
        out += [f"cell {i} shows {what}: {first[:60]}" for what in dict.fromkeys(noise(c))]
    return out

if __name__ == '__main__':
    cp = configparser.ConfigParser(); cp.read(ROOT/'settings.ini')
    flags = set(cp['DEFAULT']['tst_flags'].split())
    nbs = [Path(a) for a in sys.argv[1:]] or sorted((ROOT/'nbs').glob('[0-9]*.ipynb'))
    bad = {nb.name: problems(nb, flags) for nb in nbs}
    bad = {k: v for k, v in bad.items() if v}
    for name, ps in bad.items():
        print(f"{name}:"); print('\n'.join(f"  {p}" for p in ps))
    if bad: print("Run `python .ci/execute.py NOTEBOOK` (on ../shared/kagglehub when present), then `nbdev_clean`, and commit.")
    print(f"outputs: {len(nbs) - len(bad)} of {len(nbs)} chapters up to date")
    sys.exit(1 if bad else 0)
