"""IAM policy documents of captured roles, and whether they allow an action on a resource.

A role's permissions are its inline ``aws:iam/rolePolicy`` documents, its ``inlinePolicies``
and the documents of the ``aws:iam/policy`` resources attached to it. AWS managed policies
(``arn:aws:iam::aws:policy/...``) name no resource of the stack and are not read. A statement
allows when its ``Effect`` is ``Allow``, an ``Action`` matches (``*`` and ``?`` wildcards, case
insensitive) and a ``Resource`` matches one of the resource's ARNs *and names the resource*
(its literal part holds the resource's name: ``*`` alone, or ``arn:aws:s3:::*``, does not); a
matching ``Deny`` wins. Conditions are not evaluated (taken as met).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from cellguard.iac.mockrun import Capture, CapturedResource
from cellguard.iac.verify_base import by_mock_reference

AWS_MANAGED = "arn:aws:iam::aws:policy/"


def statements(document: object) -> list[dict[str, Any]]:
    """The statements of a policy document (a JSON string or a mapping); [] if unreadable."""
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except ValueError:
            return []
    if not isinstance(document, dict):
        return []
    found = document.get("Statement", [])
    found = [found] if isinstance(found, dict) else found
    return [s for s in found if isinstance(s, dict)] if isinstance(found, list) else []


def _listed(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value] if isinstance(value, list) else []


def arn_matches(pattern: str, arn: str) -> bool:
    """Whether an IAM resource pattern matches an ARN; an ARN whose account is ``*`` stands for
    any account (the stack's account is not known before ``up``)."""
    escaped = pattern.replace("[", "[[]")
    if not (pattern.startswith("arn:") and arn.startswith("arn:")):
        return fnmatchcase(arn, escaped)
    want, have = escaped.split(":", 5), arn.split(":", 5)
    if len(want) != 6 or len(have) != 6:
        return False
    return all((i == 4 and have[4] == "*") or fnmatchcase(have[i], want[i]) for i in range(6))


def _action(pattern: str, action: str) -> bool:
    return fnmatchcase(action.lower(), pattern.lower().replace("[", "[[]"))


@dataclass(frozen=True)
class Need:
    """An action on a resource: its ARNs (any one) and the names a policy may spell it by
    (its physical name, or the logical name in a mock ARN)."""

    action: str
    arns: tuple[str, ...]
    name: str
    aliases: tuple[str, ...] = ()

    def named_in(self, pattern: str) -> bool:
        """Whether a resource pattern spells out this resource (not only wildcards)."""
        return any(n in pattern for n in (self.name, *self.aliases))


def allows(documents: list[object], need: Need) -> bool:
    """Whether the documents allow ``need`` by a statement naming the resource, with no Deny."""
    allowed = False
    for st in (s for d in documents for s in statements(d)):
        actions = _listed(st.get("Action"))
        if not any(_action(a, need.action) for a in actions):
            continue
        resources = _listed(st.get("Resource"))
        hits = [p for p in resources if any(arn_matches(p, arn) for arn in need.arns)]
        if st.get("Effect") == "Deny" and hits:
            return False
        if st.get("Effect") == "Allow" and any(need.named_in(p) for p in hits):
            allowed = True
    return allowed


def _role_keys(role: CapturedResource) -> set[str]:
    """How other resources refer to a role: its id, its name input, its logical name."""
    return {f"{role.name}-id", role.name, str(role.inputs.get("name") or role.name)}


def role_documents(cap: Capture, role: CapturedResource) -> tuple[list[object], list[str]]:
    """The policy documents a role carries, and the AWS managed policies attached (not read)."""
    keys = _role_keys(role)
    docs: list[object] = [p.get("policy") for p in role.inputs.get("inlinePolicies") or []]
    managed: list[str] = []
    for rp in cap.of_type("aws:iam/rolePolicy:RolePolicy"):
        if str(rp.inputs.get("role")) in keys:
            docs.append(rp.inputs.get("policy"))
    attachments = [
        a.inputs.get("policyArn")
        for a in cap.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
        if str(a.inputs.get("role")) in keys
    ]
    attachments += list(role.inputs.get("managedPolicyArns") or [])
    for arn in attachments:
        policy = by_mock_reference(cap, arn)
        if policy is not None and policy.type == "aws:iam/policy:Policy":
            docs.append(policy.inputs.get("policy"))
        elif str(arn).startswith(AWS_MANAGED):
            managed.append(str(arn).removeprefix(AWS_MANAGED))
    return docs, managed


def trusts(
    role: CapturedResource, principals: tuple[str, ...], action: str, text: str = ""
) -> bool:
    """Whether the role's trust policy lets a principal containing one of ``principals`` (a
    service, or a federated provider's ARN part) assume it with ``action``, and holds ``text``
    (a ``sub`` condition) if given."""
    document = role.inputs.get("assumeRolePolicy")
    raw = document if isinstance(document, str) else json.dumps(document)
    for st in statements(document):
        if st.get("Effect") != "Allow" or not any(
            _action(a, action) for a in _listed(st.get("Action"))
        ):
            continue
        who = st.get("Principal") or {}
        names = [n for v in (who.values() if isinstance(who, dict) else [who]) for n in _listed(v)]
        if any(p in n for p in principals for n in names) and text in raw:
            return True
    return False
