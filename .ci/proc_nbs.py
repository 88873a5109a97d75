"""The docs build's processing step, `nbdev_proc_nbs`, without its attempt to install Quarto, reporting every
notebook that fails rather than the first.

nbdev 2's `nbdev_proc_nbs` needs no Quarto, but when Quarto is missing it first tries to install it (with sudo,
from the network) and then runs `pip install -e .[dev]` on the checkout. This runs the same steps without
that: the sidebar and `_quarto.yml`, then each notebook through nbdev's processors into `_proc/`, where every
cell that holds an import, an export or a `show_doc` runs, as when `nbdev_docs` builds the site on GitHub.

    python .ci/proc_nbs.py [NOTEBOOK ...]      # default: every notebook in nbs/
"""
import sys, subprocess, traceback
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

def _process(nb:str):
    "Process one notebook as `nbdev_proc_nbs` does; the error, or None"
    from nbdev.config import get_config
    from nbdev.processors import FilterDefaults
    import nbdev.serve_drv
    cfg = get_config()
    src = Path(nb).resolve()
    dst = cfg.config_path/'_proc'/src.relative_to(cfg.nbs_path)
    dst.parent.mkdir(parents=True, exist_ok=True)
    try: nbdev.serve_drv.main((src, dst, FilterDefaults))
    except Exception as e:
        cause = e.__cause__
        return f"{src.name}: {e}\n" + ''.join(traceback.format_exception(cause)[-3:] if cause else [])

def _in_child(nb:str):
    "Process a notebook in a fresh Python (its own TensorFlow); the error, or None"
    r = subprocess.run([sys.executable, __file__, '--one', nb], capture_output=True, text=True)
    return None if r.returncode == 0 else (r.stdout.strip() or r.stderr[-3000:])

if __name__ == '__main__' and sys.argv[1:2] == ['--one']:
    error = _process(sys.argv[2])
    if error: print(error)
    sys.exit(1 if error else 0)
elif __name__ == '__main__':
    from nbdev.config import get_config
    from nbdev.quarto import refresh_quarto_yml, nbdev_sidebar
    import nbdev.doclinks
    cfg = get_config()
    refresh_quarto_yml()
    nbdev.doclinks._build_modidx()
    nbdev_sidebar.__wrapped__(path=cfg.nbs_path)
    nbs = sys.argv[1:] or sorted(str(p) for p in cfg.nbs_path.glob('*.ipynb'))
    with ThreadPoolExecutor(2) as pool: errors = [e for e in pool.map(_in_child, nbs) if e]
    for e in errors: print(e)
    print(f"nbdev_proc_nbs: {len(nbs) - len(errors)} notebooks processed, {len(errors)} failed")
    sys.exit(1 if errors else 0)
