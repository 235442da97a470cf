"""Which list answers: the list in force on the day, from the YAML files or a database, with the
county overlay (县区清单) for the elder's district when one is configured.

Settings, read from the environment the first time a list is needed (never at import; `reset()`
reads them again):

  POLICY_KB_URL              a database URL (SQLAlchemy, e.g. postgresql+psycopg2://…): serve the
                             lists stored there (`python -m policy_kb load-db URL`) instead of the
                             YAML files of policy_kb/data
  POLICY_KB_LISTS            more list folders (each with document.yaml), beside policy_kb/data
  POLICY_KB_OVERLAYS         county overlay files or folders of them (separated by os.pathsep);
                             none by default, so every answer uses the city list
  POLICY_KB_ALLOW_EXAMPLES   1 to apply overlays marked `example: true` (tests only); otherwise
                             they are skipped

    catalog().in_force(on)                 # the city list in force on a date
    catalog().for_district(kb, "潞州区")   # its county list, or kb itself when none is configured
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .facts import DATA_DIR
from .kb import PolicyList, load_kb, load_list
from .overlay import Overlay, OverlayError, apply_overlay, load_overlay, published_overlays

ENV_URL = "POLICY_KB_URL"
ENV_LISTS = "POLICY_KB_LISTS"
ENV_OVERLAYS = "POLICY_KB_OVERLAYS"
ENV_ALLOW_EXAMPLES = "POLICY_KB_ALLOW_EXAMPLES"
MAX_OVERLAY_FILES = 200

log = logging.getLogger(__name__)


def _paths(value: str | None) -> list[Path]:
    return [Path(p) for p in (value or "").split(os.pathsep) if p.strip()]


def _overlay_files(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(path.glob("*.yaml")) + sorted(path.glob("*.yml")))
        elif path.exists():
            files.append(path)
        else:
            raise OverlayError(f"{ENV_OVERLAYS} 里的 {path} 不存在")
    if len(files) > MAX_OVERLAY_FILES:
        raise OverlayError(f"{ENV_OVERLAYS} 里的差异文件太多（{len(files)}个，最多{MAX_OVERLAY_FILES}个）")
    return files


@dataclass(eq=False)
class Catalog:
    """The published lists and the county overlays configured on them."""

    lists: tuple[PolicyList, ...]
    overlays: Mapping[tuple[str, str], Overlay] = field(default_factory=dict)  # (list id, district) -> overlay
    source: str = "yaml"  # yaml | the database URL (password hidden)
    _by_date: dict[dt.date, PolicyList] = field(default_factory=dict, repr=False)
    _county: dict[tuple[str, str], PolicyList] = field(default_factory=dict, repr=False)

    def in_force(self, on: dt.date | None = None) -> PolicyList:
        on = on or dt.date.today()
        found = self._by_date.get(on)
        if found is None:
            in_force = [c for c in self.lists if c.in_force(on)]
            if not in_force:
                raise LookupError(f"{on} 没有正在实施的基本养老服务清单 / no elder-care list is in force on {on}")
            found = max(in_force, key=lambda c: c.effective_from)
            if len(self._by_date) > 1000:
                self._by_date.clear()
            self._by_date[on] = found
        return found

    def for_district(self, kb: PolicyList, district: str | None) -> PolicyList:
        """The county list for `district` built on `kb`, or `kb` when no overlay is configured."""
        if not district or (kb.id, district) not in self.overlays:
            return kb
        key = (kb.id, district)
        county = self._county.get(key)
        if county is None:
            county = self._county[key] = apply_overlay(kb, self.overlays[key], allow_example=True)
        return county

    def counties(self, kb: PolicyList) -> list[PolicyList]:
        """Every configured county list on `kb`."""
        return [self.for_district(kb, d) for (base, d) in self.overlays if base == kb.id]


def _yaml_lists() -> list[PolicyList]:
    folders = [p for p in sorted(DATA_DIR.iterdir()) if (p / "document.yaml").exists()]
    lists = [load_kb(p.name) for p in folders]
    for folder in _paths(os.environ.get(ENV_LISTS)):
        if not (folder / "document.yaml").exists():
            raise LookupError(f"{ENV_LISTS} 里的 {folder} 不是清单目录（没有 document.yaml）")
        lists.append(load_list(folder))
    return lists


def _db_lists(url: str) -> tuple[list[PolicyList], list[Overlay], str]:
    from .store import load_list_from_db, load_overlays_from_db, make_engine, stored_lists

    engine = make_engine(url)
    shown = engine.url.render_as_string(hide_password=True)
    ids = stored_lists(engine)
    if not ids:
        raise LookupError(
            f"{ENV_URL} 指向的数据库里没有清单，先运行 python -m policy_kb load-db / no list stored in {shown}"
        )
    lists = [load_list_from_db(engine, i) for i in ids]
    overlays = [o for i in ids for o in load_overlays_from_db(engine, i)]
    engine.dispose()
    return lists, overlays, shown


def build_catalog(env: Mapping[str, str] | None = None) -> Catalog:
    """A catalog from settings (the environment unless `env` is given)."""
    env = os.environ if env is None else env
    url = env.get(ENV_URL)
    overlays: list[Overlay] = []
    if url:
        lists, overlays, source = _db_lists(url)
    else:
        lists, source = _yaml_lists(), "yaml"
        overlays = [o for kb in lists for o in published_overlays(kb.id).values()]
    overlays += [load_overlay(p) for p in _overlay_files(_paths(env.get(ENV_OVERLAYS)))]
    allow_examples = env.get(ENV_ALLOW_EXAMPLES, "") in ("1", "true", "yes")
    by_key: dict[tuple[str, str], Overlay] = {}
    ids = {kb.id for kb in lists}
    for overlay in overlays:
        if overlay.example and not allow_examples:
            log.warning("skipping an example overlay (example: true); set %s=1 to apply it", ENV_ALLOW_EXAMPLES)
            continue
        if overlay.base_list not in ids:
            raise OverlayError(f"{overlay.source}：差异文件基于清单 {overlay.base_list}，但没有这个清单")
        by_key[(overlay.base_list, overlay.district)] = overlay
    catalog = Catalog(tuple(lists), by_key, source)
    for kb in lists:  # check every overlay now: a bad one fails at start, not in an elder's answer
        catalog.counties(kb)
    return catalog


_CATALOG: Catalog | None = None


def catalog() -> Catalog:
    """The catalog built from the settings (built on first use, then kept)."""
    global _CATALOG
    if _CATALOG is None:
        _CATALOG = build_catalog()
    return _CATALOG


def reset() -> None:
    """Forget the catalog: the next answer reads the settings again."""
    global _CATALOG
    _CATALOG = None
