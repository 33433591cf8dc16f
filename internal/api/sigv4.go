package api

import (
	"net/http"
	"regexp"
	"strings"

	"github.com/cognate/cognate/internal/api/model"
	"github.com/cognate/cognate/internal/caller"
)

// regionPattern accepts the shape of AWS region names (us-east-1,
// us-gov-west-1, eu-central-2, …) so that a credential scope never injects
// arbitrary text into pool ids and ARNs.
var regionPattern = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}$`)

// authenticate identifies the caller of a SigV4 operation. One server serves
// every region: the region comes from the credential scope. In local mode any
// credentials (or none) are accepted; secure mode fails closed until SigV4
// verification against configured keys exists.
func (d *dispatcher) authenticate(r *http.Request, info *caller.Info) *model.Error {
	akid, region, signed := credentialScope(r.Header.Get("Authorization"))
	if signed {
		info.Signed = true
		info.AccessKeyID = akid
		if regionPattern.MatchString(region) {
			info.Region = region
		}
	}
	if d.cfg.Mode == ModeSecure {
		return model.Errorf("AccessDeniedException",
			"Cognate's secure mode does not verify SigV4 signatures yet, so it refuses %s and every other IAM-authorized operation.", info.Operation)
	}
	return nil
}

// credentialScope reads the access key and region of
// "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-west-2/cognito-idp/aws4_request, …".
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
