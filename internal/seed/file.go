package seed

import (
	"bytes"
	"encoding/base32"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/cognate/cognate/internal/api/model"
	"github.com/cognate/cognate/internal/password"
	"github.com/cognate/cognate/internal/user"
	"github.com/cognate/cognate/internal/userpool"
)

// File is a parsed seed file.
type File struct {
	Name  string // as given, for error messages
	Pools []Pool
}

// Pool is a declared user pool.
type Pool struct {
	at       loc
	ID       string
	Settings model.CreateUserPoolRequest
	Clients  []Client
	Groups   []Group
	Users    []User
	// MfaConfig is the pool's SetUserPoolMfaConfig request, or nil.
	MfaConfig *model.SetUserPoolMfaConfigRequest
}

// Client is a declared app client.
type Client struct {
	at       loc
	ID       string
	Settings model.CreateUserPoolClientRequest
}

// Group is a declared group.
type Group struct {
	at       loc
	Settings model.CreateGroupRequest
}

// User is a declared user.
type User struct {
	at                loc
	Username          string
	Attributes        []model.AttributeType
	Password          *string
	TemporaryPassword *string
	Confirmed         *bool
	Groups            []string
	MFA               *user.SeedMFA
}

// loc is where an item is in the file: its node and its path.
type loc struct {
	file string
	node *yaml.Node
	path string
}

// Error is an error about one place of a seed file.
type Error struct {
	File  string
	Line  int
	Field string
	Err   error
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s:%d: %s: %v", e.File, e.Line, e.Field, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// errorf reports an error about field (a key of the item, "" for the item
// itself) at the line of that key, or of the item.
func (l loc) error(field string, err error) *Error {
	line, path := l.node.Line, l.path
	if field != "" {
		path += "." + field
		if k, _ := member(l.node, field); k != nil {
			line = k.Line
		}
	}
	return &Error{File: l.file, Line: line, Field: path, Err: err}
}

// member finds key name in a mapping node, case-insensitively.
func member(n *yaml.Node, name string) (key, value *yaml.Node) {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if strings.EqualFold(n.Content[i].Value, name) {
			return n.Content[i], n.Content[i+1]
		}
	}
	return nil, nil
}

// Load reads and parses a seed file.
func Load(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(filepath.Base(path), data)
}

// Parse parses and validates a seed file; name is used in errors.
func Parse(name string, data []byte) (*File, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	f := &File{Name: name}
	if len(doc.Content) == 0 {
		return f, nil
	}
	root := doc.Content[0]
	top := loc{file: name, node: root}
	if root.Kind != yaml.MappingNode {
		return nil, &Error{File: name, Line: root.Line, Field: "(document)", Err: errors.New("want a mapping with a pools list")}
	}
	for i := 0; i < len(root.Content); i += 2 {
		if k := root.Content[i]; k.Value != "pools" {
			return nil, &Error{File: name, Line: k.Line, Field: k.Value, Err: errors.New("unknown key; want pools")}
		}
	}
	_, pools := member(root, "pools")
	if pools == nil {
		return f, nil
	}
	if pools.Kind != yaml.SequenceNode {
		return nil, top.error("pools", errors.New("want a list"))
	}
	var errs []error
	seen := map[string]bool{}
	clientIDs := map[string]bool{}
	for i, pn := range pools.Content {
		p, err := parsePool(loc{name, pn, fmt.Sprintf("pools[%d]", i)}, clientIDs)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if seen[p.ID] {
			errs = append(errs, p.at.error("Id", fmt.Errorf("pool %s is declared twice", p.ID)))
		}
		seen[p.ID] = true
		f.Pools = append(f.Pools, *p)
	}
	return f, errors.Join(errs...)
}

// split takes the seed's own keys out of an item and returns them with the
// rest, the API request members, as JSON.
func split(at loc, own ...string) (map[string]*yaml.Node, []byte, error) {
	if at.node.Kind != yaml.MappingNode {
		return nil, nil, at.error("", errors.New("want a mapping"))
	}
	mine := map[string]*yaml.Node{}
	rest := &yaml.Node{Kind: yaml.MappingNode}
	for i := 0; i+1 < len(at.node.Content); i += 2 {
		k, v := at.node.Content[i], at.node.Content[i+1]
		isOwn := false
		for _, o := range own {
			if k.Value == o {
				mine[o], isOwn = v, true
			}
		}
		if !isOwn {
			rest.Content = append(rest.Content, k, v)
		}
	}
	var generic any
	if err := rest.Decode(&generic); err != nil {
		return nil, nil, at.error("", err)
	}
	b, err := json.Marshal(generic)
	if err != nil {
		return nil, nil, at.error("", err)
	}
	return mine, b, nil
}

// decodeRequest decodes the request members into dst (unknown members are
// errors) and runs the model's validation, naming the violating field.
func decodeRequest(at loc, data []byte, dst interface{ Validate() error }) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		var ute *json.UnmarshalTypeError
		if errors.As(err, &ute) && ute.Field != "" {
			return at.error(ute.Field, fmt.Errorf("want %s", ute.Type))
		}
		if m := unknownField.FindStringSubmatch(err.Error()); m != nil {
			return at.error(m[1], errors.New("unknown field"))
		}
		return at.error("", err)
	}
	if err := dst.Validate(); err != nil {
		var ve *model.ValidationError
		if errors.As(err, &ve) && len(ve.Violations) > 0 {
			return violationError(at, ve.Violations[0], err)
		}
		return at.error("", err)
	}
	return nil
}

var (
	unknownField  = regexp.MustCompile(`unknown field "([^"]+)"`)
	violationPath = regexp.MustCompile(`at '([^']+)'`)
)

// violationError places a model violation ("… at 'policies.passwordPolicy.minimumLength' …")
// at its key in the file.
func violationError(at loc, violation string, err error) error {
	m := violationPath.FindStringSubmatch(violation)
	if m == nil {
		return at.error("", err)
	}
	n, line, path := at.node, at.node.Line, at.path
	parts := strings.Split(m[1], ".")
	for i := 0; i < len(parts); i++ {
		k, v := member(n, parts[i])
		if k == nil {
			path += "." + parts[i]
			break
		}
		path += "." + k.Value
		line, n = k.Line, v
		if i+2 < len(parts) && parts[i+2] == "member" {
			idx, _ := strconv.Atoi(parts[i+1])
			path += fmt.Sprintf("[%d]", idx-1)
			i += 2
			if n.Kind == yaml.SequenceNode && idx >= 1 && idx <= len(n.Content) {
				n = n.Content[idx-1]
				line = n.Line
			}
		}
	}
	return &Error{File: at.file, Line: line, Field: path, Err: errors.New(violation)}
}

func scalar(at loc, key string, n *yaml.Node) (string, error) {
	if n == nil || n.Kind != yaml.ScalarNode || n.Value == "" {
		return "", at.error(key, errors.New("want a non-empty string"))
	}
	return n.Value, nil
}

func list(at loc, key string, n *yaml.Node) ([]*yaml.Node, error) {
	if n == nil {
		return nil, nil
	}
	if n.Kind != yaml.SequenceNode {
		return nil, at.error(key, errors.New("want a list"))
	}
	return n.Content, nil
}

func parsePool(at loc, clientIDs map[string]bool) (*Pool, error) {
	own, data, err := split(at, "Id", "clients", "groups", "users", "MfaConfig")
	if err != nil {
		return nil, err
	}
	p := &Pool{at: at}
	if p.ID, err = scalar(at, "Id", own["Id"]); err != nil {
		return nil, err
	}
	if !userpool.PoolIDPattern.MatchString(p.ID) {
		return nil, at.error("Id", fmt.Errorf("%q is not a user pool id: want <region>_<letters and digits>, like us-east-1_example1", p.ID))
	}
	region, _, _ := strings.Cut(p.ID, "_")
	if !regionPattern.MatchString(region) {
		return nil, at.error("Id", fmt.Errorf("%q is not a region", region))
	}
	if err := decodeRequest(at, data, &p.Settings); err != nil {
		return nil, err
	}
	if n := own["MfaConfig"]; n != nil {
		if p.MfaConfig, err = parseMfaConfig(loc{at.file, n, at.path + ".MfaConfig"}, p); err != nil {
			return nil, err
		}
	}
	var errs []error
	cs, err := list(at, "clients", own["clients"])
	if err != nil {
		return nil, err
	}
	for i, n := range cs {
		c, err := parseClient(loc{at.file, n, fmt.Sprintf("%s.clients[%d]", at.path, i)}, p.ID)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if clientIDs[c.ID] {
			errs = append(errs, c.at.error("ClientId", fmt.Errorf("client %s is declared twice", c.ID)))
		}
		clientIDs[c.ID] = true
		p.Clients = append(p.Clients, *c)
	}
	gs, err := list(at, "groups", own["groups"])
	if err != nil {
		return nil, err
	}
	groups := map[string]bool{}
	for i, n := range gs {
		gat := loc{at.file, n, fmt.Sprintf("%s.groups[%d]", at.path, i)}
		_, data, err := split(gat)
		if err == nil {
			g := Group{at: gat}
			g.Settings.UserPoolId = &p.ID
			if err = decodeRequest(gat, data, &g.Settings); err == nil {
				groups[*g.Settings.GroupName] = true
				p.Groups = append(p.Groups, g)
			}
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	us, err := list(at, "users", own["users"])
	if err != nil {
		return nil, err
	}
	for i, n := range us {
		u, err := parseUser(loc{at.file, n, fmt.Sprintf("%s.users[%d]", at.path, i)}, p, groups)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		p.Users = append(p.Users, *u)
	}
	return p, errors.Join(errs...)
}

var regionPattern = regexp.MustCompile(`^(af|ap|ca|eu|il|me|mx|sa|us|cn)(-gov)?-[a-z]+-[0-9]{1,2}$`)

func parseClient(at loc, poolID string) (*Client, error) {
	own, data, err := split(at, "ClientId")
	if err != nil {
		return nil, err
	}
	c := &Client{at: at}
	if c.ID, err = scalar(at, "ClientId", own["ClientId"]); err != nil {
		return nil, err
	}
	if !userpool.ClientIDPattern.MatchString(c.ID) {
		return nil, at.error("ClientId", fmt.Errorf("%q: want 1 to 128 letters, digits, _ or +", c.ID))
	}
	c.Settings.UserPoolId = &poolID
	if err := decodeRequest(at, data, &c.Settings); err != nil {
		return nil, err
	}
	if c.Settings.ClientSecret != nil {
		t := true
		c.Settings.GenerateSecret = &t
	}
	return c, nil
}

// userFields are the members of a declared user.
var userFields = []string{"Username", "Attributes", "Password", "TemporaryPassword", "Confirmed", "Groups", "MFA"}

func parseUser(at loc, p *Pool, groups map[string]bool) (*User, error) {
	if at.node.Kind != yaml.MappingNode {
		return nil, at.error("", errors.New("want a mapping"))
	}
	u := &User{at: at}
	for i := 0; i+1 < len(at.node.Content); i += 2 {
		k, v := at.node.Content[i], at.node.Content[i+1]
		var err error
		switch k.Value {
		case "Username":
			u.Username, err = scalar(at, k.Value, v)
		case "Password", "TemporaryPassword":
			var s string
			if s, err = scalar(at, k.Value, v); err == nil {
				if k.Value == "Password" {
					u.Password = &s
				} else {
					u.TemporaryPassword = &s
				}
				if perr := checkPassword(p, s); perr != nil {
					err = at.error(k.Value, perr)
				}
			}
		case "Confirmed":
			var b bool
			if v.Decode(&b) != nil {
				err = at.error(k.Value, errors.New("want true or false"))
			}
			u.Confirmed = &b
		case "Attributes":
			if v.Kind != yaml.MappingNode {
				err = at.error(k.Value, errors.New("want a mapping of attribute names to values"))
				break
			}
			for j := 0; j+1 < len(v.Content); j += 2 {
				name, val := v.Content[j].Value, v.Content[j+1]
				if val.Kind != yaml.ScalarNode {
					return nil, &Error{File: at.file, Line: val.Line, Field: at.path + ".Attributes." + name, Err: errors.New("want a string")}
				}
				u.Attributes = append(u.Attributes, model.AttributeType{Name: &name, Value: &val.Value})
			}
		case "Groups":
			var gs []string
			if v.Decode(&gs) != nil {
				err = at.error(k.Value, errors.New("want a list of group names"))
				break
			}
			for _, g := range gs {
				if !groups[g] {
					err = at.error(k.Value, fmt.Errorf("group %q is not declared in the pool's groups", g))
				}
			}
			u.Groups = gs
		case "MFA":
			u.MFA, err = parseMFA(loc{at.file, v, at.path + ".MFA"})
		default:
			err = at.error(k.Value, fmt.Errorf("unknown field; want one of %s", strings.Join(userFields, ", ")))
		}
		if err != nil {
			return nil, err
		}
	}
	if u.Username == "" {
		return nil, at.error("Username", errors.New("required"))
	}
	if u.Password != nil && u.TemporaryPassword != nil {
		return nil, at.error("TemporaryPassword", errors.New("give Password or TemporaryPassword, not both"))
	}
	if u.Confirmed != nil && !*u.Confirmed && u.Password == nil {
		return nil, at.error("Confirmed", errors.New("an UNCONFIRMED user needs a Password"))
	}
	return u, nil
}

// checkPassword checks a password against the declared pool's policy, as
// the pool will have it once the seed is applied.
func checkPassword(p *Pool, pw string) error {
	var policy *model.PasswordPolicyType
	if p.Settings.Policies != nil {
		policy = p.Settings.Policies.PasswordPolicy
	}
	return password.DidNotConformPasswordPolicy.Check(policy, pw)
}

// parseMfaConfig reads a pool's MfaConfig: SetUserPoolMfaConfig's members.
func parseMfaConfig(at loc, p *Pool) (*model.SetUserPoolMfaConfigRequest, error) {
	_, data, err := split(at)
	if err != nil {
		return nil, err
	}
	m := &model.SetUserPoolMfaConfigRequest{UserPoolId: &p.ID}
	if err := decodeRequest(at, data, m); err != nil {
		return nil, err
	}
	if mode := m.MfaConfiguration; mode != nil && *mode != model.UserPoolMfaTypeOff && *mode != model.UserPoolMfaTypeOn && *mode != model.UserPoolMfaTypeOptional {
		return nil, at.error("MfaConfiguration", fmt.Errorf("%q: want OFF, ON or OPTIONAL", *mode))
	}
	if p.Settings.MfaConfiguration != nil && (m.MfaConfiguration == nil || *m.MfaConfiguration != *p.Settings.MfaConfiguration) {
		return nil, at.error("MfaConfiguration", errors.New("differs from the pool's MfaConfiguration: give it in one place"))
	}
	return m, nil
}

// mfaFields are the members of a user's MFA block.
var mfaFields = []string{"SoftwareTokenSecret", "SoftwareTokenEnabled", "SMSEnabled", "EmailEnabled", "Preferred"}

// parseMFA reads a user's MFA block.
func parseMFA(at loc) (*user.SeedMFA, error) {
	if at.node.Kind != yaml.MappingNode {
		return nil, at.error("", errors.New("want a mapping"))
	}
	m := &user.SeedMFA{}
	for i := 0; i+1 < len(at.node.Content); i += 2 {
		k, v := at.node.Content[i], at.node.Content[i+1]
		var err error
		flag := func(dst *bool) {
			if v.Decode(dst) != nil {
				err = at.error(k.Value, errors.New("want true or false"))
			}
		}
		switch k.Value {
		case "SoftwareTokenSecret":
			var s string
			if s, err = scalar(at, k.Value, v); err == nil {
				clean := strings.ToUpper(strings.TrimRight(strings.ReplaceAll(s, " ", ""), "="))
				m.SoftwareTokenSecret, err = base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(clean)
				if err != nil || len(m.SoftwareTokenSecret) < 10 {
					err = at.error(k.Value, errors.New("want a base32 secret of at least 16 characters (as AssociateSoftwareToken gives)"))
				}
			}
		case "SoftwareTokenEnabled":
			flag(&m.SoftwareTokenEnabled)
		case "SMSEnabled":
			flag(&m.SMSEnabled)
		case "EmailEnabled":
			flag(&m.EmailEnabled)
		case "Preferred":
			if m.Preferred, err = scalar(at, k.Value, v); err == nil {
				switch m.Preferred {
				case model.ChallengeNameTypeSoftwareTokenMfa, model.ChallengeNameTypeSmsMfa, model.ChallengeNameTypeEmailOtp:
				default:
					err = at.error(k.Value, fmt.Errorf("%q: want SOFTWARE_TOKEN_MFA, SMS_MFA or EMAIL_OTP", m.Preferred))
				}
			}
		default:
			err = at.error(k.Value, fmt.Errorf("unknown field; want one of %s", strings.Join(mfaFields, ", ")))
		}
		if err != nil {
			return nil, err
		}
	}
	return m, nil
}
