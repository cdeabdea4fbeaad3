"""The compiled inner loops of the Salmon algorithm: one whole run, and a greedy tour length.

Why compiled loops rather than NumPy over the population: a NumPy version that moves all salmon
one step at a time spends its time in per-step array overhead at N = 40 (about 7 s per dna40
run, as slow as the original C++), while a compiled loop over a visited bitmap builds a tour in
O(N^2) with no per-step overhead. ``cache=True`` stores the machine code next to this file or
in ``NUMBA_CACHE_DIR``, so only the first process on a machine pays for compilation.

Reproducibility: the only randomness is a xoshiro256** generator written out here (seeded by
splitmix64 from the run's seed), so the stream does not depend on numba's or numpy's versions;
every sum runs in a fixed order (no fastmath), so a seed gives the same tour in every process on
every machine with the same image (the one outside call, ``pow``, comes from the C library; the
image also compiles for a generic CPU). It is also faster: numba's np.random cost about 40% of
a dna40 run.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def run_salmon(cost, best_known, stop_at, generations, population, survival, memory, beta, elite, seed):
    """One run; returns (best tour, its length, generation first found, generations run)."""
    rng = _seeded(seed)
    n = cost.shape[0]
    # 1. Flow network: short edges start with more water.
    flow = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            if i != j:
                flow[i, j] = best_known / (best_known + cost[i, j] * n)
    # 2. Initial population: uniformly random tours (Fisher-Yates), each salmon's first memory.
    tours = np.empty((population, n), dtype=np.int32)
    for s in range(population):
        for k in range(n):
            tours[s, k] = k
        for k in range(n - 1, 0, -1):
            r = _below(rng, k + 1)
            tours[s, k], tours[s, r] = tours[s, r], tours[s, k]
    fresh = np.empty_like(tours)
    lengths = np.empty(population)
    weight = np.empty((n, n))
    successor = np.empty(n, dtype=np.int32)
    visited = np.zeros(n, dtype=np.bool_)
    # Unvisited vertices as a compact list (swap-remove), so the roulette loops over them only.
    free = np.empty(n, dtype=np.int32)
    where = np.empty(n, dtype=np.int32)
    best_tour = tours[0].copy()
    best_length = np.inf
    best_generation = 0
    generation = 0
    for generation in range(1, generations + 1):
        # Flows change once per generation, so their powers are computed once per generation.
        for i in range(n):
            for j in range(n):
                weight[i, j] = flow[i, j] ** beta
        # 3.1-3.3: every salmon swims a new tour guided by its memory (its parent's tour).
        for s in range(population):
            mem = tours[s]
            for k in range(n - 1):
                successor[mem[k]] = mem[k + 1]
            successor[mem[n - 1]] = mem[0]
            visited[:] = False
            for k in range(n):
                free[k] = k
                where[k] = k
            current = mem[0]
            tour = fresh[s]
            tour[0] = current
            remaining = _take(current, visited, free, where, n)
            length = 0.0
            for k in range(1, n):
                chosen = -1
                if _uniform(rng) < memory and not visited[successor[current]]:
                    chosen = successor[current]
                if chosen < 0:
                    # The roulette, written out here rather than in a helper: passing it the row
                    # (an array view) cost numba an atomic reference-count increment and decrement
                    # per draw, 10% of a dna40 run under perf; the draws are the same.
                    # Four partial sums break the chain of dependent additions (the total's
                    # order is fixed, so the draw stays reproducible); the walk that follows
                    # stops early, on average halfway.
                    s0 = s1 = s2 = s3 = 0.0
                    t = 0
                    while t + 4 <= remaining:
                        s0 += weight[current, free[t]]
                        s1 += weight[current, free[t + 1]]
                        s2 += weight[current, free[t + 2]]
                        s3 += weight[current, free[t + 3]]
                        t += 4
                    while t < remaining:
                        s0 += weight[current, free[t]]
                        t += 1
                    total = (s0 + s1) + (s2 + s3)
                    if not total > 0.0:  # every weight underflowed (a huge BETA): draw uniformly
                        chosen = free[min(int(_uniform(rng) * remaining), remaining - 1)]
                    else:
                        target = _uniform(rng) * total
                        chosen = free[remaining - 1]  # also where rounding leaves the target at the top
                        acc = 0.0
                        for t in range(remaining - 1):
                            acc += weight[current, free[t]]
                            if acc > target:
                                chosen = free[t]
                                break
                tour[k] = chosen
                remaining = _take(chosen, visited, free, where, remaining)
                length += cost[current, chosen]
                current = chosen
            lengths[s] = length + cost[current, tour[0]]
        # 3.4: every tour feeds its edges (both directions, closing edge included).
        for s in range(population):
            water = best_known / lengths[s]
            tour = fresh[s]
            for k in range(n):
                a = tour[k]
                b = tour[k + 1] if k + 1 < n else tour[0]
                flow[a, b] += water
                flow[b, a] += water
        # 3.5: the SURVIVAL shortest spawn; their copies, in order, refill the population.
        order = np.argsort(lengths, kind="mergesort")
        improved = lengths[order[0]] < best_length
        if improved:
            best_length = lengths[order[0]]
            best_tour[:] = fresh[order[0]]
            best_generation = generation
        for i in range(population):
            tours[i] = fresh[order[i % survival]]
        # 3.6: a generation that did not beat the elite gets it back over random members.
        if not improved:
            for _ in range(elite):
                tours[_below(rng, population)] = best_tour
        # 3.7: stop once the target is reached.
        if best_length <= stop_at:
            break
    return best_tour, best_length, best_generation, generation


@njit(cache=True)
def _take(vertex, visited, free, where, remaining):
    """Mark ``vertex`` visited and swap it out of the free list; return the new free count."""
    visited[vertex] = True
    slot = where[vertex]
    last = free[remaining - 1]
    free[slot] = last
    where[last] = slot
    free[remaining - 1] = vertex
    where[vertex] = remaining - 1
    return remaining - 1


_U = np.uint64


@njit(cache=True)
def _seeded(seed):
    """xoshiro256** state from a 64-bit seed, expanded with splitmix64 (Vigna's recipe)."""
    state = np.empty(4, dtype=np.uint64)
    x = _U(seed)
    for i in range(4):
        x += _U(0x9E3779B97F4A7C15)
        z = x
        z = (z ^ (z >> _U(30))) * _U(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> _U(27))) * _U(0x94D049BB133111EB)
        state[i] = z ^ (z >> _U(31))
    return state


@njit(cache=True)
def _next(state):
    """The next 64 random bits of xoshiro256** (https://prng.di.unimi.it/)."""
    s0, s1, s2, s3 = state[0], state[1], state[2], state[3]
    x = s1 * _U(5)
    result = ((x << _U(7)) | (x >> _U(57))) * _U(9)
    t = s1 << _U(17)
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = (s3 << _U(45)) | (s3 >> _U(19))
    state[0], state[1], state[2], state[3] = s0, s1, s2, s3
    return result


@njit(cache=True)
def _uniform(state):
    """A double uniform in [0, 1) from the top 53 bits."""
    return (_next(state) >> _U(11)) * (1.0 / 9007199254740992.0)


@njit(cache=True)
def _below(state, bound):
    """An integer uniform in [0, bound) (bias below 2**-53 * bound, irrelevant here)."""
    return int(_uniform(state) * bound)


@njit(cache=True)
def greedy_length(cost, starts):
    """The shortest nearest-neighbour tour over the given start vertices."""
    n = cost.shape[0]
    visited = np.zeros(n, dtype=np.bool_)
    best = np.inf
    for start in starts:
        visited[:] = False
        visited[start] = True
        current = start
        length = 0.0
        for _ in range(n - 1):
            chosen = -1
            for j in range(n):
                if not visited[j] and (chosen < 0 or cost[current, j] < cost[current, chosen]):
                    chosen = j
            visited[chosen] = True
            length += cost[current, chosen]
            current = chosen
        length += cost[current, start]
        if length < best:
            best = length
    return best


__all__ = ["greedy_length", "run_salmon"]
