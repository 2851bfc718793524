package provider

import (
	"context"
	"fmt"
	"reflect"

	"github.com/hashicorp/terraform-plugin-testing/plancheck"
)

// refreshedState checks the state a plan was made from, after refresh: what
// the provider read back from the server, before any change.
type refreshedState struct {
	addr string
	want map[string]any // attribute -> expected value (nil: null)
}

func expectRefreshed(addr string, want map[string]any) plancheck.PlanCheck {
	return refreshedState{addr: addr, want: want}
}

func (c refreshedState) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	if req.Plan.PriorState == nil || req.Plan.PriorState.Values == nil {
		resp.Error = fmt.Errorf("the plan has no prior state")
		return
	}
	for _, r := range req.Plan.PriorState.Values.RootModule.Resources {
		if r.Address != c.addr {
			continue
		}
		for attr, want := range c.want {
			got := r.AttributeValues[attr]
			if !reflect.DeepEqual(normalize(got), normalize(want)) {
				resp.Error = fmt.Errorf("refreshed %s.%s = %v, want %v", c.addr, attr, got, want)
				return
			}
		}
		return
	}
	resp.Error = fmt.Errorf("%s is not in the refreshed state", c.addr)
}

// normalize makes map[string]string and map[string]any comparable.
func normalize(v any) any {
	switch m := v.(type) {
	case map[string]string:
		out := map[string]any{}
		for k, s := range m {
			out[k] = s
		}
		return out
	case map[string]any:
		if len(m) == 0 {
			return map[string]any{}
		}
	}
	return v
}
