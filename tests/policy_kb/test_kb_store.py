"""Storage: the list (and county overlays) in SQL, rebuilt identically (SQLite always;
PostgreSQL when reachable — and required when CI=true)."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from policy_kb import engine as kb_engine
from policy_kb import store  # noqa: F401 - the module under test
from policy_kb.engine import evaluate
from policy_kb.facts import FACT_NAMES
from policy_kb.kb import load_kb
from policy_kb.overlay import apply_overlay, load_overlay
from policy_kb.store import (
    AmountRow,
    DepartmentRow,
    LeafRow,
    ServiceRow,
    SourceRow,
    load_list_from_db,
    load_overlays_from_db,
    make_engine,
    save_list,
    save_overlay,
    stored_lists,
)

KB = load_kb()
ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "policy_kb" / "data" / "changzhi-2024" / "overlays" / "example-luzhou.yaml"
PG_URL = os.environ.get("POLICY_KB_TEST_PG_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/test")


def sample_profiles(n: int, seed: int = 7) -> list[dict]:
    """Profiles over the probe values (every boundary and enum value), some facts unknown."""
    rng = random.Random(seed)
    probes = kb_engine._probe_values(KB)
    out = [{}]
    for _ in range(n):
        known = rng.sample(FACT_NAMES, rng.randint(0, len(FACT_NAMES)))
        out.append({f: rng.choice(probes[f]) for f in known})
    return out


PROFILES = sample_profiles(400)


@pytest.fixture
def sqlite(tmp_path) -> Engine:
    engine = make_engine(f"sqlite:///{tmp_path / 'kb.db'}")
    yield engine
    engine.dispose()


def assert_same_list(a, b):
    for field in ("id", "number", "title", "list_title", "published", "effective_from", "effective_to"):
        assert getattr(a, field) == getattr(b, field), field
    assert a.departments == b.departments
    assert list(a.departments) == list(b.departments)
    assert a.raw_definitions == b.raw_definitions
    assert [s.id for s in a.services] == [s.id for s in b.services]
    for x, y in zip(a.services, b.services, strict=False):
        assert x.as_dict() == y.as_dict()
        assert x.raw == y.raw, x.id
        assert x.citation == y.citation and x.local_office == y.local_office and x.facts == y.facts
        assert [am.wording() for am in x.amounts] == [am.wording() for am in y.amounts]
    for profile in PROFILES:
        assert evaluate(profile, b) == evaluate(profile, a), profile


def test_no_engine_at_import_and_default_url(monkeypatch):
    code = (
        "import sqlalchemy; calls = []; real = sqlalchemy.create_engine\n"
        "sqlalchemy.create_engine = lambda *a, **k: calls.append(a) or real(*a, **k)\n"
        "import policy_kb, policy_kb.store, policy_kb.cli, policy_kb.overlay\n"
        "from sqlalchemy.engine import Engine\n"
        "assert not any(isinstance(v, Engine) for v in vars(policy_kb.store).values())\n"
        "print(len(calls))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert proc.returncode == 0 and proc.stdout.strip() == "0", proc.stderr
    monkeypatch.delenv("POLICY_KB_DB_URL", raising=False)
    assert str(make_engine().url) == "sqlite:///policy_kb.db"
    monkeypatch.setenv("POLICY_KB_DB_URL", "sqlite:////tmp/elsewhere.db")
    assert str(make_engine().url) == "sqlite:////tmp/elsewhere.db"
    monkeypatch.setenv("POLICY_KB_URL", "sqlite:////tmp/served.db")  # the URL the engine serves from wins
    assert str(make_engine().url) == "sqlite:////tmp/served.db"
    assert str(make_engine("sqlite://").url) == "sqlite://"  # an explicit URL wins
    assert make_engine("sqlite://").dialect.name == "sqlite"


def test_round_trip_gives_the_same_list(sqlite):
    assert save_list(sqlite, KB) == 26
    again = load_list_from_db(sqlite, KB.id)
    assert again is not KB
    assert_same_list(KB, again)
    assert again.document["issuer"] == "长治市人民政府办公室"
    assert stored_lists(sqlite) == [KB.id]


def test_saving_twice_replaces_the_list(sqlite):
    save_list(sqlite, KB)
    assert save_list(sqlite, KB) == 26
    with Session(sqlite, future=True) as s:
        assert s.execute(select(func.count()).select_from(ServiceRow)).scalar_one() == 26
        assert s.execute(select(func.count()).select_from(SourceRow)).scalar_one() == 1
        assert s.execute(select(func.count()).select_from(DepartmentRow)).scalar_one() == len(KB.departments)
        leaves = sum(len(list(sv.condition.leaves())) for sv in KB.services)
        assert s.execute(select(func.count()).select_from(LeafRow)).scalar_one() == leaves
    assert_same_list(KB, load_list_from_db(sqlite, KB.id))


def test_rows_can_be_queried(sqlite):
    save_list(sqlite, KB)
    with Session(sqlite, future=True) as s:
        src = s.get(SourceRow, KB.id)
        assert src.number == "长政办发〔2024〕28号" and src.published.isoformat() == "2024-10-16"
        assert src.effective_to is None
        # which items read economic_status? (from the leaf table)
        stmt = (
            select(ServiceRow.item)
            .join(ServiceRow.condition)
            .join(LeafRow, LeafRow.condition_id == store.ConditionRow.id)
            .where(LeafRow.fact == "economic_status")
            .distinct()
        )
        items = set(s.execute(stmt).scalars())
        assert items == {sv.id for sv in KB.services if "economic_status" in sv.facts}
        # item 8's bands as numbers, in 元 per 月
        rows = (
            s.execute(
                select(AmountRow)
                .join(ServiceRow, AmountRow.service_id == ServiceRow.id)
                .where(ServiceRow.item == 8)
                .order_by(AmountRow.position)
            )
            .scalars()
            .all()
        )
        assert [(r.value, r.unit, r.period, r.floor) for r in rows] == [
            (a.value, a.unit, a.period, a.floor) for a in KB.service(8).amounts
        ]
        # an integer `in` keeps its type (item 25: disability_grade in [0])
        leaf = s.execute(select(LeafRow).where(LeafRow.fact == "disability_grade", LeafRow.kind == "in")).scalar_one()
        assert leaf.values == [0]
        dept = s.execute(select(DepartmentRow).where(DepartmentRow.short_name == "市民政局")).scalar_one()
        assert dept.full_name == "长治市民政局" and dept.county_counterpart == "民政部门"


def test_unknown_list(sqlite):
    save_list(sqlite, KB)
    with pytest.raises(LookupError):
        load_list_from_db(sqlite, "changzhi-1999")


def test_a_service_without_its_spec_cannot_be_stored(sqlite):
    import dataclasses

    bare = dataclasses.replace(KB, services=(dataclasses.replace(KB.service(1), raw={}),))
    with pytest.raises(ValueError):
        save_list(sqlite, bare)


def test_county_list_and_overlays_round_trip(sqlite):
    overlay = load_overlay(EXAMPLE)
    with pytest.raises(LookupError):
        save_overlay(sqlite, overlay)  # the city list first
    save_list(sqlite, KB)
    county = apply_overlay(KB, overlay, allow_example=True)
    assert save_list(sqlite, county) == 26
    assert_same_list(county, load_list_from_db(sqlite, county.id))
    assert set(stored_lists(sqlite)) == {KB.id, county.id}
    first = save_overlay(sqlite, overlay)
    assert save_overlay(sqlite, overlay) == first  # replaced, not duplicated
    assert load_overlays_from_db(sqlite, KB.id) == []  # examples only when asked for
    (stored,) = load_overlays_from_db(sqlite, KB.id, include_examples=True)
    assert stored.district == overlay.district and stored.example and stored.changes == overlay.changes
    assert stored.offices == overlay.offices
    assert_same_list(county, apply_overlay(KB, stored, allow_example=True))
    # saving the city list again keeps its overlays
    save_list(sqlite, KB)
    assert len(load_overlays_from_db(sqlite, KB.id, include_examples=True)) == 1


def _postgres():
    import sqlalchemy

    try:
        probe = sqlalchemy.create_engine(PG_URL, future=True, connect_args={"connect_timeout": 3})
        with probe.connect():
            pass
        return probe
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is required when CI=true: {exc}")
        pytest.skip(f"PostgreSQL not reachable at {PG_URL}: {type(exc).__name__}")


def test_round_trip_on_postgresql():
    probe = _postgres()
    schema = f"kbtest_{uuid.uuid4().hex[:10]}"
    with probe.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        pg = make_engine(PG_URL, connect_args={"options": f"-csearch_path={schema}"})
        assert save_list(pg, KB) == 26
        assert save_list(pg, KB) == 26
        again = load_list_from_db(pg, KB.id)
        assert_same_list(KB, again)
        county = apply_overlay(KB, load_overlay(EXAMPLE), allow_example=True)
        save_list(pg, county)
        assert_same_list(county, load_list_from_db(pg, county.id))
        save_overlay(pg, load_overlay(EXAMPLE))
        assert len(load_overlays_from_db(pg, KB.id, include_examples=True)) == 1
        with pg.connect() as conn:
            assert conn.execute(text("select count(*) from kb_services")).scalar_one() == 52
        pg.dispose()
    finally:
        with probe.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        probe.dispose()


def test_the_columns_alone_rebuild_each_service(sqlite):
    """The normalised columns (not the stored raw copy) are what the services are built from."""
    save_list(sqlite, KB)
    with Session(sqlite, future=True) as s:
        for row in s.execute(select(ServiceRow).order_by(ServiceRow.item)).scalars():
            assert store._service_raw(row) == KB.service(row.item).raw
