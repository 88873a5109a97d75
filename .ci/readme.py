"""Write README.md from nbs/index.ipynb, or with --check fail if it is out of date.

`nbdev_readme` does this through Quarto, which is not installable everywhere; this script needs only
the notebook's saved outputs: markdown cells are copied, visible code cells become fenced blocks
followed by their text output, and `#| hide` cells are left out. Links in the notebook are the site's
(relative to nbs/); the README's are relative to the repository's root, a symlink resolved.
"""
import sys, re
from pathlib import Path
from execnb.nbio import read_nb

ROOT = Path(__file__).resolve().parent.parent
_directive = re.compile(r'^\s*#\s*\|')

def _output_text(o):
    if o.get('output_type') == 'stream': return ''.join(o.get('text', ''))
    data = o.get('data', {})
    if 'text/markdown' in data: return None, ''.join(data['text/markdown'])
    return ''.join(data.get('text/plain', ''))

_LINK = re.compile(r'\]\((?!https?:|#|/)([^)\s]+)\)')

def _from_root(m):
    "A link of the site (relative to nbs/) as a link of the README (relative to the repository's root)"
    path = ROOT/'nbs'/m.group(1)
    return f"]({(path.resolve() if path.is_symlink() else path).relative_to(ROOT).as_posix()})"

def render(nb_path=ROOT/'nbs/index.ipynb') -> str:
    parts = []
    for cell in read_nb(nb_path).cells:
        src = cell.source
        if cell.cell_type == 'markdown':
            parts.append(_LINK.sub(_from_root, src.strip()))
            continue
        lines = src.splitlines()
        if any(re.match(r'^\s*#\s*\|\s*hide\b', l) for l in lines): continue
        code = '\n'.join(l for l in lines if not _directive.match(l)).strip()
        if code: parts.append(f"```python\n{code}\n```")
        for o in cell.get('outputs', []):
            text = _output_text(o)
            if isinstance(text, tuple): parts.append(text[1].strip())
            elif text and text.strip(): parts.append(f"```\n{text.rstrip()}\n```")
    note = "<!-- generated from nbs/index.ipynb by .ci/readme.py: edit the notebook, not this file -->"
    return note + '\n\n' + '\n\n'.join(p for p in parts if p) + '\n'

if __name__ == '__main__':
    readme, text = ROOT/'README.md', render()
    if '--check' in sys.argv:
        if not readme.exists() or readme.read_text() != text:
            sys.exit("README.md is out of date with nbs/index.ipynb: run `python .ci/readme.py` and commit it")
        print("README.md matches nbs/index.ipynb")
    else:
        readme.write_text(text)
        print(f"wrote {readme}")
