"""Adoption order learned from assessment histories, for :class:`readiness.peers.PeerAdvisor`.

*First-met round.* For each facility, the assessments are numbered 0, 1, ... by date; the
first-met round of a criterion is the first assessment in which it is *effectively* met
(scoring rule 2: met, and every prerequisite effectively met), :data:`NEVER` when it never is.
Effective states respect the dependency graph: a criterion is never effectively met before its
prerequisites, so the order learned respects it too. Round 0 means "met on or before the first
assessment": the order among criteria first met in round 0 is unknown.

*Precedence.* ``precedence[a, b]`` counts the facilities that met ``a`` in an earlier round than
``b`` (``b`` later or never). With one assessment per facility it counts those that met ``a``
but not ``b``, the only order a single round shows.

*Peer votes.* A peer's *next step* among a set of candidate criteria (the asker's frontier) is
the candidate it met first: every candidate of its earliest first-met round (several when it met
them between the same two assessments). A peer that met none of the candidates gives no vote.
"""

from __future__ import annotations

import attrs
import numpy as np
import numpy.typing as npt

from readiness._matrix import MET

__all__ = ["NEVER", "History", "learn_history", "order_score"]

Int = npt.NDArray[np.intp]
Float = npt.NDArray[np.float64]

#: First-met round of a criterion never met.
NEVER = np.iinfo(np.int16).max
#: Criteria per block when finding first-met rounds (bounds memory on long histories).
_CHUNK = 16


@attrs.frozen(kw_only=True, eq=False)
class History:
    """What the assessments of the indexed facilities say about the order of adoption."""

    first_round: npt.NDArray[np.int16]  # (facilities, criteria); NEVER: never met
    assessments: npt.NDArray[np.int32]  # (facilities,) dated assessments of each
    precedence: npt.NDArray[np.float64]  # (criteria, criteria), see the module docstring


def learn_history(state: npt.NDArray[np.uint8], order: Int, starts: Int, stops: Int) -> History:
    """Learn first-met rounds and precedence counts.

    Parameters
    ----------
    state : numpy.ndarray of uint8, shape (criteria, rows)
        Effective state codes.
    order : numpy.ndarray of int
        Rows in canonical order (facility, then date).
    starts, stops : numpy.ndarray of int
        ``order[starts[f]:stops[f]]`` are the rows of facility ``f``, oldest first.
    """
    size = state.shape[0]
    count = len(starts)
    lengths = (stops - starts).astype(np.int32)
    position = (np.arange(len(order)) - np.repeat(starts, lengths)).astype(np.int16)
    first = np.empty((count, size), dtype=np.int16)
    for lo in range(0, size, _CHUNK):
        hi = min(lo + _CHUNK, size)
        met = state[lo:hi][:, order] == MET
        rounds = np.where(met, position[None, :], np.int16(NEVER))
        first[:, lo:hi] = np.minimum.reduceat(rounds, starts, axis=1).T
    precedence = np.zeros((size, size))
    top = int(lengths.max()) if count else 0
    for r in range(top):
        at = first == r
        if not at.any():
            continue
        later = (first > r).astype(np.float32)
        precedence += (at.astype(np.float32).T @ later).astype(np.float64)
    return History(first_round=first, assessments=lengths, precedence=precedence)


def order_score(precedence: Float, candidates: Int) -> Float:
    """Share of pairwise contests each candidate wins in ``precedence`` (0.5 without evidence).

    For candidate ``c`` and every other candidate ``d``: ``W[c, d] / (W[c, d] + W[d, c])``,
    averaged over ``d``; 0.5 for a single candidate.
    """
    if len(candidates) < 2:
        return np.full(len(candidates), 0.5)
    sub = precedence[np.ix_(candidates, candidates)]
    total = sub + sub.T
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(total > 0, sub / np.where(total > 0, total, 1.0), 0.5)
    np.fill_diagonal(share, 0.0)
    score: Float = share.sum(axis=1) / (len(candidates) - 1)
    return score


def peer_votes(
    first_round: npt.NDArray[np.int16], candidates: Int
) -> tuple[npt.NDArray[np.int64], int]:
    """Count, per candidate, the peers whose earliest first-met candidate round includes it.

    ``first_round`` holds the peers' rows. Returns the counts and the number of peers that met
    at least one candidate (the evidence).
    """
    sub = first_round[:, candidates]
    earliest = sub.min(axis=1, initial=NEVER)
    voting = earliest < NEVER
    votes = (sub == earliest[:, None]) & voting[:, None]
    return votes.sum(axis=0).astype(np.int64), int(voting.sum())
