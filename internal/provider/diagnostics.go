package provider

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/zitadelmeta/terraform-provider-zitadelmeta/internal/zitadel"
)

// access is the permission a failed call needed.
type access int

const (
	// readAccess is a data source's read: the viewer roles are enough.
	readAccess access = iota
	// manageAccess is a resource's read (plan, refresh, import): it needs
	// the read permission now and the write permission to apply, so the
	// remedy names the roles that hold both.
	manageAccess
	writeAccess
)

// apiErrorDetail explains a failed ZITADEL call in full sentences: what was
// being done, ZITADEL's answer, and what to change.
func apiErrorDetail(doing string, owner zitadel.Owner, need access, err error) string {
	org := ownerName(owner)
	where := " in " + org
	switch {
	case owner.IsUser() && strings.Contains(doing, "user "+owner.UserID):
		where = "" // doing names the user already
	case owner.IsUser():
		where = " of " + org
		if owner.OrgID != "" {
			where += " (organization " + owner.OrgID + ")"
		}
	case owner.OrgID == "" && strings.Contains(doing, "caller's organization"):
		where = ""
	}
	var w *zitadel.WrongOrgError
	if errors.As(err, &w) {
		return wrongOrgDetail(w)
	}
	var ze *zitadel.Error
	if !errors.As(err, &ze) {
		return fmt.Sprintf("While %s%s: %s.", doing, where, err)
	}
	answer := fmt.Sprintf("While %s%s, ZITADEL answered %s: %s.", doing, where, ze.Code, ze.Message)
	switch {
	case ze.Stopped != nil:
		answer = fmt.Sprintf("While %s%s, the provider stopped waiting for ZITADEL after %s.", doing, where, ze.Waited.Round(100*time.Millisecond))
		if ze.Last != "" {
			answer += fmt.Sprintf(" ZITADEL's last answer, after %d attempts, was %s.", ze.Attempts, ze.Last)
		}
	case ze.Kind == zitadel.KindUnreachable:
		answer = fmt.Sprintf("While %s%s, no connection to ZITADEL could be made: %s.", doing, where, ze.Message)
	case ze.Transport != "":
		// A failure to get an answer: ZITADEL said nothing.
		answer = fmt.Sprintf("While %s%s, no answer came from ZITADEL: %s.", doing, where, ze.Message)
	case ze.Concluded:
		// The provider's own conclusion from answers that were all OK.
		answer = fmt.Sprintf("While %s%s: %s.", doing, where, ze.Message)
	}
	writeRoles := "ORG_OWNER or ORG_SETTINGS_MANAGER on the organization, or IAM_OWNER or IAM_ORG_MANAGER on the instance"
	readRoles := "ORG_OWNER_VIEWER (or any role with org.read) on the organization, or IAM_OWNER_VIEWER on the instance"
	roles, perm := readRoles, "org.read"
	if need != readAccess {
		roles = writeRoles
	}
	if need == writeAccess {
		perm = "org.write"
	}
	if owner.IsUser() {
		org = "the user's organization"
		roles, perm = "ORG_OWNER_VIEWER or ORG_USER_MANAGER on the user's organization, or IAM_OWNER_VIEWER on the instance", "user.read"
		if need != readAccess {
			roles = "ORG_OWNER or ORG_USER_MANAGER on the user's organization, or IAM_OWNER or IAM_USER_MANAGER on the instance"
		}
		if need == writeAccess {
			perm = "user.write"
		}
	}
	var remedy string
	switch ze.Kind {
	case zitadel.KindNoMembership:
		remedy = fmt.Sprintf("The user or service account behind the provider's credentials has no membership in %s (nothing was found missing). Grant it %s, or point org_id at an organization it belongs to.", org, roles)
		if owner.IsUser() {
			remedy = fmt.Sprintf("The user or service account behind the provider's credentials has no membership in %s (nothing was found missing). Grant it %s, or check user_id.", org, roles)
		}
	case zitadel.KindPermissionDenied:
		remedy = fmt.Sprintf("The user or service account behind the provider's credentials is a member of %s but lacks the permission %s. Grant it %s.", org, perm, roles)
	case zitadel.KindUserNotFound:
		remedy = "The user does not exist or was removed. Check user_id on the resource, data source or ephemeral resource." + v1UserHint(owner, err)
	case zitadel.KindOrgNotFound:
		remedy = "The organization does not exist or was removed. Check org_id on the resource, data source or ephemeral resource, and the provider's org_id (ZITADEL_ORG_ID)."
	case zitadel.KindUnauthenticated:
		remedy = "ZITADEL refused the credentials. Check access_token (ZITADEL_ACCESS_TOKEN) or the service-account key in jwt_profile_file / jwt_profile_json; personal access tokens and keys expire. A key file's token is requested from the issuer: behind a proxy whose address differs from ZITADEL's own, also check issuer (ZITADEL_ISSUER)."
	case zitadel.KindInvalidInput:
		remedy = "ZITADEL rejected the request as invalid; check keys (1 to 200 characters) and values (1 to 500000 bytes)."
	case zitadel.KindTransient:
		remedy = fmt.Sprintf("ZITADEL stayed unavailable or overloaded through %d attempts. Nothing is wrong with the configuration: run the command again later.", ze.Attempts)
		if ze.Gateway {
			remedy = fmt.Sprintf("A gateway in front of ZITADEL answered every gRPC call of %d attempts with an error page instead: ZITADEL may be restarting, or the gateway may not pass gRPC to it. If it persists, try transport = \"rest\" (ZITADEL_TRANSPORT), or \"auto\" to let the provider switch by itself.", ze.Attempts)
		}
	case zitadel.KindTimeout:
		remedy = "ZITADEL answered DeadlineExceeded: its own time limit ran out. Run the command again."
		if ze.Stopped != nil {
			remedy = "The operation's time limit ran out before ZITADEL answered. Run the command again, or allow more time in the resource's timeouts block (create, read, update, delete)."
		}
	case zitadel.KindCanceled:
		remedy = "ZITADEL answered Canceled: the request was cut off on its side. Run the command again."
		if ze.Stopped != nil {
			remedy = "Terraform was interrupted (Ctrl-C, or a signal), so the provider stopped before ZITADEL answered."
		}
	case zitadel.KindHandshake:
		remedy = "If the server uses a private CA, give its certificate in ca_certificate (ZITADEL_CA_CERTIFICATE); if it serves plaintext (local development only), set insecure = true."
		if !strings.Contains(ze.Message, "handshake") {
			remedy = "The TLS handshake with ZITADEL failed. " + remedy
		}
	case zitadel.KindUnreachable:
		remedy = fmt.Sprintf("ZITADEL could not be reached at %s in %d attempts. Check domain, port and insecure in the provider configuration (ZITADEL_DOMAIN, ZITADEL_PORT, ZITADEL_INSECURE), and that the server is running and reachable from here; behind a proxy that breaks gRPC, also transport (ZITADEL_TRANSPORT).", ze.Addr, ze.Attempts)
	case zitadel.KindNotGRPC:
		remedy = fmt.Sprintf("Something at %s answered the gRPC call, but not in gRPC: most likely a proxy in front of ZITADEL that does not pass gRPC through (HTTP/2 to the upstream switched off, trailers dropped, content type rewritten). Set transport = \"rest\" (or ZITADEL_TRANSPORT) to use ZITADEL's REST API instead, or \"auto\" to let the provider switch by itself; or let the proxy pass gRPC.", ze.Addr)
	case zitadel.KindNoH2:
		remedy = fmt.Sprintf("The TLS server at %s does not offer HTTP/2, which gRPC needs: most likely a proxy that only speaks HTTP/1.1. Set transport = \"rest\" (or ZITADEL_TRANSPORT) to use ZITADEL's REST API instead, or \"auto\" to let the provider switch by itself.", ze.Addr)
	case zitadel.KindNotZITADEL:
		remedy = fmt.Sprintf("The answer did not come from ZITADEL's API. Check that domain and port reach ZITADEL's API at %s (not its console or another service), and the proxy in front of it.", ze.Addr)
		if s := ze.HTTPStatus; s == 401 || s == 403 || s/100 == 3 {
			remedy += " A gateway that asks for a login or refuses the request may want headers of its own: see headers (ZITADEL_HEADERS)."
		}
		if ze.Transport == zitadel.TransportAuto {
			remedy = fmt.Sprintf("Neither gRPC nor REST got an answer from ZITADEL at %s. Check domain and port, and the proxy in front of ZITADEL; transport = \"grpc\" or \"rest\" (ZITADEL_TRANSPORT) makes the provider use just one.", ze.Addr)
		}
	case zitadel.KindNoAccess:
		remedy = fmt.Sprintf("The user or service account behind the provider's credentials may not read %s, and the organization service v2 hides such an organization's metadata behind an empty list, so the provider cannot tell which keys exist there and changes nothing. Grant it %s, or point org_id at an organization it can read.", org, roles)
	case zitadel.KindOrgRequired:
		remedy = "Set org_id on the resource, data source or ephemeral resource, or org_id (ZITADEL_ORG_ID) in the provider configuration; or, on a ZITADEL that still serves the management API v1, api_version = \"v1\" or \"auto\"."
		if ze.AutoChosen {
			remedy = "Set org_id on the resource, data source or ephemeral resource, or org_id (ZITADEL_ORG_ID) in the provider configuration."
			remedy += " (api_version = \"auto\" chose the organization service v2 because the server does not serve the management API v1.)"
		}
	case zitadel.KindUnimplemented:
		remedy = unimplementedRemedy(ze)
	case zitadel.KindRequestTooLarge:
		remedy = "The request would exceed what one call may carry even after splitting. This is a bug in the provider; please report it."
	case zitadel.KindTooLarge:
		remedy = "A message exceeded a gRPC size limit. This is a bug in the provider if it happened on a write; please report it."
	}
	if ze.ID != "" && !strings.Contains(ze.Message, "("+ze.ID+")") {
		// ZITADEL's message normally ends with its id already.
		answer = strings.TrimSuffix(answer, ".") + fmt.Sprintf(" (error id %s).", ze.ID)
	}
	if remedy == "" {
		return answer
	}
	return answer + " " + remedy
}

// unimplementedRemedy says which API the server at ze.Addr lacks and how to
// choose the other.
func unimplementedRemedy(ze *zitadel.Error) string {
	proxy := " If a proxy sits in front of ZITADEL, check that it passes gRPC (HTTP/2) calls through to it."
	if ze.HTTPStatus != 0 {
		proxy = " If a proxy sits in front of ZITADEL, check that it passes the API's REST routes (/management/v1/..., /v2/...) through to it."
	}
	if ze.API == zitadel.APIAuto {
		return fmt.Sprintf("The server at %s serves neither ZITADEL's management API v1 nor its organization and user services v2: check that domain and port reach ZITADEL's API.", ze.Addr) + proxy
	}
	if ze.API == zitadel.APIV2 {
		return fmt.Sprintf("The server at %s does not serve the organization and user services v2, which ZITADEL %s and later provide. Upgrade ZITADEL, or set api_version = \"v1\" (or \"auto\", the default) in the provider configuration (ZITADEL_API_VERSION).", ze.Addr, zitadel.MinV2Version) + proxy
	}
	return fmt.Sprintf("The server at %s does not serve ZITADEL's management API v1 (a release that dropped it answers so). Set api_version = \"v2\" (ZITADEL %s or later) or \"auto\", the default, in the provider configuration (ZITADEL_API_VERSION).", ze.Addr, zitadel.MinV2Version) + proxy
}

// addAPIError reports a failed call under summary.
func addAPIError(diags *diag.Diagnostics, summary, doing string, owner zitadel.Owner, need access, err error) {
	diags.AddError(summary, apiErrorDetail(doing, owner, need, err))
}
