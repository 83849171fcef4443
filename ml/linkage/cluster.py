"""Parties from matched pairs: connected components, guarded against chaining.

Transitivity is what makes connected components useful (a CRM contact and a subscriber link through the
debtor between them) and also what makes them dangerous: one false link between two real groups fuses
them. Two guards: a non-strong link that is the only bridge between two groups of at least two records
each is dropped, and a cluster above `max_size` loses its weakest links until it falls apart below it.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from ml.linkage.constraints import constrained_edges


def _components(n: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    graph = coo_matrix((np.ones(len(left)), (left, right)), shape=(n, n))
    return connected_components(graph, directed=False)[1]


def _split_sizes(nodes: set[int], adj: dict[int, dict[int, float]], a: int, b: int) -> tuple[int, int] | None:
    """Sizes of the two sides if removing edge a-b disconnects it, else None (BFS from a without a-b)."""
    seen = {a}
    stack = [a]
    while stack:
        x = stack.pop()
        for y in adj[x]:
            if (x, y) in ((a, b), (b, a)) or y in seen:
                continue
            if y == b:
                return None
            seen.add(y)
            stack.append(y)
    return len(seen), len(nodes) - len(seen)


def _size_capped(edges: list[tuple[int, int, float]], max_size: int) -> list[tuple[int, int, float]]:
    """Strongest links first (union-find); a link that would grow a cluster past max_size is dropped.

    Equivalent to removing the weakest links until every cluster fits, in O(E log E) even when a bad
    run chains thousands of records.
    """
    parent: dict[int, int] = {}
    size: dict[int, int] = {}

    def find(x: int) -> int:
        parent.setdefault(x, x)
        size.setdefault(x, 1)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    kept = []
    for a, b, p in sorted(edges, key=lambda e: (-e[2], e[0], e[1])):
        ra, rb = find(a), find(b)
        if ra != rb:
            if size[ra] + size[rb] > max_size:
                continue
            parent[rb] = ra
            size[ra] += size[rb]
        kept.append((a, b, p))
    return kept


def _guard_component(
    nodes: list[int], edges: list[tuple[int, int, float]], max_size: int, strong: float
) -> list[tuple[int, int, float]]:
    """The edges of one component that survive the size and bridge guards."""
    kept = sorted(_size_capped(edges, max_size), key=lambda e: (e[2], e[0], e[1]))  # weakest first
    changed = True
    while changed:
        changed = False
        adj: dict[int, dict[int, float]] = defaultdict(dict)
        for a, b, p in kept:
            adj[a][b] = p
            adj[b][a] = p
        for group in _groups_of(adj):
            if len(group) < 4:
                continue
            for a, b, p in kept:
                if p >= strong or a not in group:
                    continue
                sides = _split_sizes(group, adj, a, b)
                if sides and min(sides) >= 2:
                    kept.remove((a, b, p))
                    changed = True
                    break
            if changed:
                break
    return kept


def _groups_of(adj: dict[int, dict[int, float]]) -> list[set[int]]:
    seen: set[int] = set()
    groups = []
    for start in adj:
        if start in seen:
            continue
        group = {start}
        stack = [start]
        while stack:
            x = stack.pop()
            for y in adj[x]:
                if y not in group:
                    group.add(y)
                    stack.append(y)
        seen |= group
        groups.append(group)
    return groups


def _positions(pos: pd.Series, pairs: list[tuple[str, str]] | None) -> list[tuple[int, int]]:
    return [(int(pos[a]), int(pos[b])) for a, b in pairs or [] if a in pos.index and b in pos.index]


def cluster_records(
    record_keys: pd.Index | list[str],
    pairs: pd.DataFrame,
    threshold: float,
    max_size: int = 12,
    strong: float = 0.99,
    records: pd.DataFrame | None = None,
    exclusive: tuple[str, ...] = (),
    must_link: list[tuple[str, str]] | None = None,
    cannot_link: list[tuple[str, str]] | None = None,
) -> pd.DataFrame:
    """record_key -> cluster (int) and match_probability (best surviving link; 1.0 when alone).

    `pairs` has record_key_l, record_key_r, match_probability. With `records` (prepared, indexed by
    record_key) links that would join conflicting records are refused first (`constraints.py`);
    steward must-link pairs always join, cannot-link pairs never. Cluster numbers are arbitrary labels;
    `ids.py` turns them into stable party ids.
    """
    keys = pd.Index(pd.unique(pd.Index(record_keys).astype(str)))
    pos = pd.Series(np.arange(len(keys)), index=keys)
    matched = pairs[pairs["match_probability"].ge(threshold)]
    matched = matched[matched["record_key_l"].isin(keys) & matched["record_key_r"].isin(keys)]
    left = pos.loc[matched["record_key_l"]].to_numpy()
    right = pos.loc[matched["record_key_r"]].to_numpy()
    prob = matched["match_probability"].to_numpy(dtype=float)
    must = _positions(pos, must_link)
    if must:
        left = np.concatenate([left, [a for a, _ in must]]).astype(int)
        right = np.concatenate([right, [b for _, b in must]]).astype(int)
        prob = np.concatenate([prob, np.ones(len(must))])
    if records is not None or cannot_link:
        profile_source = records.reindex(keys) if records is not None else pd.DataFrame(index=keys)
        flags = {
            col: np.concatenate(
                [
                    matched[col].to_numpy(dtype=bool) if col in matched else np.zeros(len(matched), dtype=bool),
                    np.zeros(len(must), dtype=bool),
                ]
            )
            for col in ("vouched", "dates_outweighed")
        }
        keep = constrained_edges(
            profile_source,
            left,
            right,
            prob,
            exclusive,
            must,
            _positions(pos, cannot_link),
            flags["vouched"],
            flags["dates_outweighed"],
        )
        left, right, prob = left[keep], right[keep], prob[keep]
    labels = _components(len(keys), left, right)

    sizes = np.bincount(labels) if len(labels) else np.array([], dtype=int)
    edge_label = labels[left] if len(left) else np.array([], dtype=int)
    suspicious = {int(c) for c in np.flatnonzero(sizes >= 4)}
    keep = np.ones(len(left), dtype=bool)
    if suspicious:
        by_comp: dict[int, list[int]] = defaultdict(list)
        for i, c in enumerate(edge_label):
            if int(c) in suspicious:
                by_comp[int(c)].append(i)
        for _c, idx in by_comp.items():
            edges = [(int(left[i]), int(right[i]), float(prob[i])) for i in idx]
            nodes = sorted({a for a, _, _ in edges} | {b for _, b, _ in edges})
            surviving = set(_guard_component(nodes, edges, max_size, strong))
            for i, e in zip(idx, edges, strict=True):
                keep[i] = e in surviving
        left, right, prob = left[keep], right[keep], prob[keep]
        labels = _components(len(keys), left, right)

    best = np.ones(len(keys))
    has_edge = np.zeros(len(keys), dtype=bool)
    best_edge = np.zeros(len(keys))
    for a, b, p in zip(left, right, prob, strict=True):
        for x in (a, b):
            has_edge[x] = True
            best_edge[x] = max(best_edge[x], p)
    best[has_edge] = best_edge[has_edge]
    return pd.DataFrame({"record_key": keys, "cluster": labels, "match_probability": best})
