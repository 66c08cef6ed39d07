"""Zone names and zone ids of AWS regions (cellguard/models/loader/catalog_checks.py)."""

from __future__ import annotations

import pytest

from cellguard.models.loader.catalog_checks import zone_id_prefix
from tests.helpers import BASE_STACK, load_errors, load_texts


@pytest.mark.parametrize(
    ("region", "prefix"),
    [
        ("us-east-1", "use1"),
        ("us-west-2", "usw2"),
        ("eu-west-1", "euw1"),
        ("eu-central-2", "euc2"),
        ("ap-northeast-1", "apne1"),
        ("ap-southeast-2", "apse2"),
        ("us-gov-west-1", "usgw1"),
        ("sa-east-1", "sae1"),
        ("eu", None),
        ("region-a", None),
        ("us-up-1", None),
    ],
)
def test_zone_id_prefix_of_a_region(region: str, prefix: str | None) -> None:
    assert zone_id_prefix(region) == prefix


def test_a_zone_name_is_an_error_with_the_command_that_lists_the_ids() -> None:
    text = BASE_STACK.replace("[use1-az1, use1-az2, use1-az4]", "[us-east-1a, use1-az2, use1-az4]")
    text = text.replace("placement: {zones: 3}", "placement: {zones: 2}")
    assert load_errors(text) == [
        "doc0.yaml:15:15: error[zone-name] topology.regions[0].zones[0]: 'us-east-1a' is an "
        "availability zone name; cellguard needs zone ids\n"
        "    expected: a zone id such as use1-az1: a zone name maps to a different physical zone "
        "in each account, an id is the same everywhere\n"
        "    hint: list the ids with `aws ec2 describe-availability-zones --region us-east-1 "
        "--query 'AvailabilityZones[].[ZoneName,ZoneId]'`"
    ]


def test_zone_ids_that_are_not_aws_ids_are_left_alone() -> None:
    text = BASE_STACK.replace("[use1-az1, use1-az2, use1-az4]", "[z0, z1, z2]")
    assert load_texts(text).documents[0].document.topology.regions[0].zones == ["z0", "z1", "z2"]
