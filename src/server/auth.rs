//! Sign-in by a token signed by the host web admin (HS256 shared secret or RS256
//! public key). The API takes it as `Authorization: Bearer …`; the page keeps it in
//! an HttpOnly, SameSite=Strict cookie set by `/auth/handoff`. The organization
//! always comes from the token, never from a parameter.

use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::Payload;
use actix_web::http::Method;
use actix_web::{FromRequest, HttpRequest};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::domain::OrgId;
use crate::i18n::Lang;
use crate::server::errors::ApiError;

pub(crate) const SESSION_COOKIE: &str = "impact_session";
pub(crate) const CSRF_COOKIE: &str = "impact_csrf";
pub(crate) const CSRF_HEADER: &str = "x-csrf-token";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Owner,
    Admin,
    Supervisor,
    Agent,
    Billing,
}

impl Role {
    /// Every role the host's tokens carry.
    pub const ALL: [Role; 5] = [
        Role::Owner,
        Role::Admin,
        Role::Supervisor,
        Role::Agent,
        Role::Billing,
    ];

    /// Owner, Admin and Supervisor may see the report (README, who sees the report).
    pub fn may_view_report(self) -> bool {
        matches!(self, Role::Owner | Role::Admin | Role::Supervisor)
    }

    /// Only Owner and Admin may change the cost assumption.
    pub fn may_edit_assumption(self) -> bool {
        matches!(self, Role::Owner | Role::Admin)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Admin => "admin",
            Role::Supervisor => "supervisor",
            Role::Agent => "agent",
            Role::Billing => "billing",
        }
    }
}

/// The token's claims, exactly as the host signs them.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub org_id: String,
    pub role: Role,
    /// Any language tag (`id`, `id-ID`, `ID`, `en-US`, …): see `Lang::from_tag`.
    #[serde(deserialize_with = "language_tag", default)]
    pub locale: Lang,
    pub exp: i64,
    /// Not valid before this Unix time, when the host sets it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
}

/// Reads the `locale` claim leniently: a host that sends BCP 47 tags must be able to
/// sign anyone in. Only its type is checked (a string); the value picks the language.
fn language_tag<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Lang, D::Error> {
    let tag = String::deserialize(deserializer)?;
    Ok(Lang::from_tag(&tag))
}

/// How long a token may be valid for at most, unless configured otherwise
/// (`auth.max_token_lifetime_seconds`): the host's tokens are short-lived.
pub(crate) const DEFAULT_MAX_TOKEN_LIFETIME: Duration = Duration::from_secs(24 * 3600);

/// Seconds of clock difference tolerated between the host and this server.
const LEEWAY_SECONDS: u64 = 30;

/// Who is calling, once the token checked out.
#[derive(Debug, Clone)]
pub(crate) struct Caller {
    pub org: OrgId,
    /// Who it is, as the usage rows know them: a keyed hash of the token's `sub`.
    pub user: crate::usage::UserHash,
    pub role: Role,
    pub locale: Lang,
    /// True when the token came from the session cookie (so writes need the CSRF check).
    pub from_cookie: bool,
    /// When the token expires (Unix seconds): the session cookie ends then too.
    pub expires_at: i64,
}

/// Checks tokens with the one algorithm and key the server is configured for.
pub(crate) struct TokenVerifier {
    key: DecodingKey,
    validation: Validation,
    max_lifetime: Duration,
    users: crate::usage::UserHasher,
}

impl TokenVerifier {
    /// A verifier of HS256 tokens, hashing each caller's subject with `users`.
    pub fn hs256(secret: &str, users: crate::usage::UserHasher) -> Self {
        Self::with(
            DecodingKey::from_secret(secret.as_bytes()),
            Algorithm::HS256,
            users,
        )
    }

    /// A verifier of RS256 tokens, hashing each caller's subject with `users`.
    pub fn rs256(
        public_key_pem: &[u8],
        users: crate::usage::UserHasher,
    ) -> Result<Self, jsonwebtoken::errors::Error> {
        let key = DecodingKey::from_rsa_pem(public_key_pem)?;
        Ok(Self::with(key, Algorithm::RS256, users))
    }

    fn with(key: DecodingKey, algorithm: Algorithm, users: crate::usage::UserHasher) -> Self {
        // Only the configured algorithm is accepted: no `none`, no HS/RS confusion.
        let mut validation = Validation::new(algorithm);
        validation.leeway = LEEWAY_SECONDS;
        validation.validate_exp = true;
        validation.validate_nbf = true;
        validation.set_required_spec_claims(&["exp", "sub"]);
        Self {
            key,
            validation,
            max_lifetime: DEFAULT_MAX_TOKEN_LIFETIME,
            users,
        }
    }

    /// Refuses tokens that are valid for longer than `max_lifetime` from now.
    pub fn with_max_lifetime(mut self, max_lifetime: Duration) -> Self {
        self.max_lifetime = max_lifetime;
        self
    }

    pub fn verify(&self, token: &str) -> Result<Caller, ApiError> {
        let data = jsonwebtoken::decode::<Claims>(token.trim(), &self.key, &self.validation)
            .map_err(|error| {
                tracing::info!(reason = %crate::text::excerpt(&error.to_string()), "rejected a token");
                ApiError::Unauthorized
            })?;
        let claims = data.claims;
        let latest_exp = chrono::Utc::now().timestamp()
            + i64::try_from(self.max_lifetime.as_secs()).unwrap_or(i64::MAX / 2)
            + LEEWAY_SECONDS as i64;
        if claims.exp > latest_exp {
            tracing::info!(
                reason = "valid for longer than auth.max_token_lifetime_seconds",
                "rejected a token"
            );
            return Err(ApiError::Unauthorized);
        }
        let org = OrgId::parse(&claims.org_id).map_err(|_| ApiError::Unauthorized)?;
        if claims.sub.trim().is_empty() {
            return Err(ApiError::Unauthorized);
        }
        Ok(Caller {
            user: self.users.hash(&org, &claims.sub),
            org,
            role: claims.role,
            locale: claims.locale,
            from_cookie: false,
            expires_at: claims.exp,
        })
    }
}

/// Signs tokens: for the demo sign-in page and for tests, never for production.
pub fn sign_hs256(secret: &str, claims: &Claims) -> Result<String, jsonwebtoken::errors::Error> {
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
}

/// Where a redirect after sign-in may go: a path on this site, nothing else.
pub(crate) fn safe_next(next: Option<&str>) -> String {
    const DEFAULT: &str = "/reports/ai-agent-impact";
    match next {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.contains('\\')
                && !path.chars().any(char::is_control) =>
        {
            path.to_string()
        }
        _ => DEFAULT.to_string(),
    }
}

/// A random token for the double-submit CSRF check.
pub(crate) fn random_token() -> Result<String, ApiError> {
    let mut bytes = [0u8; 24];
    getrandom::fill(&mut bytes).map_err(|e| ApiError::failed("drawing a random token", e))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

impl FromRequest for Caller {
    type Error = crate::server::errors::LocalizedError;
    type Future = std::future::Ready<Result<Self, Self::Error>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(authenticate(request))
    }
}

fn authenticate(request: &HttpRequest) -> Result<Caller, crate::server::errors::LocalizedError> {
    // Until the token is read, the caller's language is unknown: English.
    let unknown = |error: ApiError| error.in_lang(Lang::En);
    let verifier = request
        .app_data::<actix_web::web::Data<Arc<TokenVerifier>>>()
        .ok_or_else(|| unknown(ApiError::internal("the token verifier is not configured")))?;
    let bearer = request
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| {
            value
                .strip_prefix("Bearer ")
                .or_else(|| value.strip_prefix("bearer "))
        });
    if let Some(token) = bearer {
        return verifier.verify(token).map_err(unknown);
    }
    let cookie = request
        .cookie(SESSION_COOKIE)
        .ok_or_else(|| unknown(ApiError::Unauthorized))?;
    let mut caller = verifier.verify(cookie.value()).map_err(unknown)?;
    caller.from_cookie = true;
    if !matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) {
        let header = request
            .headers()
            .get(CSRF_HEADER)
            .and_then(|value| value.to_str().ok());
        check_same_site(request, header).map_err(|e| e.in_lang(caller.locale))?;
    }
    Ok(caller)
}

/// A write made with the session cookie must come from our own page: it carries the
/// CSRF cookie's value in a header (which another site cannot read), and if the
/// browser names an origin, it is ours.
/// `presented` is the value the page sent back (the CSRF header, or the sign-out
/// form's field).
pub(crate) fn check_same_site(
    request: &HttpRequest,
    presented: Option<&str>,
) -> Result<(), ApiError> {
    let cookie = request.cookie(CSRF_COOKIE);
    let tokens_match = match (&cookie, presented) {
        (Some(cookie), Some(presented)) => !presented.is_empty() && cookie.value() == presented,
        _ => false,
    };
    if !tokens_match {
        return Err(ApiError::CrossSite);
    }
    if let Some(origin) = request
        .headers()
        .get(actix_web::http::header::ORIGIN)
        .and_then(|value| value.to_str().ok())
    {
        let host = request.connection_info().host().to_string();
        let origin_host = origin.split("://").nth(1).unwrap_or(origin);
        if origin_host != host {
            return Err(ApiError::CrossSite);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_that_is_no_rs256_key_is_refused() {
        let users = crate::usage::UserHasher::new(b"a server secret of some length");
        let refused = TokenVerifier::rs256(b"-----BEGIN PUBLIC KEY-----\nnot a key\n", users);
        assert!(refused.is_err(), "a text that is no key is refused");
    }

    fn hs256(secret: &str) -> TokenVerifier {
        TokenVerifier::hs256(
            secret,
            crate::usage::UserHasher::new(b"the tests' user key"),
        )
    }

    #[test]
    fn redirects_stay_on_this_site() {
        assert_eq!(safe_next(Some("/reports")), "/reports");
        assert_eq!(
            safe_next(Some("https://evil.example")),
            "/reports/ai-agent-impact"
        );
        assert_eq!(
            safe_next(Some("//evil.example")),
            "/reports/ai-agent-impact"
        );
        assert_eq!(
            safe_next(Some("/\\evil.example")),
            "/reports/ai-agent-impact"
        );
        assert_eq!(safe_next(None), "/reports/ai-agent-impact");
    }

    #[test]
    fn only_owner_admin_and_supervisor_see_the_report() {
        let viewers: Vec<_> = Role::ALL
            .into_iter()
            .filter(|r| r.may_view_report())
            .collect();
        assert_eq!(viewers, vec![Role::Owner, Role::Admin, Role::Supervisor]);
        assert!(!Role::Supervisor.may_edit_assumption());
        assert!(Role::Admin.may_edit_assumption());
    }

    #[test]
    fn tokens_signed_with_another_secret_are_refused() {
        let claims = Claims {
            sub: "u1".into(),
            org_id: "org_a".into(),
            role: Role::Owner,
            locale: Lang::Id,
            exp: chrono::Utc::now().timestamp() + 600,
            nbf: None,
        };
        let token = sign_hs256("right-secret", &claims).unwrap();
        assert_eq!(
            hs256("right-secret").verify(&token).unwrap().org.as_str(),
            "org_a"
        );
        assert!(hs256("wrong-secret").verify(&token).is_err());
    }

    fn token(claims: serde_json::Value) -> String {
        jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &EncodingKey::from_secret(b"right-secret"),
        )
        .unwrap()
    }

    fn claims(extra: serde_json::Value) -> serde_json::Value {
        let mut claims = serde_json::json!({
            "sub": "u1", "org_id": "org_a", "role": "owner", "locale": "en",
            "exp": chrono::Utc::now().timestamp() + 600,
        });
        for (key, value) in extra.as_object().unwrap() {
            claims[key] = value.clone();
        }
        claims
    }

    #[test]
    fn tokens_not_valid_yet_or_valid_for_too_long_are_refused() {
        let verifier = hs256("right-secret");
        let now = chrono::Utc::now().timestamp();
        let tomorrow = serde_json::json!({"nbf": now + 86_400});
        assert!(verifier.verify(&token(claims(tomorrow))).is_err());
        let since_a_minute = serde_json::json!({"nbf": now - 60});
        assert!(verifier.verify(&token(claims(since_a_minute))).is_ok());
        let for_a_year = serde_json::json!({"exp": now + 365 * 86_400});
        assert!(verifier.verify(&token(claims(for_a_year.clone()))).is_err());
        let patient = hs256("right-secret").with_max_lifetime(Duration::from_secs(400 * 86_400));
        assert!(patient.verify(&token(claims(for_a_year))).is_ok());
    }

    #[test]
    fn any_language_tag_signs_in_and_picks_the_language() {
        let verifier = hs256("right-secret");
        for (tag, lang) in [
            ("id", Lang::Id),
            ("id-ID", Lang::Id),
            ("ID", Lang::Id),
            ("en-US", Lang::En),
            ("en", Lang::En),
            ("fr", Lang::En),
            ("", Lang::En),
        ] {
            let caller = verifier
                .verify(&token(claims(serde_json::json!({ "locale": tag }))))
                .unwrap_or_else(|e| panic!("{tag}: {e}"));
            assert_eq!(caller.locale, lang, "{tag}");
        }
        let mut no_locale = claims(serde_json::json!({}));
        no_locale.as_object_mut().unwrap().remove("locale");
        assert_eq!(verifier.verify(&token(no_locale)).unwrap().locale, Lang::En);
        let not_text = claims(serde_json::json!({"locale": 7}));
        assert!(verifier.verify(&token(not_text)).is_err());
    }
}
