//! The API's one error type. The HTTP mapping lives here; the cause goes to the log,
//! never to the response body. Bodies are `{"error":{"code","message","messages","fields"}}`,
//! with `message` in the caller's language and `messages` in both.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

use crate::i18n::{api as words, Lang, Phrase};

#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    Unauthorized,
    /// Also what an ineligible caller gets for the report: never a 403.
    NotFound,
    ForbiddenAssumption,
    CrossSite,
    BadRequest(LocalText),
    Validation(BTreeMap<&'static str, LocalText>),
    /// The report's core data could not be read in time.
    Unavailable,
    Internal(String),
}

/// A message in both languages.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LocalText {
    pub en: String,
    pub id: String,
}

impl LocalText {
    pub fn from(phrase: Phrase, values: &[(&str, String)]) -> Self {
        Self {
            en: phrase.fill(Lang::En, values),
            id: phrase.fill(Lang::Id, values),
        }
    }

    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.en,
            Lang::Id => &self.id,
        }
    }
}

impl ApiError {
    pub fn internal(cause: impl Into<String>) -> Self {
        ApiError::Internal(cause.into())
    }

    pub fn bad_request(phrase: Phrase, values: &[(&str, String)]) -> Self {
        ApiError::BadRequest(LocalText::from(phrase, values))
    }

    /// The error with its message in the caller's language.
    pub fn in_lang(self, lang: Lang) -> LocalizedError {
        LocalizedError { error: self, lang }
    }

    fn parts(&self) -> (StatusCode, &'static str, LocalText) {
        let text = |phrase: Phrase| LocalText::from(phrase, &[]);
        match self {
            ApiError::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                text(words::UNAUTHORIZED),
            ),
            ApiError::NotFound => (StatusCode::NOT_FOUND, "not_found", text(words::NOT_FOUND)),
            ApiError::ForbiddenAssumption => (
                StatusCode::FORBIDDEN,
                "forbidden",
                text(words::FORBIDDEN_ASSUMPTION),
            ),
            ApiError::CrossSite => (
                StatusCode::FORBIDDEN,
                "cross_site_request",
                text(words::CROSS_SITE),
            ),
            ApiError::BadRequest(message) => {
                (StatusCode::BAD_REQUEST, "bad_request", message.clone())
            }
            ApiError::Validation(_) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
                text(words::INVALID_FIELDS),
            ),
            ApiError::Unavailable => (
                StatusCode::SERVICE_UNAVAILABLE,
                "report_unavailable",
                text(words::UNAVAILABLE),
            ),
            ApiError::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                text(words::INTERNAL),
            ),
        }
    }

    fn body(&self, lang: Lang) -> serde_json::Value {
        let (_, code, message) = self.parts();
        let mut error = serde_json::json!({
            "code": code,
            "message": message.get(lang),
            "messages": message,
        });
        if let ApiError::Validation(fields) = self {
            error["fields"] = serde_json::json!(fields
                .iter()
                .map(|(field, text)| (
                    *field,
                    serde_json::json!({"message": text.get(lang), "messages": text})
                ))
                .collect::<BTreeMap<_, _>>());
        }
        serde_json::json!({ "error": error })
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ApiError::Internal(cause) => write!(f, "internal error: {cause}"),
            other => write!(f, "{}", other.parts().1),
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.parts().0
    }

    fn error_response(&self) -> HttpResponse {
        LocalizedError {
            error: self.clone(),
            lang: Lang::En,
        }
        .error_response()
    }
}

/// An `ApiError` whose message is in a known language.
#[derive(Debug)]
pub struct LocalizedError {
    pub error: ApiError,
    pub lang: Lang,
}

impl std::fmt::Display for LocalizedError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.error.fmt(f)
    }
}

impl ResponseError for LocalizedError {
    fn status_code(&self) -> StatusCode {
        self.error.status_code()
    }

    fn error_response(&self) -> HttpResponse {
        if let ApiError::Internal(cause) = &self.error {
            tracing::error!(cause = %cause, "request failed");
        }
        let mut response = HttpResponse::build(self.status_code());
        if self.error == ApiError::Unauthorized {
            response.insert_header(("WWW-Authenticate", "Bearer"));
        }
        response
            .insert_header(("Cache-Control", "no-store"))
            .json(self.error.body(self.lang))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn causes_never_reach_the_body() {
        let body = ApiError::internal("password authentication failed for user app").body(Lang::En);
        assert!(!body.to_string().contains("password"));
        assert_eq!(body["error"]["code"], "internal");
    }

    #[test]
    fn messages_come_in_the_callers_language_and_in_both() {
        let body = ApiError::Unavailable.body(Lang::Id);
        assert_eq!(
            body["error"]["message"],
            "Kami tidak dapat memuat laporan Anda. Coba lagi."
        );
        assert_eq!(
            body["error"]["messages"]["en"],
            "We couldn't load your report. Try again."
        );
    }
}
