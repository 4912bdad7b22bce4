"""Erlang C staffing (pure functions, no Odoo).

With traffic intensity A = λ · AHT (Erlangs: calls per second × handling seconds) and N agents
(N > A), the probability that a call waits is

    C(N, A) = (A^N / N! · N / (N − A)) / (Σ_{k<N} A^k / k! + A^N / N! · N / (N − A))

and the service level (share answered within T seconds) is

    SL = 1 − C(N, A) · exp(−(N − A) · T / AHT);   ASA = C(N, A) · AHT / (N − A).

C is computed from Erlang B's stable recurrence B(0) = 1, B(k) = A·B(k−1) / (k + A·B(k−1)),
C = N·B / (N − A·(1 − B)), which never forms A^N or N! (exact for hundreds of agents).
"""
import math


def erlang_b(agents, traffic):
    """Blocking probability of Erlang B for `agents` servers and `traffic` Erlangs."""
    b = 1.0
    for k in range(1, agents + 1):
        b = traffic * b / (k + traffic * b)
    return b


def erlang_c(agents, traffic):
    """Probability that a call has to wait (Erlang C); 1.0 when agents <= traffic."""
    if agents <= traffic:
        return 1.0
    b = erlang_b(agents, traffic)
    return agents * b / (agents - traffic * (1 - b))


def service_level(agents, traffic, aht, target_seconds):
    """Share (0–1) of calls answered within `target_seconds` with `agents` agents."""
    if agents <= traffic:
        return 0.0
    return 1 - erlang_c(agents, traffic) * math.exp(-(agents - traffic) * target_seconds / aht)


def average_speed_of_answer(agents, traffic, aht):
    """Mean wait in seconds (infinite when agents <= traffic)."""
    if agents <= traffic:
        return math.inf
    return erlang_c(agents, traffic) * aht / (agents - traffic)


def agents_needed(calls, interval_seconds, aht, target_seconds, target_level):
    """Fewest agents with service level >= `target_level` (0–1) for `calls` per interval.

    0 when there are no calls.  Shrinkage (breaks, training) is not included.
    """
    if calls <= 0 or aht <= 0:
        return 0
    traffic = calls * aht / interval_seconds
    agents = max(1, math.floor(traffic) + 1)
    while service_level(agents, traffic, aht, target_seconds) < target_level:
        agents += 1
    return agents
