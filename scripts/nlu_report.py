"""NLU quality report: k-fold cross-validation on the training data and a held-out test set
(tests/nlu_heldout, written separately and never trained on). Prints F1 per intent and per entity
and writes docs/nlu-report.md.

    make nlu-cv            FOLDS=3 by default
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RASA = str(Path(sys.executable).parent / "rasa")
FOLDS = os.environ.get("FOLDS", "3")


def run(args: list[str]) -> None:
    print("$", " ".join(args), flush=True)
    subprocess.run(args, cwd=ROOT, check=True, env=dict(os.environ, RASA_TELEMETRY_ENABLED="false", TF_CPP_MIN_LOG_LEVEL="2"))


def table(report: dict, title: str) -> list[str]:
    rows = [f"### {title}", "", "| class | precision | recall | F1 | support |", "| --- | --- | --- | --- | --- |"]
    for name, r in sorted(report.items()):
        if not isinstance(r, dict) or "f1-score" not in r:
            continue
        rows.append(f"| {name} | {r['precision']:.3f} | {r['recall']:.3f} | {r['f1-score']:.3f} | {r.get('support', '')} |")
    return rows + [""]


def read(path: Path) -> dict:
    return json.loads(path.read_text()) if path.exists() else {}


def main() -> None:
    model = ROOT / "models" / f"model-{subprocess.check_output([str(ROOT / 'scripts/model_hash.sh')], text=True).strip()}.tar.gz"
    out = ROOT / "results"
    run([RASA, "test", "nlu", "--nlu", "data/nlu", "--config", "config.yml", "--cross-validation", "--folds", FOLDS,
         "--out", str(out / "cv"), "--no-plot"])
    lines = ["# NLU report", "", f"Cross-validation: {FOLDS} folds over data/nlu. Held-out: tests/nlu_heldout on the trained model.", ""]
    lines += table(read(out / "cv" / "intent_report.json"), "Intents — cross-validation (test folds)")
    lines += table(read(out / "cv" / "DIETClassifier_report.json"), "Entities — cross-validation (DIET)")
    if model.exists():
        run([RASA, "test", "nlu", "--nlu", "tests/nlu_heldout", "--model", str(model), "--out", str(out / "heldout"), "--no-plot"])
        lines += table(read(out / "heldout" / "intent_report.json"), "Intents — held-out test set")
        lines += table(read(out / "heldout" / "DIETClassifier_report.json"), "Entities — held-out test set (DIET)")
    else:
        lines.append(f"(no trained model {model.name}: run `make model` for the held-out figures)")
    text = "\n".join(lines)
    (ROOT / "docs" / "nlu-report.md").write_text(text + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
