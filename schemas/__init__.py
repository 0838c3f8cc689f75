"""Plain-data declarations shared by the Lambda code, the CDK stack and the local runtime.

Nothing in this package imports boto3, Powertools or the CDK: it must load anywhere, fast.
"""
