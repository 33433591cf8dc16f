package api

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"regexp"
	"slices"
	"strings"
)

// AccessKey is one SigV4 credential secure mode accepts (--access-keys).
type AccessKey struct {
	ID     string
	Secret string
	// Pools, when not empty, are the only user pools this key may act on.
	// Operations that name no single pool (CreateUserPool, ListUserPools,
	// DescribeUserPoolDomain) are then refused, as IAM refuses an action on
	// resource "*" to a policy that lists pool ARNs.
	Pools []string
}

// String names the key without its secret, so that printing an AccessKey by
// mistake (%v, a log attribute) never shows the secret.
func (k AccessKey) String() string {
	if len(k.Pools) == 0 {
		return k.ID + " (all pools)"
	}
	return k.ID + " (pools " + strings.Join(k.Pools, ", ") + ")"
}

// GoString keeps %#v from printing the secret too.
func (k AccessKey) GoString() string { return "api.AccessKey{" + k.String() + "}" }

// LogValue keeps a logged AccessKey (any slog handler, JSON included) to its id
// and pools.
func (k AccessKey) LogValue() slog.Value { return slog.StringValue(k.String()) }

// allows reports whether the key may act on poolID.
func (k *AccessKey) allows(poolID string) bool {
	return len(k.Pools) == 0 || slices.Contains(k.Pools, poolID)
}

var (
	// accessKeyIDPattern is IAM's AccessKeyId shape (16 to 128 word
	// characters); it also guarantees that an id never contains the
	// separators of a credential scope ("/") or of this syntax (":", ",").
	accessKeyIDPattern = regexp.MustCompile(`^\w{16,128}$`)
	// userPoolIDPattern is a pool id of this server: a region, "_", and the
	// id's letters and digits.
	userPoolIDPattern = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}_[0-9a-zA-Z]+$`)
)

// minSecretLength keeps secure mode from accepting a guessable secret. AWS's
// own secrets are 40 characters.
const minSecretLength = 16

// ParseAccessKeys reads the --access-keys syntax:
//
//	AKID:SECRET[:POOL|POOL…][,AKID:SECRET[:POOL|POOL…]…]
//	@/path/to/file   one AKID:SECRET[:POOL|POOL…] per line; blank lines and
//	                 lines starting with # are ignored
//
// The access key id is 16 to 128 letters, digits or underscores (IAM's
// shape); the secret is at least 16 printable ASCII characters without
// spaces, ":" or ","; a pool list limits the key to those user pools. Errors
// name the entry or the file line, never the secret.
func ParseAccessKeys(spec string) ([]AccessKey, error) {
	spec = strings.TrimSpace(spec)
	if path, ok := strings.CutPrefix(spec, "@"); ok {
		if path == "" {
			return nil, errors.New("@ must be followed by a file path")
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		var entries []keyEntry
		for i, line := range strings.Split(string(data), "\n") {
			line = strings.TrimSpace(line)
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			entries = append(entries, keyEntry{where: fmt.Sprintf("%s line %d", path, i+1), text: line})
		}
		if len(entries) == 0 {
			return nil, fmt.Errorf("%s holds no access key", path)
		}
		return parseKeyEntries(entries)
	}
	var entries []keyEntry
	for i, part := range strings.Split(spec, ",") {
		entries = append(entries, keyEntry{where: fmt.Sprintf("entry %d", i+1), text: strings.TrimSpace(part)})
	}
	return parseKeyEntries(entries)
}

type keyEntry struct{ where, text string }

func parseKeyEntries(entries []keyEntry) ([]AccessKey, error) {
	var (
		keys []AccessKey
		errs []error
		seen = map[string]string{}
	)
	for _, e := range entries {
		k, err := parseKeyEntry(e.text)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", e.where, err))
			continue
		}
		if first, dup := seen[k.ID]; dup {
			errs = append(errs, fmt.Errorf("%s: access key id %s is already defined at %s", e.where, k.ID, first))
			continue
		}
		seen[k.ID] = e.where
		keys = append(keys, k)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return keys, nil
}

func parseKeyEntry(text string) (AccessKey, error) {
	if text == "" {
		return AccessKey{}, errors.New("empty: want AKID:SECRET[:POOL|POOL…]")
	}
	fields := strings.Split(text, ":")
	if len(fields) < 2 || len(fields) > 3 {
		return AccessKey{}, errors.New("want AKID:SECRET or AKID:SECRET:POOL|POOL…")
	}
	k := AccessKey{ID: fields[0], Secret: fields[1]}
	if !accessKeyIDPattern.MatchString(k.ID) {
		// The id is not secret, but it may be a secret pasted in the wrong
		// place: show only its length.
		return AccessKey{}, fmt.Errorf("the access key id (%d characters) must be 16 to 128 letters, digits or underscores", len(k.ID))
	}
	if len(k.Secret) < minSecretLength {
		return AccessKey{}, fmt.Errorf("the secret of %s must be at least %d characters", k.ID, minSecretLength)
	}
	for _, c := range []byte(k.Secret) {
		if c <= ' ' || c >= 0x7f || c == ',' {
			return AccessKey{}, fmt.Errorf("the secret of %s must be printable ASCII without spaces, ':' or ','", k.ID)
		}
	}
	if len(fields) == 3 {
		for pool := range strings.SplitSeq(fields[2], "|") {
			if !userPoolIDPattern.MatchString(pool) {
				return AccessKey{}, fmt.Errorf("%s: %q is not a user pool id like us-east-1_AbCdEf123", k.ID, pool)
			}
			if !slices.Contains(k.Pools, pool) {
				k.Pools = append(k.Pools, pool)
			}
		}
	}
	return k, nil
}
