package trigger

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"reflect"
	"strings"
	"time"

	"github.com/cognate/cognate/internal/api/model"
)

// awsSDKVersion is callerContext.awsSdkVersion. Cognito names the SDK of
// the API caller (e.g. "aws-sdk-js-2.1639.0"); Cognate does not track it
// and sends the value Cognito uses when it does not know either
// (behaviour reference §3.2).
const awsSDKVersion = "aws-sdk-unknown-unknown"

// Header is the part of a trigger event every source shares.
type Header struct {
	Region     string // the user pool's region
	UserPoolID string
	UserName   string // the user's username (a UUID in pools that sign in by email or phone)
	// ClientID is the app client of the API call; empty (admin calls
	// without one) is sent as null, as Cognito does.
	ClientID      string
	TriggerSource string // e.g. CustomMessage_SignUp
	// Version is the event's "version"; empty sends "1", which every
	// trigger but the newer PreTokenGeneration events carries.
	Version string
}

// Source declares one trigger source: its name, used in Cognito's error
// texts ("<Name> failed with error …"), and through its type parameters the
// event's "request" member (Req) and "response" member (Resp). The zero
// Resp is what the event carries as "response", so its JSON form is what
// Cognito sends (nulls for CustomMessage).
type Source[Req, Resp any] struct {
	Name string
	// Check, when set, vets the function's answer once it has the right
	// shape. It may normalise resp in place and returns a *model.Error to
	// reject it. req is the request as sent, unexported fields included.
	Check func(req *Req, resp *Resp) error
}

// event is the JSON Cognito sends to every trigger.
type event[Req, Resp any] struct {
	Version       string        `json:"version"`
	Region        string        `json:"region"`
	UserPoolID    string        `json:"userPoolId"`
	UserName      string        `json:"userName"`
	CallerContext callerContext `json:"callerContext"`
	TriggerSource string        `json:"triggerSource"`
	Request       Req           `json:"request"`
	Response      Resp          `json:"response"`
}

type callerContext struct {
	AWSSDKVersion string  `json:"awsSdkVersion"`
	ClientID      *string `json:"clientId"`
}

// Invoke runs src's trigger functionARN for one event and returns the
// "response" member of the function's answer. Every failure is a
// *model.Error carrying Cognito's exception and text, except a ctx that
// ended first (its error is returned) and an event that cannot be encoded
// (a programming error).
func Invoke[Req, Resp any](ctx context.Context, inv *Invoker, src Source[Req, Resp], functionARN string, h Header, req Req) (Resp, error) {
	var zero Resp
	version := h.Version
	if version == "" {
		version = "1"
	}
	ev := event[Req, Resp]{
		Version:       version,
		Region:        h.Region,
		UserPoolID:    h.UserPoolID,
		UserName:      h.UserName,
		CallerContext: callerContext{AWSSDKVersion: awsSDKVersion},
		TriggerSource: h.TriggerSource,
		Request:       req,
	}
	if h.ClientID != "" {
		ev.CallerContext.ClientID = &h.ClientID
	}
	payload, err := json.Marshal(ev)
	if err != nil {
		return zero, fmt.Errorf("trigger: encoding the %s event: %w", src.Name, err)
	}
	start := time.Now()
	out, err := inv.call(ctx, src.Name, functionARN, payload)
	if err != nil {
		return zero, err // logged by call
	}
	resp, err := decodeResponse[Resp](out)
	if err == nil && src.Check != nil {
		err = src.Check(&req, &resp)
	}
	_, name, _ := parseFunctionARN(functionARN)
	if err != nil {
		typ := "error"
		if e, ok := err.(*model.Error); ok {
			typ = e.Type
		}
		inv.logCall(ctx, src.Name, name, "rejected", start, slog.String("error_type", typ))
		return zero, err
	}
	inv.logCall(ctx, src.Name, name, "ok", start)
	return resp, nil
}

// decodeResponse reads the "response" member of a function's output.
//
//   - Not JSON, or JSON null → "Invalid lambda function output : Invalid JSON".
//   - Not an object, no "response" member (matched case-sensitively, as
//     Cognito's Java parser does; Go's encoding/json would also accept
//     "Response"), "response" not an object, or a known member of the
//     wrong type → "Unrecognizable lambda output". A handler must return
//     the event (or at least its "response"); the envelope members it echoes
//     are not checked, and unknown members are ignored.
func decodeResponse[Resp any](out []byte) (Resp, error) {
	var zero Resp
	out = bytes.TrimSpace(out)
	if len(out) == 0 || !json.Valid(out) || string(out) == "null" {
		return zero, model.Errorf(model.InvalidLambdaResponseException, textInvalidJSON)
	}
	unrecognizable := model.Errorf(model.InvalidLambdaResponseException, textUnrecognizable)
	var root map[string]json.RawMessage
	if err := json.Unmarshal(out, &root); err != nil {
		return zero, unrecognizable
	}
	raw, ok := root["response"]
	if !ok {
		return zero, unrecognizable
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(raw, &members); err != nil || members == nil {
		return zero, unrecognizable
	}
	known := map[string]json.RawMessage{}
	for _, name := range jsonNames(reflect.TypeFor[Resp]()) {
		if v, ok := members[name]; ok {
			known[name] = v
		}
	}
	b, err := json.Marshal(known)
	if err != nil {
		return zero, unrecognizable
	}
	var resp Resp
	if err := json.Unmarshal(b, &resp); err != nil {
		return zero, unrecognizable
	}
	return resp, nil
}

// jsonNames lists the JSON member names of a struct type's exported fields.
func jsonNames(t reflect.Type) []string {
	if t.Kind() != reflect.Struct {
		return nil
	}
	var names []string
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch name {
		case "-":
			continue
		case "":
			name = f.Name
		}
		names = append(names, name)
	}
	return names
}
