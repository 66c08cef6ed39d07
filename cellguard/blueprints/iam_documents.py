"""IAM policy documents of the platform controllers (written for this project, action by action).

- AWS Load Balancer Controller: the EC2/ELB reads it does at start and on every reconcile, and
  the writes it needs for NLBs and ALBs it creates; writes to load balancers, target groups and
  security groups are limited to resources carrying its cluster tag.
- Cluster Autoscaler: auto-discovery of the managed node groups' Auto Scaling groups, scaling
  them, and ``eks:DescribeNodegroup`` so a group at zero nodes can be scaled from zero.
- KEDA: reading CloudWatch metrics; the metrics collector: writing EMF logs (CloudWatch Logs).
"""

from __future__ import annotations

from cellguard.blueprints.identity import allow, policy

_ELB = "elasticloadbalancing"
_TAGGED = {"Null": {"aws:ResourceTag/elbv2.k8s.aws/cluster": "false"}}

LB_CONTROLLER = policy(
    allow(
        ["iam:CreateServiceLinkedRole"],
        "*",
        Condition={"StringEquals": {"iam:AWSServiceName": "elasticloadbalancing.amazonaws.com"}},
    ),
    allow(
        [
            "ec2:DescribeAccountAttributes",
            "ec2:DescribeAddresses",
            "ec2:DescribeAvailabilityZones",
            "ec2:DescribeInternetGateways",
            "ec2:DescribeVpcs",
            "ec2:DescribeVpcPeeringConnections",
            "ec2:DescribeSubnets",
            "ec2:DescribeSecurityGroups",
            "ec2:DescribeInstances",
            "ec2:DescribeNetworkInterfaces",
            "ec2:DescribeTags",
            "ec2:DescribeCoipPools",
            "ec2:DescribeRouteTables",
            "ec2:DescribeIpamPools",
            "ec2:GetCoipPoolUsage",
            "ec2:GetSecurityGroupsForVpc",
            f"{_ELB}:Describe*",
            "acm:ListCertificates",
            "acm:DescribeCertificate",
            "wafv2:GetWebACL",
            "wafv2:GetWebACLForResource",
            "shield:GetSubscriptionState",
        ]
    ),
    allow(["ec2:CreateSecurityGroup"]),
    allow(
        ["ec2:CreateTags"],
        "arn:aws:ec2:*:*:security-group/*",
        Condition={"StringEquals": {"ec2:CreateAction": "CreateSecurityGroup"}},
    ),
    allow(
        [
            "ec2:AuthorizeSecurityGroupIngress",
            "ec2:RevokeSecurityGroupIngress",
            "ec2:DeleteSecurityGroup",
            "ec2:CreateTags",
            "ec2:DeleteTags",
        ],
        "arn:aws:ec2:*:*:security-group/*",
    ),
    allow(
        [f"{_ELB}:CreateLoadBalancer", f"{_ELB}:CreateTargetGroup"],
        "*",
        Condition={"Null": {"aws:RequestTag/elbv2.k8s.aws/cluster": "false"}},
    ),
    allow(
        [
            f"{_ELB}:CreateListener",
            f"{_ELB}:DeleteListener",
            f"{_ELB}:CreateRule",
            f"{_ELB}:DeleteRule",
            f"{_ELB}:ModifyListener",
            f"{_ELB}:ModifyListenerAttributes",
            f"{_ELB}:ModifyRule",
            f"{_ELB}:AddListenerCertificates",
            f"{_ELB}:RemoveListenerCertificates",
            f"{_ELB}:AddTags",
            f"{_ELB}:RemoveTags",
            f"{_ELB}:RegisterTargets",
            f"{_ELB}:DeregisterTargets",
            f"{_ELB}:SetWebAcl",
        ]
    ),
    allow(
        [
            f"{_ELB}:ModifyLoadBalancerAttributes",
            f"{_ELB}:ModifyCapacityReservation",
            f"{_ELB}:SetIpAddressType",
            f"{_ELB}:SetSecurityGroups",
            f"{_ELB}:SetSubnets",
            f"{_ELB}:DeleteLoadBalancer",
            f"{_ELB}:ModifyTargetGroup",
            f"{_ELB}:ModifyTargetGroupAttributes",
            f"{_ELB}:DeleteTargetGroup",
        ],
        "*",
        Condition=_TAGGED,
    ),
)

CLUSTER_AUTOSCALER = policy(
    allow(
        [
            "autoscaling:DescribeAutoScalingGroups",
            "autoscaling:DescribeAutoScalingInstances",
            "autoscaling:DescribeLaunchConfigurations",
            "autoscaling:DescribeScalingActivities",
            "autoscaling:DescribeTags",
            "ec2:DescribeImages",
            "ec2:DescribeInstanceTypes",
            "ec2:DescribeLaunchTemplateVersions",
            "ec2:GetInstanceTypesFromInstanceRequirements",
            "eks:DescribeNodegroup",
        ]
    ),
    allow(["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"]),
)

CLOUDWATCH_READER = policy(
    allow(["cloudwatch:GetMetricData", "cloudwatch:GetMetricStatistics", "cloudwatch:ListMetrics"])
)

EMF_WRITER = policy(
    allow(
        [
            "logs:CreateLogGroup",
            "logs:CreateLogStream",
            "logs:DescribeLogGroups",
            "logs:DescribeLogStreams",
            "logs:PutLogEvents",
            "logs:PutRetentionPolicy",
            "cloudwatch:PutMetricData",
        ]
    )
)

EBS_CSI_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy"
