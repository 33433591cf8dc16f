package message

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/cognate/cognate/internal/api/model"
	"github.com/cognate/cognate/internal/clock"
	"github.com/cognate/cognate/internal/store"
)

// MessageStore is the part of the store the inspection API reads.
type MessageStore interface {
	ListMessages(ctx context.Context, poolID, userKey string) ([]store.Message, error)
	GetUser(ctx context.Context, poolID, key string) (store.User, error)
}

// Inspection is the local-mode inspection API: the messages Cognate sent,
// codes included, and the server clock. It exposes secrets by design, so
// the caller mounts it only in local mode (DESIGN.md, principle 10).
type Inspection struct {
	Store  MessageStore
	Sealer Sealer
	Clock  *clock.Clock
	// Resolve finds a user from what a test knows (a username, a sub or an
	// alias). A not-found answer (store.ErrNotFound, or a
	// UserNotFoundException / ResourceNotFoundException *model.Error)
	// yields an empty list. nil takes the name as the user key.
	Resolve func(ctx context.Context, poolID, name string) (userKey, username string, err error)
}

// InspectedMessage is one message as GET /_cognate/messages shows it.
type InspectedMessage struct {
	MessageId      string
	UserPoolId     string
	Username       string
	DeliveryMedium string
	Destination    string // not masked: this is what tests need
	AttributeName  string
	TriggerSource  string
	Subject        string
	Body           string
	Code           string
	CreatedAt      model.Time // epoch seconds, a JSON number
}

// MessagesHandler serves GET /_cognate/messages?UserPoolId=…[&Username=…]:
// {"Messages":[…]}, oldest first.
func (in *Inspection) MessagesHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET")
			writeJSONError(w, http.StatusMethodNotAllowed, "MethodNotAllowed", "Use GET.")
			return
		}
		q := r.URL.Query()
		poolID := q.Get("UserPoolId")
		if poolID == "" {
			writeJSONError(w, http.StatusBadRequest, model.InvalidParameterException, "UserPoolId is required.")
			return
		}
		ctx := r.Context()
		userKey, username := "", ""
		if name := q.Get("Username"); name != "" {
			var err error
			userKey, username, err = in.resolve(ctx, poolID, name)
			if isNotFound(err) {
				writeJSON(w, http.StatusOK, messagesResponse{Messages: []InspectedMessage{}})
				return
			}
			if err != nil {
				writeJSONError(w, http.StatusInternalServerError, model.InternalErrorException, "Resolving the user failed: "+err.Error())
				return
			}
		}
		msgs, err := in.Store.ListMessages(ctx, poolID, userKey)
		if err != nil {
			writeJSONError(w, http.StatusInternalServerError, model.InternalErrorException, "Listing messages failed: "+err.Error())
			return
		}
		out := messagesResponse{Messages: make([]InspectedMessage, 0, len(msgs))}
		names := map[string]string{} // user key → username, one lookup per user
		for _, m := range msgs {
			o, err := Open(m, in.Sealer)
			if err != nil {
				writeJSONError(w, http.StatusInternalServerError, model.InternalErrorException, err.Error())
				return
			}
			name := username
			if userKey == "" {
				name = in.username(ctx, names, m.PoolID, m.UserKey)
			}
			out.Messages = append(out.Messages, InspectedMessage{
				MessageId:      m.ID,
				UserPoolId:     m.PoolID,
				Username:       name,
				DeliveryMedium: m.DeliveryMedium,
				Destination:    m.Destination,
				AttributeName:  m.AttributeName,
				TriggerSource:  m.TriggerSource,
				Subject:        o.Subject,
				Body:           o.Body,
				Code:           o.Code,
				CreatedAt:      model.Time(m.CreatedAt),
			})
		}
		writeJSON(w, http.StatusOK, out)
	})
}

type messagesResponse struct {
	Messages []InspectedMessage
}

func (in *Inspection) resolve(ctx context.Context, poolID, name string) (string, string, error) {
	if in.Resolve == nil {
		return name, name, nil
	}
	return in.Resolve(ctx, poolID, name)
}

// username shows a message's user as Cognito names it. A user deleted
// since keeps their messages; their key stands in for the name.
func (in *Inspection) username(ctx context.Context, cache map[string]string, poolID, key string) string {
	if n, ok := cache[key]; ok {
		return n
	}
	n := key
	if u, err := in.Store.GetUser(ctx, poolID, key); err == nil {
		n = u.Username
	}
	cache[key] = n
	return n
}

func isNotFound(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, store.ErrNotFound) {
		return true
	}
	var me *model.Error
	return errors.As(err, &me) && (me.Type == model.UserNotFoundException || me.Type == model.ResourceNotFoundException)
}

// ClockHandler serves GET /_cognate/clock → {"Now": <epoch seconds>} and
// POST /_cognate/clock with {"AdvanceSeconds": N} (N ≥ 0, fractions to the
// millisecond), which moves the server clock forward for every instance.
func (in *Inspection) ClockHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet, http.MethodHead:
			writeJSON(w, http.StatusOK, clockResponse{Now: model.Time(in.Clock.Now())})
		case http.MethodPost:
			d, err := readAdvance(r.Body)
			if err != nil {
				writeJSONError(w, http.StatusBadRequest, model.InvalidParameterException, err.Error())
				return
			}
			now, err := in.Clock.Advance(r.Context(), d)
			if err != nil {
				writeJSONError(w, http.StatusInternalServerError, model.InternalErrorException, err.Error())
				return
			}
			writeJSON(w, http.StatusOK, clockResponse{Now: model.Time(now)})
		default:
			w.Header().Set("Allow", "GET, POST")
			writeJSONError(w, http.StatusMethodNotAllowed, "MethodNotAllowed", "Use GET or POST.")
		}
	})
}

type clockResponse struct {
	Now model.Time
}

// maxAdvance keeps an advance inside time.Duration (about 292 years).
const maxAdvance = 100 * 365 * 24 * time.Hour

// badBody is an answer to the caller, a sentence as the API's own
// messages are, not an error chained inside Go code.
type badBody string

func (b badBody) Error() string { return string(b) }

func readAdvance(body io.Reader) (time.Duration, error) {
	var req struct {
		AdvanceSeconds *json.Number
	}
	dec := json.NewDecoder(io.LimitReader(body, 1<<16))
	dec.UseNumber()
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return 0, badBody(fmt.Sprintf("The body must be {\"AdvanceSeconds\": N}: %v", err))
	}
	if dec.More() {
		return 0, badBody("The body must be one JSON object.")
	}
	if req.AdvanceSeconds == nil {
		return 0, badBody("AdvanceSeconds is required.")
	}
	s, err := req.AdvanceSeconds.Float64()
	if err != nil || math.IsNaN(s) || math.IsInf(s, 0) {
		return 0, badBody("AdvanceSeconds must be a number.")
	}
	if s < 0 {
		return 0, badBody("AdvanceSeconds must not be negative: the clock only moves forward.")
	}
	if s*1000 > float64(maxAdvance/time.Millisecond) {
		return 0, badBody("AdvanceSeconds is too large.")
	}
	return time.Duration(math.Round(s*1000)) * time.Millisecond, nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		writeJSONError(w, http.StatusInternalServerError, model.InternalErrorException, err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

// writeJSONError answers in the shape of the API's errors, so one client
// helper reads both.
func writeJSONError(w http.ResponseWriter, status int, typ, msg string) {
	b, _ := json.Marshal(struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}{typ, strings.TrimSpace(msg)})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}
