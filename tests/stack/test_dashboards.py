"""The Metabase dashboards as code: the definition is valid, every card reads only published marts, and each
dashboard is documented as a dbt exposure on exactly the marts its cards read. (The Celery test runs every
card's SQL on freshly published marts as the read-only role cvm_reader; the loader runs against an in-memory
stand-in of Metabase's API, since no Metabase runs on the build machines.)"""

from __future__ import annotations

import importlib.util
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import yaml

from cvm.publish import CONTRACT_TABLES
from cvm.settings import PROJECT_ROOT


def load_bi_module():  # noqa: ANN201
    spec = importlib.util.spec_from_file_location("metabase_load", PROJECT_ROOT / "bi" / "metabase_load.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def dashboard_cards() -> list[tuple[str, dict]]:
    spec = load_bi_module().load_definition()
    return [(board["name"], card) for board in spec["dashboards"] for card in board["cards"]]


def marts_read(sql: str) -> set[str]:
    return set(re.findall(r"\bmarts\.([a-z_0-9]+)", sql))


def test_the_headline_dashboards_are_defined() -> None:
    spec = load_bi_module().load_definition()
    names = {board["name"] for board in spec["dashboards"]}
    assert names == {"CVM - segments and value", "CVM - contact pressure", "CVM - monthly evaluation"}
    for _, card in dashboard_cards():
        pos = card["position"]
        assert pos["col"] + pos["size_x"] <= 24, card["name"]  # Metabase's grid is 24 columns wide
        assert marts_read(card["sql"]) and marts_read(card["sql"]) <= set(CONTRACT_TABLES), card["name"]
        assert not re.search(r"\b(raw|staging|intermediate|ml|ops|marts_next)\.", card["sql"]), card["name"]


def test_a_bad_definition_names_the_card(tmp_path) -> None:
    bad = tmp_path / "dashboards.yml"
    bad.write_text(
        yaml.safe_dump(
            {
                "database": {"name": "x"},
                "dashboards": [{"name": "D", "cards": [{"name": "C", "display": "bar", "sql": "select 1"}]}],
            }
        )
    )
    with pytest.raises(ValueError, match=r"dashboard 'D', card 'C': missing position"):
        load_bi_module().load_definition(bad)


def test_every_dashboard_is_a_dbt_exposure_on_the_marts_it_reads() -> None:
    exposures = yaml.safe_load((PROJECT_ROOT / "dbt_project" / "models" / "exposures.yml").read_text())["exposures"]
    by_label = {e["label"]: e for e in exposures}
    spec = load_bi_module().load_definition()
    for board in spec["dashboards"]:
        exposure = by_label[board["name"]]
        assert exposure["type"] == "dashboard"
        refs = {re.fullmatch(r"ref\('([a-z_0-9]+)'\)", d).group(1) for d in exposure["depends_on"]}
        read = set().union(*(marts_read(c["sql"]) for c in board["cards"]))
        assert refs == read, board["name"]


def test_the_manifest_carries_the_exposures(manifest) -> None:
    exposures = {e["name"]: e for e in json.loads(manifest.read_text())["exposures"].values()}
    assert set(exposures) == {"metabase_segments_and_value", "metabase_contact_pressure", "metabase_monthly_evaluation"}
    assert "model.cvm.segment_evaluation_monthly" in exposures["metabase_monthly_evaluation"]["depends_on"]["nodes"]


class _FakeMetabase(BaseHTTPRequestHandler):
    """The part of Metabase's REST API the loader calls, in memory: it cannot show that Metabase accepts the
    payloads (no Metabase runs here), but it runs the loader's whole flow, first start and rerun."""

    state: dict = {}

    def log_message(self, *args) -> None:  # noqa: ANN002
        pass

    def _send(self, body: object, status: int = 200) -> None:
        raw = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(raw)

    def _body(self) -> dict:
        return json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")

    def do_GET(self) -> None:  # noqa: N802
        s, path = self.state, self.path.split("?")[0]
        if path == "/api/health":
            return self._send({"status": "ok"})
        if path == "/api/session/properties":
            return self._send({"setup-token": "tok", "has-user-setup": bool(s["users"])})
        assert self.headers["X-Metabase-Session"] == "session-1", path
        kind = path.removeprefix("/api/").strip("/")
        return self._send({"data": list(s[kind].values())} if kind == "database" else list(s[kind].values()))

    def do_POST(self) -> None:  # noqa: N802
        s, body = self.state, self._body()
        if self.path == "/api/setup":
            assert body["token"] == "tok" and not s["users"]
            s["users"].append(body["user"]["email"])
            return self._send({"id": "session-1"})
        if self.path == "/api/session":
            assert body["username"] in s["users"]
            return self._send({"id": "session-1"})
        kind = self.path.removeprefix("/api/")
        new = {**body, "id": len(s[kind]) + 1}
        s[kind][new["id"]] = new
        s["calls"].append(("POST", kind))
        return self._send(new)

    def do_PUT(self) -> None:  # noqa: N802
        kind, ident = self.path.removeprefix("/api/").split("/")
        self.state[kind][int(ident)].update(self._body())
        self.state["calls"].append(("PUT", kind))
        return self._send(self.state[kind][int(ident)])


def test_the_loader_sets_up_metabase_once_and_updates_by_name_on_a_rerun(monkeypatch) -> None:
    _FakeMetabase.state = {"users": [], "database": {}, "card": {}, "dashboard": {}, "calls": []}
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FakeMetabase)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    env = {"MB_URL": f"http://127.0.0.1:{server.server_port}", "MB_ADMIN_EMAIL": "admin@example.org"}
    env |= {"MB_ADMIN_PASSWORD": "pw", "BI_DB_PASSWORD": "bi-pw", "BI_DB_HOST": "postgres"}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    loader = load_bi_module()
    spec = loader.load_definition()
    try:
        assert loader.main() == 0
        state = _FakeMetabase.state
        first = {k: json.loads(json.dumps(state[k])) for k in ("database", "card", "dashboard")}
        calls_before = len(state["calls"])
        assert loader.main() == 0  # the rerun of a restarted stack: logs in, updates, creates nothing
    finally:
        server.shutdown()
    assert state["users"] == ["admin@example.org"]
    rerun = state["calls"][calls_before:]
    assert rerun and all(method == "PUT" for method, _ in rerun)
    assert {k: json.loads(json.dumps(state[k])) for k in first} == first
    (db,) = first["database"].values()
    assert db["engine"] == "postgres" and db["details"]["user"] == "bi" and db["details"]["password"] == "bi-pw"
    assert db["details"]["schema-filters-patterns"] == "marts"
    cards = {c["name"]: c for c in first["card"].values()}
    assert set(cards) == {card["name"] for _, card in dashboard_cards()}
    for _, card in dashboard_cards():
        query = cards[card["name"]]["dataset_query"]
        assert query == {"type": "native", "database": db["id"], "native": {"query": card["sql"]}}
    boards = {b["name"]: b for b in first["dashboard"].values()}
    for board in spec["dashboards"]:
        placed = {
            (d["card_id"], d["col"], d["row"], d["size_x"], d["size_y"]) for d in boards[board["name"]]["dashcards"]
        }
        assert placed == {(cards[c["name"]]["id"], *c["position"].values()) for c in board["cards"]}
