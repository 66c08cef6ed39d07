"""Which AWS API request each Pulumi resource input becomes: the mapping ``checks_aws`` reads.

One :class:`ApiInput` per resource type the blueprints create: the service and the Create/Put
operation the provider calls, the input Pulumi auto-names, the inputs whose API member has
another name (``renames``: a member path below the request shape, ``A.B[].C``, or ``@Shape``
for a shape the request reaches another way) and the inputs the request does not carry
(``elsewhere``: set by a second call, such as a subnet's ``mapPublicIpOnLaunch``, or Pulumi's
own). Every other input is the request member of the same name, compared case-insensitively;
``default`` names the member structure those live in when it is not the request itself
(a launch template's ``LaunchTemplateData``). The constraints themselves are never written
here: they are read from botocore's models (:mod:`cellguard.iac.aws_models`).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ApiInput:
    """The API request one Pulumi resource type's inputs become."""

    service: str
    operation: str
    autoname: str | None = None
    renames: dict[str, str] = field(default_factory=dict)
    elsewhere: tuple[str, ...] = ()
    default: str | None = None


AUTONAME_SUFFIX = "-a1b2c3d"
"""What Pulumi appends to the logical name of a resource whose name input is not given: a dash
and 7 random characters (lower-case hex here), 8 characters in all."""

OPEN_ENUMS: dict[str, str] = {
    "opensearch:OpenSearchPartitionInstanceType": (
        "the model lists instance types up to the 6th generation; the service also accepts newer "
        "ones (r7g, m7g, c7g, r7gd, or2, ...: 'Supported instance types in Amazon OpenSearch "
        "Service')"
    ),
}
"""Enums whose list in the model lags what the service accepts, with the evidence: a value
outside the list must still end like every listed value (``.search``)."""

TAGS = "tags"
EC2_TAGS = ("tags",)
"""EC2 takes tags as ``TagSpecifications`` (resource type + list); the model sets no limits."""

API_INPUTS: dict[str, ApiInput] = {
    "aws:backup/plan:Plan": ApiInput(
        "backup",
        "CreateBackupPlan",
        autoname="name",
        renames={
            "name": "BackupPlan.BackupPlanName",
            "rules": "BackupPlan.Rules",
            "rules[].targetVaultName": "BackupPlan.Rules[].TargetBackupVaultName",
            "rules[].schedule": "BackupPlan.Rules[].ScheduleExpression",
            "tags": "BackupPlanTags",
        },
        elsewhere=("advancedBackupSettings",),
    ),
    "aws:backup/selection:Selection": ApiInput(
        "backup",
        "CreateBackupSelection",
        renames={
            "name": "BackupSelection.SelectionName",
            "planId": "BackupPlanId",
            "iamRoleArn": "BackupSelection.IamRoleArn",
            "resources": "BackupSelection.Resources",
            "notResources": "BackupSelection.NotResources",
        },
    ),
    "aws:backup/vault:Vault": ApiInput(
        "backup",
        "CreateBackupVault",
        autoname="name",
        renames={
            "name": "BackupVaultName",
            "tags": "BackupVaultTags",
            "kmsKeyArn": "EncryptionKeyArn",
        },
        elsewhere=("forceDestroy",),
    ),
    "aws:cloudwatch/compositeAlarm:CompositeAlarm": ApiInput(
        "cloudwatch", "PutCompositeAlarm", autoname="alarmName"
    ),
    "aws:cloudwatch/metricAlarm:MetricAlarm": ApiInput(
        "cloudwatch", "PutMetricAlarm", autoname="name", renames={"name": "AlarmName"}
    ),
    "aws:dynamodb/table:Table": ApiInput(
        "dynamodb",
        "CreateTable",
        autoname="name",
        renames={
            "name": "TableName",
            "attributes": "AttributeDefinitions",
            "attributes[].name": "AttributeDefinitions[].AttributeName",
            "attributes[].type": "AttributeDefinitions[].AttributeType",
            "hashKey": "KeySchema[].AttributeName",
            "rangeKey": "KeySchema[].AttributeName",
            "streamEnabled": "StreamSpecification.StreamEnabled",
            "streamViewType": "StreamSpecification.StreamViewType",
        },
        # Point-in-time recovery is UpdateContinuousBackups; replicas are UpdateTable calls.
        elsewhere=("pointInTimeRecovery", "replicas", "ttl"),
    ),
    "aws:ec2/capacityBlockReservation:CapacityBlockReservation": ApiInput(
        "ec2", "PurchaseCapacityBlock", elsewhere=EC2_TAGS
    ),
    "aws:ec2/capacityReservation:CapacityReservation": ApiInput(
        "ec2", "CreateCapacityReservation", elsewhere=EC2_TAGS
    ),
    "aws:ec2/eip:Eip": ApiInput("ec2", "AllocateAddress", elsewhere=EC2_TAGS),
    "aws:ec2/internetGateway:InternetGateway": ApiInput(
        "ec2", "CreateInternetGateway", elsewhere=(*EC2_TAGS, "vpcId")
    ),
    "aws:ec2/launchTemplate:LaunchTemplate": ApiInput(
        "ec2",
        "CreateLaunchTemplate",
        autoname="name",
        renames={"name": "LaunchTemplateName", "description": "VersionDescription"},
        elsewhere=(*EC2_TAGS, "updateDefaultVersion"),
        default="LaunchTemplateData",
    ),
    "aws:ec2/natGateway:NatGateway": ApiInput("ec2", "CreateNatGateway", elsewhere=EC2_TAGS),
    "aws:ec2/route:Route": ApiInput("ec2", "CreateRoute"),
    "aws:ec2/routeTable:RouteTable": ApiInput(
        "ec2", "CreateRouteTable", elsewhere=(*EC2_TAGS, "routes")
    ),
    "aws:ec2/routeTableAssociation:RouteTableAssociation": ApiInput("ec2", "AssociateRouteTable"),
    "aws:ec2/securityGroup:SecurityGroup": ApiInput(
        "ec2",
        "CreateSecurityGroup",
        autoname="name",
        renames={"name": "GroupName"},
        # Rules are AuthorizeSecurityGroupIngress/Egress calls.
        elsewhere=(*EC2_TAGS, "ingress", "egress", "revokeRulesOnDelete"),
    ),
    "aws:ec2/subnet:Subnet": ApiInput(
        "ec2", "CreateSubnet", elsewhere=(*EC2_TAGS, "mapPublicIpOnLaunch")
    ),
    "aws:ec2/vpc:Vpc": ApiInput(
        "ec2", "CreateVpc", elsewhere=(*EC2_TAGS, "enableDnsHostnames", "enableDnsSupport")
    ),
    "aws:ec2/vpcPeeringConnection:VpcPeeringConnection": ApiInput(
        "ec2", "CreateVpcPeeringConnection", elsewhere=(*EC2_TAGS, "autoAccept")
    ),
    "aws:ec2/vpcPeeringConnectionAccepter:VpcPeeringConnectionAccepter": ApiInput(
        "ec2", "AcceptVpcPeeringConnection", elsewhere=(*EC2_TAGS, "autoAccept", "accepter")
    ),
    "aws:eks/accessEntry:AccessEntry": ApiInput("eks", "CreateAccessEntry"),
    "aws:eks/accessPolicyAssociation:AccessPolicyAssociation": ApiInput(
        "eks", "AssociateAccessPolicy"
    ),
    "aws:eks/addon:Addon": ApiInput(
        "eks",
        "CreateAddon",
        renames={
            "resolveConflictsOnCreate": "resolveConflicts",
            "resolveConflictsOnUpdate": "@ResolveConflicts",
        },
    ),
    "aws:eks/cluster:Cluster": ApiInput(
        "eks",
        "CreateCluster",
        autoname="name",
        renames={
            "vpcConfig": "resourcesVpcConfig",
            "enabledClusterLogTypes": "logging.clusterLogging[].types",
        },
    ),
    "aws:eks/nodeGroup:NodeGroup": ApiInput(
        "eks",
        "CreateNodegroup",
        autoname="nodeGroupName",
        renames={"nodeRoleArn": "nodeRole", "subnetIds": "subnets"},
    ),
    "aws:eks/podIdentityAssociation:PodIdentityAssociation": ApiInput(
        "eks", "CreatePodIdentityAssociation"
    ),
    "aws:fis/experimentTemplate:ExperimentTemplate": ApiInput("fis", "CreateExperimentTemplate"),
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": ApiInput(
        "iam",
        "CreateOpenIDConnectProvider",
        renames={"clientIdLists": "ClientIDList", "thumbprintLists": "ThumbprintList"},
    ),
    "aws:iam/policy:Policy": ApiInput(
        "iam",
        "CreatePolicy",
        autoname="name",
        renames={"name": "PolicyName", "policy": "PolicyDocument"},
    ),
    "aws:iam/role:Role": ApiInput(
        "iam",
        "CreateRole",
        autoname="name",
        renames={
            "name": "RoleName",
            "assumeRolePolicy": "AssumeRolePolicyDocument",
            "inlinePolicies[].name": "@policyNameType",
            "inlinePolicies[].policy": "@policyDocumentType",
            "managedPolicyArns[]": "@arnType",
        },
        elsewhere=("forceDetachPolicies", "inlinePolicies", "managedPolicyArns"),
    ),
    "aws:iam/rolePolicy:RolePolicy": ApiInput(
        "iam",
        "PutRolePolicy",
        autoname="name",
        renames={"name": "PolicyName", "policy": "PolicyDocument", "role": "RoleName"},
    ),
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": ApiInput(
        "iam", "AttachRolePolicy", renames={"role": "RoleName"}
    ),
    "aws:opensearch/domain:Domain": ApiInput(
        "opensearch",
        "CreateDomain",
        autoname="domainName",
        renames={
            "ebsOptions": "EBSOptions",
            "encryptAtRest": "EncryptionAtRestOptions",
            "nodeToNodeEncryption": "NodeToNodeEncryptionOptions",
            "vpcOptions": "VPCOptions",
            "tags": "TagList",
        },
    ),
    "aws:route53/healthCheck:HealthCheck": ApiInput(
        "route53",
        "CreateHealthCheck",
        renames={
            "fqdn": "HealthCheckConfig.FullyQualifiedDomainName",
            "ipAddress": "HealthCheckConfig.IPAddress",
            "cloudwatchAlarmName": "HealthCheckConfig.AlarmIdentifier.Name",
            "cloudwatchAlarmRegion": "HealthCheckConfig.AlarmIdentifier.Region",
            "referenceName": "CallerReference",
        },
        elsewhere=(TAGS,),
        default="HealthCheckConfig",
    ),
    "aws:route53/record:Record": ApiInput(
        "route53",
        "ChangeResourceRecordSets",
        renames={
            "zoneId": "HostedZoneId",
            "records[]": "ChangeBatch.Changes[].ResourceRecordSet.ResourceRecords[].Value",
            "latencyRoutingPolicies[].region": "ChangeBatch.Changes[].ResourceRecordSet.Region",
            "aliases[].name": "ChangeBatch.Changes[].ResourceRecordSet.AliasTarget.DNSName",
            "aliases[].zoneId": "ChangeBatch.Changes[].ResourceRecordSet.AliasTarget.HostedZoneId",
        },
        elsewhere=("records", "latencyRoutingPolicies", "aliases", "allowOverwrite"),
        default="ChangeBatch.Changes[].ResourceRecordSet",
    ),
    "aws:route53/zone:Zone": ApiInput(
        "route53",
        "CreateHostedZone",
        renames={"comment": "HostedZoneConfig.Comment", "vpcs[].vpcRegion": "VPC.VPCRegion"},
        elsewhere=(TAGS, "vpcs", "forceDestroy"),
    ),
    "aws:s3/bucket:Bucket": ApiInput(
        "s3", "CreateBucket", autoname="bucket", elsewhere=(TAGS, "forceDestroy")
    ),
    "aws:s3/bucketReplicationConfig:BucketReplicationConfig": ApiInput(
        "s3",
        "PutBucketReplication",
        renames={
            "role": "ReplicationConfiguration.Role",
            "rules": "ReplicationConfiguration.Rules",
        },
    ),
    "aws:s3/bucketVersioning:BucketVersioning": ApiInput("s3", "PutBucketVersioning"),
    "aws:sns/topic:Topic": ApiInput("sns", "CreateTopic", autoname="name"),
    "aws:sns/topicSubscription:TopicSubscription": ApiInput(
        "sns", "Subscribe", renames={"topic": "TopicArn"}
    ),
}
"""Pulumi resource type -> the API request its inputs become."""
