"""Fail if the prose names a chapter, a command's flag or a repository path that does not exist.

    python .ci/prose.py

Reads every markdown cell of nbs/*.ipynb and docs/*.md (and, for chapter numbers, code cells too), and checks:
- chapters: `NN_name` must be a notebook, and "chapter NN" / "chapters NN, MM and KK" / "NN-MM" must name
  notebooks that exist (by their number);
- commands: in `deepfake_xxx ...` inside backticks or code blocks, every `--flag` must be a parameter of
  that command (and `deepfake_space build|push` flags of `deepfake_space`);
- paths: backticked paths under sample/, docs/, nbs/, bench/, .ci/ or deepfake_nb/ must exist in the
  repository; `../shared` must not be named at all (docs/benchmarks.md writes `$SHARED`) (a fresh clone has no ../shared beside it; name the
  environment variable or the bundled sample instead); `runs/NAME` must be a run some command writes
  (a preset's run folder, or one the prose shows a command or call writing).
"""
import re, sys, json, importlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

def texts():
    "(where, text) of every piece of prose"
    for nb in sorted((ROOT/'nbs').glob('*.ipynb')):
        for i, c in enumerate(json.loads(nb.read_text())['cells']):
            src = ''.join(c['source'])
            if c['cell_type'] == 'markdown': yield f"{nb.name} cell {i}", src, True
            else: yield f"{nb.name} cell {i}", src, False   # code: its strings and comments name chapters too
    for md in sorted((ROOT/'docs').glob('*.md')): yield str(md.relative_to(ROOT)), md.read_text(), True

def command_flags()->dict:
    "command name -> its long flags, from the parser each command runs with (`config.command_parser`)"
    from deepfake_nb.config import command_parser
    from deepfake_nb.cli import COMMANDS
    out = {}
    for name, mod in COMMANDS.items():
        p = command_parser(getattr(importlib.import_module(mod), name), prog=name)
        out[name] = {o for a in p._actions for o in a.option_strings if o.startswith('--')} | {'--help'}
    return out

CHAPTER = re.compile(r'\b(\d\d[a-z]?)_([a-z0-9]+)\b')
NUMBERS = re.compile(r'\bchapters?\s+((?:\d\d[a-z]?(?:\s*(?:,|and|or|-|to|–)\s*)?)+)', re.I)
PATH = re.compile(r'`((?:\.\./shared|sample|docs|nbs|bench|\.ci|deepfake_nb|runs)/[^`\s]*)`')

def check()->list:
    from deepfake_nb.train import PRESETS
    nbs = {p.stem for p in (ROOT/'nbs').glob('*.ipynb')}
    numbers = {s.split('_')[0] for s in nbs}
    flags, problems = command_flags(), []
    command = re.compile(rf"\b({'|'.join(flags)})\b([^`\n|;&]*)")   # a command and the rest of its line
    all_text = '\n'.join(t for _, t, _ in texts())
    runs = (set(PRESETS) | set(re.findall(r'--out\s+runs/([\w.-]+)', all_text))   # --out runs/NAME, or a call's last
            | set(re.findall(r", '(?:runs/)([\w.-]+)'\)", all_text)))                # argument: f(..., 'runs/NAME')
    for where, t, prose in texts():
        for m in CHAPTER.finditer(t):
            if f"{m[1]}_{m[2]}" not in nbs and m[1] + '_' + m[2] not in ('00_00',):
                if m[2].isdigit(): continue                    # a number like 10_000, not a chapter
                problems.append(f"{where}: chapter {m[0]} does not exist")
        for m in NUMBERS.finditer(t):
            named = re.findall(r'\d\d[a-z]?', m[1])
            ranges = re.findall(r'(\d\d)\s*[-–]\s*(\d\d)', m[1])
            for a, b in ranges: named += [f"{n:02d}" for n in range(int(a), int(b) + 1)]
            for n in named:
                if n not in numbers: problems.append(f"{where}: {m[0].strip()!r} names chapter {n}, which does not exist")
        if not prose: continue
        for m in command.finditer(t):
            for f in re.findall(r'(?<![\w-])(--[a-z][a-z0-9_]*)', m[2] or ''):
                if f not in flags[m[1]]: problems.append(f"{where}: {m[1]} has no flag {f}")
        for m in re.finditer(r'\.\./shared\S*', t): problems.append(f"{where}: names {m[0]}, which a fresh clone does not have")
        for m in re.finditer(r'(?<![\w/.])runs/([\w.-]+)', t):
            name = m[1].rstrip('.')
            if name not in runs and not name.isupper(): problems.append(f"{where}: no command writes runs/{name}")
        for m in PATH.finditer(t):
            p = m[1].rstrip('.,:;)')
            if p.startswith(('../shared', 'runs/')): continue
            if any(ch in p for ch in '*{<'): continue           # a pattern, not a file
            if not (ROOT/p).exists(): problems.append(f"{where}: {p} does not exist")
    return problems

if __name__ == '__main__':
    problems = check()
    for p in problems: print(p)
    print(f"prose: {len(problems)} reference(s) to a chapter, flag or path that does not exist")
    sys.exit(1 if problems else 0)
