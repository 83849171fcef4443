"""Load the dashboards of `bi/metabase/dashboards.yml` into Metabase through its REST API (idempotent).

Run by the compose service `metabase-init` once Metabase is healthy: it completes Metabase's first-run setup
(or logs in), adds the warehouse with the read-only BI login (role cvm_reader, schema `marts` only), and
creates or updates every card and dashboard by name. Settings come from the environment only:
MB_URL, MB_ADMIN_EMAIL, MB_ADMIN_PASSWORD, BI_DB_HOST, BI_DB_PORT, BI_DB_NAME, BI_DB_USER, BI_DB_PASSWORD.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import yaml

log = logging.getLogger("cvm.bi")

DEFINITION = Path(__file__).with_name("metabase") / "dashboards.yml"


def load_definition(path: Path = DEFINITION) -> dict[str, Any]:
    """The dashboards file, validated: every card has a name, a display, a position and one SQL query."""
    spec = yaml.safe_load(path.read_text())
    names: set[str] = set()
    for board in spec["dashboards"]:
        for card in board["cards"]:
            where = f"{path.name}: dashboard {board['name']!r}, card {card.get('name')!r}"
            missing = {"name", "display", "position", "sql"} - set(card)
            if missing:
                raise ValueError(f"{where}: missing {', '.join(sorted(missing))}")
            if card["name"] in names:
                raise ValueError(f"{where}: card names must be unique (they are the key for updates)")
            names.add(card["name"])
            if set(card["position"]) != {"col", "row", "size_x", "size_y"}:
                raise ValueError(f"{where}: position needs col, row, size_x and size_y")
    return spec


class Metabase:
    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/")
        self.session = ""

    def call(self, method: str, path: str, body: Any = None) -> Any:
        req = urllib.request.Request(
            f"{self.url}{path}", method=method, data=json.dumps(body).encode() if body is not None else None
        )
        req.add_header("Content-Type", "application/json")
        if self.session:
            req.add_header("X-Metabase-Session", self.session)
        try:
            with urllib.request.urlopen(req, timeout=60) as resp:
                raw = resp.read()
        except urllib.error.HTTPError as exc:
            raise RuntimeError(f"Metabase {method} {path}: HTTP {exc.code}: {exc.read()[:300]!r}") from exc
        return json.loads(raw) if raw else None

    def wait_healthy(self, timeout: float = 600) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if self.call("GET", "/api/health").get("status") == "ok":
                    return
            except (OSError, RuntimeError):
                pass
            time.sleep(5)
        raise RuntimeError(f"Metabase at {self.url} not healthy after {timeout:.0f}s")

    def login(self, email: str, password: str) -> None:
        props = self.call("GET", "/api/session/properties")
        token = props.get("setup-token")
        if token and not props.get("has-user-setup"):
            log.info("first start: setting up the Metabase admin %s", email)
            self.session = self.call(
                "POST",
                "/api/setup",
                {
                    "token": token,
                    "user": {
                        "email": email,
                        "password": password,
                        "first_name": "CVM",
                        "last_name": "Admin",
                        "site_name": "CVM",
                    },
                    "prefs": {"site_name": "CVM", "allow_tracking": False},
                },
            )["id"]
        else:
            self.session = self.call("POST", "/api/session", {"username": email, "password": password})["id"]

    def _list(self, path: str) -> list[dict[str, Any]]:
        data = self.call("GET", path)
        return data["data"] if isinstance(data, dict) else data

    def ensure_database(self, name: str, details: dict[str, Any]) -> int:
        body = {"engine": "postgres", "name": name, "details": details}
        for db in self._list("/api/database"):
            if db["name"] == name:
                self.call("PUT", f"/api/database/{db['id']}", body)
                return db["id"]
        return self.call("POST", "/api/database", body)["id"]

    def ensure_card(self, card: dict[str, Any], database_id: int, existing: dict[str, int]) -> int:
        body = {
            "name": card["name"],
            "display": card["display"],
            "description": card.get("description"),
            "visualization_settings": card.get("visualization_settings", {}),
            "dataset_query": {"type": "native", "database": database_id, "native": {"query": card["sql"]}},
        }
        if card["name"] in existing:
            self.call("PUT", f"/api/card/{existing[card['name']]}", body)
            return existing[card["name"]]
        return self.call("POST", "/api/card", body)["id"]

    def ensure_dashboard(self, board: dict[str, Any], card_ids: dict[str, int]) -> int:
        found = [d for d in self._list("/api/dashboard") if d["name"] == board["name"] and not d.get("archived")]
        dash_id = (
            found[0]["id"]
            if found
            else self.call("POST", "/api/dashboard", {"name": board["name"], "description": board.get("description")})[
                "id"
            ]
        )
        dashcards = [
            {
                "id": -(i + 1),
                "card_id": card_ids[c["name"]],
                **c["position"],
                "parameter_mappings": [],
                "visualization_settings": {},
            }
            for i, c in enumerate(board["cards"])
        ]
        self.call("PUT", f"/api/dashboard/{dash_id}", {"description": board.get("description"), "dashcards": dashcards})
        return dash_id


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    env = os.environ
    spec = load_definition()
    mb = Metabase(env.get("MB_URL", "http://metabase:3000"))
    mb.wait_healthy()
    mb.login(env["MB_ADMIN_EMAIL"], env["MB_ADMIN_PASSWORD"])
    details = {
        "host": env.get("BI_DB_HOST", "postgres"),
        "port": int(env.get("BI_DB_PORT", "5432")),
        "dbname": env.get("BI_DB_NAME", "cvm"),
        "user": env.get("BI_DB_USER", "bi"),
        "password": env["BI_DB_PASSWORD"],
        "ssl": False,
        "schema-filters-type": "inclusion",
        "schema-filters-patterns": "marts",
    }
    database_id = mb.ensure_database(spec["database"]["name"], details)
    existing = {c["name"]: c["id"] for c in mb._list("/api/card?f=all") if not c.get("archived")}
    for board in spec["dashboards"]:
        card_ids = {c["name"]: mb.ensure_card(c, database_id, existing) for c in board["cards"]}
        dash_id = mb.ensure_dashboard(board, card_ids)
        log.info("dashboard %r (%d cards) loaded as /dashboard/%d", board["name"], len(card_ids), dash_id)
    return 0


if __name__ == "__main__":
    sys.exit(main())
