package api

import (
	"crypto/subtle"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/cognate/cognate/internal/api/model"
	"github.com/cognate/cognate/internal/caller"
)

// regionPattern accepts the shape of AWS region names (us-east-1,
// us-gov-west-1, eu-central-2, …) so that a credential scope never injects
// arbitrary text into pool ids and ARNs.
var regionPattern = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}$`)

const (
	// sigv4Service is Cognito user pools' SigV4 signing name (model metadata).
	sigv4Service = "cognito-idp"
	// sigv4Skew is how far X-Amz-Date may be from the server's clock, as on AWS.
	sigv4Skew = 5 * time.Minute
)

// The texts of AWS's authentication errors, as quoted from real responses in
// public reports. On the JSON protocol AWS answers all of them with HTTP 400
// (Cognito: InvalidSignatureException in laravel-aws-cognito-auth#18 and
// ellaisys/aws-cognito#24, UnrecognizedClientException in aws-sdk-php#2444,
// AccessDeniedException "400 AccessDeniedException: User: … is not authorized
// to perform: cognito-idp:CreateUserPool on resource: * because no
// identity-based policy allows the cognito-idp:CreateUserPool action" in
// aws-samples/aws-ai-intelligent-document-processing#12; DynamoDB, the other
// Coral JSON service, answers MissingAuthenticationTokenException with 400).
// The 403s seen in reports come from API Gateway and REST services, not from
// JSON-protocol endpoints like Cognito's. So Cognate keeps 400, as for every
// other client error (reference §5.3, §7.1).
const (
	msgMissingToken       = "Missing Authentication Token" // aws-sdk-net-extensions-cognito#95 (ListUsers without credentials)
	msgUnrecognizedClient = "The security token included in the request is invalid."
	msgSignatureMismatch  = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
)

func invalidSignature(format string, args ...any) *model.Error {
	return model.Errorf("InvalidSignatureException", format, args...)
}

// authenticate identifies the caller of a SigV4 (IAM-authorized) operation;
// body is the raw request body, whose hash is part of the signature. One
// server serves every region: the region comes from the credential scope.
//
// Local mode accepts any credentials, or none, and only reads the access key
// and region. Secure mode verifies the signature against the configured
// access keys and returns the key, whose pool limits authorize applies once
// the body is decoded.
func (d *dispatcher) authenticate(r *http.Request, body []byte, info *caller.Info) (*AccessKey, *model.Error) {
	if d.cfg.Mode == ModeSecure {
		return d.verify(r, body, info)
	}
	akid, region, signed := credentialScope(r.Header.Get("Authorization"))
	if signed {
		info.Signed = true
		info.AccessKeyID = akid
		if regionPattern.MatchString(region) {
			info.Region = region
		}
	}
	return nil, nil
}

// verify checks a request's SigV4 signature as AWS does, in AWS's order:
// presence, header syntax, credential scope, clock, key, signature. Every
// failure is one of AWS's error types with AWS's text.
func (d *dispatcher) verify(r *http.Request, body []byte, info *caller.Info) (*AccessKey, *model.Error) {
	values := r.Header.Values("Authorization")
	if len(values) == 0 || values[0] == "" {
		return nil, model.Errorf("MissingAuthenticationTokenException", msgMissingToken)
	}
	if len(values) > 1 {
		// Which one a proxy would have kept is anybody's guess: refuse both.
		return nil, incompleteSignature("The request has more than one Authorization header.")
	}
	value := values[0]
	at, hasDate := requestTime(r.Header)
	a, e := parseAuthorization(value, hasDate)
	if e != nil {
		return nil, e
	}
	// The claimed key id goes to the request log, also when it is refused
	// (a failed attempt is worth seeing); an id of the wrong shape does not,
	// as it can be anything up to the header size.
	if accessKeyIDPattern.MatchString(a.AccessKeyID) {
		info.AccessKeyID = a.AccessKeyID
	}
	if !slices.Contains(a.SignedHeaders, "host") {
		// A signature that does not cover Host could be replayed against
		// another server that shares the key.
		return nil, incompleteSignature("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")
	}
	// Every failing part of the credential scope is reported in one
	// message, in this order, as AWS's JSON endpoints answer (a DynamoDB
	// response recorded in architect/dynalite: region, service, terminator,
	// then date; each sentence ends in ". " but the date one).
	stamp := at.Format(sigv4TimeFormat)
	var scope strings.Builder
	if !regionPattern.MatchString(a.Region) {
		fmt.Fprintf(&scope, "Credential should be scoped to a valid region, not '%s'. ", a.Region)
	}
	if a.Service != sigv4Service {
		fmt.Fprintf(&scope, "Credential should be scoped to correct service: '%s'. ", sigv4Service)
	}
	if a.Terminator != "aws4_request" {
		fmt.Fprintf(&scope, "Credential should be scoped with a valid terminator: 'aws4_request', not '%s'. ", a.Terminator)
	}
	if a.Date != stamp[:8] {
		fmt.Fprintf(&scope, "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '%s' != '%s', from '%s'.", a.Date, stamp[:8], stamp)
	}
	if scope.Len() > 0 {
		return nil, invalidSignature("%s", scope.String())
	}
	// The machine clock, never the local-mode test clock: a signature is
	// about real time.
	now := d.cfg.Now().UTC().Truncate(time.Second)
	if at.Before(now.Add(-sigv4Skew)) {
		return nil, invalidSignature("Signature expired: %s is now earlier than %s (%s - 5 min.)",
			stamp, now.Add(-sigv4Skew).Format(sigv4TimeFormat), now.Format(sigv4TimeFormat))
	}
	if at.After(now.Add(sigv4Skew)) {
		return nil, invalidSignature("Signature not yet current: %s is still later than %s (%s + 5 min.)",
			stamp, now.Add(sigv4Skew).Format(sigv4TimeFormat), now.Format(sigv4TimeFormat))
	}
	if _, ok := r.Header["X-Amz-Security-Token"]; ok {
		// Cognate issues no temporary credentials, so no session token can
		// be valid; AWS answers an unknown one this way.
		return nil, model.Errorf("UnrecognizedClientException", msgUnrecognizedClient)
	}
	key := d.keys[a.AccessKeyID]
	if key == nil {
		return nil, model.Errorf("UnrecognizedClientException", msgUnrecognizedClient)
	}
	hash := payloadSHA256(body)
	if claimed := r.Header.Values("X-Amz-Content-Sha256"); len(claimed) > 0 && (len(claimed) > 1 || claimed[0] != hash) {
		// The payload hash is part of what is signed; a claimed hash that is
		// not the body's means the body changed after signing.
		return nil, invalidSignature(msgSignatureMismatch)
	}
	want := sigv4Signature(r, hash, a, key.Secret, at)
	if subtle.ConstantTimeCompare([]byte(want), []byte(a.Signature)) != 1 {
		return nil, invalidSignature(msgSignatureMismatch)
	}
	info.Signed = true
	info.AccessKeyID = key.ID
	info.Region = a.Region
	return key, nil
}

// requestTime reads X-Amz-Date, or, when the request has none, Date. A header
// that is present but unreadable counts as missing: AWS does not fall back
// from a bad X-Amz-Date to Date.
func requestTime(h http.Header) (time.Time, bool) {
	if v := h.Values("X-Amz-Date"); len(v) > 0 {
		if len(v) != 1 {
			return time.Time{}, false
		}
		t, err := time.Parse(sigv4TimeFormat, v[0])
		return t, err == nil
	}
	v := h.Values("Date")
	if len(v) != 1 {
		return time.Time{}, false
	}
	if t, err := time.Parse(sigv4TimeFormat, v[0]); err == nil {
		return t, true
	}
	t, err := http.ParseTime(v[0])
	return t.UTC(), err == nil
}

// authorize applies a key's pool limits once the request's pool is known.
// The AccessDeniedException text follows IAM's: the principal (the access
// key id stands in for the IAM user name), the action and the resource ARN.
func (d *dispatcher) authorize(key *AccessKey, info *caller.Info, in model.Input) *model.Error {
	if key == nil || len(key.Pools) == 0 {
		return nil
	}
	pool, resource := d.resource(in, info.Region)
	if pool != "" && key.allows(pool) {
		return nil
	}
	return model.Errorf("AccessDeniedException",
		"User: arn:aws:iam::%s:user/%s is not authorized to perform: cognito-idp:%s on resource: %s because no identity-based policy allows the cognito-idp:%s action",
		d.cfg.AccountID, key.ID, info.Operation, resource, info.Operation)
}

// resource returns the user pool a request acts on and its IAM resource:
// the pool's ARN, the ARN of a tagging call, or "*" for operations that name
// no single pool (CreateUserPool, ListUserPools, DescribeUserPoolDomain).
func (d *dispatcher) resource(in model.Input, region string) (pool, resource string) {
	if p, ok := in.(interface{ GetUserPoolId() string }); ok {
		pool = p.GetUserPoolId()
		if r, _, ok := strings.Cut(pool, "_"); ok && regionPattern.MatchString(r) {
			region = r
		}
		return pool, "arn:aws:cognito-idp:" + region + ":" + d.cfg.AccountID + ":userpool/" + pool
	}
	var arn *string
	switch x := in.(type) {
	case *model.TagResourceRequest:
		arn = x.ResourceArn
	case *model.UntagResourceRequest:
		arn = x.ResourceArn
	case *model.ListTagsForResourceRequest:
		arn = x.ResourceArn
	}
	if arn == nil {
		return "", "*"
	}
	// arn:PARTITION:cognito-idp:REGION:ACCOUNT:userpool/ID, in this account.
	f := strings.SplitN(*arn, ":", 6)
	if len(f) == 6 && f[0] == "arn" && f[2] == sigv4Service && f[4] == d.cfg.AccountID {
		if id, ok := strings.CutPrefix(f[5], "userpool/"); ok {
			return id, *arn
		}
	}
	return "", *arn
}

// credentialScope reads the access key and region of
// "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-west-2/cognito-idp/aws4_request, …"
// for local mode, which does not verify anything.
func credentialScope(authz string) (akid, region string, ok bool) {
	rest, found := strings.CutPrefix(authz, "AWS4-HMAC-SHA256 ")
	if !found {
		return "", "", false
	}
	for part := range strings.SplitSeq(rest, ",") {
		cred, found := strings.CutPrefix(strings.TrimSpace(part), "Credential=")
		if !found {
			continue
		}
		fields := strings.Split(cred, "/")
		if len(fields) != 5 {
			return "", "", false
		}
		return fields[0], fields[2], true
	}
	return "", "", false
}
