package user

import (
	"context"

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
	clientID := clientNotApplicable
	if c != nil {
		clientID = c.Record.ID
	}
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
