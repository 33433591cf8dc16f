# A whole user journey through the AWS CLI against a running Cognate: sign
# up, read the confirmation code from the inspection API, confirm, sign in,
# read the user, sign out, and see the old token refused. The README shows
# this file; CI runs it (.ci/examples.sh). Paste it into a shell, or run
# `bash examples/quickstart.sh`; ENDPOINT defaults to http://localhost:9229.
ENDPOINT=${ENDPOINT:-http://localhost:9229}
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true
cip() { aws --endpoint-url "$ENDPOINT" cognito-idp "$@"; }

POOL=$(cip create-user-pool --pool-name demo --auto-verified-attributes email --query UserPool.Id --output text)
CLIENT=$(cip create-user-pool-client --user-pool-id "$POOL" --client-name web \
  --explicit-auth-flows ALLOW_USER_PASSWORD_AUTH ALLOW_USER_SRP_AUTH ALLOW_REFRESH_TOKEN_AUTH \
  --query UserPoolClient.ClientId --output text)

cip sign-up --client-id "$CLIENT" --username alice --password 'Passw0rd!' \
  --user-attributes Name=email,Value=alice@example.com
CODE=$(curl -s "$ENDPOINT/_cognate/messages?UserPoolId=$POOL&Username=alice" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["Messages"][-1]["Code"])')
cip confirm-sign-up --client-id "$CLIENT" --username alice --confirmation-code "$CODE"

ACCESS=$(cip initiate-auth --client-id "$CLIENT" --auth-flow USER_PASSWORD_AUTH \
  --auth-parameters USERNAME=alice,PASSWORD='Passw0rd!' --query AuthenticationResult.AccessToken --output text)
cip get-user --access-token "$ACCESS"
cip global-sign-out --access-token "$ACCESS"
if cip get-user --access-token "$ACCESS"; then echo "quickstart: FAIL: the signed-out token still works"
else echo "quickstart: the signed-out token is refused, as it should be"; fi
