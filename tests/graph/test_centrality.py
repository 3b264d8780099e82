"""Centralities against networkx and dense references on small random weighted digraphs."""

from __future__ import annotations

import functools
from collections.abc import Callable

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import assume, event, given, settings
from hypothesis import strategies as st

from chainsight.errors import ConvergenceError
from chainsight.graph import centrality as cen

TOL = 1e-9
# networkx's stopping rule for the reference (L1 change < n × tol): 1e-13 overall is four orders
# below TOL yet above the float round-off a power step jitters by (1e-15 could stall forever).
NX_TOL = 1e-13


@st.composite
def flow_graphs(draw: st.DrawFn, min_nodes: int = 3, max_nodes: int = 25) -> sp.csr_matrix:
    """Random weighted digraphs, with self-loops and repeated pairs in the input (the matrix
    sums/drops them), and usually some dangling and isolated nodes."""
    n = draw(st.integers(min_nodes, max_nodes))
    m = draw(st.integers(1, 4 * n))
    node = st.integers(0, n - 1)
    pairs = draw(st.lists(st.tuples(node, node, st.floats(0.01, 1e6)), min_size=m, max_size=m))
    payer, payee, amount = (np.array(v) for v in zip(*pairs))
    return cen.flow_matrix(payer, payee, amount, n)


def to_nx(W: sp.csr_matrix) -> nx.DiGraph:
    G = nx.DiGraph()
    G.add_nodes_from(range(W.shape[0]))  # isolated nodes too, in index order
    coo = W.tocoo()
    G.add_weighted_edges_from(zip(coo.row.tolist(), coo.col.tolist(), coo.data.tolist()))
    return G


def as_array(values: dict[int, float], n: int) -> np.ndarray:
    return np.array([values[i] for i in range(n)])


GRAPHS = settings(max_examples=60, deadline=None)


class Reached:
    """Counts the examples of a property test that got past its filters to its last assertion.

    Hypothesis stops quietly when ``assume`` rejects too much, so a property test could pass
    having checked almost nothing. A test calls :meth:`tick` after its assertions (also an
    ``event``, seen with ``--hypothesis-show-statistics``) and is wrapped by :meth:`at_least`,
    which fails it when fewer examples got there.
    """

    def __init__(self) -> None:
        self.count = 0

    def tick(self) -> None:
        self.count += 1
        event("reached the assertions")

    def at_least(self, wanted: int) -> Callable[[Callable[[], None]], Callable[[], None]]:
        def wrap(test: Callable[[], None]) -> Callable[[], None]:
            @functools.wraps(test)
            def run() -> None:
                self.count = 0
                test()
                assert self.count >= wanted, (
                    f"only {self.count} examples reached the assertions of {test.__name__}; "
                    f"at least {wanted} should")

            return run

        return wrap


reached = Reached()
# Hypothesis runs GRAPHS' 60 valid examples and all of them reach the assertions today (the
# strategies and `assume` reject 2-9 % of the drawn ones: --hypothesis-show-statistics); under 45
# would mean a filter has started to reject most of what is drawn.
ENOUGH = 45


def test_flow_matrix_sums_pairs_and_drops_self_loops_and_zeros() -> None:
    W = cen.flow_matrix(np.array([0, 0, 1, 2, 2]), np.array([1, 1, 1, 0, 1]),
                        np.array([1.0, 2.5, 9.0, 4.0, 0.0]), 3)  # fmt: skip
    assert W.toarray().tolist() == [[0, 3.5, 0], [0, 0, 0], [4.0, 0, 0]]
    assert W.nnz == 2 and W.has_canonical_format


@pytest.mark.parametrize(
    ("payer", "payee", "weight"),
    [([0, 3], [1, 1], [1.0, 1.0]), ([0, -1], [1, 1], [1.0, 1.0]), ([0], [1], [-5.0]),
     ([0], [1], [np.nan]), ([0, 1], [1], [1.0, 2.0])],
)  # fmt: skip
def test_flow_matrix_rejects_bad_input(payer: list[int], payee: list[int], weight: list[float]) -> None:
    with pytest.raises(ValueError):
        cen.flow_matrix(np.array(payer), np.array(payee), np.array(weight), 3)


def test_strengths_count_both_sides() -> None:
    W = cen.flow_matrix(np.array([0, 0, 1, 3]), np.array([1, 2, 2, 3]), np.array([2.0, 3.0, 1.0, 7.0]), 4)
    s = cen.strengths(W)
    assert s.out_strength.tolist() == [5.0, 1.0, 0.0, 0.0]  # the self-payment of 3 is dropped
    assert s.in_strength.tolist() == [0.0, 2.0, 4.0, 0.0]
    assert s.out_degree.tolist() == [2, 1, 0, 0] and s.in_degree.tolist() == [0, 1, 2, 0]


@reached.at_least(ENOUGH)
@GRAPHS
@given(flow_graphs())
def test_pagerank_matches_networkx(W: sp.csr_matrix) -> None:
    n = W.shape[0]
    expected = nx.pagerank(to_nx(W), tol=NX_TOL / n, max_iter=100_000)
    ours = cen.pagerank(W)
    np.testing.assert_allclose(ours, as_array(expected, n), rtol=0, atol=TOL)
    assert abs(ours.sum() - 1) < 1e-9
    reached.tick()


@reached.at_least(ENOUGH)
@GRAPHS
@given(flow_graphs())
def test_pagerank_on_the_reverse_graph_matches_networkx(W: sp.csr_matrix) -> None:
    n = W.shape[0]
    expected = nx.pagerank(to_nx(W).reverse(), tol=NX_TOL / n, max_iter=100_000)
    np.testing.assert_allclose(cen.pagerank(W.T), as_array(expected, n), rtol=0, atol=TOL)
    np.testing.assert_allclose(cen.pagerank(W.T.tocsr(), wt=W), as_array(expected, n), rtol=0, atol=TOL)
    reached.tick()


@reached.at_least(ENOUGH)
@GRAPHS
@given(flow_graphs(), st.data())
def test_personalized_pagerank_matches_networkx(W: sp.csr_matrix, data: st.DataObject) -> None:
    n = W.shape[0]
    weights = data.draw(st.lists(st.floats(0, 10), min_size=n, max_size=n))
    assume(sum(weights) > 0.1)
    expected = nx.pagerank(to_nx(W), alpha=0.7, personalization=dict(enumerate(weights)),
                           tol=NX_TOL / n, max_iter=100_000)  # fmt: skip
    ours = cen.pagerank(W, alpha=0.7, personalization=np.array(weights))
    np.testing.assert_allclose(ours, as_array(expected, n), rtol=0, atol=TOL)
    reached.tick()


@reached.at_least(ENOUGH)
@GRAPHS
@given(flow_graphs(), st.data())
def test_pagerank_from_one_seed_is_personalized_on_that_node(W: sp.csr_matrix, data: st.DataObject) -> None:
    n = W.shape[0]
    seed = data.draw(st.integers(0, n - 1))
    expected = nx.pagerank(to_nx(W), personalization={seed: 1}, tol=NX_TOL / n, max_iter=100_000)
    np.testing.assert_allclose(cen.pagerank(W, personalization=seed), as_array(expected, n), rtol=0, atol=TOL)
    reached.tick()


def test_pagerank_stops_only_when_the_l1_change_is_below_tol() -> None:
    rng = np.random.default_rng(0)
    n = 2000
    W = cen.flow_matrix(rng.integers(0, n, 8000), rng.integers(0, n, 8000), rng.lognormal(0, 2, 8000), n)
    tight = cen.pagerank(W, tol=1e-14)
    assert np.abs(cen.pagerank(W) - tight).sum() < 1e-9  # error <= tol * alpha / (1 - alpha)
    assert np.abs(cen.pagerank(W, tol=1e-3) - tight).sum() > 1e-6  # and tol is really used


def test_pagerank_rejects_bad_personalization() -> None:
    W = cen.flow_matrix(np.array([0, 1]), np.array([1, 2]), np.array([1.0, 1.0]), 3)
    with pytest.raises(ValueError):
        cen.pagerank(W, personalization=np.zeros(3))
    with pytest.raises(ValueError):
        cen.pagerank(W, personalization=np.array([1.0, -1.0, 1.0]))


def _unit_flows(n: int, m: int, seed: int) -> sp.csr_matrix:
    """Random unit payments: singular values close together, so ARPACK needs several restarts."""
    rng = np.random.default_rng(seed)
    return cen.flow_matrix(rng.integers(0, n, m), rng.integers(0, n, m), np.ones(m), n)


def test_pagerank_that_does_not_converge_says_so_in_a_typed_error() -> None:
    W = cen.flow_matrix(np.array([0, 1]), np.array([1, 2]), np.array([1.0, 1.0]), 3)
    with pytest.raises(ConvergenceError,
                       match=r"^PageRank did not converge: .* after 2 iterations \(tolerance 1e-10\)$"):
        cen.pagerank(W, max_iter=2)
    assert cen.pagerank(W, max_iter=200).sum() == pytest.approx(1.0)  # the same graph converges


def test_hits_that_does_not_converge_says_so_in_a_typed_error() -> None:
    W = _unit_flows(200, 800, seed=5)
    with pytest.raises(ConvergenceError,
                       match=r"^HITS did not converge: .* within 1 iterations \(tolerance 1e-10\)$"):
        cen.hits(W, max_iter=1)
    hubs, _ = cen.hits(W)
    assert hubs.sum() == pytest.approx(1.0)


def test_hodge_potential_that_does_not_converge_says_so_in_a_typed_error() -> None:
    W = _unit_flows(200, 800, seed=5)
    with pytest.raises(ConvergenceError, match=r"^Hodge potential did not converge: .* tolerance "
                                               r"1e-12 in 1 iterations$"):
        cen.hodge_potential(W, max_iter=1)
    assert np.isfinite(cen.hodge_potential(W)).all()


@reached.at_least(ENOUGH)
@GRAPHS
@given(flow_graphs())
def test_hits_matches_networkx(W: sp.csr_matrix) -> None:
    s = np.linalg.svd(W.toarray(), compute_uv=False)
    assume(s[0] > 0 and s[0] - s[1] > 1e-3 * s[0])  # unique leading singular vector
    n = W.shape[0]
    hubs, authorities = nx.hits(to_nx(W), tol=1e-14, max_iter=10_000)
    ours_h, ours_a = cen.hits(W)
    np.testing.assert_allclose(ours_h, as_array(hubs, n), rtol=0, atol=TOL)
    np.testing.assert_allclose(ours_a, as_array(authorities, n), rtol=0, atol=TOL)
    assert ours_h.min() >= 0 and ours_a.min() >= 0
    reached.tick()


def test_hits_ranks_the_hub_and_the_authority() -> None:
    # 0 pays 1, 2, 3; 4 pays 1: 0 is the hub, 1 the authority
    W = cen.flow_matrix(np.array([0, 0, 0, 4]), np.array([1, 2, 3, 1]), np.ones(4), 5)
    hubs, authorities = cen.hits(W)
    assert hubs.argmax() == 0 and authorities.argmax() == 1
    assert authorities[0] == 0 and hubs[1] == 0


@reached.at_least(ENOUGH)
@GRAPHS
@given(flow_graphs())
def test_exact_betweenness_matches_networkx(W: sp.csr_matrix) -> None:
    n = W.shape[0]
    expected = nx.betweenness_centrality(to_nx(W), normalized=True)
    np.testing.assert_allclose(cen.betweenness(W), as_array(expected, n), rtol=0, atol=TOL)
    reached.tick()


@reached.at_least(ENOUGH)
@GRAPHS
@given(flow_graphs(min_nodes=4), st.data())
def test_sampled_betweenness_matches_networkx(W: sp.csr_matrix, data: st.DataObject) -> None:
    n = W.shape[0]
    k, seed = data.draw(st.integers(2, n - 1)), data.draw(st.integers(0, 2**31))
    expected = nx.betweenness_centrality(to_nx(W), k=k, normalized=True, seed=seed)
    np.testing.assert_allclose(cen.betweenness(W, k=k, seed=seed), as_array(expected, n), rtol=0, atol=TOL)
    reached.tick()


def test_betweenness_with_k_equal_to_n_is_exact_and_k_is_checked() -> None:
    W = cen.flow_matrix(np.array([0, 1, 2, 0]), np.array([1, 2, 3, 2]), np.ones(4), 4)
    np.testing.assert_array_equal(cen.betweenness(W, k=4), cen.betweenness(W))
    with pytest.raises(ValueError):
        cen.betweenness(W, k=5)


def test_rank_agreement_is_overlap_of_top_sets() -> None:
    a = np.array([9.0, 8, 7, 6, 5, 4])
    assert cen.rank_agreement(a, a, top=3) == 1.0
    assert cen.rank_agreement(a, -a, top=3) == 0.0
    assert cen.rank_agreement(a, np.array([9.0, 1, 7, 6, 5, 4]), top=3) == pytest.approx(2 / 3)
    assert cen.rank_agreement(np.zeros(4), np.zeros(4), top=2) == 1.0  # ties broken by index


def test_sampled_betweenness_finds_the_exact_top_brokers() -> None:
    """Measured, not assumed: 64 of 1,500 sources recover most of the exact top 20 on a
    heavy-tailed graph (overlap ~0.8 over seeds, the bench's --agreement prints more)."""
    rng = np.random.default_rng(11)
    n, m = 1500, 9000
    weight = rng.pareto(1.2, n) + 1
    p = weight / weight.sum()
    W = cen.flow_matrix(rng.choice(n, m, p=p), rng.choice(n, m, p=p), np.ones(m), n)
    exact = cen.betweenness(W)
    overlaps = [cen.rank_agreement(exact, cen.betweenness(W, k=64, seed=s), top=20) for s in range(3)]
    assert np.mean(overlaps) >= 0.7
    assert cen.rank_agreement(exact, cen.betweenness(W, k=2, seed=0), top=20) < np.mean(overlaps)


def hodge_reference(W: sp.csr_matrix, normalize: bool) -> np.ndarray:
    """Dense least squares over unordered pairs: minimise sum (phi_j - phi_i - F_ij)^2."""
    f = W.toarray()
    n = len(f)
    rows, target = [], []
    for i in range(n):
        for j in range(i + 1, n):
            if f[i, j] + f[j, i] > 0:
                row = np.zeros(n)
                row[j], row[i] = 1.0, -1.0
                rows.append(row)
                net = f[i, j] - f[j, i]
                target.append(net / (f[i, j] + f[j, i]) if normalize else net)
    if not rows:
        return np.zeros(n)
    # the minimum-norm solution has mean zero on every connected component
    return np.linalg.lstsq(np.array(rows), np.array(target), rcond=None)[0]


@reached.at_least(ENOUGH)
@GRAPHS
@given(flow_graphs(max_nodes=20), st.booleans())
def test_hodge_potential_matches_dense_least_squares(W: sp.csr_matrix, normalize: bool) -> None:
    expected = hodge_reference(W, normalize)
    ours = cen.hodge_potential(W, normalize=normalize)
    scale = max(1.0, np.abs(expected).max())
    np.testing.assert_allclose(ours, expected, rtol=0, atol=TOL * scale)
    reached.tick()


def test_hodge_sign_convention_payees_sit_higher() -> None:
    """A pays B, B pays C: money runs downstream -> upstream, so phi_A < phi_B < phi_C."""
    A, B, C = 0, 1, 2
    W = cen.flow_matrix(np.array([A, B]), np.array([B, C]), np.array([5e6, 2e6]), 3)
    phi = cen.hodge_potential(W)
    assert phi[A] < phi[B] < phi[C]
    np.testing.assert_allclose(phi, [-1.0, 0.0, 1.0], atol=1e-12)
    raw = cen.hodge_potential(W, normalize=False)  # amounts instead of directions
    np.testing.assert_allclose(raw, [-4e6, 1e6, 3e6], rtol=1e-12)


def test_hodge_is_zero_mean_per_component_and_zero_when_isolated() -> None:
    # component {0, 1, 2} with a cycle-free flow, component {3, 4} with a two-way pair, node 5 alone
    W = cen.flow_matrix(np.array([0, 1, 0, 3, 4]), np.array([1, 2, 2, 4, 3]),
                        np.array([1.0, 1.0, 1.0, 3.0, 1.0]), 6)  # fmt: skip
    phi = cen.hodge_potential(W)
    assert abs(phi[:3].sum()) < 1e-12 and abs(phi[3:5].sum()) < 1e-12 and phi[5] == 0
    assert phi[4] - phi[3] == pytest.approx(0.5)  # net (3 - 1) / (3 + 1)
    assert not np.any(cen.hodge_potential(sp.csr_matrix((4, 4))))
