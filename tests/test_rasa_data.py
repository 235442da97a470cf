"""`rasa data validate` is clean: domain, rules and NLU data agree, with warnings treated as errors."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_rasa_data_validate_has_no_warnings():
    rasa = Path(sys.executable).parent / "rasa"
    proc = subprocess.run([str(rasa), "data", "validate", "--fail-on-warnings"], cwd=ROOT, capture_output=True, text=True,
                          timeout=600, env={"RASA_TELEMETRY_ENABLED": "false", "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
