package seed

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/cognate/cognate/internal/api/model"
	"github.com/cognate/cognate/internal/store"
	"github.com/cognate/cognate/internal/user"
	"github.com/cognate/cognate/internal/userpool"
)

// ExportHeader opens every exported file: passwords are stored as hashes
// and cannot be written back.
const ExportHeader = `Written by "cognate seed export". Passwords cannot be exported (only
their hashes are stored): the users below have none, so applying this
file creates missing users as FORCE_CHANGE_PASSWORD with a generated
temporary password (add Password or TemporaryPassword to choose one), and
leaves the password and status of existing users alone. Software token
(TOTP) secrets cannot be exported either: an existing user keeps its
secret; add SoftwareTokenSecret to an MFA block to choose one.`

// Export writes the store's pools (all, or only poolID when not "") with
// their clients (secrets included), groups, users and group memberships as
// a seed file that Parse reads back.
func Export(ctx context.Context, st store.Store, w io.Writer, poolID string) error {
	pools := &userpool.Service{Store: st}
	var ids []string
	if poolID != "" {
		if _, err := st.GetUserPool(ctx, poolID); err != nil {
			return fmt.Errorf("user pool %s: %w", poolID, err)
		}
		ids = []string{poolID}
	} else {
		after := ""
		for {
			page, err := st.ListUserPools(ctx, 60, after)
			if err != nil {
				return err
			}
			for _, p := range page {
				ids = append(ids, p.ID)
			}
			if len(page) < 60 {
				break
			}
			after = page[len(page)-1].ID
		}
	}
	list := &yaml.Node{Kind: yaml.SequenceNode}
	for _, id := range ids {
		n, err := exportPool(ctx, st, pools, id)
		if err != nil {
			return fmt.Errorf("user pool %s: %w", id, err)
		}
		list.Content = append(list.Content, n)
	}
	root := mapping("pools", list)
	root.HeadComment = commentLines(ExportHeader)
	doc := &yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{root}}
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return err
	}
	return enc.Close()
}

func exportPool(ctx context.Context, st store.Store, pools *userpool.Service, id string) (*yaml.Node, error) {
	settings, err := pools.ExportPool(ctx, id)
	if err != nil {
		return nil, err
	}
	mfa, err := pools.ExportMfaConfig(ctx, id)
	if err != nil {
		return nil, err
	}
	mode := settings.MfaConfiguration
	if mfa != nil {
		settings.MfaConfiguration = nil // given by MfaConfig
	}
	n, err := toNode(settings)
	settings.MfaConfiguration = mode
	if err != nil {
		return nil, err
	}
	n.Content = append([]*yaml.Node{str("Id"), str(id)}, n.Content...)
	if mfa != nil {
		mn, err := toNode(mfa)
		if err != nil {
			return nil, err
		}
		n.Content = append(n.Content, str("MfaConfig"), mn)
	}

	clients := &yaml.Node{Kind: yaml.SequenceNode}
	after := ""
	for {
		page, err := st.ListAppClients(ctx, id, 60, after)
		if err != nil {
			return nil, err
		}
		for _, rec := range page {
			c, err := pools.ExportClient(ctx, rec)
			if err != nil {
				return nil, err
			}
			cn, err := toNode(c)
			if err != nil {
				return nil, err
			}
			cn.Content = append([]*yaml.Node{str("ClientId"), str(rec.ID)}, cn.Content...)
			clients.Content = append(clients.Content, cn)
		}
		if len(page) < 60 {
			break
		}
		after = page[len(page)-1].ID
	}
	if len(clients.Content) > 0 {
		n.Content = append(n.Content, str("clients"), clients)
	}

	groups := &yaml.Node{Kind: yaml.SequenceNode}
	for cursor := ""; ; {
		page, err := st.ListGroups(ctx, id, 60, cursor)
		if err != nil {
			return nil, err
		}
		for _, g := range page.Groups {
			req := model.CreateGroupRequest{GroupName: &g.Name, Precedence: g.Precedence}
			if g.Description != "" {
				req.Description = &g.Description
			}
			if g.RoleArn != "" {
				req.RoleArn = &g.RoleArn
			}
			gn, err := toNode(req)
			if err != nil {
				return nil, err
			}
			groups.Content = append(groups.Content, gn)
		}
		if cursor = page.Next; cursor == "" {
			break
		}
	}
	if len(groups.Content) > 0 {
		n.Content = append(n.Content, str("groups"), groups)
	}

	users, err := exportUsers(ctx, st, settings, id)
	if err != nil {
		return nil, err
	}
	if len(users.Content) > 0 {
		n.Content = append(n.Content, str("users"), users)
	}
	return n, nil
}

func exportUsers(ctx context.Context, st store.Store, settings *model.CreateUserPoolRequest, id string) (*yaml.Node, error) {
	type exported struct {
		name string
		node *yaml.Node
	}
	var out []exported
	for cursor := ""; ; {
		page, err := st.ListUsers(ctx, id, store.UserQuery{Limit: 60, Cursor: cursor})
		if err != nil {
			return nil, err
		}
		for _, u := range page.Users {
			attrs, err := user.ExportAttributes(u)
			if err != nil {
				return nil, err
			}
			values := map[string]string{}
			for _, a := range attrs {
				if a.Name != "sub" {
					values[strings.TrimPrefix(a.Name, "dev:")] = a.Value
				}
			}
			// A pool that signs in with email or phone number names its
			// users by sub: the seed names them by that attribute.
			username := u.Username
			for _, ua := range settings.UsernameAttributes {
				if v := values[ua]; v != "" {
					username = v
					break
				}
			}
			un := mapping("Username", str(username))
			if len(values) > 0 {
				am := &yaml.Node{Kind: yaml.MappingNode}
				for _, k := range slices.Sorted(maps.Keys(values)) {
					am.Content = append(am.Content, str(k), str(values[k]))
				}
				un.Content = append(un.Content, str("Attributes"), am)
			}
			if u.Status == model.UserStatusTypeConfirmed {
				un.Content = append(un.Content, str("Confirmed"), &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: "true"})
			} else {
				un.HeadComment = "status " + u.Status + ": not reproduced without a password"
			}
			if !u.Enabled {
				un.HeadComment = strings.TrimPrefix(un.HeadComment+"; disabled: not reproduced", "; ")
			}
			if mk, mn, err := exportMFA(u); err != nil {
				return nil, err
			} else if mn != nil {
				un.Content = append(un.Content, mk, mn)
			}
			gs, err := st.UserGroups(ctx, id, u.Key)
			if err != nil {
				return nil, err
			}
			if len(gs) > 0 {
				names := make([]string, 0, len(gs))
				for _, g := range gs {
					names = append(names, g.Name)
				}
				slices.Sort(names)
				gl := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
				for _, g := range names {
					gl.Content = append(gl.Content, str(g))
				}
				un.Content = append(un.Content, str("Groups"), gl)
			}
			out = append(out, exported{username, un})
		}
		if cursor = page.Next; cursor == "" {
			break
		}
	}
	slices.SortFunc(out, func(a, b exported) int { return strings.Compare(a.name, b.name) })
	list := &yaml.Node{Kind: yaml.SequenceNode}
	for _, e := range out {
		list.Content = append(list.Content, e.node)
	}
	return list, nil
}

// exportMFA is a user's MFA block, or nil when the user has no MFA. The
// software token's secret is stored sealed and is not exported.
func exportMFA(u store.User) (key, value *yaml.Node, err error) {
	m, hasSecret, err := user.SeedMFAState(u)
	if err != nil || !m.SoftwareTokenEnabled && !m.SMSEnabled && !m.EmailEnabled && m.Preferred == "" {
		return nil, nil, err
	}
	n := &yaml.Node{Kind: yaml.MappingNode}
	flag := func(name string, on bool) {
		if on {
			n.Content = append(n.Content, str(name), &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: "true"})
		}
	}
	flag("SoftwareTokenEnabled", m.SoftwareTokenEnabled)
	flag("SMSEnabled", m.SMSEnabled)
	flag("EmailEnabled", m.EmailEnabled)
	if m.Preferred != "" {
		n.Content = append(n.Content, str("Preferred"), str(m.Preferred))
	}
	key = str("MFA")
	if hasSecret {
		key.HeadComment = "the software token's secret cannot be exported (it is stored sealed): add\nSoftwareTokenSecret (base32) to enable it on a database without this user"
	}
	return key, n, nil
}

// toNode turns an API request into a block-style YAML mapping with the
// members in the model's order.
func toNode(v any) (*yaml.Node, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return nil, err
	}
	n := doc.Content[0]
	blockStyle(n)
	return n, nil
}

func blockStyle(n *yaml.Node) {
	n.Style = 0
	if n.Kind == yaml.SequenceNode && len(n.Content) > 0 && n.Content[0].Kind == yaml.ScalarNode {
		n.Style = yaml.FlowStyle // short lists of names, as in the example
	}
	for _, c := range n.Content {
		blockStyle(c)
	}
}

func str(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s} }

func mapping(k string, v *yaml.Node) *yaml.Node {
	return &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{str(k), v}}
}

func commentLines(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = "# " + l
	}
	return strings.Join(lines, "\n")
}
