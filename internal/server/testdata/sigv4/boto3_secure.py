"""boto3 against Cognate in secure mode, run by wire_sigv4_test.go.

Reads COGNATE_ENDPOINT, COGNATE_REGION, COGNATE_AKID and COGNATE_SECRET, makes
signed calls with those credentials, then with a wrong secret and with a
session token, and prints one JSON object: what each call returned, or the
error code, message and HTTP status it raised. Credentials are passed
explicitly and retries are off, so nothing from ~/.aws or the network
credential chain is used and a refusal is reported as it came.
"""

import json
import os

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

ENDPOINT = os.environ["COGNATE_ENDPOINT"]
REGION = os.environ["COGNATE_REGION"]
AKID = os.environ["COGNATE_AKID"]
SECRET = os.environ["COGNATE_SECRET"]


def client(secret=SECRET, token=None):
    session = boto3.session.Session(
        aws_access_key_id=AKID,
        aws_secret_access_key=secret,
        aws_session_token=token,
        region_name=REGION,
    )
    return session.client(
        "cognito-idp",
        endpoint_url=ENDPOINT,
        config=Config(retries={"max_attempts": 1, "mode": "standard"}),
    )


def refusal(call):
    try:
        call()
    except ClientError as e:
        return {
            "code": e.response["Error"]["Code"],
            "message": e.response["Error"]["Message"],
            "status": e.response["ResponseMetadata"]["HTTPStatusCode"],
        }
    return {"code": None}


c = client()
pool = c.create_user_pool(PoolName="boto3-secure")["UserPool"]
out = {
    "created": pool["Id"],
    "described": c.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]["Name"],
    "listed": [p["Id"] for p in c.list_user_pools(MaxResults=60)["UserPools"]],
    "wrong_secret": refusal(lambda: client(secret="not/the+right/secret/0123456789abcdefgh").list_user_pools(MaxResults=5)),
    "session_token": refusal(lambda: client(token="FwoGZXIvYXdzEXAMPLEsessiontoken").list_user_pools(MaxResults=5)),
}
print(json.dumps(out))
