"""Tags that tell the policies what a bucket or a table holds.

The blueprints tag the resources they create with these; the policies only judge tagged
resources, because an S3 bucket or a DynamoDB table does not say by itself that it holds model
weights or prompt templates. Tag your own resources the same way to have them checked.
"""

from __future__ import annotations

ROLE_TAG = "cellguard:role"
"""Tag key naming what a data resource holds."""

MODEL_ARTIFACTS = "model-artifacts"
"""``ROLE_TAG`` value of S3 buckets holding model weights, adapters or engine images."""

PROMPTS = "prompts"
"""``ROLE_TAG`` value of DynamoDB tables holding prompt templates."""
