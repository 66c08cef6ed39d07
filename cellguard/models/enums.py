"""The controlled vocabularies of the spec, as ``StrEnum`` types."""

from __future__ import annotations

from enum import StrEnum


class DocumentKind(StrEnum):
    """The kinds of document a spec file may hold."""

    STACK = "Stack"
    PLATFORM = "Platform"


class Criticality(StrEnum):
    """Business criticality tier of a journey (tier0 is mission critical)."""

    TIER0 = "tier0"
    TIER1 = "tier1"
    TIER2 = "tier2"
    TIER3 = "tier3"


class Reputation(StrEnum):
    """Reputational damage of an outage."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    SEVERE = "severe"


class Interaction(StrEnum):
    """How users experience a journey; drives streaming and async checks."""

    CHAT = "chat"
    COMPLETION = "completion"
    SEARCH = "search"
    AGENTIC = "agentic"
    BATCH = "batch"
    API = "api"


class Likelihood(StrEnum):
    """Likelihood scale of the risk register."""

    RARE = "rare"
    UNLIKELY = "unlikely"
    POSSIBLE = "possible"
    LIKELY = "likely"
    ALMOST_CERTAIN = "almost_certain"


class RiskSeverity(StrEnum):
    """Severity scale of the risk register."""

    MINOR = "minor"
    MODERATE = "moderate"
    MAJOR = "major"
    SEVERE = "severe"


class ComponentKind(StrEnum):
    """Every kind of component a stack may declare."""

    APP = "app"
    GATEWAY = "gateway"
    ROUTER = "router"
    MODEL_ENDPOINT = "model_endpoint"
    EMBEDDING_MODEL = "embedding_model"
    VECTOR_STORE = "vector_store"
    INGESTION_PIPELINE = "ingestion_pipeline"
    GUARDRAIL = "guardrail"
    PROMPT_STORE = "prompt_store"
    AGENT = "agent"
    TOOL = "tool"
    CACHE = "cache"
    QUEUE = "queue"
    OBJECT_STORE = "object_store"
    DATABASE = "database"
    TRAINING_JOB = "training_job"
    OBSERVABILITY = "observability"


class Runtime(StrEnum):
    """Where a service component runs: a compute platform the team deploys to, or the managed
    service that *is* the component (``api_gateway``, ``appsync``, ``step_functions``, ...).

    ``managed`` says only that some managed service runs it: its availability then has no
    prior (UNKNOWN until ``availability`` is set) unless a ``product`` or ``framework`` names
    a catalogued service."""

    EKS = "eks"
    ECS = "ecs"
    FARGATE = "fargate"
    LAMBDA = "lambda"
    EC2 = "ec2"
    KUBERNETES = "kubernetes"
    API_GATEWAY = "api_gateway"
    APPSYNC = "appsync"
    CLOUDFRONT = "cloudfront"
    ROUTE53 = "route53"
    STEP_FUNCTIONS = "step_functions"
    BATCH = "batch"
    COGNITO = "cognito"
    BEDROCK_AGENTS = "bedrock_agents"
    BEDROCK_KNOWLEDGE_BASES = "bedrock_knowledge_bases"
    MANAGED = "managed"
    OTHER = "other"


MANAGED_SERVICE_RUNTIMES = frozenset(
    {
        Runtime.LAMBDA,
        Runtime.API_GATEWAY,
        Runtime.APPSYNC,
        Runtime.CLOUDFRONT,
        Runtime.ROUTE53,
        Runtime.STEP_FUNCTIONS,
        Runtime.BATCH,
        Runtime.COGNITO,
        Runtime.BEDROCK_AGENTS,
        Runtime.BEDROCK_KNOWLEDGE_BASES,
        Runtime.MANAGED,
    }
)
"""Runtimes that are a provider's managed service: the provider spreads it over zones."""


class Hosting(StrEnum):
    """How a model is hosted."""

    BEDROCK = "bedrock"
    SAGEMAKER = "sagemaker"
    SELF_HOSTED = "self_hosted"
    EXTERNAL_API = "external_api"


class ServingEngine(StrEnum):
    """Inference engine of a self-hosted or SageMaker model."""

    VLLM = "vllm"
    TGI = "tgi"
    SGLANG = "sglang"
    TRITON = "triton"
    TENSORRT_LLM = "tensorrt_llm"
    NIM = "nim"
    LMI = "lmi"
    OLLAMA = "ollama"
    OTHER = "other"


class Precision(StrEnum):
    """Numeric precision of served model weights."""

    FP32 = "fp32"
    BF16 = "bf16"
    FP16 = "fp16"
    FP8 = "fp8"
    INT8 = "int8"
    INT4 = "int4"


class DependencyMode(StrEnum):
    """How a caller waits for a dependency."""

    SYNC = "sync"
    ASYNC = "async"
    STREAM = "stream"


class PurchaseOption(StrEnum):
    """How GPU capacity is bought."""

    ON_DEMAND = "on_demand"
    ODCR = "odcr"
    CAPACITY_BLOCK = "capacity_block"
    SAVINGS_PLAN = "savings_plan"
    SPOT = "spot"


class RolloutStrategy(StrEnum):
    """How new versions (of a model, image or config) reach production."""

    ALL_AT_ONCE = "all_at_once"
    CANARY = "canary"
    BLUE_GREEN = "blue_green"
    SHADOW = "shadow"
    ROLLING = "rolling"


class AutoscalingMetric(StrEnum):
    """The signal an autoscaler follows."""

    QUEUE_DEPTH = "queue_depth"
    CONCURRENCY = "concurrency"
    GPU_UTILISATION = "gpu_utilisation"
    CPU = "cpu"
    REQUESTS_PER_SECOND = "requests_per_second"
    LATENCY = "latency"


class BackupScope(StrEnum):
    """Where a backup copy lives relative to its source."""

    SAME_REGION = "same_region"
    CROSS_REGION = "cross_region"
    CROSS_ACCOUNT = "cross_account"


class VectorEngine(StrEnum):
    """Vector store engines."""

    OPENSEARCH = "opensearch"
    OPENSEARCH_SERVERLESS = "opensearch_serverless"
    AURORA_PGVECTOR = "aurora_pgvector"
    PGVECTOR = "pgvector"
    MEMORYDB = "memorydb"
    PINECONE = "pinecone"
    MILVUS = "milvus"
    QDRANT = "qdrant"
    WEAVIATE = "weaviate"
    REDIS = "redis"
    S3_VECTORS = "s3_vectors"
    KENDRA = "kendra"
    OTHER = "other"


class PipelineMode(StrEnum):
    """Ingestion pipeline execution mode."""

    BATCH = "batch"
    STREAMING = "streaming"


class GuardrailCheck(StrEnum):
    """Checks a guardrail performs; ``input_*`` run before, ``output_*`` after the model."""

    INPUT_TOXICITY = "input_toxicity"
    OUTPUT_TOXICITY = "output_toxicity"
    PII = "pii"
    PROMPT_INJECTION = "prompt_injection"
    JAILBREAK = "jailbreak"
    DENIED_TOPICS = "denied_topics"
    GROUNDING = "grounding"
    HALLUCINATION = "hallucination"
    SCHEMA = "schema"


class GuardrailProvider(StrEnum):
    """Guardrail implementations."""

    BEDROCK_GUARDRAILS = "bedrock_guardrails"
    NEMO_GUARDRAILS = "nemo_guardrails"
    LLAMA_GUARD = "llama_guard"
    GUARDRAILS_AI = "guardrails_ai"
    CUSTOM = "custom"


class StoreEngine(StrEnum):
    """Engines of prompt stores, databases, caches, queues and object stores."""

    DYNAMODB = "dynamodb"
    AURORA = "aurora"
    RDS = "rds"
    DOCUMENTDB = "documentdb"
    POSTGRES = "postgres"
    S3 = "s3"
    EFS = "efs"
    ELASTICACHE = "elasticache"
    MEMORYDB = "memorydb"
    REDIS = "redis"
    SQS = "sqs"
    SNS = "sns"
    KINESIS = "kinesis"
    MSK = "msk"
    KAFKA = "kafka"
    EVENTBRIDGE = "eventbridge"
    BEDROCK_PROMPT_MANAGEMENT = "bedrock_prompt_management"
    PARAMETER_STORE = "parameter_store"
    ECR = "ecr"
    GIT = "git"
    OTHER = "other"


class DataContent(StrEnum):
    """What an object store or database holds; drives backup checks."""

    MODEL_ARTIFACTS = "model_artifacts"
    FINE_TUNING_DATA = "fine_tuning_data"
    TRAINING_DATA = "training_data"
    DOCUMENTS = "documents"
    EMBEDDINGS = "embeddings"
    PROMPTS = "prompts"
    CONVERSATIONS = "conversations"
    EVALUATION = "evaluation"
    LOGS = "logs"
    OTHER = "other"


class ToolPermission(StrEnum):
    """What an agent tool may do."""

    READ = "read"
    WRITE = "write"


class AgentIsolation(StrEnum):
    """Whether an agent framework runs inside the app process or as its own service."""

    IN_PROCESS = "in_process"
    SERVICE = "service"


class TrainingPlatform(StrEnum):
    """Where training or fine-tuning jobs run."""

    SAGEMAKER = "sagemaker"
    BEDROCK = "bedrock"
    EKS = "eks"
    OTHER = "other"


class ObservabilityProvider(StrEnum):
    """Observability back ends."""

    CLOUDWATCH = "cloudwatch"
    PROMETHEUS = "prometheus"
    GRAFANA = "grafana"
    DATADOG = "datadog"
    LANGFUSE = "langfuse"
    LANGSMITH = "langsmith"
    OPENTELEMETRY = "opentelemetry"
    OTHER = "other"


class SharedDomainType(StrEnum):
    """Kinds of explicit shared-fate domains."""

    ACCOUNT_QUOTA = "account_quota"
    GPU_NODE_POOL = "gpu_node_pool"
    EKS_CONTROL_PLANE = "eks_control_plane"
    VECTOR_STORE_INSTANCE = "vector_store_instance"
    PROMPT_LIBRARY = "prompt_library"
    NETWORK = "network"
    IDENTITY = "identity"
    DEPLOYMENT_PIPELINE = "deployment_pipeline"
    OTHER = "other"


class ChaosExperimentType(StrEnum):
    """Chaos experiments a team runs."""

    AZ_POWER_INTERRUPTION = "az_power_interruption"
    POD_KILL = "pod_kill"
    GPU_NODE_LOSS = "gpu_node_loss"
    REGION_ISOLATION = "region_isolation"
    NETWORK_LATENCY = "network_latency"
    DEPENDENCY_FAILURE = "dependency_failure"
    QUOTA_EXHAUSTION = "quota_exhaustion"
    CPU_STRESS = "cpu_stress"
    OTHER = "other"


class DrStrategy(StrEnum):
    """Disaster recovery strategies, from cheapest to fastest."""

    NONE = "none"
    BACKUP_RESTORE = "backup_restore"
    PILOT_LIGHT = "pilot_light"
    WARM_STANDBY = "warm_standby"
    ACTIVE_ACTIVE = "active_active"


class RouterStrategy(StrEnum):
    """How a router picks a target."""

    CELL_HASH = "cell_hash"
    LATENCY = "latency"
    FAILOVER = "failover"
    WEIGHTED = "weighted"
    ROUND_ROBIN = "round_robin"


class RegionRole(StrEnum):
    """Role of a region in the stack's DR design."""

    PRIMARY = "primary"
    ACTIVE = "active"
    RECOVERY = "recovery"
