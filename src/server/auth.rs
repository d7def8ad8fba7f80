//! Sign-in by a token signed by the host web admin (HS256 shared secret or RS256
//! public key). The API takes it as `Authorization: Bearer …`; the page keeps it in
//! an HttpOnly, SameSite=Strict cookie set by `/auth/handoff`. The organization
//! always comes from the token, never from a parameter.

use std::sync::Arc;

use actix_web::dev::Payload;
use actix_web::http::Method;
use actix_web::{FromRequest, HttpRequest};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::domain::OrgId;
use crate::i18n::Lang;
use crate::server::errors::ApiError;

pub const SESSION_COOKIE: &str = "impact_session";
pub const CSRF_COOKIE: &str = "impact_csrf";
pub const CSRF_HEADER: &str = "x-csrf-token";

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
    /// Owner, Admin and Supervisor may see the report (PRD §6).
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
    pub locale: Lang,
    pub exp: i64,
}

/// Who is calling, once the token checked out.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user: String,
    pub org: OrgId,
    pub role: Role,
    pub locale: Lang,
    /// True when the token came from the session cookie (so writes need the CSRF check).
    pub from_cookie: bool,
}

/// Checks tokens with the one algorithm and key the server is configured for.
pub struct TokenVerifier {
    key: DecodingKey,
    validation: Validation,
}

impl TokenVerifier {
    pub fn hs256(secret: &str) -> Self {
        Self::with(
            DecodingKey::from_secret(secret.as_bytes()),
            Algorithm::HS256,
        )
    }

    pub fn rs256(public_key_pem: &[u8]) -> Result<Self, String> {
        let key = DecodingKey::from_rsa_pem(public_key_pem)
            .map_err(|e| format!("the RS256 public key cannot be read: {e}"))?;
        Ok(Self::with(key, Algorithm::RS256))
    }

    fn with(key: DecodingKey, algorithm: Algorithm) -> Self {
        // Only the configured algorithm is accepted: no `none`, no HS/RS confusion.
        let mut validation = Validation::new(algorithm);
        validation.leeway = 30;
        validation.validate_exp = true;
        validation.set_required_spec_claims(&["exp", "sub"]);
        Self { key, validation }
    }

    pub fn verify(&self, token: &str) -> Result<Caller, ApiError> {
        let data = jsonwebtoken::decode::<Claims>(token.trim(), &self.key, &self.validation)
            .map_err(|error| {
                tracing::info!(reason = %error, "rejected a token");
                ApiError::Unauthorized
            })?;
        let claims = data.claims;
        let org = OrgId::parse(&claims.org_id).map_err(|_| ApiError::Unauthorized)?;
        if claims.sub.trim().is_empty() {
            return Err(ApiError::Unauthorized);
        }
        Ok(Caller {
            user: claims.sub,
            org,
            role: claims.role,
            locale: claims.locale,
            from_cookie: false,
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
pub fn safe_next(next: Option<&str>) -> String {
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
pub fn random_token() -> Result<String, ApiError> {
    let mut bytes = [0u8; 24];
    getrandom::fill(&mut bytes).map_err(|e| ApiError::internal(format!("no randomness: {e}")))?;
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
        check_same_site(request).map_err(|e| e.in_lang(caller.locale))?;
    }
    Ok(caller)
}

/// A write made with the session cookie must come from our own page: it carries the
/// CSRF cookie's value in a header (which another site cannot read), and if the
/// browser names an origin, it is ours.
fn check_same_site(request: &HttpRequest) -> Result<(), ApiError> {
    let cookie = request.cookie(CSRF_COOKIE);
    let header = request
        .headers()
        .get(CSRF_HEADER)
        .and_then(|value| value.to_str().ok());
    let tokens_match = match (&cookie, header) {
        (Some(cookie), Some(header)) => !header.is_empty() && cookie.value() == header,
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
        let viewers: Vec<_> = [
            Role::Owner,
            Role::Admin,
            Role::Supervisor,
            Role::Agent,
            Role::Billing,
        ]
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
        };
        let token = sign_hs256("right-secret", &claims).unwrap();
        assert_eq!(
            TokenVerifier::hs256("right-secret")
                .verify(&token)
                .unwrap()
                .org
                .as_str(),
            "org_a"
        );
        assert!(TokenVerifier::hs256("wrong-secret").verify(&token).is_err());
    }
}
