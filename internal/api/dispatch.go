package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"reflect"
	"runtime/debug"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cognate/cognate/internal/api/model"
	"github.com/cognate/cognate/internal/caller"
	"github.com/google/uuid"
)

// targetPrefix is the service's X-Amz-Target prefix (model metadata).
const targetPrefix = "AWSCognitoIdentityProviderService."

type dispatcher struct {
	cfg  Config
	keys map[string]*AccessKey // secure mode's access keys by id
}

func newRequestID() string { return uuid.NewString() }

// ServeHTTP runs the request path: target → body → decode → validate →
// caller → handler → response. Every exit writes x-amzn-RequestId and one
// log line.
func (d *dispatcher) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	info := &caller.Info{RequestID: d.cfg.NewRequestID(), Region: d.cfg.Region}
	status, errType := d.serve(w, r, info)
	elapsed := time.Since(start)
	if d.cfg.Observe != nil {
		d.cfg.Observe(info.Operation, errType, elapsed)
	}
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelError
	}
	attrs := []slog.Attr{
		slog.String("request_id", info.RequestID),
		slog.String("operation", info.Operation),
		slog.Int("status", status),
		slog.Duration("duration", elapsed),
	}
	if info.PoolID != "" {
		attrs = append(attrs, slog.String("pool_id", info.PoolID))
	}
	if d.cfg.Mode == ModeSecure && info.AccessKeyID != "" {
		// Who called, for audit; the secret never leaves the key table.
		attrs = append(attrs, slog.String("access_key_id", info.AccessKeyID))
	}
	if errType != "" {
		attrs = append(attrs, slog.String("error", errType))
	}
	d.cfg.Logger.LogAttrs(r.Context(), level, "request", attrs...)
}

// serve returns the status written and the error type, if any, for the log.
func (d *dispatcher) serve(w http.ResponseWriter, r *http.Request, info *caller.Info) (status int, errType string) {
	fail := func(status int, e *model.Error) (int, string) {
		writeError(w, info.RequestID, status, e)
		return status, e.Type
	}

	target := r.Header.Get("X-Amz-Target")
	name, ok := strings.CutPrefix(target, targetPrefix)
	op := model.Operations[name]
	if !ok || op == nil {
		if target == "" {
			return fail(400, model.Errorf("UnknownOperationException", "Missing X-Amz-Target header: expected %s<Operation>.", targetPrefix))
		}
		return fail(400, model.Errorf("UnknownOperationException", "Unknown operation %q.", target))
	}
	info.Operation = op.Name

	if e := checkContentType(r.Header.Get("Content-Type")); e != nil {
		return fail(400, e)
	}

	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, d.cfg.MaxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return fail(http.StatusRequestEntityTooLarge, model.Errorf("RequestEntityTooLargeException",
				"The request body exceeds the limit of %d bytes.", tooBig.Limit))
		}
		return fail(400, model.Errorf("SerializationException", "The request body could not be read."))
	}

	// SigV4 comes before the body is looked at, as on AWS, where a bad
	// signature wins over a bad request. It needs the raw body, whose hash
	// is signed. Token-authorized and unauthenticated operations are never
	// checked, even when a signature comes with them.
	var key *AccessKey
	if !op.NoAuth {
		var e *model.Error
		if key, e = d.authenticate(r, body, info); e != nil {
			return fail(400, e)
		}
	}

	in := op.NewInput()
	if e := decode(body, in); e != nil {
		return fail(400, e)
	}
	if p, ok := in.(interface{ GetUserPoolId() string }); ok {
		info.PoolID = p.GetUserPoolId()
	}
	// A key limited to some pools is checked as soon as the pool is known,
	// before validation, so that it learns nothing about other pools.
	if e := d.authorize(key, info, in); e != nil {
		return fail(400, e)
	}
	if d.cfg.Logger.Enabled(r.Context(), slog.LevelDebug) {
		d.cfg.Logger.Debug("request input", "request_id", info.RequestID, "operation", op.Name, "input", model.Redacted(in))
	}
	if err := in.Validate(); err != nil {
		return fail(400, asModelError(err))
	}

	h := d.cfg.Handlers[op.Name]
	if h == nil {
		return fail(400, model.Errorf("NotImplementedException", "Cognate does not implement %s yet.", op.Name))
	}

	// One server plays every region, but a region's endpoint knows only its
	// own pools: a signed call naming another region's pool gets what AWS
	// would answer.
	if info.Signed && info.PoolID != "" && !strings.HasPrefix(info.PoolID, info.Region+"_") {
		return fail(400, model.Errorf(model.ResourceNotFoundException, "User pool %s does not exist.", info.PoolID))
	}

	out, err := d.call(r, info, h, in)
	if err != nil {
		var me *model.Error
		if !errors.As(err, &me) {
			d.cfg.Logger.Error("internal error", "request_id", info.RequestID, "operation", op.Name, "err", err)
			me = internalError(info.RequestID)
		}
		status := 400
		if model.IsFault(me.Type) {
			status = 500
		}
		return fail(status, me)
	}
	resp, err := encodeJSON(out)
	if err != nil {
		// Only a bug in a handler's output can get here.
		d.cfg.Logger.Error("encoding the response", "request_id", info.RequestID, "operation", op.Name, "err", err)
		return fail(500, internalError(info.RequestID))
	}
	writeBody(w, info.RequestID, 200, resp)
	return 200, ""
}

// call runs the handler, turning a panic into InternalErrorException so that
// one bad request never takes the process down or leaks a stack trace.
func (d *dispatcher) call(r *http.Request, info *caller.Info, h Handler, in model.Input) (out any, err error) {
	defer func() {
		if p := recover(); p != nil {
			d.cfg.Logger.Error("panic", "request_id", info.RequestID, "operation", info.Operation,
				"panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			out, err = nil, internalError(info.RequestID)
		}
	}()
	return h(caller.With(r.Context(), info), in)
}

func internalError(requestID string) *model.Error {
	return model.Errorf(model.InternalErrorException, "An internal error occurred (request id %s).", requestID)
}

// checkContentType accepts what AWS SDKs send, plain JSON for hand-written
// clients, and nothing at all (curl without -H).
func checkContentType(ct string) *model.Error {
	if ct == "" {
		return nil
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err == nil {
		switch mt {
		case "application/x-amz-json-1.1", "application/x-amz-json-1.0", "application/json":
			return nil
		}
	}
	return model.Errorf("SerializationException", "Unsupported Content-Type %q: send application/x-amz-json-1.1.", ct)
}

// decode fills in from the body. An empty body counts as {} (some hand-written
// clients send nothing for operations without members); anything that is not
// one JSON object is a SerializationException naming what went wrong.
func decode(body []byte, in model.Input) *model.Error {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return nil
	}
	if trimmed[0] != '{' {
		return model.Errorf("SerializationException", "The request body must be a JSON object.")
	}
	if hasNUL(trimmed) {
		// AWS's behaviour is not known; Cognate cannot store the character.
		return model.Errorf(model.InvalidParameterException, "Cognate does not accept the NUL character (\\u0000) in request values.")
	}
	if !mayBeMiscased(trimmed) {
		// The common path: one decode. Unmarshal also refuses trailing data.
		if err := json.Unmarshal(trimmed, in); err != nil {
			var syn *json.SyntaxError
			if errors.As(err, &syn) && strings.Contains(syn.Error(), "after top-level value") {
				return model.Errorf("SerializationException", "Unexpected data after the JSON object.")
			}
			return serializationError(err)
		}
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	var raw json.RawMessage
	if err := dec.Decode(&raw); err != nil {
		return serializationError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return model.Errorf("SerializationException", "Unexpected data after the JSON object.")
	}
	if err := json.Unmarshal(dropMiscasedMembers(raw, reflect.TypeOf(in)), in); err != nil {
		return serializationError(err)
	}
	return nil
}

func serializationError(err error) *model.Error {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr):
		if typeErr.Field != "" {
			return model.Errorf("SerializationException", "Member %s: expected %s, got a JSON %s.",
				typeErr.Field, jsonKind(typeErr.Type.Kind().String()), typeErr.Value)
		}
		return model.Errorf("SerializationException", "Unexpected JSON %s.", typeErr.Value)
	case errors.As(err, &syntaxErr) && syntaxErr.Error() == "unexpected end of JSON input":
		return model.Errorf("SerializationException", "Malformed JSON: the body ends early.")
	case errors.As(err, &syntaxErr):
		return model.Errorf("SerializationException", "Malformed JSON at byte %d: %v.", syntaxErr.Offset, syntaxErr)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return model.Errorf("SerializationException", "Malformed JSON: the body ends early.")
	default:
		// Errors from the generated types' own UnmarshalJSON (timestamps).
		return model.Errorf("SerializationException", "Malformed request: %v.", err)
	}
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "a string"
	case "int32", "int64", "int", "float64":
		return "a number"
	case "bool":
		return "a boolean"
	case "slice":
		return "a list"
	case "map", "struct", "ptr":
		return "an object"
	}
	return goKind
}

func asModelError(err error) *model.Error {
	var ve *model.ValidationError
	if errors.As(err, &ve) {
		return model.Errorf(model.InvalidParameterException, "%s", ve.Error())
	}
	var me *model.Error
	if errors.As(err, &me) {
		return me
	}
	return model.Errorf(model.InvalidParameterException, "%s", err.Error())
}

// encodeJSON encodes a handler's output; nil means the empty object.
func encodeJSON(v any) ([]byte, error) {
	if v == nil {
		return []byte("{}"), nil
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

func writeBody(w http.ResponseWriter, requestID string, status int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/x-amz-json-1.1")
	h.Set("x-amzn-RequestId", requestID)
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// writeError writes an error as Cognito does: x-amzn-ErrorType "<Type>:"
// (with the trailing colon), x-amzn-ErrorMessage, and the body
// {"__type":"<Type>","message":"…"} (§5.2 of the behaviour reference).
func writeError(w http.ResponseWriter, requestID string, status int, e *model.Error) {
	h := w.Header()
	h.Set("Content-Type", "application/x-amz-json-1.1")
	h.Set("x-amzn-RequestId", requestID)
	h.Set("x-amzn-ErrorType", e.Type+":")
	if e.Message != "" {
		h.Set("x-amzn-ErrorMessage", headerSafe(e.Message))
	}
	body, _ := json.Marshal(struct {
		Type    string `json:"__type"`
		Message string `json:"message,omitempty"`
	}{e.Type, e.Message})
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// maxErrorHeader bounds the x-amzn-ErrorMessage header. A validation
// message quotes the request's values, and a megabyte in a header breaks
// clients: Node's HTTP parser (so the AWS SDK for JavaScript) refuses
// response headers over 16 KiB, and nginx's proxy_buffer_size defaults to
// 4 KiB for all of them. AWS's own cap is not recorded; 2 KiB (inferred)
// keeps every message this server writes for ordinary requests whole. The
// SDKs read the message from the body, which keeps the full text.
const maxErrorHeader = 2048

// headerSafe makes a message fit a header value: control characters, which
// a field value cannot hold (several Cognito messages end with "\n"; a
// quoted value may hold CR or LF), become spaces, trailing spaces go, and
// the text is cut to maxErrorHeader bytes at a UTF-8 character boundary,
// ending in "...". What remains is tab-free printable ASCII and UTF-8 bytes
// (obs-text), valid in any HTTP/1.1 or HTTP/2 field value.
func headerSafe(s string) string {
	cut := func(s string) string {
		i := maxErrorHeader - len("...")
		for i > 0 && !utf8.RuneStart(s[i]) {
			i--
		}
		return s[:i] + "..."
	}
	if len(s) > maxErrorHeader {
		s = cut(s)
	}
	// Map also turns a byte that is not UTF-8 into U+FFFD, which can make
	// the text longer: cut again if so.
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	if len(s) > maxErrorHeader {
		s = cut(s)
	}
	return strings.TrimRight(s, " ")
}

// dropMiscasedMembers removes, at every level of the body, object keys that
// are not exactly a member name of the target type: AWS matches member names
// case-sensitively and ignores unknown ones, encoding/json does neither.
func dropMiscasedMembers(raw json.RawMessage, t reflect.Type) json.RawMessage {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct:
		var obj map[string]json.RawMessage
		if json.Unmarshal(raw, &obj) != nil || obj == nil {
			return raw
		}
		fields := map[string]reflect.Type{}
		for i := range t.NumField() {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "" {
				name = f.Name
			}
			fields[name] = f.Type
		}
		for k, v := range obj {
			ft, ok := fields[k]
			if !ok {
				delete(obj, k)
				continue
			}
			obj[k] = dropMiscasedMembers(v, ft)
		}
		out, _ := json.Marshal(obj)
		return out
	case reflect.Slice, reflect.Map:
		if t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8 {
			return raw
		}
		if t.Kind() == reflect.Slice {
			var items []json.RawMessage
			if json.Unmarshal(raw, &items) != nil {
				return raw
			}
			for i := range items {
				items[i] = dropMiscasedMembers(items[i], t.Elem())
			}
			out, _ := json.Marshal(items)
			return out
		}
		var m map[string]json.RawMessage
		if json.Unmarshal(raw, &m) != nil {
			return raw
		}
		for k, v := range m {
			m[k] = dropMiscasedMembers(v, t.Elem())
		}
		out, _ := json.Marshal(m)
		return out
	}
	return raw
}
