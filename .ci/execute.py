"""Run notebooks top to bottom and save their outputs (plots, tables) into them, as a reader sees them.

    python .ci/execute.py [NOTEBOOK ...]     # default: every notebook in nbs/

Cells are skipped exactly as `nbdev_test` skips them (the `tst_flags` of settings.ini: kaggle, imagenet,
gpu, slow), so this runs offline on $KAGGLEHUB_CACHE or the bundled sample. Run `nbdev_clean` after it.
"""
import sys, os
from pathlib import Path
from execnb.nbio import read_nb, write_nb
from execnb.shell import CaptureShell
from fastcore.xtras import working_directory
from nbdev.config import get_config
from nbdev.process import NBProcessor

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
    with working_directory(fn.parent):
        CaptureShell(fn).run_all(nb, exc_stop=True, preproc=_skip)
    for c in nb.cells: c.pop('directives_', None)
    write_nb(nb, fn)
    print(f"executed {fn}")

if __name__ == '__main__':
    root = Path(__file__).resolve().parent.parent
    files = [Path(f).resolve() for f in sys.argv[1:]] or sorted((root/'nbs').glob('*.ipynb'))
    for f in files: execute(f)
