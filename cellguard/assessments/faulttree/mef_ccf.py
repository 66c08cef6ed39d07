"""MEF common-cause failure groups, expanded into independent basic events.

A ``<define-CCF-group model=...>`` declares its ``<members>`` (basic events defined nowhere
else), their total failure probability Q (``<distribution>``) and the model's factors. As the
Open-PSA MEF (section 4.4) and SCRAM define it, each member becomes an ``or`` of independent
CCF events, one per combination of members failing together, named ``[A B]`` with the member
names sorted; an event of k members has the probability Q_k of the model (n members, m the
highest factor level, C the binomial coefficient):

* ``beta-factor`` (one factor beta, level n): Q_1 = (1 - beta) Q, Q_n = beta Q, no others;
* ``MGL`` (factors for levels 2..m: beta, gamma, delta, ...; rho_1 = 1, rho_{m+1} = 0):
  Q_k = rho_1 ... rho_k (1 - rho_{k+1}) Q / C(n-1, k-1);
* ``alpha-factor`` (levels 1..m; alpha_t = sum of k alpha_k, non-staggered testing):
  Q_k = k alpha_k Q / (C(n-1, k-1) alpha_t), as SCRAM's ``AlphaFactorModel``; the factors
  are fractions of the failure events and must sum to 1 within 1e-3 (SCRAM does not check,
  and would silently rescale a mistyped factor through alpha_t). The MEF has no attribute
  for staggered testing (Q_k = alpha_k Q / C(n-1, k-1)), so none is read;
* ``phi-factor`` (levels 1..m, summing to 1 within 1e-4 as SCRAM checks): Q_k = phi_k Q.

Factors and Q are expressions (:mod:`.mef_expr`) that must be probabilities; the number of
CCF events is bounded by :data:`MAX_CCF_EVENTS`.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass, field

from cellguard.assessments.faulttree.mef_expr import Expressions
from cellguard.assessments.faulttree.mef_xml import MefError, Node, shown, tag_shown

MODELS = ("beta-factor", "MGL", "alpha-factor", "phi-factor")
MAX_CCF_EVENTS = 100_000
"""Most CCF events all groups of one file may expand into."""

_IGNORED = ("label", "attributes")
_PHI_TOLERANCE = 1e-4
_ALPHA_TOLERANCE = 1e-3
"""How far alpha factors may sum from 1: published factors are rounded to about three digits."""

Error = Callable[[str, Node], MefError]


@dataclass
class CcfGroup:
    """One ``<define-CCF-group>`` as written: its members and the nodes of its expressions."""

    name: str
    model: str
    node: Node
    scope: str
    members: list[str] = field(default_factory=list)
    member_nodes: dict[str, Node] = field(default_factory=dict)
    distribution: Node | None = None
    factors: list[tuple[int | None, Node]] = field(default_factory=list)


def read_group(
    node: Node, name: str, scope: str, member: Callable[[Node], str], error: Error
) -> CcfGroup:
    """The group ``node`` (named ``name``); ``member`` gives a member's name in the tree."""
    what = f"CCF group {shown(name)}"
    model = node.get("model") or ""
    if model not in MODELS:
        raise error(
            f"{what}: model {shown(model)} is not supported; expected one of {', '.join(MODELS)}",
            node,
        )
    group = CcfGroup(name, model, node, scope)
    for child in node.children:
        if child.tag == "members":
            if group.members:
                raise error(f"{what} has two <members>; give them in one", child)
            for item in child.children:
                if item.tag != "basic-event":
                    raise error(
                        f"{what}: <members> holds {tag_shown(item.tag)}; expected "
                        "<basic-event name=...> elements",
                        item,
                    )
                key = member(item)
                if key in group.member_nodes:
                    raise error(f"{what}: member {shown(key)} is given twice", item)
                group.members.append(key)
                group.member_nodes[key] = item
        elif child.tag == "distribution":
            if group.distribution is not None:
                raise error(f"{what} has two <distribution>s; give one", child)
            group.distribution = child
        elif child.tag == "factors":
            for factor in child.children:
                if factor.tag not in _IGNORED:
                    group.factors.append(_factor(factor, what, error))
        elif child.tag == "factor":
            group.factors.append(_factor(child, what, error))
        elif child.tag not in _IGNORED:
            raise error(
                f"{what}: unsupported element {tag_shown(child.tag)}; expected <members>, "
                "<distribution>, <factors> or <factor>",
                child,
            )
    if len(group.members) < 2:
        raise error(
            f"{what} needs at least 2 members in <members>, found {len(group.members)}", node
        )
    if group.distribution is None:
        raise error(f"{what} has no <distribution> (the members' total probability)", node)
    if not group.factors:
        raise error(f"{what} has no <factor>; the {model} model needs its factors", node)
    return group


def _factor(node: Node, what: str, error: Error) -> tuple[int | None, Node]:
    if node.tag != "factor":
        raise error(f"{what}: <factors> holds {tag_shown(node.tag)}; expected <factor>", node)
    raw = node.get("level")
    if raw is None:
        return None, node
    text = raw.strip()
    if not text.isdigit() or len(text) > 9:
        raise error(f"{what}: factor level {shown(raw)} is not a positive integer", node)
    return int(text), node


def _levels(group: CcfGroup, error: Error) -> list[tuple[int, Node]]:
    """Each factor with its level, sorted by level and checked: as SCRAM reads them, a factor
    without ``level`` follows the one before it (the first is the model's lowest level), the
    order in the file does not matter, and the levels run without gaps from the lowest."""
    n = len(group.members)
    what = f"CCF group {shown(group.name)} ({group.model}, {n} members)"
    if group.model == "beta-factor":
        if len(group.factors) != 1:
            raise error(
                f"{what} takes exactly one factor (beta), found {len(group.factors)}",
                group.factors[1][1],
            )
        level, node = group.factors[0]
        if level is not None and level != n:
            raise error(
                f"{what}: the beta factor's level is {level}; expected {n}, its number of members",
                node,
            )
        return [(n, node)]
    first = 2 if group.model == "MGL" else 1
    levels: dict[int, Node] = {}
    previous: int | None = None
    for given, node in group.factors:
        level = given if given is not None else first if previous is None else previous + 1
        if not first <= level <= n:
            raise error(
                f"{what}: factor level {level} is out of range; expected levels {first} to {n}",
                node,
            )
        if level in levels:
            raise error(
                f"{what}: factor level {level} is given twice (first at line "
                f"{levels[level].line}); remove one",
                node,
            )
        levels[level] = node
        previous = level
    missing = [k for k in range(first, max(levels) + 1) if k not in levels]
    if missing:
        raise error(
            f"{what}: no factor for level {missing[0]}; the levels must run from {first} "
            f"without gaps up to the highest ({max(levels)})",
            group.node,
        )
    return sorted(levels.items())


def _rates(
    group: CcfGroup, q: float, factors: list[float], levels: list[int], error: Error
) -> dict[int, float]:
    """Q_k for each level k the model gives a CCF event."""
    n = len(group.members)
    if group.model == "beta-factor":
        return {1: (1 - factors[0]) * q, n: factors[0] * q}
    if group.model == "MGL":
        rho = [1.0, *factors, 0.0]  # rho[k-1] is rho_k
        rates = {}
        for k in range(1, levels[-1] + 1):
            product = math.prod(rho[:k]) * (1 - rho[k])
            rates[k] = product * q / math.comb(n - 1, k - 1)
        return rates
    if group.model == "alpha-factor":
        fractions = math.fsum(factors)
        if abs(fractions - 1.0) > _ALPHA_TOLERANCE:
            raise error(
                f"CCF group {shown(group.name)}: the alpha factors sum to {fractions!r}; each is "
                "the fraction of the group's failure events in which exactly k members fail, so "
                f"they must sum to 1 (within {_ALPHA_TOLERANCE:g}); check each factor and its "
                "level",
                group.node,
            )
        total = math.fsum(k * a for k, a in zip(levels, factors, strict=True))
        return {
            k: k * a * q / (math.comb(n - 1, k - 1) * total)
            for k, a in zip(levels, factors, strict=True)
        }
    total = math.fsum(factors)
    if abs(total - 1.0) > _PHI_TOLERANCE:
        raise error(
            f"CCF group {shown(group.name)}: the phi factors sum to {total!r}; they must sum to 1",
            group.node,
        )
    return {k: phi * q for k, phi in zip(levels, factors, strict=True)}


def expand(
    group: CcfGroup, expressions: Expressions, budget: int, error: Error
) -> tuple[dict[str, float], dict[str, list[str]]]:
    """The CCF events of ``group`` (name -> probability) and each member's events; at most
    ``budget`` events."""
    leveled = _levels(group, error)
    levels = [level for level, _ in leveled]
    what = f"CCF group {shown(group.name)}"
    assert group.distribution is not None
    q = expressions.probability(
        expressions.body(group.distribution, f"{what} <distribution>"),
        f"{what} distribution",
        group.scope,
    )
    factors = [
        expressions.probability(
            expressions.body(node, f"{what} factor"), f"{what} factor level {level}", group.scope
        )
        for level, node in leveled
    ]
    n = len(group.members)
    count = 0
    for k in sorted({1, *levels}):  # before the rates: C(n, k) of a huge group is huge
        count += math.comb(n, k)
        if count > budget:
            raise error(
                f"{what} expands into more than {budget:,} CCF events (the {MAX_CCF_EVENTS:,} "
                "cellguard reads, less those of earlier groups); lower its highest factor level "
                "or split the group",
                group.node,
            )
    rates = _rates(group, q, factors, levels, error)
    members = sorted(group.members)
    events: dict[str, float] = {}
    of_member: dict[str, list[str]] = {m: [] for m in members}
    for k, rate in rates.items():
        if not 0.0 <= rate <= 1.0:  # factors and Q are probabilities, so only by rounding
            rate = min(max(rate, 0.0), 1.0)
        for combination in itertools.combinations(members, k):
            name = "[" + " ".join(combination) + "]"
            events[name] = rate + 0.0
            for m in combination:
                of_member[m].append(name)
    return events, of_member
