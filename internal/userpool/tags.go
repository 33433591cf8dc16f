package userpool

import (
	"context"
	"errors"
	"maps"
	"strings"

	"github.com/cognate/cognate/internal/api/model"
	"github.com/cognate/cognate/internal/store"
)

// maxTags is AWS's limit of tags per resource.
const maxTags = 50

// poolIDFromARN returns the pool id of "arn:aws:cognito-idp:<region>:<account>:userpool/<id>".
func poolIDFromARN(arn string) (string, bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[2] != "cognito-idp" {
		return "", false
	}
	id, ok := strings.CutPrefix(parts[5], "userpool/")
	return id, ok && id != ""
}

func (s *Service) updateTags(ctx context.Context, arn string, fn func(tags map[string]string) error) error {
	id, ok := poolIDFromARN(arn)
	if !ok {
		return model.Errorf(model.ResourceNotFoundException, "Resource %s does not exist.", arn)
	}
	defer s.forgetPool(id)
	_, err := s.Store.UpdateUserPool(ctx, id, func(rec store.UserPool) (store.UserPool, error) {
		p, err := decodePool(rec)
		if err != nil {
			return rec, err
		}
		if deref(p.Config.Arn) != arn {
			return rec, store.ErrNotFound
		}
		tags := maps.Clone(p.Config.UserPoolTags)
		if tags == nil {
			tags = map[string]string{}
		}
		if err := fn(tags); err != nil {
			return rec, err
		}
		p.Config.UserPoolTags = tags
		doc, err := encodeSettings(p.Config)
		if err != nil {
			return rec, err
		}
		rec.Settings = keepMFA(rec.Settings, doc)
		return rec, nil
	})
	if err != nil {
		return resourceError(err, arn)
	}
	return nil
}

func resourceError(err error, arn string) error {
	if errors.Is(err, store.ErrNotFound) {
		return model.Errorf(model.ResourceNotFoundException, "Resource %s does not exist.", arn)
	}
	return err
}

// TagResource adds or replaces tags on a pool.
func (s *Service) TagResource(ctx context.Context, in *model.TagResourceRequest) (*model.TagResourceResponse, error) {
	err := s.updateTags(ctx, *in.ResourceArn, func(tags map[string]string) error {
		maps.Copy(tags, in.Tags)
		if len(tags) > maxTags {
			return invalidParameter("A resource can have at most %d tags.", maxTags)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &model.TagResourceResponse{}, nil
}

// UntagResource removes tags from a pool; unknown keys are ignored.
func (s *Service) UntagResource(ctx context.Context, in *model.UntagResourceRequest) (*model.UntagResourceResponse, error) {
	err := s.updateTags(ctx, *in.ResourceArn, func(tags map[string]string) error {
		for _, k := range in.TagKeys {
			delete(tags, k)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &model.UntagResourceResponse{}, nil
}

// ListTagsForResource returns a pool's tags.
func (s *Service) ListTagsForResource(ctx context.Context, in *model.ListTagsForResourceRequest) (*model.ListTagsForResourceResponse, error) {
	arn := *in.ResourceArn
	id, ok := poolIDFromARN(arn)
	if !ok {
		return nil, model.Errorf(model.ResourceNotFoundException, "Resource %s does not exist.", arn)
	}
	p, err := s.GetPool(ctx, id)
	if err != nil || deref(p.Config.Arn) != arn {
		if err != nil && !isNotFound(err) {
			return nil, err
		}
		return nil, model.Errorf(model.ResourceNotFoundException, "Resource %s does not exist.", arn)
	}
	tags := p.Config.UserPoolTags
	if tags == nil {
		tags = map[string]string{}
	}
	return &model.ListTagsForResourceResponse{Tags: tags}, nil
}

func isNotFound(err error) bool {
	var me *model.Error
	return errors.As(err, &me) && me.Type == model.ResourceNotFoundException
}
