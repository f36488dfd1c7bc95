"""The sample district as a registry CSV, for a newcomer's first import.

Reads the sample scenario (app/data/sample-mosse-2027-h1.json, written by
tools/sample_district.py: 60 GPs, 10 substitutes, 4 staff doctors, all fictional) and writes its
doctors in the registry's CSV format (docs/registry-csv.md):

    python -m tools.sample_registry [PATH]   # writes app/data/sample-mosse-registry.csv
    vakt district import app/data/sample-mosse-registry.csv --district mosse

Deterministic: the same scenario gives the same bytes.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from domain.registry.csv_format import write_registry_csv
from domain.registry.from_scenario import registry_from_scenario
from domain.scenario import parse_scenario

ROOT = Path(__file__).resolve().parents[1]
SCENARIO_PATH = ROOT / "app" / "data" / "sample-mosse-2027-h1.json"
CSV_PATH = ROOT / "app" / "data" / "sample-mosse-registry.csv"


def render_sample_csv(scenario_path: Path = SCENARIO_PATH) -> str:
    scenario = parse_scenario(json.loads(scenario_path.read_text(encoding="utf-8")))
    return write_registry_csv(registry_from_scenario(scenario).doctors)


def write_sample_csv(path: Path | str = CSV_PATH) -> Path:
    path = Path(path)
    path.write_bytes(render_sample_csv().encode("utf-8"))
    return path


if __name__ == "__main__":
    print(write_sample_csv(sys.argv[1] if len(sys.argv) > 1 else CSV_PATH))
