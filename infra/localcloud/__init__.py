"""ShopDesk's local stand-in for AWS: DynamoDB Local plus moto, persistent across restarts.

    from infra.localcloud import LocalCloud

    with LocalCloud(Path(".data/localcloud")) as cloud:
        os.environ.update(cloud.env())   # boto3 now talks to the local cloud
        ...

See README.md in this folder for the persistence design and its limits.
"""

from .cloud import DEFAULT_REGION, LocalCloud
from .dynamodb_local import DynamoDBLocalError, ensure_dynamodb_local
from .instance_lock import AlreadyRunning

__all__ = [
    "DEFAULT_REGION",
    "AlreadyRunning",
    "DynamoDBLocalError",
    "LocalCloud",
    "ensure_dynamodb_local",
]
