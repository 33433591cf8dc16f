"""boto3 against Cognate: an administrator creates a pool, an app client and
a user; the user signs in and reads itself. Run with a Cognate server
started (default http://localhost:9229; set COGNATE_ENDPOINT to change it):

    python3 examples/python/boto3_example.py
"""

import os

import boto3

endpoint = os.environ.get("COGNATE_ENDPOINT", "http://localhost:9229")

# Static dummy credentials: boto3 must never look for real ones.
client = boto3.client("cognito-idp", endpoint_url=endpoint, region_name="us-east-1",
                      aws_access_key_id="test", aws_secret_access_key="test")

pool = client.create_user_pool(PoolName="boto3-example")["UserPool"]["Id"]
app = client.create_user_pool_client(
    UserPoolId=pool, ClientName="boto3", ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
)["UserPoolClient"]["ClientId"]
client.admin_create_user(UserPoolId=pool, Username="carol", MessageAction="SUPPRESS",
                         UserAttributes=[{"Name": "email", "Value": "carol@example.com"}])
client.admin_set_user_password(UserPoolId=pool, Username="carol", Password="Passw0rd!", Permanent=True)

tokens = client.admin_initiate_auth(
    UserPoolId=pool, ClientId=app, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
    AuthParameters={"USERNAME": "carol", "PASSWORD": "Passw0rd!"},
)["AuthenticationResult"]
me = client.get_user(AccessToken=tokens["AccessToken"])
email = next(a["Value"] for a in me["UserAttributes"] if a["Name"] == "email")
print(f"signed in as {me['Username']} <{email}> in {pool}")
assert email == "carol@example.com"

client.delete_user_pool(UserPoolId=pool)
