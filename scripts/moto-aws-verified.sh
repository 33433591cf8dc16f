#!/usr/bin/env bash
# Runs moto's own cognito-idp tests that are marked `@pytest.mark.aws_verified`
# (tests moto's maintainers ran against real AWS) against a local Cognate, and
# prints pytest's per-test summary. Exits with pytest's status.
#
#   bash scripts/moto-aws-verified.sh [MOTO_REPO [TAG]]
#
# Inputs (argument, else env var, else default):
#   MOTO_REPO      a git clone of getmoto/moto (bare is fine)
#                  default /work/.mirror/getmoto+moto/repo
#   MOTO_TAG       the tag whose tests/ are extracted (git archive); default 5.2.1,
#                  which must match the moto installed in $PYTHON (the tests import
#                  moto itself, and the IAM server below is that installed moto)
#   PYCOGNITO_REPO a git clone of NabuCasa/pycognito; default
#                  /work/.mirror/NabuCasa+pycognito/repo. Its pycognito/ package is
#                  extracted at the newest release tag (PYCOGNITO_TAG overrides)
#   COGNATE_DB     Cognate's --db (default :memory:, a throwaway SQLite file;
#                  a postgres:// URL works too)
#   PYTHON         default /root/.pyenv/shims/python3 (has moto, boto3, botocore,
#                  joserfc, requests, cryptography, attrs)
#   PYTEST_ARGS    extra pytest arguments (e.g. "-k jti -x", "--durations=0")
#   KEEP_WORK=1    keep the temp dir (servers' logs cognate.log, moto.log)
#
# How it works:
# - `go build` Cognate from this checkout, start it on a free 127.0.0.1 port with
#   `--db :memory: --password-hashing fast` (fast argon2id: test suites only).
# - MOTO_TEST_ALLOW_AWS_REQUEST=true makes moto's `cognitoidp_aws_verified`
#   decorator (tests/test_cognitoidp/__init__.py) and tests/__init__.py's
#   allow_aws_request() run the test WITHOUT mock_aws, i.e. against whatever
#   endpoint boto3 is configured with; it also turns on the tests' "real AWS"
#   branches (e.g. sleeping until a fresh TOTP code).
# - AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER points boto3's "cognito-idp"
#   client at Cognate: botocore names the variable after the service id
#   "Cognito Identity Provider" (upper-cased, spaces/hyphens -> "_"), and a
#   service-specific variable wins over the global AWS_ENDPOINT_URL.
# - Tests created with `with_mfa` call IAM (create_role/create_policy/...) via
#   boto3.client("iam"); conftest's account_id fixture would call STS. Both are
#   served by a local moto server (`python3 -m moto.server`, the installed moto)
#   through AWS_ENDPOINT_URL_IAM and AWS_ENDPOINT_URL_STS. No other AWS service is
#   called by these tests (grep for boto3.client in tests/test_cognitoidp).
# - Safety net, so that NOTHING leaves 127.0.0.1:
#   * AWS_ENDPOINT_URL (global) is a loopback port with nothing listening, so a
#     client for any other service fails with a connection error instead of
#     reaching AWS;
#   * HTTP_PROXY/HTTPS_PROXY/ALL_PROXY are that closed port too, with
#     NO_PROXY=127.0.0.1,localhost: plain `requests` calls to amazonaws.com
#     (pycognito's device calls, the test module's fetch_public_keys) fail
#     locally; botocore and Cognate honour these as well;
#   * Cognate's Lambda endpoint (triggers; none are configured) is that port too.
# - Static dummy credentials (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY=test; Cognate's
#   local mode accepts any SigV4 key), AWS_EC2_METADATA_DISABLED=true (no IMDS
#   probe to 169.254.169.254), AWS_CONFIG_FILE/AWS_SHARED_CREDENTIALS_FILE=/dev/null
#   (no profile, region, endpoint or credential_process from ~/.aws leaks in);
#   AWS_PROFILE, AWS_SESSION_TOKEN and AWS_IGNORE_CONFIGURED_ENDPOINT_URLS are unset.
# - The test module imports pytest, pyotp and pycognito, which the pyenv Python
#   lacks (PyPI is not reachable). pytest and pyotp come from Debian
#   (apt-get install python3-pytest python3-pyotp python3-jwt, installed here if
#   missing) under /usr/lib/python3/dist-packages (bookworm: Python 3.11 like
#   pyenv's). A shim directory on PYTHONPATH symlinks only the pure-Python
#   packages needed: pytest, _pytest, pluggy, iniconfig, packaging, py.py
#   (pytest's own shim), pyotp, jwt (PyJWT, imported by pycognito). Not all of
#   dist-packages.
# - pycognito (pure Python) is extracted from its git clone. Its __init__ does
#   `from envs import env` (the `envs` package is on neither PyPI-reachable nor
#   Debian), used only for COGNITO_JWKS in Cognito.get_keys; the shim provides a
#   minimal `envs.env()` that reads os.environ. pycognito.aws_srp.AWSSRP (the SRP
#   client the tests use) is the real, unmodified code.
# - pytest runs from the extracted tree's root (tests/ is a package; its
#   pyproject.toml registers the aws_verified marker): only tests/test_cognitoidp/
#   and only `-m aws_verified`, `-p no:cacheprovider`, `-rA` for per-test results.
# - Both servers are stopped on exit (trap), and the temp dir removed.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
MOTO_REPO=${1:-${MOTO_REPO:-/work/.mirror/getmoto+moto/repo}}
MOTO_TAG=${2:-${MOTO_TAG:-5.2.1}}
PYCOGNITO_REPO=${PYCOGNITO_REPO:-/work/.mirror/NabuCasa+pycognito/repo}
PYTHON=${PYTHON:-/root/.pyenv/shims/python3}
COGNATE_DB=${COGNATE_DB:-:memory:}
export PATH="/usr/local/go/bin:$PATH"

work=$(mktemp -d /tmp/moto-aws-verified.XXXXXX)
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  if [ "${KEEP_WORK:-}" = 1 ]; then echo "== kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

freeport() { "$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_http() { # url pid name
  for _ in $(seq 300); do
    curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
    kill -0 "$2" 2>/dev/null || { echo "$3 exited; its log:" >&2; cat "$work/$3.log" >&2; return 1; }
    sleep 0.1
  done
  echo "$3 did not answer at $1; its log:" >&2; cat "$work/$3.log" >&2; return 1
}

# --- Python dependencies: Debian's pytest/pyotp/PyJWT via a shim dir ---------
dist=/usr/lib/python3/dist-packages
need=()
[ -d "$dist/pytest" ] || need+=(python3-pytest)
[ -d "$dist/pyotp" ] || need+=(python3-pyotp)
[ -d "$dist/jwt" ] || need+=(python3-jwt)
if [ ${#need[@]} -gt 0 ]; then
  echo "== apt-get install ${need[*]}"
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
shim=$work/pyshim
mkdir -p "$shim"
for m in pytest _pytest pluggy iniconfig packaging py.py pyotp jwt; do
  if "$PYTHON" -c "import importlib.util,sys; sys.exit(0 if importlib.util.find_spec('${m%.py}') else 1)" 2>/dev/null; then
    continue # the pyenv Python already has it
  fi
  if [ -e "$dist/$m" ]; then ln -s "$dist/$m" "$shim/$m"; fi
done
cat >"$shim/envs.py" <<'EOF'
"""Minimal stand-in for the `envs` package (only `env()`), which pycognito's
__init__ imports for one optional setting (COGNITO_JWKS). Reads os.environ."""
import ast
import os

_TRUE = ("true", "1", "yes", "y", "on")


def env(key, default=None, var_type="string", allow_none=True):
    value = os.environ.get(key)
    if value is None:
        if default is None and not allow_none:
            raise KeyError(key)
        return default
    if var_type == "string":
        return value
    if var_type == "boolean":
        return value.strip().lower() in _TRUE
    if var_type == "integer":
        return int(value)
    if var_type == "float":
        return float(value)
    return ast.literal_eval(value)  # dict, list, tuple, ...
EOF
pyc_tag=${PYCOGNITO_TAG:-$(git -C "$PYCOGNITO_REPO" tag --list '[0-9]*' --sort=-v:refname | head -1)}
[ -n "$pyc_tag" ] || { echo "no release tag in $PYCOGNITO_REPO" >&2; exit 1; }
git -C "$PYCOGNITO_REPO" archive "$pyc_tag" pycognito | tar -x -C "$shim"
echo "== pycognito $pyc_tag from $PYCOGNITO_REPO"

# --- moto's tests at the tag ------------------------------------------------
src=$work/moto
mkdir -p "$src"
git -C "$MOTO_REPO" archive "$MOTO_TAG" tests pyproject.toml | tar -x -C "$src"
installed=$("$PYTHON" -c 'import moto; print(moto.__version__)')
echo "== moto tests at $MOTO_TAG from $MOTO_REPO (installed moto: $installed)"
[ "$installed" = "$MOTO_TAG" ] || echo "warning: installed moto $installed differs from tag $MOTO_TAG" >&2

# --- network isolation -------------------------------------------------------
closed=$(freeport) # nothing listens here: the sink for anything unrouted
closed_url=http://127.0.0.1:$closed
unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_SESSION_TOKEN AWS_SECURITY_TOKEN \
  AWS_IGNORE_CONFIGURED_ENDPOINT_URLS AWS_CA_BUNDLE AWS_WEB_IDENTITY_TOKEN_FILE \
  AWS_ROLE_ARN AWS_CONTAINER_CREDENTIALS_RELATIVE_URI AWS_CONTAINER_CREDENTIALS_FULL_URI
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1 \
  AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null \
  AWS_ENDPOINT_URL=$closed_url AWS_ENDPOINT_URL_LAMBDA=$closed_url \
  HTTP_PROXY=$closed_url HTTPS_PROXY=$closed_url ALL_PROXY=$closed_url \
  http_proxy=$closed_url https_proxy=$closed_url all_proxy=$closed_url \
  NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost

# --- Cognate ---------------------------------------------------------------
echo "== go build ./cmd/cognate"
(cd "$here" && go build -o "$work/cognate" ./cmd/cognate)
cport=$(freeport)
COGNATE_LAMBDA_ENDPOINT=$closed_url "$work/cognate" serve --addr "127.0.0.1:$cport" \
  --db "$COGNATE_DB" --password-hashing fast --log-level warn >"$work/cognate.log" 2>&1 &
pids+=($!)
wait_http "http://127.0.0.1:$cport/healthz" "$!" cognate
echo "== cognate on 127.0.0.1:$cport (db $COGNATE_DB)"

# --- moto server for IAM (and STS) --------------------------------------------
mport=$(freeport)
"$PYTHON" -m moto.server -H 127.0.0.1 -p "$mport" >"$work/moto.log" 2>&1 &
pids+=($!)
wait_http "http://127.0.0.1:$mport/moto-api/" "$!" moto
echo "== moto server (IAM, STS) on 127.0.0.1:$mport"

export AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER=http://127.0.0.1:$cport \
  AWS_ENDPOINT_URL_IAM=http://127.0.0.1:$mport AWS_ENDPOINT_URL_STS=http://127.0.0.1:$mport \
  MOTO_TEST_ALLOW_AWS_REQUEST=true PYTHONPATH="$shim${PYTHONPATH:+:$PYTHONPATH}" \
  PYTHONDONTWRITEBYTECODE=1

# Fail early if boto3 would not route as intended.
"$PYTHON" - <<EOF
import boto3
want = {"cognito-idp": "http://127.0.0.1:$cport", "iam": "http://127.0.0.1:$mport",
        "sts": "http://127.0.0.1:$mport", "sns": "$closed_url"}
for svc, url in want.items():
    got = boto3.client(svc, "us-west-2").meta.endpoint_url
    assert got == url, (svc, got, url)
import pycognito, pycognito.aws_srp, pyotp, pytest  # the imports the tests need
EOF

echo "== pytest -m aws_verified tests/test_cognitoidp/"
rc=0
(cd "$src" && "$PYTHON" -m pytest -m aws_verified -p no:cacheprovider -rA --color=no \
  ${PYTEST_ARGS:-} tests/test_cognitoidp/) || rc=$?
if grep -qiE "level=error|panic" "$work/cognate.log"; then
  echo "== cognate log (errors)"; grep -iE "level=error|panic" "$work/cognate.log" | tail -20
fi
exit $rc
