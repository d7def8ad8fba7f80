//! Signing in and out of the page. The host's admin links to `/auth/handoff` with a
//! token; the handoff keeps it in an HttpOnly, SameSite=Strict session cookie that
//! ends when the token does, beside a CSRF cookie for the double-submit check.
//!
//! The host usually lives on another site. A navigation that *started* on another
//! site does not carry SameSite=Strict cookies, even through a redirect to this one,
//! so the handoff answers with a small page of its own that moves on to the report:
//! that last step starts here, on the same site, and the cookie goes with it.
//! Nothing is weakened: the session cookie stays Strict, and every write still needs
//! the CSRF header and a same-origin `Origin`.

use std::sync::Arc;

use actix_web::cookie::{time::Duration as CookieDuration, Cookie, SameSite};
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::i18n::{web as words, Lang};
use crate::server::auth::{self, TokenVerifier};
use crate::server::errors::request_lang;
use crate::server::errors::{resource, ApiError, LocalizedError};
use crate::server::paths::{SIGNED_OUT_PATH, SIGN_OUT_PATH};
use crate::server::reports::AppState;
use crate::server::view::{html, message, MessagePage, Words};

pub(crate) fn routes(config: &mut web::ServiceConfig) {
    config
        .service(resource("/auth/handoff", "GET").route(web::get().to(handoff)))
        .service(resource(SIGN_OUT_PATH, "POST").route(web::post().to(sign_out)))
        .service(resource(SIGNED_OUT_PATH, "GET").route(web::get().to(signed_out)));
}

#[derive(Template)]
#[template(path = "handoff.html")]
struct HandoffPage {
    w: Words,
    next: String,
}

#[derive(Deserialize)]
struct HandoffQuery {
    token: Option<String>,
    next: Option<String>,
}

/// A cookie of this server's session: site-wide, Strict, and Secure when configured.
fn session_cookie(
    name: &'static str,
    value: String,
    secure: bool,
    http_only: bool,
) -> Cookie<'static> {
    Cookie::build(name, value)
        .path("/")
        .http_only(http_only)
        .secure(secure)
        .same_site(SameSite::Strict)
        .finish()
}

/// Exchanges the host's token for a session cookie, then moves on to `next` (a
/// path on this site) through a page of this site.
async fn handoff(
    request: HttpRequest,
    query: web::Query<HandoffQuery>,
    verifier: web::Data<Arc<TokenVerifier>>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, LocalizedError> {
    let token = query.token.as_deref().unwrap_or_default();
    // A link that is broken or has expired is opened by a person in a browser: the
    // page's view in their language (`lang`, else the browser's), never JSON.
    let caller = match verifier.verify(token) {
        Ok(caller) => caller,
        Err(error) => {
            tracing::info!(error = ?error, "a sign-in link was refused");
            return Ok(message(
                StatusCode::UNAUTHORIZED,
                request_lang(&request),
                words::PAGE_TITLE,
                words::SIGN_IN_AGAIN,
            ));
        }
    };
    let lang = caller.locale;
    let csrf = auth::random_token().map_err(|e| e.in_lang(lang))?;
    // Both cookies end when the token does.
    let lifetime =
        CookieDuration::seconds((caller.expires_at - chrono::Utc::now().timestamp()).max(0));
    let mut session = session_cookie(
        auth::SESSION_COOKIE,
        token.trim().to_string(),
        state.cookie_secure,
        true,
    );
    session.set_max_age(lifetime);
    let mut csrf = session_cookie(auth::CSRF_COOKIE, csrf, state.cookie_secure, false);
    csrf.set_max_age(lifetime);
    let page = HandoffPage {
        w: Words { lang },
        next: auth::safe_next(query.next.as_deref()),
    };
    let mut response = html(StatusCode::OK, page.render());
    // This page's address holds the token: it is never sent on, not even to us.
    response.headers_mut().insert(
        header::REFERRER_POLICY,
        header::HeaderValue::from_static("no-referrer"),
    );
    for cookie in [session, csrf] {
        response
            .add_cookie(&cookie)
            .map_err(|e| ApiError::failed("setting a cookie", e).in_lang(lang))?;
    }
    Ok(response)
}

#[derive(Deserialize)]
struct SignOutForm {
    csrf: Option<String>,
    lang: Option<String>,
}

/// Ends the session: both cookies are removed. The form carries the CSRF cookie's
/// value (another site cannot read it), so no other site can sign anyone out.
async fn sign_out(
    request: HttpRequest,
    form: web::Form<SignOutForm>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let lang = form
        .lang
        .as_deref()
        .and_then(Lang::parse)
        .unwrap_or(Lang::En);
    if auth::check_same_site(&request, form.csrf.as_deref()).is_err() {
        return crate::server::view::error_view(StatusCode::FORBIDDEN, lang);
    }
    let mut response = HttpResponse::SeeOther()
        .insert_header((
            header::LOCATION,
            format!("{SIGNED_OUT_PATH}?lang={}", lang.code()),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish();
    for (name, http_only) in [(auth::SESSION_COOKIE, true), (auth::CSRF_COOKIE, false)] {
        let mut gone = session_cookie(name, String::new(), state.cookie_secure, http_only);
        gone.make_removal();
        if let Err(error) = response.add_cookie(&gone) {
            tracing::error!(error = %error, "cannot remove a session cookie");
        }
    }
    response
}

#[derive(Deserialize)]
struct LangQuery {
    lang: Option<String>,
}

async fn signed_out(query: web::Query<LangQuery>) -> HttpResponse {
    let lang = query
        .lang
        .as_deref()
        .and_then(Lang::parse)
        .unwrap_or(Lang::En);
    let page = MessagePage {
        w: Words { lang },
        title: words::SIGNED_OUT_TITLE.text(lang).to_string(),
        message: words::SIGNED_OUT.text(lang).to_string(),
        links: Vec::new(),
        sign_out_csrf: None,
    };
    html(StatusCode::OK, page.render())
}
