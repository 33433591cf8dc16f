package bench

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strconv"
)

// op is an operation the load sends.
type op int

const (
	opUpdateUserAttributes op = iota
	opGetUser
	opInitiateAuth
	opAdminGetUser
	opAdminCreateUser
	opListUsers
	numOps
)

var opNames = [numOps]string{UpdateUserAttributes, GetUser, InitiateAuth, AdminGetUser, AdminCreateUser, ListUsers}

// weighted is one operation of a blend, with its share in percent.
type weighted struct {
	op     op
	weight int
}

// opsOf is the blend of each Config.Operation; the weights add up to 100.
var opsOf = map[string][]weighted{
	UpdateUserAttributes: {{opUpdateUserAttributes, 100}},
	GetUser:              {{opGetUser, 100}},
	InitiateAuth:         {{opInitiateAuth, 100}},
	AdminGetUser:         {{opAdminGetUser, 100}},
	AdminCreateUser:      {{opAdminCreateUser, 100}},
	ListUsers:            {{opListUsers, 100}},
	Mixed:                {{opGetUser, 50}, {opUpdateUserAttributes, 30}, {opInitiateAuth, 10}, {opAdminGetUser, 10}},
}

// needsTokens reports whether the blend sends access-token operations.
func needsTokens(blend []weighted) bool {
	for _, w := range blend {
		if w.op == opGetUser || w.op == opUpdateUserAttributes {
			return true
		}
	}
	return false
}

// workload holds every request of the run, prepared before the load.
type workload struct {
	blend []weighted
	// reqs[op][user] is user's prepared request for op (nil for ops not in
	// the blend).
	reqs [numOps][]*prepared
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only maps of strings are marshalled here
	}
	return b
}

// jsonString quotes s as a JSON string.
func jsonString(s string) string { return string(mustJSON(s)) }

func newWorkload(e *env, blend []weighted) *workload {
	w := &workload{blend: blend}
	for _, b := range blend {
		reqs := make([]*prepared, len(e.users))
		for i, u := range e.users {
			reqs[i] = prepare(b.op, e, i, u)
		}
		w.reqs[b.op] = reqs
	}
	return w
}

// prepare builds user i's request for o. A dynamic body is split where the
// per-request value goes: the attribute value of UpdateUserAttributes, the
// name suffix of AdminCreateUser.
func prepare(o op, e *env, i int, u benchUser) *prepared {
	switch o {
	case opUpdateUserAttributes:
		return newPrepared(UpdateUserAttributes, false).dynamic(
			[]byte(`{"AccessToken":`+jsonString(u.token)+`,"UserAttributes":[{"Name":"`+benchAttribute+`","Value":"v`),
			[]byte(`"}]}`))
	case opGetUser:
		return newPrepared(GetUser, false).static(mustJSON(map[string]string{"AccessToken": u.token}))
	case opInitiateAuth:
		return newPrepared(InitiateAuth, false).static(mustJSON(initiateAuthInput(e.clientID, u.name, e.password)))
	case opAdminGetUser:
		return newPrepared(AdminGetUser, true).static(mustJSON(map[string]string{"UserPoolId": e.poolID, "Username": u.name}))
	case opAdminCreateUser:
		// benchnew_<run>_<user>_<n>@example.com: unique per worker slot and
		// request, email-shaped as every implementation accepts.
		return newPrepared(AdminCreateUser, true).dynamic(
			[]byte(`{"UserPoolId":`+jsonString(e.poolID)+`,"MessageAction":"SUPPRESS","Username":"benchnew_`+e.runID+`_`+strconv.Itoa(i)+`_`),
			[]byte(`@example.com"}`))
	case opListUsers:
		return newPrepared(ListUsers, true).static(mustJSON(map[string]any{
			"UserPoolId": e.poolID, "Limit": 60, "Filter": fmt.Sprintf("email ^= %q", listPrefix(i)),
		}))
	}
	panic("unknown op")
}

// picker chooses each request of one worker: the operation (by weight, from
// the worker's own generator so that workers share no lock) and the user
// (round-robin from the worker's offset, so that workers spread over the
// users rather than contend for the same rows).
type picker struct {
	w        *workload
	rng      *rand.Rand
	user     int
	step     int
	seq      uint64 // per-worker request number, for fresh values
	valueBuf []byte
}

func newPicker(w *workload, worker, workers, users int) *picker {
	return &picker{
		w:    w,
		rng:  rand.New(rand.NewPCG(uint64(worker), 0x636f676e617465)),
		user: worker % users,
		step: workers,
	}
}

// next returns the operation, the prepared request and, for a dynamic
// body, the fresh value (valid until the next call).
func (p *picker) next(worker int) (op, *prepared, []byte) {
	o := p.w.blend[0].op
	if len(p.w.blend) > 1 {
		r := p.rng.IntN(100)
		for _, b := range p.w.blend {
			if r < b.weight {
				o = b.op
				break
			}
			r -= b.weight
		}
	}
	reqs := p.w.reqs[o]
	u := p.user
	p.user = (p.user + p.step) % len(reqs)
	pr := reqs[u]
	if pr.body != nil {
		return o, pr, nil
	}
	// worker, then the worker's sequence: unique across workers even when
	// several share a user, without a shared counter.
	p.seq++
	v := strconv.AppendInt(p.valueBuf[:0], int64(worker), 10)
	v = append(v, 'x')
	v = strconv.AppendUint(v, p.seq, 10)
	p.valueBuf = v
	return o, pr, v
}
