package user

import (
	"context"

	"github.com/cognate/cognate/internal/api/model"
	"github.com/cognate/cognate/internal/message"
	"github.com/cognate/cognate/internal/store"
	"github.com/cognate/cognate/internal/trigger"
)

// clientNotApplicable is the callerContext.clientId Cognito sends for
// calls made without an app client (the admin API).
const clientNotApplicable = "CLIENT_ID_NOT_APPLICABLE"

// customMessage runs the pool's CustomMessage trigger, if any, for a message
// about to be sent, and returns the texts it chose (nil: the pool's
// templates). It runs before the transaction that writes the message, so
// that a failing trigger leaves nothing written; r is the record as it will
// be after the change. ClientMetadata goes to the function and nowhere else.
func (s *Service) customMessage(ctx context.Context, p pool, c *appClient, u store.User, r *Record, kind message.Kind, attr string, meta map[string]string) (*message.Override, error) {
	arn := ""
	if lc := p.Config.LambdaConfig; lc != nil {
		arn = deref(lc.CustomMessage)
	}
	if arn == "" || s.Triggers == nil {
		return nil, nil
	}
	attrs := triggerAttributes(p, u, r)
	clientID := triggerClientID(c)
	developer := p.Config.EmailConfiguration != nil && deref(p.Config.EmailConfiguration.EmailSendingAccount) == "DEVELOPER"
	resp, err := s.Triggers.CustomMessage(ctx, arn, trigger.CustomMessageRequest{
		Region: regionOf(p.id()), PoolID: p.id(), ClientID: clientID, UserName: u.Username,
		TriggerSource: kind.TriggerSource(), UserAttributes: attrs, ClientMetadata: meta,
	}, developer)
	if err != nil {
		return nil, err
	}
	return &message.Override{
		EmailSubject: deref(resp.EmailSubject), EmailMessage: deref(resp.EmailMessage), SMSMessage: deref(resp.SMSMessage),
	}, nil
}

// triggerAttributes is a trigger event's userAttributes: the user's
// attributes as strings plus the internal keys Cognito adds
// (cognito:user_status, and cognito:email_alias / cognito:phone_number_alias
// when the pool makes them aliases).
func triggerAttributes(p pool, u store.User, r *Record) map[string]string {
	attrs := make(map[string]string, len(r.Attributes)+3)
	for _, a := range r.Attributes {
		attrs[a.Name] = a.Value
	}
	attrs["cognito:user_status"] = u.Status
	for kind, value := range p.aliases(r) {
		if kind != "preferred_username" && p.aliasAttribute(kind) {
			attrs["cognito:"+kind+"_alias"] = value
		}
	}
	return attrs
}

// triggerClientID is callerContext.clientId for a call through c (nil: the
// admin API).
func triggerClientID(c *appClient) string {
	if c != nil {
		return c.Record.ID
	}
	return clientNotApplicable
}

// triggerARN is the pool's function for one trigger ("" when none, or when
// the service runs no triggers).
func (s *Service) triggerARN(p pool, pick func(*model.LambdaConfigType) *string) string {
	if s.Triggers == nil || p.Config.LambdaConfig == nil {
		return ""
	}
	return deref(pick(p.Config.LambdaConfig))
}

// userEvent is the event of a user-level trigger about u.
func userEvent(p pool, c *appClient, u store.User, r *Record, source string) trigger.UserEvent {
	return trigger.UserEvent{
		Region: regionOf(p.id()), PoolID: p.id(), ClientID: triggerClientID(c), UserName: u.Username,
		TriggerSource: source, UserAttributes: triggerAttributes(p, u, r),
	}
}

// attributeMap turns name/value pairs (ValidationData) into a map; none is nil.
func attributeMap(list []model.AttributeType) map[string]string {
	if len(list) == 0 {
		return nil
	}
	m := make(map[string]string, len(list))
	for _, a := range list {
		m[deref(a.Name)] = deref(a.Value)
	}
	return m
}

// preSignUp runs the pool's PreSignUp trigger, if any, before the user is
// written: rec is the record to be created, without its sub (Cognito's
// event does not carry one). The zero answer means no trigger.
func (s *Service) preSignUp(ctx context.Context, p pool, c *appClient, u store.User, rec *Record, source string, validation []model.AttributeType, meta map[string]string) (trigger.PreSignUpResponse, error) {
	arn := s.triggerARN(p, func(lc *model.LambdaConfigType) *string { return lc.PreSignUp })
	if arn == "" {
		return trigger.PreSignUpResponse{}, nil
	}
	attrs := make(map[string]string, len(rec.Attributes))
	for _, a := range rec.Attributes {
		if a.Name != "sub" {
			attrs[a.Name] = a.Value
		}
	}
	return s.Triggers.PreSignUp(ctx, arn, trigger.UserEvent{
		Region: regionOf(p.id()), PoolID: p.id(), ClientID: triggerClientID(c), UserName: u.Username,
		TriggerSource: source, UserAttributes: attrs, ValidationData: attributeMap(validation), ClientMetadata: meta,
	})
}

// autoVerify applies PreSignUp's autoVerifyEmail / autoVerifyPhone to a
// record: an attribute the user has is marked verified; one it lacks is
// left alone.
func autoVerify(rec *Record, resp trigger.PreSignUpResponse) {
	for attr, on := range map[string]bool{"email": resp.AutoVerifyEmail, "phone_number": resp.AutoVerifyPhone} {
		if _, ok := rec.Get(attr); ok && on {
			rec.Set(attr+"_verified", "true")
		}
	}
}

// postConfirmation runs the pool's PostConfirmation trigger, if any, once
// the confirmation is written. A failure is the caller's error; the
// confirmation stays.
func (s *Service) postConfirmation(ctx context.Context, p pool, c *appClient, key, source string, meta map[string]string) error {
	arn := s.triggerARN(p, func(lc *model.LambdaConfigType) *string { return lc.PostConfirmation })
	if arn == "" {
		return nil
	}
	u, err := s.Store.GetUser(ctx, p.id(), key)
	if err != nil {
		return err
	}
	r, err := decodeRecord(u)
	if err != nil {
		return err
	}
	e := userEvent(p, c, u, r, source)
	e.ClientMetadata = meta
	return s.Triggers.PostConfirmation(ctx, arn, e)
}

// preAuthentication runs the pool's PreAuthentication trigger, if any, for
// a user found at sign-in, before the password is checked. meta is the
// call's ClientMetadata, sent as validationData.
func (s *Service) preAuthentication(ctx context.Context, c appClient, u store.User, r *Record, meta map[string]string) error {
	arn := s.triggerARN(c.pool, func(lc *model.LambdaConfigType) *string { return lc.PreAuthentication })
	if arn == "" {
		return nil
	}
	e := userEvent(c.pool, &c, u, r, trigger.PreAuthenticationAuthentication)
	e.ValidationData = meta
	return s.Triggers.PreAuthentication(ctx, arn, e)
}

// postAuthentication runs the pool's PostAuthentication trigger, if any,
// once the user has proved who they are and before tokens are issued: a
// failure fails the sign-in.
func (s *Service) postAuthentication(ctx context.Context, c appClient, key string, meta map[string]string) error {
	arn := s.triggerARN(c.pool, postAuthenticationARN)
	if arn == "" {
		return nil
	}
	u, err := s.Store.GetUser(ctx, c.pool.id(), key)
	if err != nil {
		return err
	}
	r, err := decodeRecord(u)
	if err != nil {
		return err
	}
	e := userEvent(c.pool, &c, u, r, trigger.PostAuthenticationAuthentication)
	e.ClientMetadata = meta
	return s.Triggers.PostAuthentication(ctx, arn, e)
}

func postAuthenticationARN(lc *model.LambdaConfigType) *string { return lc.PostAuthentication }
