package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/critmin/critmin"
	critminhttp "github.com/critmin/critmin/http"
)

const accessAdmin = critminhttp.AccessAdmin

// Token administration (issue 14): admins list, create and revoke API
// tokens in the browser as with `critmin token` and /api/v1/tokens. The
// list never shows a secret or its hash; a new token's secret is shown
// once, on the answer to the form that created it (never in a URL, never
// cached, never logged). The forms are state-changing POSTs, refused when
// another origin makes the browser send them (the server's
// http.CrossOriginProtection, docs/security.md) like every form.
func (s *site) tokenRoutes() {
	s.route("GET /tokens", accessAdmin, s.handleTokensPage, "revoked")
	s.route("POST /tokens", accessAdmin, s.handleTokenCreateForm)
	s.route("POST /tokens/{name}/revoke", accessAdmin, s.handleTokenRevokeForm)
}

// tokensPage is what the tokens template shows.
type tokensPage struct {
	Tokens []critminhttp.TokenView
	// Created and Secret are set on the answer to a create: the secret is
	// shown this once.
	Created *critminhttp.TokenView
	Secret  string
	Revoked string
	// Errors of a refused create, with what was typed.
	Message string
	Errors  []critmin.FieldError
	Form    map[string]string
	Roles   []string
}

func (s *site) renderTokens(w http.ResponseWriter, r *http.Request, status int, data tokensPage) {
	list, err := s.ListTokens(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	data.Tokens = list
	// ?revoked=NAME is where a revocation redirects: the banner says a
	// token was revoked only when the list shows it revoked, so a link
	// cannot make an admin believe a live token (or any text) was.
	if data.Revoked != "" {
		named := data.Revoked
		data.Revoked = ""
		for _, t := range list {
			if strings.EqualFold(t.Name, named) && t.Status == "revoked" {
				data.Revoked = t.Name
			}
		}
	}
	data.Roles = []string{critmin.RoleViewer, critmin.RoleOperator, critmin.RoleAdmin}
	if data.Form == nil {
		data.Form = map[string]string{"role": critmin.RoleViewer}
	}
	// The page may carry a secret: no cache may keep it.
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, status, "tokens", "API tokens", "tokens", data)
}

// handleTokensPage lists the tokens: name, role, created, last used,
// expiry and status. GET /tokens[?revoked=NAME]
func (s *site) handleTokensPage(w http.ResponseWriter, r *http.Request) {
	params := critminhttp.ReadParams(r, "revoked")
	revoked := params.Str("revoked", "")
	if err := params.Err(); err != nil {
		s.renderError(w, r, err)
		return
	}
	s.renderTokens(w, r, http.StatusOK, tokensPage{Revoked: revoked})
}

// handleTokenCreateForm issues a token from the form (name, role,
// optional expiry date) and answers the page with its secret, once; a
// refused request shows the page again with every field at fault.
// POST /tokens
func (s *site) handleTokenCreateForm(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.renderError(w, r, critmin.FieldErrorf("form", "%v", err))
		return
	}
	if err := unknownFormFields(r, "name", "role", "expires"); err != nil {
		s.renderError(w, r, err)
		return
	}
	form := map[string]string{"name": r.PostForm.Get("name"), "role": r.PostForm.Get("role"), "expires": r.PostForm.Get("expires")}
	now := time.Now()
	var exp time.Time
	var dateErr *critmin.FieldError
	if form["expires"] != "" {
		// An <input type="date"> labelled "valid through": the token works
		// to the end of that day, UTC — it expires at 00:00 UTC of the
		// next day, so today's date gives a token that works until
		// midnight UTC.
		var perr error
		if exp, perr = time.Parse(time.DateOnly, form["expires"]); perr != nil {
			dateErr = &critmin.FieldError{Pointer: "expires", Reason: fmt.Sprintf("not a date YYYY-MM-DD: %q", form["expires"])}
		} else {
			exp = exp.AddDate(0, 0, 1)
		}
	}
	// Every field at fault at once, named as the form labels it (issue
	// 15, fix15s item 4: not the request's name, role, expires).
	fields := critmin.ValidateTokenRequest(form["name"], form["role"], exp, now)
	if dateErr != nil {
		fields = append(fields, *dateErr)
	}
	var secret string
	var t *critmin.Token
	var err error
	if len(fields) > 0 {
		err = &critmin.Error{Code: critmin.EINVALID, Message: "invalid token request", Fields: fields}
	} else {
		secret, t, err = critmin.IssueToken(r.Context(), s.Store, form["name"], form["role"], exp, now)
	}
	if err != nil {
		var ce *critmin.Error
		if !errors.As(err, &ce) || (ce.Code != critmin.EINVALID && ce.Code != critmin.ECONFLICT) {
			s.renderError(w, r, err)
			return
		}
		fields := ce.Fields
		if len(fields) == 0 {
			fields = []critmin.FieldError{{Pointer: "name", Reason: critmin.ErrorMessage(err)}}
		}
		for i, f := range fields {
			if label, ok := tokenLabels[f.Pointer]; ok {
				fields[i].Pointer = label
			}
		}
		s.renderTokens(w, r, critminhttp.StatusOf(err), tokensPage{Message: "The token was not created.", Errors: fields, Form: form})
		return
	}
	s.Logger.Info("token created", "name", t.Name, "role", t.Role, "by", s.tokenNameOf(r), "via", "web")
	v := critminhttp.ViewToken(t, now)
	s.renderTokens(w, r, http.StatusCreated, tokensPage{Created: &v, Secret: secret})
}

// handleTokenRevokeForm revokes a token (its sessions end with it) and
// returns to the list. POST /tokens/{name}/revoke
func (s *site) handleTokenRevokeForm(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.renderError(w, r, critmin.FieldErrorf("form", "%v", err))
		return
	}
	if err := unknownFormFields(r); err != nil {
		s.renderError(w, r, err)
		return
	}
	t, err := s.Store.RevokeToken(r.Context(), r.PathValue("name"), time.Now())
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.Logger.Info("token revoked", "name", t.Name, "by", s.tokenNameOf(r), "via", "web")
	http.Redirect(w, r, "/tokens?revoked="+url.QueryEscape(t.Name), http.StatusSeeOther)
}

func (s *site) tokenNameOf(r *http.Request) string {
	if tok, _ := s.Authenticate(r); tok != nil {
		return tok.Name
	}
	return ""
}

// tokenLabels are the token form's labels of the fields a refusal names
// (the form's parameters and the API's expires_at).
var tokenLabels = map[string]string{"name": "Name", "role": "Role", "expires": "Valid through", "expires_at": "Valid through"}
