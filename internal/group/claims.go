package group

import "github.com/cognate/cognate/internal/store"

// TokenClaims turns a user's groups, in token order (store.UserGroups:
// precedence, lowest first, groups without one last, ties by name), into
// the claims Cognito puts in tokens:
//
//   - groups (cognito:groups, both tokens): every group name, in that order.
//   - roles (cognito:roles, ID token): the groups' role ARNs in the same
//     order, each once; none when no group has a role.
//   - preferred (cognito:preferred_role, ID token): the role of the group
//     with the lowest precedence among the groups that have a role. Groups
//     without a precedence count as tied with each other, below every group
//     that has one. When the best-placed groups are tied, the role is set
//     only if they all have the same one; otherwise there is none.
//
// The precedence and tie rules are AWS's (API reference, CreateGroup
// Precedence: "Two groups can have the same Precedence value. If this
// happens, neither group takes precedence over the other. If two groups with
// the same Precedence have the same role ARN, that role is used in the
// cognito:preferred_role claim ... If the two groups have different role
// ARNs, the cognito:preferred_role claim isn't set"). Skipping groups that
// have no role when choosing the preferred one is our reading of "the group
// with the lowest precedence value whose role ARN is given"; the order of
// cognito:groups within equal precedence (by name) is ours too, as AWS
// documents none.
func TokenClaims(gs []store.Group) (groups, roles []string, preferred string) {
	if len(gs) == 0 {
		return nil, nil, ""
	}
	groups = make([]string, len(gs))
	var best *store.Group
	tied := false
	for i := range gs {
		g := &gs[i]
		groups[i] = g.Name
		if g.RoleArn == "" {
			continue
		}
		seen := false
		for _, r := range roles {
			seen = seen || r == g.RoleArn
		}
		if !seen {
			roles = append(roles, g.RoleArn)
		}
		switch {
		case best == nil:
			best = g
		case samePrecedence(best, g) && g.RoleArn != best.RoleArn:
			tied = true
		}
	}
	if best != nil && !tied {
		preferred = best.RoleArn
	}
	return groups, roles, preferred
}

// samePrecedence reports whether two groups stand level: the same value,
// or neither has one. gs is sorted, so only groups level with the first
// one that has a role can compete with it.
func samePrecedence(a, b *store.Group) bool {
	if a.Precedence == nil || b.Precedence == nil {
		return a.Precedence == nil && b.Precedence == nil
	}
	return *a.Precedence == *b.Precedence
}
