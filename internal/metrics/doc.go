// Package metrics holds Cognate's Prometheus metrics in a private registry
// and serves them at /metrics. The instrumented packages (api, password,
// message, trigger, sqlstore) do not import Prometheus: each exposes a hook
// (a function field or a small method) and internal/server connects those
// hooks to the methods here.
//
// Labels carry only bounded, non-sensitive values: operation names, error
// types, delivery media, trigger sources and outcomes. Never user names,
// destinations, function names or pool ids (the last would multiply every
// series by the number of pools).
package metrics
