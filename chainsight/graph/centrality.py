"""Centrality of enterprises in the payment-flow graph: pure functions over scipy sparse matrices.

``W[i, j]`` is the money enterprise ``i`` paid enterprise ``j`` (payer -> payee), so ``j`` is a
supplier of ``i`` (upstream) and ``i`` a customer of ``j`` (downstream). Every function takes ``W``
as a CSR or CSC matrix; those that need ``W.T`` in CSR form accept it as ``wt`` so that an analysis
of a large graph transposes it once (``wt`` must equal ``W.T``). No I/O, no settings, no pandas.
"""

from __future__ import annotations

import random
from typing import NamedTuple

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
import scipy.sparse.linalg as sla
from scipy.sparse.csgraph import connected_components

from chainsight.errors import ConvergenceError

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

__all__ = [
    "Strengths", "betweenness", "flow_matrix", "hits", "hodge_potential", "pagerank",
    "rank_agreement", "strengths",
]  # fmt: skip


class Strengths(NamedTuple):
    """Weighted and distinct counterparties per node, from :func:`strengths`."""

    out_strength: FloatArray  # paid to suppliers
    in_strength: FloatArray  # received from customers
    out_degree: IntArray  # distinct suppliers
    in_degree: IntArray  # distinct customers


def flow_matrix(payer: IntArray, payee: IntArray, weight: FloatArray, n: int) -> sp.csr_matrix:
    """Build the ``n x n`` payer -> payee flow matrix, summing duplicate pairs, dropping self-loops.

    ``payer``/``payee`` are node indices in ``[0, n)``, ``weight`` non-negative amounts. Returns a
    canonical CSR (sorted, no duplicates, no stored zeros) with float64 data.

    Examples
    --------
    >>> W = flow_matrix(np.array([0, 0, 1, 2]), np.array([1, 1, 1, 0]), np.array([1.0, 2.0, 5.0, 4.0]), 3)
    >>> W.toarray().tolist()
    [[0.0, 3.0, 0.0], [0.0, 0.0, 0.0], [4.0, 0.0, 0.0]]
    """
    payer, payee = np.asarray(payer), np.asarray(payee)
    amount = np.asarray(weight, dtype=np.float64)
    if not payer.shape == payee.shape == amount.shape or payer.ndim != 1:
        raise ValueError("payer, payee and weight must be 1-d arrays of the same length")
    if payer.size and (min(payer.min(), payee.min()) < 0 or max(payer.max(), payee.max()) >= n):
        raise ValueError(f"node indices must lie in [0, {n})")
    if not np.all(np.isfinite(amount) & (amount >= 0)):
        raise ValueError("weights must be finite and non-negative")
    keep = payer != payee
    if not keep.all():
        payer, payee, amount = payer[keep], payee[keep], amount[keep]
    w = sp.csr_matrix((amount, (payer, payee)), shape=(n, n))
    w.sum_duplicates()
    w.eliminate_zeros()
    return w


def _csr(W: sp.spmatrix) -> sp.csr_matrix:
    return W if sp.isspmatrix_csr(W) else sp.csr_matrix(W)


def _transpose_csr(W: sp.spmatrix, wt: sp.spmatrix | None) -> sp.csr_matrix:
    return _csr(W.T) if wt is None else _csr(wt)


def strengths(W: sp.spmatrix) -> Strengths:
    """Weighted out/in strength and number of distinct out/in neighbours.

    Examples
    --------
    >>> s = strengths(sp.csr_matrix(np.array([[0, 2.0, 3.0], [0, 0, 1.0], [0, 0, 0]])))
    >>> s.out_strength.tolist(), s.in_strength.tolist(), s.out_degree.tolist(), s.in_degree.tolist()
    ([5.0, 1.0, 0.0], [0.0, 2.0, 4.0], [2, 1, 0], [0, 1, 2])
    """
    w = _csr(W)
    n: int = w.shape[0]
    out_s: FloatArray = w @ np.ones(n)
    in_s: FloatArray = w.T @ np.ones(n)
    out_d: IntArray = np.diff(w.indptr).astype(np.int64)
    in_d: IntArray = np.bincount(w.indices, minlength=n).astype(np.int64)
    return Strengths(out_s, in_s, out_d, in_d)


def pagerank(
    W: sp.spmatrix,
    alpha: float = 0.85,
    personalization: FloatArray | int | None = None,
    tol: float = 1e-10,
    max_iter: int = 1000,
    *,
    wt: sp.spmatrix | None = None,
) -> FloatArray:
    """Weighted PageRank, the same definition as ``networkx.pagerank(G, alpha, personalization)``.

    Rank flows ``i -> j`` in proportion to ``W[i, j]`` (pass ``W.T`` to rank the reverse graph);
    dangling nodes (no out-weight) hand theirs out like the teleport. ``personalization`` is
    ``n`` non-negative teleport weights, one seed node's index (personalised PageRank from it),
    or None (uniform). Power iteration from the uniform vector until the L1 change between
    iterates is below ``tol`` (networkx stops at ``n * tol``);
    :class:`~chainsight.errors.ConvergenceError` after ``max_iter`` iterations.

    Examples
    --------
    >>> W = sp.csr_matrix(np.array([[0, 1.0, 0], [0, 0, 1.0], [1.0, 0, 0]]))
    >>> pagerank(W).round(6).tolist()
    [0.333333, 0.333333, 0.333333]
    >>> pagerank(W, personalization=0).round(3).tolist()
    [0.389, 0.33, 0.281]
    """
    n: int = W.shape[0]
    pt = _transpose_csr(W, wt)  # pt[j, i] = W[i, j]
    out = np.bincount(pt.indices, weights=pt.data, minlength=n)
    inv = np.zeros(n)
    np.divide(1.0, out, out=inv, where=out > 0)
    pt = sp.csr_matrix((pt.data * inv[pt.indices], pt.indices, pt.indptr), shape=(n, n))
    if personalization is None:
        p: FloatArray | float = 1.0 / max(n, 1)
    elif isinstance(personalization, (int, np.integer)):
        p = np.zeros(n)
        p[personalization] = 1.0
    else:
        p = np.asarray(personalization, dtype=np.float64)
        if p.shape != (n,) or p.min() < 0 or not p.sum() > 0:
            raise ValueError("personalization must be n non-negative weights with a positive sum")
        p = p / p.sum()
    dangling = np.flatnonzero(out == 0)
    x: FloatArray = np.full(n, 1.0 / max(n, 1))
    err = float("inf")
    for _ in range(max_iter):
        nxt: FloatArray = pt @ x
        nxt *= alpha
        nxt += (alpha * x[dangling].sum() + 1.0 - alpha) * p
        x -= nxt  # x is done with: reuse it for the change (no fresh 8 MB arrays per step)
        err = float(np.abs(x, out=x).sum())
        x = nxt
        if err < tol:
            return x
    raise ConvergenceError(f"PageRank did not converge: the L1 change was still {err:.3g} after "
                           f"{max_iter} iterations (tolerance {tol:g})")


def hits(
    W: sp.spmatrix, tol: float = 1e-10, max_iter: int = 10_000, *, wt: sp.spmatrix | None = None
) -> tuple[FloatArray, FloatArray]:
    """Weighted HITS hubs and authorities, as ``networkx.hits`` (each normalised to sum 1).

    Authorities are the leading right singular vector of ``W`` (found with ARPACK, as networkx
    does, with ``W.T`` applied through its own CSR), hubs are ``W @ authorities``. When the top
    singular value is repeated the answer is not unique (networkx's is then arbitrary too).
    :class:`~chainsight.errors.ConvergenceError` when ARPACK needs more than ``max_iter``
    iterations to reach ``tol``.

    Examples
    --------
    >>> hub, auth = hits(sp.csr_matrix(np.array([[0, 1.0, 1.0], [0, 0, 1.0], [0, 0, 0]])))
    >>> hub.round(3).tolist(), auth.round(3).tolist()
    ([0.618, 0.382, 0.0], [0.0, 0.382, 0.618])
    """
    w = _csr(W)
    n: int = w.shape[0]
    if w.nnz == 0:
        return np.full(n, 1.0 / max(n, 1)), np.full(n, 1.0 / max(n, 1))
    if n < 3:  # ARPACK needs k < n
        a = np.abs(np.linalg.svd(w.toarray())[2][0])
    else:
        t = _transpose_csr(W, wt)
        op = sla.LinearOperator((n, n), matvec=w.__matmul__, rmatvec=t.__matmul__, dtype=float)
        # A deterministic start (column norms, close to the answer) keeps reruns bit-identical.
        v0 = np.sqrt(np.bincount(w.indices, weights=w.data**2, minlength=n))
        try:
            a = sla.svds(op, k=1, tol=tol, maxiter=max_iter, v0=v0,
                         return_singular_vectors="vh")[2][0]
        except sla.ArpackNoConvergence as exc:
            raise ConvergenceError(f"HITS did not converge: ARPACK found no singular vector within "
                                   f"{max_iter} iterations (tolerance {tol:g})") from exc
    authority: FloatArray = np.maximum(a / a.sum(), 0.0)  # the Perron vector is non-negative
    authority[np.bincount(w.indices, minlength=n) == 0] = 0.0  # exact 0, not ARPACK round-off
    hub: FloatArray = w @ authority
    return hub / hub.sum(), authority / authority.sum()


def betweenness(
    W: sp.spmatrix, k: int | None = None, seed: int = 0, *, wt: sp.spmatrix | None = None
) -> FloatArray:
    """Unweighted directed Brandes betweenness, normalised as ``networkx.betweenness_centrality``.

    Exact when ``k`` is None (or ``n``); otherwise ``k`` sources drawn as networkx draws them
    (``random.Random(seed).sample``) and rescaled as networkx does, so equal to
    ``nx.betweenness_centrality(G, k=k, seed=seed)``. Each source runs a level-synchronous,
    direction-optimising BFS: path counts move one level per sparse product, over the frontier's
    out-edges or the unvisited nodes' in-edges, whichever is fewer; dependencies flow back the
    same way, level by level.

    Examples
    --------
    >>> chain = sp.csr_matrix(np.array([[0, 1.0, 0], [0, 0, 1.0], [0, 0, 0]]))
    >>> betweenness(chain).tolist()
    [0.0, 0.5, 0.0]
    """
    w, t = _csr(W), _transpose_csr(W, wt)
    n: int = w.shape[0]
    a = sp.csr_matrix((np.ones(w.nnz), w.indices, w.indptr), shape=(n, n))
    at = sp.csr_matrix((np.ones(t.nnz), t.indices, t.indptr), shape=(n, n))
    if k is not None and not 1 <= k <= n:
        raise ValueError(f"k must lie in [1, {n}]")
    sampled = None if k is None or k == n else random.Random(seed).sample(range(n), k)
    bc: FloatArray = np.zeros(n)
    out_deg, in_deg = np.diff(a.indptr), np.diff(at.indptr)
    for s in range(n) if sampled is None else sampled:
        bc += _dependencies(a, at, out_deg, in_deg, s)
    if n < 3:  # networkx leaves the raw sums when fewer than two (s, t) pairs exist
        return bc
    if sampled is None:
        return bc / ((n - 1) * (n - 2))
    scale: FloatArray = np.full(n, 1.0 / (len(sampled) * (n - 2)))
    scale[sampled] = 1.0 / ((len(sampled) - 1) * (n - 2)) if len(sampled) > 1 else np.nan
    return bc * scale


def _dependencies(
    a: sp.csr_matrix, at: sp.csr_matrix, out_deg: IntArray, in_deg: IntArray, s: int
) -> FloatArray:
    """Brandes dependency of source ``s`` on every node (``at`` is ``a.T`` as CSR)."""
    n: int = a.shape[0]
    sigma, seen = np.zeros(n), np.zeros(n, dtype=bool)
    sigma[s], seen[s] = 1.0, True
    levels, pushed = [np.array([s])], []
    unseen_in = a.nnz - int(in_deg[s])  # in-edges of the nodes not reached yet
    while True:
        front = levels[-1]
        rows = None
        if out_deg[front].sum() <= unseen_in:  # push along the frontier's out-edges
            rows = a[front]
            reach: FloatArray = rows.T @ sigma[front]
            new = np.flatnonzero(reach)
            new = new[~seen[new]]
            paths = reach[new]
        else:  # pull along the unreached nodes' in-edges
            todo = np.flatnonzero(~seen)
            x = np.zeros(n)
            x[front] = sigma[front]
            pulled: FloatArray = at[todo] @ x
            new, paths = todo[pulled > 0], pulled[pulled > 0]
        if new.size == 0:
            break
        pushed.append(rows)  # kept: the same rows carry dependencies back
        seen[new], sigma[new] = True, paths
        levels.append(new)
        unseen_in -= int(in_deg[new].sum())
    delta, coeff = np.zeros(n), np.zeros(n)
    for d in range(len(levels) - 2, -1, -1):
        nxt, cur = levels[d + 1], levels[d]
        share = (1.0 + delta[nxt]) / sigma[nxt]
        rows = pushed[d]
        if rows is None and in_deg[nxt].sum() < out_deg[cur].sum():
            delta[cur] = sigma[cur] * (at[nxt].T @ share)[cur]
            continue
        coeff[nxt] = share
        delta[cur] = sigma[cur] * ((a[cur] if rows is None else rows) @ coeff)
        coeff[nxt] = 0.0
    delta[s] = 0.0
    return delta


def rank_agreement(a: FloatArray, b: FloatArray, top: int = 100) -> float:
    """Overlap at ``top``: the share of the ``top`` nodes by ``a`` that are also top by ``b``.

    Ties are broken by node index, so the score is deterministic; 1.0 means the same top set.

    Examples
    --------
    >>> rank_agreement(np.array([5.0, 4, 3, 2, 1]), np.array([5.0, 3, 4, 1, 2]), top=2)
    0.5
    """
    top = min(top, len(a))
    if top == 0:
        return 1.0
    idx = np.arange(len(a))
    top_a = np.lexsort((idx, -np.asarray(a)))[:top]
    top_b = np.lexsort((idx, -np.asarray(b)))[:top]
    return len(np.intersect1d(top_a, top_b)) / top


def hodge_potential(
    W: sp.spmatrix,
    normalize: bool = True,
    *,
    wt: sp.spmatrix | None = None,
    rtol: float = 1e-12,
    max_iter: int = 10_000,
) -> FloatArray:
    """Hodge potential: each node's position in the flow, payees (suppliers) higher.

    For every unordered pair with any flow, net flow ``F_ij = f_ij - f_ji`` (divided by
    ``f_ij + f_ji`` if ``normalize``, so it lies in [-1, 1]); the potential minimises
    ``sum over pairs of (phi_j - phi_i - F_ij)**2``, i.e. solves ``L phi = net inflow`` on the
    undirected support (Jacobi-preconditioned CG), with mean zero in each weakly connected
    component (isolated nodes get 0). Money runs downstream -> upstream, so in a chain where
    A pays B and B pays C, ``phi_A < phi_B < phi_C`` (Kichikawa et al. 2019, Fujiwara et al. 2021).
    :class:`~chainsight.errors.ConvergenceError` when CG does not reach ``rtol`` in ``max_iter``
    iterations.

    Examples
    --------
    >>> chain = sp.csr_matrix(np.array([[0, 5.0, 0], [0, 0, 2.0], [0, 0, 0]]))
    >>> hodge_potential(chain).round(9).tolist()
    [-1.0, 0.0, 1.0]
    """
    w = _csr(W)
    n: int = w.shape[0]
    t = _transpose_csr(W, wt)
    # One merge: real part f_ij + f_ji, imaginary part f_ij - f_ji, on the union pattern.
    z = _complex(w, 1.0) + _complex(t, -1.0)
    total, net = z.data.real.copy(), z.data.imag.copy()
    pairs = bool(np.all(total > 0))  # else some stored weights are 0 and are not pairs
    if normalize:
        net = net / total if pairs else np.divide(net, total, out=np.zeros_like(net), where=total > 0)
    inflow: FloatArray = -(sp.csr_matrix((net, z.indices, z.indptr), shape=(n, n)) @ np.ones(n))
    if not np.any(inflow):
        return np.zeros(n)
    ones = np.ones(z.nnz) if pairs else (total > 0).astype(np.float64)
    adj = sp.csr_matrix((ones, z.indices, z.indptr), shape=(n, n))
    adj.eliminate_zeros()
    deg = np.diff(adj.indptr).astype(np.float64)
    phi = _jacobi_cg(adj, deg, inflow, rtol, max_iter)
    # Weak components of W are cheapest; adj's (symmetric: strong = weak) if zeros were dropped.
    if pairs:
        _, comp = connected_components(w, directed=True, connection="weak")
    else:
        _, comp = connected_components(adj, directed=True, connection="strong")
    potential: FloatArray = phi - (np.bincount(comp, weights=phi) / np.bincount(comp))[comp]
    return potential


def _complex(w: sp.csr_matrix, imag: float) -> sp.csr_matrix:
    """``w`` with data ``w + imag * w * 1j`` (same pattern)."""
    data = np.empty(w.nnz, dtype=np.complex128)
    data.real, data.imag = w.data, imag * w.data
    return sp.csr_matrix((data, w.indices, w.indptr), shape=w.shape)


def _jacobi_cg(
    adj: sp.csr_matrix, deg: FloatArray, b: FloatArray, rtol: float, max_iter: int
) -> FloatArray:
    """Solve ``(diag(deg) - adj) x = b`` by Jacobi-preconditioned conjugate gradients.

    Written out rather than ``scipy.sparse.linalg.cg`` so that no step calls BLAS: OpenBLAS's
    spinning threads fight the caller's own worker threads on small machines.
    """
    jacobi = 1.0 / np.where(deg > 0, deg, 1.0)
    x, r = np.zeros_like(b), b.copy()
    z = jacobi * r
    p, rz = z.copy(), float((r * z).sum())
    stop = rtol * float(np.sqrt((b * b).sum()))
    for _ in range(max_iter):
        lap_p = deg * p - adj @ p
        step = rz / float((p * lap_p).sum())
        x += step * p
        r -= step * lap_p
        if float(np.sqrt((r * r).sum())) <= stop:
            return x
        z = jacobi * r
        rz_next = float((r * z).sum())
        p *= rz_next / rz
        p += z
        rz = rz_next
    raise ConvergenceError(f"Hodge potential did not converge: conjugate gradients did not reach the "
                           f"relative residual tolerance {rtol:g} in {max_iter} iterations")
