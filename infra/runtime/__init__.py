"""The local runtime: runs template.yaml's functions the way Lambda would, in this process.

- ``functions``: a pool of "containers" per function (separate imports of its module, each
  serving one invocation at a time, like Lambda's concurrency model).
- ``gateway``: API Gateway (REST proxy events, the Cognito authorizer) plus the static UI.
- ``pollers``: SQS event source mappings (batchItemFailures honoured) and DynamoDB Streams.
- ``scheduler``: EventBridge Scheduler / rate() and cron() schedules.
"""
