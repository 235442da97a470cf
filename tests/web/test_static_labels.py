"""The chat page and the widget never write a service name, a department or a result label of
their own: every one comes from the result payload (labels and cards, actions/dialogue/result_view.py).
A grep over the page's files for what the catalogue and the list say."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import policy_kb

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "bot" / "web" / "static"
PAGE_FILES = ("chat.js", "chat.css", "index.html", "widget.js", "demo.html")
# labels the pages once wrote themselves, in their many versions (issue 10, point 11)
OLD_LABELS = ("可能享受", "可能可以", "可以申请", "还需确认", "还要确认", "查询结果", "能领钱")


def catalogue_labels() -> dict[str, str]:
    messages = yaml.safe_load((ROOT / "actions" / "dialogue" / "messages.yaml").read_text(encoding="utf-8"))
    labels = {k: v for k, v in messages.items() if k.startswith("result_label_") and isinstance(v, str)}
    assert len(labels) >= 10, "the result labels moved: update this test"
    return labels


def forbidden() -> dict[str, str]:
    # two-character labels (标准 …) are ordinary words the page's own controls may use (标准字号)
    words = {f"catalogue {k}": v for k, v in catalogue_labels().items() if len(v) >= 3}
    for s in policy_kb.list_services():
        words[f"service {s['id']} name"] = s["name"]
        for key in ("department", "department_full"):
            if s.get(key):
                words[f"service {s['id']} {key}"] = s[key]
    words.update({f"old label {w}": w for w in OLD_LABELS})
    return words


@pytest.mark.parametrize("name", PAGE_FILES)
def test_no_label_or_service_name_is_hard_coded(name):
    text = (STATIC / name).read_text(encoding="utf-8")
    found = {what: word for what, word in forbidden().items() if word and word in text}
    assert not found, f"{name} hard-codes {found}: take it from the result payload"


def test_the_check_would_catch_a_hard_coded_label(tmp_path):
    words = forbidden()
    assert "可能享受" in words.values() and catalogue_labels()["result_label_share"] in words.values()
    assert any("高龄津贴" == w for w in words.values())
