package user

import (
	"context"
	"errors"
	"slices"

	"github.com/cognate/cognate/internal/api/model"
	"github.com/cognate/cognate/internal/message"
	"github.com/cognate/cognate/internal/store"
)

// attrChange is one validated attribute of an update: a new value, or a
// deletion (a blank value).
type attrChange struct {
	name   string
	value  string
	delete bool
}

// writer is who writes attributes: an app client on behalf of its user
// (with the client's permissions), or an administrator (client nil).
type writer struct {
	client *appClient
	// unset, when not nil, reports that the user has no value yet for an
	// attribute: an immutable attribute may then be given its first value
	// (the answer to NEW_PASSWORD_REQUIRED, which supplies required
	// attributes the user lacks).
	unset func(name string) bool
}

func (w writer) admin() bool { return w.client == nil }

// unauthorizedWrite is what an app client gets for an attribute it may not
// write (cognito-behaviour.md §1.4 and §7.2).
func unauthorizedWrite() *model.Error {
	return notAuthorized("A client attempted to write unauthorized attribute")
}

// userPrefixed is the family of per-attribute texts on the update path:
// "user.<name>: <text>\n" (cognito-behaviour.md §7.6).
func userPrefixed(name, text string) *model.Error {
	return invalidParameter("user.%s: %s\n", name, text)
}

// schemaEntry finds the schema entry an update names. Developer-only
// attributes are named dev:custom:x; an administrator may also name them
// custom:x, as AdminCreateUser does.
func (p pool) schemaEntry(name string, admin bool) (model.SchemaAttributeType, bool) {
	if a, ok := p.schema(name); ok {
		return a, true
	}
	if admin {
		return p.schema("dev:" + name)
	}
	return model.SchemaAttributeType{}, false
}

// checkAttribute applies Cognito's per-attribute rules to one attribute of
// an update, in Cognito's order (§1.9): existence in the schema, sub,
// mutability, the writer's permission, deletion of a required attribute,
// then the value's constraints.
func checkAttribute(p pool, w writer, name string, value *string) (attrChange, error) {
	if name == "sub" {
		return attrChange{}, invalidParameter("Cannot modify the non-mutable attribute sub")
	}
	a, ok := p.schemaEntry(name, w.admin())
	if !ok {
		return attrChange{}, userPrefixed(name, "Attribute does not exist in the schema.")
	}
	if value == nil {
		return attrChange{}, invalidParameter("Attribute value for %s must not be null", name)
	}
	stored := deref(a.Name) // dev:custom:x for developer-only attributes
	if !deref(a.Mutable) && (w.unset == nil || !w.unset(stored)) {
		return attrChange{}, userPrefixed(name, "Attribute cannot be updated.")
	}
	if !w.admin() {
		if deref(a.DeveloperOnlyAttribute) || name == "email_verified" || name == "phone_number_verified" || !w.client.writable(name) {
			return attrChange{}, unauthorizedWrite()
		}
	}
	if *value == "" {
		if deref(a.Required) {
			return attrChange{}, userPrefixed(name, "Required attribute cannot be deleted.")
		}
		return attrChange{name: stored, delete: true}, nil
	}
	if v := checkValue(a, name, *value); v != nil {
		if v.whole {
			return attrChange{}, invalidParameter("%s", v.msg)
		}
		return attrChange{}, userPrefixed(name, v.msg)
	}
	return attrChange{name: stored, value: canonical(a, *value)}, nil
}

// planUpdate validates every attribute of an update request; the first
// failing attribute, in request order, rejects the whole request.
func planUpdate(p pool, w writer, in []model.AttributeType) ([]attrChange, error) {
	out := make([]attrChange, 0, len(in))
	for _, a := range in {
		c, err := checkAttribute(p, w, deref(a.Name), a.Value)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// keepOriginal reports whether a change of attr waits for verification
// before it replaces the stored value (AttributesRequireVerificationBeforeUpdate).
func (p pool) keepOriginal(attr string) bool {
	s := p.Config.UserAttributeUpdateSettings
	return s != nil && slices.Contains(s.AttributesRequireVerificationBeforeUpdate, attr)
}

// pendingCode is a verification code an update must send.
type pendingCode struct {
	attr string
	dest string
}

// applyUpdate changes the record as an update does and returns the codes
// to send. It is pure, so it runs inside store updaters. The three modes of
// an email or phone change (cognito-behaviour.md §1.7): in pools that keep
// the original until verification, a verified value stays and the new one
// waits as pending; in auto-verifying pools the value is replaced and
// unverified, and a code goes to it; otherwise it is replaced, unverified,
// and nothing is sent. An administrator setting <attr>_verified=true in the
// same call applies the value at once without a code.
func applyUpdate(p pool, r *Record, changes []attrChange, admin bool) []pendingCode {
	verifiedNow := map[string]bool{}
	if admin {
		for _, c := range changes {
			if (c.name == "email_verified" || c.name == "phone_number_verified") && c.value == "true" {
				verifiedNow[c.name[:len(c.name)-len("_verified")]] = true
			}
		}
	}
	var codes []pendingCode
	for _, c := range changes {
		switch {
		case c.delete:
			r.Delete(c.name)
			if c.name == "email" || c.name == "phone_number" {
				r.Delete(c.name + "_verified")
				delete(r.Pending, c.name)
				delete(r.Codes, codeVerifyPrefix+c.name)
			}
		case c.name == "email" || c.name == "phone_number":
			current, has := r.Get(c.name)
			switch {
			case verifiedNow[c.name]:
				r.Set(c.name, c.value)
				delete(r.Pending, c.name)
				delete(r.Codes, codeVerifyPrefix+c.name)
			case has && current == c.value && r.Pending[c.name] == "":
				// The value it already has: nothing changes, nothing is sent.
			case p.keepOriginal(c.name) && p.autoVerified(c.name) && has && r.verified(c.name):
				if current == c.value {
					delete(r.Pending, c.name) // back to the verified value
					delete(r.Codes, codeVerifyPrefix+c.name)
					continue
				}
				if r.Pending == nil {
					r.Pending = map[string]string{}
				}
				r.Pending[c.name] = c.value
				codes = append(codes, pendingCode{c.name, c.value})
			default:
				r.Set(c.name, c.value)
				r.Set(c.name+"_verified", "false")
				delete(r.Pending, c.name)
				delete(r.Codes, codeVerifyPrefix+c.name)
				if p.autoVerified(c.name) {
					codes = append(codes, pendingCode{c.name, c.value})
				}
			}
		case c.name == "email_verified" || c.name == "phone_number_verified":
			attr := c.name[:len(c.name)-len("_verified")]
			if c.value == "true" {
				if v, ok := r.Pending[attr]; ok {
					r.Set(attr, v)
					delete(r.Pending, attr)
				}
				delete(r.Codes, codeVerifyPrefix+attr)
			}
			r.Set(c.name, c.value)
		default:
			r.Set(c.name, c.value)
		}
	}
	return codes
}

func mediumOf(attr string) string {
	if attr == "email" {
		return model.DeliveryMediumTypeEmail
	}
	return model.DeliveryMediumTypeSms
}

// UpdateUserAttributes changes the signed-in user's attributes. One path,
// its checks in the order AWS answers them:
//
//  1. the access token: signature, expiry, issuer and a live client
//     (NotAuthorizedException "Invalid Access Token");
//  2. the token's user, read once inside the write transaction: present
//     (UserNotFoundException), enabled, not signed out or revoked;
//  3. the scope aws.cognito.signin.user.admin;
//  4. the attributes: names, schema, mutability and the client's write
//     permissions (InvalidParameterException / NotAuthorizedException);
//  5. a change that sends a verification code (a new email or phone
//     number) leaves that transaction unwritten and goes through
//     updateAttributes: aliases free, a delivery medium, the CustomMessage
//     trigger, all before anything is written, then one transaction with
//     the change and its messages;
//  6. anything else commits in the transaction of step 2, where the store
//     refuses an alias another user holds (AliasExistsException).
//
// So the common change (profile and custom attributes) reads the row once,
// and a change that sends a code reads it twice: the trigger may not run
// inside a transaction.
func (s *Service) UpdateUserAttributes(ctx context.Context, in *model.UpdateUserAttributesRequest) (*model.UpdateUserAttributesResponse, error) {
	claims, c, err := s.verifyToken(ctx, *in.AccessToken)
	if err != nil {
		return nil, err
	}
	changes, planErr := planUpdate(c.pool, writer{client: &c}, in.UserAttributes)
	var before store.User // the row as read, when a code must go out
	_, err = s.update(ctx, c.pool, c.pool.fold(claims.Username), func(u *store.User, r *Record) (store.UserChange, error) {
		if u.Sub != claims.Sub {
			return store.UserChange{}, userNotFound() // deleted, and the name taken again
		}
		if err := checkTokenUser(*u, r, claims); err != nil {
			return store.UserChange{}, err
		}
		if !hasAdminScope(claims) {
			return store.UserChange{}, notAuthorized("Access Token does not have required scopes")
		}
		if planErr != nil {
			return store.UserChange{}, planErr
		}
		if planned := applyUpdate(c.pool, r, changes, false); len(planned) > 0 {
			before = *u // applyUpdate changed the record, not the row
			return store.UserChange{}, errSendsCode
		}
		u.UpdatedAt = s.now()
		return store.UserChange{}, nil
	})
	if !errors.Is(err, errSendsCode) {
		if err != nil {
			return nil, aliasConflict(err, c.pool)
		}
		return &model.UpdateUserAttributesResponse{}, nil
	}
	r, err := decodeRecord(before)
	if err != nil {
		return nil, err
	}
	details, err := s.updateAttributes(ctx, c.pool, before, r, changes, &c, in.ClientMetadata, message.UpdateUserAttribute)
	if err != nil {
		return nil, err
	}
	return &model.UpdateUserAttributesResponse{CodeDeliveryDetailsList: details}, nil
}

// errSendsCode ends UpdateUserAttributes' first transaction unwritten when
// the change sends a verification code (step 5 above).
var errSendsCode = errors.New("user: the change sends a verification code")

// AdminUpdateUserAttributes changes a user's attributes as an
// administrator: no client permissions, developer-only attributes and the
// verified flags writable.
func (s *Service) AdminUpdateUserAttributes(ctx context.Context, in *model.AdminUpdateUserAttributesRequest) (*model.AdminUpdateUserAttributesResponse, error) {
	p, u, err := s.adminUser(ctx, *in.UserPoolId, *in.Username)
	if err != nil {
		return nil, err
	}
	changes, err := planUpdate(p, writer{}, in.UserAttributes)
	if err != nil {
		return nil, err
	}
	r, err := decodeRecord(u)
	if err != nil {
		return nil, err
	}
	if _, err := s.updateAttributes(ctx, p, u, r, changes, nil, in.ClientMetadata, message.UpdateUserAttribute); err != nil {
		return nil, err
	}
	return &model.AdminUpdateUserAttributesResponse{}, nil
}

// updateAttributes is the shared write: a dry run on the record already read
// to learn which codes go out, the CustomMessage trigger for each (before
// anything is written, so that its failure leaves nothing behind), then one
// transaction that applies the change to the fresh record with its messages.
func (s *Service) updateAttributes(ctx context.Context, p pool, u store.User, r *Record, changes []attrChange, c *appClient, meta map[string]string, kind message.Kind) ([]model.CodeDeliveryDetailsType, error) {
	admin := c == nil
	dry := cloneRecord(r)
	planned := applyUpdate(p, dry, changes, admin)
	if err := s.checkAliases(ctx, p, u, dry, admin); err != nil {
		return nil, err
	}
	overrides := map[string]*message.Override{}
	for _, pc := range planned {
		if err := s.deliverable(mediumOf(pc.attr)); err != nil {
			return nil, err
		}
		ov, err := s.customMessage(ctx, p, c, u, dry, kind, pc.attr, meta)
		if err != nil {
			return nil, err
		}
		overrides[pc.attr] = ov
	}
	if admin {
		// An administrator verifying an alias that another user holds in an
		// alias pool takes it over: the other user's flag turns false
		// (cognito-behaviour.md §1.5, boto3#3213).
		if err := s.takeOverAliases(ctx, p, u, dry); err != nil {
			return nil, err
		}
	}
	var details []model.CodeDeliveryDetailsType
	_, err := s.update(ctx, p, u.Key, func(u *store.User, r *Record) (store.UserChange, error) {
		details = nil
		now := s.now()
		var change store.UserChange
		for _, pc := range applyUpdate(p, r, changes, admin) {
			d := delivery{mediumOf(pc.attr), pc.attr, pc.dest}
			msg, err := s.newCodeMessage(p, *u, r, codeVerifyPrefix+pc.attr, verifyCodeTTL, kind, d, now, overrides[pc.attr])
			if err != nil {
				return store.UserChange{}, err
			}
			change.Messages = append(change.Messages, msg)
			details = append(details, *d.details())
		}
		u.UpdatedAt = now
		return change, nil
	})
	if err != nil {
		return nil, aliasConflict(err, p)
	}
	if len(details) > 0 {
		// Only a commit that wrote messages wakes the dispatcher: its claim
		// is a write transaction, which every update would otherwise pay.
		s.kick()
	}
	return details, nil
}

// checkAliases refuses, before anything is sent, an email or phone number
// that another user holds where it must be unique (UsernameAttributes
// pools); the store checks again at commit.
func (s *Service) checkAliases(ctx context.Context, p pool, u store.User, r *Record, admin bool) error {
	for kind, value := range p.aliases(r) {
		if admin && p.aliasAttribute(kind) && kind != "preferred_username" {
			continue // taken over below
		}
		other, err := s.Store.GetUserByAlias(ctx, p.id(), kind, value)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		if other.Key != u.Key {
			return model.Errorf(model.AliasExistsException, "An account with the given %s already exists.", kind)
		}
	}
	// A value waiting for verification in a pool that signs in by it must
	// be free too: otherwise the code would go to another user's address.
	for attr, value := range r.Pending {
		if !p.usernameAttribute(attr) {
			continue
		}
		other, err := s.Store.GetUserByAlias(ctx, p.id(), attr, p.fold(value))
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		if other.Key != u.Key {
			return model.Errorf(model.AliasExistsException, "An account with the given %s already exists.", attr)
		}
	}
	return nil
}

// takeOverAliases unverifies, on other users, the email or phone number
// aliases the record is about to hold in an alias pool.
func (s *Service) takeOverAliases(ctx context.Context, p pool, u store.User, r *Record) error {
	for kind, value := range p.aliases(r) {
		if kind == "preferred_username" || !p.aliasAttribute(kind) {
			continue
		}
		other, err := s.Store.GetUserByAlias(ctx, p.id(), kind, value)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		if other.Key == u.Key {
			continue
		}
		_, err = s.update(ctx, p, other.Key, func(o *store.User, or *Record) (store.UserChange, error) {
			or.Set(kind+"_verified", "false")
			o.UpdatedAt = s.now()
			return store.UserChange{}, nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// DeleteUserAttributes deletes attributes of the signed-in user.
func (s *Service) DeleteUserAttributes(ctx context.Context, in *model.DeleteUserAttributesRequest) (*model.DeleteUserAttributesResponse, error) {
	sess, err := s.authenticate(ctx, *in.AccessToken)
	if err != nil {
		return nil, err
	}
	c := sess.client
	if err := s.deleteAttributes(ctx, c.pool, sess.user, writer{client: &c}, in.UserAttributeNames); err != nil {
		return nil, err
	}
	return &model.DeleteUserAttributesResponse{}, nil
}

// AdminDeleteUserAttributes deletes attributes of a user as an administrator.
func (s *Service) AdminDeleteUserAttributes(ctx context.Context, in *model.AdminDeleteUserAttributesRequest) (*model.AdminDeleteUserAttributesResponse, error) {
	p, u, err := s.adminUser(ctx, *in.UserPoolId, *in.Username)
	if err != nil {
		return nil, err
	}
	if err := s.deleteAttributes(ctx, p, u, writer{}, in.UserAttributeNames); err != nil {
		return nil, err
	}
	return &model.AdminDeleteUserAttributesResponse{}, nil
}

// deleteAttributes is an update with blank values: the same schema,
// mutability, permission and required rules apply.
func (s *Service) deleteAttributes(ctx context.Context, p pool, u store.User, w writer, names []string) error {
	blank := ""
	changes := make([]attrChange, 0, len(names))
	for _, name := range names {
		c, err := checkAttribute(p, w, name, &blank)
		if err != nil {
			return err
		}
		changes = append(changes, c)
	}
	_, err := s.update(ctx, p, u.Key, func(u *store.User, r *Record) (store.UserChange, error) {
		applyUpdate(p, r, changes, w.admin())
		u.UpdatedAt = s.now()
		return store.UserChange{}, nil
	})
	return aliasConflict(err, p)
}
