"""The CrossGuard form of cellguard's rules: Pulumi policies over the resources a stack deploys.

``cellguard policy-pack`` copies this package, file for file, into a policy pack directory (as
``cellguard_policies/``), so the pack runs where cellguard is not installed. That fixes what the
modules here may import: the standard library, ``pulumi_policy`` and each other (relative
imports only), never the rest of cellguard.

Layout:

- :mod:`.catalog` -- what each policy is (name, rule ids, enforcement, remediation), pure data;
- :mod:`.tags` -- the resource tags that mark model-artifact buckets and prompt tables;
- :mod:`.props` -- reading engine properties (camelCase, possibly unknown during preview);
- :mod:`.workloads`, :mod:`.data_stores`, :mod:`.clusters` -- the checks;
- :mod:`.pack` -- the ``pulumi_policy`` objects built from the catalog and the checks.

This root imports nothing, so the catalog can be read without ``pulumi_policy`` installed.
"""
