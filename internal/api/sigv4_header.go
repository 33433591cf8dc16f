package api

import (
	"strings"

	"github.com/cognate/cognate/internal/api/model"
)

// sigv4Algorithm is the only signing algorithm Cognito's endpoint takes.
const sigv4Algorithm = "AWS4-HMAC-SHA256"

// authHeader is a parsed "AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…,
// Signature=…" header. The parser checks the structure only; what the values
// mean (scope, dates, keys) is checked by verify.
type authHeader struct {
	AccessKeyID   string
	Date          string // the credential scope's YYYYMMDD
	Region        string
	Service       string
	Terminator    string // aws4_request
	SignedHeaders []string
	Signature     string
}

// Scope is the credential scope "DATE/REGION/SERVICE/aws4_request".
func (a *authHeader) Scope() string {
	return a.Date + "/" + a.Region + "/" + a.Service + "/" + a.Terminator
}

// incompleteSignature is AWS's type for an Authorization header that cannot
// be read.
func incompleteSignature(format string, args ...any) *model.Error {
	return model.Errorf("IncompleteSignatureException", format, args...)
}

// parseAuthorization reads an Authorization header strictly. hasDate tells
// whether the request carries a usable X-Amz-Date or Date header, because AWS
// reports a missing date together with missing parameters in one message.
//
// Texts: the "requires" sentences followed by "Authorization=<header>", the
// missing-equal-sign sentence and the five-elements sentence are AWS's own,
// as quoted in public reports (API Gateway and Coral JSON services such as
// Cloud9, DynamoDB, STS and IAM answer them as IncompleteSignatureException,
// HTTP 400 on the JSON protocol). The duplicate, unknown-parameter and
// SignedHeaders-syntax sentences are Cognate's own (inferred): AWS's texts for
// those were not found.
func parseAuthorization(value string, hasDate bool) (*authHeader, *model.Error) {
	var (
		cred, signed, sig          string
		gotCred, gotSigned, gotSig bool
	)
	alg, rest, _ := strings.Cut(value, " ")
	if alg == sigv4Algorithm {
		rest = strings.TrimLeft(rest, " ")
		if rest != "" {
			for part := range strings.SplitSeq(rest, ",") {
				part = strings.Trim(part, " ")
				k, v, ok := strings.Cut(part, "=")
				if !ok {
					return nil, incompleteSignature("'%s' not a valid key=value pair (missing equal-sign) in Authorization header: '%s'.", part, value)
				}
				var dst *string
				var got *bool
				switch k {
				case "Credential":
					dst, got = &cred, &gotCred
				case "SignedHeaders":
					dst, got = &signed, &gotSigned
				case "Signature":
					dst, got = &sig, &gotSig
				default:
					return nil, incompleteSignature("'%s' is not an Authorization header parameter: expected Credential, SignedHeaders and Signature. Authorization=%s", k, value)
				}
				if *got {
					return nil, incompleteSignature("Authorization header has the '%s' parameter more than once. Authorization=%s", k, value)
				}
				*dst, *got = v, true
			}
		}
	}
	// Every missing piece is reported at once, in AWS's order.
	var missing []string
	if !gotCred {
		missing = append(missing, "Authorization header requires 'Credential' parameter.")
	}
	if !gotSig || sig == "" {
		missing = append(missing, "Authorization header requires 'Signature' parameter.")
	}
	if !gotSigned || signed == "" {
		missing = append(missing, "Authorization header requires 'SignedHeaders' parameter.")
	}
	if !hasDate {
		missing = append(missing, "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
	}
	if len(missing) > 0 {
		return nil, incompleteSignature("%s Authorization=%s", strings.Join(missing, " "), value)
	}

	scope := strings.Split(cred, "/")
	if len(scope) != 5 {
		return nil, incompleteSignature("Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '%s'", cred)
	}
	a := &authHeader{
		AccessKeyID: scope[0], Date: scope[1], Region: scope[2], Service: scope[3], Terminator: scope[4],
		Signature: sig,
	}
	prev := ""
	for name := range strings.SplitSeq(signed, ";") {
		if !isSignedHeaderName(name) || name <= prev {
			return nil, incompleteSignature("SignedHeaders must be lower-case header names in ascending order, each once, separated by ';', got '%s'. Authorization=%s", signed, value)
		}
		a.SignedHeaders = append(a.SignedHeaders, name)
		prev = name
	}
	return a, nil
}

// isSignedHeaderName reports whether name is a lower-case HTTP header name
// (an RFC 9110 token without upper-case letters).
func isSignedHeaderName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}
