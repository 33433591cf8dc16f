#!/usr/bin/env bash
# Smoke test through the AWS CLI (botocore): build cognate, start it on a
# private loopback port with a throwaway database, and drive the pool and
# client operations the way a user would. Usage: bash .ci/smoke.sh [DB]
# (DB defaults to :memory:, i.e. a temporary SQLite file; pass a postgres://
# URL to run the same script on PostgreSQL).
set -euo pipefail
cd "$(dirname "$0")/.."

db=${1:-:memory:}
work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT

go build -o "$work/cognate" ./cmd/cognate
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
"$work/cognate" serve --addr "127.0.0.1:$port" --db "$db" --log-format json --password-hashing fast >"$work/log" 2>&1 &
pid=$!
for _ in $(seq 100); do
  curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done

# Static dummy credentials: the CLI must never look for real ones on the network.
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=eu-west-1
export AWS_EC2_METADATA_DISABLED=true AWS_PAGER="" AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
aws() { command aws --endpoint-url "http://127.0.0.1:$port" --output json "$@"; }
fail() { echo "smoke: FAIL: $*" >&2; echo "--- server log" >&2; cat "$work/log" >&2; exit 1; }
passed=0
ok() { passed=$((passed + 1)); echo "smoke: ok: $*"; }

pool=$(aws cognito-idp create-user-pool --pool-name smoke-pool \
  --auto-verified-attributes email --username-attributes email \
  --schema Name=tier,AttributeDataType=String,Mutable=true \
  --query UserPool.Id --output text)
[[ $pool =~ ^eu-west-1_[A-Za-z0-9]{9}$ ]] || fail "pool id $pool is not <region>_<9 alphanumerics>"
ok "create-user-pool ($pool, region from the credential scope)"

desc=$(aws cognito-idp describe-user-pool --user-pool-id "$pool")
python3 - "$desc" <<'PY' || fail "describe-user-pool: $desc"
import json, sys
p = json.loads(sys.argv[1])["UserPool"]
assert p["Name"] == "smoke-pool", p["Name"]
assert p["UsernameAttributes"] == ["email"]
assert p["Policies"]["PasswordPolicy"]["MinimumLength"] == 8
names = [a["Name"] for a in p["SchemaAttributes"]]
assert "sub" in names and "custom:tier" in names, names
assert p["Arn"].endswith(":userpool/" + p["Id"]), p["Arn"]
PY
ok "describe-user-pool"

client=$(aws cognito-idp create-user-pool-client --user-pool-id "$pool" --client-name web \
  --explicit-auth-flows ALLOW_USER_SRP_AUTH ALLOW_REFRESH_TOKEN_AUTH --generate-secret \
  --query UserPoolClient.ClientId --output text)
[[ $client =~ ^[a-z0-9]{26}$ ]] || fail "client id $client"
ok "create-user-pool-client ($client)"

listed=$(aws cognito-idp list-user-pools --max-results 10 --query "UserPools[?Id=='$pool'].Name" --output text)
[[ $listed == smoke-pool ]] || fail "list-user-pools did not list the pool: $listed"
ok "list-user-pools"

if out=$(aws cognito-idp describe-user-pool --user-pool-id eu-west-1_doesNotEx 2>&1); then
  fail "describe of a missing pool succeeded"
fi
grep -q "ResourceNotFoundException" <<<"$out" || fail "missing pool: $out"
grep -q "User pool eu-west-1_doesNotEx does not exist." <<<"$out" || fail "missing pool text: $out"
ok "describe-user-pool of a missing pool: ResourceNotFoundException"

if out=$(aws cognito-idp create-user-pool --pool-name 'bad/name' 2>&1); then
  fail "a pool name with / was accepted"
fi
grep -q "InvalidParameterException" <<<"$out" && grep -q "at 'poolName' failed to satisfy constraint" <<<"$out" \
  || fail "bad pool name: $out"
ok "create-user-pool with an invalid name: AWS validation message"

# The README's walk-through: sign up, confirm with the code from the
# inspection API, sign in, read the user, sign out, and see the old token
# rejected.
pool2=$(aws cognito-idp create-user-pool --pool-name walk --auto-verified-attributes email --query UserPool.Id --output text)
app=$(aws cognito-idp create-user-pool-client --user-pool-id "$pool2" --client-name app \
  --explicit-auth-flows ALLOW_USER_PASSWORD_AUTH ALLOW_REFRESH_TOKEN_AUTH ALLOW_USER_SRP_AUTH \
  --query UserPoolClient.ClientId --output text)
aws cognito-idp sign-up --client-id "$app" --username alice --password 'Passw0rd!' \
  --user-attributes Name=email,Value=alice@example.com >/dev/null
code=$(curl -fsS "http://127.0.0.1:$port/_cognate/messages?UserPoolId=$pool2&Username=alice" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["Messages"][-1]["Code"])')
[[ $code =~ ^[0-9]{6}$ ]] || fail "no 6-digit code in the inspection API: $code"
aws cognito-idp confirm-sign-up --client-id "$app" --username alice --confirmation-code "$code" >/dev/null
ok "sign-up and confirm-sign-up with the code from /_cognate/messages"

tokens=$(aws cognito-idp initiate-auth --client-id "$app" --auth-flow USER_PASSWORD_AUTH \
  --auth-parameters USERNAME=alice,PASSWORD='Passw0rd!' --query AuthenticationResult)
access=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["AccessToken"])' "$tokens")
refresh=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["RefreshToken"])' "$tokens")
user=$(aws cognito-idp get-user --access-token "$access" --query "UserAttributes[?Name=='email_verified'].Value" --output text)
[[ $user == true ]] || fail "get-user: email_verified is $user"
ok "initiate-auth USER_PASSWORD_AUTH and get-user"

curl -fsS "http://127.0.0.1:$port/$pool2/.well-known/jwks.json" | python3 -c 'import json,sys; assert len(json.load(sys.stdin)["keys"]) == 2' \
  || fail "jwks.json"
aws cognito-idp initiate-auth --client-id "$app" --auth-flow REFRESH_TOKEN_AUTH \
  --auth-parameters REFRESH_TOKEN="$refresh" --query AuthenticationResult.AccessToken --output text >/dev/null
ok "jwks.json and REFRESH_TOKEN_AUTH"

# UpdateUserAttributes in a pool that keeps the verified email until the
# new one is verified: the old value stays, the code goes to the new one.
pool3=$(aws cognito-idp create-user-pool --pool-name keep --auto-verified-attributes email \
  --user-attribute-update-settings AttributesRequireVerificationBeforeUpdate=email \
  --schema Name=tier,AttributeDataType=String,Mutable=false --query UserPool.Id --output text)
app3=$(aws cognito-idp create-user-pool-client --user-pool-id "$pool3" --client-name app \
  --explicit-auth-flows ALLOW_USER_PASSWORD_AUTH ALLOW_REFRESH_TOKEN_AUTH --query UserPoolClient.ClientId --output text)
aws cognito-idp admin-create-user --user-pool-id "$pool3" --username bob --message-action SUPPRESS \
  --user-attributes Name=email,Value=bob@example.com Name=email_verified,Value=true >/dev/null
aws cognito-idp admin-set-user-password --user-pool-id "$pool3" --username bob --password 'Passw0rd!' --permanent
bob=$(aws cognito-idp initiate-auth --client-id "$app3" --auth-flow USER_PASSWORD_AUTH \
  --auth-parameters USERNAME=bob,PASSWORD='Passw0rd!' --query AuthenticationResult.AccessToken --output text)
dest=$(aws cognito-idp update-user-attributes --access-token "$bob" --client-metadata k=v \
  --user-attributes Name=email,Value=bob2@example.com Name=name,Value=Bob \
  --query 'CodeDeliveryDetailsList[0].Destination' --output text)
[[ $dest == 'b***@e***' ]] || fail "update-user-attributes destination: $dest"
shown=$(aws cognito-idp get-user --access-token "$bob" --query "UserAttributes[?Name=='email'].Value" --output text)
[[ $shown == bob@example.com ]] || fail "the original email must stay until verified, got $shown"
code=$(curl -fsS "http://127.0.0.1:$port/_cognate/messages?UserPoolId=$pool3&Username=bob" |
  python3 -c 'import json,sys; m=json.load(sys.stdin)["Messages"][-1]; assert m["Destination"]=="bob2@example.com", m; print(m["Code"])')
aws cognito-idp verify-user-attribute --access-token "$bob" --attribute-name email --code "$code"
shown=$(aws cognito-idp get-user --access-token "$bob" --query "UserAttributes[?Name=='email'].Value" --output text)
[[ $shown == bob2@example.com ]] || fail "verify-user-attribute did not apply the new email: $shown"
if out=$(aws cognito-idp update-user-attributes --access-token "$bob" --user-attributes Name=custom:tier,Value=gold 2>&1); then
  fail "an immutable attribute was updated"
fi
grep -q "user.custom:tier: Attribute cannot be updated." <<<"$out" || fail "immutable attribute: $out"
ok "update-user-attributes (keep original until verified), verify-user-attribute, immutable attribute"

# Groups through the CLI: a membership shows in the next tokens.
aws cognito-idp create-group --user-pool-id "$pool2" --group-name admins --precedence 1 >/dev/null
aws cognito-idp admin-add-user-to-group --user-pool-id "$pool2" --username alice --group-name admins
listed=$(aws cognito-idp admin-list-groups-for-user --user-pool-id "$pool2" --username alice --query 'Groups[0].GroupName' --output text)
[[ $listed == admins ]] || fail "admin-list-groups-for-user: $listed"
grouped=$(aws cognito-idp initiate-auth --client-id "$app" --auth-flow USER_PASSWORD_AUTH \
  --auth-parameters USERNAME=alice,PASSWORD='Passw0rd!' --query AuthenticationResult.AccessToken --output text)
python3 - "$grouped" <<'PY' || fail "cognito:groups missing from the access token"
import base64, json, sys
p = sys.argv[1].split(".")[1]
claims = json.loads(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)))
assert claims.get("cognito:groups") == ["admins"], claims
PY
ok "create-group, admin-add-user-to-group, cognito:groups in the access token"

aws cognito-idp global-sign-out --access-token "$access"
if out=$(aws cognito-idp get-user --access-token "$access" 2>&1); then
  fail "get-user with a signed-out token succeeded"
fi
grep -q "Access Token has been revoked" <<<"$out" || fail "revoked token: $out"
ok "global-sign-out, then: Access Token has been revoked"

aws cognito-idp delete-user-pool-client --user-pool-id "$pool" --client-id "$client" >/dev/null
aws cognito-idp delete-user-pool --user-pool-id "$pool" >/dev/null
ok "delete-user-pool-client and delete-user-pool"

echo "smoke ($db): $passed passed, 0 failed"
