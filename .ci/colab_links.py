"""Write every notebook's Colab links, Colab setup cell and last cell from `settings.ini` (`git_url`,
`branch`, `repo`), or with --check fail if any notebook differs. The project's home is that one setting.

    python .ci/colab_links.py [--check] [NOTEBOOK ...]
"""
import sys, json
from pathlib import Path
from deepfake_nb.testing import colab_cells

ROOT = Path(__file__).resolve().parent.parent

if __name__ == '__main__':
    check = '--check' in sys.argv
    paths = [Path(a) for a in sys.argv[1:] if a != '--check'] or sorted((ROOT/'nbs').glob('*.ipynb'))
    stale = []
    for p in paths:
        nb = json.loads(p.read_text())
        changed = colab_cells(nb)
        if not changed: continue
        stale.append(f"{p.name}: {', '.join(f'cell {i} ({what})' for i, what in changed)}")
        if not check: p.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + '\n')
    for s in stale: print(('differs from settings.ini: ' if check else 'rewritten: ') + s)
    sys.exit(1 if check and stale else 0)
