"""Peer analytics: peer groups, benchmarks, peer-informed next steps and forecasts.

This is the part of :mod:`readiness` that learns from the data of many facilities. Rules say what
a facility must do; peers say what facilities like it did, and history says when it may get there.
Everything here is offered *beside* the rule-based results of :mod:`readiness` (scores, levels,
``next_steps``), never instead of them. ``docs/peers.md`` explains each choice with an example.

scikit-learn is imported only inside the functions and methods that use it: ``import readiness``
and ``import readiness.peers`` never load it.

Estimators (scikit-learn conventions: arguments stored by ``__init__``, checked by ``fit``;
``fit`` returns ``self``; learned attributes end in ``_``; use before ``fit`` raises
:class:`readiness.errors.NotFittedError`):

* :class:`PeerGroups` groups facilities by readiness profile (a diagonal Gaussian mixture fitted
  on a seeded sample); the number of groups is given or chosen by BIC, with its Schwarz weight.
* :class:`PeerAdvisor` finds the nearest profiles (exact, brute force) and says what the most
  similar facilities further along did about a facility's frontier: from their histories, which
  criterion they met first, else which they have met now.

Functions returning frozen results:

* :func:`benchmark` -> :class:`Benchmark`: percentiles within peer groups and cohorts.
* :func:`forecast` -> :class:`Forecasts`: projected dates of reaching a target, with intervals.
* :func:`rerank`: peer support as a tie-breaker *inside* the rule-based ranking (planning rule 8).

Documented choices
------------------
*Profile features.* ``features="domains"``: each domain score of the table divided by 100, i.e.
the weighted effective credit per domain (scoring rules 2-4). ``features="criteria"``: one column
per criterion from the effective state: ``met`` 1, ``partial`` 0.5 (the table keeps no per-cell
progress, so a partial criterion counts half), every other applicable state 0 (not met, unknown,
unsupported, expired, below coverage: no credit, as in scoring rule 2). A domain or criterion that
does not apply to a facility is missing; missing values are filled with the column mean learned by
``fit`` (a neutral value), and columns with no value at all are dropped. Profile columns are then
standardised (z-scores; constant columns contribute 0).

*Attributes.* ``kind``, ``ownership``, ``region`` and free attributes are one-hot encoded with the
categories seen by ``fit`` (an unseen category encodes as all zeros); each one-hot block is scaled
by ``1 / sqrt(1 - sum(p**2))`` (p: category shares) so that a whole attribute carries the variance
of one standardised column, however many categories it has. ``beds`` is the ordinal bed band
(:data:`BED_BANDS`, roughly logarithmic), standardised.

*Order invariance.* Rows are put in a canonical order (facility id, then date) before anything is
learned, and groups are relabelled by the mean overall score of their members (ascending, ties by
centre coordinates), so labels per facility do not depend on the order of the input.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

import attrs
import numpy as np
import numpy.typing as npt

from readiness._matrix import MET, NA, OUT, PARTIAL
from readiness._model import BED_BANDS, Facility, bed_band
from readiness._peers_order import NEVER, learn_history, order_score, peer_votes
from readiness._plan import NextStep
from readiness._score import ScoreTable, support_of
from readiness.errors import NotFittedError, OptionError, PlanError

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

__all__ = [
    "BED_BANDS",
    "Benchmark",
    "BenchmarkEntry",
    "DeadlineSummary",
    "FacilityBenchmark",
    "Forecast",
    "Forecasts",
    "PeerAdvisor",
    "PeerGroups",
    "PeerSuggestion",
    "PeerSuggestions",
    "bed_band",
    "benchmark",
    "forecast",
    "rerank",
]

Float = npt.NDArray[np.float64]
Int = npt.NDArray[np.intp]
Bool = npt.NDArray[np.bool_]
Features = Literal["domains", "criteria"]
Verdict = Literal["likely on time", "at risk", "unlikely"]
ForecastStatus = Literal["forecast", "reached", "refused"]

_BAND_EDGES = np.array([b[0] for b in BED_BANDS[1:]], dtype=np.int64)

#: Credit of each effective state code in ``features="criteria"`` (NaN: does not apply).
_CREDIT = np.zeros(10, dtype=np.float64)
_CREDIT[MET] = 1.0
_CREDIT[PARTIAL] = 0.5
_CREDIT[OUT] = np.nan
_CREDIT[NA] = np.nan

_EPOCH = dt.date(1970, 1, 1)
_STANDARD_COHORTS = ("kind", "ownership", "bed_band", "region")
#: Forecasts further away than this are refused rather than dated.
MAX_YEARS = 100


# --------------------------------------------------------------------------- shared helpers


def _limits() -> AbstractContextManager[Any]:
    """Run scikit-learn single-threaded.

    The problems here are small per call; on a busy 2-core machine OpenMP's spinning threads made
    MiniBatchKMeans ten times slower than one thread, so every fit runs with one thread.
    """
    from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]  # noqa: PLC0415

    limits: AbstractContextManager[Any] = threadpool_limits(limits=1)
    return limits


def _check_table(table: object, what: str) -> ScoreTable:
    if not isinstance(table, ScoreTable):
        raise OptionError(
            f"{what} takes a ScoreTable (from readiness.score_many)",
            key="table",
            value=type(table).__name__,
        )
    if len(table) == 0:
        raise OptionError(f"{what} needs at least one scored facility", key="table", value=0)
    return table


def _state(table: ScoreTable, what: str) -> npt.NDArray[np.uint8]:
    state = table.state
    if state is None:
        raise OptionError(
            f"{what} needs the per-criterion states: score_many(..., details=True)",
            key="details",
            value=False,
        )
    return state


def _days(table: ScoreTable) -> npt.NDArray[np.int64]:
    days: npt.NDArray[np.int64] = (
        table.dates.astype("datetime64[D]") - np.datetime64("1970-01-01", "D")
    ).astype(np.int64)
    return days


def _to_date(days: float) -> dt.date:
    return _EPOCH + dt.timedelta(days=round(days))


def _id_rank(table: ScoreTable) -> Int:
    """Rank of each row's facility id (equal ids share a rank)."""
    ids = np.array([f.id for f in table.facilities], dtype=str)
    _, inverse = np.unique(ids, return_inverse=True)
    ranks: Int = np.asarray(inverse, dtype=np.intp).reshape(-1)[table.rows]
    return ranks


def _canonical(table: ScoreTable) -> Int:
    """Row order by facility id, then date: what is learned never depends on the input order."""
    order: Int = np.lexsort((_days(table), _id_rank(table))).astype(np.intp)
    return order


def _label(facility: Facility, name: str) -> str:
    """Return the cohort or attribute label of a facility."""
    if name in {"bed_band", "beds"}:
        return bed_band(facility.beds)
    if name == "kind":
        return facility.kind
    if name == "ownership":
        return facility.ownership
    if name == "region":
        return facility.region or "(no region)"
    value = facility.attributes.get(name)
    return "(none)" if value is None else str(value)


def _labels(table: ScoreTable, rows: Int, name: str) -> npt.NDArray[np.object_]:
    """Labels of ``name`` for the facilities of ``rows`` (computed once per facility)."""
    facility_rows = table.rows[rows]
    unique, inverse = np.unique(facility_rows, return_inverse=True)
    values = np.array([_label(table.facilities[int(i)], name) for i in unique], dtype=object)
    labels: npt.NDArray[np.object_] = values[np.asarray(inverse).reshape(-1)]
    return labels


def _bands(table: ScoreTable, rows: Int) -> Int:
    facility_rows = table.rows[rows]
    unique, inverse = np.unique(facility_rows, return_inverse=True)
    beds = np.array([table.facilities[int(i)].beds for i in unique], dtype=np.int64)
    bands: Int = np.searchsorted(_BAND_EDGES, beds, side="right").astype(np.intp)
    return bands[np.asarray(inverse).reshape(-1)]


def _known_attribute(table: ScoreTable, name: str) -> bool:
    if name in {*_STANDARD_COHORTS, "beds"}:
        return True
    return any(name in f.attributes for f in table.facilities)


def _check_attributes(table: ScoreTable, attributes: object, key: str) -> tuple[str, ...]:
    if isinstance(attributes, str) or not isinstance(attributes, Iterable):
        raise OptionError(f"{key} must be a sequence of attribute names", key=key, value=attributes)
    names = tuple(attributes)
    for name in names:
        if not isinstance(name, str) or not _known_attribute(table, name):
            raise OptionError(
                f"{key}: unknown attribute (standard: kind, ownership, beds, bed_band, region; "
                "or a free attribute the facilities carry)",
                key=key,
                value=name,
            )
    if len(set(names)) != len(names):
        raise OptionError(f"{key} lists an attribute twice", key=key, value=names)
    return names


def _seed(random_state: object) -> int:
    if random_state is None:
        return int(np.random.default_rng().integers(2**31 - 1))
    if isinstance(random_state, bool) or not isinstance(random_state, int | np.integer):
        raise OptionError(
            "random_state must be None or a whole number", key="random_state", value=random_state
        )
    if not 0 <= int(random_state) < 2**32:
        raise OptionError(
            "random_state must be from 0 to 2**32 - 1", key="random_state", value=random_state
        )
    return int(random_state)


def _positive_int(value: object, key: str, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        raise OptionError(f"{key} must be a whole number >= {minimum}", key=key, value=value)
    return int(value)


def _not_fitted(estimator: object) -> NotFittedError:
    name = type(estimator).__name__
    return NotFittedError(f"this {name} is not fitted yet: call fit(table) before using it")


# --------------------------------------------------------------------------- profile features


@attrs.frozen(kw_only=True, eq=False)
class _Block:
    """One encoded attribute: categories (one-hot) or the bed band (ordinal)."""

    name: str
    categories: tuple[str, ...]  # empty for the bed band
    center: float
    scale: float


@attrs.frozen(kw_only=True, eq=False)
class _Encoder:
    """Profile and attribute features, with the statistics learned by ``fit``."""

    features: Features
    keys: tuple[str, ...]  # compiled criteria, to check later tables
    keep: Bool  # profile columns kept (some value at fit)
    fill: Float  # value for missing cells (mean at fit)
    mean: Float
    scale: Float
    blocks: tuple[_Block, ...]
    names: tuple[str, ...]

    @classmethod
    def fit(
        cls, table: ScoreTable, rows: Int, features: Features, attributes: tuple[str, ...]
    ) -> _Encoder:
        raw = _profile(table, rows, features)
        present = ~np.isnan(raw)
        counts = present.sum(axis=0)
        keep = counts > 0
        raw = raw[:, keep]
        counts = counts[keep]
        fill = np.where(present[:, keep], raw, 0.0).sum(axis=0) / counts
        filled = np.where(np.isnan(raw), fill, raw)
        mean = filled.mean(axis=0)
        std = filled.std(axis=0)
        scale = np.where(std > 1e-12, std, 1.0)
        blocks = []
        for name in attributes:
            if name in {"beds", "bed_band"}:
                band = _bands(table, rows).astype(np.float64)
                sd = float(band.std())
                blocks.append(
                    _Block(
                        name=name,
                        categories=(),
                        center=float(band.mean()),
                        scale=sd if sd > 1e-12 else 1.0,
                    )
                )
                continue
            labels = _labels(table, rows, name)
            categories, counts_c = np.unique(labels.astype(str), return_counts=True)
            shares = counts_c / counts_c.sum()
            variance = 1.0 - float((shares**2).sum())
            blocks.append(
                _Block(
                    name=name,
                    categories=tuple(str(c) for c in categories),
                    center=0.0,
                    scale=1.0 / math.sqrt(variance) if variance > 1e-12 else 0.0,
                )
            )
        if not keep.any() and not blocks:
            raise OptionError(
                "no feature to compare facilities by: nothing in the profile "
                f"(features={features!r}) applies to any facility and attributes=(); "
                "give attributes or score against a catalog that applies",
                key="attributes",
                value=attributes,
            )
        profile_names = _profile_names(table, features)
        names = [n for n, k in zip(profile_names, keep.tolist(), strict=True) if k]
        for block in blocks:
            if block.categories:
                names += [f"{block.name}={c}" for c in block.categories]
            else:
                names.append("bed_band")
        return cls(
            features=features,
            keys=table.compiled.keys,
            keep=keep,
            fill=fill,
            mean=mean,
            scale=scale,
            blocks=tuple(blocks),
            names=tuple(names),
        )

    def check(self, table: ScoreTable) -> None:
        if table.compiled.keys != self.keys:
            raise OptionError(
                "the table was scored against other criteria than the fitted one; "
                "score it with the same catalog",
                key="table",
                value=table.catalog.id,
            )

    def transform(self, table: ScoreTable, rows: Int) -> Float:
        raw = _profile(table, rows, self.features)[:, self.keep]
        profile = (np.where(np.isnan(raw), self.fill, raw) - self.mean) / self.scale
        parts = [profile]
        for block in self.blocks:
            if not block.categories:
                band = _bands(table, rows).astype(np.float64)
                parts.append(((band - block.center) / block.scale)[:, None])
                continue
            lookup = {c: i for i, c in enumerate(block.categories)}
            codes = np.array(
                [lookup.get(str(v), -1) for v in _labels(table, rows, block.name)], dtype=np.intp
            )
            onehot = np.zeros((len(rows), len(block.categories)))
            known = codes >= 0
            onehot[np.flatnonzero(known), codes[known]] = block.scale
            parts.append(onehot)
        out: Float = np.ascontiguousarray(np.hstack(parts), dtype=np.float64)
        return out


def _profile(table: ScoreTable, rows: Int, features: Features) -> Float:
    """Return the raw profile (rows, columns): domain or criterion credit, NaN: does not apply."""
    if features == "domains":
        domains: Float = table.domains[:, rows].T.astype(np.float64) / 100.0
        return domains
    if len(rows) == 1:
        column = table.state_column(int(rows[0]))
        one: Float = _CREDIT[column][None, :]
        return one
    credit: Float = _CREDIT[_state(table, "features='criteria'")[:, rows].T]
    return credit


def _profile_names(table: ScoreTable, features: Features) -> tuple[str, ...]:
    compiled = table.compiled
    return compiled.domains if features == "domains" else compiled.keys


def _check_features(features: object) -> Features:
    if features not in ("domains", "criteria"):
        raise OptionError(
            "features must be 'domains' or 'criteria'", key="features", value=features
        )
    return features


# --------------------------------------------------------------------------- peer groups


class PeerGroups:
    """Group facilities by readiness profile (a Gaussian mixture; attributes on request).

    Parameters
    ----------
    n_groups : int or None
        Number of groups; None chooses it by BIC (see Notes).
    features : {"domains", "criteria"}
        Profile: effective credit per domain (the domain scores / 100) or per criterion (met 1,
        partial 0.5, other applicable states 0); see the module documentation.
    attributes : sequence of str
        Facility attributes added to the profile: ``kind``, ``ownership``, ``beds`` (bed band),
        ``region`` or a free attribute. Default none: groups by readiness alone (attributes
        independent of readiness split groups by kind; see ``docs/peers.md``).
    random_state : int or None
        Seed of the sample and of the mixture's starts. Fix it for reproducible groups.
    max_groups : int
        Largest number of groups tried when ``n_groups`` is None.
    sample_size : int
        Facilities in the seeded sample on which the mixture is fitted.

    Attributes
    ----------
    labels_ : numpy.ndarray of int, shape (n,)
        Group of each row of the fitted table (0 is the group with the lowest mean overall score).
    centers_ : numpy.ndarray, shape (n_groups_, n_features)
        Group means in the standardised feature space (``feature_names_`` names the columns).
    n_groups_ : int
        Groups found (every one has members).
    bic_scores_ : dict of int to float
        BIC of each candidate number of groups (lower is better; empty when ``n_groups`` was
        given).
    n_groups_confidence_ : float or None
        Schwarz weight of the chosen number among the candidates, ``exp(-ΔBIC/2)`` normalised:
        an approximate posterior probability (None when ``n_groups`` was given).
    silhouette_ : float or None
        Silhouette of the final groups on the sample (None for a single group).
    silhouette_scores_ : dict of int to float
        Silhouette of each candidate's groups on a seeded subset of ``SILHOUETTE_ROWS`` (1,000)
        rows of the sample, for comparison (not used to choose).
    notes_ : tuple of str
        What the fit had to say, e.g. components that came out empty and were dropped.
    descriptions_ : tuple of str
        One sentence per group: size, typical level per catalog, strongest and weakest domains,
        typical kind and bed band.
    sizes_ : numpy.ndarray of int, shape (n_groups_,)
    feature_names_ : tuple of str
    n_features_in_ : int

    Notes
    -----
    Rows are put in canonical order (facility id, then date) before fitting, so groups do not
    depend on the order of the table. A seeded sample of ``sample_size`` rows (every row when
    there are fewer) is fitted with a Gaussian mixture with diagonal covariances and a variance
    floor of :data:`VARIANCE_FLOOR` (in standardised units; domain scores are discrete and
    pile up at 0 and 100 %, on which unfloored components collapse), ``MIXTURE_STARTS``
    k-means starts. With ``n_groups`` None, every count from 1 to ``max_groups`` is fitted and
    the lowest BIC wins. Every row is then assigned to its most probable component; a component
    no row falls in is dropped (said in ``notes_``). Groups are numbered by the mean overall
    score of their members.

    Examples
    --------
    >>> import readiness
    >>> from readiness import synthetic
    >>> from readiness.peers import PeerGroups
    >>> catalog = readiness.load_catalog("vn-emr")
    >>> table = readiness.score_many(catalog, synthetic.status_matrix(catalog, 300, seed=3))
    >>> groups = PeerGroups(n_groups=3, random_state=0).fit(table)
    >>> groups.n_groups_, groups.labels_.shape
    (3, (300,))
    """

    def __init__(
        self,
        n_groups: int | None = None,
        *,
        features: Features = "domains",
        attributes: Sequence[str] = (),
        random_state: int | None = None,
        max_groups: int = 12,
        sample_size: int = 5000,
    ) -> None:
        self.n_groups = n_groups
        self.features = features
        self.attributes = attributes
        self.random_state = random_state
        self.max_groups = max_groups
        self.sample_size = sample_size

    def __repr__(self) -> str:
        """Show the arguments, as scikit-learn does."""
        return (
            f"PeerGroups(n_groups={self.n_groups!r}, features={self.features!r}, "
            f"attributes={tuple(self.attributes)!r}, random_state={self.random_state!r}, "
            f"max_groups={self.max_groups!r}, sample_size={self.sample_size!r})"
        )

    def fit(self, table: ScoreTable) -> PeerGroups:
        """Learn the peer groups of the rows of ``table``.

        Parameters
        ----------
        table : ScoreTable
            One row per facility is expected (e.g. the latest round); with a history each
            assessment is a point of its own.

        Returns
        -------
        PeerGroups
            ``self``, fitted.

        Raises
        ------
        readiness.errors.OptionError
            An argument is invalid, there are fewer distinct profiles than groups, or there is
            no feature to compare facilities by.
        """
        from sklearn.metrics import silhouette_score  # noqa: PLC0415 (sklearn loads on use only)

        table = _check_table(table, "PeerGroups.fit")
        features = _check_features(self.features)
        attributes = _check_attributes(table, self.attributes, "attributes")
        seed = _seed(self.random_state)
        max_groups = _positive_int(self.max_groups, "max_groups", 1)
        sample_size = _positive_int(self.sample_size, "sample_size", 3)
        if self.n_groups is not None:
            _positive_int(self.n_groups, "n_groups")
        count = len(table)
        order = _canonical(table)
        encoder = _Encoder.fit(table, order, features, attributes)
        X = encoder.transform(table, order)
        distinct = len(np.unique(X, axis=0))
        rng = np.random.default_rng(seed)
        if count > sample_size:
            sample = np.sort(rng.choice(count, size=sample_size, replace=False))
        else:
            sample = np.arange(count)
        S = X[sample]
        few = np.sort(rng.choice(len(S), size=min(SILHOUETTE_ROWS, len(S)), replace=False))
        bic: dict[int, float] = {}
        silhouettes: dict[int, float] = {}
        confidence = None
        with _limits():
            if self.n_groups is None:
                top = min(max_groups, distinct, len(sample))
                models = {}
                for k in range(1, top + 1):
                    models[k] = _mixture(S, k, seed)
                    bic[k] = float(models[k].bic(S))
                    labels_k = models[k].predict(S[few])
                    if 2 <= len(np.unique(labels_k)) < len(labels_k):
                        silhouettes[k] = float(silhouette_score(S[few], labels_k))
                best = min(bic.values())
                n_groups = min(k for k, b in bic.items() if b <= best + 1e-9)
                weights = {k: math.exp(-(b - best) / 2) for k, b in bic.items()}
                confidence = round(weights[n_groups] / sum(weights.values()), 4)
                model = models[n_groups]
            else:
                n_groups = int(self.n_groups)
                if n_groups > distinct:
                    raise OptionError(
                        f"n_groups is larger than the number of distinct profiles ({distinct})",
                        key="n_groups",
                        value=n_groups,
                    )
                model = _mixture(S, n_groups, seed)
            raw = np.asarray(model.predict(X), dtype=np.intp)
            used = np.unique(raw)
            notes = []
            if len(used) < n_groups:
                dropped = n_groups - len(used)
                notes.append(
                    f"{dropped} of {n_groups} groups had no member and were dropped "
                    f"({len(used)} groups)"
                )
            means = np.asarray(model.means_, dtype=np.float64)[used]
            compact = np.full(n_groups, -1, dtype=np.intp)
            compact[used] = np.arange(len(used))
            raw_labels = compact[raw]
            found = len(used)
            overall = table.overall[order].astype(np.float64)
            keyed = []
            for g in range(found):
                members = overall[raw_labels == g]
                members = members[~np.isnan(members)]
                mean = float(members.mean()) if len(members) else -math.inf
                keyed.append((mean, tuple(means[g].tolist()), g))
            new_of_old = np.empty(found, dtype=np.intp)
            for new, (_, _, old) in enumerate(sorted(keyed)):
                new_of_old[old] = new
            labels_canonical = new_of_old[raw_labels]
            silhouette = None
            sample_labels = labels_canonical[sample]
            if 2 <= len(np.unique(sample_labels)) < len(sample):
                silhouette = float(silhouette_score(S, sample_labels))
        labels = np.empty(count, dtype=np.intp)
        labels[order] = labels_canonical
        self._encoder = encoder
        self._model = model
        self._compact = compact
        self._new_of_old = new_of_old
        self.labels_ = labels
        self.centers_ = means[np.argsort(new_of_old)]
        self.n_groups_ = found
        self.bic_scores_ = bic
        self.n_groups_confidence_ = confidence
        self.silhouette_ = silhouette
        self.silhouette_scores_ = silhouettes
        self.notes_ = tuple(notes)
        self.sizes_ = np.bincount(labels, minlength=found)
        self.feature_names_ = encoder.names
        self.n_features_in_ = len(encoder.names)
        self.descriptions_ = _describe(table, labels, found)
        return self

    def _fitted(self) -> None:
        if not hasattr(self, "labels_"):
            raise _not_fitted(self)

    def predict(self, table: ScoreTable) -> Int:
        """Return the peer group of each row of ``table`` (most probable group).

        Raises
        ------
        readiness.errors.NotFittedError
            Called before :meth:`fit`.
        """
        self._fitted()
        table = _check_table(table, "PeerGroups.predict")
        self._encoder.check(table)
        X = self._encoder.transform(table, np.arange(len(table)))
        with _limits():
            proba = np.asarray(self._model.predict_proba(X), dtype=np.float64)
        kept = np.flatnonzero(self._compact >= 0)
        raw = kept[np.argmax(proba[:, kept], axis=1)]
        labels: Int = self._new_of_old[self._compact[raw]]
        return labels

    def fit_predict(self, table: ScoreTable) -> Int:
        """Fit and return :attr:`labels_`."""
        labels: Int = self.fit(table).labels_
        return labels


#: Variance floor of every mixture component, in standardised units (scikit-learn's
#: ``reg_covar``). Measured on planted groups (docs/peers.md): 0.03 to 0.2 let components
#: collapse onto the piles of facilities at exactly 0 or 100 % in a domain (8-10 groups for 3
#: planted); 0.5 recovered the planted counts.
VARIANCE_FLOOR = 0.5
#: k-means starts of each mixture fit (the best likelihood is kept).
MIXTURE_STARTS = 3
#: Rows of the (seeded, random) sample on which candidates' silhouettes are reported.
SILHOUETTE_ROWS = 1000


def _mixture(X: Float, k: int, seed: int) -> Any:
    """Fit a diagonal Gaussian mixture of ``k`` components to ``X`` (seeded)."""
    from sklearn.mixture import GaussianMixture  # noqa: PLC0415 (sklearn loads on use only)

    return GaussianMixture(
        n_components=k,
        covariance_type="diag",
        reg_covar=VARIANCE_FLOOR,
        n_init=MIXTURE_STARTS,
        random_state=seed,
    ).fit(X)


def _plural(kind: str) -> str:
    words = kind.replace("_", " ")
    if words == "other":
        return "other facilities"
    return words + "s"


def _describe(table: ScoreTable, labels: Int, count: int) -> tuple[str, ...]:
    compiled = table.compiled
    rows_all = np.arange(len(table))
    kinds = _labels(table, rows_all, "kind")
    bands = _bands(table, rows_all)
    total = len(table)
    out = []
    for g in range(count):
        rows = np.flatnonzero(labels == g)
        size = len(rows)
        assert size, "groups without members are dropped by fit"
        levels = []
        for k, catalog_id in enumerate(compiled.frameworks):
            values = table.level[k, rows]
            values = values[values >= 0]
            if len(values):
                typical = int(np.quantile(values, 0.5, method="lower"))
                levels.append(f"{catalog_id} {typical}")
        level_text = ", ".join(levels) if levels else "none (no catalog applies)"
        medians = []
        for d, domain in enumerate(compiled.domains):
            values = table.domains[d, rows]
            values = values[~np.isnan(values)]
            if 2 * len(values) >= size:  # the domain applies to most members
                medians.append((float(np.median(values)), d, domain))
        if medians:
            strongest = max(medians, key=lambda m: (m[0], -m[1]))
            weakest = min(medians, key=lambda m: (m[0], m[1]))
            domain_text = (
                f"strongest domain {strongest[2]} (median {strongest[0]:.0f}%), "
                f"weakest {weakest[2]} (median {weakest[0]:.0f}%)"
            )
        else:
            domain_text = "no domain applies to most members"
        kind_values, kind_counts = np.unique(kinds[rows].astype(str), return_counts=True)
        top_kind = int(np.argmax(kind_counts))
        band_counts = np.bincount(bands[rows], minlength=len(BED_BANDS))
        top_band = int(np.argmax(band_counts))
        out.append(
            f"Group {g + 1} of {count}: {size:,} {'facility' if size == 1 else 'facilities'} "
            f"({size / total:.0%}); "
            f"typical level {level_text}; {domain_text}; "
            f"mostly {_plural(str(kind_values[top_kind]))} ({kind_counts[top_kind] / size:.0%}), "
            f"typically {BED_BANDS[top_band][2]} ({band_counts[top_band] / size:.0%})."
        )
    return tuple(out)


# --------------------------------------------------------------------------- benchmarks


@attrs.frozen(kw_only=True)
class BenchmarkEntry:
    """A facility's standing on one metric within one cohort."""

    cohort: str  # "peer_group", "kind", "ownership", "bed_band", "region" or an attribute
    cohort_value: str  # e.g. "hospital", "group 3"
    metric: str  # "overall" or a domain "catalog:domain"
    value: float | None  # the facility's score (0-100); None when nothing applies
    percentile: float | None  # 0-100, ties counted half; None with a note
    size: int  # facilities of the cohort with a value for this metric
    note: str  # why there is no percentile ("" when there is one)

    def explain(self) -> str:
        """Say it in words."""
        where = f"{self.cohort} {self.cohort_value!r} (n={self.size:,})"
        if self.percentile is None:
            return f"{self.metric}: {where}: {self.note}"
        return f"{self.metric} {self.value:.1f}: percentile {self.percentile:.0f} of {where}"


@attrs.frozen(kw_only=True)
class FacilityBenchmark:
    """Every benchmark of one facility-assessment (see :func:`benchmark`)."""

    facility: Facility
    date: dt.date
    entries: tuple[BenchmarkEntry, ...]

    def entry(self, cohort: str, metric: str = "overall") -> BenchmarkEntry:
        """Return the entry of ``cohort`` and ``metric``."""
        for item in self.entries:
            if item.cohort == cohort and item.metric == metric:
                return item
        raise OptionError("no such cohort and metric", key="cohort", value=(cohort, metric))

    def explain(self, *, metrics: Iterable[str] | None = None) -> str:
        """Return the benchmarks as lines of text (default: every metric)."""
        wanted = None if metrics is None else set(metrics)
        lines = [f"{self.facility.id} on {self.date.isoformat()}:"]
        lines.extend(
            f"  {e.explain()}" for e in self.entries if wanted is None or e.metric in wanted
        )
        return "\n".join(lines)


@attrs.frozen(kw_only=True, eq=False)
class Benchmark:
    """Percentiles of every row within its peer group and cohorts (returned by :func:`benchmark`).

    Arrays are (metrics, rows); ``percentile`` is NaN where there is none (no score, or a cohort
    smaller than ``min_cohort``); ``size`` counts the cohort's facilities with a value.
    """

    table: ScoreTable
    metrics: tuple[str, ...]
    cohorts: tuple[str, ...]
    values: Float  # (M, n) scores 0-100, NaN when nothing applies
    percentile: Mapping[str, Float]  # cohort -> (M, n)
    size: Mapping[str, npt.NDArray[np.int64]]  # cohort -> (M, n)
    cohort_codes: Mapping[str, Int]  # cohort -> (n,) index into cohort_names
    cohort_names: Mapping[str, tuple[str, ...]]
    min_cohort: int

    def __len__(self) -> int:
        """Return the number of rows."""
        return len(self.table)

    def row(self, facility_id: str) -> int:
        """Return the row of ``facility_id`` (its latest assessment)."""
        found = [j for j in range(len(self)) if self.table.facility(j).id == facility_id]
        if not found:
            raise OptionError(
                "no such facility in the benchmark", key="facility", value=facility_id
            )
        return max(found, key=lambda j: self.table.dates[j])

    def facility(self, j: int | str) -> FacilityBenchmark:
        """Return the benchmarks of row ``j`` (or of a facility id's latest row)."""
        j = self.row(j) if isinstance(j, str) else _row(self.table, j)
        entries = []
        for cohort in self.cohorts:
            name = self.cohort_names[cohort][int(self.cohort_codes[cohort][j])]
            for m, metric in enumerate(self.metrics):
                value = float(self.values[m, j])
                size = int(self.size[cohort][m, j])
                pct = float(self.percentile[cohort][m, j])
                note = ""
                if math.isnan(value):
                    note = "no score: nothing in it applies to this facility"
                elif size < self.min_cohort:
                    note = f"cohort of {size} < {self.min_cohort}: no percentile"
                entries.append(
                    BenchmarkEntry(
                        cohort=cohort,
                        cohort_value=name,
                        metric=metric,
                        value=None if math.isnan(value) else round(value, 4),
                        percentile=None if math.isnan(pct) else round(pct, 4),
                        size=size,
                        note=note,
                    )
                )
        return FacilityBenchmark(
            facility=self.table.facility(j),
            date=_to_date(float(_days(self.table)[j])),
            entries=tuple(entries),
        )


def _percentiles(codes: Int, values: Float, groups: int) -> tuple[Float, npt.NDArray[np.int64]]:
    """Percentile of each value within its group, ties counted half, and the group sizes."""
    count = len(codes)
    out = np.full(count, np.nan)
    valid = np.flatnonzero(~np.isnan(values))
    sizes = np.bincount(codes[valid], minlength=groups).astype(np.int64)
    if len(valid):
        c, v = codes[valid], values[valid]
        order = np.lexsort((v, c))
        sc, sv = c[order], v[order]
        position = np.arange(len(order))
        new_group = np.ones(len(order), dtype=bool)
        new_group[1:] = sc[1:] != sc[:-1]
        new_run = new_group.copy()
        new_run[1:] |= sv[1:] != sv[:-1]
        group_start = np.maximum.accumulate(np.where(new_group, position, 0))
        run_start = np.maximum.accumulate(np.where(new_run, position, 0))
        run_id = np.cumsum(new_run) - 1
        run_length = np.bincount(run_id)[run_id]
        below = run_start - group_start
        out[valid[order]] = 100.0 * (below + 0.5 * run_length) / sizes[sc]
    return out, sizes[codes]


def benchmark(
    table: ScoreTable,
    *,
    groups: PeerGroups | npt.ArrayLike | None = None,
    cohorts: Sequence[str] = _STANDARD_COHORTS,
    min_cohort: int = 5,
) -> Benchmark:
    """Rank every row within its peer group and cohorts, overall and per domain.

    Parameters
    ----------
    table : ScoreTable
    groups : PeerGroups or array of int, optional
        Peer group of each row: a fitted :class:`PeerGroups` (its ``predict``) or labels. Adds the
        cohort ``"peer_group"`` first.
    cohorts : sequence of str
        Attributes to form cohorts by: ``kind``, ``ownership``, ``bed_band`` (:data:`BED_BANDS`),
        ``region`` or a free attribute.
    min_cohort : int
        Smallest cohort (facilities with a value) that gets a percentile; smaller ones give None
        with the note ``"cohort of 3 < 5: no percentile"``.

    Returns
    -------
    Benchmark

    Notes
    -----
    Percentile of value v in a cohort of n facilities with a value (the facility included):
    ``100 * (below + equal / 2) / n``, where ``below`` counts values lower than v and ``equal``
    values equal to it (the facility itself among them): ties count half, so equal scores get
    equal percentiles and a cohort's percentiles average 50. Facilities without a score for a
    metric (nothing in it applies) are left out of that metric's cohorts. Vectorised: one sort
    per cohort and metric.

    Examples
    --------
    >>> import readiness
    >>> from readiness import synthetic
    >>> from readiness.peers import benchmark
    >>> catalog = readiness.load_catalog("vn-emr")
    >>> table = readiness.score_many(catalog, synthetic.status_matrix(catalog, 200, seed=3))
    >>> result = benchmark(table, cohorts=("kind",))
    >>> result.facility(0).entry("kind").cohort_value
    'commune_station'
    """
    table = _check_table(table, "benchmark")
    min_cohort = _positive_int(min_cohort, "min_cohort")
    names = _check_attributes(table, cohorts, "cohorts")
    count = len(table)
    rows = np.arange(count)
    codes: dict[str, Int] = {}
    labels_of: dict[str, tuple[str, ...]] = {}
    if groups is not None:
        if isinstance(groups, PeerGroups):
            labels = groups.predict(table)
        else:
            labels = np.asarray(groups)
            if labels.shape != (count,) or not np.issubdtype(labels.dtype, np.integer):
                raise OptionError(
                    f"groups must be a fitted PeerGroups or {count} whole numbers",
                    key="groups",
                    value=labels.shape,
                )
        unique, inverse = np.unique(labels, return_inverse=True)
        codes["peer_group"] = np.asarray(inverse, dtype=np.intp).reshape(-1)
        labels_of["peer_group"] = tuple(f"group {int(g) + 1}" for g in unique)
    for name in names:
        values = _labels(table, rows, name).astype(str)
        unique_s, inverse_s = np.unique(values, return_inverse=True)
        codes[name] = np.asarray(inverse_s, dtype=np.intp).reshape(-1)
        labels_of[name] = tuple(str(v) for v in unique_s)
    compiled = table.compiled
    metrics = ("overall", *compiled.domains)
    values_all = np.vstack([table.overall[None, :], table.domains]).astype(np.float64)
    percentile: dict[str, Float] = {}
    sizes: dict[str, npt.NDArray[np.int64]] = {}
    for cohort, code in codes.items():
        pct = np.empty((len(metrics), count))
        size = np.empty((len(metrics), count), dtype=np.int64)
        for m in range(len(metrics)):
            pct[m], size[m] = _percentiles(code, values_all[m], len(labels_of[cohort]))
        pct[size < min_cohort] = np.nan
        percentile[cohort] = pct
        sizes[cohort] = size
    return Benchmark(
        table=table,
        metrics=metrics,
        cohorts=tuple(codes),
        values=values_all,
        percentile=percentile,
        size=sizes,
        cohort_codes=codes,
        cohort_names=labels_of,
        min_cohort=min_cohort,
    )


# --------------------------------------------------------------------------- peer-informed steps


@attrs.frozen(kw_only=True)
class PeerSuggestion:
    """A frontier criterion, what the peers did about it, and where it ranks.

    ``support`` counts the peers that have it effectively met now. With histories
    (``basis == "history"``), ``next_support`` counts the peers that met it *first* among the
    criteria weighed (their next step from where the facility stands), out of ``evidence`` peers
    that met any of them; without, both are None. ``order_score`` (0-1) is the share of
    pairwise contests with the other criteria weighed that it wins in the adoption order of
    every fitted facility (how often facilities met it before, or without, the other).
    """

    criterion: str
    title: str
    support: int  # peers that met it
    peers: int  # peers consulted
    share: float  # support / peers
    sentence: str
    next_support: int | None = None  # peers that met it first among the criteria weighed
    evidence: int | None = None  # peers that met any of the criteria weighed
    order_score: float = 0.5


#: How a ranking was made: from the peers' histories, or from where the peers stand today.
Basis = Literal["history", "current"]


@attrs.frozen(kw_only=True)
class PeerSuggestions:
    """What the most similar facilities further along did (see :class:`PeerAdvisor`).

    ``items`` covers every criterion weighed (by default the whole frontier), best first:
    with ``basis == "history"`` by ``next_support``, then ``order_score``, then ``support``;
    with ``basis == "current"`` by ``support``, then ``order_score``; last by level and
    position in the prerequisite order; never above one of its own prerequisites that is
    weighed too. Offered beside the rule-based ranking, never instead.
    """

    facility: Facility
    catalog: str
    level: int | None
    peer_level: int | None  # peers are at this level or above
    peers: tuple[str, ...]  # facility ids, most similar first
    items: tuple[PeerSuggestion, ...]
    note: str
    basis: Basis = "current"
    evidence: int | None = None  # history peers (they met one of the criteria weighed)
    history_peers: tuple[str, ...] = ()  # facility ids whose histories were learned from

    def support(self) -> dict[str, float]:
        """Return the ranking share of every criterion weighed (a :func:`rerank` input).

        ``next_support / evidence`` with histories, ``support / peers`` without.
        """
        out = {}
        for item in self.items:
            if self.basis == "history" and item.next_support is not None and item.evidence:
                out[item.criterion] = round(item.next_support / item.evidence, 4)
            else:
                out[item.criterion] = item.share
        return out

    def explain(self, *, top: int | None = None) -> str:
        """Return the suggestions as text (the ``top`` best ranked)."""
        head = f"{self.facility.id}: level {self.level} of {self.catalog}"
        if not self.peers:
            return f"{head}: {self.note}"
        lines = [f"{head}; {self.note}"]
        lines.extend(f"  {item.criterion}: {item.sentence}" for item in self.items[:top])
        return "\n".join(lines)


#: Distances equal within this relative tolerance are ties (broken by facility id).
TIE_TOLERANCE = 1e-9


def _closest(d: Float, who: Int, k: int) -> Int:
    """Return the ``k`` of ``who`` with the smallest ``d``; equal distances by ``who``.

    Distances equal within :data:`TIE_TOLERANCE` (relative) form one tie group.
    """
    if not len(who):
        return who
    by_distance = np.argsort(d, kind="stable")
    d, who = d[by_distance], who[by_distance]
    step = np.diff(d) > TIE_TOLERANCE * np.maximum(d[1:], 1e-300) + 1e-12
    group = np.r_[0, np.cumsum(step)]
    chosen: Int = who[np.lexsort((who, group))][:k]
    return chosen


def _row(table: ScoreTable, j: object, key: str = "j") -> int:
    """Return the row of ``j``: a row number, or a facility id (its latest assessment)."""
    count = len(table)
    if isinstance(j, str):
        found = [i for i, f in enumerate(table.facilities) if f.id == j]
        if len(found) == 1:
            rows = np.flatnonzero(table.rows == found[0])
        else:
            rows = np.flatnonzero(np.isin(table.rows, found)) if found else np.array([], int)
        if not len(rows):
            raise OptionError("no such facility in the table", key=key, value=j)
        days = table.dates[rows].astype("datetime64[D]")
        return int(rows[np.flatnonzero(days == days.max())[-1]])
    if isinstance(j, bool) or not isinstance(j, int | np.integer):
        raise OptionError(f"{key} must be a row number or a facility id", key=key, value=j)
    if not -count <= j < count:
        raise OptionError(f"row {j} is out of range for {count} rows", key=key, value=j)
    return int(j) % count


class PeerAdvisor:
    """Peer-informed next steps: what the nearest facilities further along did next.

    Parameters
    ----------
    n_neighbors : int
        Peers consulted (the most similar facilities at the peer level or above).
    min_level_gain : int
        Peers must be at least this many levels above the facility in ``catalog`` (0: at its
        level or above, every facility where the catalog applies for a facility at level 0).
    catalog : str, optional
        The catalog whose gated level defines "further along"; default: the catalog the table
        was scored against (``table.catalog.id``).
    features : {"domains", "criteria"}
        Profile features, as in :class:`PeerGroups`.
    attributes : sequence of str
        Attributes added to the profile, as in :class:`PeerGroups`.

    Attributes
    ----------
    catalog_ : str
    levels_ : numpy.ndarray of int, shape (n_fit,)
        Gated level of each indexed facility (-1: the catalog does not apply).
    facility_ids_ : tuple of str
        Indexed facilities (the latest assessment of each), in canonical order.
    met_ : numpy.ndarray of bool, shape (n_fit, criteria)
        Which criteria each indexed facility has effectively met (latest assessment).
    first_round_ : numpy.ndarray of int16, shape (n_fit, criteria)
        Round (0: first assessment) in which each facility first effectively met each criterion
        (32767: never).
    assessments_ : numpy.ndarray of int, shape (n_fit,)
        Dated assessments of each indexed facility.
    precedence_ : numpy.ndarray, shape (criteria, criteria)
        Facilities that met criterion a in an earlier round than b (b later or never).
    has_history_ : bool
        Whether some facility has two or more assessments.
    n_levels_ : int
    feature_names_ : tuple of str
    n_features_in_ : int

    Notes
    -----
    ``fit`` keeps the standardised profile of the latest assessment of each facility, and
    learns from every assessment when each facility first met each criterion (see
    :mod:`readiness._peers_order`).

    For a facility at level L, :meth:`suggest` finds its ``n_neighbors`` nearest facilities
    (exact Euclidean distance, brute force: one matrix-vector product, then the shortlist
    measured exactly) at level ``L + min_level_gain`` or above (never itself; ties in distance
    go to the facility id that sorts first, so there is no ``random_state``) and, for each
    criterion of
    its frontier, counts the peers that have it effectively met now (``support``). When some
    peer has two or more assessments, it also counts the peers that met it *first* among the
    criteria weighed (``next_support``: what they did next from where the facility stands) and
    ranks by that (``basis="history"``); otherwise it ranks by ``support``
    (``basis="current"``). Ties go to the criterion facilities generally met earlier
    (``order_score``, from every fitted facility), then to the lower level and earlier
    position in the prerequisite order; a criterion never ranks above one of its prerequisites.

    Examples
    --------
    >>> import readiness
    >>> from readiness import synthetic
    >>> from readiness.peers import PeerAdvisor
    >>> catalog = readiness.load_catalog("vn-emr")
    >>> table = readiness.score_many(catalog, synthetic.status_matrix(catalog, 400, seed=3))
    >>> advisor = PeerAdvisor(n_neighbors=10).fit(table)
    >>> result = advisor.suggest(table, 0)
    >>> result.basis, result.items[0].sentence
    ('current', 'met by 10 of the 10 most similar facilities at level 2 or above')
    """

    def __init__(
        self,
        n_neighbors: int = 10,
        *,
        min_level_gain: int = 1,
        catalog: str | None = None,
        features: Features = "domains",
        attributes: Sequence[str] = ("kind", "ownership", "beds"),
    ) -> None:
        self.n_neighbors = n_neighbors
        self.min_level_gain = min_level_gain
        self.catalog = catalog
        self.features = features
        self.attributes = attributes

    def __repr__(self) -> str:
        """Show the arguments, as scikit-learn does."""
        return (
            f"PeerAdvisor(n_neighbors={self.n_neighbors!r}, "
            f"min_level_gain={self.min_level_gain!r}, catalog={self.catalog!r}, "
            f"features={self.features!r}, attributes={tuple(self.attributes)!r})"
        )

    def fit(self, table: ScoreTable) -> PeerAdvisor:
        """Index the latest assessment of every facility and learn from every assessment.

        Parameters
        ----------
        table : ScoreTable
            Scored with ``details=True``; one or several dated assessments per facility (a
            history), rows in any order.

        Returns
        -------
        PeerAdvisor
            ``self``, fitted.

        Raises
        ------
        readiness.errors.OptionError
            An argument is invalid, the table was scored without ``details=True``, a facility
            is assessed twice on one date, or there is no feature to compare facilities by.
        readiness.errors.UnknownIdError
            ``catalog`` is not in the table.
        """
        table = _check_table(table, "PeerAdvisor.fit")
        _positive_int(self.n_neighbors, "n_neighbors")
        _positive_int(self.min_level_gain, "min_level_gain", 0)
        features = _check_features(self.features)
        attributes = _check_attributes(table, self.attributes, "attributes")
        catalog = self.catalog if self.catalog is not None else table.catalog.id
        if not isinstance(catalog, str):
            raise OptionError("catalog must be a catalog id", key="catalog", value=catalog)
        k = table.catalog_row(catalog)
        state = _state(table, "PeerAdvisor")
        order = _canonical(table)
        ranks = _id_rank(table)[order]
        days = _days(table)[order]
        twice = np.flatnonzero((ranks[1:] == ranks[:-1]) & (days[1:] == days[:-1]))
        if len(twice):
            raise OptionError(
                "a facility is assessed twice on the same date",
                key="table",
                value=table.facility(int(order[twice[0]])).id,
            )
        last = np.ones(len(order), dtype=bool)
        last[:-1] = ranks[1:] != ranks[:-1]
        stops = np.flatnonzero(last) + 1
        starts = np.r_[0, stops[:-1]].astype(np.intp)
        rows = order[last]
        encoder = _Encoder.fit(table, rows, features, attributes)
        X = encoder.transform(table, rows)
        levels = table.level[k, rows].astype(np.intp)
        a, b = table.compiled.level_ranges[k]
        with _limits():
            history = learn_history(state, order, starts, stops.astype(np.intp))
        self._encoder = encoder
        self._X = X
        self._X32 = X.astype(np.float32)
        self._norms32 = np.einsum("ij,ij->i", self._X32, self._X32)
        self._largest = float(np.einsum("ij,ij->i", X, X).max(initial=0.0))
        ids = tuple(table.facility(int(j)).id for j in rows)
        self._row_of = {fid: i for i, fid in enumerate(ids)}
        self.catalog_ = catalog
        self.levels_ = levels
        self.facility_ids_ = ids
        self.met_ = np.ascontiguousarray((state[:, rows] == MET).T)
        self.first_round_ = history.first_round
        self.assessments_ = history.assessments
        self.precedence_ = history.precedence
        self.has_history_ = bool((history.assessments >= 2).any())
        self.n_levels_ = b - a
        self.feature_names_ = encoder.names
        self.n_features_in_ = len(encoder.names)
        return self

    def _fitted(self) -> None:
        if not hasattr(self, "met_"):
            raise _not_fitted(self)

    def suggest(
        self,
        table: ScoreTable,
        j: int | str,
        *,
        frontier: str | NextStep | Iterable[str | NextStep] | None = None,
    ) -> PeerSuggestions:
        """Say what the nearest further-along peers of row ``j`` did about its frontier.

        Parameters
        ----------
        table : ScoreTable
            Scored with ``details=True`` against the same catalog as the fitted table (it may
            be the fitted table itself).
        j : int or str
            Row of the facility in ``table``, or a facility id (its latest assessment in
            ``table``), as :meth:`Benchmark.facility` accepts.
        frontier : str, NextStep or iterable of them, optional
            The criteria to weigh, e.g. ``plan_table.next_steps(j)`` or criterion keys (a single
            string is one criterion key); default: the whole frontier (applicable, not
            effectively met, every prerequisite effectively met), as the planner defines it.

        Returns
        -------
        PeerSuggestions

        Raises
        ------
        readiness.errors.NotFittedError
            Called before :meth:`fit`.
        readiness.errors.OptionError
            ``j`` is not a row number in range nor a facility id of ``table``; a frontier item
            is neither a criterion key nor a NextStep.
        readiness.errors.UnknownCriterionError
            A frontier key is not a criterion of the catalog.
        """
        self._fitted()
        table = _check_table(table, "PeerAdvisor.suggest")
        self._encoder.check(table)
        j = _row(table, j)
        compiled = table.compiled
        facility = table.facility(j)
        k = table.catalog_row(self.catalog_)
        level = int(table.level[k, j])
        candidates = self._frontier(table, j, frontier)

        def empty(note: str, peer_level: int | None) -> PeerSuggestions:
            return PeerSuggestions(
                facility=facility,
                catalog=self.catalog_,
                level=None if level < 0 else level,
                peer_level=peer_level,
                peers=(),
                items=(),
                note=note,
            )

        if level < 0:
            return empty(f"{self.catalog_} does not apply to this facility", None)
        gain = int(self.min_level_gain)
        target = level + gain
        if target > self.n_levels_:
            return empty(f"no facility can be {gain} levels further along", None)
        further = self.levels_ >= target
        if not further.any():
            return empty(f"no facility at level {target} or above to learn from", target)
        own = self._row_of.get(facility.id)
        if own is not None:
            further[own] = False
        x = self._encoder.transform(table, np.array([j], dtype=np.intp))
        approx = self._approximate(x)
        neighbours = self._nearest(np.flatnonzero(further), approx, x, int(self.n_neighbors))
        if not len(neighbours):
            return empty(f"no other facility at level {target} or above to learn from", target)
        peers = len(neighbours)
        met = self.met_[neighbours][:, candidates].sum(axis=0)
        starters = self._starters(further, candidates, approx, x)
        basis: Basis = "history" if len(starters) else "current"
        votes, evidence = peer_votes(self.first_round_[starters], candidates)
        scores = order_score(self.precedence_, candidates)
        who = (
            f"the {peers} most similar facilities" if peers > 1 else "the one most similar facility"
        )
        where = f"{who} at level {target} or above"
        items = []
        for i, (c, s) in enumerate(zip(candidates.tolist(), met.tolist(), strict=True)):
            key = compiled.keys[c]
            if basis == "history":
                sentence = (
                    f"met first by {int(votes[i])} of the {evidence} most similar facilities "
                    f"at level {target} or above whose history orders these steps; "
                    f"met by {int(s)} of {where}"
                )
            else:
                sentence = f"met by {int(s)} of {where}"
            items.append(
                PeerSuggestion(
                    criterion=key,
                    title=table.catalog.criteria[key].title.en,
                    support=int(s),
                    peers=peers,
                    share=round(int(s) / peers, 4),
                    sentence=sentence,
                    next_support=int(votes[i]) if basis == "history" else None,
                    evidence=evidence if basis == "history" else None,
                    order_score=round(float(scores[i]), 4),
                )
            )
        ranked = _rank(compiled, candidates, items, basis)
        shortfall = f" (only {peers} such facilities)" if peers < int(self.n_neighbors) else ""
        how = (
            "ranked by what they met first, from their histories"
            if basis == "history"
            else "ranked by what they have met now (no history)"
        )
        return PeerSuggestions(
            facility=facility,
            catalog=self.catalog_,
            level=level,
            peer_level=target,
            peers=tuple(self.facility_ids_[int(n)] for n in neighbours),
            items=ranked,
            note=f"peers: {where} of {self.catalog_}{shortfall}; {how}",
            basis=basis,
            evidence=evidence if basis == "history" else None,
            history_peers=tuple(self.facility_ids_[int(n)] for n in starters),
        )

    def _approximate(self, x: Float) -> tuple[npt.NDArray[np.float32], float]:
        """Return squared distances of ``x`` to every indexed facility, roughly, and a margin.

        ``|a - x|^2 = |a|^2 - 2 a.x + |x|^2`` in single precision: one fast matrix-vector
        product. The margin bounds its rounding error (generously); :meth:`_nearest` keeps every
        facility within it of the k-th distance and measures those exactly.
        """
        x32 = x[0].astype(np.float32)
        dot = np.einsum("ij,j->i", self._X32, x32)
        squared = self._norms32 - np.float32(2.0) * dot + np.float32(x32 @ x32)
        margin = 1e-4 * (self._largest + float(x[0] @ x[0])) + 1e-9
        return squared, margin

    def _nearest(
        self, pool: Int, approx: tuple[npt.NDArray[np.float32], float], x: Float, k: int
    ) -> Int:
        """Return the ``k`` facilities of ``pool`` nearest to ``x``, exactly; ties by id.

        A shortlist by the rough squared distances (every facility within the margin of the
        k-th), then exact Euclidean distances in double precision on the shortlist. Indexed
        facilities are in facility id order, so equal distances go to the smaller id.
        """
        if not len(pool):
            return pool
        squared, margin = approx
        d = squared[pool]
        if len(pool) > k:
            bound = float(np.partition(d, k - 1)[k - 1])
            pool = pool[d <= bound + margin]
        exact = np.sqrt(((self._X[pool] - x[0]) ** 2).sum(axis=1))
        return _closest(exact, pool, k)

    def _starters(
        self,
        further: Bool,
        candidates: Int,
        approx: tuple[npt.NDArray[np.float32], float],
        x: Float,
    ) -> Int:
        """Return the nearest peers whose history shows one candidate met after another.

        Peers are the facilities of ``further`` with two or more assessments. They are looked
        for among the nearest, widening the search eightfold until ``n_neighbors`` qualify,
        then measured as :meth:`_nearest` does.
        """
        k = int(self.n_neighbors)
        if not len(candidates):
            return np.array([], dtype=np.intp)
        pool = np.flatnonzero(further & (self.assessments_ >= 2))
        squared, margin = approx
        d = squared[pool]
        take = 32 * k
        while True:
            if take < len(pool):
                bound = float(np.partition(d, take - 1)[take - 1])
                near = d <= bound + margin
            else:
                near = np.ones(len(pool), dtype=bool)
            who = pool[near]
            rounds = self.first_round_[who][:, candidates]
            earliest = rounds.min(axis=1)
            latest = np.where(rounds < NEVER, rounds, -1).max(axis=1)
            ok = earliest < latest
            if ok.sum() >= k or near.all():
                break
            take *= 8
        return self._nearest(who[ok], approx, x, k)

    def tie_breaker(
        self,
        table: ScoreTable,
        j: int | str,
        *,
        frontier: str | NextStep | Iterable[str | NextStep] | None = None,
    ) -> dict[str, float]:
        """Return the ranking share (0-1) of each frontier criterion of row ``j``.

        Pass it to :func:`rerank` with the rule-based next steps of the same row: only steps
        whose rule keys tie are reordered, best supported first (see
        :meth:`PeerSuggestions.support`).
        """
        return self.suggest(table, j, frontier=frontier).support()

    def _frontier(
        self,
        table: ScoreTable,
        j: int,
        frontier: str | NextStep | Iterable[str | NextStep] | None,
    ) -> Int:
        compiled = table.compiled
        if frontier is None:
            state = table.state_column(j)
            applies = state >= MET
            effective = state == MET
            support = support_of(compiled, effective[:, None], applies[:, None])[:, 0]
            rows: Int = np.flatnonzero(applies & ~effective & support).astype(np.intp)
            return rows
        if isinstance(frontier, str | NextStep):
            frontier = [frontier]  # one criterion key (or step), not a string of letters
        if not isinstance(frontier, Iterable):
            raise OptionError(
                "frontier must be criterion keys or NextSteps",
                key="frontier",
                value=type(frontier).__name__,
            )
        found = []
        for item in frontier:
            if isinstance(item, NextStep):
                key = item.criterion
            elif isinstance(item, str):
                key = item
            else:
                raise OptionError(
                    "frontier items must be criterion keys or NextSteps",
                    key="frontier",
                    value=item,
                )
            found.append(compiled.index[table.catalog.resolve(key)])
        return np.array(sorted(set(found)), dtype=np.intp)


def _rank(
    compiled: Any, candidates: Int, items: list[PeerSuggestion], basis: Basis
) -> tuple[PeerSuggestion, ...]:
    """Order suggestions (see :class:`PeerSuggestions`); prerequisites weighed come first."""
    topo_position = np.empty(compiled.size, dtype=np.intp)
    topo_position[compiled.topo] = np.arange(compiled.size)
    numbers = [compiled.levels[int(compiled.level_of[c])].number for c in candidates.tolist()]

    def key(i: int) -> tuple[float, ...]:
        item = items[i]
        first = -(item.next_support or 0) if basis == "history" else -item.support
        later = -item.support if basis == "history" else 0
        c = int(candidates[i])
        return (first, -item.order_score, later, numbers[i], int(topo_position[c]))

    preferred = sorted(range(len(items)), key=key)
    position = {int(c): i for i, c in enumerate(candidates.tolist())}
    # unmet prerequisites among the criteria weighed (through any chain of them)
    needs: dict[int, set[int]] = {}
    for i, c in enumerate(candidates.tolist()):
        seen: set[int] = set()
        stack = [int(p) for p in compiled.parents[c]]
        while stack:
            p = stack.pop()
            if p in seen:
                continue
            seen.add(p)
            stack.extend(int(q) for q in compiled.parents[p])
        needs[i] = {position[p] for p in seen if p in position}
    out: list[int] = []
    placed: set[int] = set()
    while len(out) < len(items):
        for i in preferred:
            if i not in placed and needs[i] <= placed:
                out.append(i)
                placed.add(i)
                break
    return tuple(items[i] for i in out)


def _rule_key(step: NextStep) -> tuple[object, ...]:
    """Return the parts of planning rule 8's key a NextStep shows (all but the criterion key)."""
    return (
        step.toward_target,
        step.due,
        step.unblocks,
        step.weight,
        step.effort_days,
        step.cost_vnd,
    )


def rerank(next_steps: Sequence[NextStep], support: Mapping[str, float]) -> tuple[NextStep, ...]:
    """Break ties of the rule-based ranking with peer support; never override the rules.

    Parameters
    ----------
    next_steps : sequence of NextStep
        Ranked by planning rule 8 (``readiness.next_steps`` or ``PlanTable.next_steps``).
    support : mapping of str to float
        Criterion key -> peer support share, e.g. :meth:`PeerAdvisor.tie_breaker`. Missing
        criteria count 0.

    Returns
    -------
    tuple of NextStep
        The same steps. Within each run of consecutive steps whose rule keys are equal (toward
        the target or not, due date, criteria unblocked, weight, effort, cost), which rule 8
        orders only by criterion key, the steps are ordered by support (higher first; equal
        support keeps the rule order). Ranks are renumbered; a step moved by support says so in
        its reason.

    Notes
    -----
    ``NextStep.due`` is the step's own due date; rule 8 ranks by the earliest due date a step
    serves, including those of the criteria it unblocks. Two steps showing equal keys are
    adjacent in the rule order only if the rule found nothing between them, and only adjacent
    runs are reordered, so a step never jumps over one the rules put between.

    Examples
    --------
    >>> import datetime as dt
    >>> from readiness import NextStep
    >>> from readiness._catalog import Text
    >>> def step(rank, key):
    ...     return NextStep(
    ...         rank=rank,
    ...         criterion=key,
    ...         title=Text(en=key, vi=key),
    ...         toward_target=True,
    ...         unblocks=0,
    ...         remaining=3,
    ...         due=None,
    ...         weight=1.0,
    ...         effort_days=30,
    ...         cost_vnd=0.0,
    ...         reason="needed",
    ...     )
    >>> [s.criterion for s in rerank([step(1, "a"), step(2, "b")], {"b": 0.9})]
    ['b', 'a']
    """
    steps = list(next_steps)
    out: list[NextStep] = []
    start = 0
    while start < len(steps):
        stop = start + 1
        while stop < len(steps) and _rule_key(steps[stop]) == _rule_key(steps[start]):
            stop += 1
        run = steps[start:stop]
        if len(run) > 1:
            ordered = sorted(
                enumerate(run),
                key=lambda pair: (-float(support.get(pair[1].criterion, 0.0)), pair[0]),
            )
            for position, (before, step) in enumerate(ordered):
                reason = step.reason
                if position != before:
                    share = float(support.get(step.criterion, 0.0))
                    reason += f"; tie broken by peer support ({share:.0%})"
                out.append(attrs.evolve(step, rank=len(out) + 1, reason=reason))
        else:
            out.append(attrs.evolve(run[0], rank=len(out) + 1))
        start = stop
    return tuple(out)


# --------------------------------------------------------------------------- forecasts


@attrs.frozen(kw_only=True)
class Forecast:
    """When one facility is projected to reach a target level, and what that means for a deadline.

    ``status`` is ``"forecast"`` (dates below), ``"reached"`` (``reason`` says since when) or
    ``"refused"`` (``reason`` says why: never a made-up date).
    """

    facility: Facility
    catalog: str
    target_level: int
    status: ForecastStatus
    reason: str
    points: int  # dated assessments used
    first: dt.date | None
    last: dt.date | None
    current: float | None  # progress measure at the last assessment (0..target_level)
    pace: float | None  # Theil-Sen slope, levels per year
    projected: dt.date | None
    earliest: dt.date | None  # interval (None: no interval, or no bound)
    latest: dt.date | None
    deadline: dt.date | None
    verdict: Verdict | None

    def explain(self) -> str:
        """Say it in words."""
        head = f"{self.facility.id}: level {self.target_level} of {self.catalog}"
        if self.status != "forecast":
            return f"{head}: {self.reason}"
        assert self.projected is not None
        text = f"{head}: projected {self.projected.isoformat()}"
        if self.earliest is not None:
            latest = "no later bound" if self.latest is None else self.latest.isoformat()
            text += f" ({self.earliest.isoformat()} to {latest})"
        text += f", {self.pace:.2f} levels/year from {self.points} assessments"
        if self.deadline is not None and self.verdict is not None:
            text += f"; deadline {self.deadline.isoformat()}: {self.verdict}"
        if self.reason:
            text += f" [{self.reason}]"
        return text


@attrs.frozen(kw_only=True)
class DeadlineSummary:
    """How the facilities facing one deadline are projected to do."""

    deadline: dt.date | None
    facilities: int
    reached: int
    forecasts: int  # facilities with a projected date
    likely_on_time: int
    at_risk: int
    unlikely: int  # projected to miss (verdict "unlikely")
    no_forecast: int  # refused: one assessment, no progress, ...

    @property
    def projected_to_miss(self) -> int:
        """Facilities whose verdict is "unlikely"."""
        return self.unlikely

    def explain(self) -> str:
        """Say it in words."""
        if self.deadline is None:
            return (
                f"no deadline: {self.facilities:,} facilities: {self.reached:,} reached, "
                f"{self.forecasts:,} with a projected date, "
                f"{self.no_forecast:,} without a forecast"
            )
        when = f"deadline {self.deadline.isoformat()}"
        return (
            f"{when}: {self.facilities:,} facilities: {self.reached:,} reached, "
            f"{self.likely_on_time:,} likely on time, {self.at_risk:,} at risk, "
            f"{self.unlikely:,} projected to miss, {self.no_forecast:,} without a forecast"
        )


@attrs.frozen(kw_only=True)
class Forecasts:
    """Forecasts of many facilities toward one target (returned by :func:`forecast`)."""

    catalog: str
    target_level: int
    confidence: float
    items: tuple[Forecast, ...]
    _index: Mapping[str, int] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        """Index the forecasts by facility id."""
        object.__setattr__(
            self, "_index", {item.facility.id: i for i, item in enumerate(self.items)}
        )

    def __len__(self) -> int:
        """Return the number of facilities."""
        return len(self.items)

    def __iter__(self) -> Iterator[Forecast]:
        """Iterate over the forecasts (facilities by id)."""
        return iter(self.items)

    def __getitem__(self, key: int | str) -> Forecast:
        """Return a forecast by position or facility id."""
        if isinstance(key, str):
            if key not in self._index:
                raise OptionError("no forecast for this facility", key="facility", value=key)
            return self.items[self._index[key]]
        if isinstance(key, bool) or not isinstance(key, int | np.integer):
            raise OptionError(
                "a forecast is found by position or facility id", key="key", value=key
            )
        if not -len(self.items) <= key < len(self.items):
            raise OptionError(
                f"position {key} is out of range for {len(self.items)} forecasts",
                key="key",
                value=key,
            )
        return self.items[key]

    def summary(self) -> tuple[DeadlineSummary, ...]:
        """Count, per deadline, facilities reached, likely on time, at risk, projected to miss."""
        by: dict[dt.date | None, list[Forecast]] = {}
        for item in self.items:
            by.setdefault(item.deadline, []).append(item)
        out = []
        for deadline in sorted(by, key=lambda d: (d is None, d or _EPOCH)):
            group = by[deadline]
            verdicts = [f.verdict for f in group if f.status == "forecast"]
            out.append(
                DeadlineSummary(
                    deadline=deadline,
                    facilities=len(group),
                    reached=sum(f.status == "reached" for f in group),
                    forecasts=len(verdicts),
                    likely_on_time=verdicts.count("likely on time"),
                    at_risk=verdicts.count("at risk"),
                    unlikely=verdicts.count("unlikely"),
                    no_forecast=sum(f.status == "refused" for f in group),
                )
            )
        return tuple(out)

    def explain(self) -> str:
        """Return the portfolio summary as text."""
        lines = [f"Forecasts toward level {self.target_level} of {self.catalog}:"]
        lines.extend(f"  {s.explain()}" for s in self.summary())
        return "\n".join(lines)


def _deadlines(
    table: ScoreTable,
    facilities: Sequence[Facility],
    deadline: dt.date | str | Mapping[str, dt.date] | None,
) -> list[dt.date | None]:
    if deadline is None:
        return [None] * len(facilities)
    if isinstance(deadline, dt.datetime):
        raise OptionError("deadline must be a date", key="deadline", value=deadline)
    if isinstance(deadline, dt.date):
        return [deadline] * len(facilities)
    if isinstance(deadline, str):
        rule = table.catalog.deadline(deadline)
        cache: dict[tuple[object, ...], dt.date | None] = {}
        out = []
        for f in facilities:
            values = f.attribute_values()
            key = tuple(sorted((k, repr(v)) for k, v in values.items()))
            if key not in cache:
                cache[key] = rule.date_for(values)
            out.append(cache[key])
        return out
    if isinstance(deadline, Mapping):
        return [deadline.get(f.id) for f in facilities]
    raise OptionError(
        "deadline must be a date, a catalog deadline key or a mapping of facility id to date",
        key="deadline",
        value=deadline,
    )


def _theil_sen(X: Float, Y: Float, z: float) -> tuple[Float, Float, Float | None, Float | None]:
    """Theil-Sen slope and intercept per row, and Sen's rank interval of the slope (n >= 3).

    ``X`` and ``Y`` are (facilities, n), each row sorted by X with distinct X.
    """
    n = X.shape[1]
    first, second = np.triu_indices(n, 1)
    slopes = (Y[:, second] - Y[:, first]) / (X[:, second] - X[:, first])
    slopes.sort(axis=1)
    slope: Float = np.median(slopes, axis=1)
    intercept: Float = np.median(Y - slope[:, None] * X, axis=1)
    if n < 3:
        return slope, intercept, None, None
    pairs = slopes.shape[1]
    spread = z * math.sqrt(n * (n - 1) * (2 * n + 5) / 18.0)
    low_rank = max(math.floor((pairs - spread) / 2.0), 1)
    high_rank = min(math.ceil((pairs + spread) / 2.0) + 1, pairs)
    return slope, intercept, slopes[:, low_rank - 1], slopes[:, high_rank - 1]


def forecast(
    history_table: ScoreTable,
    target_catalog: str,
    target_level: int,
    *,
    deadline: dt.date | str | Mapping[str, dt.date] | None = None,
    min_points: int = 2,
    confidence: float = 0.9,
) -> Forecasts:
    """Project when each facility reaches ``target_level`` of ``target_catalog`` from its history.

    Parameters
    ----------
    history_table : ScoreTable
        Several dated assessments per facility (e.g. ``score_many`` of
        :func:`readiness.synthetic.history`); rows may come in any order.
    target_catalog : str
        A catalog of the table, e.g. ``"vn-emr"``.
    target_level : int
        The level to reach (1 .. the catalog's top level).
    deadline : datetime.date, str or mapping, optional
        One date for everyone, a catalog deadline key (``"vn-emr:emr"``: each facility's own
        date, by its class) or ``{facility id: date}``. Without one there is no verdict.
    min_points : int
        Fewest dated assessments (>= 2) a forecast needs.
    confidence : float
        Coverage of the interval (Sen's rank interval of the slope).

    Returns
    -------
    Forecasts
        One :class:`Forecast` per facility, by facility id; :meth:`Forecasts.summary` counts
        per deadline.

    Notes
    -----
    *Progress measure.* At each assessment, ``p = level + progress`` in the target catalog
    (gated level plus the progress fraction toward the next level, scoring rule 5), capped at
    the target level: p lies in [0, target_level] and reaches it exactly when the level does.

    *Regression.* Theil-Sen over time: the slope is the median of the slopes between every pair
    of assessments, the intercept the median of ``p - slope * t``. It is exact on a linear
    history, ignores up to ~29 % of wild points, and is computed with numpy for all facilities
    with the same number of assessments at once (scikit-learn's ``TheilSenRegressor`` takes a
    spatial median of random subsets instead, and one call per facility).

    *Projected date.* Where the fitted line reaches the target level, but never before the day
    after the last assessment (which was below the target).

    *Interval.* Sen's distribution-free interval of the slope at ``confidence`` (ranks of the
    sorted pairwise slopes from the normal approximation of Kendall's S, clamped to the extreme
    slopes for few points), turned into dates by lines through the centre of the history (its
    median time on the fitted line): the steeper bound gives the earliest date, the shallower
    the latest; a shallowest slope <= 0 means no latest date. It widens with scatter and is
    zero for an exactly linear history. Two assessments give no interval.

    *Verdict* against the deadline: ``"likely on time"`` when the latest date is on or before
    it; ``"unlikely"`` when the earliest date is after it, or the deadline passed before the
    target was reached; ``"at risk"`` otherwise. Without an interval (two assessments):
    ``"at risk"`` when the projected date is on or before the deadline, else ``"unlikely"``.

    *Refusals* (status ``"refused"``, no date): ``"no forecast: one assessment"``,
    ``"no forecast: 2 assessments, 3 needed"``, ``"no forecast: no progress over time"``
    (slope <= 0), ``"no forecast: the catalog does not apply to this facility"``,
    ``"no forecast: at the current pace the target is over 100 years away"``. A facility at
    the target in its latest assessment is ``"reached"``: ``"already reached on DATE"`` (the
    first assessment from which every later one is at the target).

    Examples
    --------
    >>> import datetime as dt
    >>> import readiness
    >>> from readiness import synthetic
    >>> from readiness.peers import forecast
    >>> catalog = readiness.load_catalog("vn-emr")
    >>> dates = [dt.date(2024, 6, 30), dt.date(2025, 6, 30), dt.date(2026, 6, 30)]
    >>> table = readiness.score_many(catalog, synthetic.history(catalog, 50, dates, seed=4))
    >>> result = forecast(table, "vn-emr", 2, deadline=dt.date(2026, 12, 31))
    >>> len(result), sum(s.facilities for s in result.summary())
    (50, 50)
    """
    table = _check_table(history_table, "forecast")
    if not isinstance(target_catalog, str):
        raise OptionError(
            "target_catalog must be a catalog id", key="target_catalog", value=target_catalog
        )
    k = table.catalog_row(target_catalog)
    a, b = table.compiled.level_ranges[k]
    if (
        isinstance(target_level, bool)
        or not isinstance(target_level, int | np.integer)
        or not 1 <= target_level <= b - a
    ):
        raise PlanError(
            f"catalog {target_catalog!r} has levels 1..{b - a}",
            key="target_level",
            value=target_level,
        )
    target = int(target_level)
    min_points = _positive_int(min_points, "min_points", 2)
    if not isinstance(confidence, float | int) or not 0 < confidence < 1:
        raise OptionError("confidence must be between 0 and 1", key="confidence", value=confidence)
    z = statistics.NormalDist().inv_cdf((1 + float(confidence)) / 2)
    days = _days(table)
    order = _canonical(table)
    ranks = _id_rank(table)[order]
    starts = np.flatnonzero(np.r_[True, ranks[1:] != ranks[:-1]])
    stops = np.r_[starts[1:], len(order)]
    level = table.level[k].astype(np.int64)
    raw_progress = table.progress[k].astype(np.float64)
    measure = np.minimum(level + np.where(np.isnan(raw_progress), 0.0, raw_progress), target)
    facilities = [table.facility(int(order[s])) for s in starts]
    deadlines = _deadlines(table, facilities, deadline)
    # Rows where the catalog applies, per facility (sorted by date).
    groups: list[Int] = []
    for s, e in zip(starts.tolist(), stops.tolist(), strict=True):
        rows = order[s:e]
        rows = rows[level[rows] >= 0]
        if len(np.unique(days[rows])) != len(rows):
            raise OptionError(
                "a facility is assessed twice on the same date",
                key="history_table",
                value=table.facility(int(rows[0])).id,
            )
        groups.append(rows)
    fits: dict[int, tuple[float, float, float | None, float | None]] = {}
    eligible: dict[int, list[int]] = {}
    for g, rows in enumerate(groups):
        n = len(rows)
        if n >= min_points and n and level[rows[-1]] < target:
            eligible.setdefault(n, []).append(g)
    for members in eligible.values():
        index = np.array([groups[g] for g in members])
        X = days[index].astype(np.float64)
        Y = measure[index]
        slope, intercept, low, high = _theil_sen(X, Y, z)
        for i, g in enumerate(members):
            fits[g] = (
                float(slope[i]),
                float(intercept[i]),
                None if low is None else float(low[i]),
                None if high is None else float(high[i]),
            )
    items = []
    for g, rows in enumerate(groups):
        items.append(
            _one_forecast(
                facilities[g],
                target_catalog,
                target,
                rows,
                days,
                level,
                measure,
                fits.get(g),
                deadlines[g],
                min_points,
            )
        )
    return Forecasts(
        catalog=target_catalog,
        target_level=target,
        confidence=float(confidence),
        items=tuple(items),
    )


def _one_forecast(
    facility: Facility,
    catalog: str,
    target: int,
    rows: Int,
    days: npt.NDArray[np.int64],
    level: npt.NDArray[np.int64],
    measure: Float,
    fit: tuple[float, float, float | None, float | None] | None,
    deadline: dt.date | None,
    min_points: int,
) -> Forecast:
    n = len(rows)

    def make(status: ForecastStatus, reason: str, **fields: Any) -> Forecast:
        base: dict[str, Any] = {
            "facility": facility,
            "catalog": catalog,
            "target_level": target,
            "status": status,
            "reason": reason,
            "points": n,
            "first": _to_date(float(days[rows[0]])) if n else None,
            "last": _to_date(float(days[rows[-1]])) if n else None,
            "current": round(float(measure[rows[-1]]), 4) if n else None,
            "pace": None,
            "projected": None,
            "earliest": None,
            "latest": None,
            "deadline": deadline,
            "verdict": None,
        }
        base.update(fields)
        return Forecast(**base)

    if n == 0:
        return make("refused", "no forecast: the catalog does not apply to this facility")
    if level[rows[-1]] >= target:
        at = level[rows] >= target
        first = n - 1
        while first > 0 and at[first - 1]:
            first -= 1
        when = _to_date(float(days[rows[first]]))
        return make("reached", f"already reached on {when.isoformat()}")
    if n < min_points:
        text = "one assessment" if n == 1 else f"{n} assessments, {min_points} needed"
        return make("refused", f"no forecast: {text}")
    assert fit is not None
    slope, intercept, low, high = fit
    if not slope > 1e-12:
        return make("refused", "no forecast: no progress over time")
    last_day = float(days[rows[-1]])
    limit = last_day + MAX_YEARS * 365.25
    central = (target - intercept) / slope
    if central > limit:
        return make(
            "refused",
            f"no forecast: at the current pace the target is over {MAX_YEARS} years away",
            pace=round(slope * 365.25, 4),
        )
    floor = last_day + 1
    notes = []
    if central < floor:
        notes.append("the trend is at the target already; the latest assessment is not")
    projected = max(central, floor)
    earliest = latest = None
    if low is not None and high is not None:
        centre = float(np.median(days[rows].astype(np.float64)))
        level_at = intercept + slope * centre
        bounds = [centre + (target - level_at) / s for s in (low, high) if s > 1e-12]
        if len(bounds) == 2:
            earliest_day, latest_day = min(bounds), max(bounds)
            latest = _to_date(max(latest_day, floor)) if latest_day <= limit else None
        else:
            earliest_day = bounds[0]
        earliest = _to_date(max(min(earliest_day, projected), floor))
        if latest is not None and latest < _to_date(projected):
            latest = _to_date(projected)
    else:
        notes.append("two assessments: no interval")
    projected_date = _to_date(projected)
    verdict: Verdict | None = None
    if deadline is not None:
        last = _to_date(last_day)
        if deadline < last:
            verdict = "unlikely"
            notes.append(f"the deadline passed on {deadline.isoformat()} before the target")
        elif earliest is None:
            verdict = "at risk" if projected_date <= deadline else "unlikely"
        elif latest is not None and latest <= deadline:
            verdict = "likely on time"
        elif earliest > deadline:
            verdict = "unlikely"
        else:
            verdict = "at risk"
    return make(
        "forecast",
        "; ".join(notes),
        pace=round(slope * 365.25, 4),
        projected=projected_date,
        earliest=earliest,
        latest=latest,
        verdict=verdict,
    )
