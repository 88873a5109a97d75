"""What `pip install -e .[colab]` changed of Colab's packages: fail if it changed any, or if pip
printed a resolver error ("... has requirement ..., but you have ...").

    python .ci/colab_changes.py BEFORE.txt AFTER.txt INSTALL.log    # the files are `pip freeze` outputs
"""
import sys, re
from pathlib import Path

ALLOWED = set()   # none: it used to swap OpenCV 5 for 4 (Haar cascades) and fastcore 2 for 1 (fastcore.script)

def pins(path)->dict:
    "name -> version of a `pip freeze` file (names normalised as pip does)"
    out = {}
    for line in Path(path).read_text().splitlines():
        if '==' in line: n, v = line.split('==', 1); out[re.sub(r'[-_.]+', '-', n).lower()] = v
    return out

if __name__ == '__main__':
    before, after, log = pins(sys.argv[1]), pins(sys.argv[2]), Path(sys.argv[3]).read_text()
    changed = {n: (v, after.get(n)) for n, v in before.items() if after.get(n) != v}
    added = sorted(set(after) - set(before))
    print(f"kept {len(before) - len(changed)} of Colab's {len(before)} packages; changed: "
          f"{', '.join(f'{n} {a} -> {b}' for n, (a, b) in changed.items()) or 'none'}; added {len(added)}: {' '.join(added)}")
    bad = sorted(set(changed) - ALLOWED)
    errors = [l for l in log.splitlines() if 'dependency conflicts' in l or re.search(r'requires .*, but you have', l)]
    for l in errors: print('resolver:', l)
    if bad: print(f"the Colab install changed Colab's {', '.join(bad)}: give the colab extra ranges that keep them")
    sys.exit(1 if bad or errors else 0)
